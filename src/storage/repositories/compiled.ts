import type { Compilable, CompiledQuery } from 'kysely'
import { nameStatement } from '../named-statements.js'
import type { Db } from '../store.js'
import { directReaderOf } from '../direct-reads.js'

/**
 * Hot queries compiled once (docs/adr/0024-caches-and-statement-reuse.md). Building a Kysely query
 * (builder objects, frozen operation nodes, the compiler's visitor) costs more CPU than running a
 * point read on SQLite; a statement on the hot path of every request is therefore built once per
 * dialect with placeholder values, and each call substitutes its own values into the compiled
 * query's parameter list. The SQL text stays byte-identical between calls, which is also what a
 * prepared-statement cache keys on: the SQLite store's statement cache, and on PostgreSQL a statement
 * prepared by name on each pooled connection (`storage/named-statements.ts`).
 *
 * `build` receives one placeholder per parameter (opaque strings) and must use each exactly where
 * the real value goes; any other literal in the query (a `limit`, a constant) stays as compiled.
 *
 * On a SQLite store's own handle, a read runs at once through the store's direct reader when no
 * transaction is open (`storage/direct-reads.ts`, ADR 38): the same statement, rows and errors, without
 * Kysely's connection queue. Inside a transaction, on PostgreSQL, and for writes, Kysely runs it.
 */
export function compiledOnce<R>(
  arity: number,
  build: (db: Db, ...placeholders: string[]) => Compilable<R>,
): (db: Db, ...params: unknown[]) => Promise<R[]> {
  const placeholders = Array.from({ length: arity }, (_, i) => `\u0000octavo:compiled:${i}\u0000`)
  const slot = new Map(placeholders.map((p, i) => [p, i]))
  // One compiled query per adapter (SQLite, PostgreSQL): a transaction shares its database's adapter.
  const byAdapter = new WeakMap<object, { query: CompiledQuery<R>; slots: (number | undefined)[] }>()
  return async (db, ...params) => {
    const adapter = db.getExecutor().adapter
    let entry = byAdapter.get(adapter)
    if (!entry) {
      const query = build(db, ...placeholders).compile()
      const slots = query.parameters.map((p) => (typeof p === 'string' ? slot.get(p) : undefined))
      if (slots.filter((s) => s !== undefined).length !== arity) throw new Error('compiledOnce: each placeholder must appear exactly once')
      entry = { query, slots }
      byAdapter.set(adapter, entry)
      nameStatement(query.sql)
    }
    const { query, slots } = entry
    const parameters = query.parameters.map((p, i) => {
      const s = slots[i]
      return s === undefined ? p : params[s]
    })
    const direct = directReaderOf(db)?.(query.sql, parameters)
    if (direct) return direct as R[]
    const result = await db.executeQuery<R>({ ...query, parameters })
    return result.rows
  }
}

/**
 * `compiledOnce` for a query over a list of `n` values (`in (…)`), one compiled statement per list
 * length up to `maxLength`: `build` receives the placeholders of the fixed parameters first, then
 * the list's. Longer lists return undefined (the caller builds its query as usual).
 */
export function compiledPerLength<R>(
  fixed: number,
  maxLength: number,
  build: (db: Db, fixed: string[], list: string[]) => Compilable<R>,
): (n: number) => ((db: Db, ...params: unknown[]) => Promise<R[]>) | undefined {
  const byLength = new Map<number, (db: Db, ...params: unknown[]) => Promise<R[]>>()
  return (n) => {
    if (n < 1 || n > maxLength) return undefined
    let run = byLength.get(n)
    if (!run) {
      run = compiledOnce(fixed + n, (db, ...p) => build(db, p.slice(0, fixed), p.slice(fixed)))
      byLength.set(n, run)
    }
    return run
  }
}
