import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { textRun } from '../../src/domain/rich-text.js'
import { ROLE } from '../../src/permissions/roles.js'
import { createNode, moveNode } from '../../src/services/tree.service.js'
import type { Store } from '../../src/storage/store.js'
import { openTestStore } from '../support/stores.js'
import { grantOnPage, levelOnRoot, revokeOnPage, rootsVisibleTo } from '../../src/storage/repositories/acl.repository.js'
import { findBlock } from '../../src/storage/repositories/blocks.repository.js'

/**
 * The permission engine on a real store (SQLite, or PostgreSQL in the `postgres` project): each case builds a tree, applies grants and moves,
 * and checks the effective level of a principal on every page against the rule "highest level
 * granted on the page or any ancestor, up to the first page that does not inherit".
 */
const T = '2026-01-01T00:00:00.000Z'
const BOT = 'bot:b1'
const OTHER = 'bot:b2'

describe('permission roots', () => {
  let store: Store
  let close: () => Promise<void>
  const ids: Record<string, string> = {}
  beforeEach(async () => {
    ;({ store, close } = await openTestStore())
    await store.db.insertInto('workspace').values({ id: 'w', name: 'W', icon: null, plan: 'free', created_time: T }).execute()
  })
  afterEach(async () => close())

  /** Builds `spec` = [[name, parentName | null], …] in order. */
  async function tree(spec: [string, string | null][]) {
    for (const [name, parent] of spec) {
      const row = await createNode(store.db, {
        workspaceId: 'w',
        parent: parent ? { type: 'page_id', id: ids[parent] as string } : { type: 'workspace' },
        kind: 'page',
        title: [textRun(name)],
        properties: {},
        actor: 'u',
        time: T,
      })
      ids[name] = row.id
    }
  }
  const node = async (name: string) => (await findBlock(store.db, ids[name] as string))!
  const level = async (name: string, principal: string) => levelOnRoot(store.db, (await node(name)).perm_root_id as string, [principal])
  const grant = async (name: string, principal: string, role: number = ROLE.edit) =>
    grantOnPage(store.db, await node(name), { principal, role, grantedBy: 'u', time: T })
  const levels = async (names: string[], principal: string) => Promise.all(names.map((n) => level(n, principal)))

  const chain: [string, string | null][] = [
    ['a', null],
    ['b', 'a'],
    ['c', 'b'],
    ['d', 'c'],
    ['x', null],
  ]

  it('a share covers the page and every descendant, and nothing else', async () => {
    await tree(chain)
    await grant('b', BOT)
    expect(await levels(['a', 'b', 'c', 'd', 'x'], BOT)).toEqual([0, ROLE.edit, ROLE.edit, ROLE.edit, 0])
  })

  it('members reach every workspace page through the workspace grant on top-level pages', async () => {
    await tree(chain)
    expect(await levels(['a', 'b', 'c', 'd', 'x'], 'members:w')).toEqual([5, 5, 5, 5, 5])
  })

  it('the highest level along the path wins', async () => {
    await tree(chain)
    await grant('a', BOT, ROLE.view)
    await grant('c', BOT, ROLE.edit)
    expect(await levels(['a', 'b', 'c', 'd'], BOT)).toEqual([ROLE.view, ROLE.view, ROLE.edit, ROLE.edit])
  })

  it('an ancestor shared after a descendant still reaches the nested root below it', async () => {
    await tree(chain)
    await grant('c', OTHER)
    await grant('a', BOT)
    expect(await levels(['a', 'b', 'c', 'd'], BOT)).toEqual([4, 4, 4, 4])
    expect(await levels(['a', 'b', 'c', 'd'], OTHER)).toEqual([0, 0, 4, 4])
  })

  it('unsharing removes exactly what that share granted', async () => {
    await tree(chain)
    await grant('a', BOT)
    await grant('c', BOT)
    await revokeOnPage(store.db, await node('a'), BOT)
    expect(await levels(['a', 'b', 'c', 'd'], BOT)).toEqual([0, 0, 4, 4])
    await revokeOnPage(store.db, await node('c'), BOT)
    expect(await levels(['a', 'b', 'c', 'd'], BOT)).toEqual([0, 0, 0, 0])
    // The emptied root folds back into its parent's root.
    expect((await node('d')).perm_root_id).toBe(ids.a)
  })

  it('pages created under a shared page later are shared too', async () => {
    await tree(chain)
    await grant('b', BOT)
    await tree([['e', 'd']])
    expect(await level('e', BOT)).toBe(ROLE.edit)
  })

  it('access follows a move in and out of a shared subtree, including nested roots', async () => {
    await tree([...chain, ['y', 'x'], ['z', 'y']])
    await grant('b', BOT)
    await grant('z', OTHER)
    await moveNode(store.db, await node('y'), { type: 'page_id', parent: await node('d') }, 'u', T)
    expect(await levels(['y', 'z'], BOT)).toEqual([4, 4])
    expect(await level('z', OTHER)).toBe(4)
    await moveNode(store.db, await node('y'), { type: 'page_id', parent: await node('x') }, 'u', T)
    expect(await levels(['y', 'z'], BOT)).toEqual([0, 0])
    expect(await level('z', OTHER)).toBe(4)
  })

  it('refuses to move a page under its own descendant', async () => {
    await tree(chain)
    await expect(moveNode(store.db, await node('b'), { type: 'page_id', parent: await node('d') }, 'u', T)).rejects.toThrow('cycle')
  })

  it('lists the roots a principal can see without walking the tree', async () => {
    await tree(chain)
    await grant('b', BOT)
    await grant('x', BOT)
    expect(new Set(await rootsVisibleTo(store.db, [BOT]))).toEqual(new Set([ids.b, ids.x]))
  })

  it('keeps the check cost independent of depth: every page points at its root directly', async () => {
    const deep: [string, string | null][] = [['p0', null]]
    for (let i = 1; i <= 60; i++) deep.push([`p${i}`, `p${i - 1}`])
    await tree(deep)
    await grant('p1', BOT)
    const leaf = await node('p60')
    expect(leaf.perm_root_id).toBe(ids.p1)
    expect(await level('p60', BOT)).toBe(ROLE.edit)
  })
})
