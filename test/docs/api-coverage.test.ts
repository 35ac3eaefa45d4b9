import { Client } from '@notionhq/client'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COVERAGE_FILE, pathTemplate, readSdk, renderCoverage, routeProblems, type Sdk } from '../../scripts/api-coverage.js'
import { listRoutes, type RouteInfo } from '../../src/api/routes.js'
import { createApp } from '../../src/app.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * docs/api-coverage.md and the route table it is generated from (scripts/api-coverage.ts): the file
 * is current, every route's `endpoint` is the SDK method with the route's own method and path, the
 * SDK reading is complete, and `listRoutes()` is exactly what the app mounts, for the versions it says.
 */
describe('API coverage', () => {
  const sdk: Sdk = readSdk()
  const routes = listRoutes()

  it('docs/api-coverage.md is current', () => {
    let committed = ''
    try {
      committed = readFileSync(COVERAGE_FILE, 'utf8')
    } catch {
      // missing: stale
    }
    expect(committed, 'docs/api-coverage.md is stale: run `npm run docs:api-coverage` and commit the result').toBe(renderCoverage(routes, sdk))
  })

  it("each served route has its SDK endpoint's method and path", () => {
    const served = routes.filter((r) => r.endpoint !== null)
    expect(served.length).toBeGreaterThan(20)
    for (const r of served) {
      const e = sdk.endpoints.find((x) => x.inClient && x.name === r.endpoint)
      expect(e, `${r.endpoint} is not a Client method of @notionhq/client ${sdk.version}`).toBeDefined()
      expect(`${r.method.toUpperCase()} ${pathTemplate(r.path)}`, `route for ${r.endpoint}`).toBe(`${e!.method} ${e!.path}`)
    }
    expect(routeProblems(routes, sdk)).toEqual([])
  })

  it('routes outside the SDK say why, and match no SDK endpoint', () => {
    for (const r of routes.filter((x) => x.endpoint === null)) {
      expect(r.reason?.length ?? 0, `${r.method} ${r.path} gives a reason`).toBeGreaterThan(20)
      expect(sdk.endpoints.some((e) => e.inClient && `${e.method} ${e.path}` === `${r.method.toUpperCase()} ${pathTemplate(r.path)}`)).toBe(false)
    }
  })

  it('a wrong, duplicated or missing endpoint is reported (and refused by the generator)', () => {
    const base = { versions: 'all', auth: 'bearer' } as const
    const wrong: RouteInfo[] = [
      { ...base, method: 'get', path: '/pages/:page_id', endpoint: 'pages.update' },
      { ...base, method: 'get', path: '/pages/:id', endpoint: 'pages.retrieve' },
      { ...base, method: 'get', path: '/users/me', endpoint: 'users.mee' as 'users.me' },
      { ...base, method: 'get', path: '/users', endpoint: 'users.list' },
      { ...base, method: 'get', path: '/users', endpoint: 'users.list' },
      { ...base, method: 'get', path: '/comments/:comment_id', endpoint: null, reason: 'none given' },
    ]
    const problems = routeProblems(wrong, sdk)
    expect(problems).toEqual([
      'GET /v1/pages/{page_id}: endpoint pages.update is PATCH /v1/pages/{page_id} in the SDK',
      'GET /v1/pages/{id}: endpoint pages.retrieve is GET /v1/pages/{page_id} in the SDK',
      `GET /v1/users/me: endpoint users.mee is not a method of @notionhq/client ${sdk.version}`,
      'users.list is served by both GET /v1/users and GET /v1/users',
      'GET /v1/comments/{comment_id} names no SDK endpoint, but it is comments.retrieve',
    ])
    expect(() => renderCoverage(wrong, sdk)).toThrow(/routes disagree with the SDK/)
  })

  it('reads every endpoint method of the SDK Client, and only those', () => {
    const methods: string[] = []
    const walk = (obj: object, prefix: string) => {
      for (const [key, value] of Object.entries(obj)) {
        if (typeof value === 'function') methods.push(`${prefix}${key}`)
        else if (value && typeof value === 'object') walk(value as object, `${prefix}${key}.`)
      }
    }
    walk(new Client({ auth: 'unused' }), '')
    const read = sdk.endpoints.filter((e) => e.inClient).map((e) => e.name)
    expect(read.length).toBeGreaterThanOrEqual(60)
    expect(read).toEqual([...methods].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
    const byName = new Map(sdk.endpoints.map((e) => [e.name, `${e.method} ${e.path}`]))
    expect(byName.get('pages.retrieve')).toBe('GET /v1/pages/{page_id}')
    expect(byName.get('blocks.children.append')).toBe('PATCH /v1/blocks/{block_id}/children')
    expect(byName.get('search')).toBe('POST /v1/search')
    expect(byName.get('oauth.token')).toBe('POST /v1/oauth/token')
    expect(byName.get('fileUploads.create')).toBe('POST /v1/file_uploads')
  })

  describe('against the running app', () => {
    let server: TestServer
    let token: string
    beforeAll(async () => {
      server = await startTestServer()
      token = (await seedBasic(server)).token
    })
    afterAll(async () => server.stop())

    it('listRoutes() is exactly the /v1 routes the app registers', () => {
      const app = createApp({ deps: server.deps, limiter: server.limiter, adminKey: 'unused', portal: { demo: false, publicUrl: server.url } })
      const mounted = app.routes.filter((r) => r.path.startsWith('/v1/') && r.method !== 'ALL').map((r) => `${r.method} ${r.path}`)
      const listed = routes.map((r) => `${r.method.toUpperCase()} /v1${r.path}`)
      expect([...new Set(mounted)].sort()).toEqual([...listed].sort())
      expect(new Set(listed).size).toBe(listed.length)
    })

    it('each bearer route is mounted for exactly the Notion-Versions it lists', async () => {
      for (const r of routes.filter((x) => x.auth === 'bearer')) {
        const url = `/v1${r.path.replace(/:\w+/g, () => randomUUID())}`
        for (const version of ['2022-06-28', '2025-09-03'] as const) {
          const res = await server.raw(url, { method: r.method.toUpperCase(), token, version, ...(r.method === 'get' || r.method === 'delete' ? {} : { body: '{}' }) })
          const body = (await res.json()) as { code?: string }
          const expected =
            r.versions === 'all' ||
            (r.versions === 'data_sources' && version === '2025-09-03') ||
            (r.versions === 'legacy' && version === '2022-06-28')
          expect(body.code === 'invalid_request_url', `${r.method} ${r.path} under ${version}`).toBe(!expected)
        }
      }
    })

    it('the OAuth client routes answer with their own authentication, not as unknown URLs', async () => {
      for (const r of routes.filter((x) => x.auth === 'client')) {
        const res = await server.raw(`/v1${r.path}`, { method: 'POST', version: null, body: '{}' })
        expect(res.status, r.path).toBe(401)
        expect(await res.json()).toMatchObject({ error: 'invalid_client' })
      }
    })
  })
})
