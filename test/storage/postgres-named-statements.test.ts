import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPostgresStore } from '../../src/storage/postgres-store.js'
import { findBlock } from '../../src/storage/repositories/blocks.repository.js'
import { statementName } from '../../src/storage/named-statements.js'
import type { Store } from '../../src/storage/store.js'
import { POSTGRES_URL, freshPostgresSchema } from '../support/stores.js'

/**
 * On PostgreSQL the hot statements compiled once (storage/repositories/compiled.ts) run as named
 * prepared statements (storage/named-statements.ts): after a call, the connection holds the statement
 * under its registered name, and later calls with other values answer from it correctly.
 */
if (!POSTGRES_URL) console.warn('[octavo] postgres-named-statements: OCTAVO_TEST_POSTGRES_URL is unset, skipped.')

describe.skipIf(!POSTGRES_URL)('named prepared statements on PostgreSQL', () => {
  let store: Store
  let drop: () => Promise<void>
  beforeAll(async () => {
    const pg = freshPostgresSchema()
    drop = pg.drop
    // One connection, so the statement and the catalog read below meet on the same session.
    store = await createPostgresStore(pg.url, { poolMax: 1 })
  })
  afterAll(async () => {
    await store?.close()
    await drop?.()
  })

  it('prepares findBlock once by name and answers each call with its own values', async () => {
    expect(await findBlock(store.db, '00000000-0000-4000-8000-000000000001')).toBeUndefined()
    const { rows } = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(store.db)
    const named = rows.filter((r) => r.name.startsWith('octavo_'))
    expect(named.length).toBeGreaterThan(0)
    expect(named.every((r) => statementName(r.statement) === r.name)).toBe(true)
    expect(named.some((r) => /from "block"/i.test(r.statement))).toBe(true)
    // A second call with another id runs the prepared statement again, not a stale answer.
    const ws = await sql<{ id: string }>`select id from workspace limit 1`.execute(store.db)
    expect(ws.rows).toEqual([])
    expect(await findBlock(store.db, '00000000-0000-4000-8000-000000000002')).toBeUndefined()
  })
})
