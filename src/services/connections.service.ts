import { generateToken, tokenHint } from '../auth/token-format.js'
import { isoNow } from '../domain/clock.js'
import { plainText } from '../domain/rich-text.js'
import { newId } from '../domain/ids.js'
import { DomainError } from '../errors/domain-error.js'
import { DEFAULT_CAPABILITIES, capabilitiesOf, capabilityColumns, type Capabilities } from '../permissions/capabilities.js'
import { decideConnectionShare, type ConnectionShareDecision } from '../permissions/decide-connection-share.js'
import { CONNECTION_SHARE_LEVEL, principalOf } from '../permissions/roles.js'
import type { ConnectionTable } from '../storage/database.js'
import { aclEntry, grantOnPage, levelOnRoot, revokeOnPage } from '../storage/repositories/acl.repository.js'
import { audit } from '../storage/repositories/audit.repository.js'
import { findBlock } from '../storage/repositories/blocks.repository.js'
import {
  findActiveConnectionToken,
  insertToken,
  revokeConnectionTokens,
} from '../storage/repositories/tokens.repository.js'
import { findWorkspace, memberRole } from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'
import type { Deps } from './deps.js'
import { principalsForUser } from './people-access.js'

/**
 * Internal connections (developers.notion.com "Internal connections"; seeds 000/001):
 * - only a workspace owner creates one; every owner sees and manages every connection;
 * - each is its own bot user with a static `ntn_` token, revealable again by owners, and refreshable
 *   (the old token fails from the next request);
 * - capabilities change without touching the token;
 * - content access: a person with full access to a page (owners included; never guests) adds a
 *   connection to it or removes it (`decideConnectionShare`); owners manage every connection's pages
 *   from the Content access tab. A share covers the page's descendants, now and later, and outlives
 *   its sharer.
 */


/** The public view of a connection: never the token itself. */
export function presentConnection(c: ConnectionTable, tokenHintText: string | null) {
  return {
    id: c.id,
    bot_id: c.bot_id,
    workspace_id: c.workspace_id,
    kind: c.kind,
    name: c.name,
    icon: c.icon,
    created_by: c.created_by,
    created_time: c.created_time,
    capabilities: capabilitiesOf(c),
    token_hint: tokenHintText,
  }
}

/** @throws DomainError forbidden unless `actorId` owns the workspace. */
async function requireOwner(db: Db, workspaceId: string, actorId: string, doing: string): Promise<void> {
  const role = await memberRole(db, workspaceId, actorId)
  if (role !== 'owner') {
    throw new DomainError('forbidden', `Only workspace owners can ${doing}. This user is ${role ? `a ${role}` : 'not a member of this workspace'}.`)
  }
}

/** @throws DomainError not_found */
async function loadConnection(db: Db, connectionId: string): Promise<ConnectionTable> {
  const c = await db.selectFrom('connection').selectAll().where('id', '=', connectionId).executeTakeFirst()
  if (!c) throw new DomainError('not_found', `No connection with id ${connectionId}.`)
  return c
}

async function issueToken(deps: Deps, db: Db, c: ConnectionTable, actorId: string, time: string): Promise<string> {
  const token = generateToken('internal')
  const id = newId()
  await insertToken(db, {
    id,
    workspace_id: c.workspace_id,
    bot_id: c.bot_id,
    connection_id: c.id,
    kind: 'internal',
    digest: deps.secrets.tokenDigest(token),
    sealed_secret: deps.secrets.encrypt(token, `${id}|${c.workspace_id}`),
    hint: tokenHint(token),
    created_by: actorId,
    created_time: time,
    revoked_time: null,
    revoked_by: null,
    last_used_time: null,
  })
  return token
}

export interface CreateConnectionInput {
  workspaceId: string
  actorId: string
  name: string
  icon?: string | null
  capabilities?: Partial<Capabilities>
}

/**
 * Creates an internal connection and its bot user, and issues its token.
 * @returns the connection and the token (the only time the caller receives it unasked).
 * @throws DomainError forbidden (not an owner) | not_found (workspace) | invalid_input (name)
 */
