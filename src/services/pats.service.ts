import type { PersonalCaller } from '../auth/principal.js'
import { fixedTokenProblem, generateToken, tokenHint } from '../auth/token-format.js'
import { isoNow } from '../domain/clock.js'
import { newId } from '../domain/ids.js'
import { DomainError } from '../errors/domain-error.js'
import { unauthorized } from '../errors/notion-error.js'
import type { Capabilities } from '../permissions/capabilities.js'
import {
  decidePatCapabilityChange,
  decidePatCreation,
  decidePatListing,
  decidePatReveal,
  decidePatRevoke,
  decidePatView,
  PAT_NEEDS_A_CAPABILITY_MESSAGE,
  patNeedsPolicy,
  patSuspension,
  type PatPerson,
  type PatSuspension,
} from '../permissions/decide-pat.js'
import { enforce } from '../permissions/decide-workspace.js'
import type { PersonalAccessTokenTable } from '../storage/database.js'
import {
  createPat as storePat,
  findPat,
  findPatByBotId,
  findPatByDigest,
  listPats,
  recordPatReveal,
  revokePat as storeRevokePat,
  setPatCapabilities,
  unrevokedPatsOfCreator,
} from '../storage/repositories/pats.repository.js'
import { recordTokenUse } from '../storage/repositories/token-use.repository.js'
import { findUser, findWorkspace } from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'
import type { Deps } from './deps.js'
import { effectivePatPolicy } from './pat-policy.js'
import { principalsForUser } from './people-access.js'
import { explainUnknownToken } from '../permissions/explain.js'
import { explainRefusedPat } from './explain-denials.js'

/**
 * Personal access tokens (PATs): developers.notion.com "Personal access tokens" (seed 004),
 * docs/reference/permissions-and-tokens.md §2.1, docs/adr/0010-personal-access-tokens.md.
 *
 * - A PAT has a name, a workspace, capabilities ("Notion API" and/or "Workers") and an expiry (365 days
 *   by default; 7, 30, 90 or 180 can be chosen). It is its own bot user (`bot_id`) acting as its creator.
 * - Guests and restricted members never create one; owners always may; full members as the workspace's
 *   PAT creation policy says (services/pat-policy.ts) for the "Notion API" capability.
 * - The secret is shown at creation; afterwards only its creator can reveal it (an admin never can).
 * - The creator revokes their own PATs; a workspace owner revokes any PAT of the workspace; both apply
 *   from the next request. Every action is audited (`pat.created|revealed|revoked|capabilities_changed`).
 */

/** Expiry choices in days; 365 (one year) is the default. */
export const PAT_EXPIRY_DAYS = [7, 30, 90, 180, 365] as const
export type PatExpiryDays = (typeof PAT_EXPIRY_DAYS)[number]
export const DEFAULT_PAT_EXPIRY_DAYS: PatExpiryDays = 365

const DAY_MS = 86_400_000
const MAX_NAME_LENGTH = 100

/** A PAT's capability bundles. */
export interface PatCapabilities {
  /** "Read, create, update, and search content; read and create comments; and read supported user information." */
  notionApi: boolean
  /** "Deploy and manage Notion Workers" — recorded and checked; Octavo has nothing to deploy yet. */
  workers: boolean
}

export type PatStatus = 'active' | 'expired' | 'revoked'
export const PAT_STATUSES: readonly PatStatus[] = ['active', 'expired', 'revoked']

export type { PatSuspension }

/**
 * What a PAT's bundles allow on the `/v1` API, as connection capabilities: "Notion API" = every
 * content and comment capability and user information with e-mail (the creator's own view of people);
 * without it, nothing beyond `GET /v1/users/me`.
 */
export function apiCapabilitiesOf(caps: PatCapabilities): Capabilities {
  const on = caps.notionApi
  return {
    readContent: on,
    updateContent: on,
    insertContent: on,
    readComments: on,
    insertComments: on,
    userInfo: on ? 'with_email' : 'none',
  }
}

