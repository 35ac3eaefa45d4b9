import { sql } from 'kysely'
import type { Db } from '../store.js'

/**
 * Permission roots and their materialised ACLs (docs/adr/0004-permission-roots.md).
 *
 * Invariants, for every page or database P:
 * - P is a *root* when `P.perm_root_id = P.id`. P is a root when it has explicit grants, when it
 *   does not inherit, or when it has no parent page (top-level pages).
 * - Otherwise `P.perm_root_id` equals the root of P's permission parent (its parent page, or the
 *   database of the data source it is a row of).
 * - `root_acl(R)` = the grants on R ∪ (R inherits ? root_acl(root of R's parent)
 *   : the connection (`bot:`) entries of root_acl(root of R's parent)), highest level per principal;
 *   each entry remembers the page whose grant it comes from. A page whose people access was changed
 *   (`inherits = 0`, ADR 9) stops inheriting people, groups and the workspace, but connections' shares
 *   keep flowing down exactly as before.
 *
 * So a check is one point read of `root_acl` whatever the depth or the number of shares, and only
 * sharing, unsharing and moving do work proportional to a subtree.
 */

/** Whether a principal is a connection's bot (`bot:<id>`), whose shares always flow down the tree. */
export function isConnectionPrincipal(principal: string): boolean {
  return principal.startsWith('bot:')
}

/** The page columns the ACL maintenance needs. */
export interface TreeNode {
  id: string
  workspace_id: string
  perm_root_id: string | null
  path: string | null
  inherits: number
}

/** `path` prefix shared by every descendant of `node`. */
export function subtreePrefix(node: Pick<TreeNode, 'id' | 'path'>): string {
  return `${node.path ?? '/'}${node.id}/`
}

/** Rows whose `path` starts with `prefix`, as an index-friendly range. */
function inSubtree(prefix: string) {
  return sql<boolean>`(path >= ${prefix} and path < ${prefix + '\u{10FFFF}'})`
}

/** The highest level any of `principals` holds on a root; 0 when none. */
export async function levelOnRoot(db: Db, rootId: string, principals: string[]): Promise<number> {
  if (principals.length === 0) return 0
  const row = await db
    .selectFrom('root_acl')
    .select((eb) => eb.fn.max('role').as('role'))
    .where('root_id', '=', rootId)
    .where('principal', 'in', principals)
    .executeTakeFirst()
  return Number(row?.role ?? 0)
}

/** The ids of every root on which one of `principals` holds at least `minLevel`. */
export async function rootsVisibleTo(db: Db, principals: string[], minLevel = 1): Promise<string[]> {
  if (principals.length === 0) return []
  const rows = await db
    .selectFrom('root_acl')
    .select('root_id')
    .distinct()
    .where('principal', 'in', principals)
    .where('role', '>=', minLevel)
    .execute()
  return rows.map((r) => r.root_id)
}

/** The effective ACL entry of `principal` on a root, with the page it comes from. */
export async function aclEntry(
  db: Db,
  rootId: string,
  principal: string,
): Promise<{ role: number; source_page_id: string } | undefined> {
  return db
    .selectFrom('root_acl')
    .select(['role', 'source_page_id'])
    .where('root_id', '=', rootId)
    .where('principal', '=', principal)
    .executeTakeFirst()
}

/** The root whose ACL a page's children inherit: the page's own root. */
async function parentRootOf(db: Db, node: TreeNode): Promise<string | null> {
  const parentPageId = node.path?.split('/').filter(Boolean).at(-1)
  if (!parentPageId) return null
  const parent = await db
    .selectFrom('block')
    .select('perm_root_id')
    .where('id', '=', parentPageId)
    .executeTakeFirst()
  return parent?.perm_root_id ?? null
}

