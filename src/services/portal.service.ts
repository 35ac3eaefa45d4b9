import { viewFilterWithQuickFilters } from '../domain/view-filter.js'
import { plainText, type RichTextItem } from '../domain/rich-text.js'
import { DomainError } from '../errors/domain-error.js'
import { decideOwnerOnly, enforce } from '../permissions/decide-workspace.js'
import { decideConnectionShare } from '../permissions/decide-connection-share.js'
import { ROLE } from '../permissions/roles.js'
import type { MemberRole } from '../storage/database.js'
import { rootsVisibleTo } from '../storage/repositories/acl.repository.js'
import { listAudit } from '../storage/repositories/audit.repository.js'
import { findBlock, findBlocks, listChildren, type BlockRow } from '../storage/repositories/blocks.repository.js'
import { signFileRefs } from './file-urls.js'
import { findDataSource } from '../storage/repositories/data-sources.repository.js'
import { viewsOfDatabase } from '../storage/repositories/views.repository.js'
import { matchingRowIds } from './data-source-query.service.js'
import { listConnectionNames, liveInstallListings } from '../storage/repositories/connections.repository.js'
import { readableRowsUnder } from '../storage/repositories/data-source-query.repository.js'
import { findWorkspace, listWorkspaceNodes, memberRole, workspacesOfUser } from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'
import { levelOn } from './access.js'
import { requireMayShare } from './connections.service.js'
import { effectiveAccess, nodeTitle } from './effective-access.js'
import { principalsForUser } from './people-access.js'
import type { Deps } from './deps.js'

export { nodeTitle }

/**
 * What the web portal shows a signed-in person, read through the same permission engine as the API
 * (`root_acl` via `levelOn`/`rootsVisibleTo`): the person's workspaces, the pages they can see, a
 * page's blocks, and the connections that can reach a page and why. Writes go through
 * connections.service.ts, so the portal enforces exactly the rules of the API, the admin API and the CLI.
 *
 * People's principals come from one function, `principalsForUser` (people-access.ts, issue 4): the
 * same one the API uses for PATs and the services use for sharing, so groups, restricted members,
 * guests and removed members behave identically in the portal and over the API.
 */

/**
 * A person's role and ACL principals in a workspace (delegates to `principalsForUser`).
 * @throws DomainError not_found when not (or no longer) a member.
 */
export async function personPrincipals(db: Db, workspaceId: string, userId: string): Promise<{ role: MemberRole; principals: string[] }> {
  const who = await principalsForUser(db, workspaceId, userId)
  if (!who) throw new DomainError('not_found', 'You are not a member of this workspace.')
  return who
}

/** The workspaces a person belongs to, with their role, oldest membership first. */
export async function workspacesOf(deps: Deps, userId: string) {
  return workspacesOfUser(deps.store.db, userId)
}

/** An emoji icon of a page, or null. */
export function nodeEmoji(row: Pick<BlockRow, 'icon'>): string | null {
  if (!row.icon) return null
  const icon = JSON.parse(row.icon) as { type?: string; emoji?: string }
  return icon.type === 'emoji' && icon.emoji ? icon.emoji : null
}

export interface TreeNode {
  id: string
  object: 'page' | 'database'
  title: string
  emoji: string | null
  parent_id: string | null
  depth: number
}

/**
 * The pages and databases a person can see in a workspace (database rows and trashed nodes left
 * out), depth-first in page order. A node whose parent the person cannot see appears at the top.
 * `minLevel` 5 (full access) lists only the pages the person may share with a connection.
 * @throws DomainError not_found when the person is not a member.
 */
export async function visiblePageTree(deps: Deps, workspaceId: string, userId: string, minLevel = 1): Promise<TreeNode[]> {
  const db = deps.store.db
  const { principals } = await personPrincipals(db, workspaceId, userId)
  const roots = new Set(await rootsVisibleTo(db, principals, minLevel))
  if (roots.size === 0) return []
  const rows = (await listWorkspaceNodes(db, workspaceId)).filter((r) => r.parent_type !== 'data_source_id')
  const live = new Map(rows.map((r) => [r.id, r]))
  const trashed = (r: (typeof rows)[0]) => r.in_trash === 1 || (r.path ?? '/').split('/').some((id) => id && live.get(id)?.in_trash === 1)
  const visible = rows.filter((r) => r.perm_root_id !== null && roots.has(r.perm_root_id) && !trashed(r))
  const ids = new Set(visible.map((r) => r.id))
  const byParent = new Map<string, typeof visible>()
  for (const r of visible) {
    const parent = (r.path ?? '/').split('/').filter(Boolean).at(-1) ?? ''
    const key = ids.has(parent) ? parent : ''
    byParent.set(key, [...(byParent.get(key) ?? []), r])
  }
  const out: TreeNode[] = []
  const visit = (key: string, depth: number) => {
    const list = (byParent.get(key) ?? []).sort(
      (a, b) => a.position - b.position || a.created_time.localeCompare(b.created_time) || a.id.localeCompare(b.id),
    )
    for (const r of list) {
      out.push({
        id: r.id,
        object: r.type === 'child_page' ? 'page' : 'database',
        title: nodeTitle(r),
        emoji: nodeEmoji(r),
        parent_id: key || null,
        depth,
      })
      visit(r.id, depth + 1)
    }
  }
  visit('', 0)
  return out
}

