import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { unshareFromConnection } from '../../src/services/connections.service.js'
import { buildDatabase, buildRow, connectedWorkspace } from '../support/factories.js'
import { startTestServer, type TestServer } from '../support/harness.js'

/**
 * Queries leak nothing about related pages the token cannot see (issue 3, permissions): relation and
 * rollup filters and sorts read the visibility-filtered computed values, so a relation into an
 * unshared data source behaves as empty — no match by id, no count.
 */

describe('query filters over relations into pages the token cannot see', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => {
    await server.stop()
  })

  it('treats hidden related pages as absent in relation and rollup conditions', async () => {
    const { s, notion } = await connectedWorkspace(server)
    await s.share(s.pages.secret.id)
    const { dataSourceId: targetDs } = await buildDatabase(notion, s.pages.secret.id, {
      title: 'Hidden',
      properties: { Name: { title: {} }, Amount: { number: {} } },
    })
    const hidden = await buildRow(notion, targetDs, 'Hidden row', { Amount: { number: 7 } })
    const { dataSourceId: mainDs } = await buildDatabase(notion, s.pages.root.id, {
      title: 'Main',
      properties: { Name: { title: {} }, Link: { relation: { data_source_id: targetDs, single_property: {} } } } as never,
    })
    await notion.dataSources.update({
      data_source_id: mainDs,
      properties: { Total: { rollup: { relation_property_name: 'Link', rollup_property_name: 'Amount', function: 'sum' } } } as never,
    })
    const linked = await buildRow(notion, mainDs, 'Linked', { Link: { relation: [{ id: hidden }] } })
    const plain = await buildRow(notion, mainDs, 'Plain')
    const q = async (filter: unknown) =>
      (await notion.dataSources.query({ data_source_id: mainDs, filter: filter as never })).results.map((r) => r.id)
    // While the target is shared, the relation is visible.
    expect(await q({ property: 'Link', relation: { contains: hidden } })).toEqual([linked])
    expect(await q({ property: 'Total', rollup: { number: { equals: 7 } } })).toEqual([linked])

    await unshareFromConnection(server.deps, s.connection.id, s.pages.secret.id, s.owner.id)
    expect(await q({ property: 'Link', relation: { contains: hidden } })).toEqual([])
    expect(await q({ property: 'Link', relation: { is_not_empty: true } })).toEqual([])
    expect(await q({ property: 'Link', relation: { is_empty: true } })).toEqual([plain, linked])
    expect(await q({ property: 'Total', rollup: { number: { equals: 7 } } })).toEqual([])
    const sorted = await notion.dataSources.query({
      data_source_id: mainDs,
      sorts: [
        { property: 'Link', direction: 'ascending' },
        { property: 'Name', direction: 'descending' },
      ],
    })
    expect(sorted.results.map((r) => r.id)).toEqual([plain, linked])
    expect(JSON.stringify(sorted)).not.toContain(hidden)
  })
})
