import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { unshareFromConnection } from '../../src/services/connections.service.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Queries leak nothing about related pages the token cannot see (issue 3, permissions): relation and
 * rollup filters and sorts read the visibility-filtered computed values, so a relation into an
 * unshared data source behaves as empty — no match by id, no count.
 */

const rt = (content: string) => [{ type: 'text' as const, text: { content } }]

describe('query filters over relations into pages the token cannot see', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => {
    await server.stop()
  })

  it('treats hidden related pages as absent in relation and rollup conditions', async () => {
    const s = await seedBasic(server)
    await s.share(s.pages.root.id)
    await s.share(s.pages.secret.id)
    const notion = server.client(s.token)
    const targets = (await notion.databases.create({
      parent: { type: 'page_id', page_id: s.pages.secret.id },
      title: rt('Hidden'),
      initial_data_source: { properties: { Name: { title: {} }, Amount: { number: {} } } },
    })) as unknown as { data_sources: { id: string }[] }
    const targetDs = (targets.data_sources[0] as { id: string }).id
    const hidden = (await notion.pages.create({ parent: { data_source_id: targetDs }, properties: { Name: { title: rt('Hidden row') }, Amount: { number: 7 } } as never })).id
    const main = (await notion.databases.create({
      parent: { type: 'page_id', page_id: s.pages.root.id },
      title: rt('Main'),
      initial_data_source: { properties: { Name: { title: {} }, Link: { relation: { data_source_id: targetDs, single_property: {} } } } as never },
    })) as unknown as { data_sources: { id: string }[] }
    const mainDs = (main.data_sources[0] as { id: string }).id
    await notion.dataSources.update({ data_source_id: mainDs, properties: { Total: { rollup: { relation_property_name: 'Link', rollup_property_name: 'Amount', function: 'sum' } } } as never })
    const linked = (await notion.pages.create({ parent: { data_source_id: mainDs }, properties: { Name: { title: rt('Linked') }, Link: { relation: [{ id: hidden }] } } as never })).id
    const plain = (await notion.pages.create({ parent: { data_source_id: mainDs }, properties: { Name: { title: rt('Plain') } } as never })).id
    const q = async (filter: unknown) => (await notion.dataSources.query({ data_source_id: mainDs, filter: filter as never })).results.map((r) => r.id)
    // While the target is shared, the relation is visible.
    expect(await q({ property: 'Link', relation: { contains: hidden } })).toEqual([linked])
    expect(await q({ property: 'Total', rollup: { number: { equals: 7 } } })).toEqual([linked])

    await unshareFromConnection(server.deps, s.connection.id, s.pages.secret.id, s.owner.id)
    expect(await q({ property: 'Link', relation: { contains: hidden } })).toEqual([])
    expect(await q({ property: 'Link', relation: { is_not_empty: true } })).toEqual([])
    expect(await q({ property: 'Link', relation: { is_empty: true } })).toEqual([plain, linked])
    expect(await q({ property: 'Total', rollup: { number: { equals: 7 } } })).toEqual([])
    const sorted = await notion.dataSources.query({ data_source_id: mainDs, sorts: [{ property: 'Link', direction: 'ascending' }, { property: 'Name', direction: 'descending' }] })
    expect(sorted.results.map((r) => r.id)).toEqual([plain, linked])
    expect(JSON.stringify(sorted)).not.toContain(hidden)
  })
})
