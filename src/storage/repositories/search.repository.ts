import { createHash } from 'node:crypto'
import { SqliteAdapter, sql, type RawBuilder } from 'kysely'
import type { BlockRow } from './blocks.repository.js'
import type { DataSourceRow } from './data-sources.repository.js'
import type { Db } from '../store.js'
import { textMatches } from './text-match.js'

/**
 * The "what can this token see, newest first" query behind `POST /v1/search`
 * (docs/reference/permissions-and-tokens.md §7.4): pages and databases whose permission root is readable, walked
 * with keyset pagination over `(last_edited_time, id)` on the `block_root_edited` index
 * `(perm_root_id, last_edited_time, id)`.
 */

/** A keyset position: the row at (`time`, `id`), included or not. */
export interface KeysetPosition {
  time: string
  id: string
  inclusive: boolean
}

export interface VisibleNodesQuery {
  workspaceId: string
  /** Readable permission roots (`rootsVisibleTo`). */
  roots: string[]
  /** `child_page` and/or `child_database`. */
  types: string[]
  /** Lower-case substring of the title, or undefined for all. */
  titleContains: string | undefined
  /** true: only nodes trashed themselves; false: only nodes not trashed themselves. */
  inTrash: boolean
  direction: 'ascending' | 'descending'
  after: KeysetPosition | undefined
  limit: number
  /**
   * The keys of every node under `roots` (`visibleKeys`, kept by the caller while no change happened,
   * ADR 45): when given, the rows are found through them instead of the plans below.
   */
  keys?: VisibleKeys | null
}

/**
 * Readable roots per `perm_root_id IN (…)` list: larger sets are split into several statements
 * (SQLite caps bound parameters, and a smaller statement prepares faster).
 */
export const MAX_ROOTS_IN_LIST = 900
const SCAN_BATCH = 1000
const FETCH_CHUNK = 500

/**
 * How listing chooses its plan (docs/reference/permissions-and-tokens.md §7.4). One readable root: walk its range
 * of `block_root_edited`, already in order. Several: by the number of nodes `V` under the readable
 * roots, counted on the covering `block_root_edited` index and capped at `sparseLimit`.
 * - `V < sparseLimit` (sparse): the keys `(last_edited_time, id)` of every node under the roots
 *   come from the covering index alone (no row reads) and are ordered in memory; rows are then
 *   read in key order, `FETCH_CHUNK` ids at a time, with the type, trash and title filters, until
 *   `limit` rows. A title query reads only the visible rows it needs, never the workspace's.
 * - otherwise (dense): walk the workspace's time index and keep rows whose root is readable (a JS
 *   Set); with most of the workspace visible, few rows are skipped.
 * `sparseLimit` is mutable so tests can exercise the dense plan on a small workspace.
 * Measured (bench/RESULTS.md): at size L a connection seeing 10% of the pages through 1,065 roots
 * took ≈1 s per search by walking the time index past 100,000 newer invisible rows.
 */
export const LISTING_PLAN = { sparseLimit: 20_000 }

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size))
  return out
}

/** `(last_edited_time, id)` strictly after / from `after` in the listing direction. */
function afterCondition(desc: boolean, after: KeysetPosition, prefix: '' | 'b.' = '') {
  const beyond = desc ? '<' : '>'
  const idOp = desc ? (after.inclusive ? '<=' : '<') : after.inclusive ? '>=' : '>'
  const time = sql.ref(`${prefix}last_edited_time`)
  const id = sql.ref(`${prefix}id`)
  return sql<boolean>`(${time} ${sql.raw(beyond)} ${after.time} or (${time} = ${after.time} and ${id} ${sql.raw(idOp)} ${after.id}))`
}

/**
 * Candidates in keyset order after `after`: under one root (`root`, walking `block_root_edited` in
 * order; no workspace condition, so the planner cannot prefer the workspace's time index), or under
 * any root (the dense plan's walk of `block_workspace_edited`).
 */