export async function createConnection(deps: Deps, input: CreateConnectionInput) {
  const name = input.name.trim()
  if (!name) throw new DomainError('invalid_input', 'A connection needs a name.')
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    if (!(await findWorkspace(trx, input.workspaceId))) throw new DomainError('not_found', `No workspace with id ${input.workspaceId}.`)
    await requireOwner(trx, input.workspaceId, input.actorId, 'create internal connections')
    const botId = newId()
    await trx
      .insertInto('user')
      .values({ id: botId, type: 'bot', name, avatar_url: input.icon ?? null, email: null, created_time: time })
      .execute()
    const connection: ConnectionTable = {
      id: newId(),
      workspace_id: input.workspaceId,
      bot_id: botId,
      kind: 'internal',
      name,
      icon: input.icon ?? null,
      created_by: input.actorId,
      created_time: time,
      ...capabilityColumns({ ...DEFAULT_CAPABILITIES, ...input.capabilities }),
    }
    await trx.insertInto('connection').values(connection).execute()
    const token = await issueToken(deps, trx, connection, input.actorId, time)
    await audit(trx, {
      workspaceId: input.workspaceId,
      actor: `user:${input.actorId}`,
      action: 'connection.created',
      target: connection.id,
      meta: { name, capabilities: capabilitiesOf(connection) },
      time,
    })
    return { connection: presentConnection(connection, tokenHint(token)), token }
  })
}

/** Every internal connection of a workspace, for its owners. @throws DomainError forbidden */
export async function listConnections(deps: Deps, workspaceId: string, actorId: string) {
  const db = deps.store.db
  await requireOwner(db, workspaceId, actorId, 'see internal connections')
  const rows = await db
    .selectFrom('connection as c')
    .leftJoin('token as t', (j) => j.onRef('t.connection_id', '=', 'c.id').on('t.revoked_time', 'is', null))
    .selectAll('c')
    .select('t.hint')
    .where('c.workspace_id', '=', workspaceId)
    .orderBy('c.created_time')
    .execute()
  return rows.map(({ hint, ...c }) => presentConnection(c, hint))
}

/** One connection, for an owner of its workspace. @throws DomainError forbidden | not_found */
export async function getConnection(deps: Deps, connectionId: string, actorId: string) {
  const c = await loadConnection(deps.store.db, connectionId)
  await requireOwner(deps.store.db, c.workspace_id, actorId, 'see internal connections')
  const t = await findActiveConnectionToken(deps.store.db, c.id)
  return presentConnection(c, t?.hint ?? null)
}

/**
 * Reveals the connection's current token again (Notion's Configuration tab "Show"). Decrypts the
 * sealed copy; audited.
 * @throws DomainError forbidden | not_found
 */
export async function revealToken(deps: Deps, connectionId: string, actorId: string): Promise<string> {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const c = await loadConnection(trx, connectionId)
    await requireOwner(trx, c.workspace_id, actorId, 'reveal connection tokens')
    const t = await findActiveConnectionToken(trx, c.id)
    if (!t?.sealed_secret) throw new DomainError('not_found', 'This connection has no active token.')
    const token = deps.secrets.decrypt(t.sealed_secret, `${t.id}|${t.workspace_id}`)
    await audit(trx, { workspaceId: c.workspace_id, actor: `user:${actorId}`, action: 'connection.token_revealed', target: c.id, time })
    return token
  })
}

/**
 * Issues a new token and revokes the old one in the same transaction: the old token gets 401 from
 * the very next request.
 * @throws DomainError forbidden | not_found
 */
export async function refreshToken(deps: Deps, connectionId: string, actorId: string): Promise<string> {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const c = await loadConnection(trx, connectionId)
    await requireOwner(trx, c.workspace_id, actorId, 'refresh connection tokens')
    await revokeConnectionTokens(trx, c.id, `user:${actorId}`, time)
    const token = await issueToken(deps, trx, c, actorId, time)
    await audit(trx, { workspaceId: c.workspace_id, actor: `user:${actorId}`, action: 'connection.token_refreshed', target: c.id, time })
    return token
  })
}

