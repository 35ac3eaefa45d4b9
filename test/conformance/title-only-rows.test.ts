import type { Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDatabase, connectedWorkspace, rt, type Seed } from '../support/factories.js'
import { startTestServer, type TestServer } from '../support/harness.js'

/**
 * A title-only data-source query (Notion-Version 2026-12-01 without `filter_properties`) reads fewer
 * columns of each row than a full one (storage/repositories/data-source-query.repository.ts
 * `PRESENTED_COLUMNS`): its pages must still be the pages of 2026-03-11 with the title property alone,
 * field for field, under every plan — the default order (one statement), a sort on a property (ids,
 * then the rows), a filter, a cursor, trashed rows — and with `filter_properties` naming the title.
 * Source: docs/reference/notion-api-2026.md §6.1.
 */

type Page = { id: string; properties: Record<string, { id: string }>; [k: string]: unknown }
type List = { results: Page[]; next_cursor: string | null; has_more: boolean; [k: string]: unknown }

describe('title-only data-source queries present the same pages', () => {
  let server: TestServer
  let s: Seed
  let full: Client
  let titleOnly: Client
  let dataSourceId: string

  beforeAll(async () => {
    server = await startTestServer()
    ;({ s } = await connectedWorkspace(server))
    full = server.client(s.token, '2026-03-11')
    titleOnly = server.client(s.token, '2026-12-01')
    ;({ dataSourceId } = await buildDatabase(full, s.pages.root.id, {
      title: 'Rows',
      properties: { Name: { title: {} }, Qty: { number: {} }, Double: { formula: { expression: 'prop("Qty") * 2' } } },
    }))
    for (let i = 0; i < 5; i++) {
      const page = await full.pages.create({
        parent: { data_source_id: dataSourceId },
        properties: { Name: { title: rt(`Row ${i} ✓`) }, Qty: { number: (i * 7) % 5 } },
        ...(i % 2 === 0 ? { icon: { type: 'emoji', emoji: '🎯' } } : {}),
        ...(i === 3 ? { cover: { type: 'external', external: { url: 'https://example.com/c.png' } } } : {}),
      } as never)
      if (i === 4) await full.pages.update({ page_id: page.id, in_trash: true })
      if (i === 1) await full.pages.update({ page_id: page.id, is_locked: true } as never)
    }
  })
  afterAll(async () => server.stop())

  /** A list without its `request_id` (each answer has its own). */
  const bare = ({ request_id: _, ...list }: List): List => list as List
  /** The 2026-03-11 list with each page's properties cut to the title. */
  const titled = (list: List): List => ({
    ...bare(list),
    results: list.results.map((p) => ({
      ...p,
      properties: Object.fromEntries(Object.entries(p.properties).filter(([, v]) => v.id === 'title')),
    })),
  })

  const bodies: Record<string, Record<string, unknown>> = {
    'default order': {},
    'sort on a number': { sorts: [{ property: 'Qty', direction: 'ascending' }] },
    'sort on the title, descending': { sorts: [{ property: 'Name', direction: 'descending' }] },
    'filter and sort': { filter: { property: 'Qty', number: { greater_than: 0 } }, sorts: [{ property: 'Qty', direction: 'descending' }] },
    'trashed rows': { in_trash: true },
    'first page of 2': { page_size: 2 },
    'first page of 2, sorted': { page_size: 2, sorts: [{ property: 'Qty', direction: 'ascending' }] },
  }

  for (const [name, body] of Object.entries(bodies)) {
    it(`${name}: the 2026-03-11 pages with the title only, and their next pages`, async () => {
      let cursor: string | undefined
      let pages = 0
      do {
        const req = { data_source_id: dataSourceId, ...body, ...(cursor ? { start_cursor: cursor } : {}) }
        const before = (await full.dataSources.query(req as never)) as unknown as List
        const after = bare((await titleOnly.dataSources.query(req as never)) as unknown as List)
        const named = bare((await titleOnly.dataSources.query({ ...req, filter_properties: ['title'] } as never)) as unknown as List)
        expect(before.results.length).toBeGreaterThan(0)
        expect(after).toEqual(titled(before))
        expect(JSON.stringify(after)).toBe(JSON.stringify(titled(before)))
        expect(named).toEqual(after)
        cursor = after.next_cursor ?? undefined
        pages++
      } while (cursor && pages < 5)
    })
  }
})
