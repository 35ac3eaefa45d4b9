import { fixedTokenProblem, generateToken, tokenHint } from '../auth/token-format.js'
import { isoNow } from '../domain/clock.js'
import { newId } from '../domain/ids.js'
import { DomainError } from '../errors/domain-error.js'
import { DEFAULT_CAPABILITIES, capabilitiesOf, capabilityColumns, type Capabilities } from '../permissions/capabilities.js'
import { decideConnectionManage, type ConnectionManageAction } from '../permissions/decide-connection-manage.js'
import { decideConnectionShare, type ConnectionShareDecision } from '../permissions/decide-connection-share.js'
import { CONNECTION_SHARE_LEVEL, principalOf } from '../permissions/roles.js'
import type { ConnectionTable, TokenTable } from '../storage/database.js'
import { addConnectionShare, levelOnRoot, listGrantedPages, removeConnectionShare } from '../storage/repositories/acl.repository.js'
import { findBlock } from '../storage/repositories/blocks.repository.js'
import * as connections from '../storage/repositories/connections.repository.js'
import { findActiveConnectionToken } from '../storage/repositories/tokens.repository.js'
import { findWorkspace, memberRole } from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'
import { findTokenByDigest } from '../storage/repositories/tokens.repository.js'
import type { Deps } from './deps.js'
import { nodeTitle } from './effective-access.js'
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

/**
 * Throws unless `actorId` may perform `action` on the workspace's internal connections
 * (`decideConnectionManage`: owners only).
 * @throws DomainError forbidden with the decision's message
 */
async function requireManage(db: Db, workspaceId: string, actorId: string, action: ConnectionManageAction): Promise<void> {
  const decision = decideConnectionManage({ action, role: (await memberRole(db, workspaceId, actorId)) ?? null })
  if (!decision.allowed) throw new DomainError('forbidden', decision.message)
}

/** @throws DomainError not_found */
async function loadConnection(db: Db, connectionId: string): Promise<ConnectionTable> {
  const c = await connections.findConnection(db, connectionId)
  if (!c) throw new DomainError('not_found', `No connection with id ${connectionId}.`)
  return c
}

/** @throws DomainError invalid_input (malformed or not an internal token) | conflict (already in use) */
async function checkFixedToken(deps: Deps, db: Db, token: string): Promise<void> {
  const problem = fixedTokenProblem(token, 'internal')
  if (problem) throw new DomainError('invalid_input', problem)
  if (await findTokenByDigest(db, deps.secrets.tokenDigest(token))) throw new DomainError('conflict', 'This fixed token is already in use.')
}

/** A new `ntn_` token for `c` and its row (HMAC digest and sealed copy only). */
function newTokenRow(deps: Deps, c: ConnectionTable, actorId: string, time: string, fixed?: string): { token: string; row: TokenTable } {
  const token = fixed ?? generateToken('internal')
  const id = newId()
  return {
    token,
    row: {
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
    },
  }
}

export interface CreateConnectionInput {
  workspaceId: string
  actorId: string
  name: string
  icon?: string | null
  capabilities?: Partial<Capabilities>
  /** A fixed token (fixtures): a well-formed `ntn_1…` token not in use; default a fresh one. */
  token?: string
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
    await requireManage(trx, input.workspaceId, input.actorId, 'create')
    const connection: ConnectionTable = {
      id: newId(),
      workspace_id: input.workspaceId,
      bot_id: newId(),
      kind: 'internal',
      name,
      icon: input.icon ?? null,
      created_by: input.actorId,
      created_time: time,
      ...capabilityColumns({ ...DEFAULT_CAPABILITIES, ...input.capabilities }),
    }
    if (input.token !== undefined) await checkFixedToken(deps, trx, input.token)
    const { token, row } = newTokenRow(deps, connection, input.actorId, time, input.token)
    await connections.createConnection(trx, connection, row, { actor: principalOf.user(input.actorId), time })
    return { connection: presentConnection(connection, tokenHint(token)), token }
  })
}

