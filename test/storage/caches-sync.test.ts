import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Caches } from '../../src/services/caches.js'
import { appendEvent, eventLogPosition } from '../../src/storage/repositories/events.repository.js'
import type { TokenContext } from '../../src/storage/repositories/tokens.repository.js'
import type { Store } from '../../src/storage/store.js'
import { TEST_STORE, openTestStore } from '../support/stores.js'

/**
 * `Caches.sync` against a real store's change-event log (services/caches.ts, ADR 24): which events drop
 * which entries, a restarted log, and — on PostgreSQL — an event whose transaction commits after a
 * later one's (its `seq` is lower than one already seen).
 */
const token = (workspaceId: string): TokenContext =>
  ({
    token: { id: 't', digest: 'd', bot_id: 'b', kind: 'internal', revoked_time: null, last_used_time: null },
    connection: {},
    workspace: { id: workspaceId, name: 'W', icon: null, plan: 'free' },
  }) as unknown as TokenContext

describe('caches synced from the change events', () => {
  let store: Store
  let close: () => Promise<void>
  beforeEach(async () => {
    ;({ store, close } = await openTestStore())
  })
  afterEach(async () => {
    await close()
  })

  const event = (workspaceId: string | null, type: string) =>
    appendEvent(store.db, { workspaceId, type, actor: 'system', time: new Date().toISOString() })
  /** Whether `digest` is still cached (a load is not called for a hit). */
  const cached = async (caches: Caches, digest: string) => {
    let loaded = false
    await caches.token(store.db, digest, async () => {
      loaded = true
      return token('w1')
    })
    return !loaded
  }
  const level = async (caches: Caches, workspaceId: string, value: number) =>
    caches.level(store.db, workspaceId, 'root', ['bot:x'], async () => value)

  it('keeps entries across content events and drops a workspace on any other event of it', async () => {
    const caches = new Caches()
    await caches.sync(store.db)
    await caches.token(store.db, 'd1', async () => token('w1'))
    await caches.token(store.db, 'd2', async () => token('w2'))
    expect(await level(caches, 'w1', 3)).toBe(3)
    await event('w1', 'page.updated')
    await event('w1', 'block.appended')
    await caches.sync(store.db)
    expect(await cached(caches, 'd1')).toBe(true)
    expect(await level(caches, 'w1', 1)).toBe(3)
    await event('w1', 'grant.changed')
    await caches.sync(store.db)
    expect(await cached(caches, 'd2')).toBe(true)
    expect(await level(caches, 'w1', 1)).toBe(1)
    expect(caches.sizes().tokens).toBe(1) // d2 kept, d1 dropped
    await event('w2', 'some.new_kind_of_change')
    await caches.sync(store.db)
    expect(await cached(caches, 'd2')).toBe(false)
    await event(null, 'workspace.created')
    await caches.sync(store.db)
    expect(caches.sizes()).toMatchObject({ tokens: 0, acl: 0 })
  })

  it('drops everything on a store reset (its store.reset event, and the log restarted)', async () => {
    const caches = new Caches()
    await event('w1', 'page.updated')
    await caches.sync(store.db)
    await caches.token(store.db, 'd1', async () => token('w1'))
    await store.truncateAll({ actor: 'system', time: new Date().toISOString() })
    await event('w1', 'page.updated')
    await event('w1', 'page.updated')
    await caches.sync(store.db)
    expect(caches.sizes().tokens).toBe(0)
  })

  it('shares one request sync per loop turn, started after every request of the turn asked (ADR 46)', async () => {
    const caches = new Caches({ syncPerTurn: true })
    await caches.sync(store.db)
    await caches.token(store.db, 'd1', async () => token('w1'))
    const before = caches.stats.syncs
    // A request arrives and asks; another node commits; a second request arrives and asks.
    const first = caches.syncForRequest(store.db)
    await event('w1', 'grant.changed')
    const second = caches.syncForRequest(store.db)
    await Promise.all([first, second])
    // The second request sees the commit made before it asked, although the first asked earlier.
    expect(await cached(caches, 'd1')).toBe(false)
    // On SQLite the commit does not leave the loop turn: both requests share one position read.
    // (On PostgreSQL the commit's round trip ends the turn, so the second request syncs again.)
    if (TEST_STORE === 'sqlite') expect(caches.stats.syncs - before).toBe(1)
    // Requests of a later turn read the position again.
    await caches.syncForRequest(store.db)
    expect(caches.stats.syncs - before).toBe(TEST_STORE === 'sqlite' ? 2 : 3)
  })

  it('counts, in the position read, which of the pending seqs asked about exist', async () => {
    await event('w1', 'page.updated')
    await event('w1', 'page.updated')
    const { last, firstId } = await eventLogPosition(store.db)
    expect(await eventLogPosition(store.db, [last - 1, last, last + 1, last + 7])).toMatchObject({ last, firstId, filled: 2 })
    expect(await eventLogPosition(store.db, [last + 1])).toMatchObject({ last, firstId, filled: 0 })
    const position = await eventLogPosition(store.db)
    expect(position).toMatchObject({ last, firstId, filled: 0 })
    // The snapshot's bounds come with the position on PostgreSQL only.
    if (TEST_STORE === 'postgres') expect(position.horizon!.xmin).toBeLessThanOrEqual(position.horizon!.next)
    else expect(position.horizon).toBeUndefined()
  })

  it.skipIf(TEST_STORE !== 'postgres')(
    'gives the snapshot bounds around an open transaction that appended an event (PostgreSQL)',
    async () => {
      let release!: () => void
      const held = new Promise<void>((r) => (release = r))
      let xid!: number
      let appended!: () => void
      const inserted = new Promise<void>((r) => (appended = r))
      const open = store.transaction(async (trx) => {
        expect((await sql<{ x: string | null }>`select pg_current_xact_id_if_assigned()::text as x`.execute(trx)).rows[0]!.x).toBeNull()
        await appendEvent(trx, { workspaceId: 'w1', type: 'token.revoked', actor: 'system', time: new Date().toISOString() })
        xid = Number((await sql<{ x: string }>`select pg_current_xact_id_if_assigned()::text as x`.execute(trx)).rows[0]!.x)
        appended()
        await held
      })
      await inserted
      // Read elsewhere while it is open: its id is at or above xmin (still running) and below next. (The
      // snapshot's xmax may equal it: xmax is one past the highest completed id.)
      const { horizon } = await eventLogPosition(store.db)
      expect(horizon!.xmin).toBeLessThanOrEqual(xid)
      expect(horizon!.next).toBeGreaterThan(xid)
      release()
      await open
    },
  )

  it.skipIf(TEST_STORE !== 'postgres')('appends take their transaction id before their seq (PostgreSQL)', async () => {
    // A row trigger runs after the insert took its seq and before it writes the row, so an append that
    // is its transaction's first write would find no id here. The horizon rests on there being one (ADR 50).
    await sql`create function seq_after_id() returns trigger language plpgsql as $$
      begin
        if pg_current_xact_id_if_assigned() is null then raise exception 'seq % taken before the transaction id', new.seq; end if;
        return new;
      end $$`.execute(store.db)
    await sql`create trigger seq_after_id before insert on change_event for each row execute function seq_after_id()`.execute(store.db)
    const at = { actor: 'system', time: new Date().toISOString() }
    // The first write of a transaction, and an append outside any transaction.
    await store.transaction((trx) => appendEvent(trx, { workspaceId: 'w1', type: 'token.revoked', ...at }))
    await appendEvent(store.db, { workspaceId: 'w1', type: 'token.revoked', ...at })
    const { last } = await eventLogPosition(store.db)
    expect(last).toBeGreaterThanOrEqual(2)
  })

  it.skipIf(TEST_STORE !== 'postgres')('reads a pending gap by its seq, not every event committed after it (PostgreSQL)', async () => {
    const caches = new Caches()
    await caches.sync(store.db)
    // A rolled-back transaction takes a seq for good: the gap it leaves stays pending.
    await store
      .transaction(async (trx) => {
        await appendEvent(trx, { workspaceId: 'w1', type: 'token.revoked', actor: 'system', time: new Date().toISOString() })
        throw new Error('rolled back')
      })
      .catch(() => {})
    for (let i = 0; i < 30; i++) await event('w2', 'page.updated')
    await caches.sync(store.db)
    expect(caches.sizes().pending).toBe(1)
    await caches.token(store.db, 'd1', async () => token('w1'))
    const read = caches.stats.stampsRead
    const gapReads = caches.stats.gapReads
    // The gap closes once every transaction that could have taken its seq has ended (ADR 50): at the
    // next sync, or a few later when another test's write transaction was open meanwhile. Before, it was
    // asked about by every sync for 30 s and then dropped every entry.
    for (let i = 0; i < 200 && caches.sizes().pending > 0; i++) {
      await caches.sync(store.db)
      await new Promise((r) => setTimeout(r, 10))
    }
    expect(caches.sizes().pending).toBe(0)
    expect(caches.stats.gapsClosed).toBe(1)
    // Closing it read nothing and dropped nothing: the rolled-back transaction changed nothing.
    expect(caches.stats.stampsRead - read).toBe(0)
    expect(caches.stats.gapReads - gapReads).toBe(0)
    expect(await cached(caches, 'd1')).toBe(true)
    // A new event is read alone, and still drops what it concerns.
    await event('w1', 'grant.changed')
    await caches.sync(store.db)
    expect(caches.stats.stampsRead - read).toBe(1)
    expect(await cached(caches, 'd1')).toBe(false)
  })

  it.skipIf(TEST_STORE !== 'postgres')('applies an event whose transaction commits after a later one (PostgreSQL)', async () => {
    const caches = new Caches()
    // An older event: the log's oldest event stays the same when the gap fills (a new oldest one is a restart).
    await event('w0', 'page.updated')
    await caches.sync(store.db)
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    let appended!: () => void
    const inserted = new Promise<void>((r) => (appended = r))
    // Transaction 1 takes the lower seq and commits last.
    const slow = store.transaction(async (trx) => {
      await appendEvent(trx, { workspaceId: 'w1', type: 'token.revoked', actor: 'system', time: new Date().toISOString() })
      appended()
      await held
    })
    await inserted
    await event('w2', 'page.updated')
    await caches.sync(store.db)
    expect(caches.sizes().pending).toBe(1)
    await caches.token(store.db, 'd1', async () => token('w1'))
    let loads = 0
    const row = () => caches.row(store.db, 'block b1', async () => ({ id: 'b1', load: ++loads }))
    await row()
    // While the gap waits and nothing new arrives, rows stay: the open transaction changed nothing yet.
    // Its gap stays pending however long the syncs go on (its transaction is running, so the snapshots'
    // xmin stays at or below its id), and they read no stamp again: they ask about the gap in their
    // position read, no second statement.
    const read = caches.stats.stampsRead
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 20))
      await caches.sync(store.db)
    }
    await row()
    expect(loads).toBe(1)
    expect(caches.sizes().pending).toBe(1)
    expect(caches.stats.stampsRead - read).toBe(0)
    expect(caches.stats.gapReads).toBe(0)
    expect(caches.stats.gapsClosed).toBe(0)
    release()
    await slow
    await caches.sync(store.db)
    expect(caches.sizes()).toMatchObject({ pending: 0, tokens: 0, rows: 0 })
    // The position read counted the filled gap, and one read by its seq fetched it.
    expect(caches.stats.gapReads).toBe(1)
    // Its event, once visible, dropped the row read before it committed.
    await row()
    expect(loads).toBe(2)
  })
})
