import { request, Agent } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateToken } from '../../src/auth/token-format.js'
import { createConnection, refreshToken } from '../../src/services/connections.service.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * One keep-alive connection carrying several tokens, as a proxy's upstream connection does: each request
 * is authenticated by its own token, whatever the connection sent before (auth.service.ts keeps the last
 * token's digest per socket, ADR 38).
 */
describe('tokens on one keep-alive connection', () => {
  let server: TestServer
  let seed: Awaited<ReturnType<typeof seedBasic>>
  let other: { token: string; botId: string }
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const sockets = new Set<unknown>()

  /** `GET /v1/users/me` with `token` over the agent's one socket: status and the bot's id. */
  const me = (token: string) =>
    new Promise<{ status: number; id: string | undefined }>((resolve, reject) => {
      const url = new URL('/v1/users/me', server.url)
      const req = request(url, { agent, headers: { authorization: `Bearer ${token}`, 'notion-version': '2025-09-03' } }, (res) => {
        sockets.add(res.socket)
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (text += d))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, id: (JSON.parse(text) as { id?: string }).id }))
      })
      req.on('error', reject)
      req.end()
    })

  beforeAll(async () => {
    server = await startTestServer()
    seed = await seedBasic(server)
    const created = await createConnection(server.deps, { workspaceId: seed.workspace.id, actorId: seed.owner.id, name: 'Other Bot' })
    other = { token: created.token, botId: created.connection.bot_id }
  })
  afterAll(async () => {
    agent.destroy()
    await server.stop()
  })

  it('answers each request as its own token, and refuses an unknown or refreshed-away token on the same socket', async () => {
    const first = await me(seed.token)
    expect(first).toEqual({ status: 200, id: seed.connection.bot_id })
    expect(await me(other.token)).toEqual({ status: 200, id: other.botId })
    expect((await me(generateToken('internal'))).status).toBe(401)
    expect(await me(seed.token)).toEqual({ status: 200, id: seed.connection.bot_id })
    // Refreshing kills the old token at once, also for a connection that just sent it.
    const fresh = await refreshToken(server.deps, seed.connection.id, seed.owner.id)
    expect((await me(seed.token)).status).toBe(401)
    expect(await me(fresh)).toEqual({ status: 200, id: seed.connection.bot_id })
    // All of it went over one connection.
    expect(sockets.size).toBe(1)
  })
})
