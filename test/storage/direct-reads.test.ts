import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { appendEvent, eventLogPosition } from '../../src/storage/repositories/events.repository.js'
import type { Store } from '../../src/storage/store.js'
import { openTestStore } from '../support/stores.js'

/**
 * Compiled reads on a store's own handle (storage/direct-reads.ts, ADR 38): on SQLite they run at once
 * outside transactions, and wait for an open transaction to end instead of reading its uncommitted rows
 * (the single connection holds them). On PostgreSQL the pool gives the read its own connection, which
 * sees only committed rows.
 */
describe('compiled reads beside an open transaction', () => {
  let store: Store
  let close: () => Promise<void>
  beforeEach(async () => {
    ;({ store, close } = await openTestStore())
  })
  afterEach(async () => {
    await close()
  })

  const append = (db: Store['db']) =>
    appendEvent(db, { workspaceId: null, type: 'test.event', actor: 'system', time: new Date().toISOString() })

  it('never sees another transaction’s uncommitted event; sees it once committed', async () => {
    await append(store.db)
    const before = await eventLogPosition(store.db)
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let inserted!: () => void
    const insertedNow = new Promise<void>((resolve) => (inserted = resolve))
    const writing = store.transaction(async (trx) => {
      await append(trx)
      inserted()
      await gate
    })
    await insertedNow
    // Read while the transaction is open: whatever it answers, never the uncommitted event.
    const during: { last: number }[] = []
    const reading = eventLogPosition(store.db).then((p) => during.push(p))
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
    for (const p of during) expect(p.last).toBe(before.last)
    release()
    await writing
    await reading
    expect(during).toHaveLength(1)
    const after = await eventLogPosition(store.db)
    expect(after.last).toBeGreaterThan(before.last)
  })
})
