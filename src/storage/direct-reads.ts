import type { Db } from './store.js'

/**
 * Runs a compiled read's SQL text with its parameters and returns its rows, or `undefined` when it
 * cannot run at once (the statement is not a read, or a transaction is open on the connection).
 */
export type DirectReader = (sql: string, parameters: readonly unknown[]) => unknown[] | undefined

const readers = new WeakMap<object, DirectReader>()

/**
 * Registers a synchronous reader for a store's own database handle (`store.db`, never a transaction's):
 * the SQLite store's, which runs a statement from its statement cache on the better-sqlite3 handle
 * when no transaction is open on it (docs/adr/0038-direct-reads-on-sqlite.md). Kysely's driver would
 * otherwise queue the read behind its connection mutex and resolve it through several promises: about
 * 10 µs of CPU per statement, on a request that runs two.
 */
export function registerDirectReader(db: Db, reader: DirectReader): void {
  readers.set(db, reader)
}

/** The direct reader registered for `db`, if any: undefined for a transaction and on PostgreSQL. */
export function directReaderOf(db: Db): DirectReader | undefined {
  return readers.get(db)
}
