import { collectPaginatedAPI } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KEYS_FROM_SEARCH } from '../../src/api/search/search.service.js'
import { textRun } from '../../src/domain/rich-text.js'
import { principalOf, ROLE } from '../../src/permissions/roles.js'
import { createNode } from '../../src/services/tree.service.js'
import { grantOnPage } from '../../src/storage/repositories/acl.repository.js'
import {
  COUNT_HINTS,
  LISTING_PLAN,
  MAX_ROOTS_IN_LIST,
  TITLE_INDEX,
  VISIBLE_KEYS,
} from '../../src/storage/repositories/search.repository.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * A connection with more shares than fit one `IN (…)` list must get exactly the shared pages,
 * newest first, across pages of results — by either listing plan: the sparse one (keys from the
 * roots' index, split over several lists) and the dense one (walking the time index), which a
 * lowered `LISTING_PLAN.sparseLimit` forces on this small workspace. A title query gets the same
 * pages by the title-index plan, by the sparse plan narrowed by the index's matches (SQLite, when the
 * index's cap is exceeded), by the sparse plan without the index and by the visible keys kept in the caches
 * (SQLite, ADR 45; the other plans run with them turned off). A count of the roots' nodes
 * remembered from an earlier search (`COUNT_HINTS`) that has gone stale changes the plan, not the answer.
 */
describe('search with many shares', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => server.stop())

  let seeded: { token: string; shared: string[]; count: number; workspaceId: string; ownerId: string } | undefined

  /** Runs `fn` without the visible keys kept in the caches (the listing and title-index plans answer). */
  const withoutKeys = async (fn: () => Promise<void>) => {
    const max = VISIBLE_KEYS.max
    VISIBLE_KEYS.max = 0
    server.deps.caches?.markStale()
    try {
      await fn()
    } finally {
      VISIBLE_KEYS.max = max
      server.deps.caches?.markStale()
    }
  }

  // Set-up writes ~3000 rows one statement at a time; on PostgreSQL under load that can take over 30 s.
  it(`stays exact beyond ${MAX_ROOTS_IN_LIST} shared roots`, { timeout: 120_000 }, async () => {
    const s = await seedBasic(server)
    const shared: string[] = []
    const count = MAX_ROOTS_IN_LIST + 150
    await server.deps.store.transaction(async (trx) => {
      for (let i = 0; i < count * 2; i++) {
        const time = new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString()
        const row = await createNode(trx, {
          workspaceId: s.workspace.id,
          parent: { type: 'workspace' },
          kind: 'page',
          title: [textRun(`Page ${i}`)],
          properties: { title: [textRun(`Page ${i}`)] },
          actor: s.owner.id,
          time,
        })
        if (i % 2 === 0) {
          await grantOnPage(trx, row, { principal: principalOf.bot(s.connection.bot_id), role: ROLE.edit, grantedBy: s.owner.id, time })
          shared.push(row.id)
        }
      }
    })
    seeded = { token: s.token, shared, count, workspaceId: s.workspace.id, ownerId: s.owner.id }
    const notion = server.client(s.token)
    const results = await collectPaginatedAPI(notion.search, { filter: { property: 'object', value: 'page' }, page_size: 100 })
    expect(results).toHaveLength(count)
    expect(results.map((r) => r.id)).toEqual([...shared].reverse())
    const titled = await notion.search({ query: 'page 1', page_size: 100 })
    expect(titled.results.every((r) => shared.includes(r.id))).toBe(true)
  })

  it('stays exact when the dense plan walks the time index', async () => {
    if (!seeded) throw new Error('the previous test seeds the workspace')
    const { token, shared, count } = seeded
    const before = LISTING_PLAN.sparseLimit
    LISTING_PLAN.sparseLimit = 100
    try {
      await withoutKeys(async () => {
        const notion = server.client(token)
        const results = await collectPaginatedAPI(notion.search, { filter: { property: 'object', value: 'page' }, page_size: 100 })
        expect(results).toHaveLength(count)
        expect(results.map((r) => r.id)).toEqual([...shared].reverse())
        const titled = await notion.search({ query: 'page 1', page_size: 100 })
        expect(titled.results.length).toBeGreaterThan(0)
        expect(titled.results.every((r) => shared.includes(r.id))).toBe(true)
      })
    } finally {
      LISTING_PLAN.sparseLimit = before
    }
  })

  it('answers a title query the same by the title index, the narrowed sparse plan and the plain one', { timeout: 60_000 }, async () => {
    if (!seeded) throw new Error('the first test seeds the workspace')
    const { token, shared } = seeded
    const notion = server.client(token)
    // Titles are "Page <i>" for the i-th node created; the shared ones are the even i, newest first.
    const titleOf = new Map<string, string>()
    shared.forEach((id, k) => titleOf.set(id, `page ${2 * k}`))
    for (const query of ['page 1', 'age 2', 'page 13']) {
      const expected = [...shared].reverse().filter((id) => (titleOf.get(id) as string).includes(query))
      for (const plan of ['keys', 'index', 'narrowed', 'plain'] as const) {
        const before = { ...TITLE_INDEX }
        if (plan === 'narrowed') TITLE_INDEX.cap = 0
        if (plan === 'plain') TITLE_INDEX.minLength = Number.POSITIVE_INFINITY
        const search = () => collectPaginatedAPI(notion.search, { query, filter: { property: 'object', value: 'page' }, page_size: 37 })
        try {
          if (plan === 'keys') {
            // Enough searches to have the keys built from the next one on, then every page through them.
            for (let i = 1; i < KEYS_FROM_SEARCH; i++) await notion.search({ query, page_size: 1 })
            const hits = server.deps.caches?.stats.derivedHits ?? 0
            const results = await search()
            expect(
              results.map((r) => r.id),
              `"${query}" by the kept keys`,
            ).toEqual(expected)
            if (server.deps.caches) expect(server.deps.caches.stats.derivedHits).toBeGreaterThan(hits)
          } else {
            await withoutKeys(async () => {
              const results = await search()
              expect(
                results.map((r) => r.id),
                `"${query}" by the ${plan} plan`,
              ).toEqual(expected)
            })
          }
        } finally {
          Object.assign(TITLE_INDEX, before)
        }
      }
    }
  })

  // Last: it adds pages to the seeded workspace.
  it("answers the same when a remembered count of the roots' nodes has gone stale", { timeout: 120_000 }, async () => {
    if (!seeded) throw new Error('the first test seeds the workspace')
    const { token, shared, workspaceId, ownerId } = seeded
    const notion = server.client(token)
    const before = LISTING_PLAN.sparseLimit
    // Just above the shared nodes: the first search counts them (the sparse plan) and remembers it.
    LISTING_PLAN.sparseLimit = shared.length + 50
    const max = VISIBLE_KEYS.max
    VISIBLE_KEYS.max = 0
    server.deps.caches?.markStale()
    try {
      const first = await collectPaginatedAPI(notion.search, { filter: { property: 'object', value: 'page' }, page_size: 100 })
      expect(first.map((r) => r.id)).toEqual([...shared].reverse())
      // 60 more pages under a shared one (same roots): the dense plan's side of the limit now, but the
      // count remembered for these roots still says sparse.
      const added: string[] = []
      await server.deps.store.transaction(async (trx) => {
        for (let i = 0; i < 60; i++) {
          const time = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString()
          const row = await createNode(trx, {
            workspaceId,
            parent: { type: 'page_id', id: shared[0] as string },
            kind: 'page',
            title: [textRun(`Later ${i}`)],
            properties: { title: [textRun(`Later ${i}`)] },
            actor: ownerId,
            time,
          })
          added.push(row.id)
        }
      })
      const expected = [...added.reverse(), ...[...shared].reverse()]
      const stale = await collectPaginatedAPI(notion.search, { filter: { property: 'object', value: 'page' }, page_size: 100 })
      expect(stale.map((r) => r.id)).toEqual(expected)
      const hints = COUNT_HINTS.ttlMs
      COUNT_HINTS.ttlMs = 0
      try {
        const counted = await collectPaginatedAPI(notion.search, { filter: { property: 'object', value: 'page' }, page_size: 100 })
        expect(counted.map((r) => r.id)).toEqual(expected)
      } finally {
        COUNT_HINTS.ttlMs = hints
      }
    } finally {
      LISTING_PLAN.sparseLimit = before
      VISIBLE_KEYS.max = max
    }
  })
})
