import { APIErrorCode, APIResponseError, UnknownHTTPResponseError } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Notion's wire protocol around every endpoint: the error envelope, the order of checks
 * (URL → credential → version → validation), request ids and id spellings (docs/reference/notion-api.md §0, §3, §4).
 */
describe('protocol', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
    await s.share(s.pages.root.id)
  })
  afterAll(async () => server.stop())

  const json = async (res: Response) => ({
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    id: res.headers.get('x-notion-request-id'),
  })

  it('answers unknown paths and wrong methods with 400 invalid_request_url before reading the credential', async () => {
    for (const [method, path] of [
      ['GET', '/v1/nope'],
      ['GET', '/v1/search'],
      ['DELETE', '/v1/users/me'],
      ['POST', `/v1/blocks/${s.pages.root.id}/children`],
      ['GET', '/elsewhere'],
    ] as const) {
      const r = await json(await server.raw(path, { method, version: null }))
      expect(r.status, `${method} ${path}`).toBe(400)
      expect(r.body).toEqual({
        object: 'error',
        status: 400,
        code: 'invalid_request_url',
        message: 'Invalid request URL.',
        request_id: r.id,
      })
    }
  })

  it('tolerates exactly one trailing slash', async () => {
    const r = await server.raw('/v1/users/me/', { token: s.token })
    expect(r.status).toBe(200)
  })

  it('checks the credential before the version header', async () => {
    const r = await json(await server.raw('/v1/users/me', { version: null }))
    expect(r.status).toBe(401)
    expect(r.body.message).toBe('Authorization header must use the format "Bearer <token>".')
  })

  it.each([
    ['no header', undefined],
    ['no scheme', 'ntn_abc'],
    ['Basic', 'Basic dXNlcjpwYXNz'],
    ['Bearer alone', 'Bearer'],
    ['two tokens', 'Bearer a b'],
  ])('rejects a malformed Authorization header (%s)', async (_name, header) => {
    const r = await json(await server.raw('/v1/users/me', header ? { headers: { authorization: header } } : {}))
    expect(r.body).toMatchObject({
      status: 401,
      code: 'unauthorized',
      message: 'Authorization header must use the format "Bearer <token>".',
    })
  })

  it('accepts a lower-case scheme and rejects unknown or forged tokens with "API token is invalid."', async () => {
    expect((await server.raw('/v1/users/me', { headers: { authorization: `bearer ${s.token}` } })).status).toBe(200)
    const forged = `${s.token.slice(0, -1)}${s.token.endsWith('a') ? 'b' : 'a'}`
    for (const token of ['secret_abc', 'ntn_123', forged]) {
      const r = await json(await server.raw('/v1/users/me', { token }))
      expect(r.body).toMatchObject({ status: 401, code: 'unauthorized', message: 'API token is invalid.' })
    }
    const err = await server
      .client('ntn_00000000000abcdefghijklmnopqrstuvwxyzABCDEFGHI')
      .users.me({})
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(APIResponseError)
    expect((err as APIResponseError).code).toBe(APIErrorCode.Unauthorized)
  })

  it("requires Notion-Version with Notion's two messages", async () => {
    const missing = await json(await server.raw('/v1/users/me', { token: s.token, version: null }))
    expect(missing.body).toMatchObject({
      status: 400,
      code: 'missing_version',
      message: 'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.',
    })
    const unknown = await json(await server.raw('/v1/users/me', { token: s.token, version: '2024-01-01' }))
    expect(unknown.body.message).toBe(
      'Notion-Version header failed validation: Notion-Version header should be `"2021-05-11"`, `"2021-05-13"`, `"2021-08-16"`, `"2022-02-22"`, `"2022-06-28"`, `"2025-09-03"`, `"2026-03-11"`, or `"2026-12-01"`, instead was `"2024-01-01"`.',
    )
    // The SDK does not know `missing_version`, so it surfaces as UnknownHTTPResponseError (docs/reference/notion-api.md §3.5).
    const err = await server
      .client(s.token, '2024-01-01')
      .users.me({})
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UnknownHTTPResponseError)
  })

  it.each(['2021-05-11', '2021-05-13', '2021-08-16', '2022-02-22', '2022-06-28', '2025-09-03', '2026-03-11', '2026-12-01'])(
    'accepts version %s',
    async (v) => {
      expect((await server.raw('/v1/users/me', { token: s.token, version: v })).status).toBe(200)
    },
  )

  it('answers a body that is not JSON with invalid_json', async () => {
    const r = await json(await server.raw('/v1/pages', { method: 'POST', token: s.token, body: '{"parent":' }))
    expect(r.body).toMatchObject({ status: 400, code: 'invalid_json', message: 'Error parsing JSON body.' })
  })

  it('refuses payloads over 500 KB with 413 validation_error, before reading the credential', async () => {
    const big = JSON.stringify({
      parent: { page_id: s.pages.root.id },
      properties: { title: { title: [{ text: { content: 'x'.repeat(600_000) } }] } },
    })
    for (const token of [s.token, undefined]) {
      const r = await json(await server.raw('/v1/pages', { method: 'POST', ...(token ? { token } : {}), body: big }))
      expect(r.status).toBe(413)
      expect(r.body).toEqual({
        object: 'error',
        status: 413,
        code: 'validation_error',
        message: 'Request body too large. The limit is 500KB.',
        request_id: r.id,
      })
    }
    // The SDK knows the code: an APIResponseError, not an unknown response.
    const err = await apiError(
      server.client(s.token).pages.create({
        parent: { page_id: s.pages.root.id },
        properties: { title: { title: [{ text: { content: 'x'.repeat(600_000) } }] } },
      }),
    )
    expect(err.code).toBe(APIErrorCode.ValidationError)
    expect(err.status).toBe(413)
  })

  it('accepts only an exact Notion-Version: a non-breaking space is part of the value', async () => {
    for (const v of ['2025-09-03\u00a0', '\u00a02025-09-03', '2025-9-3']) {
      const r = await json(await server.raw('/v1/users/me', { token: s.token, version: v }))
      expect(r.body, JSON.stringify(v)).toMatchObject({ status: 400, code: 'missing_version' })
      expect(r.body.message).toContain(`instead was \`${JSON.stringify(v)}\`.`)
    }
    // Spaces and tabs around a header value are not part of it in HTTP (RFC 9110 §5.5).
    expect((await server.raw('/v1/users/me', { token: s.token, version: ' 2025-09-03\t' })).status).toBe(200)
  })

  it('takes page_size in a query string only as a plain decimal integer', async () => {
    for (const path of [
      `/v1/blocks/${s.pages.root.id}/children`,
      `/v1/comments?block_id=${s.pages.root.id}`,
      `/v1/pages/${s.pages.root.id}/properties/title`,
    ]) {
      const sep = path.includes('?') ? '&' : '?'
      for (const size of ['0x10', '1e2', '+5', ' 5', '5 ', '0b1', '']) {
        const r = await json(await server.raw(`${path}${sep}page_size=${encodeURIComponent(size)}`, { token: s.token }))
        expect(r.body, `${path} ${JSON.stringify(size)}`).toMatchObject({
          status: 400,
          code: 'validation_error',
          message: `query failed validation: query.page_size should be a number, instead was \`${JSON.stringify(size)}\`.`,
        })
      }
      // (The connection may not read comments, so the comment list's valid call is a 403.)
      const ok = await server.raw(`${path}${sep}page_size=5`, { token: s.token })
      expect(ok.status, path).toBe(path.startsWith('/v1/comments') ? 403 : 200)
    }
  })

  it('puts x-notion-request-id on success and error responses, equal to the body request_id', async () => {
    const ok = await server.raw('/v1/users/me', { token: s.token })
    const okBody = (await ok.json()) as { request_id: string }
    expect(ok.headers.get('x-notion-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(okBody.request_id).toBe(ok.headers.get('x-notion-request-id'))
    const bad = await apiError(server.client(s.token).pages.retrieve({ page_id: s.pages.secret.id }))
    expect(bad.request_id).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('sends JSON type, request id and byte length on answers, errors and unknown URLs alike (http/json-response.ts)', async () => {
    const cases = [
      { path: '/v1/users/me', token: s.token as string | undefined, status: 200 },
      { path: `/v1/pages/${s.pages.root.id}`, token: s.token, status: 200 },
      { path: `/v1/pages/${s.pages.secret.id}`, token: s.token, status: 404 },
      { path: '/v1/users/me', token: 'secret_nope', status: 401 },
      { path: '/v1/no-such-endpoint', token: s.token, status: 400 },
    ]
    for (const c of cases) {
      const res = await server.raw(c.path, c.token === undefined ? {} : { token: c.token })
      const bytes = Buffer.from(await res.arrayBuffer())
      expect(res.status, c.path).toBe(c.status)
      expect(res.headers.get('content-type'), c.path).toBe('application/json')
      expect(Number(res.headers.get('content-length')), c.path).toBe(bytes.length)
      expect((JSON.parse(bytes.toString('utf8')) as { request_id: string }).request_id, c.path).toBe(res.headers.get('x-notion-request-id'))
    }
  })

  it("validates path ids with Notion's grammar", async () => {
    const r = await json(await server.raw('/v1/pages/PAGE_ID', { token: s.token }))
    expect(r.body).toMatchObject({
      status: 400,
      code: 'validation_error',
      message: 'path failed validation: path.page_id should be a valid uuid, instead was `"PAGE_ID"`.',
    })
  })

  it("validates bodies with Notion's grammar, unions included", async () => {
    const notion = server.client(s.token)
    const missing = await apiError(notion.request({ path: 'pages', method: 'post', body: {} }))
    expect(missing.code).toBe(APIErrorCode.ValidationError)
    expect(missing.message).toBe('body failed validation: body.parent should be defined, instead was `undefined`.')
    const union = await apiError(notion.request({ path: 'pages', method: 'post', body: { parent: { database_id: 'DATABASE_ID' } } }))
    expect(union.message).toContain('body failed validation. Fix one:\n')
    expect(union.message).toContain('body.parent.database_id should be a valid uuid, instead was `"DATABASE_ID"`.')
    const extra = await apiError(
      notion.request({ path: 'pages', method: 'post', body: { parent: { page_id: s.pages.root.id }, bogus: 1 } }),
    )
    expect(extra.message).toBe('body failed validation: body.bogus should be not present, instead was `1`.')
  })
})
