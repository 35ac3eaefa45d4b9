import { SqliteAdapter, sql, type ExpressionBuilder } from 'kysely'
import { v7 as uuidv7 } from 'uuid'
import type { Database } from '../database.js'
import type { Db } from '../store.js'
import { compiledOnce } from './compiled.js'

/**
 * The change-event outbox (ADR 15). Every repository write function appends its events here with
 * the same `db` (the caller's transaction), so an event exists exactly when its change committed.
 * Readers: the audit log (`audit.repository.ts`), and later webhooks and cache invalidation.
 */

/** Who made a change: `user:<id>`, `bot:<id>`, `admin` (the admin key), `admin_api` or `system`. */
export type Actor = string

/** One change to append. `type` is `<object>.<change>`; `data` is JSON-serialisable and never a secret. */
export interface NewChangeEvent {
  workspaceId: string | null
  type: string
  objectType?: string | null
  objectId?: string | null
  actor: Actor
  /** ISO-8601 UTC with milliseconds, from the request's clock. */
  time: string
  data?: Record<string, unknown> | null
}

/** A stored change event (`data` parsed). */
export interface ChangeEvent {
  seq: number
  id: string
  workspaceId: string | null
  type: string
  objectType: string | null
  objectId: string | null
  actor: Actor
  time: string
  data: Record<string, unknown> | null
}

/**
 * Appends `events` to the outbox in order, in the caller's transaction `db`. Event ids are UUIDv7
 * (RFC 9562, time-ordered): the unique index on `id` then grows at its end like `seq`, where random
 * UUIDs touched a random leaf page per event and wrote each to the WAL at commit (a 100-block append
 * wrote 100 such pages; bench/RESULTS.md, "Issue 13's bound").
 */
export async function appendEvents(db: Db, events: NewChangeEvent[]): Promise<void> {
  if (events.length === 0) return
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) {
    // PostgreSQL: the transaction holds its id before it takes a `seq` (see `EventLogPosition.horizon`).
    if (!db.isTransaction) return db.transaction().execute((trx) => appendEvents(trx, events))
    if (!withTransactionId.has(db)) {
      await takeTransactionId(db)
      withTransactionId.add(db)
    }
  }
  // In chunks: one statement of 10,000 events would bind 80,000 values (SQLite allows 32,766).
  for (let i = 0; i < events.length; i += EVENTS_PER_STATEMENT) await insertEvents(db, events.slice(i, i + EVENTS_PER_STATEMENT))
}

/**
 * PostgreSQL transactions known to hold a transaction id (xid). PostgreSQL assigns one at a
 * transaction's first write; an insert into `change_event` takes its `seq` (`nextval`) before its row
 * is written, so an append that is its transaction's first write would take a `seq` while the
 * transaction still has no id, and a reader's snapshot could not account for it. Appends therefore
 * ask for the id first (`pg_current_xact_id()` assigns it), once per transaction.
 */
const withTransactionId = new WeakSet<Db>()
const takeTransactionId = compiledOnce(0, (db) => db.selectNoFrom(sql<string>`pg_current_xact_id()::text`.as('xid')))

/** Events per INSERT: 8 values each, 16,000 bound values (under SQLite's 32,766 and PostgreSQL's 65,535). */
const EVENTS_PER_STATEMENT = 2_000

const EVENT_COLUMNS = ['id', 'workspace_id', 'type', 'object_type', 'object_id', 'actor', 'time', 'data'] as const

/** One event's insert (most writes append one), compiled once. */
const insertOneEvent = compiledOnce(EVENT_COLUMNS.length, (db, ...p) =>
  db.insertInto('change_event').values(Object.fromEntries(EVENT_COLUMNS.map((c, i) => [c, p[i]])) as never),
)

/** The stored row of a new event: a fresh UUIDv7, its object type from its type when not given, `data` as JSON text. */
function eventRow(e: NewChangeEvent) {
  return {
    id: uuidv7(),
    workspace_id: e.workspaceId ?? null,
    type: e.type,
    object_type: e.objectType ?? objectTypeOf(e.type),
    object_id: e.objectId ?? null,
    actor: e.actor,
    time: e.time,
    data: e.data ? JSON.stringify(e.data) : null,
  } satisfies Record<(typeof EVENT_COLUMNS)[number], unknown>
}

async function insertEvents(db: Db, events: NewChangeEvent[]): Promise<void> {
  if (events.length === 0) return
  if (events.length === 1) {
    const row = eventRow(events[0] as NewChangeEvent)
    await insertOneEvent(db, ...EVENT_COLUMNS.map((c) => row[c]))
    return
  }
  await db.insertInto('change_event').values(events.map(eventRow)).execute()
}

/** Appends one event; see appendEvents. */
export function appendEvent(db: Db, event: NewChangeEvent): Promise<void> {
  return appendEvents(db, [event])
}

/**
 * Events after `afterSeq` in sequence order, at most `limit` (default 1,000), optionally of one
 * workspace and of the given types (exact names, or prefixes written `page.*`).
 */
