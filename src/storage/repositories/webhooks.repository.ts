import { PostgresAdapter } from 'kysely'
import type { WebhookDeliveryTable, WebhookSubscriptionTable } from '../database.js'
import type { Db } from '../store.js'
import { compiledOnce } from './compiled.js'
import type { At } from './at.js'
import { appendEvents, type ChangeEvent } from './events.repository.js'

/**
 * Webhook subscriptions and their delivery outbox (migration 0012-webhooks, docs/adr/0021-webhooks.md).
 *
 * Write paths and their change events (ADR 15): `insertSubscription` (`webhook.created`),
 * `updateSubscription` (`webhook.updated` with `data.fields`, or `webhook.verified`, `webhook.paused`,
 * `webhook.resumed` for a status change), `deleteSubscription` (`webhook.deleted`); each with
 * `object_id` = the subscription id and never the token. Deliveries are the outbox's operational
 * state (like the cursor), not workspace objects: they append no events, so the dispatcher never
 * reads its own bookkeeping back.
 */

export type SubscriptionRow = WebhookSubscriptionTable
export type DeliveryRow = WebhookDeliveryTable

/** Stores a new subscription and appends `webhook.created` (`data: {connection_id, url, event_types}`). */
export async function insertSubscription(db: Db, row: SubscriptionRow, at: At): Promise<void> {
  await db.insertInto('webhook_subscription').values(row).execute()
  await appendEvents(db, [
    {
      workspaceId: row.workspace_id,
      type: 'webhook.created',
      objectId: row.id,
      actor: at.actor,
      time: at.time,
      data: { connection_id: row.connection_id, url: row.url, event_types: JSON.parse(row.event_types) as string[] },
    },
  ])
}

/** One subscription by id. */
export async function findSubscription(db: Db, id: string): Promise<SubscriptionRow | undefined> {
  return db.selectFrom('webhook_subscription').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The subscriptions of a connection (internal or public), oldest first. */
export async function listSubscriptionsOfConnection(db: Db, connectionId: string): Promise<SubscriptionRow[]> {
  return db
    .selectFrom('webhook_subscription')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .orderBy('created_time')
    .orderBy('id')
    .execute()
}

/** Every active subscription (what the dispatcher fans events out to). */
export async function listActiveSubscriptions(db: Db): Promise<SubscriptionRow[]> {
  return db.selectFrom('webhook_subscription').selectAll().where('status', '=', 'active').execute()
}

/** The columns of a subscription `updateSubscription` may change. */
export type SubscriptionPatch = Partial<
  Pick<SubscriptionRow, 'url' | 'event_types' | 'api_version' | 'status' | 'verified_time' | 'start_seq'>
>

/**
 * Updates subscription `sub` (as read before) and appends its event: `webhook.verified`,
 * `webhook.paused` or `webhook.resumed` when the status changes that way, and `webhook.updated` with
 * `data.fields` (of `url`, `event_types`, `api_version`) when any of those changes.
 */
export async function updateSubscription(db: Db, sub: SubscriptionRow, patch: SubscriptionPatch, at: At): Promise<void> {
  await db.updateTable('webhook_subscription').set(patch).where('id', '=', sub.id).execute()
  const base = { workspaceId: sub.workspace_id, objectId: sub.id, actor: at.actor, time: at.time }
  const events = []
  if (patch.status !== undefined && patch.status !== sub.status) {
    const type =
      sub.status === 'pending_verification' ? 'webhook.verified' : patch.status === 'paused' ? 'webhook.paused' : 'webhook.resumed'
    events.push({ ...base, type })
  }
  const fields = (['url', 'event_types', 'api_version'] as const).filter((k) => patch[k] !== undefined && patch[k] !== sub[k])
  if (fields.length > 0) events.push({ ...base, type: 'webhook.updated', data: { fields } })
  await appendEvents(db, events)
}

/** Deletes a subscription and its delivery log; appends `webhook.deleted`. */
export async function deleteSubscription(db: Db, sub: SubscriptionRow, at: At): Promise<void> {
  await db.deleteFrom('webhook_delivery').where('subscription_id', '=', sub.id).execute()
  await db.deleteFrom('webhook_subscription').where('id', '=', sub.id).execute()
  await appendEvents(db, [{ workspaceId: sub.workspace_id, type: 'webhook.deleted', objectId: sub.id, actor: at.actor, time: at.time }])
}

// ---------------------------------------------------------------------------------------------
// Deliveries

/** Queues deliveries (status `pending`). */
export async function insertDeliveries(db: Db, rows: DeliveryRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK)
    const params: unknown[] = []
    for (const row of chunk) for (const c of DELIVERY_COLUMNS) params.push(row[c])
    await insertDeliveriesQuery(chunk.length)(db, ...params)
  }
}