function candidates(db: Db, q: VisibleNodesQuery, after: KeysetPosition | undefined, limit: number, root?: string) {
  const desc = q.direction === 'descending'
  let query = db
    .selectFrom('block')
    .selectAll()
    .where('type', 'in', q.types)
    .where('in_trash', '=', q.inTrash ? 1 : 0)
    .orderBy('last_edited_time', desc ? 'desc' : 'asc')
    .orderBy('id', desc ? 'desc' : 'asc')
    .limit(limit)
  query =
    root === undefined
      ? query.where('workspace_id', '=', q.workspaceId).where('perm_root_id', 'is not', null)
      : query.where('perm_root_id', '=', root)
  if (q.titleContains !== undefined) {
    query = query.where(textMatches(sql.ref('title_text'), 'contains', q.titleContains))
  }
  if (after) query = query.where(afterCondition(desc, after))
  return query.execute()
}

/**
 * The keys of every node under the roots after `q.after`, in listing order, from the covering
 * `block_root_edited` index alone (no row reads); null when there are `cap` or more (the dense plan
 * is cheaper then). The roots' nodes are counted first without sorting (on SQLite in one statement, the
 * roots as a JSON array through `json_each`; on PostgreSQL per `IN` list), so a token that sees much of
 * the workspace bails out cheaply; a count of the same roots up to `COUNT_HINTS.ttlMs` old stands in for it; the keys of each `IN` list then come sorted from the store, and several
 * lists' runs are merged by one JS sort (TimSort merges sorted runs in linear time).
 * With `titlePhrase` (SQLite, a title query the trigram index can answer; see `titleIndexPhrase`) only
 * the keys whose block rowid is among the title index's matches are returned, in one statement for all
 * the roots (the JSON array again, so the index's matches are looked up once): the index's
 * set is tested on each key inside SQLite, and no block row is read for a node whose title cannot match.
 * The caller still re-checks the title on the rows (the index may match more, never less).
 */
async function keysUnderRoots(
  db: Db,
  q: VisibleNodesQuery,
  cap: number,
  titlePhrase?: string,
): Promise<{ id: string; last_edited_time: string }[] | null> {
  const desc = q.direction === 'descending'
  const parts = chunks(q.roots, MAX_ROOTS_IN_LIST)
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter
  // On SQLite the roots go as one JSON array (`json_each`): one statement whatever their number.
  const rootLists = sqlite
    ? [sql<boolean>`perm_root_id in (select value from json_each(${JSON.stringify(q.roots)}))`]
    : parts.map((part) => sql<boolean>`perm_root_id in (${sql.join(part)})`)
  const hintKey = createHash('sha256').update(JSON.stringify(q.roots)).digest('base64')
  const hint = countHint(db, hintKey, cap)
  if (hint !== undefined && hint >= cap) return null
  let counted = hint ?? 0
  for (const roots of hint === undefined ? rootLists : []) {
    const row = await db
      .selectFrom((eb) =>
        eb
          .selectFrom('block')
          .select('id')
          .where(roots)
          .limit(cap - counted)
          .as('under'),
      )
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst()
    counted += Number(row?.n ?? 0)
    if (counted >= cap) break
  }
  if (hint === undefined) rememberCount(db, hintKey, cap, Math.min(counted, cap))
  if (counted >= cap) return null
  const keysOf = (roots: RawBuilder<boolean>) => {
    let query = db
      .selectFrom('block')
      .select(['id', 'last_edited_time'])
      .where(roots)
      .orderBy('last_edited_time', desc ? 'desc' : 'asc')
      .orderBy('id', desc ? 'desc' : 'asc')
    if (titlePhrase !== undefined) {
      // Unary `+`: the rowid set filters the root index's entries; it must not drive the plan (reading
      // every matching block row is what this avoids).
      query = query.where(sql<boolean>`+block.rowid in (select rowid from block_title_fts where title_text match ${titlePhrase})`)
    }
    if (q.after) query = query.where(afterCondition(desc, q.after))
    return query.execute()
  }
  const [allRoots] = rootLists
  if (titlePhrase !== undefined && sqlite && allRoots) return keysOf(allRoots)
  const keys: { id: string; last_edited_time: string }[] = []
  for (const part of parts) keys.push(...(await keysOf(sql<boolean>`perm_root_id in (${sql.join(part)})`)))
  if (parts.length > 1) keys.sort(byEditedTime(desc))
  return keys
}

