import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDatabase, connectedWorkspace } from '../support/factories.js'
import { startTestServer, type TestServer } from '../support/harness.js'

/**
 * Bad input never yields a 5xx: every malformed body or query on every write endpoint answers a
 * JSON body that is either a success or Notion's error envelope with a 4xx status.
 */
async function expectEnvelope(r: Response, what: string) {
  const body = (await r.json()) as Record<string, unknown>
  expect(r.status, what).toBeLessThan(500)
  if (r.status >= 400) {
    expect(body, what).toMatchObject({ object: 'error', status: r.status, code: expect.any(String), message: expect.any(String) })
  }
}

describe('robustness against malformed input', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => server.stop())

  it('answers junk on every endpoint with a 2xx or a 4xx envelope', async () => {
    const { s, notion } = await connectedWorkspace(server, { readComments: true, insertComments: true, userInfo: 'with_email' })
    const { database: db, dataSourceId: ds } = await buildDatabase(notion, s.pages.root.id, {
      title: 'T',
      properties: { Name: { title: {} }, N: { number: {} }, S: { select: { options: [{ name: 'a' }] } } },
    })
    const junk: unknown[] = [
      null,
      1,
      'x',
      true,
      [],
      {},
      [1],
      { a: 1 },
      { type: 'x' },
      [{}],
      [{ text: {} }],
      { start: 1 },
      -1,
      1e9,
      '',
      { and: [] },
      { or: [{ or: [{ or: [] }] }] },
      { property: 'N', number: { equals: 'x' } },
      { property: 'Nope', title: { equals: 'x' } },
      { timestamp: 'created_time', created_time: { after: 'garbage' } },
      { property: 'Name', formula: { string: { equals: 'x' } } },
      { property: 'S', select: { equals: 5 } },
    ]
    const targets: [string, string, (j: unknown) => unknown][] = [
      ['POST', '/v1/pages', (j) => ({ parent: { page_id: s.pages.root.id }, properties: j })],
      ['POST', '/v1/pages', (j) => ({ parent: { data_source_id: ds }, properties: { Name: j, N: j } })],
      ['POST', '/v1/pages', (j) => ({ parent: j })],
      ['POST', '/v1/pages', (j) => ({ parent: { page_id: s.pages.root.id }, children: j })],
      ['PATCH', `/v1/pages/${s.pages.child.id}`, (j) => ({ properties: { title: j }, icon: j })],
      ['PATCH', `/v1/blocks/${s.pages.child.id}/children`, (j) => ({ children: [j] })],
      ['PATCH', `/v1/blocks/${s.pages.child.id}/children`, (j) => ({ children: [{ paragraph: { rich_text: j } }], position: j })],
      ['POST', `/v1/data_sources/${ds}/query`, (j) => ({ filter: j })],
      ['POST', `/v1/data_sources/${ds}/query`, (j) => ({ sorts: j, start_cursor: j, page_size: j })],
      ['PATCH', `/v1/data_sources/${ds}`, (j) => ({ properties: { X: j, N: j } })],
      ['PATCH', `/v1/data_sources/${ds}`, (j) => ({ title: j, properties: j })],
      ['POST', '/v1/databases', (j) => ({ parent: { page_id: s.pages.root.id }, title: j, initial_data_source: { properties: j } })],
      ['POST', '/v1/search', (j) => ({ query: j, filter: j, sort: j, page_size: j, start_cursor: j })],
      ['POST', '/v1/comments', (j) => ({ parent: { page_id: s.pages.root.id }, rich_text: j, display_name: j })],
      ['POST', '/v1/comments', (j) => ({ discussion_id: j, rich_text: [{ text: { content: 'x' } }] })],
      ['POST', `/v1/pages/${s.pages.child.id}/move`, (j) => ({ parent: j })],
      ['PATCH', `/v1/databases/${db.id}`, (j) => ({ title: j, icon: j, parent: j })],
    ]
    for (const [method, path, make] of targets)
      for (const j of junk) {
        const r = await server.raw(path, { method, token: s.token, body: JSON.stringify(make(j)) })
        await expectEnvelope(r, `${method} ${path} ${JSON.stringify(make(j)).slice(0, 120)}`)
      }
    for (const q of ['?page_size=0', '?page_size=abc', '?start_cursor=zzz', '?block_id=' + s.pages.root.id + '&page_size=-5']) {
      for (const p of [
        `/v1/blocks/${s.pages.root.id}/children`,
        '/v1/users',
        '/v1/comments',
        `/v1/pages/${s.pages.root.id}/properties/title`,
      ]) {
        const r = await server.raw(p + q, { token: s.token })
        await expectEnvelope(r, p + q)
      }
    }
  }, 60_000)
})
