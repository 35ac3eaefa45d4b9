import { APIResponseError, Client, LogLevel } from '@notionhq/client'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig, type Config } from '../../src/config.js'
import type { Clock } from '../../src/domain/clock.js'
import { createLogger, type Logger } from '../../src/logger.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { createConnection, shareWithConnection } from '../../src/services/connections.service.js'
import { createWorkspace } from '../../src/services/workspaces.service.js'
import type { Capabilities } from '../../src/permissions/capabilities.js'
import { testDatabase } from './stores.js'

/**
 * Test harness: a real Octavo server on a loopback port with a fresh SQLite store in a temporary
 * directory, and the official SDK pointed at it with `baseUrl`. Set-up goes through the same service
 * layer as the admin API and the CLI.
 */
export interface TestServer extends RunningServer {
  config: Config
  dataDir: string
  /** An SDK client for `token` (retries off, errors only logged at ERROR level). */
  client(token: string, notionVersion?: string): Client
  /** Raw fetch against the server with the given headers. */
  raw(path: string, init?: RequestInit & { token?: string; version?: string | null }): Promise<Response>
  stop(): Promise<void>
}

/** A clock that moves one second on every reading from `startIso`, so creation order is strict and known. */
export function steppingClock(startIso: string): Clock {
  let t = Date.parse(startIso)
  return { now: () => (t += 1000) }
}

export async function startTestServer(
  opts: { rateLimits?: Partial<Config['rateLimits']>; clock?: Clock; env?: Record<string, string>; logger?: Logger } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'octavo-test-'))
  // OCTAVO_TEST_STORE=postgres: a fresh PostgreSQL schema per server, dropped by stop().
  const database = testDatabase()
  const config = loadConfig({
    OCTAVO_DATA_DIR: dataDir,
    OCTAVO_PORT: '0',
    OCTAVO_DEMO: 'off',
    OCTAVO_LOG_LEVEL: 'silent',
    ...database.env,
    ...opts.env,
  })
  config.rateLimits = { ...config.rateLimits, enabled: false, ...opts.rateLimits }
  let server: RunningServer
  try {
    server = await startServer(config, { logger: opts.logger ?? createLogger('silent'), ...(opts.clock ? { clock: opts.clock } : {}) })
  } catch (err) {
    await database.cleanup()
    throw err
  }
  return {
    ...server,
    config,
    dataDir,
    client: (token, notionVersion) =>
      new Client({
        auth: token,
        baseUrl: server.url,
        retry: false,
        logLevel: LogLevel.ERROR,
        logger: () => {},
        ...(notionVersion ? { notionVersion } : {}),
      }),
    raw: (path, init = {}) => {
      const headers = new Headers(init.headers)
      if (init.token) headers.set('authorization', `Bearer ${init.token}`)
      if (init.version !== null) headers.set('notion-version', init.version ?? '2025-09-03')
      if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json')
      return fetch(`${server.url}${path}`, { ...init, headers })
    },
    stop: async () => {
      try {
        await server.close()
      } finally {
        await database.cleanup()
        rmSync(dataDir, { recursive: true, force: true })
      }
    },
  }
}

/**
 * A workspace with an owner, a member and a guest, a page tree
 * `Root → Child → Grandchild` plus an unrelated top-level `Secret` page, and one internal connection
 * (not shared with anything yet).
 */
export async function seedBasic(server: TestServer, caps: Partial<Capabilities> = {}) {
  const deps = server.deps
  const { workspace, members } = await createWorkspace(deps, {
    name: 'Acme',
    plan: 'free',
    members: [
      { name: 'Olive Owner', email: 'olive@example.com', role: 'owner' },
      { name: 'Mia Member', email: 'mia@example.com', role: 'member' },
      { name: 'Gus Guest', email: 'gus@example.com', role: 'guest' },
    ],
  })
  const [owner, member, guest] = members as [(typeof members)[0], (typeof members)[0], (typeof members)[0]]
  const { createPageAsUser } = await import('../../src/services/setup.service.js')
  const root = await createPageAsUser(deps, { workspaceId: workspace.id, actorId: owner.id, title: 'Root' })
  const child = await createPageAsUser(deps, { workspaceId: workspace.id, actorId: owner.id, title: 'Child', parentId: root.id })
  const grandchild = await createPageAsUser(deps, { workspaceId: workspace.id, actorId: owner.id, title: 'Grandchild', parentId: child.id })
  const secret = await createPageAsUser(deps, { workspaceId: workspace.id, actorId: owner.id, title: 'Secret' })
  const conn = await createConnection(deps, { workspaceId: workspace.id, actorId: owner.id, name: 'Test Bot', capabilities: caps })
  return {
    workspace,
    owner,
    member,
    guest,
    pages: { root, child, grandchild, secret },
    connection: conn.connection,
    token: conn.token,
    share: (pageId: string, actorId = owner.id) => shareWithConnection(deps, conn.connection.id, pageId, actorId),
  }
}

/** Awaits a call that must fail with an `APIResponseError` and returns that error. */
export async function apiError(p: Promise<unknown>): Promise<APIResponseError> {
  try {
    await p
  } catch (e) {
    if (e instanceof APIResponseError) return e
    throw e
  }
  throw new Error('expected the call to fail with an APIResponseError')
}
