import type { ApiCaller } from '../auth/principal.js'
import type { ExplainedCaller, Explanation } from '../errors/notion-error.js'
import {
  explainInsufficientLevel,
  explainInstallRemoved,
  explainNotFound,
  explainOtherWorkspace,
  explainRefreshed,
  explainRestrictedRow,
  explainRevoked,
  explainTrashed,
  explainUnshared,
  explainWrongKind,
  type Who,
} from '../permissions/explain.js'
import { describePolicy } from '../permissions/decide-pat.js'
import type { PatPolicy } from '../domain/workspace.js'
import { explainExpired, explainPolicy, explainSuspended } from '../permissions/explain.js'
import { findBlock, type BlockRow } from '../storage/repositories/blocks.repository.js'
import { findDataSource } from '../storage/repositories/data-sources.repository.js'
import { findActiveConnectionToken } from '../storage/repositories/tokens.repository.js'
import { findUser, findWorkspace } from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'

/**
 * The store reads behind explained denials (ADR 22): names of people, pages and workspaces, the
 * ancestors a page could be shared through. They run only on the refusal path, after the decision
 * was taken by the usual check, so they never slow an allowed request. The wording itself is pure
 * (permissions/explain.ts).
 */

/** The explanation's view of an authenticated caller. */
export function whoOf(caller: Pick<ApiCaller, 'kind' | 'connectionName'>): Who {
  return { kind: caller.kind, name: caller.connectionName }
}

/** A person, the admin key or the CLI, by name, from a change actor (`user:<id>`, `admin`, `cli`, …). */
export async function actorName(db: Db, actor: string | null | undefined): Promise<string | null> {
  if (!actor) return null
  if (actor.startsWith('user:')) {
    const u = await findUser(db, actor.slice('user:'.length))
    return u ? (u.name ?? u.email) : null
  }
  if (actor === 'admin' || actor === 'admin_api') return 'the admin API'
  if (actor === 'cli') return 'the octavo CLI'
  return null
}

/** 401 for a revoked internal connection token: "refreshed" when the connection has a newer live token. */
export async function explainRevokedConnectionToken(
  db: Db,
  t: { revoked_time: string | null; revoked_by?: string | null },
  connection: { id: string; name: string; workspace_id: string },
): Promise<Explanation> {
  const caller: ExplainedCaller = { type: 'connection', id: connection.id, name: connection.name, workspaceId: connection.workspace_id }
  const who: Who = { kind: 'internal', name: connection.name }
  const input = { who, at: t.revoked_time ?? '', by: await actorName(db, t.revoked_by), caller }
  return (await findActiveConnectionToken(db, connection.id)) ? explainRefreshed(input) : explainRevoked(input)
}

/** 401 for a PAT that is revoked, expired, suspended, or excluded by the policy. */
export async function explainRefusedPat(
  db: Db,
  pat: {
    id: string
    name: string
    workspace_id: string
    creator_id: string
    revoked_time: string | null
    revoked_by: string | null
    expires_time: string
  },
  status: 'revoked' | 'expired' | 'suspended',
  detail?: { suspension: 'creator_not_a_member' | 'creator_not_a_full_member' | 'policy' | null; plan: string; policy?: PatPolicy | null },
): Promise<Explanation> {
  const caller: ExplainedCaller = { type: 'personal_access_token', id: pat.id, name: pat.name, workspaceId: pat.workspace_id }
  const who: Who = { kind: 'personal', name: pat.name }
  if (status === 'revoked') return explainRevoked({ who, at: pat.revoked_time ?? '', by: await actorName(db, pat.revoked_by), caller })
  if (status === 'expired') return explainExpired({ who, at: pat.expires_time, caller })
  const creator = (await actorName(db, `user:${pat.creator_id}`)) ?? pat.creator_id
  const suspension = detail?.suspension ?? 'creator_not_a_member'
  if (suspension === 'policy')
    return explainPolicy({ who, plan: detail?.plan ?? '', policy: describePolicy(detail?.policy ?? 'owners_only'), creator, caller })
  return explainSuspended({ who, creator, reason: suspension, caller })
}

/** 401 for an OAuth access token that was revoked, rotated by a refresh, or whose install is gone. */
export async function explainRefusedOAuthToken(
  db: Db,
  ctx: {
    token: { revoked_time: string | null; revoked_by?: string | null }
    install: { id: string; removed_time: string | null; workspace_id: string }
    connection: { name: string }
  },
): Promise<Explanation> {
  const caller: ExplainedCaller = {
    type: 'oauth_install',
    id: ctx.install.id,
    name: ctx.connection.name,
    workspaceId: ctx.install.workspace_id,
  }
  const who: Who = { kind: 'oauth', name: ctx.connection.name }
  if (ctx.install.removed_time !== null || ctx.token.revoked_time === null)
    return explainInstallRemoved({ who, at: ctx.install.removed_time, caller })
  if (ctx.token.revoked_by === 'rotated') return explainRefreshed({ who, at: ctx.token.revoked_time, caller })
  return explainRevoked({ who, at: ctx.token.revoked_time, by: await actorName(db, ctx.token.revoked_by), caller })
}

/** A page's or database's title as plain text ("Untitled" when empty). */
export function titleOf(node: Pick<BlockRow, 'properties' | 'title_text' | 'type'>): string {
  try {
    const p = node.properties ? (JSON.parse(node.properties) as Record<string, unknown>) : {}
    const t = p.title as unknown
    const items = Array.isArray(t)
      ? t
      : t && typeof t === 'object' && Array.isArray((t as { title?: unknown }).title)
        ? (t as { title: unknown[] }).title
        : []
    const text = items
      .map((x) => (x && typeof x === 'object' && 'plain_text' in x ? String((x as { plain_text: unknown }).plain_text) : ''))
      .join('')
    if (text) return text
  } catch {
    // fall through to the search text
  }
  return node.title_text || 'Untitled'
}

