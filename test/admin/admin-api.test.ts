import { APIErrorCode } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminCall } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'

/** The admin API (`/_octavo/admin`) as a test suite would drive it, with the official SDK alongside. */
describe('admin API', () => {
  let server: TestServer
  const call = (method: string, path: string, body?: unknown, key?: string) => adminCall(server, method, path, body, key)
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => server.stop())

  it('requires the admin key', async () => {
    expect((await call('GET', '/workspaces', undefined, 'wrong-key-wrong-key')).status).toBe(401)
    const res = await fetch(`${server.url}/_octavo/admin/workspaces`)
    expect(res.status).toBe(401)
    expect(((await res.json()) as { code: string }).code).toBe('unauthorized')
  })

  it('walks the whole set-up: workspace, pages, connection, share, refresh, unshare, reset', async () => {
    const ws = await call('POST', '/workspaces', {
      name: 'Globex',
      plan: 'business',
      members: [
        { name: 'Hank', email: 'hank@globex.test', role: 'owner' },
        { name: 'Marge', email: 'marge@globex.test', role: 'member' },
      ],
      pages: ['Handbook'],
    })
    expect(ws.status).toBe(201)
    const workspaceId = ws.body.workspace.id as string
    const handbook = ws.body.pages[0].id as string
    const sub = await call('POST', `/workspaces/${workspaceId}/pages`, { title: 'Onboarding', parent_id: handbook })
    expect(sub.status).toBe(201)
    const pages = await call('GET', `/workspaces/${workspaceId}/pages`)
    expect(pages.body.pages.map((p: { title: string; depth: number }) => [p.title, p.depth])).toEqual([
      ['Handbook', 0],
      ['Onboarding', 1],
    ])

    const refused = await call('POST', `/workspaces/${workspaceId}/connections`, { name: 'Nope', as: 'marge@globex.test' })
    expect(refused.status).toBe(403)
    expect(refused.body.message).toBe('Only workspace owners can create internal connections. This user is a member.')

    const conn = await call('POST', `/workspaces/${workspaceId}/connections`, { name: 'Sync', capabilities: { read_comments: true } })
    expect(conn.status).toBe(201)
    const token = conn.body.token as string
    const connectionId = conn.body.connection.id as string
    expect(conn.body.connection.capabilities.readComments).toBe(true)
    const notion = server.client(token)
    expect((await apiError(notion.pages.retrieve({ page_id: sub.body.id }))).code).toBe(APIErrorCode.ObjectNotFound)

    // A member with full access adds the connection to a page (the page's ••• → Connections).
    expect((await call('PUT', `/connections/${connectionId}/pages/${handbook}`, { as: 'marge@globex.test' })).status).toBe(200)
    expect((await notion.pages.retrieve({ page_id: sub.body.id })).id).toBe(sub.body.id)
    const shares = await call('GET', `/connections/${connectionId}/pages`)
    expect(shares.body.pages.map((p: { page_id: string }) => p.page_id)).toEqual([handbook])

    const revealed = await call('GET', `/connections/${connectionId}/token`)
    expect(revealed.body.token).toBe(token)
    const refreshed = await call('POST', `/connections/${connectionId}/token/refresh`, {})
    expect(refreshed.body.token).not.toBe(token)
    expect((await apiError(notion.users.me({}))).code).toBe(APIErrorCode.Unauthorized)
    const fresh = server.client(refreshed.body.token)
    expect((await fresh.users.me({})).type).toBe('bot')

    expect((await call('PATCH', `/connections/${connectionId}/capabilities`, { read_content: false })).status).toBe(200)
    expect((await apiError(fresh.pages.retrieve({ page_id: handbook }))).code).toBe(APIErrorCode.RestrictedResource)
    await call('PATCH', `/connections/${connectionId}/capabilities`, { read_content: true })

    expect((await call('DELETE', `/connections/${connectionId}/pages/${handbook}`)).body.removed).toBe(true)
    expect((await apiError(fresh.pages.retrieve({ page_id: handbook }))).code).toBe(APIErrorCode.ObjectNotFound)

    const audit = await call('GET', `/workspaces/${workspaceId}/audit`)
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining([
        'connection.created',
        'page.connection_added',
        'connection.token_revealed',
        'connection.token_refreshed',
        'connection.capabilities_changed',
        'page.connection_removed',
      ]),
    )
    expect(JSON.stringify(audit.body)).not.toContain(refreshed.body.token)

    expect((await call('POST', '/reset')).body.reset).toBe(true)
    expect((await call('GET', '/workspaces')).body.workspaces).toEqual([])
    expect((await apiError(fresh.users.me({}))).code).toBe(APIErrorCode.Unauthorized)
  })

  it('refuses guests and answers bad input clearly', async () => {
    const ws = await call('POST', '/workspaces', {
      name: 'Initech',
      members: [
        { name: 'Bill', email: 'bill@initech.test', role: 'owner' },
        { name: 'Gina', email: 'gina@initech.test', role: 'guest' },
      ],
      pages: ['TPS'],
    })
    const workspaceId = ws.body.workspace.id
    const conn = await call('POST', `/workspaces/${workspaceId}/connections`, { name: 'Bot' })
    const share = await call('PUT', `/connections/${conn.body.connection.id}/pages/${ws.body.pages[0].id}`, { as: 'gina@initech.test' })
    expect(share.status).toBe(403)
    expect(share.body.message).toBe('Only people with full access to this page can add or remove connections on it.')
    expect((await call('POST', '/workspaces', { name: 'x' })).status).toBe(400)
    expect(
      (await call('POST', '/workspaces', { name: 'x', members: [{ name: 'a', email: 'a@x.test', role: 'member' }] })).body.message,
    ).toBe('A workspace needs at least one owner.')
    expect((await call('GET', '/workspaces/not-a-uuid')).status).toBe(400)
  })
})
