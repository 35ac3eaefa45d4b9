import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminCall, connectedWorkspace } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'
import { buildConnection } from '../support/factories.js'

/**
 * Named snapshots of the whole store through the admin API (ADR 23): restore brings back every table,
 * tokens included, and nothing written after the snapshot survives — checked through the SDK.
 */
describe('snapshots', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ logger: (await import('../../src/logger.js')).createLogger('error') })
  })
  afterAll(() => server.stop())

  it('restores pages and tokens to the snapshot, and the next request sees only that', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const before = await notion.pages.create({
      parent: { page_id: s.pages.root.id },
      properties: { title: { title: [{ text: { content: 'Kept' } }] } },
    })
    const taken = await adminCall(server, 'POST', '/snapshots', { name: 'baseline' })
    expect(taken.status).toBe(201)
    expect(taken.body).toMatchObject({ name: 'baseline' })

    const after = await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: {} })
    await notion.pages.update({ page_id: before.id, in_trash: true })
    const later = await buildConnection(server, s, 'Later bot')
    expect((await server.client(later.token).users.me({})).object).toBe('user')

    const restored = await adminCall(server, 'POST', '/snapshots/baseline/restore')
    expect(restored.status).toBe(200)
    expect((await apiError(notion.pages.retrieve({ page_id: after.id }))).code).toBe('object_not_found')
    const kept = await notion.pages.retrieve({ page_id: before.id })
    expect('in_trash' in kept && kept.in_trash).toBe(false)
    expect((await apiError(server.client(later.token).users.me({}))).status).toBe(401)

    // Restoring twice works: the snapshot stays.
    await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: {} })
    expect((await adminCall(server, 'POST', '/snapshots/baseline/restore')).status).toBe(200)
    const list = await adminCall(server, 'GET', '/snapshots')
    expect(list.body.snapshots.map((x: { name: string }) => x.name)).toEqual(['baseline'])
  })

  it('answers not_found for an unknown snapshot, invalid_input for a bad name, and deletes', async () => {
    expect((await adminCall(server, 'POST', '/snapshots/nope/restore')).body).toMatchObject({ status: 404, code: 'not_found' })
    expect((await adminCall(server, 'POST', '/snapshots', { name: '../x' })).body).toMatchObject({ status: 400, code: 'invalid_input' })
    expect((await adminCall(server, 'POST', '/snapshots', { name: 'x', extra: 1 })).status).toBe(400)
    expect((await adminCall(server, 'POST', '/snapshots', { name: 'gone' })).status).toBe(201)
    expect((await adminCall(server, 'DELETE', '/snapshots/gone')).body).toEqual({ deleted: true })
    expect((await adminCall(server, 'DELETE', '/snapshots/gone')).status).toBe(404)
  })

  it('restores an empty store after reset, and reset empties it again', async () => {
    await adminCall(server, 'POST', '/reset')
    await adminCall(server, 'POST', '/snapshots', { name: 'empty' })
    const { notion } = await connectedWorkspace(server)
    expect((await notion.users.me({})).object).toBe('user')
    await adminCall(server, 'POST', '/snapshots/empty/restore')
    expect((await apiError(notion.users.me({}))).status).toBe(401)
    expect((await adminCall(server, 'GET', '/workspaces')).body.workspaces).toEqual([])
  })
})