/** Recomputes the materialised ACL of one root from its grants and its parent's root. */
async function recomputeRoot(db: Db, root: TreeNode): Promise<void> {
  const own = await db
    .selectFrom('page_grant')
    .select(['principal', 'role'])
    .where('page_id', '=', root.id)
    .execute()
  const merged = new Map<string, { role: number; source: string }>()
  const parentRoot = await parentRootOf(db, root)
  if (parentRoot) {
    const inherited = await db
      .selectFrom('root_acl')
      .select(['principal', 'role', 'source_page_id'])
      .where('root_id', '=', parentRoot)
      .execute()
    for (const e of inherited) {
      if (root.inherits || isConnectionPrincipal(e.principal)) merged.set(e.principal, { role: e.role, source: e.source_page_id })
    }
  }
  for (const g of own) {
    const prev = merged.get(g.principal)
    if (!prev || g.role >= prev.role) merged.set(g.principal, { role: g.role, source: root.id })
  }
  await db.deleteFrom('root_acl').where('root_id', '=', root.id).execute()
  if (merged.size > 0) {
    await db
      .insertInto('root_acl')
      .values(
        [...merged].map(([principal, v]) => ({
          root_id: root.id,
          principal,
          role: v.role,
          source_page_id: v.source,
        })),
      )
      .execute()
  }
}

/**
 * Recomputes `node`'s root (when it is one) and every root below it, parents before children, so
 * a change to `node`'s grants reaches every inheriting descendant root.
 */
export async function recomputeSubtree(db: Db, node: TreeNode): Promise<void> {
  const roots = await db
    .selectFrom('block')
    .select(['id', 'workspace_id', 'perm_root_id', 'path', 'inherits'])
    .where((eb) => eb.or([eb('id', '=', node.id), inSubtree(subtreePrefix(node))]))
    .whereRef('perm_root_id', '=', 'id')
    .execute()
  roots.sort((a, b) => (a.path ?? '').length - (b.path ?? '').length)
  for (const r of roots) await recomputeRoot(db, r)
}

/**
 * Makes `node` a permission root: it and every descendant that inherited through the same root now
 * point at `node`. No-op when it already is one.
 */
export async function makeRoot(db: Db, node: TreeNode): Promise<void> {
  if (node.perm_root_id === node.id) return
  const oldRoot = node.perm_root_id
  await db
    .updateTable('block')
    .set({ perm_root_id: node.id })
    .where((eb) => eb.or([eb('id', '=', node.id), inSubtree(subtreePrefix(node))]))
    .where('perm_root_id', oldRoot === null ? 'is' : '=', oldRoot)
    .execute()
  node.perm_root_id = node.id
}

/**
 * Folds a root with no grants of its own back into its parent's root, when it inherits and has a
 * parent. Keeps the number of roots proportional to the number of shares.
 */
export async function collapseIfEmpty(db: Db, node: TreeNode): Promise<void> {
  if (node.perm_root_id !== node.id || !node.inherits) return
  const parentRoot = await parentRootOf(db, node)
  if (!parentRoot) return
  const grant = await db.selectFrom('page_grant').select('principal').where('page_id', '=', node.id).executeTakeFirst()
  if (grant) return
  await db
    .updateTable('block')
    .set({ perm_root_id: parentRoot })
    .where((eb) => eb.or([eb('id', '=', node.id), inSubtree(subtreePrefix(node))]))
    .where('perm_root_id', '=', node.id)
    .execute()
  await db.deleteFrom('root_acl').where('root_id', '=', node.id).execute()
  node.perm_root_id = parentRoot
}

/**
 * Grants `principal` the level `role` on `node` and everything that inherits from it, now and
 * later (pages created or moved in below inherit the same root).
 */
export async function grantOnPage(
  db: Db,
  node: TreeNode,
  grant: { principal: string; role: number; grantedBy: string; time: string },
): Promise<void> {
  await db
    .insertInto('page_grant')
    .values({
      page_id: node.id,
      workspace_id: node.workspace_id,
      principal: grant.principal,
      role: grant.role,
      granted_by: grant.grantedBy,
      granted_time: grant.time,
    })
    .onConflict((oc) =>
      oc.columns(['page_id', 'principal']).doUpdateSet({ role: grant.role, granted_by: grant.grantedBy, granted_time: grant.time }),
    )
    .execute()
  await makeRoot(db, node)
  await recomputeSubtree(db, node)
}

