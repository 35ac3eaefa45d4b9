import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../src/storage/store.js'
import { POSTGRES_URL, TEST_STORE, freshPostgresSchema } from '../support/stores.js'

/**
 * Nodes started together on a new PostgreSQL schema (the multi-node deployment of docs/deploy.md, and
 * test/scale/multi-node.test.ts) all open it: one creates the schema and migrates, the others wait
 * and find it. Before the schema's creation took an advisory lock, 10 of 60 opens (20 rounds of three)
 * failed here with `duplicate key value violates unique constraint "pg_namespace_nspname_index"`.
 */
if (!POSTGRES_URL) console.warn('[octavo] postgres-concurrent-open: OCTAVO_TEST_POSTGRES_URL is unset, skipped.')

// Runs in the postgres project only (test/storage is in both projects; once is enough).
describe.skipIf(!POSTGRES_URL || TEST_STORE !== 'postgres')('opening one new PostgreSQL schema from several nodes at once', () => {
  // Each round migrates a new schema (about 0.5 s here); the timeout leaves room for a loaded CI machine.
  it('opens and migrates it from three stores started together, round after round', { timeout: 90_000 }, async () => {
    for (let round = 0; round < 5; round++) {
      const pg = freshPostgresSchema()
      try {
        const opened = await Promise.allSettled([openStore(pg.url), openStore(pg.url), openStore(pg.url)])
        const stores = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []))
        try {
          expect(opened.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason))).toEqual([])
          for (const store of stores) expect((await store.migrationStatus()).pending).toEqual([])
          const schemas = await sql<{ n: number }>`select count(*)::int as n from pg_namespace where nspname = ${pg.schema}`.execute(
            stores[0]!.db,
          )
          expect(schemas.rows[0]!.n).toBe(1)
        } finally {
          for (const store of stores) await store.close()
        }
      } finally {
        await pg.drop()
      }
    }
  })
})
