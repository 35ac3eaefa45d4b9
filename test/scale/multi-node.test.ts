import { APIErrorCode, Client, LogLevel, UnknownHTTPResponseError } from '@notionhq/client'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiError } from '../support/harness.js'
import { POSTGRES_URL, freshPostgresSchema } from '../support/stores.js'
import { HAS_REDIS_SERVER, NGINX, freePort, startNginx, startNode, startRedis, type Nginx, type Node, type RedisChild } from './cluster.js'

/**
 * Two Octavo processes on different loopback ports sharing one PostgreSQL schema and one Redis
 * (a private redis-server child), behind nginx as in docs/deploy.md. Steps run in order on the same
 * cluster: routing through nginx; the rate limit holds across both nodes; a refresh, a capability
 * change and an unshare made through node A apply on node B from the next request, and so do (checked
 * with the official SDK on B) a PAT policy change and its reversal, a PAT revocation, a member's
 * removal and an OAuth install's removal, all made through node A's admin API; Redis stops and
 * both nodes keep serving with per-node limits, logging it once and reporting it on /readyz; node A
 * is SIGKILLed during writes and every write it acknowledged is there afterwards.
 */
const missing = [!POSTGRES_URL && 'OCTAVO_TEST_POSTGRES_URL', !HAS_REDIS_SERVER && 'redis-server'].filter(Boolean)
if (missing.length) console.warn(`[octavo] multi-node tests skipped: ${missing.join(' and ')} unavailable.`)
if (!NGINX) console.warn('[octavo] nginx is not installed (apt-get install nginx-light): the reverse-proxy step is skipped.')

const BUDGET = 20
const V = '2025-09-03'

