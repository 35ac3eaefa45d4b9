import { plainText, type RichTextItem } from '../domain/rich-text.js'
import { ROLE, levelName, type RoleName } from '../permissions/roles.js'
import { listAclWithGrants } from '../storage/repositories/acl.repository.js'
import { findBlock, type BlockRow } from '../storage/repositories/blocks.repository.js'
import { connectionsOfBots, liveInstallListings } from '../storage/repositories/connections.repository.js'
import { findUsers, findWorkspace, groupNames, memberRole } from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'

/**
 * Who can reach a page and through which page: the one answer behind the admin API's
 * `GET /pages/{id}/permissions`, the CLI's `octavo access show` and the portal's Share and
 * ••• → Connections panels (docs/reference/permissions-and-tokens.md §2.2; ADR 4 and 9). It reads the
 * page's permission root's materialised ACL (`root_acl`, one entry per principal with the page whose
 * grant it comes from), so it is exactly what the API checks.
 */

/** The plain title of a page or database (`properties.title`), else its stored search title. */
export function nodeTitle(row: Pick<BlockRow, 'properties' | 'title_text'>): string {
  const title = (JSON.parse(row.properties ?? '{}') as { title?: RichTextItem[] }).title
  return title ? plainText(title) : (row.title_text ?? '')
}

/** What a bot entry is: an internal connection, or an install of a public connection (OAuth, ADR 14). */
export interface AccessConnection {
  kind: 'internal' | 'public'
  /** The internal connection's id, or the public connection's (its `client_id`). */
  connection_id: string
  /** The install's id (public connections only). */
  install_id: string | null
  icon: string | null
  /** Who authorized the install (their name, else e-mail; public connections only). */
  authorized_by_name: string | null
  /** False once an install's authorizing person has left the workspace (its tokens fail). */
  active: boolean
}

/** One principal's effective access to a page. */
export interface EffectiveAccessEntry {
  /** `members:<workspace>`, `group:<id>`, `user:<id>` or `bot:<id>`. */
  principal: string
  type: 'workspace' | 'group' | 'user' | 'connection'
  /** The workspace, group, user or bot id. */
  id: string
  /** The workspace's, group's or person's name; a bot's connection name (null when unknown). */
  name: string | null
  level: RoleName
  /** The page whose grant gives this level: the page itself or an ancestor. */
  source_page_id: string
  source_title: string
  inherited: boolean
  /** Who made that grant (their name) and when; null when not recorded. */
  granted_by_name: string | null
  granted_time: string | null
  /** For `bot:` entries: the internal connection or live install it belongs to; null otherwise (people, removed installs, other bots). */
  connection: AccessConnection | null
}

const TYPE_ORDER = { workspace: 0, group: 1, user: 2, connection: 3 } as const

/**
 * Every principal with a level on `node` (a page or database): people, groups, the workspace,
 * internal connections' bots and OAuth installs' bots alike, each with its level, the page that grants
 * it (and that page's title), who granted it and when, and its name. Ordered: the workspace, groups,
 * people, then connections (internal before public); within a kind by level (highest first), then name.
 * No permission check: callers check that the viewer may see the page.
 * @returns [] for a node without a permission root.
 */
export async function effectiveAccess(
  db: Db,
  node: Pick<BlockRow, 'id' | 'workspace_id' | 'perm_root_id' | 'properties' | 'title_text'>,
): Promise<EffectiveAccessEntry[]> {
  if (!node.perm_root_id) return []
  const acl = await listAclWithGrants(db, node.perm_root_id)
  const split = acl.map((a) => {
    const [kind, id = ''] = a.principal.split(/:(.*)/s) as [string, string]
    return { ...a, kind, id }
  })
  const idsOf = (kind: string) => split.filter((a) => a.kind === kind).map((a) => a.id)
  const users = new Map((await findUsers(db, idsOf('user'))).map((u) => [u.id, u.name]))
  const groups = await groupNames(db, idsOf('group'))
  const botIds = idsOf('bot')
  const bots = new Map<string, { name: string; created_time: string; connection: AccessConnection }>()
  for (const c of await connectionsOfBots(db, botIds)) {
    bots.set(c.bot_id, {
      name: c.name,
      created_time: c.created_time,
      connection: { kind: 'internal', connection_id: c.id, install_id: null, icon: c.icon, authorized_by_name: null, active: true },
    })
  }
  for (const i of await liveInstallListings(db, node.workspace_id, botIds)) {
    const active = (await memberRole(db, node.workspace_id, i.user_id)) !== undefined
    const connection: AccessConnection = {
      kind: 'public',
      connection_id: i.connection_id,
      install_id: i.id,
      icon: i.icon,
      authorized_by_name: i.authorized_by_name ?? i.authorized_by_email,
      active,
    }
    bots.set(i.bot_id, { name: i.name, created_time: i.created_time, connection })
  }
  const titles = new Map<string, string>([[node.id, nodeTitle(node)]])
  const titleOf = async (pageId: string) => {
    if (!titles.has(pageId)) {
      const page = await findBlock(db, pageId)
      titles.set(pageId, page ? nodeTitle(page) : '')
    }
    return titles.get(pageId) ?? ''
  }
  const entries: (EffectiveAccessEntry & { order: string })[] = []
  for (const a of split) {
    const bot = a.kind === 'bot' ? bots.get(a.id) : undefined
    const type = a.kind === 'members' ? 'workspace' : a.kind === 'group' ? 'group' : a.kind === 'bot' ? 'connection' : 'user'
    const name =
      type === 'workspace'
        ? ((await findWorkspace(db, a.id))?.name ?? null)
        : type === 'group'
          ? (groups.get(a.id) ?? null)
          : type === 'connection'
            ? (bot?.name ?? null)
            : (users.get(a.id) ?? null)
    entries.push({
      principal: a.principal,
      type,
      id: a.id,
      name,
      level: levelName(a.role),
      source_page_id: a.source_page_id,
      source_title: await titleOf(a.source_page_id),
      inherited: a.source_page_id !== node.id,
      granted_by_name: a.granted_by_name,
      granted_time: a.granted_time,
      connection: bot?.connection ?? null,
      order: `${bot?.created_time ?? ''}|${a.id}`,
    })
  }
  const kindOrder = (e: EffectiveAccessEntry) => (e.connection?.kind === 'public' ? 1 : 0)
  entries.sort(
    (a, b) =>
      TYPE_ORDER[a.type] - TYPE_ORDER[b.type] ||
      kindOrder(a) - kindOrder(b) ||
      ROLE[b.level] - ROLE[a.level] ||
      (a.name ?? '').localeCompare(b.name ?? '') ||
      a.order.localeCompare(b.order),
  )
  return entries.map(({ order: _order, ...e }) => e)
}
