import { sql } from 'kysely'
import { levelName } from '../../permissions/roles.js'
import type { Db } from '../store.js'
import { compiledPerLength } from './compiled.js'
import { appendEvent, type NewChangeEvent } from './events.repository.js'
import type { At } from './at.js'

export type { At }

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
 *
 * Writes: `page_grant` and `root_acl` are written only here. Every change of a `page_grant` row appends
 * a `grant.changed` event (ADR 15; object id = the page, data `{principal, level}` with the level's
 * name, `none` when removed) in the caller's transaction; the administrative writes (`setPageGrant`,
 * `restorePageGrants`, `addConnectionShare`, `removeConnectionShare`) also append their audit event
 * (`page.share`, `page.unshare`, `page.access_restored`, `page.connection_added|removed`).
 */

/** The `grant.changed` event of `principal`'s grant on `node` becoming `role` (0 = removed). */
function grantChanged(node: Pick<TreeNode, 'id' | 'workspace_id'>, principal: string, role: number, at: At): NewChangeEvent {
  return {
    workspaceId: node.workspace_id,
    type: 'grant.changed',
    objectId: node.id,
    actor: at.actor,
    time: at.time,
    data: { principal, level: levelName(role) },
  }
}

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

/** `levelOnRoot`'s statement, compiled once per number of principals (a caller has a few). */
const levelOnRootOf = compiledPerLength(1, 16, (db, [rootId], principals) =>
  db
    .selectFrom('root_acl')
    .select((eb) => eb.fn.max('role').as('role'))
    .where('root_id', '=', rootId as string)
    .where('principal', 'in', principals),
)