describe.skipIf(missing.length > 0)('several Octavo nodes on PostgreSQL and Redis', { timeout: 120_000 }, () => {
  const adminKey = `octavo_admin_${randomBytes(18).toString('hex')}`
  const pg = POSTGRES_URL ? freshPostgresSchema() : undefined
  let redis: RedisChild
  let a: Node
  let b: Node
  let proxy: Nginx | undefined
  let ws: { id: string; pages: { id: string; title: string }[] }

  const admin = async (node: Node, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${node.url}/_octavo/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    const json = (await res.json()) as Record<string, unknown>
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`)
    return json
  }
  const api = (base: string, token: string, path: string, init: RequestInit = {}) =>
    fetch(`${base}/v1${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'notion-version': V, 'content-type': 'application/json' },
    })
  /** A new connection (fresh rate-limit budget) shared with the first page. */
  const connection = async (name: string) => {
    const c = (await admin(a, 'POST', `/workspaces/${ws.id}/connections`, { name })) as { connection: { id: string }; token: string }
    await admin(a, 'PUT', `/connections/${c.connection.id}/pages/${ws.pages[0]!.id}`, {})
    return { id: c.connection.id, token: c.token }
  }

  beforeAll(async () => {
    redis = await startRedis()
    // As docs/deploy.md: the public URL is nginx's address (the Host nginx passes on), nginx is trusted.
    const proxyPort = await freePort()
    const env = {
      OCTAVO_PUBLIC_URL: `http://127.0.0.1:${proxyPort}`,
      OCTAVO_TRUSTED_PROXIES: '127.0.0.1',
      OCTAVO_DATABASE_URL: pg!.url,
      OCTAVO_REDIS_URL: redis.url,
      OCTAVO_SECRET_KEY: randomBytes(32).toString('hex'),
      OCTAVO_ADMIN_KEY: adminKey,
      OCTAVO_RATE_LIMIT_CONNECTION: String(BUDGET),
      OCTAVO_LOG_LEVEL: 'warn',
      // The in-process caches are on (the default), so every step below also proves their invalidation.
      OCTAVO_CACHES: 'on',
    }
    // Both start at once: migrations take PostgreSQL's advisory lock, so one migrates, the other waits.
    ;[a, b] = await Promise.all([startNode(env), startNode(env)])
    ws = (await admin(a, 'POST', '/workspaces', {
      name: 'Cluster',
      members: [{ name: 'Olive Owner', email: 'olive@cluster.test', role: 'owner' }],
      pages: ['Shared', 'Also shared'],
    })) as unknown as { id: string; pages: { id: string; title: string }[] }
    ws = { id: (ws as unknown as { workspace: { id: string } }).workspace.id, pages: ws.pages }
    if (NGINX) proxy = await startNginx([new URL(a.url).host, new URL(b.url).host], proxyPort)
  })
  afterAll(async () => {
    await proxy?.stop()
    await Promise.all([a?.kill('SIGKILL'), b?.kill('SIGKILL')])
    await redis?.kill()
    await pg?.drop()
  })

  it.skipIf(!NGINX)('serves through nginx, spreading requests over both nodes', async () => {
    const c = await connection('Via nginx')
    const upstreams = new Set<string>()
    for (let i = 0; i < 6; i++) {
      const res = await api(proxy!.url, c.token, '/users/me')
      expect(res.status).toBe(200)
      upstreams.add(res.headers.get('x-octavo-upstream') ?? '')
    }
    expect(upstreams).toEqual(new Set([new URL(a.url).host, new URL(b.url).host]))
    const ready = await fetch(`${proxy!.url}/readyz`)
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      store: { dialect: 'postgres', migrations: 'current' },
      rate_limits: { mode: 'shared', redis: 'up' },
    })
    // Notion semantics survive the proxy.
    const unknown = await api(proxy!.url, c.token, '/nope')
    expect(unknown.status).toBe(400)
  })

  it('holds one rate-limit budget across both nodes', async () => {
    const c = await connection('Budget')
    const call = (i: number) =>
      api(i % 2 ? b.url : a.url, c.token, '/users/me').then((r) => ({ node: i % 2 ? 'b' : 'a', status: r.status }))
    // A few in turn first, so both nodes surely admit some whatever the scheduling; then the rest at once.
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push(await call(i))
    statuses.push(...(await Promise.all(Array.from({ length: BUDGET * 2 + 6 }, (_, i) => call(i)))))
    const admitted = statuses.filter((s) => s.status === 200)
    expect(admitted.length).toBe(BUDGET)
    expect(statuses.filter((s) => s.status === 429).length).toBe(BUDGET + 10)
    // Both nodes admitted some and refused some: the budget is shared, not split.
    expect(new Set(admitted.map((s) => s.node))).toEqual(new Set(['a', 'b']))
  })

  it('applies a refresh, a capability change and an unshare made through node A on node B at once', async () => {
    const c = await connection('Consistency')
    const page = ws.pages[0]!.id
    expect((await api(b.url, c.token, `/pages/${page}`)).status).toBe(200)

    await admin(a, 'PATCH', `/connections/${c.id}/capabilities`, { read_content: false, update_content: true, insert_content: true })
    const noRead = await api(b.url, c.token, `/pages/${page}`)
    expect(noRead.status).toBe(403)
    await admin(a, 'PATCH', `/connections/${c.id}/capabilities`, { read_content: true })
    expect((await api(b.url, c.token, `/pages/${page}`)).status).toBe(200)

    await admin(a, 'DELETE', `/connections/${c.id}/pages/${page}`)
    const gone = await api(b.url, c.token, `/pages/${page}`)
    expect(gone.status).toBe(404)
    expect(await gone.json()).toMatchObject({ code: 'object_not_found' })

    const { token } = (await admin(a, 'POST', `/connections/${c.id}/token/refresh`, {})) as { token: string }
    const old = await api(b.url, c.token, '/users/me')
    expect(old.status).toBe(401)
    expect((await api(b.url, token, '/users/me')).status).toBe(200)
  })

  /**
   * A Business workspace for the people steps: Owen (owner), Mia (member), Max (member, removed later)
   * and a top-level workspace-section page every full member reaches.
   */
  const business = async () => {
    const tag = randomBytes(4).toString('hex')
    const made = (await admin(a, 'POST', '/workspaces', {
      name: `Cluster Business ${tag}`,
      plan: 'business',
      members: [
        { name: 'Owen Owner', email: `owen.${tag}@cluster.test`, role: 'owner' },
        { name: 'Mia Member', email: `mia.${tag}@cluster.test`, role: 'member' },
        { name: 'Max Member', email: `max.${tag}@cluster.test`, role: 'member' },
      ],
      pages: ['Team'],
    })) as { workspace: { id: string }; members: { id: string; email: string }[]; pages: { id: string }[] }
    const [owner, mia, max] = made.members as [{ id: string; email: string }, { id: string; email: string }, { id: string; email: string }]
    return { id: made.workspace.id, owner, mia, max, team: made.pages[0]!.id }
  }
  /** The official SDK pointed at `node` with `token` (no retries, so a 401 or 429 surfaces at once). */
  const sdk = (node: Node, token: string) =>
    new Client({ auth: token, baseUrl: node.url, retry: false, logLevel: LogLevel.ERROR, logger: () => {} })
  const refused = async (p: Promise<unknown>) => {
    const e = await apiError(p)
    return { status: e.status, code: e.code }
  }
  const UNAUTHORIZED = { status: 401, code: APIErrorCode.Unauthorized }
  const pat = async (wsId: string, as: string, name: string) =>
    (await admin(a, 'POST', `/workspaces/${wsId}/personal-access-tokens`, { name, as })) as { pat: { id: string }; token: string }

  it('applies a PAT policy change, its reversal and a PAT revocation made through node A on node B at once', async () => {
    const w = await business()
    // Business defaults to owners only; let members create PATs, then create Mia's through node A.
    await admin(a, 'PUT', `/workspaces/${w.id}/pat-policy`, { policy: 'all_members' })
    const mia = await pat(w.id, w.mia.email, 'Mia on B')
    const owen = await pat(w.id, w.owner.email, 'Owen on B')
    const onB = sdk(b, mia.token)
    const me = await onB.users.me({})
    expect(me.type === 'bot' && me.bot).toMatchObject({ owner: { type: 'user', user: { id: w.mia.id } }, workspace_id: w.id })
    expect((await onB.pages.retrieve({ page_id: w.team })).id).toBe(w.team)

    // Owners only again: Mia's PAT is refused on B from the next request (suspended, not revoked); Owen's works.
    await admin(a, 'PUT', `/workspaces/${w.id}/pat-policy`, { policy: 'owners_only' })
    expect(await refused(onB.pages.retrieve({ page_id: w.team }))).toEqual(UNAUTHORIZED)
    expect(await refused(onB.users.me({}))).toEqual(UNAUTHORIZED)
    expect((await sdk(b, owen.token).pages.retrieve({ page_id: w.team })).id).toBe(w.team)
    expect(await admin(b, 'GET', `/personal-access-tokens/${mia.pat.id}`)).toMatchObject({ status: 'active', suspended: 'policy' })

    // The reversal readmits her, again on B from the next request.
    await admin(a, 'PUT', `/workspaces/${w.id}/pat-policy`, { policy: 'all_members' })
    expect((await onB.pages.retrieve({ page_id: w.team })).id).toBe(w.team)

    // Revoked by the workspace owner through A (the admin view's revoke): 401 on B, and on A.
    expect(await admin(a, 'DELETE', `/personal-access-tokens/${mia.pat.id}?as=${encodeURIComponent(w.owner.email)}`)).toMatchObject({
      revoked: true,
      changed: true,
    })
    expect(await refused(onB.users.me({}))).toEqual(UNAUTHORIZED)
    expect(await refused(sdk(a, mia.token).users.me({}))).toEqual(UNAUTHORIZED)
    expect(await admin(b, 'GET', `/personal-access-tokens/${mia.pat.id}`)).toMatchObject({
      status: 'revoked',
      revoked_by: { type: 'user', id: w.owner.id },
    })
    // Revoked by its creator (Owen's own) works the same way.
    await admin(a, 'DELETE', `/personal-access-tokens/${owen.pat.id}?as=${encodeURIComponent(w.owner.email)}`)
    expect(await refused(sdk(b, owen.token).users.me({}))).toEqual(UNAUTHORIZED)
    // Policy flips never bring a revoked PAT back.
    await admin(a, 'PUT', `/workspaces/${w.id}/pat-policy`, { policy: 'owners_only' })
    await admin(a, 'PUT', `/workspaces/${w.id}/pat-policy`, { policy: 'all_members' })
    expect(await refused(onB.users.me({}))).toEqual(UNAUTHORIZED)
  })

  it('applies a member removal made through node A on node B at once: their PAT is 401, their grants are gone', async () => {
    const w = await business()
    await admin(a, 'PUT', `/workspaces/${w.id}/pat-policy`, { policy: 'all_members' })
    // Owen's private page, shared with Max alone.
    const secret = (
      (await admin(a, 'POST', `/workspaces/${w.id}/pages`, { title: 'Owen private', private: true, as: w.owner.email })) as { id: string }
    ).id
    await admin(a, 'PUT', `/pages/${secret}/permissions/users/${w.max.id}`, { level: 'edit', as: w.owner.email })
    const max = await pat(w.id, w.max.email, 'Max on B')
    const onB = sdk(b, max.token)
    expect((await onB.pages.retrieve({ page_id: secret })).id).toBe(secret)
    expect((await onB.pages.retrieve({ page_id: w.team })).id).toBe(w.team)
    expect(JSON.stringify(await admin(b, 'GET', `/pages/${secret}/permissions?as=${encodeURIComponent(w.owner.email)}`))).toContain(
      w.max.id,
    )

    expect(await admin(a, 'DELETE', `/workspaces/${w.id}/members/${w.max.id}`)).toEqual({ removed: true })
    expect(await refused(onB.pages.retrieve({ page_id: secret }))).toEqual(UNAUTHORIZED)
    expect(await refused(onB.users.me({}))).toEqual(UNAUTHORIZED)
    // Node B sees every grant gone: none on the private page, and no level anywhere.
    expect(JSON.stringify(await admin(b, 'GET', `/pages/${secret}/permissions?as=${encodeURIComponent(w.owner.email)}`))).not.toContain(
      w.max.id,
    )
    for (const page of [secret, w.team])
      expect(await admin(b, 'GET', `/pages/${page}/access/${w.max.id}`)).toMatchObject({ role: null, level: 'none' })
    // Other members are untouched.
    const mia = await pat(w.id, w.mia.email, 'Mia stays')
    expect((await sdk(b, mia.token).pages.retrieve({ page_id: w.team })).id).toBe(w.team)
  })

  it('applies an OAuth install removal made through node A on node B at once', async () => {
    const w = await business()
    const redirect = 'http://127.0.0.1:9/callback'
    const registered = (await admin(a, 'POST', `/workspaces/${w.id}/public-connections`, {
      name: 'Cluster app',
      redirect_uris: [redirect],
      as: w.owner.email,
    })) as {
      connection: { client_id: string }
      client_secret: string
    }
    // Owen signs in to node A's portal (password set through the admin API) and approves on the real consent screen.
    const password = randomBytes(12).toString('hex')
    await admin(a, 'PUT', `/users/${encodeURIComponent(w.owner.email)}/password`, { password })
    const login = await fetch(`${a.url}/login`, {
      method: 'POST',
      headers: { origin: a.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: w.owner.email, password, next: '/' }),
      redirect: 'manual',
    })
    expect(login.status).toBe(303)
    const cookie = /octavo_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')?.[0]
    expect(cookie).toBeDefined()
    const params = {
      client_id: registered.connection.client_id,
      redirect_uri: redirect,
      response_type: 'code',
      owner: 'user',
      state: 'cluster',
    }
    const screen = await fetch(`${a.url}/v1/oauth/authorize?${new URLSearchParams(params)}`, {
      headers: { cookie: cookie! },
      redirect: 'manual',
    })
    expect(screen.status).toBe(200)
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await screen.text())?.[1]
    expect(csrf).toBeDefined()
    const approved = await fetch(`${a.url}/v1/oauth/authorize`, {
      method: 'POST',
      headers: { cookie: cookie!, origin: a.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...params, _csrf: csrf!, workspace_id: w.id, page: w.team, decision: 'allow' }),
      redirect: 'manual',
    })
    expect(approved.status).toBe(303)
    const code = new URL(approved.headers.get('location')!).searchParams.get('code')
    expect(code).toBeTruthy()
    // The code is exchanged on node B; the token works on both nodes.
    const tokens = await sdk(b, '').oauth.token({
      client_id: registered.connection.client_id,
      client_secret: registered.client_secret,
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: redirect,
    })
    const onB = sdk(b, tokens.access_token)
    expect((await onB.pages.retrieve({ page_id: w.team })).id).toBe(w.team)
    expect((await sdk(a, tokens.access_token).users.me({})).id).toBe(tokens.bot_id)

    const installs = ((await admin(a, 'GET', `/workspaces/${w.id}/installs`)) as { installs: { id: string; bot_id: string }[] }).installs
    const install = installs.find((i) => i.bot_id === tokens.bot_id)
    expect(install).toBeDefined()
    expect(await admin(a, 'DELETE', `/installs/${install!.id}`)).toEqual({ removed: true, id: install!.id })
    expect(await refused(onB.pages.retrieve({ page_id: w.team }))).toEqual(UNAUTHORIZED)
    expect(await refused(onB.users.me({}))).toEqual(UNAUTHORIZED)
    // Its refresh token died with it, on node B too (OAuth's own error body, RFC 6749 §5.2).
    const refresh = await sdk(b, '')
      .oauth.token({
        client_id: registered.connection.client_id,
        client_secret: registered.client_secret,
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token as string,
      })
      .then(
        () => undefined,
        (e: unknown) => (e instanceof UnknownHTTPResponseError ? { status: e.status, body: JSON.parse(e.body) as unknown } : e),
      )
    expect(refresh).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
  })

  it('keeps serving when Redis stops: per-node limits, logged once, reported on /readyz', async () => {
    const c = await connection('Redis down')
    await redis.kill()
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) for (const n of [a, b]) statuses.push((await api(n.url, c.token, '/users/me')).status)
    expect(statuses.every((s) => s === 200)).toBe(true)
    for (const n of [a, b]) {
      const ready = await fetch(`${n.url}/readyz`)
      expect(ready.status).toBe(200)
      expect(await ready.json()).toMatchObject({ status: 'ready', rate_limits: { mode: 'per_node', redis: 'down' } })
      expect(n.stderr().match(/Redis unavailable/g)?.length).toBe(1)
    }
    // Per-node budgets still hold: each node admits at most BUDGET in the window.
    const more = await Promise.all(Array.from({ length: BUDGET + 5 }, () => api(a.url, c.token, '/users/me').then((r) => r.status)))
    expect(more.filter((s) => s === 200).length).toBe(BUDGET - 8)
  })

  it('keeps every write node A acknowledged before it was SIGKILLed', async () => {
    const c = await connection('Writer')
    const parent = ws.pages[0]!.id
    const acknowledged: string[] = []
    let attempted = 0
    let killed = false
    // Three writers, each sending its next page as soon as the previous one is acknowledged, until
    // node A stops answering. A is killed once six writes are acknowledged, with others in flight.
    const writer = async () => {
      for (;;) {
        const i = attempted++
        const res = await api(a.url, c.token, '/pages', {
          method: 'POST',
          body: JSON.stringify({ parent: { page_id: parent }, properties: { title: { title: [{ text: { content: `Write ${i}` } }] } } }),
        }).catch(() => undefined)
        if (res?.status !== 200) return
        acknowledged.push(((await res.json()) as { id: string }).id)
        if (acknowledged.length >= 6 && !killed) {
          killed = true
          void a.kill('SIGKILL')
        }
      }
    }
    await Promise.all([writer(), writer(), writer()])
    expect(killed).toBe(true)
    expect(acknowledged.length).toBeGreaterThan(0)
    const listed = await api(b.url, c.token, `/blocks/${parent}/children?page_size=100`)
    expect(listed.status).toBe(200)
    const ids = new Set(((await listed.json()) as { results: { id: string }[] }).results.map((r) => r.id))
    for (const id of acknowledged) expect(ids.has(id), `acknowledged page ${id} is missing`).toBe(true)
  })
})