/** Rows per INSERT statement at most. */
const INSERT_CHUNK = 200

const DELIVERY_COLUMNS = [
  'id',
  'subscription_id',
  'kind',
  'type',
  'workspace_id',
  'entity_id',
  'entity_type',
  'access_id',
  'timestamp',
  'authors',
  'data',
  'status',
  'attempts',
  'next_attempt_time',
  'lease_until',
  'last_attempt_time',
  'last_status_code',
  'last_error',
  'last_duration_ms',
  'last_payload',
  'created_time',
] as const satisfies readonly (keyof DeliveryRow)[]
// Every column of the table is listed (a compile error otherwise).
const everyDeliveryColumn: Exclude<keyof DeliveryRow, (typeof DELIVERY_COLUMNS)[number]> extends never ? true : never = true
void everyDeliveryColumn

// The fan-out's INSERT of n rows, compiled once per n (compiled.ts): with ten subscriptions it runs
// for every write, and building a 10-row, 21-column Kysely insert cost more than running it.
const insertQueries = new Map<number, ReturnType<typeof compiledOnce>>()
function insertDeliveriesQuery(n: number): ReturnType<typeof compiledOnce> {
  let q = insertQueries.get(n)
  if (!q) {
    q = compiledOnce(n * DELIVERY_COLUMNS.length, (db, ...ph) =>
      db
        .insertInto('webhook_delivery')
        .values(
          Array.from({ length: n }, (_, r) =>
            Object.fromEntries(DELIVERY_COLUMNS.map((c, k) => [c, ph[r * DELIVERY_COLUMNS.length + k]])),
          ) as unknown as DeliveryRow[],
        ),
    )
    insertQueries.set(n, q)
  }
  return q
}

/**
 * The pending, never-attempted delivery of `type` about `entityId` for a subscription whose
 * aggregation window is still open (`next_attempt_time` after `now`, ISO-8601): what a new event of
 * the same kind merges into.
 */
export async function findOpenAggregate(
  db: Db,
  subscriptionId: string,
  type: string,
  entityId: string,
  now: string,
): Promise<DeliveryRow | undefined> {
  return db
    .selectFrom('webhook_delivery')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .where('type', '=', type)
    .where('entity_id', '=', entityId)
    .where('status', '=', 'pending')
    .where('attempts', '=', 0)
    .where('next_attempt_time', '>', now)
    .orderBy('created_time', 'desc')
    .limit(1)
    .executeTakeFirst()
}

/** Replaces an open aggregate's authors, data and timestamp; false when it was claimed meanwhile. */
export async function mergeIntoAggregate(db: Db, id: string, next: Pick<DeliveryRow, 'authors' | 'data' | 'timestamp'>): Promise<boolean> {
  const res = await db
    .updateTable('webhook_delivery')
    .set(next)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('attempts', '=', 0)
    .executeTakeFirst()
  return Number(res.numUpdatedRows) === 1
}

/**
 * Claims up to `limit` deliveries due at `now` (pending and due, or `delivering` with an expired
 * lease: a node died mid-send) for one attempt: status `delivering`, `attempts + 1`, leased until
 * `leaseUntil`. Run it in a transaction. On PostgreSQL the candidates are locked with
 * `FOR UPDATE SKIP LOCKED`, so concurrent nodes claim disjoint rows; SQLite has one writer.
 * @returns the claimed rows as updated.
 */
export async function claimDueDeliveries(db: Db, now: string, leaseUntil: string, limit: number): Promise<DeliveryRow[]> {
  if (limit <= 0) return []
  const pg = db.getExecutor().adapter instanceof PostgresAdapter
  // Two queries rather than one OR: the due pending rows in `next_attempt_time` order straight from
  // the (status, next_attempt_time) index, without sorting a whole backlog; expired leases are few.
  let due = db
    .selectFrom('webhook_delivery')
    .select(['id', 'next_attempt_time'])
    .where('status', '=', 'pending')
    .where('next_attempt_time', '<=', now)
    .orderBy('next_attempt_time')
    .limit(limit)
  let lapsed = db
    .selectFrom('webhook_delivery')
    .select(['id', 'next_attempt_time'])
    .where('status', '=', 'delivering')
    .where('lease_until', '<', now)
    .orderBy('next_attempt_time')
    .limit(limit)
  if (pg) {
    due = due.forUpdate().skipLocked()
    lapsed = lapsed.forUpdate().skipLocked()
  }
  const candidates = [...(await lapsed.execute()), ...(await due.execute())]
  candidates.sort((a, b) => (a.next_attempt_time < b.next_attempt_time ? -1 : a.next_attempt_time > b.next_attempt_time ? 1 : 0))
  const ids = candidates.slice(0, limit).map((r) => r.id)
  if (ids.length === 0) return []
  const rows = await db
    .updateTable('webhook_delivery')
    .set((eb) => ({ status: 'delivering', lease_until: leaseUntil, attempts: eb('attempts', '+', 1) }))
    .where('id', 'in', ids)
    .returningAll()
    .execute()
  return rows.sort((a, b) => (a.next_attempt_time < b.next_attempt_time ? -1 : a.next_attempt_time > b.next_attempt_time ? 1 : 0))
}

