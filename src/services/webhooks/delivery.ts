import { randomUUID } from 'node:crypto'
import { signWebhookBody } from '../../auth/webhook-signature.js'
import type { WebhookSettings } from '../../config.js'
import { WEBHOOK_EVENTS, nextAttemptAt } from '../../domain/webhooks.js'
import { capabilitiesOf, type Capabilities } from '../../permissions/capabilities.js'
import { decideWebhookDelivery, type WebhookDecision } from '../../permissions/decide-webhook.js'
import { REQUIRED_LEVEL, principalOf } from '../../permissions/roles.js'
import { findBlock, type BlockRow } from '../../storage/repositories/blocks.repository.js'
import { findConnection } from '../../storage/repositories/connections.repository.js'
import { lastEventSeq } from '../../storage/repositories/events.repository.js'
import { liveInstallsOfConnection } from '../../storage/repositories/oauth-installs.repository.js'
import { findPublicConnection } from '../../storage/repositories/public-connections.repository.js'
import {
  claimDueDeliveries,
  findOpenAggregate,
  findSubscription,
  hasActiveSubscriptions,
  hasDueDeliveries,
  insertDeliveries,
  listActiveSubscriptions,
  lockCursor,
  markDispatched,
  mergeIntoAggregate,
  readCursor,
  recordAttempt,
  saveCursor,
  undispatchedEvents,
  type AttemptOutcome,
  type DeliveryRow,
  type SubscriptionRow,
} from '../../storage/repositories/webhooks.repository.js'
import { findWorkspace } from '../../storage/repositories/workspaces.repository.js'
import type { Db } from '../../storage/store.js'
import { levelOn } from '../access.js'
import type { Deps } from '../deps.js'
import { principalsForUser } from '../people-access.js'
import { CREATOR_ACCESS, mergeAggregate, webhookEventsOf, type WebhookCandidate } from './event-map.js'
import { postWebhook } from './sender.js'

/**
 * The two halves of webhook delivery (docs/webhooks.md, ADR 21):
 *
 * - `dispatchOnce` fans change events out: it reads the outbox after the dispatcher's cursor (locked
 *   `FOR UPDATE` on PostgreSQL, so one node at a time), maps each event to Notion's webhook events
 *   (`event-map.ts`), and queues one delivery per event and subscription whose connection may receive
 *   it (`decideWebhookDelivery`), merging `*_updated` bursts into an open aggregate; the cursor and the
 *   deliveries commit together, so an event is fanned out exactly once, even across a crash.
 * - `claimDue` + `attemptDelivery` send: claim due deliveries (`FOR UPDATE SKIP LOCKED` on
 *   PostgreSQL), check again that the subscription is active and its connection may still read the
 *   entity, POST the signed payload, and record the outcome (delivered, retry at the backoff, failed
 *   after the last attempt, or skipped).
 */

/**
 * What the webhook worker needs of the service dependencies: the store, the secrets (tokens are
 * sealed) and a logger. The worker thread (src/webhooks-thread.ts) builds just these.
 */
export type WebhookDeps = Pick<Deps, 'store' | 'secrets' | 'logger'>

/** How many `seq`s behind the cursor are re-read for late PostgreSQL commits (ADR 15). */
export const DISPATCH_WINDOW = 1000

const iso = (ms: number) => new Date(ms).toISOString()

/** Who a subscription's connection is, for one workspace: what it may read, and (public connections) who reads through it. */
interface Audience {
  integrationId: string
  capabilities: Capabilities
  /** One ACL principal set per bot: the internal connection's bot, or each live install's bot. */
  bots: { botId: string; userId: string | null }[]
}

async function audienceOf(db: Db, sub: SubscriptionRow, workspaceId: string): Promise<Audience | null> {
  if (sub.connection_kind === 'internal') {
    const c = await findConnection(db, sub.connection_id)
    if (!c || c.workspace_id !== workspaceId) return null
    return { integrationId: c.id, capabilities: capabilitiesOf(c), bots: [{ botId: c.bot_id, userId: null }] }
  }
  const pc = await findPublicConnection(db, sub.connection_id)
  if (!pc) return null
  const installs = (await liveInstallsOfConnection(db, pc.id)).filter((i) => i.workspace_id === workspaceId)
  if (installs.length === 0) return null
  return { integrationId: pc.id, capabilities: capabilitiesOf(pc), bots: installs.map((i) => ({ botId: i.bot_id, userId: i.user_id })) }
}

