import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openTestStore } from '../support/stores.js'
import { textRun } from '../../src/domain/rich-text.js'
import { ROLE } from '../../src/permissions/roles.js'
import { createNode } from '../../src/services/tree.service.js'
import { grantOnPage, levelOnRoot } from '../../src/storage/repositories/acl.repository.js'
import { findBlock } from '../../src/storage/repositories/blocks.repository.js'
import type { Store } from '../../src/storage/store.js'

/**
 * What the repositories assume of any store, checked on the store under test (SQLite, or PostgreSQL
 * in the `postgres` project): byte-order text comparison (keyset cursors, `path` ranges), numbers
 * for counts, current migrations, and transactions that keep the materialised ACL exact when writes
 * race.
 */
const T = '2026-01-01T00:00:00.000Z'

describe('store portability', () => {
  let store: Store
  let close: () => Promise<void>
  beforeEach(async () => {
    ;({ store, close } = await openTestStore())
    await store.db.insertInto('workspace').values({ id: 'w', name: 'W', icon: null, plan: 'free', created_time: T }).execute()
  })
  afterEach(async () => close())

  it('orders and compares text byte by byte, as SQLite does', async () => {
    const names = ['a-b', 'a_b', 'aB', 'ab', 'A', 'a b', 'é', 'z', '0', '~', 'a/', 'a/b']
    for (const name of names) {
      await store.db
        .insertInto('change_event')
        .values({ id: name, workspace_id: 'w', actor: 'admin', type: 'x', object_type: null, object_id: null, data: null, time: T })
        .execute()
    }
    const rows = await store.db.selectFrom('change_event').select('id').orderBy('id').execute()
    expect(rows.map((r) => r.id)).toEqual([...names].sort((x, y) => (Buffer.from(x) < Buffer.from(y) ? -1 : 1)))
    const above = await store.db
      .selectFrom('change_event')
      .select('id')
      .where('id', '>', 'a-b')
      .where('id', '<', `a/\u{10FFFF}`)
      .orderBy('id')
      .execute()
    expect(above.map((r) => r.id)).toEqual(['a/', 'a/b'])
    if (store.dialect === 'postgres') {
      // Byte order must not depend on the database's locale: every text column of every migration is "C".
      const other = await sql<{ c: string }>`select table_name || '.' || column_name as c from information_schema.columns
        where table_schema = current_schema() and data_type = 'text' and collation_name is distinct from 'C'
        and table_name not like 'kysely_%'`.execute(store.db)
      expect(other.rows.map((r) => r.c)).toEqual([])
    }
  })

  it('returns counts and sums as numbers', async () => {
    const row = await store.db
      .selectFrom('workspace')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.max('name').as('m')])
      .executeTakeFirstOrThrow()
    expect(row.n).toBe(1)
    expect(await store.migrationStatus()).toMatchObject({ pending: [] })
    await expect(store.ping()).resolves.toBeUndefined()
  })

  it('keeps the materialised ACL exact when shares of one subtree race', async () => {
    const top = await createNode(store.db, {
      workspaceId: 'w',
      parent: { type: 'workspace' },
      kind: 'page',
      title: [textRun('top')],
      properties: {},
      actor: 'u',
      time: T,
    })
    let parent = top
    const chain = [top]
    for (let i = 0; i < 5; i++) {
      parent = await createNode(store.db, {
        workspaceId: 'w',
        parent: { type: 'page_id', id: parent.id },
        kind: 'page',
        title: [textRun(`p${i}`)],
        properties: {},
        actor: 'u',
        time: T,
      })
      chain.push(parent)
    }
    const bots = Array.from({ length: 6 }, () => `bot:${randomUUID()}`)
    // Each bot shares a different page of the chain, all at once.
    await Promise.all(
      bots.map((bot, i) =>
        store.transaction(async (trx) => {
          const node = (await findBlock(trx, chain[i]!.id))!
          await grantOnPage(trx, node, { principal: bot, role: ROLE.edit, grantedBy: 'u', time: T })
        }),
      ),
    )
    // Bot i reaches page j exactly when j ≥ i.
    for (let j = 0; j < chain.length; j++) {
      const node = (await findBlock(store.db, chain[j]!.id))!
      const levels = await Promise.all(bots.map((bot) => levelOnRoot(store.db, node.perm_root_id!, [bot])))
      expect(levels).toEqual(bots.map((_, i) => (j >= i ? ROLE.edit : 0)))
    }
  })
})
