import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.js'
import { csrfToken } from '../../src/portal/session.js'
import { createPat } from '../../src/services/pats.service.js'
import { createGroup } from '../../src/services/people.service.js'
import { createSession, setPassword } from '../../src/services/portal-auth.service.js'
import { createConnection } from '../../src/services/connections.service.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import {
  generateCorpus,
  routesOf,
  runCorpus,
  slowestRoutes,
  summarize,
  type CorpusFixtures,
  type Surface,
} from '../support/malformed-corpus.js'
import { consent, registerApp } from '../support/oauth.js'

/**
 * Malformed input, through the real server:
 * - the leniencies and server errors the malformed-input corpus found, one test each;
 * - the corpus itself (test/support/malformed-corpus.ts): thousands of generated, seeded requests over
 *   every route of every surface, none of which may answer ≥ 500, leave the surface's envelope, take
 *   over 5 s, or leave the process over 300 MB.
 */

const V1_ERROR = { object: 'error', code: 'validation_error', status: 400, message: expect.any(String), request_id: expect.any(String) }

describe('leniencies the corpus found', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  const send = (path: string, body: unknown, method = 'POST') =>
    server.raw(path, { method, token: s.token, body: typeof body === 'string' ? body : JSON.stringify(body) })
  const json = async (r: Response) => (await r.json()) as Record<string, any>
  const admin = (method: string, path: string, body?: string) =>
    fetch(`${server.url}/_octavo/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${server.config.adminKey}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body } : {}),
    })

  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server, { readComments: true, insertComments: true })
    await s.share(s.pages.root.id)
  })
  afterAll(async () => server.stop())

  it('validates rich-text items of a plain page title before using them', async () => {
    for (const title of [[null], ['x'], [{ text: null }], [{}], [{ mention: null }], [{ text: { content: 5 } }]]) {
      for (const [method, path, body] of [
        ['POST', '/v1/pages', { parent: { page_id: s.pages.root.id }, properties: { title: { title } } }],
        ['POST', '/v1/pages', { parent: { page_id: s.pages.root.id }, properties: { Name: { title } } }],
        ['PATCH', `/v1/pages/${s.pages.child.id}`, { properties: { title: { title } } }],
      ] as const) {
        const r = await send(path, body, method)
        const b = await json(r)
        expect(r.status, JSON.stringify(body)).toBe(400)
        expect(b).toMatchObject(V1_ERROR)
        expect(b.message).toMatch(/^body failed validation[.:] /)
        expect(b.message).toContain(`body.properties.${Object.keys(body.properties)[0]}.title[0]`)
      }
    }
    const r = await send('/v1/pages', { parent: { page_id: s.pages.root.id }, properties: { title: { title: [null] } } })
    expect((await json(r)).message).toBe('body failed validation: body.properties.title.title[0] should be an object, instead was `null`.')
  })

  it('refuses block types named after Object.prototype members as unsupported', async () => {
    for (const type of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      for (const raw of [
        `{"children":[{"type":"${type}","${type}":{}}]}`,
        `{"children":[{"type":"${type}"}]}`,
        `{"children":[{"${type}":{"rich_text":[]}}]}`,
      ]) {
        const r = await send(`/v1/blocks/${s.pages.root.id}/children`, raw, 'PATCH')
        const b = await json(r)
        expect(r.status, raw).toBe(400)
        expect(b).toMatchObject(V1_ERROR)
      }
      const r = await send(`/v1/blocks/${s.pages.root.id}/children`, `{"children":[{"type":"${type}"}]}`, 'PATCH')
      expect((await json(r)).message).toBe(
        `body failed validation: body.children[0].type should be a supported block type, instead was \`"${type}"\`.`,
      )
      const created = await json(
        await send(`/v1/blocks/${s.pages.root.id}/children`, { children: [{ paragraph: { rich_text: [] } }] }, 'PATCH'),
      )
      const blockId = created.results[0].id as string
      const u = await send(`/v1/blocks/${blockId}`, `{"${type}":{}}`, 'PATCH')
      expect(u.status).toBe(400)
      expect(await json(u)).toMatchObject({
        ...V1_ERROR,
        message: `body failed validation: body.${type} should be not present, instead was \`{}\`.`,
      })
    }
  })

  it('treats properties named __proto__, constructor and toString like any other name', async () => {
    const db = await json(
      await send(
        '/v1/databases',
        `{"parent":{"page_id":"${s.pages.root.id}"},"title":[{"text":{"content":"Protos"}}],"initial_data_source":{"properties":{"Name":{"title":{}},"__proto__":{"rich_text":{}},"constructor":{"number":{}}}}}`,
      ),
    )
    const ds = db.data_sources[0].id as string
    const schema = await json(await server.raw(`/v1/data_sources/${ds}`, { token: s.token }))
    expect(Object.keys(schema.properties).sort()).toEqual(['Name', '__proto__', 'constructor'])
    expect(Object.hasOwn(schema.properties, '__proto__')).toBe(true)

    const row = (text: string, n: number) =>
      send(
        '/v1/pages',
        `{"parent":{"data_source_id":"${ds}"},"properties":{"Name":{"title":[{"text":{"content":"${text}"}}]},"__proto__":{"rich_text":[{"text":{"content":"${text}-proto"}}]},"constructor":{"number":${n}}}}`,
      )
    const b = await json(await row('b', 2))
    const a = await json(await row('a', 1))
    expect(b.properties.__proto__).toMatchObject({ type: 'rich_text', rich_text: [{ plain_text: 'b-proto' }] })
    expect(Object.hasOwn(b.properties, '__proto__')).toBe(true)
    expect(b.properties.constructor).toMatchObject({ type: 'number', number: 2 })

    // Retrieve by name (property item endpoint).
    const item = await json(await server.raw(`/v1/pages/${a.id}/properties/__proto__`, { token: s.token }))
    expect(item.results.map((r: any) => r.rich_text.plain_text)).toEqual(['a-proto'])
    expect(await json(await server.raw(`/v1/pages/${a.id}/properties/constructor`, { token: s.token }))).toMatchObject({
      object: 'property_item',
      type: 'number',
      number: 1,
    })

    // Update, query, sort.
    const upd = await json(
      await send(`/v1/pages/${a.id}`, '{"properties":{"__proto__":{"rich_text":[{"text":{"content":"changed"}}]}}}', 'PATCH'),
    )
    expect(upd.properties.__proto__.rich_text[0].plain_text).toBe('changed')
    const q = await json(
      await send(
        `/v1/data_sources/${ds}/query`,
        '{"filter":{"property":"__proto__","rich_text":{"contains":"proto"}},"sorts":[{"property":"constructor","direction":"descending"}]}',
      ),
    )
    expect(q.results.map((r: any) => r.id)).toEqual([b.id])
    const sorted = await json(await send(`/v1/data_sources/${ds}/query`, '{"sorts":[{"property":"__proto__","direction":"ascending"}]}'))
    expect(sorted.results.map((r: any) => r.id)).toEqual([b.id, a.id])

    // Names that are not properties are refused, never resolved to Object.prototype members.
    for (const name of ['toString', 'hasOwnProperty', 'valueOf']) {
      const r = await server.raw(`/v1/pages/${a.id}/properties/${name}`, { token: s.token })
      expect(r.status).toBe(400)
      expect(await json(r)).toMatchObject({ ...V1_ERROR, message: `Could not find property with name or id: ${name}.` })
      const sort = await send(`/v1/data_sources/${ds}/query`, { sorts: [{ property: name, direction: 'ascending' }] })
      expect(await json(sort)).toMatchObject({ ...V1_ERROR, message: `Could not find sort property with name or id: ${name}.` })
      const filter = await send(`/v1/data_sources/${ds}/query`, { filter: { property: name, number: { equals: 1 } } })
      expect(await json(filter)).toMatchObject({ ...V1_ERROR, message: `Could not find property with name or id: ${name}.` })
      const write = await send(`/v1/pages/${a.id}`, { properties: { [name]: { number: 1 } } }, 'PATCH')
      expect(await json(write)).toMatchObject({ ...V1_ERROR, message: `${name} is not a property that exists.` })
    }
    // The oldest version's shapes (renamed rich_text, empty values left out) keep the name too.
    const legacy = await json(await server.raw(`/v1/pages/${a.id}`, { token: s.token, version: '2021-05-11' }))
    expect(Object.hasOwn(legacy.properties, '__proto__')).toBe(true)
    expect(legacy.properties.__proto__.type).toBe('text')
  })

  it("searches and filters with queries longer than SQLite's LIKE pattern limit", async () => {
    // A title of 30 runs × 2000 characters, with LIKE's special characters in it.
    const unit = 'ab%_\\c'
    const runs = Array.from({ length: 30 }, (_, i) => ({ text: { content: `${i}`.padEnd(2000, unit) } }))
    const full = runs.map((r) => r.text.content).join('')
    const page = await json(await send('/v1/pages', { parent: { page_id: s.pages.root.id }, properties: { title: { title: runs } } }))
    expect(page.object).toBe('page')
    const needle = full.slice(1000, 56_000) // 55,000 characters, > 50,000 bytes as a pattern
    const hits = async (query: string) => (await json(await send('/v1/search', { query }))).results.map((r: any) => r.id)
    expect(await hits(needle)).toEqual([page.id])
    expect(await hits(needle.toUpperCase())).toEqual([page.id])
    expect(await hits(`${needle}x`)).toEqual([])
    expect(await hits('%'.repeat(50_000))).toEqual([])
    expect(await hits('a'.repeat(50_000))).toEqual([])

    const db = await json(
      await send('/v1/databases', {
        parent: { page_id: s.pages.root.id },
        title: [{ text: { content: 'Long' } }],
        initial_data_source: { properties: { Name: { title: {} } } },
      }),
    )
    const ds = db.data_sources[0].id as string
    const row = await json(await send('/v1/pages', { parent: { data_source_id: ds }, properties: { Name: { title: runs } } }))
    await send('/v1/pages', { parent: { data_source_id: ds }, properties: { Name: { title: [{ text: { content: 'short' } }] } } })
    const query = async (cond: Record<string, unknown>) => {
      const r = await send(`/v1/data_sources/${ds}/query`, { filter: { property: 'Name', title: cond } })
      expect(r.status, JSON.stringify(cond).slice(0, 80)).toBe(200)
      return (await json(r)).results.map((x: any) => x.id)
    }
    expect(await query({ contains: needle })).toEqual([row.id])
    expect(await query({ starts_with: full.slice(0, 50_000) })).toEqual([row.id])
    expect(await query({ ends_with: full.slice(-50_000) })).toEqual([row.id])
    expect(await query({ starts_with: full.slice(1, 50_001) })).toEqual([])
    expect(await query({ does_not_contain: needle })).toHaveLength(1)
    expect(await query({ contains: '_'.repeat(50_000) })).toEqual([])
    // U+0000 cannot be stored in PostgreSQL text, so bodies drop it (http/body.ts parseJsonText): a
    // needle holding it searches as the needle without it, on both stores.
    expect(await hits('a\u0000')).toEqual(await hits('a'))
    expect(await query({ contains: 'sh\u0000ort' })).toEqual(await query({ contains: 'short' }))
    expect(await query({ contains: 'sh\u0000ort' })).toHaveLength(1)
  }, 30_000)

  it('admin API: decodes path parameters once and refuses malformed percent-encoding', async () => {
    for (const path of ['/users/%ZZ/password', '/users/%E0%A4%A/password', '/workspaces/%/pages']) {
      const r = path.includes('password') ? await admin('PUT', path, '{"password":"long-enough-password"}') : await admin('GET', path)
      expect(r.status, path).toBe(400)
      expect(await json(r)).toMatchObject({
        object: 'error',
        status: 400,
        code: 'invalid_input',
        message: 'The request path is not valid percent-encoding.',
      })
    }
    // Decoded once: `%2540` is the literal text `%40`, not `@`.
    const once = await admin(
      'PUT',
      `/users/${encodeURIComponent(encodeURIComponent(s.member.email as string))}/password`,
      '{"password":"long-enough-password"}',
    )
    expect(once.status).toBe(404)
    expect((await json(once)).message).toBe(`No user ${encodeURIComponent(s.member.email as string)}.`)
    const ok = await admin('PUT', `/users/${encodeURIComponent(s.member.email as string)}/password`, '{"password":"long-enough-password"}')
    expect(ok.status).toBe(200)
  })

  it('portal: a form body that does not parse as its content type is a 400 page, not a 500', async () => {
    const { sessionId } = await createSession(server.deps, s.owner.id)
    const headers = { cookie: `octavo_session=${sessionId}`, origin: server.url, 'content-type': 'multipart/form-data; boundary=xyz' }
    for (const path of ['/login', '/developers/connections', `/w/${s.workspace.id}/pages/${s.pages.root.id}/access/restore`]) {
      const r = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers,
        body: `_csrf=${csrfToken(server.deps, sessionId)}&name=x`,
        redirect: 'manual',
      })
      expect(r.status, path).toBe(400)
      expect(r.headers.get('content-type')).toContain('text/html')
      expect(await r.text()).toContain('The form could not be read.')
    }
    // A field named __proto__ (repeated: an array) is a field like any other, not the form's prototype.
    const r = await fetch(`${server.url}/developers/connections`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${csrfToken(server.deps, sessionId)}&__proto__=a&__proto__=b&name=Proto&workspace_id=${s.workspace.id}`,
      redirect: 'manual',
    })
    expect(r.status).toBeLessThan(500)
  })

  it('admin API: bodies are strict, an unknown key is named in a 400', async () => {
    const cases: [string, string, unknown, string][] = [
      ['PUT', `/users/${s.member.id}/password`, { password: 'long-enough-password', pasword: 'x' }, 'body: Unrecognized key: "pasword"'],
      ['POST', `/workspaces/${s.workspace.id}/pages`, { title: 'T', parent: 'x' }, 'body: Unrecognized key: "parent"'],
      [
        'POST',
        `/workspaces/${s.workspace.id}/connections`,
        { name: 'C', capabilities: { read_contents: true } },
        'capabilities: Unrecognized key: "read_contents"',
      ],
      [
        'POST',
        '/workspaces',
        { name: 'W', members: [{ name: 'A', email: 'a@x.test', role: 'owner', admin: true }] },
        'members.0: Unrecognized key: "admin"',
      ],
      ['POST', `/workspaces/${s.workspace.id}/groups`, { name: 'G', members: [] }, 'body: Unrecognized key: "members"'],
      ['PUT', `/pages/${s.pages.root.id}/permissions/workspace`, { level: 'view', inherit: false }, 'body: Unrecognized key: "inherit"'],
      ['POST', `/workspaces/${s.workspace.id}/personal-access-tokens`, { name: 'P', expires: 3 }, 'body: Unrecognized key: "expires"'],
      [
        'POST',
        `/workspaces/${s.workspace.id}/public-connections`,
        { name: 'O', redirect_uris: [], secret: 'x' },
        'body: Unrecognized key: "secret"',
      ],
      [
        'PUT',
        `/connections/${s.connection.id}/pages/${s.pages.root.id}`,
        { as: s.owner.id, level: 'full' },
        'body: Unrecognized key: "level"',
      ],
    ]
    for (const [method, path, body, message] of cases) {
      const r = await admin(method, path, JSON.stringify(body))
      expect(r.status, `${method} ${path}`).toBe(400)
      expect(await json(r)).toMatchObject({ object: 'error', status: 400, code: 'invalid_input', message })
    }
    // `__proto__` is a key like any other.
    const r = await admin('PUT', `/users/${s.member.id}/password`, '{"password":"long-enough-password","__proto__":{"x":1}}')
    expect(await json(r)).toMatchObject({ status: 400, code: 'invalid_input', message: 'body: Unrecognized key: "__proto__"' })
  })
})

/** Seeded (OCTAVO_CORPUS_SEED) and sized (OCTAVO_CORPUS_REQUESTS, default 10,000) from the environment. */
const SEED = Number(process.env.OCTAVO_CORPUS_SEED ?? 20_260_101)
const TOTAL = Number(process.env.OCTAVO_CORPUS_REQUESTS ?? 10_000)
/** Routes whose valid requests end the corpus's own session or store: sent last. */
const LAST_ROUTES = new Set([
  'POST /logout',
  'POST /_octavo/admin/reset',
  // The emulator kit's: a fixture load may empty the store, a restore replaces it, the clock may expire sessions.
  'POST /_octavo/admin/fixtures',
  'POST /_octavo/admin/snapshots/:name/restore',
  'POST /_octavo/admin/clock',
])

describe('the malformed-input corpus', () => {
  let server: TestServer
  let fx: CorpusFixtures
  let routes: ReturnType<typeof routesOf>

  beforeAll(async () => {
    server = await startTestServer()
    const s = await seedBasic(server, { readComments: true, insertComments: true, userInfo: 'with_email' })
    await s.share(s.pages.root.id)
    const notion = server.client(s.token)
    const db = (await notion.databases.create({
      parent: { type: 'page_id', page_id: s.pages.child.id },
      title: [{ text: { content: 'Corpus' } }],
      initial_data_source: {
        properties: {
          Name: { title: {} },
          N: { number: {} },
          S: { select: { options: [{ name: 'a' }] } },
          M: { multi_select: {} },
          D: { date: {} },
          T: { rich_text: {} },
          C: { checkbox: {} },
          U: { url: {} },
          P: { people: {} },
          F: { formula: { expression: 'prop("N") * 2' } },
        },
      },
    })) as { id: string; data_sources: { id: string }[] }
    const ds = (db.data_sources[0] as { id: string }).id
    const rows: string[] = []
    for (let i = 0; i < 3; i++) {
      const row = await notion.pages.create({
        parent: { data_source_id: ds },
        properties: { Name: { title: [{ text: { content: `Row ${i}` } }] }, N: { number: i } },
      })
      rows.push(row.id)
    }
    const appended = await notion.blocks.children.append({
      block_id: s.pages.child.id,
      children: [
        { paragraph: { rich_text: [{ text: { content: 'p' } }] } },
        { to_do: { rich_text: [{ text: { content: 't' } }], checked: false } },
        { table: { table_width: 1, children: [{ table_row: { cells: [[{ text: { content: 'c' } }]] } }] } },
      ],
    })
    const comment = await notion.comments.create({ parent: { page_id: s.pages.child.id }, rich_text: [{ text: { content: 'c' } }] })
    // Objects the corpus may change or delete: never the ones holding its own credentials.
    const spare = await createConnection(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, name: 'Spare' })
    const group = await createGroup(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, name: 'Corpus group' })
    const pat = await createPat(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, name: 'Bearer' })
    const sparePat = await createPat(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, name: 'Spare' })
    for (const p of [s.owner, s.member, s.guest]) await setPassword(server.deps, p.id, 'corpus password 123')
    const app = await registerApp(server, { workspaceId: s.workspace.id, actorId: s.owner.id })
    const code = (
      await consent(server, {
        userId: s.owner.id,
        params: { client_id: app.clientId, redirect_uri: 'http://127.0.0.1:9999/callback', response_type: 'code', owner: 'user' },
        pageIds: [s.pages.root.id],
      })
    ).searchParams.get('code')
    const basic = `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`
    const grant = (await (
      await fetch(`${server.url}/v1/oauth/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:9999/callback' }),
      })
    ).json()) as { access_token: string; refresh_token: string }
    const installs = (await (
      await fetch(`${server.url}/_octavo/admin/workspaces/${s.workspace.id}/installs`, {
        headers: { authorization: `Bearer ${server.config.adminKey}` },
      })
    ).json()) as { installs: { id: string }[] }
    const { sessionId } = await createSession(server.deps, s.owner.id)
    fx = {
      origin: server.url,
      tokens: { connection: s.token, pat: pat.token, oauth: grant.access_token ?? null },
      adminKey: server.config.adminKey,
      portal: { cookie: `octavo_session=${sessionId}`, csrf: csrfToken(server.deps, sessionId) },
      oauthClient: { id: app.clientId, secret: app.clientSecret },
      ids: {
        page: [s.pages.child.id, s.pages.grandchild.id, s.pages.secret.id, ...rows],
        block: [...appended.results.map((b) => b.id), s.pages.grandchild.id],
        database: [db.id],
        data_source: [ds],
        comment: [comment.id],
        user: [s.member.id, s.guest.id],
        workspace: [s.workspace.id],
        connection: [spare.connection.id],
        pat: [sparePat.pat.id],
        pat_bot: [sparePat.pat.bot_id],
        group: [group.id],
        public_connection: [app.clientId],
        install: installs.installs.map((i) => i.id),
        property: ['title', 'Name', 'N', 'F', '__proto__', 'constructor', '%3D%3D', 'toString'],
      },
      emails: [s.member.email as string, s.guest.email as string],
      propertyNames: ['Name', 'N', 'S', 'D'],
      oauthValues: [code ?? 'x', grant.refresh_token ?? 'x', 'ntn_' + '2'.repeat(46)],
    }
    // The routes of the app the server runs, built from the same dependencies.
    const built = createApp({
      deps: server.deps,
      limiter: server.limiter,
      adminKey: server.config.adminKey,
      portal: { demo: server.config.demo, publicUrl: server.url },
    })
    // OCTAVO_CORPUS_ROUTES (a regular expression over "METHOD /path") narrows a run while debugging.
    const only = process.env.OCTAVO_CORPUS_ROUTES ? new RegExp(process.env.OCTAVO_CORPUS_ROUTES) : undefined
    routes = routesOf(built).filter((r) => !only || only.test(`${r.method} ${r.path}`))
  }, 60_000)
  afterAll(async () => server?.stop())

  it('enumerates every surface from the app', () => {
    if (process.env.OCTAVO_CORPUS_ROUTES) return
    const surfaces = new Set<Surface>(routes.map((r) => r.surface))
    expect([...surfaces].sort()).toEqual(['admin', 'admin_v1', 'oauth', 'ops', 'portal', 'v1'])
    for (const path of [
      '/v1/pages/:page_id',
      '/v1/oauth/token',
      '/_octavo/admin/users/:user/password',
      '/admin/v1/spaces/:space_id/personal_access_tokens/:bot_id',
      '/w/:ws/pages/:id',
      '/v1/oauth/authorize',
    ]) {
      expect(
        routes.some((r) => r.path === path),
        path,
      ).toBe(true)
    }
  })

  it(`answers ${TOTAL} generated requests (seed ${SEED}) with < 500, the surface's envelope, within 5 s, and holds under 150 MB once collected`, async () => {
    // A full collection before each measurement (the flag lets this process reach `gc` without --expose-gc).
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    gc()
    const rssBeforeMb = Math.round(process.memoryUsage().rss / 1024 / 1024)
    const result = await runCorpus(server.url, generateCorpus(routes, fx, { seed: SEED, total: TOTAL }, LAST_ROUTES), {
      concurrency: 8,
      timeoutMs: 5_000,
    })
    expect(result.sent).toBeGreaterThanOrEqual(TOTAL)
    expect(result.byRoute.size).toBe(routes.length)
    // Twice, with a pause between: V8 releases the pages a collection emptied only after sweeping.
    gc()
    await new Promise((resolve) => setTimeout(resolve, 500))
    gc()
    const rssMb = Math.round(process.memoryUsage().rss / 1024 / 1024)
    const heap = process.memoryUsage()
    console.log(
      `corpus: ${result.sent} requests over ${routes.length} routes in ${result.ms} ms (seed ${SEED}); by surface ${JSON.stringify(result.bySurface)}; ` +
        `by status ${JSON.stringify(result.byStatus)}; rss ${rssBeforeMb} → ${rssMb} MB (heap ${Math.round(heap.heapUsed / 1048576)}/${Math.round(heap.heapTotal / 1048576)} MB); slowest: ${slowestRoutes(result)}`,
    )
    if (result.failures.length > 0) console.log(summarize(result.failures))
    expect(result.failures.length, summarize(result.failures, 15)).toBe(0)
    // The server shares this process with vitest, the SDK and the corpus generator, so its RSS (150–170 MB
    // before the run) also holds what the allocator keeps after peaks: 230–320 MB afterwards from run to
    // run on the same code, with the same live heap. What speaks of the server is the memory still held
    // once collected (heap in use plus buffers outside it): a leak or an unbounded buffer shows there. The
    // process's RSS must still come back under 400 MB; the node's own RSS bound (300 MB) is measured on a
    // server process of its own by `npm run bench` (resources: "RSS under load").
    const held = process.memoryUsage()
    const heldMb = Math.round((held.heapUsed + held.external + held.arrayBuffers) / 1024 / 1024)
    console.log(`corpus: held after collection ${heldMb} MB`)
    expect(heldMb).toBeLessThan(150)
    expect(rssMb).toBeLessThan(400)
  }, 300_000)
})