/** The highest level any of `principals` holds on a root; 0 when none. */
export async function levelOnRoot(db: Db, rootId: string, principals: string[]): Promise<number> {
  if (principals.length === 0) return 0
  const compiled = levelOnRootOf(principals.length)
  if (compiled) return Number((await compiled(db, rootId, ...principals))[0]?.role ?? 0)
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
export async function aclEntry(db: Db, rootId: string, principal: string): Promise<{ role: number; source_page_id: string } | undefined> {
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
  const parent = await db.selectFrom('block').select('perm_root_id').where('id', '=', parentPageId).executeTakeFirst()
  return parent?.perm_root_id ?? null
}

/** Recomputes the materialised ACL of one root from its grants and its parent's root. */
async function recomputeRoot(db: Db, root: TreeNode): Promise<void> {
  const own = await db.selectFrom('page_grant').select(['principal', 'role']).where('page_id', '=', root.id).execute()
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
 * later (pages created or moved in below inherit the same root). `grantedBy` is the user id the grant
 * is credited to; `actor` the event's actor (default `user:<grantedBy>`). Appends `grant.changed`.
 */
export async function grantOnPage(
  db: Db,
  node: TreeNode,
  grant: { principal: string; role: number; grantedBy: string; time: string; actor?: string },
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
  await appendEvent(
    db,
    grantChanged(node, grant.principal, grant.role, { actor: grant.actor ?? `user:${grant.grantedBy}`, time: grant.time }),
  )
  await makeRoot(db, node)
  await recomputeSubtree(db, node)
}

/**
 * Removes `principal`'s explicit grant on `node`, appending `grant.changed` (level `none`). Returns
 * false (and appends nothing) when there was none. `at` defaults to `system` at the wall clock, for
 * callers that do not pass who acts yet.
 */
export async function revokeOnPage(db: Db, node: TreeNode, principal: string, at?: At): Promise<boolean> {
  const res = await db.deleteFrom('page_grant').where('page_id', '=', node.id).where('principal', '=', principal).executeTakeFirst()
  if (Number(res.numDeletedRows) === 0) return false
  await appendEvent(db, grantChanged(node, principal, 0, at ?? { actor: 'system', time: new Date().toISOString() }))
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
 * flowing down. No-op when the page already does not inherit. Appends `grant.changed` per copied entry.
 */
async function breakInheritance(db: Db, node: TreeNode, grantedBy: string, at: At): Promise<void> {
  const time = at.time
  if (!node.inherits) return
  const inherited = (await inheritedEntries(db, node)).filter((e) => !isConnectionPrincipal(e.principal))
  const own = new Map(
    (await db.selectFrom('page_grant').select(['principal', 'role']).where('page_id', '=', node.id).execute()).map((g) => [
      g.principal,
      g.role,
    ]),
  )
  for (const e of inherited) {
    if ((own.get(e.principal) ?? 0) >= e.role) continue
    await db
      .insertInto('page_grant')
      .values({
        page_id: node.id,
        workspace_id: node.workspace_id,
        principal: e.principal,
        role: e.role,
        granted_by: grantedBy,
        granted_time: time,
      })
      .onConflict((oc) => oc.columns(['page_id', 'principal']).doUpdateSet({ role: e.role, granted_by: grantedBy, granted_time: time }))
      .execute()
    await appendEvent(db, grantChanged(node, e.principal, e.role, at))
  }
  await db.updateTable('block').set({ inherits: 0 }).where('id', '=', node.id).execute()
  node.inherits = 0
  await makeRoot(db, node)
  await recomputeSubtree(db, node)
}

/**
 * Notion's "Restore" on a page whose access differs from its parent: drops the page's own people,
 * group and workspace grants (connections' shares stay), makes it inherit again, and folds it back
 * into its parent's root when nothing is left on it. Appends `grant.changed` (level `none`) per
 * dropped grant. @returns the dropped principals.
 */
async function restoreInheritance(db: Db, node: TreeNode, at: At): Promise<string[]> {
  const dropped = (await listPageGrants(db, node.id)).map((g) => g.principal).filter((p) => !isConnectionPrincipal(p))
  await db.deleteFrom('page_grant').where('page_id', '=', node.id).where('principal', 'not like', 'bot:%').execute()
  for (const p of dropped) await appendEvent(db, grantChanged(node, p, 0, at))
  await db.updateTable('block').set({ inherits: 1 }).where('id', '=', node.id).execute()
  node.inherits = 1
  await collapseIfEmpty(db, node)
  await recomputeSubtree(db, node)
  return dropped
}

/** `principal`'s explicit grant on a page, if any. */
export async function findGrant(db: Db, pageId: string, principal: string): Promise<{ role: number } | undefined> {
  return db.selectFrom('page_grant').select('role').where('page_id', '=', pageId).where('principal', '=', principal).executeTakeFirst()
}

/** The explicit grants on a page (people, groups, the workspace and connections' bots). */
export async function listPageGrants(db: Db, pageId: string): Promise<{ principal: string; role: number }[]> {
  return db.selectFrom('page_grant').select(['principal', 'role']).where('page_id', '=', pageId).execute()
}

/** One entry of a root's effective ACL with the grant it comes from (who granted it, when, and their name). */
export interface AclEntryWithGrant {
  principal: string
  role: number
  source_page_id: string
  granted_by: string | null
  granted_by_name: string | null
  granted_time: string | null
}

/**
 * A root's effective ACL (`root_acl`), each entry joined with the `page_grant` row on its source page
 * (who granted it and when; null when the row is gone) and the granter's name. Unordered.
 */
export async function listAclWithGrants(db: Db, rootId: string): Promise<AclEntryWithGrant[]> {
  return db
    .selectFrom('root_acl as a')
    .leftJoin('page_grant as g', (j) => j.onRef('g.page_id', '=', 'a.source_page_id').onRef('g.principal', '=', 'a.principal'))
    .leftJoin('user as u', 'u.id', 'g.granted_by')
    .select(['a.principal', 'a.role', 'a.source_page_id', 'g.granted_by', 'g.granted_time', 'u.name as granted_by_name'])
    .where('a.root_id', '=', rootId)
    .execute()
}

/** The pages and databases `principal` is granted on directly, oldest grant first, with their title columns. */
export async function listGrantedPages(db: Db, principal: string) {
  return db
    .selectFrom('page_grant as g')
    .innerJoin('block as b', 'b.id', 'g.page_id')
    .select(['g.page_id', 'b.type', 'b.properties', 'b.title_text', 'g.granted_by', 'g.granted_time'])
    .where('g.principal', '=', principal)
    .orderBy('g.granted_time')
    .execute()
}

/**
 * Removes every explicit grant of `principal` (a deleted connection's bot, a person leaving a
 * workspace, a deleted group), in workspace `workspaceId` when given, appending `grant.changed`
 * (level `none`) per page through `revokeOnPage` and recomputing the affected ACLs. A grant whose page
 * no longer exists is deleted as is.
 * @returns how many grants were removed.
 */
export async function revokeEveryGrantOf(db: Db, principal: string, at: At, opts: { workspaceId?: string } = {}): Promise<number> {
  let q = db.selectFrom('page_grant').select('page_id').where('principal', '=', principal)
  if (opts.workspaceId) q = q.where('workspace_id', '=', opts.workspaceId)
  const grants = await q.orderBy('page_id').execute()
  for (const g of grants) {
    const node = await db
      .selectFrom('block')
      .select(['id', 'workspace_id', 'perm_root_id', 'path', 'inherits'])
      .where('id', '=', g.page_id)
      .executeTakeFirst()
    if (node) await revokeOnPage(db, node, principal, at)
    else await db.deleteFrom('page_grant').where('page_id', '=', g.page_id).where('principal', '=', principal).execute()
  }
  return grants.length
}

/**
 * Sets a person's, a group's or the workspace's level on a page (`level` 0 removes the grant), the one
 * write path of page access (admin API, CLI, portal Share panel). The caller decides (from the
 * page's own and inherited level of `principal`) whether the change breaks inheritance first (copy
 * on break: lowering or removing an inherited entry). Appends `grant.changed` per grant written,
 * then `page.share` (or `page.unshare` for level 0) with `{principal, level, previous}` (level names)
 * and `access_changed: true` when inheritance broke.
 */
export async function setPageGrant(
  db: Db,
  node: TreeNode,
  change: { principal: string; level: number; previous: number; breaksInheritance: boolean; grantedBy: string },
  at: At,
): Promise<void> {
  if (change.breaksInheritance) await breakInheritance(db, node, change.grantedBy, at)
  if (change.level === 0) await revokeOnPage(db, node, change.principal, at)
  else
    await grantOnPage(db, node, {
      principal: change.principal,
      role: change.level,
      grantedBy: change.grantedBy,
      time: at.time,
      actor: at.actor,
    })
  await appendEvent(db, {
    workspaceId: node.workspace_id,
    type: change.level === 0 ? 'page.unshare' : 'page.share',
    objectId: node.id,
    actor: at.actor,
    time: at.time,
    data: {
      principal: change.principal,
      level: levelName(change.level),
      previous: levelName(change.previous),
      ...(change.breaksInheritance && { access_changed: true }),
    },
  })
}

/**
 * Notion's "Restore" (see `restoreInheritance`), appending `grant.changed` per dropped grant and
 * `page.access_restored` with `{dropped}` (the principals). @returns the dropped principals.
 */
export async function restorePageGrants(db: Db, node: TreeNode, at: At): Promise<string[]> {
  const dropped = await restoreInheritance(db, node, at)
  await appendEvent(db, {
    workspaceId: node.workspace_id,
    type: 'page.access_restored',
    objectId: node.id,
    actor: at.actor,
    time: at.time,
    data: { dropped },
  })
  return dropped
}

/**
 * Shares `node` (and its descendants, now and later) with an internal connection's bot at `role`,
 * credited to `grantedBy`: `grant.changed` then `page.connection_added` `{connection_id}`.
 */
export async function addConnectionShare(
  db: Db,
  node: TreeNode,
  share: { botId: string; connectionId: string; role: number; grantedBy: string },
  at: At,
): Promise<void> {
  await grantOnPage(db, node, {
    principal: `bot:${share.botId}`,
    role: share.role,
    grantedBy: share.grantedBy,
    time: at.time,
    actor: at.actor,
  })
  await appendEvent(db, {
    workspaceId: node.workspace_id,
    type: 'page.connection_added',
    objectId: node.id,
    actor: at.actor,
    time: at.time,
    data: { connection_id: share.connectionId },
  })
}

/**
 * Removes an internal connection's direct share of `node`: `grant.changed` then
 * `page.connection_removed` `{connection_id}`. @returns false (nothing appended) when the page was not
 * directly shared with it.
 */
export async function removeConnectionShare(
  db: Db,
  node: TreeNode,
  share: { botId: string; connectionId: string },
  at: At,
): Promise<boolean> {
  const removed = await revokeOnPage(db, node, `bot:${share.botId}`, at)
  if (removed) {
    await appendEvent(db, {
      workspaceId: node.workspace_id,
      type: 'page.connection_removed',
      objectId: node.id,
      actor: at.actor,
      time: at.time,
      data: { connection_id: share.connectionId },
    })
  }
  return removed
}

/**
 * The databases (`child_database` nodes, not in the trash) of workspace `workspaceId` that one of
 * `principals` is granted on directly (role ≥ 1), by id, `limit` of them from `fromId` on (inclusive).
 * What `GET /v1/databases` (Notion-Version before 2022-02-22) lists: "only explicitly shared databases".
 */
export async function databasesGrantedTo(
  db: Db,
  q: { workspaceId: string; principals: string[]; fromId?: string | undefined; limit: number },
): Promise<string[]> {
  if (q.principals.length === 0) return []
  let query = db
    .selectFrom('page_grant as g')
    .innerJoin('block as b', 'b.id', 'g.page_id')
    .select('b.id')
    .distinct()
    .where('g.principal', 'in', q.principals)
    .where('g.role', '>=', 1)
    .where('b.type', '=', 'child_database')
    .where('b.in_trash', '=', 0)
    .where('b.workspace_id', '=', q.workspaceId)
  if (q.fromId !== undefined) query = query.where('b.id', '>=', q.fromId)
  const rows = await query.orderBy('b.id').limit(q.limit).execute()
  return rows.map((r) => r.id)
}
