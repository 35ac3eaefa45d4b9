import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPostgresStore } from '../../src/storage/postgres-store.js'
import { findBlock } from '../../src/storage/repositories/blocks.repository.js'
import { appendEvents, eventLogPosition, eventStampsAfter } from '../../src/storage/repositories/events.repository.js'
import { findUser } from '../../src/storage/repositories/workspaces.repository.js'
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

  it('plans the log reads and the user read once per connection (no parameter in a limit)', async () => {
    // A log of 1,300 events of ≈ 0.5 kB that PostgreSQL has no statistics of yet (a freshly filled store, before
    // autovacuum analyzes it): with `limit $1` the position read was planned again on every call
    // (ADR 40); with literal limits every call after the first few runs the generic plan.
    const time = '2026-12-06T12:00:00.000Z'
    await appendEvents(
      store.db,
      Array.from({ length: 1300 }, () => ({
        workspaceId: null,
        type: 'page.updated',
        actor: 'test',
        time,
        data: { fields: ['x'.repeat(400)] },
      })),
    )
    for (let i = 0; i < 8; i++) {
      await eventLogPosition(store.db)
      await eventStampsAfter(store.db, i)
      expect(await findUser(store.db, '00000000-0000-4000-8000-000000000003')).toBeUndefined()
    }
    const { rows } = await sql<{ statement: string; generic_plans: number; custom_plans: number }>`
      select statement, generic_plans, custom_plans from pg_prepared_statements where name like 'octavo_%'`.execute(store.db)
    const of = (pattern: RegExp) => rows.filter((r) => pattern.test(r.statement))
    expect(of(/max\("seq"\)/)).toHaveLength(1)
    expect(of(/"seq" > \$1/)).toHaveLength(1)
    expect(of(/from "user" where "id" = \$1/)).toHaveLength(1)
    for (const r of [...of(/max\("seq"\)/), ...of(/"seq" > \$1/), ...of(/from "user" where "id" = \$1/)]) {
      expect(Number(r.custom_plans)).toBeLessThanOrEqual(5)
      expect(Number(r.generic_plans)).toBeGreaterThanOrEqual(3)
    }
  })
})
