import { APIErrorCode, isFullPage } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { refreshToken, unshareFromConnection } from '../../src/services/connections.service.js'
import { removeMember } from '../../src/services/workspaces.service.js'
import { connectedWorkspace } from '../support/factories.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'

describe('internal connection sharing, through the official SDK', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => {
    await server.stop()
  })

  it('sees nothing until a page is shared, then the page and all its descendants', async () => {
    const s = await seedBasic(server)
    const notion = server.client(s.token)
    const before = await apiError(notion.pages.retrieve({ page_id: s.pages.grandchild.id }))
    expect(before.code).toBe(APIErrorCode.ObjectNotFound)
    expect(before.status).toBe(404)
    expect(before.message).toBe(
      `Could not find page with ID: ${s.pages.grandchild.id}. Make sure the relevant pages and databases are shared with your integration "Test Bot".`,
    )
    await s.share(s.pages.root.id)
    for (const id of [s.pages.root.id, s.pages.child.id, s.pages.grandchild.id]) {
      const page = await notion.pages.retrieve({ page_id: id })
      expect(isFullPage(page)).toBe(true)
      expect(page.id).toBe(id)
    }
    const secret = await apiError(notion.pages.retrieve({ page_id: s.pages.secret.id }))
    expect(secret.code).toBe(APIErrorCode.ObjectNotFound)
  })

  it('accepts ids without dashes and in upper case', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const page = await notion.pages.retrieve({ page_id: s.pages.child.id.replace(/-/g, '').toUpperCase() })
    expect(page.id).toBe(s.pages.child.id)
  })

  it('keeps a share after the member who made it leaves the workspace', async () => {
    const s = await seedBasic(server)
    await s.share(s.pages.child.id, s.member.id)
    const notion = server.client(s.token)
    await removeMember(server.deps, s.workspace.id, s.member.id)
    expect((await notion.pages.retrieve({ page_id: s.pages.grandchild.id })).id).toBe(s.pages.grandchild.id)
  })

  it('stops access at once when the share is removed', async () => {
    const { s, notion } = await connectedWorkspace(server)
    await notion.pages.retrieve({ page_id: s.pages.child.id })
    await unshareFromConnection(server.deps, s.connection.id, s.pages.root.id, s.owner.id)
    expect((await apiError(notion.pages.retrieve({ page_id: s.pages.child.id }))).code).toBe(APIErrorCode.ObjectNotFound)
  })

  it('a refreshed token works and the old one gets 401 from the next request', async () => {
    const s = await seedBasic(server)
    const old = server.client(s.token)
    await old.users.me({})
    const fresh = await refreshToken(server.deps, s.connection.id, s.owner.id)
    expect(fresh).not.toBe(s.token)
    const err = await apiError(old.users.me({}))
    expect(err.code).toBe(APIErrorCode.Unauthorized)
    expect(err.message).toBe('API token is invalid.')
    const me = await server.client(fresh).users.me({})
    expect(me.type).toBe('bot')
  })
})