/**
 * Changes capabilities; the token stays the same and the change applies from the next request.
 * @throws DomainError forbidden | not_found
 */
export async function updateCapabilities(deps: Deps, connectionId: string, actorId: string, patch: Partial<Capabilities>) {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const c = await loadConnection(trx, connectionId)
    await requireOwner(trx, c.workspace_id, actorId, 'change connection capabilities')
    const next = { ...capabilitiesOf(c), ...patch }
    await trx.updateTable('connection').set(capabilityColumns(next)).where('id', '=', c.id).execute()
    await audit(trx, {
      workspaceId: c.workspace_id,
      actor: `user:${actorId}`,
      action: 'connection.capabilities_changed',
      target: c.id,
      meta: { from: capabilitiesOf(c), to: next },
      time,
    })
    return presentConnection({ ...c, ...capabilityColumns(next) }, null)
  })
}

/** Deletes a connection, its bot's shares and its tokens. @throws DomainError forbidden | not_found */
export async function deleteConnection(deps: Deps, connectionId: string, actorId: string): Promise<void> {
  const time = isoNow(deps.clock)
  await deps.store.transaction(async (trx) => {
    const c = await loadConnection(trx, connectionId)
    await requireOwner(trx, c.workspace_id, actorId, 'delete internal connections')
    const principal = principalOf.bot(c.bot_id)
    const grants = await trx.selectFrom('page_grant').select('page_id').where('principal', '=', principal).execute()
    for (const g of grants) {
      const node = await findBlock(trx, g.page_id)
      if (node) await revokeOnPage(trx, node, principal)
    }
    await trx.deleteFrom('token').where('connection_id', '=', c.id).execute()
    await trx.deleteFrom('connection').where('id', '=', c.id).execute()
    await audit(trx, { workspaceId: c.workspace_id, actor: `user:${actorId}`, action: 'connection.deleted', target: c.id, meta: { name: c.name }, time })
  })
}

/**
 * Who adds a connection to a page or removes it: a person (their user id), or the operator — the admin
 * key without `as`, the CLI without `--as` — recorded as `recordAs` (the person the share is credited to,
 * by default the workspace's first owner) and audited as `admin`.
 */
export type ShareActor = string | { operator: true; recordAs: string }

/** The user id a share is credited to (`granted_by`). */
export function shareCreditedTo(actor: ShareActor): string {
  return typeof actor === 'string' ? actor : actor.recordAs
}

/** The audit actor of a share change: `user:<id>`, or `admin` for the operator. */
export function shareAuditActor(actor: ShareActor): string {
  return typeof actor === 'string' ? `user:${actor}` : 'admin'
}

/**
 * Whether `actor` may add a connection (internal, or an install of a public one) to `node` or remove one
 * from it: `decideConnectionShare` (permissions/decide-connection-share.ts) over the person's role and
 * effective level on the page (one `root_acl` read) — full access for everyone, owners included; never
 * guests; the operator always.
 */
export async function connectionShareDecision(db: Db, workspaceId: string, actor: ShareActor, node: { perm_root_id: string | null }): Promise<ConnectionShareDecision> {
  if (typeof actor !== 'string') return decideConnectionShare({ kind: 'operator' })
  const who = await principalsForUser(db, workspaceId, actor)
  const level = who && node.perm_root_id ? await levelOnRoot(db, node.perm_root_id, who.principals) : 0
  return decideConnectionShare({ kind: 'person', role: who?.role ?? null, level })
}

/**
 * Throws unless `actor` may add or remove connections on `node` (see `connectionShareDecision`).
 * @throws DomainError forbidden with the decision's message
 */
export async function requireMayShare(db: Db, workspaceId: string, actor: ShareActor, node: { perm_root_id: string | null }): Promise<void> {
  const decision = await connectionShareDecision(db, workspaceId, actor, node)
  if (!decision.allowed) throw new DomainError('forbidden', decision.message)
}