/**
 * Recent counts of the nodes under a set of readable roots (capped at the plan's `cap`), per store:
 * `keysUnderRoots` counts them only to choose between the sparse and the dense plan, which return the
 * same rows, so a count up to `COUNT_HINTS.ttlMs` old is good enough and a stale one costs speed, never
 * a different answer. Keyed by a SHA-256 of the roots (JSON, in `rootsVisibleTo`'s order; a member's
 * thousands of roots would make a long key) and the cap; at most `COUNT_HINTS.max` sets per store, the
 * oldest dropped first. Measured at size L (1,065 roots, 10,000
 * nodes): the count is ≈ 1.4 ms of a ≈ 15 ms title search that repeats (pages of one search, a search
 * box as the user types). `ttlMs` is mutable so tests can turn the hints off (0).
 */
export const COUNT_HINTS = { ttlMs: 5_000, max: 256 }
const countHints = new WeakMap<Db, Map<string, { cap: number; n: number; at: number }>>()

function countHint(db: Db, key: string, cap: number): number | undefined {
  const hint = countHints.get(db)?.get(key)
  if (!hint || hint.cap !== cap || Date.now() - hint.at >= COUNT_HINTS.ttlMs) return undefined
  return hint.n
}

function rememberCount(db: Db, key: string, cap: number, n: number): void {
  if (COUNT_HINTS.ttlMs <= 0) return
  let hints = countHints.get(db)
  if (!hints) countHints.set(db, (hints = new Map()))
  hints.delete(key)
  hints.set(key, { cap, n, at: Date.now() })
  if (hints.size > COUNT_HINTS.max) hints.delete(hints.keys().next().value as string)
}

/**
 * The sparse plan (see `LISTING_PLAN`): rows read in key order, filtered, until `limit`; `FETCH_CHUNK`
 * ids per statement, or first `limit` ids when `firstChunk` says so (keys already filtered by the
 * title index: most of them are results, so reading `FETCH_CHUNK` rows would mostly be waste).
 */
async function readInKeyOrder(db: Db, q: VisibleNodesQuery, keys: { id: string }[], firstChunk = FETCH_CHUNK): Promise<BlockRow[]> {
  const out: BlockRow[] = []
  const first = Math.min(firstChunk, FETCH_CHUNK)
  const parts = keys.length <= first ? [keys] : [keys.slice(0, first), ...chunks(keys.slice(first), FETCH_CHUNK)]
  for (const part of parts) {
    let query = db
      .selectFrom('block')
      .selectAll()
      .where(
        'id',
        'in',
        part.map((k) => k.id),
      )
      .where('workspace_id', '=', q.workspaceId)
      .where('type', 'in', q.types)
      .where('in_trash', '=', q.inTrash ? 1 : 0)
    if (q.titleContains !== undefined) {
      query = query.where(textMatches(sql.ref('title_text'), 'contains', q.titleContains))
    }
    const byId = new Map((await query.execute()).map((r) => [r.id, r]))
    for (const k of part) {
      const row = byId.get(k.id)
      if (!row) continue
      out.push(row)
      if (out.length === q.limit) return out
    }
  }
  return out
}

/**
 * The title-index plan (migration 0019, docs/adr/0032-title-search-index.md): for a title query of
 * `TITLE_INDEX.minLength` to `TITLE_INDEX.maxLength` characters, the nodes whose title contains it come
 * from the trigram index (SQLite FTS5 `block_title_fts`; PostgreSQL's GIN `block_title_trgm`, which its
 * planner picks for the LIKE), each match re-checked on `block.title_text` exactly as the other plans
 * check it, and are then intersected with the readable roots in memory and ordered by key. Used when
 * fewer than `TITLE_INDEX.cap` titles of the workspace match (a selective query; on SQLite counted on
 * the index alone, before any row is read); otherwise reading every match's row costs more than the
 * listing plans (measured at size L: ≈ 10 µs per match on a loaded machine, 9,762 matches for a
 * two-word-title vocabulary's common word). Shorter queries have no
 * trigram to look up; longer ones would make a long MATCH expression for nothing (the listing plans
 * handle them, see text-match.ts). `cap` is mutable so tests can exercise both.
 */
