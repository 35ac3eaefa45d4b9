import { request } from 'node:http'
import { sql } from 'kysely'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { findBlock } from '../../src/storage/repositories/blocks.repository.js'
import { openStore } from '../../src/storage/store.js'
import { Writable } from 'node:stream'
import { adminCall } from '../support/factories.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Operations endpoints (`/healthz`, `/readyz`, `/metrics`), graceful shutdown, and the optional
 * configuration file, on a real server.
 */
describe('operations endpoints', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  beforeAll(async () => {
    server = await startTestServer({ rateLimits: { enabled: true, connectionPerMinute: 2, connectionPerMinuteBusiness: 2 } })
    s = await seedBasic(server)
  })
  afterAll(async () => server.stop())

  it('answers /healthz and /readyz without a credential, and reveals no settings', async () => {
    const health = await server.raw('/healthz', { version: null })
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok' })
    const ready = await server.raw('/readyz', { version: null })
    expect(ready.status).toBe(200)
    const body = (await ready.json()) as Record<string, unknown>
    expect(body).toEqual({
      status: 'ready',
      store: { dialect: server.deps.store.dialect, reachable: true, migrations: 'current' },
      rate_limits: { mode: 'per_node', redis: 'not_configured' },
    })
    expect(JSON.stringify(body)).not.toMatch(/postgres:|file:|key/i)
  })

  it('keeps unknown /v1 paths Notion-shaped: 400 invalid_request_url', async () => {
    for (const path of ['/v1/healthz', '/v1/metrics', '/v1/readyz']) {
      const res = await server.raw(path, { token: s.token })
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ object: 'error', code: 'invalid_request_url' })
    }
  })

  it('serves Prometheus metrics only with the admin key: routes as patterns, statuses, latency, 429s, pool', async () => {
    const notion = server.client(s.token)
    await s.share(s.pages.root.id)
    await notion.pages.retrieve({ page_id: s.pages.root.id })
    await notion.pages.retrieve({ page_id: s.pages.child.id })
    const limited = await server.raw(`/v1/pages/${s.pages.root.id}`, { token: s.token })
    expect(limited.status).toBe(429)

    expect((await server.raw('/metrics', { version: null })).status).toBe(401)
    const wrong = await server.raw('/metrics', { version: null, headers: { authorization: `Bearer ${s.token}` } })
    expect(wrong.status).toBe(401)
    const res = await server.raw('/metrics', { version: null, headers: { authorization: `Bearer ${server.config.adminKey}` } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain')
    const text = await res.text()
    expect(text).toContain('octavo_http_requests_total{method="GET",route="/v1/pages/:page_id",status="200"} 2')
    expect(text).toContain('octavo_http_requests_total{method="GET",route="/v1/pages/:page_id",status="429"} 1')
    expect(text).toMatch(/octavo_http_request_duration_seconds_bucket\{le="0.5",method="GET",route="\/v1\/pages\/:page_id"\} 3/)
    expect(text).toContain('octavo_rate_limit_rejections_total{reason="public_api_request_rate_limit"} 1')
    expect(text).toMatch(/octavo_store_pool_connections\{state="max"\} \d+/)
    expect(text).toContain('octavo_rate_limit_shared 0')
    // No ids, tokens or keys in the metrics.
    expect(text).not.toContain(s.pages.root.id)
    expect(text).not.toContain(s.token)
  })
})

describe('request logs', () => {
  it('writes one pino JSON line per request with the request id of the response, and no token', async () => {
    const lines: string[] = []
    const server = await startTestServer({
      logger: createLogger('info', { write: (l: string) => void lines.push(l) } as unknown as NodeJS.WritableStream),
    })
    try {
      const s = await seedBasic(server)
      const res = await server.raw('/v1/users/me', { token: s.token })
      const id = res.headers.get('x-notion-request-id')
      const entry = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.requestId === id)
      expect(entry).toMatchObject({ msg: 'request', method: 'GET', path: '/v1/users/me', status: 200, service: 'octavo' })
      expect(lines.join('\n')).not.toContain(s.token)
    } finally {
      await server.stop()
    }
  })
})

describe('readiness', () => {
  it('is 503 not_ready while a migration this build knows is not applied', async () => {
    const server = await startTestServer()
    try {
      await sql`delete from kysely_migration where name = '0006-comment-order'`.execute(server.deps.store.db)
      const res = await server.raw('/readyz', { version: null })
      expect(res.status).toBe(503)
      expect(await res.json()).toMatchObject({
        status: 'not_ready',
        store: { reachable: true, migrations: 'pending', pending: ['0006-comment-order'] },
      })
    } finally {
      await server.stop()
    }
  })
})

