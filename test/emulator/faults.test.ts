import { APIErrorCode, APIResponseError, Client, LogLevel, UnknownHTTPResponseError } from '@notionhq/client'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { lastEventSeq, listEvents } from '../../src/storage/repositories/events.repository.js'
import { adminCall } from '../support/factories.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Fault injection (ADR 22, docs/emulator.md) through the admin API, the configuration file and the
 * real SDK with its retries on: the SDK meets injected faults as it meets Notion's — it retries 429
 * (any method, honouring Retry-After) and 500/503 on GET and DELETE, and nothing else.
 */

const rt = (content: string) => [{ type: 'text' as const, text: { content } }]

describe('fault rules', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  let retrying: Client

  beforeAll(async () => {
    server = await startTestServer({ env: { OCTAVO_EXPLAIN: 'on' } })
    s = await seedBasic(server)
    await s.share(s.pages.root.id)
    retrying = new Client({
      auth: s.token,
      baseUrl: server.url,
      retry: { maxRetries: 2, initialRetryDelayMs: 5, maxRetryDelayMs: 50 },
      logLevel: LogLevel.ERROR,
      logger: () => {},
    })
  })
  afterAll(async () => {
    await server?.stop()
  })
  beforeEach(async () => {
    await adminCall(server, 'DELETE', '/faults')
    await adminCall(server, 'DELETE', '/requests')
  })

  const addRule = async (rule: Record<string, unknown>) => {
    const res = await adminCall(server, 'POST', '/faults', rule)
    expect(res.status).toBe(201)
    return res.body as { id: string }
  }
  const journal = async (query = '') =>
    (await adminCall(server, 'GET', `/requests${query}`)).body.requests as {
      status: number
      fault: string | null
      error_code: string | null
      duration_ms: number
      explanation: { kind: string } | null
    }[]

  it('429 with Retry-After: the SDK waits and retries, on any method, and gets through', async () => {
    const rule = await addRule({ endpoint: 'pages.create', times: 2, error: 'rate_limited', retry_after: 0 })
    const page = await retrying.pages.create({
      parent: { page_id: s.pages.root.id },
      properties: { title: { title: rt('After two 429s') } },
    })
    expect(page.object).toBe('page')
    const entries = await journal()
    expect(entries.map((e) => [e.status, e.fault])).toEqual([
      [429, rule.id],
      [429, rule.id],
      [200, null],
    ])
    expect(entries[0]?.explanation?.kind).toBe('fault')
    // A spent `times` rule is gone.
    expect((await adminCall(server, 'GET', '/faults')).body.faults).toEqual([])
  })

  it("the 429 body and headers are Notion's: envelope, Retry-After, no additional keys", async () => {
    await addRule({ error: 'rate_limited', retry_after: 7, times: 1 })
    const res = await server.raw('/v1/users/me', { token: s.token })
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('7')
    const body = (await res.json()) as Record<string, unknown>
    expect(body).toEqual({
      object: 'error',
      status: 429,
      code: 'rate_limited',
      message: 'You have been rate limited. Please try again in a few minutes.',
      request_id: res.headers.get('x-notion-request-id'),
    })
    expect(decodeURIComponent(res.headers.get('x-octavo-explain') ?? '')).toMatch(
      /^Injected by fault rule fault_\d+: error 429 rate_limited\./,
    )
  })

  it('500 and 503 are retried on GET, not on POST (nothing is written by a faulted POST)', async () => {
    await addRule({ method: 'GET', path: '/v1/pages/*', times: 1, error: 'internal_server_error' })
    await addRule({ method: 'GET', path: '/v1/pages/*', times: 1, error: 'service_unavailable' })
    await expect(retrying.pages.retrieve({ page_id: s.pages.child.id })).resolves.toMatchObject({ id: s.pages.child.id })
    expect((await journal()).map((e) => e.status)).toEqual([500, 503, 200])

    await addRule({ endpoint: 'pages.create', times: 1, error: 'internal_server_error' })
    const before = await lastEventSeq(server.deps.store.db)
    const err = await apiError(
      retrying.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('Never') } } }),
    )
    expect(err.code).toBe(APIErrorCode.InternalServerError)
    // A faulted write never reaches the handler: no change event.
    expect(await listEvents(server.deps.store.db, { afterSeq: before })).toEqual([])
    const search = await retrying.search({ query: 'Never' })
    expect(search.results).toHaveLength(0)
  })

  it('502, 504 and 409 are not retried: the SDK reports them as Notion would', async () => {
    await addRule({ endpoint: 'users.me', times: 3, error: 'bad_gateway' })
    const bad = await retrying.users.me({}).catch((e: unknown) => e)
    expect(bad).toBeInstanceOf(UnknownHTTPResponseError)
    expect((bad as UnknownHTTPResponseError).status).toBe(502)
    await adminCall(server, 'DELETE', '/faults')

    await addRule({ endpoint: 'users.me', times: 3, error: 'gateway_timeout' })
    const timeout = await apiError(retrying.users.me({}))
    expect(timeout.code).toBe(APIErrorCode.GatewayTimeout)
    expect(timeout.status).toBe(504)
    await adminCall(server, 'DELETE', '/faults')

    await addRule({ endpoint: 'users.me', times: 3, error: 'conflict_error' })
    const conflict = await apiError(retrying.users.me({}))
    expect(conflict.code).toBe(APIErrorCode.ConflictError)
    expect((await journal()).map((e) => e.status)).toEqual([502, 504, 409])
  })

  it('latency delays the request, which then succeeds', async () => {
    await addRule({ endpoint: 'users.me', latency: { ms: 150 }, times: 1 })
    const t0 = performance.now()
    await retrying.users.me({})
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140)
    const [entry] = await journal()
    expect(entry?.status).toBe(200)
    expect(entry?.duration_ms).toBeGreaterThanOrEqual(140)
    expect(entry?.fault).toMatch(/^fault_/)
  })

  it('a dropped connection reaches the SDK as a network failure, not an API error, and is not retried', async () => {
    await addRule({ endpoint: 'users.me', drop: true, times: 1 })
    const err = await retrying.users.me({}).catch((e: unknown) => e)
    expect(err).not.toBeInstanceOf(APIResponseError)
    expect(err).toBeInstanceOf(Error)
    await expect(retrying.users.me({})).resolves.toMatchObject({ object: 'user' })
  })

  it('matches by caller and workspace; other callers are untouched', async () => {
    const other = await addRule({ caller: 'Someone Else', error: 'service_unavailable' })
    await expect(retrying.users.me({})).resolves.toMatchObject({ object: 'user' })
    await adminCall(server, 'DELETE', `/faults/${other.id}`)
    await addRule({ caller: 'test bot', workspace: s.workspace.id, error: 'service_unavailable', times: 1, id: 'mine' })
    const err = await apiError(server.client(s.token).users.me({}))
    expect(err.code).toBe(APIErrorCode.ServiceUnavailable)
    expect(err.message).toBe('Notion is unavailable, please try again later.')
  })

  it('probability with a seed fires the same way on every run', async () => {
    const pattern = async () => {
      await addRule({ id: 'coin', endpoint: 'users.me', probability: 0.5, seed: 42, error: 'service_unavailable' })
      const out: number[] = []
      for (let i = 0; i < 12; i++) {
        const res = await server.raw('/v1/users/me', { token: s.token })
        out.push(res.status)
      }
      await adminCall(server, 'DELETE', '/faults/coin')
      return out
    }
    const first = await pattern()
    expect(await pattern()).toEqual(first)
    expect(first).toContain(503)
    expect(first).toContain(200)
  })

  it('/readyz lists the active rules; the admin API refuses invalid rules', async () => {
    await addRule({ id: 'slow-search', endpoint: 'search', latency: { min_ms: 10, max_ms: 20 } })
    await addRule({ id: 'sync-only', caller: 'Secret Sync Name', error: 'service_unavailable', times: 3 })
    const res = await fetch(`${server.url}/readyz`)
    const text = await res.text()
    const ready = JSON.parse(text) as { status: string; faults?: { id: string }[] }
    expect(ready.status).toBe('ready')
    expect(ready.faults).toEqual([
      { id: 'slow-search', endpoint: 'search', action: 'latency 10–20 ms', fired: 0 },
      { id: 'sync-only', scoped: true, action: 'error 503 service_unavailable', fired: 0, remaining: 3 },
    ])
    // /readyz needs no key: a rule's caller and workspace stay out of it.
    expect(text).not.toContain('Secret Sync Name')
    const bad = await adminCall(server, 'POST', '/faults', { error: 'teapot' })
    expect(bad.status).toBe(400)
    expect(bad.body.code).toBe('invalid_input')
    const two = await adminCall(server, 'POST', '/faults', { error: 'rate_limited', drop: true })
    expect(two.body.message).toContain('exactly one action')
    expect((await adminCall(server, 'DELETE', '/faults/nope')).status).toBe(404)
    expect((await adminCall(server, 'GET', '/faults', undefined, 'wrong-key-wrong-key')).status).toBe(401)
  })
})

describe('fault rules from the configuration (OCTAVO_FAULTS)', () => {
  let server: TestServer
  afterAll(async () => {
    await server?.stop()
  })

  it('loads the rules at start-up', async () => {
    server = await startTestServer({
      env: { OCTAVO_FAULTS: JSON.stringify([{ id: 'boot', endpoint: 'users.me', times: 1, error: 'gateway_timeout' }]) },
    })
    const s = await seedBasic(server)
    const err = await apiError(server.client(s.token).users.me({}))
    expect(err.status).toBe(504)
    await expect(server.client(s.token).users.me({})).resolves.toMatchObject({ object: 'user' })
  })
})