/** The best level any of the audience's bots has on `node`, and (public connections) `accessible_by`. */
async function reach(db: Db, audience: Audience, node: BlockRow | undefined, workspaceId: string) {
  let level = 0
  const accessibleBy: { id: string; type: 'bot' | 'person' }[] = []
  if (!node) return { level, accessibleBy }
  for (const b of audience.bots) {
    if (b.userId && !(await principalsForUser(db, workspaceId, b.userId))) continue // departed authorizer: tokens fail
    const l = await levelOn(db, { principals: [principalOf.bot(b.botId)] }, node)
    if (l < REQUIRED_LEVEL.read) continue
    level = Math.max(level, l)
    accessibleBy.push({ id: b.botId, type: 'bot' })
    if (b.userId) {
      const who = await principalsForUser(db, workspaceId, b.userId)
      if (who && (await levelOn(db, who, node)) >= REQUIRED_LEVEL.read) accessibleBy.push({ id: b.userId, type: 'person' })
    }
  }
  return { level, accessibleBy }
}

/** An object only its creator reads (a file upload): the audience's bot that created it reads it, nobody else. */
function creatorReach(audience: Audience, creatorId: string) {
  const bot = audience.bots.find((b) => b.botId === creatorId)
  return bot ? { level: REQUIRED_LEVEL.read, accessibleBy: [{ id: bot.botId, type: 'bot' as const }] } : { level: 0, accessibleBy: [] }
}

/** What one connection reaches of one entity; shared by the subscriptions of a connection within a batch. */
type Reach = { audience: Audience | null; level: number; accessibleBy: { id: string; type: 'bot' | 'person' }[] }

/**
 * A memo of reaches for one dispatch batch or one claim batch (milliseconds long), keyed by connection,
 * workspace and entity: ten subscriptions of one connection cost one access check per event.
 */
export type ReachMemo = Map<string, Promise<Reach>>

/** Whether `sub` receives `type` about the node `accessId` in `workspaceId` now; with the audience's reach. */
async function decide(
  db: Db,
  sub: SubscriptionRow,
  type: string,
  workspaceId: string,
  accessId: string | null,
  memo: ReachMemo = new Map(),
): Promise<{ decision: WebhookDecision; audience: Audience | null; accessibleBy: { id: string; type: 'bot' | 'person' }[] }> {
  const spec = WEBHOOK_EVENTS[type]
  if (!spec) return { decision: { type: 'skip', reason: 'not_subscribed' }, audience: null, accessibleBy: [] }
  const ask = (capabilities: Capabilities, level: number) =>
    decideWebhookDelivery({
      status: sub.status,
      eventTypes: JSON.parse(sub.event_types) as string[],
      apiVersion: sub.api_version,
      type,
      spec,
      capabilities,
      level,
    })
  // The subscription's own conditions first: no store read for an event it does not take.
  const own = ask(FULL_CAPABILITIES, REQUIRED_LEVEL.read)
  if (own.type === 'skip') return { decision: own, audience: null, accessibleBy: [] }
  const key = `${sub.connection_kind}:${sub.connection_id}|${workspaceId}|${accessId ?? ''}`
  let reached = memo.get(key)
  if (!reached) {
    reached = (async () => {
      const audience = await audienceOf(db, sub, workspaceId)
      if (!audience) return { audience, level: 0, accessibleBy: [] }
      if (accessId?.startsWith(CREATOR_ACCESS)) return { audience, ...creatorReach(audience, accessId.slice(CREATOR_ACCESS.length)) }
      const node = accessId ? await findBlock(db, accessId) : undefined
      return { audience, ...(await reach(db, audience, node, workspaceId)) }
    })()
    memo.set(key, reached)
  }
  const { audience, level, accessibleBy } = await reached
  if (!audience) return { decision: { type: 'skip', reason: 'no_access' }, audience, accessibleBy: [] }
  return { decision: ask(audience.capabilities, level), audience, accessibleBy }
}

const FULL_CAPABILITIES: Capabilities = {
  readContent: true,
  updateContent: true,
  insertContent: true,
  readComments: true,
  insertComments: true,
  userInfo: 'with_email',
}

