import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logger.js'
import { startServer, type RunningServer } from '../../src/server.js'
import {
  createConnection,
  deleteConnection,
  refreshToken,
  shareWithConnection,
  updateCapabilities,
} from '../../src/services/connections.service.js'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { createWorkspace } from '../../src/services/workspaces.service.js'
import { startTestServer, type TestServer } from '../support/harness.js'

/**
 * The caller of a connection token is kept with the token cache's entry (services/auth.service.ts
 * `keptCallers`, issue 19): a token met again is answered with the caller built for it, and a
 * change event drops the entry. Every change to what the caller holds (capabilities, the token itself,
 * the connection) applies from the very next request, on this node and on another node over the same
 * store (whose caches were warm with the kept caller before the change), answer for answer as a
 * server without caches gives them. The journal names the caller as before.
 */
describe('kept callers of cached connection tokens', () => {
  let a: TestServer
  let b: RunningServer
  let plain: RunningServer
  let ownerId: string
  let pageId: string
  let workspaceIdForTest: string

  beforeAll(async () => {
    a = await startTestServer({ env: { OCTAVO_CACHES: 'on' } })
    b = await startServer({ ...a.config, port: 0 }, { logger: createLogger('silent') })
    plain = await startServer({ ...a.config, caches: false, port: 0 }, { logger: createLogger('silent') })
    expect(a.deps.caches).toBeDefined()
    expect(b.deps.caches).toBeDefined()
    const { workspace, members } = await createWorkspace(a.deps, {
      name: 'Kept',
      plan: 'plus',
      members: [{ name: 'Olive Owner', email: 'olive@kept.test', role: 'owner' }],
    })
    ownerId = members[0]!.id
    const page = await createPageAsUser(a.deps, { workspaceId: workspace.id, actorId: ownerId, title: 'Kept page' })
    pageId = page.id
    workspaceIdForTest = workspace.id
  })
  afterAll(async () => {
    await plain?.close()
    await b?.close()
    await a?.stop()
  })

  /** `GET /v1{path}` with `token`: status and body with the request id replaced. */
  const get = async (base: string, token: string, path: string) => {
    const res = await fetch(`${base}/v1${path}`, { headers: { authorization: `Bearer ${token}`, 'notion-version': '2025-09-03' } })
    const id = res.headers.get('x-notion-request-id')!
    const text = (await res.text()).replace(id, '<id>').replaceAll(base, '<server>')
    return { status: res.status, text, type: res.headers.get('content-type') }
  }
  /** The same read on both cached nodes (twice, so the second is answered with the kept caller) and without caches. */
  const everywhere = async (token: string, path: string) => {
    const answers = []
    for (const base of [a.url, a.url, b.url, b.url, plain.url]) answers.push(await get(base, token, path))
    for (const r of answers) expect(r, path).toEqual(answers[answers.length - 1])
    return answers[0]!
  }

  it('applies a capability change, a token refresh and a deletion from the very next request on either node', async () => {
    const made = await createConnection(a.deps, { workspaceId: workspaceIdForTest, actorId: ownerId, name: 'Keeper' })
    await shareWithConnection(a.deps, made.connection.id, pageId, ownerId)
    const hitsBefore = a.deps.caches!.stats.tokenHits
    expect((await everywhere(made.token, `/pages/${pageId}`)).status).toBe(200)
    expect((await everywhere(made.token, '/users/me')).status).toBe(200)
    expect(a.deps.caches!.stats.tokenHits).toBeGreaterThan(hitsBefore)

    await updateCapabilities(a.deps, made.connection.id, ownerId, { readContent: false })
    const noRead = await everywhere(made.token, `/pages/${pageId}`)
    expect(noRead.status).toBe(403)
    expect(JSON.parse(noRead.text)).toMatchObject({ code: 'restricted_resource' })
    await updateCapabilities(a.deps, made.connection.id, ownerId, { readContent: true })
    expect((await everywhere(made.token, `/pages/${pageId}`)).status).toBe(200)

    const fresh = await refreshToken(a.deps, made.connection.id, ownerId)
    const old = await everywhere(made.token, '/users/me')
    expect(old.status).toBe(401)
    expect((await everywhere(fresh, `/pages/${pageId}`)).status).toBe(200)

    await deleteConnection(a.deps, made.connection.id, ownerId)
    expect((await everywhere(fresh, '/users/me')).status).toBe(401)
  })

  it('names the kept caller in the journal, entry for entry', async () => {
    const made = await createConnection(a.deps, { workspaceId: workspaceIdForTest, actorId: ownerId, name: 'Journaled "bot"' })
    await shareWithConnection(a.deps, made.connection.id, pageId, ownerId)
    for (let i = 0; i < 3; i++) expect((await get(a.url, made.token, `/pages/${pageId}`)).status).toBe(200)
    expect((await get(a.url, made.token, '/pages/00000000-0000-4000-8000-000000000000')).status).toBe(404)
    const res = await fetch(`${a.url}/_octavo/admin/requests?caller=${made.connection.id}`, {
      headers: { authorization: `Bearer ${a.config.adminKey}` },
    })
    const { requests } = (await res.json()) as { requests: Array<Record<string, unknown>> }
    expect(requests.map((e) => [e.status, e.caller, e.workspace_id, Object.keys(e)[0]])).toEqual(
      [200, 200, 200, 404].map((status) => [
        status,
        { type: 'connection', id: made.connection.id, name: 'Journaled "bot"' },
        workspaceIdForTest,
        'id',
      ]),
    )
  })
})