function capsOf(p: PersonalAccessTokenTable): PatCapabilities {
  return { notionApi: p.cap_notion_api === 1, workers: p.cap_workers === 1 }
}

/** Revoked beats expired; otherwise active until `expires_time`. */
export function patStatus(p: Pick<PersonalAccessTokenTable, 'revoked_time' | 'expires_time'>, nowMs: number): PatStatus {
  if (p.revoked_time !== null) return 'revoked'
  return Date.parse(p.expires_time) <= nowMs ? 'expired' : 'active'
}

/**
 * Why an otherwise active PAT is refused right now, or null. Evaluated per request, or cached until the
 * next event of the PAT's workspace (services/caches.ts), so a policy or membership change applies from
 * the next request and is undone the same way.
 */
async function suspensionOf(db: Db, p: PersonalAccessTokenTable, plan: Parameters<typeof effectivePatPolicy>[2]) {
  const who = await principalsForUser(db, p.workspace_id, p.creator_id)
  const person: PatPerson = { role: who?.role, principals: who?.principals ?? [] }
  const notionApi = p.cap_notion_api === 1
  // The policy is read only when it can matter (owners always qualify): the authentication hot path.
  const policy = patNeedsPolicy(person, notionApi) ? await effectivePatPolicy(db, p.workspace_id, plan) : null
  return { suspension: patSuspension({ person, notionApi, policy }), who }
}

/**
 * Authenticates a well-formed `ntn_2…` token: found by HMAC digest (compared again in constant time),
 * not revoked, not expired (by the injected clock), creator still a full member, and, for the
 * "Notion API" capability, admitted by the current policy. Any failure is 401 `unauthorized`
 * "API token is invalid." (Notion: "Expired tokens return unauthorized"; a policy exclusion answers
 * "unauthorized … until the policy allows the member again").
 * @throws NotionApiError unauthorized
 */
export async function authenticatePersonalToken(
  deps: Deps,
  token: string,
  digest = deps.secrets.tokenDigest(token),
): Promise<PersonalCaller> {
  const db = deps.store.db
  const load = () => loadPatAuth(db, digest)
  // With the caches on, everything but the clock comes from the cache; events of the PAT's workspace
  // (revocation, capability or policy change, role, group or member change, plan) drop it (services/caches.ts).
  const auth = deps.caches ? await deps.caches.bearer(db, 'personal', digest, load, (a) => a.found.pat.workspace_id) : await load()
  if (!auth || !deps.secrets.digestsEqual(auth.found.pat.digest, digest)) throw unauthorized().explain(explainUnknownToken())
  const { pat, workspace } = auth.found
  const now = deps.clock.now()
  const status = patStatus(pat, now)
  if (status !== 'active') throw unauthorized().explain(await explainRefusedPat(db, pat, status))
  const { suspension, who } = auth
  if (suspension !== null || !who) {
    const policy = suspension === 'policy' ? (await effectivePatPolicy(db, pat.workspace_id, workspace.plan)).policy : null
    throw unauthorized().explain(await explainRefusedPat(db, pat, 'suspended', { suspension, plan: workspace.plan, policy }))
  }
  // A cached PAT remembers its own last write, so the write stays at most once a minute per node.
  if (await recordTokenUse(db, 'personal_access_token', pat, now)) pat.last_used_time = new Date(now).toISOString()
  const caps = capsOf(pat)
  return {
    kind: 'personal',
    tokenId: pat.id,
    botId: pat.bot_id,
    connectionId: pat.id,
    connectionName: pat.name,
    workspaceId: workspace.id,
    workspaceName: workspace.name,
    workspaceIcon: workspace.icon,
    plan: workspace.plan,
    capabilities: apiCapabilitiesOf(caps),
    principals: who.principals,
    userId: pat.creator_id,
    role: who.role,
    patCapabilities: caps,
  }
}