/**
 * The pages and databases a person may add a connection to (the Content access picker, the OAuth
 * consent picker): those where `decideConnectionShare` allows them — full access, and never for a
 * guest. Same order and shape as `visiblePageTree`.
 * @throws DomainError not_found when the person is not a member.
 */
export async function connectablePageTree(deps: Deps, workspaceId: string, userId: string): Promise<TreeNode[]> {
  const { role } = await personPrincipals(deps.store.db, workspaceId, userId)
  if (!decideConnectionShare({ kind: 'person', role, level: ROLE.full }).allowed) return []
  return visiblePageTree(deps, workspaceId, userId, ROLE.full)
}

/**
 * Loads a page or database the person can see, at `minLevel` or above.
 * @throws DomainError not_found "…does not exist or you do not have access to it." (also when it is
 *   hidden: existence never leaks, as in the API) | forbidden (visible, level too low)
 */
export async function loadPageForPerson(
  deps: Deps,
  userId: string,
  pageId: string,
  minLevel = 1,
): Promise<{ node: BlockRow; level: number; role: MemberRole }> {
  const db = deps.store.db
  const notFound = () => new DomainError('not_found', 'This page does not exist, or you do not have access to it.')
  const node = await findBlock(db, pageId)
  if (!node || (node.type !== 'child_page' && node.type !== 'child_database') || node.in_trash === 1) throw notFound()
  const who = await principalsForUser(db, node.workspace_id, userId)
  if (!who) throw notFound()
  const { role, principals } = who
  const level = await levelOn(db, { principals }, node)
  if (level < 1) throw notFound()
  if (level < minLevel) throw new DomainError('forbidden', 'You need full access to this page to do that.')
  return { node, level, role }
}

/**
 * `row` with the uploaded files in its content (stored markers, services/file-urls.ts) replaced by
 * signed URLs relative to the portal's own origin (`/_octavo/files/…`, so the portal's `img-src 'self'`
 * allows them whatever the public URL), valid for one hour on `deps.clock`. Only blocks the person
 * can see are rendered, so only their files are signed. The cached row is not changed.
 */
function withSignedFiles(deps: Deps, row: BlockRow): BlockRow {
  if (!row.content.includes('"file_upload_id"')) return row
  const content = signFileRefs(JSON.parse(row.content) as unknown, { secrets: deps.secrets, clock: deps.clock, publicUrl: '' })
  return { ...row, content: JSON.stringify(content) }
}

/** A content block with its children, for rendering. */
export interface BlockTree {
  row: BlockRow
  children: BlockTree[]
}

/**
 * The blocks of a page the person can see, nested, at most `maxBlocks` in all (the rest is cut and
 * `truncated` set). Child pages and databases appear as link blocks, not expanded, and only when the
 * person can open them; a database lists the rows (at most 200) the person can open — the same
 * `root_acl` check as retrieve.
 * @throws DomainError not_found (see `loadPageForPerson`)
 */