export async function listEvents(
  db: Db,
  opts: { afterSeq?: number; limit?: number; workspaceId?: string; types?: string[] } = {},
): Promise<ChangeEvent[]> {
  let q = db
    .selectFrom('change_event')
    .selectAll()
    .where('seq', '>', opts.afterSeq ?? 0)
  if (opts.workspaceId) q = q.where('workspace_id', '=', opts.workspaceId)
  if (opts.types?.length) {
    const types = opts.types
    // Prefixes as key ranges (portable: no LIKE escaping differences between dialects).
    q = q.where((eb) =>
      eb.or(
        types.map((t) =>
          t.endsWith('*') ? eb.and([eb('type', '>=', t.slice(0, -1)), eb('type', '<', `${t.slice(0, -1)}\u{10FFFF}`)]) : eb('type', '=', t),
        ),
      ),
    )
  }
  const rows = await q
    .orderBy('seq')
    .limit(opts.limit ?? 1000)
    .execute()
  return rows.map(toEvent)
}

/** The highest `seq` so far (0 on an empty outbox). */
export async function lastEventSeq(db: Db): Promise<number> {
  const row = await db
    .selectFrom('change_event')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst()
  return Number(row?.seq ?? 0)
}

/** What the in-process caches need of an event (services/caches.ts): its position, workspace and type. */
export interface EventStamp {
  seq: number
  workspaceId: string | null
  type: string
}

// The limits of the two statements below are literals, not parameters: PostgreSQL plans a named
// statement whose `limit` is a parameter again on every execution (a custom plan: the generic plan's
// row estimate for an unknown limit costs more), which made the position read cost ≈ 3× a point read
// of PostgreSQL's CPU (bench/RESULTS.md, session 7).
const stampsAfter = compiledOnce(1, (db, after) =>
  db
    .selectFrom('change_event')
    .select(['seq', 'workspace_id', 'type'])
    .where('seq', '>', after as unknown as number)
    .orderBy('seq')
    .limit(sql.lit(EVENT_STAMP_LIMIT)),
)

/**
 * The highest `seq` and the oldest event's id, as two scalar subqueries of one `select`; on PostgreSQL
 * also the bounds of `EventLogPosition.horizon`, as text. (`age()` of a special id such as 0–2, which
 * `xmax` can be only at the 32-bit wraparound, is 2^31 − 1: `next` is then too high, so no gap closes
 * early.)
 */
function positionColumns(db: Db, eb: ExpressionBuilder<Database, never>) {
  const columns = [
    eb
      .selectFrom('change_event')
      .select((e) => e.fn.max('seq').as('m'))
      .as('last'),
    eb.selectFrom('change_event').select('id').orderBy('seq').limit(sql.lit(1)).as('first_id'),
  ]
  if (db.getExecutor().adapter instanceof SqliteAdapter) return columns
  return [
    ...columns,
    sql<string>`pg_snapshot_xmin(pg_current_snapshot())::text`.as('xmin'),
    sql<string>`(pg_snapshot_xmax(pg_current_snapshot())::text::bigint + age(xid(pg_snapshot_xmax(pg_current_snapshot()))))::text`.as(
      'next_xid',
    ),
  ]
}

const position = compiledOnce(0, (db) => db.selectNoFrom((eb) => positionColumns(db, eb)))

// The same, and how many of a list of `seq`s exist: the list is one parameter (a JSON array on SQLite,
// an array literal on PostgreSQL), so one statement text serves every list.
const positionAndPending = compiledOnce(1, (db, seqs) => {
  const among =
    db.getExecutor().adapter instanceof SqliteAdapter
      ? sql<boolean>`seq in (select value from json_each(${seqs}))`
      : sql<boolean>`seq = any(${seqs}::bigint[])`
  return db.selectNoFrom((eb) => [
    ...positionColumns(db, eb),
    eb
      .selectFrom('change_event')
      .select((e) => e.fn.countAll().as('n'))
      .where(among)
      .as('filled'),
  ])
})

/** Where the outbox stands (`eventLogPosition`). */
export interface EventLogPosition {
  /** The highest `seq`; 0 when the outbox is empty. */
  last: number
  /** The id of the oldest event; null when the outbox is empty. */
  firstId: string | null
  /** How many of the `pending` seqs asked about exist now (0 when none were asked about). */
  filled: number
  /**
   * PostgreSQL only, read outside a transaction (undefined otherwise): transaction ids (64-bit, exact as
   * numbers below 2^53) that bound which writers may still be running.
   * - `xmin`: `pg_snapshot_xmin(pg_current_snapshot())`. Every transaction with an id below it had
   *   ended when the statement's snapshot was taken: what it committed is visible in this read.
   * - `next`: the next id to be assigned, read after that snapshot (`age()` counts from it in a
   *   statement that holds no id: `pg_snapshot_xmax` plus `age` of it). Every transaction that held
   *   an id by then holds one below it. `pg_snapshot_xmax` is not such a bound: it is one past the
   *   highest *completed* id, and a running transaction may hold a higher one.
   *
   * A transaction takes its id before its events take their `seq`s (`appendEvents`). So a `seq` seen
   * missing, whose next read gave `next` N, was taken by a transaction with an id below N. Once a read
   * gives `xmin` ≥ N, that transaction has ended: its event is visible in that read, or it never will be.
   * Source: PostgreSQL 15, "System Information Functions and Operators"
   * (https://www.postgresql.org/docs/15/functions-info.html).
   */
  horizon?: { xmin: number; next: number }
}