/**
 * What authenticating a PAT reads from the store, by digest: the PAT with its workspace, and its
 * creator's standing (role, principals, suspension by policy or membership). Nothing here depends on the
 * clock, so it may be cached until an event of the PAT's workspace; undefined when no PAT has `digest`.
 */
async function loadPatAuth(db: Db, digest: string) {
  const found = await findPatByDigest(db, digest)
  if (!found) return undefined
  const { suspension, who } = await suspensionOf(db, found.pat, found.workspace.plan)
  return { found, suspension, who }
}

type PatRow = Awaited<ReturnType<typeof listPats>>[number]

/** The public view of a PAT: everything the admin view shows, never the secret. */
async function presentPat(db: Db, p: PatRow, nowMs: number, plan: Parameters<typeof effectivePatPolicy>[2]) {
  const status = patStatus(p, nowMs)
  const suspended = status === 'active' ? (await suspensionOf(db, p, plan)).suspension : null
  let revokedBy: { type: 'user'; id: string; name: string | null; email: string | null } | { type: 'admin_api' } | null = null
  if (p.revoked_by === 'admin_api') revokedBy = { type: 'admin_api' }
  else if (p.revoked_by?.startsWith('user:')) {
    const id = p.revoked_by.slice('user:'.length)
    const u = await findUser(db, id)
    revokedBy = { type: 'user', id, name: u?.name ?? null, email: u?.email ?? null }
  }
  const caps = capsOf(p)
  return {
    id: p.id,
    bot_id: p.bot_id,
    workspace_id: p.workspace_id,
    name: p.name,
    capabilities: { notion_api: caps.notionApi, workers: caps.workers },
    token_hint: p.hint,
    creator: { id: p.creator_id, name: p.creator_name, email: p.creator_email },
    created_time: p.created_time,
    last_used_time: p.last_used_time,
    expires_time: p.expires_time,
    status,
    suspended,
    revoked_time: p.revoked_time,
    revoked_by: revokedBy,
  }
}

export type PresentedPat = Awaited<ReturnType<typeof presentPat>>

async function loadWorkspace(db: Db, workspaceId: string) {
  const ws = await findWorkspace(db, workspaceId)
  if (!ws) throw new DomainError('not_found', `No workspace with id ${workspaceId}.`)
  return ws
}

/** @throws DomainError not_found */
async function loadPat(db: Db, patId: string): Promise<PersonalAccessTokenTable> {
  const p = await findPat(db, patId)
  if (!p) throw new DomainError('not_found', `No personal access token with id ${patId}.`)
  return p
}

async function presentOne(db: Db, p: PersonalAccessTokenTable, nowMs: number): Promise<PresentedPat> {
  const ws = await loadWorkspace(db, p.workspace_id)
  const creator = await findUser(db, p.creator_id)
  return presentPat(db, { ...p, creator_name: creator?.name ?? null, creator_email: creator?.email ?? null }, nowMs, ws.plan)
}

/**
 * Why `actorId` may not create a PAT with `caps` in `ws`, or null when they may: the single rule
 * behind `createPat` and the portal's "New personal access token" screen (seed 004 "Who can create PATs").
 */
async function creationRefusal(
  db: Db,
  ws: { id: string; plan: Parameters<typeof effectivePatPolicy>[2] },
  actorId: string,
  caps: PatCapabilities,
): Promise<string | null> {
  const who = await principalsForUser(db, ws.id, actorId)
  const person: PatPerson = { role: who?.role, principals: who?.principals ?? [] }
  const policy = patNeedsPolicy(person, caps.notionApi) ? await effectivePatPolicy(db, ws.id, ws.plan) : null
  const decision = decidePatCreation({ person, notionApi: caps.notionApi, policy })
  return decision.allowed ? null : decision.message
}

/**
 * Whether `actorId` may create PATs in a workspace, per capability bundle, with the refusal text the
 * creation itself would give (null = allowed). Read-only; the portal shows it before the form.
 * @throws DomainError not_found (workspace)
 */