/** The outcome of one attempt. */
export type AttemptOutcome = Pick<
  DeliveryRow,
  'status' | 'next_attempt_time' | 'last_attempt_time' | 'last_status_code' | 'last_error' | 'last_duration_ms' | 'last_payload'
>

// Built once (compiled.ts): one per attempt, the hottest statement of the worker.
const recordAttemptQuery = compiledOnce(8, (db, status, next, last, code, error, duration, payload, id) =>
  db
    .updateTable('webhook_delivery')
    .set({
      status: status as AttemptOutcome['status'],
      next_attempt_time: next as string,
      last_attempt_time: last as string,
      last_status_code: code as unknown as number,
      last_error: error as string,
      last_duration_ms: duration as unknown as number,
      last_payload: payload as string,
      lease_until: null,
    })
    .where('id', '=', id as string),
)

/** Records an attempt's outcome on a claimed delivery and releases its lease. */
export async function recordAttempt(db: Db, id: string, outcome: AttemptOutcome): Promise<void> {
  const o = outcome
  await recordAttemptQuery(
    db,
    o.status,
    o.next_attempt_time,
    o.last_attempt_time,
    o.last_status_code,
    o.last_error,
    o.last_duration_ms,
    o.last_payload,
    id,
  )
}

/**
 * Records the outcomes of several attempts (one UPDATE each, one prepared statement); run it in a
 * transaction so they cost one commit (the worker flushes its finished attempts this way).
 */
export async function recordAttempts(db: Db, outcomes: { id: string; outcome: AttemptOutcome }[]): Promise<void> {
  for (const o of outcomes) await recordAttempt(db, o.id, o.outcome)
}

/** One delivery by id. */
export async function findDelivery(db: Db, id: string): Promise<DeliveryRow | undefined> {
  return db.selectFrom('webhook_delivery').selectAll().where('id', '=', id).executeTakeFirst()
}

/**
 * A subscription's deliveries, newest first (`created_time`, then id), at most `limit`, starting after
 * the delivery `cursor` (an id from a previous page).
 */