/**
 * Where the outbox stands: the highest `seq` (0 when empty), the id of its oldest event (null when
 * empty), and how many of `pending` (the gaps a reader waits for, see `eventStampsAt`) exist now. Two
 * index reads in one statement, three with `pending`; each form compiled once. A reader that remembers
 * the first two notices when the log was emptied and restarted (the admin reset, an import): the oldest
 * id changes. Counting the pending `seq`s in the same statement spares a reader that waits for a gap
 * (services/caches.ts) a second round trip on every sync while it stays open. On PostgreSQL it also
 * returns the statement snapshot's bounds (`horizon`), by which that reader closes a gap whose
 * transaction ended without committing at once, instead of probing for it until it times out.
 */
export async function eventLogPosition(db: Db, pending: readonly number[] = []): Promise<EventLogPosition> {
  const [row] =
    pending.length === 0
      ? await position(db)
      : await positionAndPending(
          db,
          db.getExecutor().adapter instanceof SqliteAdapter ? `[${pending.join(',')}]` : `{${pending.join(',')}}`,
        )
  // Inside a transaction that holds an id, `age()` counts from that id, not from the next one.
  const bounds = db.isTransaction ? undefined : (row as { xmin?: string; next_xid?: string } | undefined)
  return {
    last: Number(row?.last ?? 0),
    firstId: (row?.first_id as string | null | undefined) ?? null,
    filled: Number((row as { filled?: unknown } | undefined)?.filled ?? 0),
    ...(bounds?.xmin !== undefined && bounds.next_xid !== undefined
      ? { horizon: { xmin: Number(bounds.xmin), next: Number(bounds.next_xid) } }
      : {}),
  }
}

/** At most this many stamps per `eventStampsAfter` call. */
export const EVENT_STAMP_LIMIT = 500

/**
 * The events after `afterSeq` in `seq` order, at most `EVENT_STAMP_LIMIT`, as stamps: one read of
 * the primary key's range (no row when nothing changed), compiled once. The caches' per-request check.
 */
export async function eventStampsAfter(db: Db, afterSeq: number): Promise<EventStamp[]> {
  const rows = await stampsAfter(db, afterSeq)
  return rows.map((r) => ({ seq: Number(r.seq), workspaceId: r.workspace_id, type: r.type }))
}

/**
 * The events among `seqs`, as stamps in `seq` order (at most `seqs.length`; none for none): the gaps a
 * reader of the log waits for (PostgreSQL transactions that took a `seq` and had not committed when it
 * read past them). Read only once the position read counted one that filled (`eventLogPosition`), so
 * not compiled.
 */
export async function eventStampsAt(db: Db, seqs: readonly number[]): Promise<EventStamp[]> {
  if (seqs.length === 0) return []
  const rows = await db.selectFrom('change_event').select(['seq', 'workspace_id', 'type']).where('seq', 'in', seqs).orderBy('seq').execute()
  return rows.map((r) => ({ seq: Number(r.seq), workspaceId: r.workspace_id, type: r.type }))
}

/**
 * Empties the outbox for a store reset and appends one `store.reset` event (no workspace) in its
 * place, keeping `seq` monotonic on both dialects: the newest row is deleted only after the reset
 * event took the next value, because SQLite's rowid would otherwise start again at 1 and a reader
 * resuming after its last `seq` (webhooks, caches) would skip every later event.
 */
export async function resetEvents(db: Db, at: { actor: Actor; time: string }): Promise<void> {
  const newest = await lastEventSeq(db)
  await db.deleteFrom('change_event').where('seq', '<', newest).execute()
  await appendEvent(db, { workspaceId: null, type: 'store.reset', objectType: 'store', actor: at.actor, time: at.time })
  await db.deleteFrom('change_event').where('seq', '=', newest).execute()
}

/** `page` for `page.created`; null for a type without a dot. */
function objectTypeOf(type: string): string | null {
  const dot = type.indexOf('.')
  return dot > 0 ? type.slice(0, dot) : null
}

function toEvent(r: {
  seq: number
  id: string
  workspace_id: string | null
  type: string
  object_type: string | null
  object_id: string | null
  actor: string
  time: string
  data: string | null
}): ChangeEvent {
  return {
    seq: Number(r.seq),
    id: r.id,
    workspaceId: r.workspace_id,
    type: r.type,
    objectType: r.object_type,
    objectId: r.object_id,
    actor: r.actor,
    time: r.time,
    data: r.data ? (JSON.parse(r.data) as Record<string, unknown>) : null,
  }
}