/** The candidate's data for a subscription's `api_version` (no `parent.data_source_id` on 2022-06-28). */
function dataFor(c: WebhookCandidate, apiVersion: string): Record<string, unknown> | null {
  if (!c.data || apiVersion >= '2025-09-03') return c.data
  const parent = c.data.parent as { data_source_id?: string } | undefined
  if (!parent?.data_source_id) return c.data
  const { data_source_id: _dropped, ...rest } = parent
  return { ...c.data, parent: rest }
}

/**
 * The dispatcher's cursor as one worker holds it between calls (SQLite only, where one worker
 * dispatches): while no subscription is active, `dispatchOnce` moves `skippedTo` past new events in
 * memory and writes the cursor only every `CURSOR_SAVE_EVERY` events or when `flushCursor` runs (the
 * worker calls it when idle and on close), instead of one write transaction per write of the API.
 * A cursor that lags is safe: an event at or before a subscription's `start_seq` is never fanned out
 * to it, and the next full dispatch starts at `max(stored cursor, skippedTo)`.
 */
export interface CursorState {
  skippedTo?: number
  saved?: number
}

/** Events the in-memory cursor may run ahead of the stored one before it is written. */
export const CURSOR_SAVE_EVERY = 1000

/** Writes the in-memory cursor of `state` when it is ahead of the stored one. */
export async function flushCursor(deps: Pick<WebhookDeps, 'store'>, state: CursorState): Promise<void> {
  const to = state.skippedTo
  if (to === undefined || (state.saved !== undefined && state.saved >= to)) return
  await deps.store.transaction(async (trx) => saveCursor(trx, Math.max(await lockCursor(trx), to)))
  state.saved = to
}

/** What `dispatchOnce` did: change events consumed, and the deliveries it claimed for this node at once. */
export interface DispatchResult {
  consumed: number
  claimed: DeliveryRow[]
  /** The access checks it made (the claimed deliveries' attempts, milliseconds later, reuse them). */
  reach: ReachMemo
  /** SQLite: no subscription is active (the events were only skipped). */
  nobodyListens?: boolean
}

/**
 * Fans out up to `limit` change events not yet dispatched (see the module comment), in one
 * transaction. With `claim`, up to `claim.limit` of the deliveries it queues that are due at once (not
 * held for aggregation) are inserted already claimed by this node (status `delivering`, attempt 1,
 * leased for `claim.leaseMs`) and returned, so the worker sends them without a claim transaction of
 * their own — on PostgreSQL too, as no other node sees them before the commit.
 */
export async function dispatchOnce(
  deps: Pick<WebhookDeps, 'store'>,
  settings: Pick<WebhookSettings, 'aggregationMs'>,
  limit = 200,
  claim?: { limit: number; leaseMs: number },
  state?: CursorState,
): Promise<DispatchResult> {
  const none: DispatchResult = { consumed: 0, claimed: [], reach: new Map() }
  // Cheap reads first, outside any transaction (SQLite serialises every query behind one).
  const db = deps.store.db
  // SQLite has one writer, so `seq` order is commit order and nothing lands behind the cursor.
  const window = deps.store.dialect === 'postgres' ? DISPATCH_WINDOW : 0
  const stored = await readCursor(db)
  // SQLite: the worker's in-memory cursor may be ahead of the stored one (CursorState).
  const seen = stored === undefined ? undefined : Math.max(stored, window === 0 ? (state?.skippedTo ?? 0) : 0)
  const last = await lastEventSeq(db)
  if (window === 0 && !(await hasActiveSubscriptions(db))) {
    // Nobody listens: move past what exists (a subscription only sees events after its creation).
    // (With a re-read window, events must be marked as seen instead: the full path below does it.)
    if (seen === undefined || last > seen) {
      if (state && seen !== undefined) {
        state.skippedTo = last
        state.saved ??= stored
        if (last - (state.saved ?? 0) >= CURSOR_SAVE_EVERY) await flushCursor(deps, state)
      } else await deps.store.transaction(async (trx) => saveCursor(trx, Math.max(await lockCursor(trx), last)))
    }
    return { ...none, nobodyListens: true }
  }
  if (seen !== undefined && window === 0 && last <= seen) return none
  if (seen !== undefined && window > 0 && (await undispatchedEvents(db, seen, window, 1)).length === 0) return none
  if (window === 0 && seen !== undefined) {
    // SQLite: read and decide outside the write lock, which only the writes then take, briefly (the
    // API's connection waits for it, ADR 34). On SQLite only this worker moves the cursor.
    const planned = await fanOut(db, undefined, seen, window, limit, settings, claim)
    if (planned !== 'aggregate') {
      if (!planned) return none
      return deps.store.transaction(async (trx) => {
        if ((await lockCursor(trx)) > seen) return none // moved meanwhile: the next look plans again
        await insertDeliveries(trx, planned.queued)
        await saveCursor(trx, planned.upTo)
        if (state) state.saved = state.skippedTo = planned.upTo
        return { consumed: planned.consumed, claimed: planned.claimed, reach: planned.reach }
      })
    }
  }
  return deps.store.transaction(async (trx) => {
    const cursor = Math.max(await lockCursor(trx), window === 0 ? (state?.skippedTo ?? 0) : 0)
    const planned = await fanOut(trx, trx, cursor, window, limit, settings, claim)
    if (!planned || planned === 'aggregate') return none
    await insertDeliveries(trx, planned.queued)
    if (window > 0) await markDispatched(trx, planned.seqs, planned.upTo, window)
    await saveCursor(trx, planned.upTo)
    if (state) state.saved = state.skippedTo = planned.upTo
    return { consumed: planned.consumed, claimed: planned.claimed, reach: planned.reach }
  })
}