export const TITLE_INDEX = { minLength: 3, maxLength: 256, cap: 2_000 }

/** An FTS5 phrase matching `needle` as a substring (the trigram tokenizer): double quotes doubled. */
function ftsPhrase(needle: string): string {
  return `"${needle.replace(/"/g, '""')}"`
}

/**
 * The FTS5 phrase for `q.titleContains` when the SQLite title index can answer it (`TITLE_INDEX`'s
 * length range, no U+0000), else undefined (PostgreSQL, no title query, or outside the range).
 */
function titleIndexPhrase(db: Db, q: VisibleNodesQuery): string | undefined {
  const needle = q.titleContains
  if (needle === undefined || !(db.getExecutor().adapter instanceof SqliteAdapter)) return undefined
  const chars = [...needle].length
  if (chars < TITLE_INDEX.minLength || chars > TITLE_INDEX.maxLength || needle.includes('\u0000')) return undefined
  return ftsPhrase(needle)
}

/**
 * The visible nodes whose title contains `q.titleContains`, through the title index (see
 * `TITLE_INDEX`), or null when the query is outside the index's range or matches `cap` nodes or more.
 */
async function visibleByTitleIndex(db: Db, q: VisibleNodesQuery): Promise<BlockRow[] | null> {
  const needle = q.titleContains as string
  const chars = [...needle].length
  if (chars < TITLE_INDEX.minLength || chars > TITLE_INDEX.maxLength || needle.includes('\u0000')) return null
  const desc = q.direction === 'descending'
  const matches: { id: string; last_edited_time: string; perm_root_id: string | null }[] = []
  const matchCandidates = (d: Db) => d.selectFrom('block as b').select(['b.id', 'b.last_edited_time', 'b.perm_root_id'])
  const filters = <T extends ReturnType<typeof matchCandidates>>(query: T): T => {
    let out = query
      .where('b.workspace_id', '=', q.workspaceId)
      .where('b.type', 'in', q.types)
      .where('b.in_trash', '=', q.inTrash ? 1 : 0)
      .where(textMatches(sql.ref('b.title_text'), 'contains', needle)) as T
    if (q.after) out = out.where(afterCondition(desc, q.after, 'b.')) as T
    return out
  }
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    // The index alone first (no block row is read): too many matches → the listing plans, at once.
    // The rowids as one comma-separated text (not one JS row per match: at the cap that costs more
    // than the index lookup), then as a JSON array for `json_each` (one statement text whatever their number).
    const hits = await sql<{
      n: number
      rowids: string | null
    }>`select count(*) as n, group_concat(rowid) as rowids from (select rowid from block_title_fts where title_text match ${ftsPhrase(needle)} limit ${TITLE_INDEX.cap})`.execute(
      db,
    )
    const { n = 0, rowids = null } = hits.rows[0] ?? {}
    if (Number(n) >= TITLE_INDEX.cap) return null
    if (rowids !== null) {
      const inMatches = sql<boolean>`b.rowid in (select value from json_each(${`[${rowids}]`}))`
      matches.push(...(await filters(matchCandidates(db).where(inMatches)).execute()))
    }
  } else {
    // PostgreSQL's planner takes the GIN trigram index for the LIKE.
    matches.push(...(await filters(matchCandidates(db)).limit(TITLE_INDEX.cap).execute()))
    if (matches.length >= TITLE_INDEX.cap) return null
  }
  const readable = new Set(q.roots)
  const keys = matches
    .filter((m) => m.perm_root_id !== null && readable.has(m.perm_root_id))
    .sort(byEditedTime(desc))
    .slice(0, q.limit)
  if (keys.length === 0) return []
  const rows = new Map<string, BlockRow>()
  for (const part of chunks(keys, FETCH_CHUNK)) {
    const got = await db
      .selectFrom('block')
      .selectAll()
      .where(
        'id',
        'in',
        part.map((k) => k.id),
      )
      .execute()
    for (const r of got) rows.set(r.id, r)
  }
  return keys.map((k) => rows.get(k.id)).filter((r): r is BlockRow => r !== undefined)
}