export async function patCreationAllowance(
  deps: Deps,
  workspaceId: string,
  actorId: string,
): Promise<{ notionApi: string | null; workers: string | null }> {
  const db = deps.store.db
  const ws = await loadWorkspace(db, workspaceId)
  return {
    notionApi: await creationRefusal(db, ws, actorId, { notionApi: true, workers: false }),
    workers: await creationRefusal(db, ws, actorId, { notionApi: false, workers: true }),
  }
}

export interface CreatePatInput {
  workspaceId: string
  actorId: string
  name: string
  /** Default: "Notion API" only. */
  capabilities?: Partial<PatCapabilities>
  /** One of 7, 30, 90, 180, 365 (default). */
  expiresInDays?: number
  /** A fixed token (fixtures): a well-formed `ntn_2…` token not in use; default a fresh one. */
  token?: string
}

/**
 * Creates a PAT for `actorId` (its creator) and returns it with its secret — the one time the secret is
 * handed out unasked.
 * @throws DomainError forbidden (not a member; guest or restricted member; "Notion API" not allowed by
 *   the policy) | invalid_input (name, capabilities, expiry) | not_found (workspace)
 */
export async function createPat(deps: Deps, input: CreatePatInput): Promise<{ pat: PresentedPat; token: string }> {
  const name = input.name.trim()
  if (!name) throw new DomainError('invalid_input', 'A personal access token needs a name.')
  if (name.length > MAX_NAME_LENGTH) throw new DomainError('invalid_input', `A token name is at most ${MAX_NAME_LENGTH} characters.`)
  const caps: PatCapabilities = { notionApi: input.capabilities?.notionApi ?? true, workers: input.capabilities?.workers ?? false }
  if (!caps.notionApi && !caps.workers) throw new DomainError('invalid_input', PAT_NEEDS_A_CAPABILITY_MESSAGE)
  const days = input.expiresInDays ?? DEFAULT_PAT_EXPIRY_DAYS
  if (!(PAT_EXPIRY_DAYS as readonly number[]).includes(days)) {
    throw new DomainError('invalid_input', `Expiry must be one of ${PAT_EXPIRY_DAYS.join(', ')} days.`)
  }
  const nowMs = deps.clock.now()
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const ws = await loadWorkspace(trx, input.workspaceId)
    const refusal = await creationRefusal(trx, ws, input.actorId, caps)
    if (refusal) throw new DomainError('forbidden', refusal)
    if (input.token !== undefined) {
      const problem = fixedTokenProblem(input.token, 'personal')
      if (problem) throw new DomainError('invalid_input', problem)
      if (await findPatByDigest(trx, deps.secrets.tokenDigest(input.token)))
        throw new DomainError('conflict', 'This fixed token is already in use.')
    }
    const token = input.token ?? generateToken('personal')
    const id = newId()
    const botId = newId()
    const row: PersonalAccessTokenTable = {
      id,
      workspace_id: ws.id,
      bot_id: botId,
      creator_id: input.actorId,
      name,
      cap_notion_api: caps.notionApi ? 1 : 0,
      cap_workers: caps.workers ? 1 : 0,
      digest: deps.secrets.tokenDigest(token),
      sealed_secret: deps.secrets.encrypt(token, `${id}|${ws.id}`),
      hint: tokenHint(token),
      created_time: time,
      expires_time: new Date(nowMs + days * DAY_MS).toISOString(),
      revoked_time: null,
      revoked_by: null,
      last_used_time: null,
    }
    await storePat(trx, row, { actor: `user:${input.actorId}`, time })
    return { pat: await presentOne(trx, row, nowMs), token }
  })
}

