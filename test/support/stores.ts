import { randomBytes } from 'node:crypto'
import { dropPostgresSchema } from '../../src/storage/postgres-store.js'
import { openStore, type Store } from '../../src/storage/store.js'

/**
 * Which store the tests run on. `OCTAVO_TEST_STORE=postgres` (set by the `postgres` vitest project)
 * runs them on PostgreSQL at `OCTAVO_TEST_POSTGRES_URL`, each server or store in a fresh schema that
 * is dropped afterwards; otherwise SQLite. A postgres run without a URL is a configuration error, not
 * a silent SQLite run.
 */
export const TEST_STORE: 'sqlite' | 'postgres' = process.env.OCTAVO_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite'
export const POSTGRES_URL = process.env.OCTAVO_TEST_POSTGRES_URL
export const REDIS_URL = process.env.OCTAVO_TEST_REDIS_URL

if (TEST_STORE === 'postgres' && !POSTGRES_URL) {
  throw new Error('OCTAVO_TEST_STORE=postgres needs OCTAVO_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test).')
}

/** A fresh PostgreSQL schema: its URL (`?schema=`) and a function that drops it. */
export function freshPostgresSchema(base = POSTGRES_URL): { url: string; schema: string; drop: () => Promise<void> } {
  if (!base) throw new Error('OCTAVO_TEST_POSTGRES_URL is not set.')
  const schema = `octavo_t_${randomBytes(6).toString('hex')}`
  const u = new URL(base)
  u.searchParams.set('schema', schema)
  return { url: u.toString(), schema, drop: () => dropPostgresSchema(base, schema) }
}

/**
 * The `OCTAVO_DATABASE_URL` for one test server on the store under test, and its clean-up:
 * `undefined` for SQLite (the server uses its temporary data directory).
 */
export function testDatabase(): { env: Record<string, string>; cleanup: () => Promise<void> } {
  if (TEST_STORE === 'sqlite') return { env: {}, cleanup: async () => {} }
  const s = freshPostgresSchema()
  return { env: { OCTAVO_DATABASE_URL: s.url }, cleanup: s.drop }
}

/** Opens a migrated store of the kind under test (SQLite in memory, or a fresh PostgreSQL schema). */
export async function openTestStore(): Promise<{ store: Store; close: () => Promise<void> }> {
  if (TEST_STORE === 'sqlite') {
    const store = await openStore(':memory:')
    return { store, close: () => store.close() }
  }
  const s = freshPostgresSchema()
  const store = await openStore(s.url)
  return {
    store,
    close: async () => {
      await store.close()
      await s.drop()
    },
  }
}