/**
 * One batch of visible pages/databases in `(last_edited_time, id)` order, strictly after (or from)
 * `after`. Returns fewer than `limit` rows only when nothing visible is left. Ancestor trash is not
 * considered here (see `trashedAmong`). The plan is chosen per call: the title index for a selective
 * title query (`TITLE_INDEX`), else by the number of visible nodes (`LISTING_PLAN`).
 */
export async function visibleNodes(db: Db, q: VisibleNodesQuery): Promise<BlockRow[]> {
  if (q.roots.length === 0 || q.types.length === 0) return []
  if (q.keys) return visibleByKeys(db, q, q.keys)
  if (q.titleContains !== undefined) {
    const byTitle = await visibleByTitleIndex(db, q)
    if (byTitle) return byTitle
  }
  // One root (a connection with one share): its index range is already in listing order.
  if (q.roots.length === 1) return (await candidates(db, q, q.after, q.limit, q.roots[0])).filter((r) => r.workspace_id === q.workspaceId)
  // On SQLite a title query over the index's cap still narrows the keys by the index's matches.
  const titlePhrase = titleIndexPhrase(db, q)
  const keys = await keysUnderRoots(db, q, LISTING_PLAN.sparseLimit, titlePhrase)
  if (keys) return readInKeyOrder(db, q, keys, titlePhrase === undefined ? FETCH_CHUNK : q.limit)
  const readable = new Set(q.roots)
  const out: BlockRow[] = []
  let after = q.after
  for (;;) {
    const scanned = await candidates(db, q, after, SCAN_BATCH)
    for (const row of scanned) {
      if (row.perm_root_id !== null && readable.has(row.perm_root_id)) {
        out.push(row)
        if (out.length === q.limit) return out
      }
    }
    const last = scanned.at(-1)
    if (!last || scanned.length < SCAN_BATCH) return out
    after = { time: last.last_edited_time, id: last.id, inclusive: false }
  }
}

/**
 * The keys of every page and database under a set of readable roots, with each one's `block` rowid
 * (issue 19, docs/adr/0045-cached-visible-set.md). A caller keeps them while the store has not changed
 * (services/caches.ts `derived`) and passes them as `VisibleNodesQuery.keys`: a search then reads no root
 * index, and a title query intersects the title index's matches with them by rowid in memory
 * (`visibleByKeys`). `ids[i]`/`times[i]` is the i-th key, in no particular order; `byRowid` maps a block
 * rowid to its `i`; `sorted.order`, the indexes in ascending listing order, is filled on first use (only a
 * listing without an indexed title query walks all of them in order).
 */
export interface VisibleKeys {
  ids: string[]
  times: string[]
  byRowid: Map<number, number>
  /** The lowest and highest rowid among the keys (the title index is asked for that range only). */
  minRowid: number
  maxRowid: number
  sorted: { order?: Int32Array }
}

/**
 * Most keys `visibleKeys` returns (above it: null, and the listing plans stay in charge). Mutable so tests
 * can turn the cached keys off (0) and exercise the other plans.
 */
export const VISIBLE_KEYS = { max: 20_000 }

/**
 * The keys under `roots` (see `VisibleKeys`), read from the covering `block_root_edited` index in one
 * statement (roots through `json_each`; at most `VISIBLE_KEYS.max` + 1 entries read) and returned as three
 * JSON arrays (rowids, times, ids) in one row: better-sqlite3 builds a JS row at ≈ 0.4 µs per value, so
 * 10,000 rows of three columns cost ≈ 10 ms of CPU against ≈ 6 ms for the arrays, their parse and the
 * rowid map (size L, the search connection's 1,065 roots). Null on PostgreSQL (no rowid; its plans
 * stay as they are), with no roots, or when there are more than `VISIBLE_KEYS.max`.
 */