/** The creator's own PATs in a workspace (every status), newest first. */
export async function listOwnPats(deps: Deps, workspaceId: string, actorId: string): Promise<PresentedPat[]> {
  const db = deps.store.db
  const ws = await loadWorkspace(db, workspaceId)
  const rows = await listPats(db, { workspaceId, creatorId: actorId })
  const now = deps.clock.now()
  return Promise.all(rows.map((r) => presentPat(db, r, now, ws.plan)))
}

export interface AdminPatFilter {
  workspaceId: string
  actorId: string
  /** Name contains (case-insensitive). */
  query?: string
  creatorId?: string
  status?: PatStatus
}

/**
 * The admin view (Settings → Connections → All personal access tokens): every PAT of the workspace,
 * active, expired and revoked, searchable by name and filterable by creator and status. Owners only.
 * @throws DomainError forbidden | not_found | invalid_input (status)
 */
export async function listWorkspacePats(deps: Deps, f: AdminPatFilter): Promise<PresentedPat[]> {
  const db = deps.store.db
  const ws = await loadWorkspace(db, f.workspaceId)
  enforce(decidePatListing((await principalsForUser(db, ws.id, f.actorId))?.role))
  if (f.status !== undefined && !PAT_STATUSES.includes(f.status))
    throw new DomainError('invalid_input', `status must be one of ${PAT_STATUSES.join(', ')}.`)
  const now = deps.clock.now()
  const rows = await listPats(db, {
    workspaceId: ws.id,
    ...(f.creatorId ? { creatorId: f.creatorId } : {}),
    ...(f.query ? { query: f.query } : {}),
  })
  const filtered = f.status ? rows.filter((r) => patStatus(r, now) === f.status) : rows
  return Promise.all(filtered.map((r) => presentPat(db, r, now, ws.plan)))
}

/** One PAT, for its creator or a workspace owner. @throws DomainError forbidden | not_found */
export async function getPat(deps: Deps, patId: string, actorId: string): Promise<PresentedPat> {
  const db = deps.store.db
  const p = await loadPat(db, patId)
  const isCreator = p.creator_id === actorId
  enforce(decidePatView({ isCreator, role: isCreator ? undefined : (await principalsForUser(db, p.workspace_id, actorId))?.role }))
  return presentOne(db, p, deps.clock.now())
}

/**
 * Reveals a PAT's secret again — to its creator only. Workspace owners and admins never can
 * ("Admins cannot reveal or copy another member's token secret", seed 004). Revoked or expired
 * tokens are not revealed. Audited as `pat.revealed`.
 * @throws DomainError forbidden (not the creator) | conflict (revoked or expired) | not_found
 */
export async function revealPat(deps: Deps, patId: string, actorId: string): Promise<string> {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const p = await loadPat(trx, patId)
    const isCreator = p.creator_id === actorId
    const isMember = isCreator && (await principalsForUser(trx, p.workspace_id, actorId)) !== null
    enforce(decidePatReveal({ isCreator, isMember, state: patStatus(p, deps.clock.now()) }))
    const token = deps.secrets.decrypt(p.sealed_secret, `${p.id}|${p.workspace_id}`)
    await recordPatReveal(trx, p, { actor: `user:${actorId}`, time })
    return token
  })
}

/** Who revokes: a person (the creator, or a workspace owner) or Notion's Admin API route. */
export type PatRevoker = { type: 'user'; userId: string } | { type: 'admin_api' }

async function revoke(deps: Deps, trx: Db, p: PersonalAccessTokenTable, by: PatRevoker, time: string) {
  if (by.type === 'user') {
    const isCreator = p.creator_id === by.userId
    enforce(decidePatRevoke({ isCreator, role: isCreator ? undefined : (await principalsForUser(trx, p.workspace_id, by.userId))?.role }))
  } else enforce(decidePatRevoke({ adminApi: true }))
  const actor = by.type === 'user' ? `user:${by.userId}` : 'admin_api'
  const changed = await storeRevokePat(trx, p, { actor, time })
  const fresh = (await findPat(trx, p.id)) as PersonalAccessTokenTable
  return { changed, pat: await presentOne(trx, fresh, deps.clock.now()) }
}

