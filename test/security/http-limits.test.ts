import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logger.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import { registerApp } from '../support/oauth.js'

/**
 * The HTTP layer's limits (security issue): bodies are limited while they stream on every surface,
 * slow clients are disconnected, deep JSON is refused before any recursive walk, answers Node gives
 * before the app carry Notion's envelope, logs never carry tokens, and the SQLite store is private.
 */

const LIMIT = 500 * 1024

/** What a raw connection received, and whether the server closed it, within `boundMs`. */
interface Exchange {
  text: string
  closed: boolean
}

/**
 * Opens a raw TCP connection, lets `send` write whatever it likes (and then stall), and collects the
 * answer until the server closes the connection or `boundMs` pass (a generous bound, not a timing).
 */
function exchange(url: string, send: (s: Socket) => void, boundMs = 10_000): Promise<Exchange> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    let text = ''
    const socket = connect(Number(port), hostname, () => send(socket))
    const done = (closed: boolean) => {
      clearTimeout(timer)
      socket.destroy()
      resolve({ text, closed })
    }
    const timer = setTimeout(() => done(false), boundMs)
    socket.on('data', (d) => (text += d.toString('latin1')))
    socket.on('error', () => {})
    socket.on('close', () => done(true))
  })
}

/** The status and the JSON (or HTML) body of a raw HTTP/1.1 answer. */
function parseAnswer(text: string): { status: number; headers: Record<string, string>; body: string } {
  const [head = '', ...rest] = text.split('\r\n\r\n')
  const [statusLine = '', ...lines] = head.split('\r\n')
  const headers: Record<string, string> = {}
  for (const l of lines) {
    const i = l.indexOf(':')
    headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim()
  }
  let body = rest.join('\r\n\r\n')
  if (headers['transfer-encoding'] === 'chunked') {
    let out = ''
    let b = body
    for (;;) {
      const nl = b.indexOf('\r\n')
      const size = parseInt(b.slice(0, nl), 16)
      if (!size) break
      out += b.slice(nl + 2, nl + 2 + size)
      b = b.slice(nl + 2 + size + 2)
    }
    body = out
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body }
}

/** Request headers for a chunked body, then `bytes` of body in 64 KB chunks, never the last chunk. */
function chunkedWithoutEnd(method: string, path: string, headers: Record<string, string>, bytes: number) {
  return (s: Socket) => {
    s.write(
      `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n${Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('')}\r\n`,
    )
    const piece = 64 * 1024
    for (let sent = 0; sent < bytes; sent += piece) {
      const n = Math.min(piece, bytes - sent)
      s.write(`${n.toString(16)}\r\n${'['.repeat(n)}\r\n`)
    }
  }
}