export async function visibleKeys(db: Db, roots: string[]): Promise<VisibleKeys | null> {
  if (roots.length === 0 || VISIBLE_KEYS.max <= 0 || !(db.getExecutor().adapter instanceof SqliteAdapter)) return null
  const found = await sql<{
    r: string
    t: string
    i: string
  }>`select json_group_array(r) as r, json_group_array(t) as t, json_group_array(id) as i from (select rowid as r, last_edited_time as t, id from block where perm_root_id in (select value from json_each(${JSON.stringify(roots)})) limit ${VISIBLE_KEYS.max + 1})`.execute(
    db,
  )
  const row = found.rows[0]
  const rowids = JSON.parse(row?.r ?? '[]') as number[]
  if (rowids.length > VISIBLE_KEYS.max) return null
  const times = JSON.parse(row?.t ?? '[]') as string[]
  const ids = JSON.parse(row?.i ?? '[]') as string[]
  const byRowid = new Map<number, number>()
  let minRowid = Number.POSITIVE_INFINITY
  let maxRowid = Number.NEGATIVE_INFINITY
  for (let i = 0; i < rowids.length; i++) {
    const rowid = rowids[i] as number
    byRowid.set(rowid, i)
    if (rowid < minRowid) minRowid = rowid
    if (rowid > maxRowid) maxRowid = rowid
  }
  return { ids, times, byRowid, minRowid, maxRowid, sorted: {} }
}

/** Key `i` against `(time, id)`: negative, zero or positive as it sorts before, at or after it (ascending). */
function compareKey(keys: VisibleKeys, i: number, time: string, id: string): number {
  const t = keys.times[i] as string
  if (t !== time) return t < time ? -1 : 1
  const k = keys.ids[i] as string
  return k === id ? 0 : k < id ? -1 : 1
}

/**
 * Ascending listing order of two keys. ISO times and UUIDs are ASCII, so JavaScript's string order is
 * SQLite's BINARY order (`byEditedTime`).
 */
function byKey(keys: VisibleKeys): (a: number, b: number) => number {
  return (a, b) => compareKey(keys, a, keys.times[b] as string, keys.ids[b] as string)
}

/** Whether key `i` comes after `after` in the listing direction (or is it, when inclusive). */
function isPast(keys: VisibleKeys, i: number, after: KeysetPosition, desc: boolean): boolean {
  const cmp = compareKey(keys, i, after.time, after.id)
  return cmp === 0 ? after.inclusive : desc ? cmp < 0 : cmp > 0
}

/**
 * An FTS5 query matching every title that contains `needle` (`TITLE_INDEX`'s length range) and some
 * more: the needle's trigrams at code points 0, 3, 6, … and the last one, each a one-trigram phrase, joined
 * by AND. Any title containing the needle holds each of them, so it matches; unlike the whole phrase, the
 * trigrams need not be adjacent, so the caller must re-check the title (as every plan does). About a third
 * of the phrase's trigrams, and no position lists compared: at size L `roadmap` (3 of 5 trigrams, 9,762
 * matches) 2.1 → 1.2 ms, `roadmap budget` (5 of 12) 1.1 → 0.3 ms. Only for the cached keys, whose
 * intersection bounds the candidates (at most `VISIBLE_KEYS.max`, read in key order until `limit` rows).
 */
function titleIndexCover(needle: string): string {
  const chars = [...needle]
  const starts: number[] = []
  for (let p = 0; p + 3 <= chars.length; p += 3) starts.push(p)
  if (starts.at(-1) !== chars.length - 3) starts.push(chars.length - 3)
  return starts.map((p) => ftsPhrase(chars.slice(p, p + 3).join(''))).join(' AND ')
}

/**
 * The rows for `q` through its cached keys, in listing order after `q.after`: on SQLite, for a title query
 * the title index can answer, the keys whose rowid is among the index's matches (one FTS5 statement for the
 * matches' rowids within the keys' rowid range, each looked up in `byRowid`; the few found are sorted);
 * otherwise every key, in the order sorted once per `VisibleKeys`. The index is asked for a superset of
 * the matches (`titleIndexCover`). The rows are then read in key order with the type, trash and exact
 * title checks (`readInKeyOrder`): the same rows as the other plans.
 */