export async function readPage(deps: Deps, userId: string, pageId: string, maxBlocks = 1000, viewId?: string) {
  const { node, level, role } = await loadPageForPerson(deps, userId, pageId)
  const db = deps.store.db
  const person = await personPrincipals(db, node.workspace_id, userId)
  // Same engine as retrieve: the person's level on the child's permission root (no read when it shares
  // this page's root, which the person can see).
  const mayOpen = async (row: BlockRow) =>
    (row.type !== 'child_page' && row.type !== 'child_database') ||
    row.perm_root_id === node.perm_root_id ||
    (await levelOn(db, person, row)) >= ROLE.view
  let budget = maxBlocks
  let truncated = false
  const load = async (parentId: string, depth: number): Promise<BlockTree[]> => {
    const out: BlockTree[] = []
    let cursor: string | undefined
    for (;;) {
      const rows = await listChildren(db, parentId, cursor, 101)
      const page = rows.slice(0, 100)
      for (const row of page) {
        // A child page or database the person cannot open is not shown (as in Notion's editor).
        if (!(await mayOpen(row))) continue
        if (budget-- <= 0) {
          truncated = true
          return out
        }
        const nested = row.type === 'child_page' || row.type === 'child_database' || depth >= 8 ? [] : await load(row.id, depth + 1)
        out.push({ row: withSignedFiles(deps, row), children: nested })
      }
      if (rows.length <= 100) return out
      cursor = rows[100]?.id
    }
  }
  const blocks = node.type === 'child_page' ? await load(node.id, 0) : []
  const ancestors: { id: string; title: string }[] = []
  for (const id of (node.path ?? '/').split('/').filter(Boolean)) {
    const a = await findBlock(db, id)
    if (a && (await levelOn(db, person, a)) > 0) ancestors.push({ id: a.id, title: nodeTitle(a) })
  }
  let rows: { id: string; title: string }[] = []
  if (node.type === 'child_database') {
    // Only the rows the person can open: a restricted row is its own root without them.
    const access = { principals: person.principals, readableRoot: node.perm_root_id, minLevel: ROLE.view }
    const found = await readableRowsUnder(db, `${node.path ?? '/'}${node.id}/`, access, 200)
    rows = found.map((r) => ({ id: r.id, title: titleFromRow(r) }))
  }
  // The database's saved views (`/v1/views`) as tabs; the chosen one (or the first) orders and filters
  // the rows with the query engine, over the rows the person can open.
  let views: { id: string; name: string; type: string }[] = []
  let view: { id: string; name: string; type: string } | null = null
  if (node.type === 'child_database') {
    const tabs = (await viewsOfDatabase(db, node.id)).filter((v) => v.dashboard_view_id === null)
    views = tabs.map((v) => ({ id: v.id, name: v.name, type: v.type }))
    const chosen = tabs.find((v) => v.id === viewId) ?? tabs[0]
    const ds = chosen?.data_source_id ? await findDataSource(db, chosen.data_source_id) : undefined
    if (chosen && ds) {
      view = { id: chosen.id, name: chosen.name, type: chosen.type }
      const viewer = { principals: person.principals, me: userId, statusGroupFilters: false }
      const parse = (t: string | null) => (t === null ? undefined : (JSON.parse(t) as unknown))
      try {
        const effective = viewFilterWithQuickFilters(
          parse(chosen.filter),
          parse(chosen.quick_filters) as Record<string, unknown> | undefined,
        )
        const q = { filter: effective.filter, sorts: parse(chosen.sorts), extraLevel: effective.wrapped }
        const { ids } = await matchingRowIds(deps, viewer, ds, q, 200)
        const byId = new Map((await findBlocks(db, ids)).map((r) => [r.id, r]))
        rows = ids.flatMap((id) => {
          const r = byId.get(id)
          return r ? [{ id: r.id, title: titleFromRow(r) }] : []
        })
      } catch {
        // A view whose filter no longer compiles (a property was removed) shows every row, as before.
        view = { ...view, name: `${view.name} (filter no longer applies)` }
      }
    }
  }
  return { node, title: nodeTitle(node), emoji: nodeEmoji(node), level, role, blocks, truncated, ancestors, rows, views, view }
}

/** A database row's title: the title property, whatever its id (falls back to the search key). */
function titleFromRow(r: { properties: string | null; title_text: string | null }): string {
  const props = JSON.parse(r.properties ?? '{}') as Record<string, unknown>
  for (const v of Object.values(props)) {
    if (Array.isArray(v) && v.every((x) => x && typeof x === 'object' && 'plain_text' in x)) {
      const t = plainText(v as RichTextItem[])
      if (t) return t
    }
  }
  return r.title_text ?? ''
}

/**
 * One entry of a page's ••• → Connections list: an internal connection, or an install of a public
 * connection (OAuth; each authorization is its own bot, docs/adr/0014-oauth-public-connections.md).
 */
export interface PageConnectionEntry {
  kind: 'internal' | 'public'
  /** The internal connection's id, or the public connection's (its `client_id`). */
  connection_id: string
  /** The install's id (public connections only). */
  install_id: string | null
  name: string
  icon: string | null
  /** Who authorized the install (public connections only). */
  authorized_by_name: string | null
  /** False once an install's authorizing person has left the workspace (its tokens fail). */
  active: boolean
  /** The page whose share grants access: this page, or the nearest shared ancestor. */
  source_page_id: string
  source_title: string
  inherited: boolean
  granted_by_name: string | null
  granted_time: string | null
}

