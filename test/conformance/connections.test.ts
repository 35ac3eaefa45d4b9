import { APIErrorCode } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  refreshToken,
  revealToken,
  shareWithConnection,
  updateCapabilities,
} from '../../src/services/connections.service.js'
import { addMember } from '../../src/services/workspaces.service.js'
import { buildConnection } from '../support/factories.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/** Internal connections as the seeds describe them, checked through the service layer and the SDK. */
describe('internal connections', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => server.stop())

  it('only owners create connections; members and guests get a clear refusal', async () => {
    const s = await seedBasic(server)
    await expect(createConnection(server.deps, { workspaceId: s.workspace.id, actorId: s.member.id, name: 'X' })).rejects.toThrow(
      'Only workspace owners can create internal connections. This user is a member.',
    )
    await expect(createConnection(server.deps, { workspaceId: s.workspace.id, actorId: s.guest.id, name: 'X' })).rejects.toThrow(
      'Only workspace owners can create internal connections. This user is a guest.',
    )
    await expect(listConnections(server.deps, s.workspace.id, s.member.id)).rejects.toThrow(/Only workspace owners/)
  })

  it('every owner sees and manages every connection, including those other owners created', async () => {
    const s = await seedBasic(server)
    const second = await addMember(server.deps, s.workspace.id, {
      name: 'Otto Owner',
      email: `otto-${s.workspace.id}@example.com`,
      role: 'owner',
    })
    const list = await listConnections(server.deps, s.workspace.id, second.id)
    expect(list.map((c) => c.id)).toEqual([s.connection.id])
    expect(list[0]?.token_hint).toBe(`ntn_…${s.token.slice(-4)}`)
    expect(JSON.stringify(list)).not.toContain(s.token)
    expect(await revealToken(server.deps, s.connection.id, second.id)).toBe(s.token)
    const fresh = await refreshToken(server.deps, s.connection.id, second.id)
    expect((await server.client(fresh).users.me({})).id).toBe(s.connection.bot_id)
    await updateCapabilities(server.deps, s.connection.id, second.id, { readComments: true })
    expect((await getConnection(server.deps, s.connection.id, s.owner.id)).capabilities.readComments).toBe(true)
  })

  it('a new connection sees no page at all', async () => {
    const s = await seedBasic(server)
    const notion = server.client(s.token)
    for (const id of Object.values(s.pages).map((p) => p.id)) {
      expect((await apiError(notion.pages.retrieve({ page_id: id }))).code).toBe(APIErrorCode.ObjectNotFound)
    }
  })

  it('each connection is its own bot with its own shares', async () => {
    const s = await seedBasic(server)
    const other = await buildConnection(server, s, 'Other', { shareWith: [s.pages.root.id] })
    expect((await server.client(other.token).pages.retrieve({ page_id: s.pages.child.id })).id).toBe(s.pages.child.id)
    const mine = await apiError(server.client(s.token).pages.retrieve({ page_id: s.pages.child.id }))
    expect(mine.message).toContain('shared with your integration "Test Bot"')
    const me = await server.client(other.token).users.me({})
    expect(me.id).toBe(other.connection.bot_id)
    expect(me.id).not.toBe(s.connection.bot_id)
  })

  it('a guest cannot add a connection to a page; a member with full access can', async () => {
    const s = await seedBasic(server)
    await expect(shareWithConnection(server.deps, s.connection.id, s.pages.root.id, s.guest.id)).rejects.toThrow(
      'Only people with full access to this page can add or remove connections on it.',
    )
    await shareWithConnection(server.deps, s.connection.id, s.pages.child.id, s.member.id)
    expect((await server.client(s.token).pages.retrieve({ page_id: s.pages.grandchild.id })).id).toBe(s.pages.grandchild.id)
  })

  it('deleting a connection kills its token and its shares', async () => {
    const s = await seedBasic(server)
    await s.share(s.pages.root.id)
    await deleteConnection(server.deps, s.connection.id, s.owner.id)
    expect((await apiError(server.client(s.token).users.me({}))).code).toBe(APIErrorCode.Unauthorized)
    const grants = await server.deps.store.db
      .selectFrom('page_grant')
      .selectAll()
      .where('principal', '=', `bot:${s.connection.bot_id}`)
      .execute()
    expect(grants).toEqual([])
  })
})