async function visibleByKeys(db: Db, q: VisibleNodesQuery, keys: VisibleKeys): Promise<BlockRow[]> {
  const desc = q.direction === 'descending'
  const after = q.after
  const phrase = titleIndexPhrase(db, q) === undefined ? undefined : titleIndexCover(q.titleContains as string)
  const walk: { id: string }[] = []
  if (phrase !== undefined) {
    const hits = await sql<{
      rowids: string | null
    }>`select group_concat(rowid) as rowids from block_title_fts where title_text match ${phrase} and rowid between ${keys.minRowid} and ${keys.maxRowid}`.execute(
      db,
    )
    const text = hits.rows[0]?.rowids ?? null
    if (text === null) return []
    const found: number[] = []
    for (let start = 0; start < text.length;) {
      const comma = text.indexOf(',', start)
      const end = comma < 0 ? text.length : comma
      const i = keys.byRowid.get(Number(text.slice(start, end)))
      if (i !== undefined && (after === undefined || isPast(keys, i, after, desc))) found.push(i)
      start = end + 1
    }
    const order = byKey(keys)
    found.sort(desc ? (a, b) => order(b, a) : order)
    for (const i of found) walk.push({ id: keys.ids[i] as string })
  } else {
    const order = (keys.sorted.order ??= Int32Array.from(keys.ids.keys()).sort(byKey(keys)))
    // The first position past `after` in the listing direction (binary search on the ascending order).
    const n = order.length
    let lo = 0
    let hi = n
    if (after) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        // Ascending: keys not past `after` come first; descending: keys past it come first.
        if (isPast(keys, order[mid] as number, after, desc) === desc) lo = mid + 1
        else hi = mid
      }
    }
    if (desc) for (let p = (after ? lo : n) - 1; p >= 0; p--) walk.push({ id: keys.ids[order[p] as number] as string })
    else for (let p = after ? lo : 0; p < n; p++) walk.push({ id: keys.ids[order[p] as number] as string })
  }
  return readInKeyOrder(db, q, walk, phrase === undefined ? FETCH_CHUNK : q.limit)
}

/** Of `ids` (pages, databases or data sources), the ones that are in the trash. */
export async function trashedAmong(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  // On SQLite the ids go as one JSON array (one statement text, prepared once, whatever their number).
  const inIds =
    db.getExecutor().adapter instanceof SqliteAdapter
      ? sql<boolean>`id in (select value from json_each(${JSON.stringify(ids)}))`
      : sql<boolean>`id in (${sql.join(ids)})`
  const [blocks, sources] = await Promise.all([
    db.selectFrom('block').select('id').where(inIds).where('in_trash', '=', 1).execute(),
    db.selectFrom('data_source').select('id').where(inIds).where('in_trash', '=', 1).execute(),
  ])
  return new Set([...blocks.map((r) => r.id), ...sources.map((r) => r.id)])
}

/** The data sources of several databases, each database's oldest first. */
export async function dataSourcesOfMany(db: Db, databaseIds: string[]): Promise<Map<string, DataSourceRow[]>> {
  const out = new Map<string, DataSourceRow[]>()
  if (databaseIds.length === 0) return out
  const rows = await db
    .selectFrom('data_source')
    .selectAll()
    .where('database_id', 'in', databaseIds)
    .orderBy('created_time')
    .orderBy('id')
    .execute()
  for (const r of rows) {
    const list = out.get(r.database_id) ?? []
    list.push(r)
    out.set(r.database_id, list)
  }
  return out
}

/** Search's order: `last_edited_time`, then `id` (the keyset the cursor encodes); descending when `desc`. */
function byEditedTime(desc: boolean): (a: { last_edited_time: string; id: string }, b: { last_edited_time: string; id: string }) => number {
  const sign = desc ? -1 : 1
  return (a, b) =>
    sign *
    (a.last_edited_time < b.last_edited_time ? -1 : a.last_edited_time > b.last_edited_time ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}