/** @throws DomainError not_found */
async function loadSharablePage(db: Db, workspaceId: string, pageId: string) {
  const node = await findBlock(db, pageId)
  if (!node || node.workspace_id !== workspaceId || (node.type !== 'child_page' && node.type !== 'child_database')) {
    throw new DomainError('not_found', `No page or database with id ${pageId} in this workspace.`)
  }
  return node
}

/**
 * Shares a page or database (and so every descendant, now and later) with a connection, at
 * `CONNECTION_SHARE_LEVEL` (capabilities then clamp it). `actor` must pass `requireMayShare`.
 * @throws DomainError forbidden (decideConnectionShare's message) | not_found
 */
export async function shareWithConnection(deps: Deps, connectionId: string, pageId: string, actor: ShareActor) {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const c = await loadConnection(trx, connectionId)
    const node = await loadSharablePage(trx, c.workspace_id, pageId)
    await requireMayShare(trx, c.workspace_id, actor, node)
    await grantOnPage(trx, node, { principal: principalOf.bot(c.bot_id), role: CONNECTION_SHARE_LEVEL, grantedBy: shareCreditedTo(actor), time })
    await audit(trx, { workspaceId: c.workspace_id, actor: shareAuditActor(actor), action: 'page.connection_added', target: pageId, meta: { connection_id: c.id }, time })
    return { connection_id: c.id, page_id: pageId }
  })
}

/**
 * Removes a connection's direct share of a page. Access the connection has through a shared
 * ancestor remains (it is removed where it was granted). `actor` must pass `requireMayShare`, as
 * for adding.
 * @returns false when the page was not directly shared with the connection.
 * @throws DomainError forbidden | not_found
 */
export async function unshareFromConnection(deps: Deps, connectionId: string, pageId: string, actor: ShareActor) {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const c = await loadConnection(trx, connectionId)
    const node = await loadSharablePage(trx, c.workspace_id, pageId)
    await requireMayShare(trx, c.workspace_id, actor, node)
    const removed = await revokeOnPage(trx, node, principalOf.bot(c.bot_id))
    if (removed) {
      await audit(trx, { workspaceId: c.workspace_id, actor: shareAuditActor(actor), action: 'page.connection_removed', target: pageId, meta: { connection_id: c.id }, time })
    }
    return { removed }
  })
}

/** The pages and databases shared directly with a connection (its Content access list). */
export async function listConnectionShares(deps: Deps, connectionId: string, actorId: string) {
  const db = deps.store.db
  const c = await loadConnection(db, connectionId)
  await requireOwner(db, c.workspace_id, actorId, 'see connection content access')
  const rows = await db
    .selectFrom('page_grant as g')
    .innerJoin('block as b', 'b.id', 'g.page_id')
    .select(['g.page_id', 'b.type', 'b.properties', 'b.title_text', 'g.granted_by', 'g.granted_time'])
    .where('g.principal', '=', principalOf.bot(c.bot_id))
    .orderBy('g.granted_time')
    .execute()
  return rows.map(({ properties, title_text, ...r }) => {
    // Pages and databases keep their title under `title`; database rows under their title property.
    const title = (JSON.parse(properties ?? '{}') as { title?: { plain_text: string }[] }).title
    return { ...r, title: title ? plainText(title) : (title_text ?? '') }
  })
}

/**
 * Why a connection can see a page: the page whose share grants it, or null (portal issue 5 uses it).
 */
export async function explainAccess(deps: Deps, connectionId: string, pageId: string) {
  const db = deps.store.db
  const c = await loadConnection(db, connectionId)
  return explainBotAccess(db, c.bot_id, pageId)
}

/**
 * Why a bot (an internal connection's, or an OAuth install's) can see a page: the page whose
 * `bot:<botId>` share grants it — the page itself or its nearest shared ancestor — or null.
 */
export async function explainBotAccess(db: Db, botId: string, pageId: string): Promise<{ granted_by_page_id: string } | null> {
  const node = await findBlock(db, pageId)
  if (!node?.perm_root_id) return null
  const entry = await aclEntry(db, node.perm_root_id, principalOf.bot(botId))
  return entry ? { granted_by_page_id: entry.source_page_id } : null
}
