import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../support/harness.js'
import { buildDatabase, connectedWorkspace, rt } from '../support/factories.js'

/**
 * The NUL character (U+0000) in request strings and keys. PostgreSQL text cannot hold it, so the
 * same request used to be stored on SQLite and answered 500 on PostgreSQL; bodies now drop it
 * (http/body.ts parseJsonText) on both stores, and the API, the admin API and the corpus agree.
 */
describe('NUL characters in bodies', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => {
    await server.stop()
  })

  it('drops U+0000 from titles, property names and values instead of failing', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const page = (await notion.pages.create({
      parent: { page_id: s.pages.root.id },
      properties: { title: { title: rt('a\u0000b') } },
    })) as any
    expect(page.properties.title.title[0].plain_text).toBe('ab')
    const { dataSourceId } = await buildDatabase(notion, s.pages.root.id, {
      title: 'N\u0000ul',
      properties: { 'Na\u0000me': { title: {} }, Notes: { rich_text: {} } },
    })
    const ds = (await notion.dataSources.retrieve({ data_source_id: dataSourceId })) as any
    expect(Object.keys(ds.properties).sort()).toEqual(['Name', 'Notes'])
    const row = (await notion.pages.create({
      parent: { data_source_id: dataSourceId },
      properties: { Name: { title: rt('r\u0000ow') }, Notes: { rich_text: rt('x\u0000y') } },
    })) as any
    expect(row.properties.Notes.rich_text[0].plain_text).toBe('xy')
    const found = (await notion.search({ query: 'a\u0000b' })) as any
    expect(found.results.map((r: { id: string }) => r.id)).toContain(page.id)
  })
})