/** Removes `principal`'s explicit grant on `node`. Returns false when there was none. */
export async function revokeOnPage(db: Db, node: TreeNode, principal: string): Promise<boolean> {
  const res = await db
    .deleteFrom('page_grant')
    .where('page_id', '=', node.id)
    .where('principal', '=', principal)
    .executeTakeFirst()
  if (Number(res.numDeletedRows) === 0) return false
  await collapseIfEmpty(db, node)
  await recomputeSubtree(db, node)
  return true
}

/**
 * Re-attaches a moved page: rewrites the `path` of its subtree and, when the page inherits without
 * being a root, re-points its inheriting subtree at the new parent's root. Then recomputes the ACLs
 * below, so access follows the new position from the next request.
 * @param newPath the moved page's new `path` (its new parent's subtree prefix), `/` at top level.
 */
export async function reattachSubtree(db: Db, node: TreeNode, newPath: string, newParentRoot: string | null): Promise<void> {
  const oldPrefix = subtreePrefix(node)
  const newPrefix = `${newPath}${node.id}/`
  await db
    .updateTable('block')
    .set({ path: sql`${newPrefix} || substr(path, ${oldPrefix.length + 1})` })
    .where(inSubtree(oldPrefix))
    .execute()
  await db.updateTable('block').set({ path: newPath }).where('id', '=', node.id).execute()
  node.path = newPath
  if (node.perm_root_id !== node.id) {
    const oldRoot = node.perm_root_id
    const target = newParentRoot ?? node.id
    await db
      .updateTable('block')
      .set({ perm_root_id: target })
      .where((eb) => eb.or([eb('id', '=', node.id), inSubtree(subtreePrefix(node))]))
      .where('perm_root_id', oldRoot === null ? 'is' : '=', oldRoot)
      .execute()
    node.perm_root_id = target
  }
  await recomputeSubtree(db, node)
}

/**
 * The effective ACL entries `node` would inherit from its parent right now (its parent page's or
 * database's root), or an empty list for a top-level page.
 */
export async function inheritedEntries(db: Db, node: TreeNode): Promise<{ principal: string; role: number; source_page_id: string }[]> {
  const parentRoot = await parentRootOf(db, node)
  if (!parentRoot) return []
  return db.selectFrom('root_acl').select(['principal', 'role', 'source_page_id']).where('root_id', '=', parentRoot).execute()
}

/**
 * Stops `node` inheriting people's access (Notion's "page access is different", copy on break): the
 * people, group and workspace entries it inherits become explicit grants on it (keeping any higher
 * grant it already has), `inherits` becomes 0 and the page becomes a root. Connections' shares keep
 * flowing down. No-op when the page already does not inherit.
 */
export async function breakInheritance(db: Db, node: TreeNode, grantedBy: string, time: string): Promise<void> {
  if (!node.inherits) return
  const inherited = (await inheritedEntries(db, node)).filter((e) => !isConnectionPrincipal(e.principal))
  const own = new Map(
    (await db.selectFrom('page_grant').select(['principal', 'role']).where('page_id', '=', node.id).execute()).map((g) => [g.principal, g.role]),
  )
  for (const e of inherited) {
    if ((own.get(e.principal) ?? 0) >= e.role) continue
    await db
      .insertInto('page_grant')
      .values({ page_id: node.id, workspace_id: node.workspace_id, principal: e.principal, role: e.role, granted_by: grantedBy, granted_time: time })
      .onConflict((oc) => oc.columns(['page_id', 'principal']).doUpdateSet({ role: e.role, granted_by: grantedBy, granted_time: time }))
      .execute()
  }
  await db.updateTable('block').set({ inherits: 0 }).where('id', '=', node.id).execute()
  node.inherits = 0
  await makeRoot(db, node)
  await recomputeSubtree(db, node)
}

/**
 * Notion's "Restore" on a page whose access differs from its parent: drops the page's own people,
 * group and workspace grants (connections' shares stay), makes it inherit again, and folds it back
 * into its parent's root when nothing is left on it.
 */
export async function restoreInheritance(db: Db, node: TreeNode): Promise<void> {
  await db.deleteFrom('page_grant').where('page_id', '=', node.id).where('principal', 'not like', 'bot:%').execute()
  await db.updateTable('block').set({ inherits: 1 }).where('id', '=', node.id).execute()
  node.inherits = 1
  await collapseIfEmpty(db, node)
  await recomputeSubtree(db, node)
}
