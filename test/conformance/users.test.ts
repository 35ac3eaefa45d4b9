import { APIErrorCode, collectPaginatedAPI, isFullUser } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { updateCapabilities } from '../../src/services/connections.service.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'

describe('users', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => server.stop())

  it("users.me returns the connection's bot with bot.owner = workspace", async () => {
    const s = await seedBasic(server)
    const me = await server.client(s.token).users.me({})
    expect(me).toMatchObject({
      object: 'user',
      id: s.connection.bot_id,
      name: 'Test Bot',
      type: 'bot',
      bot: {
        owner: { type: 'workspace', workspace: true },
        workspace_id: s.workspace.id,
        workspace_name: 'Acme',
        workspace_limits: { max_file_upload_size_in_bytes: 5 * 1024 * 1024 },
      },
    })
  })

  it('users.list needs the user-information capability and never lists guests', async () => {
    const s = await seedBasic(server)
    const notion = server.client(s.token)
    const denied = await apiError(notion.users.list({}))
    expect(denied.code).toBe(APIErrorCode.RestrictedResource)
    expect(denied.status).toBe(403)
    expect(denied.message).toBe('Insufficient permissions for this endpoint.')

    await updateCapabilities(server.deps, s.connection.id, s.owner.id, { userInfo: 'without_email' })
    const users = await collectPaginatedAPI(notion.users.list, {})
    const ids = users.map((u) => u.id)
    expect(ids).toEqual(expect.arrayContaining([s.owner.id, s.member.id, s.connection.bot_id]))
    expect(ids).not.toContain(s.guest.id)
    const owner = users.find((u) => u.id === s.owner.id)
    expect(owner && isFullUser(owner)).toBe(true)
    expect(owner).toMatchObject({ name: 'Olive Owner', type: 'person', person: {} })
    expect((owner as { person: { email?: string } }).person.email).toBeUndefined()
  })

  it('adds person.email only with the "with email" level, and the change applies from the next request', async () => {
    const s = await seedBasic(server)
    const notion = server.client(s.token)
    await updateCapabilities(server.deps, s.connection.id, s.owner.id, { userInfo: 'with_email' })
    const withEmail = await notion.users.retrieve({ user_id: s.member.id })
    expect(withEmail).toMatchObject({ type: 'person', person: { email: 'mia@example.com' }, name: 'Mia Member' })
    await updateCapabilities(server.deps, s.connection.id, s.owner.id, { userInfo: 'without_email' })
    const without = await notion.users.retrieve({ user_id: s.member.id })
    expect((without as { person: object }).person).toEqual({})
    await updateCapabilities(server.deps, s.connection.id, s.owner.id, { userInfo: 'none' })
    expect((await apiError(notion.users.retrieve({ user_id: s.member.id }))).code).toBe(APIErrorCode.RestrictedResource)
  })

  it('paginates users with next_cursor null at the end', async () => {
    const s = await seedBasic(server, { userInfo: 'without_email' })
    const notion = server.client(s.token)
    const first = await notion.users.list({ page_size: 1 })
    expect(first.results).toHaveLength(1)
    expect(first.has_more).toBe(true)
    expect(first.next_cursor).toBeTypeOf('string')
    const all = await collectPaginatedAPI(notion.users.list, { page_size: 1 })
    expect(all).toHaveLength(3) // owner, member, bot
    const last = await notion.users.list({ page_size: 100 })
    expect(last.has_more).toBe(false)
    expect(last.next_cursor).toBeNull()
  })

  it('users.retrieve: guests can be retrieved; users of other workspaces are 404', async () => {
    const a = await seedBasic(server, { userInfo: 'without_email' })
    const b = await seedBasic(server)
    const notion = server.client(a.token)
    expect((await notion.users.retrieve({ user_id: a.guest.id })).id).toBe(a.guest.id)
    const other = await apiError(notion.users.retrieve({ user_id: b.connection.bot_id }))
    expect(other.code).toBe(APIErrorCode.ObjectNotFound)
    expect(other.message).toBe(`Could not find user with ID: ${b.connection.bot_id}.`)
  })

  it('a token is useless in any other workspace', async () => {
    const a = await seedBasic(server)
    const b = await seedBasic(server)
    await b.share(b.pages.root.id)
    const err = await apiError(server.client(a.token).pages.retrieve({ page_id: b.pages.root.id }))
    expect(err.code).toBe(APIErrorCode.ObjectNotFound)
  })
})
