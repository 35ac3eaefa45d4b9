import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { csrfToken } from '../../src/portal/session.js'
import { createSession } from '../../src/services/portal-auth.service.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'
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

  it('drops U+0000 from portal form fields, and refuses it in URLs on every surface', async () => {
    const s = await seedBasic(server)
    const { sessionId } = await createSession(server.deps, s.owner.id)
    const cookie = `octavo_session=${sessionId}`
    const created = await fetch(`${server.url}/developers/connections`, {
      method: 'POST',
      headers: { cookie, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${csrfToken(server.deps, sessionId)}&name=Nu%00ll&workspace_id=${s.workspace.id}`,
      redirect: 'manual',
    })
    expect(created.status).toBe(303)
    const admin = { authorization: `Bearer ${server.config.adminKey}` }
    const list = (await (
      await fetch(`${server.url}/_octavo/admin/workspaces/${s.workspace.id}/connections`, { headers: admin })
    ).json()) as {
      connections: { name: string }[]
    }
    expect(list.connections.map((c) => c.name)).toContain('Null')

    const asNul = await fetch(`${server.url}/_octavo/admin/workspaces/${s.workspace.id}/connections?as=a%00b`, { headers: admin })
    expect(asNul.status).toBe(400)
    expect(await asNul.json()).toMatchObject({ object: 'error', status: 400, code: 'invalid_input' })
    const v1 = await server.raw('/v1/users?start_cursor=a%00b', { token: s.token })
    expect(v1.status).toBe(400)
    expect(await v1.json()).toMatchObject({ object: 'error', status: 400, code: 'invalid_request_url', message: 'Invalid request URL.' })
    const portal = await fetch(`${server.url}/w/${s.workspace.id}?q=a%00b`, { headers: { cookie } })
    expect(portal.status).toBe(400)
    expect(portal.headers.get('content-type')).toContain('text/html')
    const oauth = await fetch(`${server.url}/v1/oauth/token?x=%00`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(oauth.status).toBe(400)
    expect(await oauth.json()).toMatchObject({ error: 'invalid_request' })
  })
})
