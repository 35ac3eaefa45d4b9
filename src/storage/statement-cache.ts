import type SQLite from 'better-sqlite3'
import type { SqliteDatabase, SqliteStatement } from 'kysely'

/** How many prepared statements a SQLite store keeps; the least recently used one is dropped beyond it. */
export const STATEMENT_CACHE_SIZE = 512

/**
 * Wraps a better-sqlite3 database for Kysely's `SqliteDialect` so each distinct SQL text is prepared
 * once and its statement reused, instead of `prepare` on every query (the read profile of issue 19
 * put 14.6% of a page read's CPU in `prepare`). Kysely's SQLite driver runs one query at a time on
 * its single connection (a mutex), so a cached statement is never busy when it is reused; SQLite
 * re-prepares a statement by itself after a schema change (`sqlite3_prepare_v2`). Reader statements
 * build their row objects in JavaScript (`rowObjects`).
 *
 * The cache is an LRU of at most `size` statements keyed by SQL text (queries with `in (…)` lists of
 * varying length make distinct texts, hence the bound). `stats()` reports hits and misses.
 */
export function cachingDatabase(
  sqlite: SQLite.Database,
  size = STATEMENT_CACHE_SIZE,
): SqliteDatabase & { stats(): { hits: number; misses: number; size: number } } {
  const cache = new Map<string, SqliteStatement>()
  let hits = 0
  let misses = 0
  return {
    close: () => {
      cache.clear()
      sqlite.close()
    },
    prepare: (sqlText: string): SqliteStatement => {
      let stmt = cache.get(sqlText)
      if (stmt) {
        hits++
        // Move to the most recently used end.
        cache.delete(sqlText)
        cache.set(sqlText, stmt)
        return stmt
      }
      misses++
      const prepared = sqlite.prepare(sqlText)
      stmt = prepared.reader ? rowObjects(prepared) : (prepared as unknown as SqliteStatement)
      cache.set(sqlText, stmt)
      if (cache.size > size) cache.delete(cache.keys().next().value as string)
      return stmt
    },
    stats: () => ({ hits, misses, size: cache.size }),
  }
}

/**
 * A reader statement whose rows are objects built in JavaScript from better-sqlite3's raw rows
 * (arrays): one property assigned per column, in column order, so a repeated column name keeps its
 * first position and its last value — the same objects, keys, order and values as better-sqlite3's
 * own rows (test/storage/statement-cache.test.ts). Those are built through `v8::Object::New` with
 * names and values, which interns every column name again for every row and makes dictionary-mode
 * objects; built here, the rows of one statement share one hidden class, cost about a third less to
 * read (the 100-row data-source query of bench/title-only.ts: 0.50 → 0.32 ms) and are cheaper to use
 * afterwards. The column names are read from the statement at each call, since SQLite re-prepares a
 * statement after a schema change (its `*` may then name other columns).
 */
function rowObjects(stmt: SQLite.Statement): SqliteStatement {
  stmt.raw(true)
  const toObjects = (rows: unknown[]): unknown[] => {
    const cols = stmt.columns()
    const n = cols.length
    const keys = new Array<string>(n)
    for (let i = 0; i < n; i++) keys[i] = (cols[i] as SQLite.ColumnDefinition).name
    for (let r = 0; r < rows.length; r++) {
      const values = rows[r] as unknown[]
      const row: Record<string, unknown> = {}
      for (let i = 0; i < n; i++) row[keys[i] as string] = values[i]
      rows[r] = row
    }
    return rows
  }
  return {
    reader: true,
    all: (parameters: ReadonlyArray<unknown>) => toObjects(stmt.all(parameters as unknown[])),
    run: (parameters: ReadonlyArray<unknown>) => stmt.run(parameters as unknown[]),
    iterate: function* (parameters: ReadonlyArray<unknown>) {
      for (const values of stmt.iterate(parameters as unknown[])) yield toObjects([values])[0]
    },
  }
}