/**
 * The fan-out of up to `limit` events after `cursor`: reads them and the active subscriptions through
 * `db`, decides each (event, subscription), and returns the deliveries to insert (those due now claimed
 * for `claim`) and the cursor to save. Aggregates are merged and inserted through `write` at once (the
 * next event of the batch must see them); without `write` (a plan made outside a transaction) it
 * answers `'aggregate'` as soon as one would be needed. Null when there is no event.
 */
async function fanOut(
  db: Db,
  write: Db | undefined,
  cursor: number,
  window: number,
  limit: number,
  settings: Pick<WebhookSettings, 'aggregationMs'>,
  claim: { limit: number; leaseMs: number } | undefined,
): Promise<
  { consumed: number; seqs: number[]; upTo: number; queued: DeliveryRow[]; claimed: DeliveryRow[]; reach: ReachMemo } | null | 'aggregate'
> {
  const events = await undispatchedEvents(db, cursor, window, limit)
  if (events.length === 0) return null
  const subs = await listActiveSubscriptions(db)
  const nowMs = Date.now()
  const memo: ReachMemo = new Map()
  const queued: DeliveryRow[] = []
  for (const ev of events) {
    if (!ev.workspaceId) continue
    const relevant = subs.filter((s) => ev.seq > s.start_seq)
    if (relevant.length === 0) continue
    const candidates = await webhookEventsOf(db, ev)
    for (const c of candidates) {
      const spec = WEBHOOK_EVENTS[c.type]
      for (const sub of relevant) {
        const { decision } = await decide(db, sub, c.type, c.workspaceId, c.accessId, memo)
        if (decision.type !== 'deliver') continue
        const data = dataFor(c, sub.api_version)
        const aggregated = spec?.aggregated && settings.aggregationMs > 0
        if (aggregated && !write) return 'aggregate'
        if (aggregated && write) {
          const open = await findOpenAggregate(write, sub.id, c.type, c.entity.id, iso(nowMs))
          if (open) {
            const merged = mergeAggregate(
              { authors: JSON.parse(open.authors), data: open.data ? JSON.parse(open.data) : null },
              { ...c, data },
            )
            const ok = await mergeIntoAggregate(write, open.id, {
              authors: JSON.stringify(merged.authors),
              data: merged.data ? JSON.stringify(merged.data) : null,
              timestamp: c.timestamp,
            })
            if (ok) continue
          }
        }
        const row = newDelivery(sub, {
          kind: 'event',
          type: c.type,
          workspaceId: c.workspaceId,
          entity: c.entity,
          accessId: c.accessId,
          timestamp: c.timestamp,
          authors: c.authors,
          data,
          dueMs: nowMs + (spec?.aggregated ? settings.aggregationMs : 0),
        })
        // An aggregate must be visible to the next event of the batch; others go in one statement.
        if (aggregated && write) await insertDeliveries(write, [row])
        else queued.push(row)
      }
    }
  }
  const claimed: DeliveryRow[] = []
  if (claim)
    for (const row of queued) {
      if (claimed.length >= claim.limit) break
      if (row.next_attempt_time > iso(nowMs)) continue
      Object.assign(row, { status: 'delivering', attempts: 1, lease_until: iso(nowMs + claim.leaseMs) })
      claimed.push(row)
    }
  const seqs = events.map((e) => e.seq)
  return { consumed: events.length, seqs, upTo: Math.max(cursor, ...seqs), queued, claimed, reach: memo }
}