/**
 * Revokes every PAT that `userId` created in `workspaceId` and that is not revoked yet, inside the
 * caller's transaction: used when the person is removed from the workspace or leaves it
 * (people.service.ts `removeWorkspaceMember`). Membership was only checked per request, so the tokens
 * came back to life when the person was added again; ADR 14 says access returns only through a new
 * authorization, so they are revoked for good. `actor` is `user:<id>` (the remover, or the person
 * leaving) or `admin` (the operator), stored as `revoked_by`. Each is audited `pat.revoked` with
 * `meta.reason` (`member_removed` | `member_left`).
 * @returns how many PATs were revoked.
 */
export async function revokePatsOfDepartingMember(
  db: Db,
  input: { workspaceId: string; userId: string; actor: string; reason: 'member_removed' | 'member_left'; time: string },
): Promise<number> {
  let n = 0
  for (const p of await unrevokedPatsOfCreator(db, input.workspaceId, input.userId)) {
    if (await storeRevokePat(db, p, { actor: input.actor, time: input.time }, input.reason)) n++
  }
  return n
}

/**
 * Revokes a PAT: by its creator, or by a workspace owner (any PAT of the workspace). The token gets 401
 * from the next request. Revoking a revoked PAT changes nothing (`changed: false`).
 * @throws DomainError forbidden | not_found
 */
export async function revokePat(deps: Deps, patId: string, by: PatRevoker) {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => revoke(deps, trx, await loadPat(trx, patId), by, time))
}

/**
 * Notion's Admin API `DELETE /admin/v1/spaces/{space_id}/personal_access_tokens/{bot_id}`: revokes the
 * PAT whose bot user is `botId` in workspace `workspaceId`.
 * @throws DomainError not_found (no such PAT in that workspace)
 */
export async function revokePatByBotId(deps: Deps, workspaceId: string, botId: string, by: PatRevoker) {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const p = await findPatByBotId(trx, botId)
    if (!p || p.workspace_id !== workspaceId)
      throw new DomainError('not_found', `No personal access token with bot id ${botId} in workspace ${workspaceId}.`)
    return revoke(deps, trx, p, by, time)
  })
}

/**
 * Changes a PAT's capability bundles (its creator only; the token stays the same). Adding "Notion API"
 * needs the creation policy's leave. Audited as `pat.capabilities_changed`.
 * @throws DomainError forbidden | invalid_input | conflict (revoked or expired) | not_found
 */
export async function updatePatCapabilities(
  deps: Deps,
  patId: string,
  actorId: string,
  patch: Partial<PatCapabilities>,
): Promise<PresentedPat> {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const p = await loadPat(trx, patId)
    const from = capsOf(p)
    const to: PatCapabilities = { ...from, ...patch }
    const isCreator = p.creator_id === actorId
    const ws = await loadWorkspace(trx, p.workspace_id)
    const who = isCreator ? await principalsForUser(trx, ws.id, actorId) : null
    const person: PatPerson = { role: who?.role, principals: who?.principals ?? [] }
    const policy =
      isCreator && to.notionApi && !from.notionApi && patNeedsPolicy(person, true) ? await effectivePatPolicy(trx, ws.id, ws.plan) : null
    enforce(decidePatCapabilityChange({ isCreator, state: patStatus(p, deps.clock.now()), from, to, person, policy }))
    await setPatCapabilities(trx, p, to, { actor: `user:${actorId}`, time })
    return presentOne(trx, { ...p, cap_notion_api: to.notionApi ? 1 : 0, cap_workers: to.workers ? 1 : 0 }, deps.clock.now())
  })
}

/** The workspace a PAT belongs to. @throws DomainError not_found */
export async function patWorkspace(db: Db, patId: string): Promise<string> {
  return (await loadPat(db, patId)).workspace_id
}
