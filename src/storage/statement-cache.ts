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
 * (arrays): the same objects, keys, key order and values as better-sqlite3's own rows
 * (test/storage/statement-cache.test.ts; a repeated column name keeps its first position and its last
 * value). Those are built through `v8::Object::New` with names and values, which interns every column
 * name again for every row and makes dictionary-mode objects. Here each statement gets an object
 * literal compiled for its columns (`rowBuilder`), so its rows share one hidden class, are cheaper to
 * read (100 rows of 15 columns: 0.45 → 0.32 ms of CPU, bench/sqlite-row-objects.mjs) and faster to use
 * afterwards. The column names are read once, when the statement is prepared, and again whenever a
 * raw row's length differs from them: SQLite re-prepares a statement by itself after a schema change,
 * and its `*` may then name other columns. Asking better-sqlite3 for the columns at every call (one
 * descriptor object per column) cost 7.8% of a page read's CPU (bench/RESULTS.md, session 7). A schema
 * change that keeps a `*`'s column count but renames a column is a migration's `rename column`:
 * migrations run when the store opens, before any request, and a restored image gets a new cache.
 */
function rowObjects(stmt: SQLite.Statement): SqliteStatement {
  stmt.raw(true)
  let keys: string[] = []
  let build = rowBuilder(keys)
  const rebuild = (): ((values: unknown[]) => Record<string, unknown>) => {
    keys = stmt.columns().map((c) => c.name)
    build = rowBuilder(keys)
    return build
  }
  rebuild()
  const make = (values: unknown[]): Record<string, unknown> => (values.length === keys.length ? build : rebuild())(values)
  return {
    reader: true,
    all: (parameters: ReadonlyArray<unknown>) => {
      const rows = stmt.all(parameters as unknown[]) as unknown[]
      for (let r = 0; r < rows.length; r++) rows[r] = make(rows[r] as unknown[])
      return rows
    },
    run: (parameters: ReadonlyArray<unknown>) => stmt.run(parameters as unknown[]),
    iterate: function* (parameters: ReadonlyArray<unknown>) {
      for (const values of stmt.iterate(parameters as unknown[])) yield make(values as unknown[])
    },
  }
}

/**
 * A function making one row object from a raw row, for columns named `keys`: an object literal with
 * one member per column (`{"id": v[0], …}`; a repeated name keeps its first position and last value,
 * as better-sqlite3 does), so every row of a statement has the same hidden class. The names are
 * SQLite column names, written into the source as JSON string literals (which escape any quote or
 * line break). A column named `__proto__` (which a literal would take for the prototype) gets plain
 * assignments, as better-sqlite3's own rows do.
 */
function rowBuilder(keys: string[]): (values: unknown[]) => Record<string, unknown> {
  if (keys.includes('__proto__')) {
    return (values) => {
      const row: Record<string, unknown> = {}
      for (let i = 0; i < keys.length; i++) row[keys[i] as string] = values[i]
      return row
    }
  }
  return new Function('v', `return {${keys.map((k, i) => `${JSON.stringify(k)}: v[${i}]`).join(', ')}}`) as (
    values: unknown[],
  ) => Record<string, unknown>
}