/** Every internal connection of a workspace, for its owners. @throws DomainError forbidden */
export async function listConnections(deps: Deps, workspaceId: string, actorId: string) {
  const db = deps.store.db
  await requireManage(db, workspaceId, actorId, 'list')
  const rows = await connections.listConnectionsWithHints(db, workspaceId)
  return rows.map(({ hint, ...c }) => presentConnection(c, hint))
}

/** One connection, for an owner of its workspace. @throws DomainError forbidden | not_found */
export async function getConnection(deps: Deps, connectionId: string, actorId: string) {
  const c = await loadConnection(deps.store.db, connectionId)
  await requireManage(deps.store.db, c.workspace_id, actorId, 'list')
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
    await requireManage(trx, c.workspace_id, actorId, 'reveal')
    const t = await findActiveConnectionToken(trx, c.id)
    if (!t?.sealed_secret) throw new DomainError('not_found', 'This connection has no active token.')
    const token = deps.secrets.decrypt(t.sealed_secret, `${t.id}|${t.workspace_id}`)
    await connections.recordTokenRevealed(trx, c, { actor: principalOf.user(actorId), time })
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
    await requireManage(trx, c.workspace_id, actorId, 'refresh')
    const { token, row } = newTokenRow(deps, c, actorId, time)
    await connections.refreshConnectionToken(trx, c, row, { actor: principalOf.user(actorId), time })
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
    await requireManage(trx, c.workspace_id, actorId, 'configure')
    const next = { ...capabilitiesOf(c), ...patch }
    await connections.updateConnectionCapabilities(trx, c, next, { actor: principalOf.user(actorId), time })
    return presentConnection({ ...c, ...capabilityColumns(next) }, null)
  })
}

/** Deletes a connection, its bot's shares and its tokens. @throws DomainError forbidden | not_found */
export async function deleteConnection(deps: Deps, connectionId: string, actorId: string): Promise<void> {
  const time = isoNow(deps.clock)
  await deps.store.transaction(async (trx) => {
    const c = await loadConnection(trx, connectionId)
    await requireManage(trx, c.workspace_id, actorId, 'delete')
    await connections.deleteConnection(trx, c, { actor: principalOf.user(actorId), time })
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
export async function connectionShareDecision(
  db: Db,
  workspaceId: string,
  actor: ShareActor,
  node: { perm_root_id: string | null },
): Promise<ConnectionShareDecision> {
  if (typeof actor !== 'string') return decideConnectionShare({ kind: 'operator' })
  const who = await principalsForUser(db, workspaceId, actor)
  const level = who && node.perm_root_id ? await levelOnRoot(db, node.perm_root_id, who.principals) : 0
  return decideConnectionShare({ kind: 'person', role: who?.role ?? null, level })
}

/**
 * Throws unless `actor` may add or remove connections on `node` (see `connectionShareDecision`).
 * @throws DomainError forbidden with the decision's message
 */
export async function requireMayShare(
  db: Db,
  workspaceId: string,
  actor: ShareActor,
  node: { perm_root_id: string | null },
): Promise<void> {
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
    const share = { botId: c.bot_id, connectionId: c.id, role: CONNECTION_SHARE_LEVEL, grantedBy: shareCreditedTo(actor) }
    await addConnectionShare(trx, node, share, { actor: shareAuditActor(actor), time })
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
    const removed = await removeConnectionShare(trx, node, { botId: c.bot_id, connectionId: c.id }, { actor: shareAuditActor(actor), time })
    return { removed }
  })
}

/** The pages and databases shared directly with a connection (its Content access list). */
export async function listConnectionShares(deps: Deps, connectionId: string, actorId: string) {
  const db = deps.store.db
  const c = await loadConnection(db, connectionId)
  await requireManage(db, c.workspace_id, actorId, 'see_content')
  const rows = await listGrantedPages(db, principalOf.bot(c.bot_id))
  // Pages and databases keep their title under `title`; database rows under their title property.
  return rows.map(({ properties, title_text, ...r }) => ({ ...r, title: nodeTitle({ properties, title_text }) }))
}