const OBJECT_WORD: Record<string, string> = { child_page: 'page', child_database: 'database' }

/** `page`, `database`, or `<type> block`. */
function objectWord(node: Pick<BlockRow, 'type'>): string {
  return OBJECT_WORD[node.type] ?? `${node.type} block`
}

/** The page or database owning `node` (itself for pages and databases). */
async function ownerOf(db: Db, node: BlockRow): Promise<BlockRow> {
  return node.page_id === node.id ? node : ((await findBlock(db, node.page_id)) ?? node)
}

/** Titles of the pages and databases above `owner`, nearest first, at most `max`. */
async function ancestorTitles(db: Db, owner: BlockRow, max = 3): Promise<string[]> {
  const ids = (owner.path ?? '/').split('/').filter((x) => x && x !== owner.id)
  const out: string[] = []
  for (const id of ids.reverse().slice(0, max)) {
    const a = await findBlock(db, id)
    if (a) out.push(titleOf(a))
  }
  return out
}

/**
 * Why the node `id` is refused to `caller` with 404, from the facts the access check already had:
 * the row (or none), and the level found. Called only once the check has refused.
 */
export async function explainNotVisible(
  db: Db,
  caller: ApiCaller,
  id: string,
  expected: string,
  node: BlockRow | undefined,
): Promise<Explanation> {
  if (!node) {
    const ds = await findDataSource(db, id)
    if (ds && ds.workspace_id === caller.workspaceId) return explainWrongKind({ id, expected, actual: 'data source' })
    return explainNotFound({ object: expected, id })
  }
  const owner = await ownerOf(db, node)
  if (node.workspace_id !== caller.workspaceId) {
    const ws = await findWorkspace(db, node.workspace_id)
    return explainOtherWorkspace({
      who: whoOf(caller),
      object: objectWord(node),
      title: titleOf(owner),
      id,
      workspace: ws?.name ?? node.workspace_id,
      callerWorkspace: caller.workspaceName,
    })
  }
  const word = objectWord(node)
  if (expected !== 'block' && word !== expected) return explainWrongKind({ id, expected, actual: word })
  // A database row whose own permission root (a restricted row) leaves the caller out.
  if (owner.parent_type === 'data_source_id' && owner.perm_root_id === owner.id && owner.inherits === 0) {
    const ds = owner.parent_id ? await findDataSource(db, owner.parent_id) : undefined
    const database = ds ? await findBlock(db, ds.database_id) : undefined
    return explainRestrictedRow({
      who: whoOf(caller),
      title: titleOf(owner),
      database: database ? titleOf(database) : (ds?.title ?? 'Untitled'),
    })
  }
  const creator = caller.kind === 'personal' ? ((await actorName(db, `user:${caller.userId}`)) ?? undefined) : undefined
  return explainUnshared({
    who: whoOf(caller),
    object: word,
    title: titleOf(owner),
    workspace: caller.workspaceName,
    ancestors: await ancestorTitles(db, owner),
    ...(creator ? { creator } : {}),
  })
}

/** What each level lets a caller do, as a verb phrase. */
const LEVEL_WORDS: Record<number, string> = { 1: 'view', 2: 'view and comment on', 3: 'edit the content of', 4: 'edit' }

/** 403: visible but below the level the action needs. */
export async function explainLowLevel(db: Db, caller: ApiCaller, node: BlockRow, action: string, level: number): Promise<Explanation> {
  const owner = await ownerOf(db, node)
  return explainInsufficientLevel({
    who: whoOf(caller),
    object: objectWord(owner),
    title: titleOf(owner),
    action,
    level: LEVEL_WORDS[level] ?? 'see',
  })
}

/** 404 for a node in the trash, itself or through an ancestor (named when it is not the node). */
export async function explainInTrash(db: Db, node: BlockRow): Promise<Explanation> {
  const owner = await ownerOf(db, node)
  let via: BlockRow | undefined = node.in_trash === 1 ? undefined : owner.in_trash === 1 ? owner : undefined
  if (!via && node.in_trash !== 1) {
    for (const id of (owner.path ?? '/').split('/').filter(Boolean).reverse()) {
      const a = await findBlock(db, id)
      if (a?.in_trash === 1) {
        via = a
        break
      }
    }
  }
  const title = node.id === owner.id ? titleOf(owner) : `${objectWord(node)} ${node.id}`
  return explainTrashed({
    object: node.id === owner.id ? objectWord(owner) : 'block',
    title,
    ...(via && via.id !== node.id ? { via: titleOf(via) } : {}),
  })
}

/** 404 for a data source id: none, another workspace's, or the id of a database (a common confusion). */
export async function explainDataSourceNotVisible(
  db: Db,
  caller: ApiCaller,
  id: string,
  ds: { workspace_id: string; title: string } | undefined,
): Promise<Explanation> {
  if (!ds) {
    const node = await findBlock(db, id)
    if (node && node.workspace_id === caller.workspaceId) return explainWrongKind({ id, expected: 'data source', actual: objectWord(node) })
    return explainNotFound({ object: 'data source', id })
  }
  const ws = await findWorkspace(db, ds.workspace_id)
  return explainOtherWorkspace({
    who: whoOf(caller),
    object: 'data source',
    title: ds.title || 'Untitled',
    id,
    workspace: ws?.name ?? ds.workspace_id,
    callerWorkspace: caller.workspaceName,
  })
}