/** A new pending delivery row for `sub`. */
export function newDelivery(
  sub: Pick<SubscriptionRow, 'id'>,
  d: {
    kind: DeliveryRow['kind']
    type: string
    workspaceId: string | null
    entity: { id: string; type: string } | null
    accessId: string | null
    timestamp: string
    authors: { id: string; type: string }[]
    data: Record<string, unknown> | null
    dueMs: number
  },
): DeliveryRow {
  return {
    id: randomUUID(),
    subscription_id: sub.id,
    kind: d.kind,
    type: d.type,
    workspace_id: d.workspaceId,
    entity_id: d.entity?.id ?? null,
    entity_type: d.entity?.type ?? null,
    access_id: d.accessId,
    timestamp: d.timestamp,
    authors: JSON.stringify(d.authors),
    data: d.data ? JSON.stringify(d.data) : null,
    status: 'pending',
    attempts: 0,
    next_attempt_time: iso(d.dueMs),
    lease_until: null,
    last_attempt_time: null,
    last_status_code: null,
    last_error: null,
    last_duration_ms: null,
    last_payload: null,
    created_time: iso(Date.now()),
  }
}

/** Claims up to `limit` due deliveries for one attempt each, leased for `leaseMs`. */
export async function claimDue(deps: Pick<WebhookDeps, 'store'>, limit: number, leaseMs: number): Promise<DeliveryRow[]> {
  const now = Date.now()
  if (!(await hasDueDeliveries(deps.store.db, iso(now)))) return []
  return deps.store.transaction((trx) => claimDueDeliveries(trx, iso(now), iso(now + leaseMs), limit))
}

/** The sealed-token context of a subscription (AES-GCM AAD). */
export const tokenContext = (subscriptionId: string) => `webhook|${subscriptionId}`

/**
 * The JSON body of an event delivery, in Notion's field order (SDK `BaseWebhookPayload`): `id`,
 * `timestamp`, `workspace_id`, `workspace_name`, `subscription_id`, `integration_id`, `type`,
 * `authors`, `accessible_by` (public connections only), `attempt_number`, `api_version`, `entity`,
 * `data` (when the event has one). Compact, as Notion sends it.
 */
export function eventBody(
  d: DeliveryRow,
  sub: SubscriptionRow,
  extra: { workspaceName: string; integrationId: string; accessibleBy: { id: string; type: string }[] | null },
): string {
  // Built as text: `authors` and `data` are stored as JSON text written by JSON.stringify (newDelivery,
  // mergeIntoAggregate), so they are spliced in as they are — the same bytes as parsing and
  // serialising them again, without either (ten subscriptions: ten bodies per event).
  const q = JSON.stringify
  let body = `{"id":${q(d.id)},"timestamp":${q(d.timestamp)},"workspace_id":${q(d.workspace_id)},"workspace_name":${q(extra.workspaceName)},"subscription_id":${q(sub.id)},"integration_id":${q(extra.integrationId)},"type":${q(d.type)},"authors":${d.authors}`
  if (extra.accessibleBy) body += `,"accessible_by":${q(extra.accessibleBy)}`
  body += `,"attempt_number":${q(d.attempts)},"api_version":${q(sub.api_version)}`
  if (d.entity_id) body += `,"entity":{"id":${q(d.entity_id)},"type":${q(d.entity_type)}}`
  if (d.data) body += `,"data":${d.data}`
  return `${body}}`
}

/**
 * One attempt of a claimed delivery (its `attempts` already counts this one): re-checks the
 * subscription and the connection's access, POSTs, records the outcome. Never throws for a
 * receiver's failure; a store failure propagates (the lease then expires and another attempt follows).
 */
