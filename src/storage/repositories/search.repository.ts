import { sql } from 'kysely'
import type { BlockRow } from './blocks.repository.js'
import type { DataSourceRow } from './data-sources.repository.js'
import type { Db } from '../store.js'

/**
 * The "what can this token see, newest first" query behind `POST /v1/search`
 * (permissions-and-tokens.md §7.4): pages and databases whose permission root is readable, walked
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
}

/** Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

/**
 * Above this many readable roots, listing walks the workspace's time index and keeps rows whose
 * root is readable (a JS Set), instead of sorting `perm_root_id IN (…)`. This is the second plan of
 * permissions-and-tokens.md §7.4: it keeps the statement small (SQLite caps bound parameters) and
 * its cost tracks rows scanned, not the size of the visible set.
 */
export const MAX_ROOTS_IN_LIST = 900
const SCAN_BATCH = 1000

/** The base statement: visible candidates in keyset order after `after`, optionally limited to `roots`. */
function candidates(db: Db, q: VisibleNodesQuery, roots: string[] | null, after: KeysetPosition | undefined, limit: number) {
  const desc = q.direction === 'descending'
  let query = db
    .selectFrom('block')
    .selectAll()
    .where('workspace_id', '=', q.workspaceId)
    .where('type', 'in', q.types)
    .where('in_trash', '=', q.inTrash ? 1 : 0)
    .orderBy('last_edited_time', desc ? 'desc' : 'asc')
    .orderBy('id', desc ? 'desc' : 'asc')
    .limit(limit)
  query = roots ? query.where('perm_root_id', 'in', roots) : query.where('perm_root_id', 'is not', null)
  if (q.titleContains !== undefined) {
    query = query.where(sql<boolean>`title_text like ${`%${likeEscape(q.titleContains)}%`} escape '\\'`)
  }
  if (after) {
    const beyond = desc ? '<' : '>'
    const idOp = desc ? (after.inclusive ? '<=' : '<') : after.inclusive ? '>=' : '>'
    query = query.where((eb) =>
      eb.or([eb('last_edited_time', beyond, after.time), eb.and([eb('last_edited_time', '=', after.time), eb('id', idOp, after.id)])]),
    )
  }
  return query.execute()
}

/**
 * One batch of visible pages/databases in `(last_edited_time, id)` order, strictly after (or from)
 * `after`. Returns fewer than `limit` rows only when nothing visible is left. Ancestor trash is not
 * considered here (see `trashedAmong`).
 */
export async function visibleNodes(db: Db, q: VisibleNodesQuery): Promise<BlockRow[]> {
  if (q.roots.length === 0 || q.types.length === 0) return []
  if (q.roots.length <= MAX_ROOTS_IN_LIST) return candidates(db, q, q.roots, q.after, q.limit)
  const readable = new Set(q.roots)
  const out: BlockRow[] = []
  let after = q.after
  for (;;) {
    const scanned = await candidates(db, q, null, after, SCAN_BATCH)
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

/** Of `ids` (pages, databases or data sources), the ones that are in the trash. */
export async function trashedAmong(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const [blocks, sources] = await Promise.all([
    db.selectFrom('block').select('id').where('id', 'in', ids).where('in_trash', '=', 1).execute(),
    db.selectFrom('data_source').select('id').where('id', 'in', ids).where('in_trash', '=', 1).execute(),
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