/**
 * The connections that can reach a page — internal connections, then installs of public connections —
 * each with the page whose share grants it (the page itself, or the nearest shared ancestor), who
 * shared it and when: the `bot:` entries of `effectiveAccess` (the same answer as the admin API's and
 * the CLI's page access) that belong to an internal connection or a live install. Any person who can
 * see the page sees this list (Notion's ••• → Connections menu).
 * @throws DomainError not_found (see `loadPageForPerson`)
 */
export async function pageConnections(deps: Deps, userId: string, pageId: string): Promise<PageConnectionEntry[]> {
  const { node } = await loadPageForPerson(deps, userId, pageId)
  const out: PageConnectionEntry[] = []
  for (const e of await effectiveAccess(deps.store.db, node)) {
    if (!e.connection) continue
    out.push({
      ...e.connection,
      name: e.name ?? '',
      source_page_id: e.source_page_id,
      source_title: e.source_title,
      inherited: e.inherited,
      granted_by_name: e.granted_by_name,
      granted_time: e.granted_time,
    })
  }
  return out
}

/** A candidate of the "+ Add connection" search: an internal connection or an install of a public one. */
export interface ConnectionCandidate {
  kind: 'internal' | 'public'
  /** The internal connection's id, or the install's id. */
  id: string
  name: string
  icon: string | null
  /** Who authorized the install (public connections only). */
  authorized_by_name: string | null
}

/**
 * What a person may add to one page (its "+ Add connection" search), by name; `query` filters
 * case-insensitively: the workspace's internal connections, then the installs of public connections
 * whose authorizing person is still a member (Notion lists public connections installed in the
 * workspace). Only for someone who may add connections to that page (`decideConnectionShare`: full
 * access, not a guest), so a guest or a viewer never learns the connections' names. Names only:
 * tokens, secrets and capabilities stay with their managers.
 * @throws DomainError not_found (page hidden or absent, see `loadPageForPerson`) | forbidden (the
 *   decision's message)
 */
export async function connectionsToAdd(deps: Deps, userId: string, pageId: string, query = ''): Promise<ConnectionCandidate[]> {
  const { node } = await loadPageForPerson(deps, userId, pageId)
  const workspaceId = node.workspace_id
  await requireMayShare(deps.store.db, workspaceId, userId, node)
  const rows = await listConnectionNames(deps.store.db, workspaceId)
  const installs = []
  for (const i of await liveInstallListings(deps.store.db, workspaceId)) {
    // An install whose authorizing person left the workspace is inactive (its tokens fail): not offered.
    if ((await memberRole(deps.store.db, workspaceId, i.user_id)) !== undefined)
      installs.push({ ...i, authorized_by_name: i.authorized_by_name ?? i.authorized_by_email })
  }
  const all: ConnectionCandidate[] = [
    ...rows.map((r) => ({ kind: 'internal' as const, id: r.id, name: r.name, icon: r.icon, authorized_by_name: null })),
    ...installs.map((i) => ({ kind: 'public' as const, id: i.id, name: i.name, icon: i.icon, authorized_by_name: i.authorized_by_name })),
  ]
  const q = query.trim().toLowerCase()
  return q ? all.filter((r) => r.name.toLowerCase().includes(q)) : all
}

/** The workspace row, for headers. @throws DomainError not_found */
export async function workspaceFor(deps: Deps, workspaceId: string, userId: string) {
  const ws = await findWorkspace(deps.store.db, workspaceId)
  if (!ws) throw new DomainError('not_found', 'No such workspace.')
  const { role } = await personPrincipals(deps.store.db, workspaceId, userId)
  return { ...ws, role }
}

/**
 * The workspace's audit log for the portal's Settings → Audit log: owners only (the admin API's
 * `GET /_octavo/admin/workspaces/{id}/audit` is the operator's view of the same rows). `action` is an
 * exact action or a prefix written `pat.*`; `actor` is `user:<id>`, `admin` or `admin_api`.
 * @returns at most `limit` (default 200) entries, newest first, `meta` parsed (never holds a secret).
 * @throws DomainError forbidden (not an owner) | not_found (workspace)
 */
export async function workspaceAuditLog(
  deps: Deps,
  workspaceId: string,
  actorId: string,
  filter: { action?: string; actor?: string; limit?: number } = {},
) {
  const db = deps.store.db
  if (!(await findWorkspace(db, workspaceId))) throw new DomainError('not_found', 'No such workspace.')
  enforce(decideOwnerOnly((await principalsForUser(db, workspaceId, actorId))?.role, 'see the audit log'))
  return listAudit(db, workspaceId, {
    limit: filter.limit ?? 200,
    ...(filter.action ? { actions: [filter.action] } : {}),
    ...(filter.actor ? { actor: filter.actor } : {}),
  })
}
