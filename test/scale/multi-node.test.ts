import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { POSTGRES_URL, freshPostgresSchema } from '../support/stores.js'
import { HAS_REDIS_SERVER, NGINX, startNginx, startNode, startRedis, type Nginx, type Node, type RedisChild } from './cluster.js'

/**
 * Two Octavo processes on different loopback ports sharing one PostgreSQL schema and one Redis
 * (a private redis-server child), behind nginx as in docs/deploy.md. Steps run in order on the same
 * cluster: routing through nginx; the rate limit holds across both nodes; a refresh, a capability
 * change and an unshare made through node A apply on node B from the next request; Redis stops and
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
    const env = {
      OCTAVO_DATABASE_URL: pg!.url,
      OCTAVO_REDIS_URL: redis.url,
      OCTAVO_SECRET_KEY: randomBytes(32).toString('hex'),
      OCTAVO_ADMIN_KEY: adminKey,
      OCTAVO_RATE_LIMIT_CONNECTION: String(BUDGET),
      OCTAVO_LOG_LEVEL: 'warn',
    }
    // Both start at once: migrations take PostgreSQL's advisory lock, so one migrates, the other waits.
    ;[a, b] = await Promise.all([startNode(env), startNode(env)])
    ws = (await admin(a, 'POST', '/workspaces', {
      name: 'Cluster',
      members: [{ name: 'Olive Owner', email: 'olive@cluster.test', role: 'owner' }],
      pages: ['Shared', 'Also shared'],
    })) as unknown as { id: string; pages: { id: string; title: string }[] }
    ws = { id: (ws as unknown as { workspace: { id: string } }).workspace.id, pages: ws.pages }
    if (NGINX) proxy = await startNginx([new URL(a.url).host, new URL(b.url).host])
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
    expect(await ready.json()).toMatchObject({ status: 'ready', store: { dialect: 'postgres', migrations: 'current' }, rate_limits: { mode: 'shared', redis: 'up' } })
    // Notion semantics survive the proxy.
    const unknown = await api(proxy!.url, c.token, '/nope')
    expect(unknown.status).toBe(400)
  })

  it('holds one rate-limit budget across both nodes', async () => {
    const c = await connection('Budget')
    const statuses = await Promise.all(
      Array.from({ length: BUDGET * 2 + 10 }, (_, i) => api(i % 2 ? b.url : a.url, c.token, '/users/me').then((r) => ({ node: i % 2 ? 'b' : 'a', status: r.status }))),
    )
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
