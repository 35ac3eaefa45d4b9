import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FALLBACK_AUTOCHECKPOINT_PAGES } from '../../src/storage/checkpointer.js'
import { createSqliteStore, type Store } from '../../src/storage/store.js'

/**
 * A SQLite file store checkpoints its WAL in a worker thread (src/storage/checkpointer.ts, ADR 36):
 * its own connection no longer checkpoints at SQLite's default 1,000 pages, the worker copies the WAL
 * into the database file while writes go on, and snapshots and close still work. A file
 * store only: the `postgres` project runs the same SQLite checks (nothing here touches PostgreSQL).
 */
const T = '2026-01-01T00:00:00.000Z'

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting for the checkpointer')
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** How many workspace rows `store` holds. */
async function countWorkspaces(store: Store): Promise<number> {
  const n = await store.db
    .selectFrom('workspace')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()
  return Number(n.n)
}

describe('SQLite WAL checkpoints in a worker thread', () => {
  let dir: string
  let store: Store | undefined
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'octavo-ckpt-'))
  })
  afterEach(async () => {
    await store?.close()
    store = undefined
    rmSync(dir, { recursive: true, force: true })
  })

  const insertWorkspaces = async (s: Store, from: number, n: number) => {
    for (let i = from; i < from + n; i++)
      await s.transaction(async (trx) => {
        await trx
          .insertInto('workspace')
          .values({ id: `w${i}`, name: 'x'.repeat(3000), icon: null, plan: 'free', created_time: T })
          .execute()
      })
  }

  it('copies the WAL into the database file from the worker, not at the main connection commits', async () => {
    const path = join(dir, 'octavo.db')
    store = await createSqliteStore(path, { checkpointer: { startDelayMs: 60_000, intervalMs: 20 } })
    const pragma = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(store.db)
    expect(pragma.rows[0]?.wal_autocheckpoint).toBe(FALLBACK_AUTOCHECKPOINT_PAGES)
    // Before the worker starts, the store's own connection does not checkpoint at 1,000 pages:
    // 1,500 transactions of a page or more each stay in the WAL, the database file keeps its size.
    const before = statSync(path).size
    await insertWorkspaces(store, 0, 1500)
    expect(statSync(path).size).toBe(before)
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(1000 * 4096)
    // Another store on the same file with a running worker: the pages reach the database file.
    const other = await createSqliteStore(path, { checkpointer: { startDelayMs: 0, intervalMs: 20 } })
    try {
      await until(() => statSync(path).size > before + 1000 * 4096)
      // Writes go on while the worker checkpoints.
      await insertWorkspaces(other, 1500, 400)
      expect(await countWorkspaces(other)).toBe(1900)
    } finally {
      await other.close()
    }
  })

  it('restores a snapshot image and closes with the worker running', async () => {
    const path = join(dir, 'octavo.db')
    store = await createSqliteStore(path, { checkpointer: { startDelayMs: 0, intervalMs: 10 } })
    await insertWorkspaces(store, 0, 5)
    const image = await store.saveImage!()
    await insertWorkspaces(store, 5, 50)
    await store.restoreImage!(image)
    await insertWorkspaces(store, 100, 20)
    const ids = await store.db.selectFrom('workspace').select('id').orderBy('id').execute()
    expect(ids.map((r) => r.id).sort()).toEqual(
      [...['w0', 'w1', 'w2', 'w3', 'w4'], ...Array.from({ length: 20 }, (_, i) => `w${100 + i}`)].sort(),
    )
    await store.close()
    store = undefined
    // Closed: the file opens again with the rows, and nothing holds it (a truncating checkpoint succeeds).
    const again = await createSqliteStore(path, { checkpointer: { startDelayMs: 60_000 } })
    try {
      const busy = await sql<{ busy: number }>`pragma wal_checkpoint(truncate)`.execute(again.db)
      expect(busy.rows[0]?.busy).toBe(0)
      expect(await countWorkspaces(again)).toBe(25)
    } finally {
      await again.close()
    }
    expect(existsSync(path)).toBe(true)
  })
})
