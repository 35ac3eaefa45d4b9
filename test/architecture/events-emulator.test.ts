import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listEvents } from '../../src/storage/repositories/events.repository.js'
import { adminCall } from '../support/factories.js'
import { startTestServer, type TestServer } from '../support/harness.js'

/**
 * The emulator kit's writes (ADR 23): a fixture load appends exactly the events of the services it calls
 * and, refused or failing half-way, none (the store is put back); snapshots, restores and clock moves
 * append none of their own (a restore brings back the snapshot's outbox as it was).
 */
describe('emulator kit: change events', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(() => server.stop())

  const events = async () => (await listEvents(server.deps.store.db, { afterSeq: 0, limit: 100_000 })).map((e) => e.type)
  const count = (types: string[]) => types.reduce<Record<string, number>>((m, t) => ({ ...m, [t]: (m[t] ?? 0) + 1 }), {})

  const fixture = {
    workspaces: [
      {
        name: 'Events',
        people: [{ name: 'Ada', email: 'ada@events.test', role: 'owner' }],
        pages: [
          {
            key: 'p',
            title: 'P',
            content: [{ paragraph: { rich_text: [{ text: { content: 'x' } }] } }],
            children: [
              {
                type: 'database',
                title: 'D',
                properties: { Name: { title: {} } },
                rows: [{ properties: { Name: { title: [{ text: { content: 'r' } }] } } }],
              },
            ],
          },
        ],
        connections: [{ name: 'C', shared_with: ['p'] }],
      },
    ],
  }

  it('a fixture load appends exactly the events of what it creates', async () => {
    await adminCall(server, 'POST', '/reset')
    const before = (await events()).length
    expect((await adminCall(server, 'POST', '/fixtures', { fixture })).status).toBe(201)
    const added = count((await events()).slice(before))
    expect(added).toEqual({
      'workspace.created': 1, // createWorkspace (its members join with it)
      'page.created': 2, // P and the row
      'grant.changed': 2, // P's workspace-members grant; the connection's share
      'block.appended': 1,
      'database.created': 1,
      'data_source.created': 1,
      'view.created': 1, // the database's default table view
      'connection.created': 1,
      'token.created': 1,
      'page.connection_added': 1,
    })
  })

  it('a refused or half-failed fixture appends none and leaves the store as it was', async () => {
    const before = await events()
    const workspaces = (await adminCall(server, 'GET', '/workspaces')).body.workspaces
    expect((await adminCall(server, 'POST', '/fixtures', { fixture: { workspaces: [{ name: 'X' }] } })).status).toBe(400)
    const late = structuredClone(fixture) as any
    late.workspaces[0].people[0].email = 'other@events.test'
    late.workspaces[0].connections[0].shared_with = ['missing'] // fails after the workspace and pages exist
    expect((await adminCall(server, 'POST', '/fixtures', { fixture: late })).status).toBe(400)
    expect(await events()).toEqual(before)
    expect((await adminCall(server, 'GET', '/workspaces')).body.workspaces).toEqual(workspaces)
  })

  it('snapshots, restores and clock moves append none of their own', async () => {
    const before = await events()
    await adminCall(server, 'POST', '/snapshots', { name: 'e' })
    await adminCall(server, 'POST', '/clock', { action: 'advance', by: '1d' })
    await adminCall(server, 'POST', '/clock', { action: 'resume' })
    await adminCall(server, 'POST', '/snapshots/e/restore')
    await adminCall(server, 'DELETE', '/snapshots/e')
    expect(await events()).toEqual(before)
  })
})