describe('graceful shutdown', () => {
  it('finishes a request in flight (asking the client to reconnect elsewhere), stores its write, then closes', async () => {
    const server = await startTestServer()
    const s = await seedBasic(server)
    await s.share(s.pages.root.id)
    const url = new URL(`${server.url}/v1/pages`)
    const body = JSON.stringify({
      parent: { page_id: s.pages.root.id },
      properties: { title: { title: [{ text: { content: 'Written during shutdown' } }] } },
    })
    // Send the headers and half the body, so the request is in flight when close() starts.
    const response = new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            authorization: `Bearer ${s.token}`,
            'notion-version': '2025-09-03',
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = ''
          res.on('data', (d: Buffer) => (text += d.toString()))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, connection: res.headers.connection }))
        },
      )
      req.on('error', reject)
      req.write(body.slice(0, 20))
      setTimeout(() => {
        closed = server.close()
        setTimeout(() => req.end(body.slice(20)), 300)
      }, 200)
    })
    let closed: Promise<void> | undefined
    const res = await response
    expect(res.status).toBe(200)
    expect(res.connection).toBe('close')
    const page = JSON.parse(res.body) as { id: string }
    await closed
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow()
    // The page written while shutting down is in the store.
    const store = await openStore(server.config.databaseUrl)
    try {
      expect((await findBlock(store.db, page.id))?.title_text).toBe('written during shutdown')
    } finally {
      await store.close()
    }
    await server.stop()
  })
})

describe('shutdown with a request whose client went away', () => {
  it('lets its handler finish its write before the store closes, and logs no error', async () => {
    const logged: Array<{ level: number; msg?: string }> = []
    const logger = createLogger(
      'warn',
      new Writable({
        write(line: Buffer, _encoding, done) {
          logged.push(JSON.parse(line.toString()) as { level: number; msg?: string })
          done()
        },
      }),
    )
    const server = await startTestServer({ logger })
    const s = await seedBasic(server)
    await s.share(s.pages.root.id)
    // The create waits 400 ms before its handler runs (a latency fault), so its client can leave first.
    const rule = await adminCall(server, 'POST', '/faults', { endpoint: 'pages.create', times: 1, latency: { ms: 400 } })
    expect(rule.status).toBe(201)
    const aborted = new AbortController()
    const sent = fetch(`${server.url}/v1/pages`, {
      method: 'POST',
      signal: aborted.signal,
      headers: { authorization: `Bearer ${s.token}`, 'notion-version': '2025-09-03', 'content-type': 'application/json' },
      body: JSON.stringify({
        parent: { page_id: s.pages.root.id },
        properties: { title: { title: [{ text: { content: 'Sent by a client that left' } }] } },
      }),
    })
    await new Promise((r) => setTimeout(r, 100))
    aborted.abort()
    await expect(sent).rejects.toThrow()
    // No connection is left open, so the listener closes at once; the handler is still waiting.
    await server.close()
    const store = await openStore(server.config.databaseUrl)
    try {
      const titles = await sql<{
        title_text: string
      }>`select title_text from block where title_text = ${'sent by a client that left'}`.execute(store.db)
      expect(titles.rows).toHaveLength(1)
    } finally {
      await store.close()
    }
    expect(logged.filter((l) => l.level >= 50)).toEqual([])
    await server.stop()
  })
})

describe('configuration file', () => {
  it('reads OCTAVO_* settings from a JSON file; the environment wins; unknown settings are refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'octavo-config-'))
    try {
      const file = join(dir, 'octavo.json')
      writeFileSync(file, JSON.stringify({ OCTAVO_PORT: 7811, OCTAVO_RATE_LIMIT_CONNECTION: 42, OCTAVO_DEMO: false, OCTAVO_DATA_DIR: dir }))
      const c = loadConfig({ OCTAVO_CONFIG: file })
      expect([c.port, c.rateLimits.connectionPerMinute, c.demo, c.dataDir]).toEqual([7811, 42, false, dir])
      expect(loadConfig({ OCTAVO_PORT: '7812' }, { configFile: file }).port).toBe(7812)
      writeFileSync(file, JSON.stringify({ OCTAVO_PROT: 1 }))
      expect(() => loadConfig({ OCTAVO_CONFIG: file })).toThrow('Invalid configuration file')
      expect(() => loadConfig({ OCTAVO_CONFIG: join(dir, 'missing.json') })).toThrow('Invalid configuration file')
      expect(() => loadConfig({ OCTAVO_DATA_DIR: dir, OCTAVO_DATABASE_URL: 'mysql://x' })).toThrow('OCTAVO_DATABASE_URL')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