describe('HTTP limits', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  const lines: string[] = []
  beforeAll(async () => {
    const logger = createLogger('info', { write: (l: string) => void lines.push(l) } as unknown as NodeJS.WritableStream)
    server = await startTestServer({ logger })
    s = await seedBasic(server)
    await s.share(s.pages.root.id)
  })
  afterAll(async () => server.stop())

  describe('request bodies are limited while they stream, on every surface', () => {
    const basic = `Basic ${Buffer.from('client:secret').toString('base64')}`
    // Each surface answers in its own shape: Notion's envelope, the admin API's, OAuth's, the portal's page.
    const surfaces = (): [string, string, Record<string, string>, (a: ReturnType<typeof parseAnswer>) => void][] => [
      [
        '/v1/search',
        'POST',
        { 'Content-Type': 'application/json', Authorization: `Bearer ${s.token}`, 'Notion-Version': '2025-09-03' },
        (a) => {
          expect(JSON.parse(a.body)).toEqual({
            object: 'error',
            status: 413,
            code: 'validation_error',
            message: 'Request body too large. The limit is 500KB.',
            request_id: a.headers['x-notion-request-id'],
          })
        },
      ],
      [
        `/v1/pages/${s.pages.root.id}`,
        'PATCH',
        { 'Content-Type': 'application/json' },
        (a) => {
          expect(JSON.parse(a.body)).toMatchObject({ object: 'error', status: 413, code: 'validation_error' })
        },
      ],
      [
        '/_octavo/admin/workspaces',
        'POST',
        { 'Content-Type': 'application/json', Authorization: `Bearer ${server.config.adminKey}` },
        (a) => {
          expect(JSON.parse(a.body)).toMatchObject({
            object: 'error',
            status: 413,
            code: 'invalid_input',
            message: 'The request body is too large (the limit is 500 KB).',
          })
        },
      ],
      [
        '/v1/oauth/token',
        'POST',
        { 'Content-Type': 'application/json', Authorization: basic },
        (a) => {
          expect(JSON.parse(a.body)).toMatchObject({
            error: 'invalid_request',
            error_description: 'The request body is too large (the limit is 500KB).',
          })
        },
      ],
      [
        '/login',
        'POST',
        { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url },
        (a) => {
          expect(a.headers['content-type']).toContain('text/html')
          expect(a.body).toContain('This form is larger than Octavo accepts (500 KB).')
        },
      ],
    ]

    it('answers 413 to a chunked body (no Content-Length) as soon as it passes the limit, without waiting for the rest', async () => {
      for (const [path, method, headers, check] of surfaces()) {
        // A little over the limit is sent, then the client stalls: the answer must come without the rest.
        const got = await exchange(server.url, chunkedWithoutEnd(method, path, headers, LIMIT + 12 * 1024))
        const answer = parseAnswer(got.text)
        expect(answer.status, `${method} ${path}: ${got.text.slice(0, 200)}`).toBe(413)
        check(answer)
        expect(got.closed, `${method} ${path} closes the connection`).toBe(true)
      }
    })

    it('answers 413 at once to a Content-Length over the limit, even when the body never comes', async () => {
      for (const [path, method, headers, check] of surfaces()) {
        const got = await exchange(server.url, (sock) => {
          sock.write(
            `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000000\r\n${Object.entries(headers)
              .map(([k, v]) => `${k}: ${v}\r\n`)
              .join('')}\r\n{"a":`,
          )
        })
        const answer = parseAnswer(got.text)
        expect(answer.status, `${method} ${path}`).toBe(413)
        check(answer)
      }
    })

    it('reads no more than a smaller Content-Length announces: the bytes after it are a malformed request, refused and closed', async () => {
      const got = await exchange(server.url, (sock) => {
        sock.write(
          `POST /v1/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${s.token}\r\nNotion-Version: 2025-09-03\r\nContent-Length: 2\r\n\r\n{}${'x'.repeat(2 * 1024 * 1024)}`,
        )
      })
      expect(got.closed).toBe(true)
      const a = parseAnswer(got.text)
      expect(a.status).toBe(400)
      expect(JSON.parse(a.body)).toEqual({
        object: 'error',
        status: 400,
        code: 'invalid_request_url',
        message: 'Invalid request URL.',
        request_id: a.headers['x-notion-request-id'],
      })
    })
  })

  describe('deep JSON is refused before any recursive walk', () => {
    const DEEP_ARRAY = `${'['.repeat(10_000)}${']'.repeat(10_000)}`
    const DEEP_OBJECT = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`
    const MESSAGE = 'body failed validation: body nests objects and arrays more than `32` levels deep.'

    it('answers 400 validation_error on every /v1 endpoint that takes a body, never 500', async () => {
      const notion = server.client(s.token)
      const db = (await notion.databases.create({
        parent: { type: 'page_id', page_id: s.pages.root.id },
        title: [{ text: { content: 'D' } }],
        initial_data_source: { properties: { Name: { title: {} } } },
      })) as { id: string; data_sources: { id: string }[] }
      const ds = (db.data_sources[0] as { id: string }).id
      const block = (
        await notion.blocks.children.append({
          block_id: s.pages.root.id,
          children: [{ paragraph: { rich_text: [{ text: { content: 'p' } }] } }],
        })
      ).results[0] as { id: string }
      for (const deep of [DEEP_ARRAY, DEEP_OBJECT]) {
        for (const [method, path, body] of [
          ['POST', '/v1/search', `{"filter":${deep}}`],
          ['POST', `/v1/data_sources/${ds}/query`, `{"filter":${deep}}`],
          ['PATCH', `/v1/data_sources/${ds}`, `{"properties":{"X":${deep}}}`],
          ['POST', '/v1/pages', `{"parent":{"page_id":"${s.pages.root.id}"},"properties":{"title":${deep}}}`],
          ['PATCH', `/v1/pages/${s.pages.child.id}`, `{"properties":{"title":${deep}}}`],
          ['PATCH', `/v1/blocks/${block.id}`, `{"paragraph":${deep}}`],
          ['PATCH', `/v1/blocks/${block.id}/children`, `{"children":${deep}}`],
          ['POST', '/v1/comments', `{"parent":{"page_id":"${s.pages.root.id}"},"rich_text":${deep}}`],
        ] as const) {
          const r = await server.raw(path, { method, token: s.token, body })
          const json = (await r.json()) as Record<string, unknown>
          expect(r.status, `${method} ${path}`).toBe(400)
          expect(json, `${method} ${path}`).toMatchObject({ object: 'error', status: 400, code: 'validation_error', message: MESSAGE })
        }
      }
    })

    it('answers the admin API with its own 400', async () => {
      const r = await fetch(`${server.url}/_octavo/admin/workspaces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.config.adminKey}`, 'content-type': 'application/json' },
        body: `{"name":"W","members":${DEEP_ARRAY}}`,
      })
      expect(r.status).toBe(400)
      expect(await r.json()).toMatchObject({
        object: 'error',
        status: 400,
        code: 'invalid_input',
        message: 'The request body nests objects and arrays more than 32 levels deep.',
      })
    })

    it('answers the OAuth token endpoint with its own 400', async () => {
      const app = await registerApp(server, {
        workspaceId: s.workspace.id,
        actorId: s.owner.id,
        redirectUris: ['https://app.example/cb'],
        name: 'Deep',
      })
      const r = await fetch(`${server.url}/v1/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: `{"grant_type":"authorization_code","code":${DEEP_ARRAY}}`,
      })
      expect(r.status).toBe(400)
      expect(await r.json()).toMatchObject({
        error: 'invalid_request',
        error_description: 'The request body nests objects and arrays more than 32 levels deep.',
      })
    })

    it('does not count brackets inside strings', async () => {
      const r = await server.raw('/v1/search', { method: 'POST', token: s.token, body: JSON.stringify({ query: '[{'.repeat(100) }) })
      expect(r.status).toBe(200)
    })
  })

  describe("answers given before the app runs carry Notion's envelope", () => {
    it('HEAD answers as GET without the body: status, JSON type, request id and the length GET would send', async () => {
      const get = await server.raw('/v1/search', { version: null })
      const getText = await get.text()
      const head = await server.raw('/v1/search', { method: 'HEAD', version: null })
      expect(head.status).toBe(400)
      expect(head.headers.get('content-type')).toContain('application/json')
      expect(head.headers.get('x-notion-request-id')).toMatch(/^[0-9a-f-]{36}$/)
      expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(getText)))
      expect(await head.text()).toBe('')
    })

    it('answers a method Node cannot parse with 400 invalid_request_url', async () => {
      const got = await exchange(server.url, (sock) => sock.write('FOO /v1/users/me HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'))
      const a = parseAnswer(got.text)
      expect(a.status).toBe(400)
      expect(JSON.parse(a.body)).toEqual({
        object: 'error',
        status: 400,
        code: 'invalid_request_url',
        message: 'Invalid request URL.',
        request_id: a.headers['x-notion-request-id'],
      })
    })

    it.each([
      ['a malformed Host', 'Host: a b\r\n'],
      ['a Host with userinfo', 'Host: evil@127.0.0.1\r\n'],
      ['no Host', ''],
    ])('answers %s with 400 invalid_request_url', async (_name, host) => {
      const got = await exchange(server.url, (sock) => sock.write(`GET /v1/users/me HTTP/1.1\r\n${host}Connection: close\r\n\r\n`))
      const a = parseAnswer(got.text)
      expect(a.status).toBe(400)
      expect(JSON.parse(a.body)).toEqual({
        object: 'error',
        status: 400,
        code: 'invalid_request_url',
        message: 'Invalid request URL.',
        request_id: a.headers['x-notion-request-id'],
      })
    })
  })

  describe('logs never contain tokens', () => {
    it('redacts token-shaped strings from the request log, plain or percent-encoded, in any path', async () => {
      lines.length = 0
      const secret = `secret_${'A1b2C3d4E5'.repeat(4)}abc`
      await server.raw(`/v1/pages/${s.token}`, { token: s.token })
      await server.raw(`/v1/blocks/${s.token.replace('_', '%5F')}/children?start_cursor=${s.token}`, { token: s.token })
      await server.raw(`/v1/${secret}`)
      await fetch(`${server.url}/_octavo/admin/${server.config.adminKey}`, {
        headers: { authorization: `Bearer ${server.config.adminKey}` },
      })
      const log = lines.join('\n')
      expect(log).toContain('"path"')
      expect(log).toContain('[redacted]')
      for (const t of [s.token, s.token.slice(4), s.token.slice(4, 30), secret.slice(7), server.config.adminKey.slice(13)])
        expect(log).not.toContain(t)
    })
  })
})