export async function listDeliveries(db: Db, subscriptionId: string, limit: number, cursor?: DeliveryRow): Promise<DeliveryRow[]> {
  let q = db
    .selectFrom('webhook_delivery')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .orderBy('created_time', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
  if (cursor) {
    const c = cursor
    q = q.where((eb) =>
      eb.or([eb('created_time', '<', c.created_time), eb.and([eb('created_time', '=', c.created_time), eb('id', '<', c.id)])]),
    )
  }
  return q.execute()
}

/** Queues a finished delivery again (redeliver): pending, due at `now`; its attempt count goes on. */
export async function requeueDelivery(db: Db, id: string, now: string): Promise<void> {
  await db
    .updateTable('webhook_delivery')
    .set({ status: 'pending', next_attempt_time: now, lease_until: null })
    .where('id', '=', id)
    .execute()
}

// ---------------------------------------------------------------------------------------------
// The dispatcher's cursor over the outbox

const CURSOR = 'dispatcher'

/**
 * The dispatcher's cursor, locked for this transaction on PostgreSQL (`FOR UPDATE`: one node fans
 * out at a time); created at the outbox's current end when missing (after a reset).
 */
export async function lockCursor(db: Db): Promise<number> {
  let q = db.selectFrom('webhook_cursor').select('seq').where('name', '=', CURSOR)
  if (db.getExecutor().adapter instanceof PostgresAdapter) q = q.forUpdate()
  const row = await q.executeTakeFirst()
  if (row) return Number(row.seq)
  const max = await db
    .selectFrom('change_event')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst()
  const seq = Number(max?.seq ?? 0)
  await db.insertInto('webhook_cursor').values({ name: CURSOR, seq }).execute()
  return seq
}

/** Moves the dispatcher's cursor to `seq`. */
export async function saveCursor(db: Db, seq: number): Promise<void> {
  await db.updateTable('webhook_cursor').set({ seq }).where('name', '=', CURSOR).execute()
}

/**
 * Change events not yet fanned out: those after `cursor - window` that `webhook_dispatched` does not
 * hold, in `seq` order, at most `limit`. The window re-reads a stretch behind the cursor, where a
 * PostgreSQL transaction that took its `seq` early may commit late.
 */
export async function undispatchedEvents(db: Db, cursor: number, window: number, limit: number): Promise<ChangeEvent[]> {
  const from = Math.max(0, cursor - window)
  const rows = await db
    .selectFrom('change_event')
    .selectAll()
    .where('seq', '>', from)
    .where((eb) => eb('seq', 'not in', eb.selectFrom('webhook_dispatched').select('seq').where('seq', '>', from)))
    .orderBy('seq')
    .limit(limit)
    .execute()
  return rows.map((r) => ({
    seq: Number(r.seq),
    id: r.id,
    workspaceId: r.workspace_id,
    type: r.type,
    objectType: r.object_type,
    objectId: r.object_id,
    actor: r.actor,
    time: r.time,
    data: r.data ? (JSON.parse(r.data) as Record<string, unknown>) : null,
  }))
}

/** Marks events as fanned out and forgets marks below `cursor - window`. */
export async function markDispatched(db: Db, seqs: number[], cursor: number, window: number): Promise<void> {
  for (let i = 0; i < seqs.length; i += 500)
    await db
      .insertInto('webhook_dispatched')
      .values(seqs.slice(i, i + 500).map((seq) => ({ seq })))
      .execute()
  await db
    .deleteFrom('webhook_dispatched')
    .where('seq', '<=', Math.max(0, cursor - window))
    .execute()
}

/** The dispatcher's cursor without locking it; undefined when missing (a new or reset store). */
export async function readCursor(db: Db): Promise<number | undefined> {
  const row = await db.selectFrom('webhook_cursor').select('seq').where('name', '=', CURSOR).executeTakeFirst()
  return row ? Number(row.seq) : undefined
}

/** Whether any subscription is active (one indexed probe). */
export async function hasActiveSubscriptions(db: Db): Promise<boolean> {
  const row = await db.selectFrom('webhook_subscription').select('id').where('status', '=', 'active').limit(1).executeTakeFirst()
  return row !== undefined
}

/** Whether a delivery is due at `now` (pending and due, or claimed with an expired lease). */
export async function hasDueDeliveries(db: Db, now: string): Promise<boolean> {
  const pending = await db
    .selectFrom('webhook_delivery')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_time', '<=', now)
    .limit(1)
    .executeTakeFirst()
  if (pending) return true
  const stale = await db
    .selectFrom('webhook_delivery')
    .select('id')
    .where('status', '=', 'delivering')
    .where('lease_until', '<', now)
    .limit(1)
    .executeTakeFirst()
  return stale !== undefined
}

const SWEEP = 'sweep'

/**
 * Takes the retention sweep's turn: true when no other node holds it (PostgreSQL: the `sweep` row of
 * `webhook_cursor` locked `FOR UPDATE SKIP LOCKED` for this transaction) and the last sweep, whose
 * time in epoch ms the row keeps, is at least `everyMs` before `nowMs`; the row then records `nowMs`.
 * Run it in a transaction, the sweep's deletes in the same one.
 */
export async function takeSweepTurn(db: Db, nowMs: number, everyMs: number): Promise<boolean> {
  let q = db.selectFrom('webhook_cursor').select('seq').where('name', '=', SWEEP)
  if (db.getExecutor().adapter instanceof PostgresAdapter) q = q.forUpdate().skipLocked()
  const row = await q.executeTakeFirst()
  if (!row) {
    // A missing row: create it (a concurrent creator makes this insert a no-op and the other node sweeps).
    const ins = await db
      .insertInto('webhook_cursor')
      .values({ name: SWEEP, seq: nowMs })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst()
    return Number(ins.numInsertedOrUpdatedRows ?? 0) > 0
  }
  if (Number(row.seq) > nowMs - everyMs) return false
  await db.updateTable('webhook_cursor').set({ seq: nowMs }).where('name', '=', SWEEP).execute()
  return true
}

/**
 * Deletes up to `limit` finished deliveries (`delivered`, `failed`, `skipped`) created before
 * `beforeIso`; pending and in-flight ones are kept whatever their age. @returns how many it deleted.
 */
export async function deleteOldDeliveries(db: Db, beforeIso: string, limit: number): Promise<number> {
  const ids = (
    await db
      .selectFrom('webhook_delivery')
      .select('id')
      .where('status', 'in', ['delivered', 'failed', 'skipped'])
      .where('created_time', '<', beforeIso)
      .limit(limit)
      .execute()
  ).map((r) => r.id)
  if (ids.length === 0) return 0
  await db.deleteFrom('webhook_delivery').where('id', 'in', ids).execute()
  return ids.length
}