export async function attemptDelivery(
  deps: WebhookDeps,
  settings: WebhookSettings,
  d: DeliveryRow,
  memo: AttemptMemo = newAttemptMemo(deps),
): Promise<void> {
  const db = deps.store.db
  const nowMs = Date.now()
  // One UPDATE each: atomic on its own, no transaction needed.
  const skip = (why: string) =>
    memo.record(d.id, {
      status: 'skipped',
      next_attempt_time: d.next_attempt_time,
      last_attempt_time: iso(nowMs),
      last_status_code: null,
      last_error: why,
      last_duration_ms: null,
      last_payload: d.last_payload,
    })
  const sub = await memo.once(`sub:${d.subscription_id}`, () => findSubscription(db, d.subscription_id))
  if (!sub) return
  let token: string
  try {
    token = await memo.once(`token:${sub.id}`, async () => deps.secrets.decrypt(sub.token_sealed, tokenContext(sub.id)))
  } catch {
    return skip('The verification token cannot be unsealed (another master key?).')
  }
  let body: string
  if (d.kind === 'verification') {
    body = JSON.stringify({ verification_token: token })
  } else {
    if (d.kind === 'event' && sub.status !== 'active')
      return skip(sub.status === 'paused' ? 'The subscription is paused.' : 'The subscription is not verified.')
    const workspaceId = d.workspace_id ?? sub.workspace_id
    let integrationId = sub.connection_id
    let accessibleBy: { id: string; type: string }[] | null = null
    if (d.kind === 'event') {
      const { decision, audience, accessibleBy: readers } = await decide(db, sub, d.type, workspaceId, d.access_id, memo.reach)
      if (decision.type !== 'deliver') return skip(`Not delivered: ${decision.reason.replaceAll('_', ' ')}.`)
      integrationId = audience?.integrationId ?? integrationId
      if (sub.connection_kind === 'public') accessibleBy = readers
    } else if (sub.connection_kind === 'public') accessibleBy = []
    const ws = await memo.once(`ws:${workspaceId}`, () => findWorkspace(db, workspaceId))
    body = eventBody(d, sub, { workspaceName: ws?.name ?? '', integrationId, accessibleBy })
  }
  const res = await postWebhook(
    sub.url,
    body,
    {
      'content-type': 'application/json',
      'user-agent': 'Octavo-Webhooks/1.0 (+notion-api-2026)',
      'x-notion-signature': signWebhookBody(body, token),
    },
    { timeoutMs: settings.timeoutMs, maxResponseBytes: settings.maxResponseBytes, allowPrivate: settings.allowPrivate },
  )
  const ok = res.status !== null && res.status >= 200 && res.status < 300
  const doneMs = Date.now()
  const next = ok ? null : nextAttemptAt(doneMs, d.attempts, { baseMs: settings.retryBaseMs, maxAttempts: settings.maxAttempts })
  await memo.record(d.id, {
    status: ok ? 'delivered' : next === null ? 'failed' : 'pending',
    next_attempt_time: next === null ? d.next_attempt_time : iso(next),
    last_attempt_time: iso(nowMs),
    last_status_code: res.status,
    last_error: ok ? null : (res.error ?? `The receiver answered ${res.status}.`),
    last_duration_ms: res.durationMs,
    // The handshake's body is the token itself: never kept.
    last_payload: d.kind === 'verification' ? null : body,
  })
}

/**
 * Reads shared by the attempts of one claim batch (claimed together, milliseconds apart): the
 * subscriptions, their unsealed tokens, workspaces, and each connection's reach of each entity; and
 * how an attempt's outcome is recorded (`record`: by default one UPDATE at once; the worker passes
 * one that gathers outcomes and writes them in one transaction).
 */
export interface AttemptMemo {
  reach: ReachMemo
  once<T>(key: string, load: () => Promise<T>): Promise<T>
  record(id: string, outcome: AttemptOutcome): Promise<void>
}

export function newAttemptMemo(
  deps: Pick<Deps, 'store'>,
  record: (id: string, outcome: AttemptOutcome) => Promise<void> = (id, outcome) => recordAttempt(deps.store.db, id, outcome),
  reach: ReachMemo = new Map(),
): AttemptMemo {
  const values = new Map<string, Promise<unknown>>()
  return {
    record,
    reach,
    once: <T>(key: string, load: () => Promise<T>) => {
      let v = values.get(key) as Promise<T> | undefined
      if (!v) {
        v = load()
        values.set(key, v)
      }
      return v
    },
  }
}