describe('slow clients are disconnected', () => {
  let server: TestServer
  let token: string
  beforeAll(async () => {
    server = await startTestServer({ env: { OCTAVO_REQUEST_TIMEOUT: '1', OCTAVO_HEADERS_TIMEOUT: '1', OCTAVO_KEEP_ALIVE_TIMEOUT: '1' } })
    token = (await seedBasic(server)).token
  })
  afterAll(async () => server.stop())

  it('answers 408 and closes a connection whose body stalls', async () => {
    const got = await exchange(server.url, (sock) =>
      sock.write(
        `POST /v1/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${token}\r\nNotion-Version: 2025-09-03\r\nContent-Length: 100\r\n\r\n{"query`,
      ),
    )
    expect(got.closed).toBe(true)
    const a = parseAnswer(got.text)
    expect(a.status).toBe(408)
    expect(JSON.parse(a.body)).toMatchObject({ object: 'error', status: 408, code: 'invalid_request' })
  })

  it('closes a connection whose headers stall', async () => {
    const got = await exchange(server.url, (sock) => sock.write('GET /v1/users/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '))
    expect(got.closed).toBe(true)
    expect(parseAnswer(got.text).status).toBe(408)
  })

  it('closes an idle keep-alive connection', async () => {
    const got = await exchange(server.url, (sock) => sock.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'))
    expect(got.closed).toBe(true)
    expect(parseAnswer(got.text).status).toBe(200)
  })
})

describe('the SQLite store is private and its durability is configurable', () => {
  const mode = (file: string) => statSync(file).mode & 0o777

  it.each([
    ['normal', {}, 1],
    ['full', { OCTAVO_SQLITE_SYNCHRONOUS: 'full' }, 2],
  ] as const)('creates octavo.db, its WAL and shared memory 0600, with synchronous %s', async (_name, env, level) => {
    const dir = mkdtempSync(join(tmpdir(), 'octavo-modes-'))
    const file = join(dir, 'octavo.db')
    // Always SQLite here, whatever store the run is on.
    const server = await startTestServer({ env: { ...env, OCTAVO_DATABASE_URL: `file:${file}` } })
    try {
      await seedBasic(server)
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(mode(f), f).toBe(0o600)
      const row = await sql<{ synchronous: number }>`pragma synchronous`.execute(server.deps.store.db)
      expect(row.rows[0]?.synchronous).toBe(level)
    } finally {
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
