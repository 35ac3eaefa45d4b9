import { collectPaginatedAPI } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { textRun } from '../../src/domain/rich-text.js'
import { principalOf, ROLE } from '../../src/permissions/roles.js'
import { createNode } from '../../src/services/tree.service.js'
import { grantOnPage } from '../../src/storage/repositories/acl.repository.js'
import { LISTING_PLAN, MAX_ROOTS_IN_LIST } from '../../src/storage/repositories/search.repository.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * A connection with more shares than fit one `IN (…)` list must get exactly the shared pages,
 * newest first, across pages of results — by either listing plan: the sparse one (keys from the
 * roots' index, split over several lists) and the dense one (walking the time index), which a
 * lowered `LISTING_PLAN.sparseLimit` forces on this small workspace.
 */
describe('search with many shares', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => server.stop())

  let seeded: { token: string; shared: string[]; count: number } | undefined

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
    seeded = { token: s.token, shared, count }
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
      const notion = server.client(token)
      const results = await collectPaginatedAPI(notion.search, { filter: { property: 'object', value: 'page' }, page_size: 100 })
      expect(results).toHaveLength(count)
      expect(results.map((r) => r.id)).toEqual([...shared].reverse())
      const titled = await notion.search({ query: 'page 1', page_size: 100 })
      expect(titled.results.length).toBeGreaterThan(0)
      expect(titled.results.every((r) => shared.includes(r.id))).toBe(true)
    } finally {
      LISTING_PLAN.sparseLimit = before
    }
  })
})
