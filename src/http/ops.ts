import { timingSafeEqual, createHash } from 'node:crypto'
import type { Context, Hono } from 'hono'
import { routePath } from 'hono/route'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { RateLimiter } from '../rate-limit/limiter.js'
import type { Store } from '../storage/store.js'
import type { AppEnv } from './context.js'

/**
 * Operations endpoints, outside `/v1` so they never collide with Notion's API (an unknown `/v1`
 * path is still 400 `invalid_request_url`):
 *
 * - `GET /healthz` — liveness: 200 `{"status":"ok"}` while the process serves HTTP. No I/O.
 * - `GET /readyz` — readiness: 200 when the store answers and every migration this build knows is
 *   applied, else 503; 503 as well once shutdown has begun, so a proxy stops sending traffic.
 *   Reports the rate-limit mode: with Redis down Octavo stays ready (it keeps serving with per-node
 *   limits) and says so: `{"status":"ready","store":{…},"rate_limits":{"mode":"per_node","redis":"down"}}`.
 *   Never includes URLs, hosts or credentials. While fault rules are active (docs/emulator.md) it lists
 *   them under `faults`, so a test run that forgot one shows it.
 * - `GET /metrics` — Prometheus text format; needs `Authorization: Bearer <OCTAVO_METRICS_TOKEN or
 *   admin key>` (401 otherwise), since request counts per route reveal activity. Metrics:
 *   `octavo_http_requests_total{method,route,status}`, `octavo_http_request_duration_seconds{method,route}`
 *   (histogram), `octavo_rate_limit_rejections_total{reason}`, `octavo_store_pool_connections{state}`,
 *   `octavo_rate_limit_shared` (1 when counted in Redis), plus Node's process metrics when enabled.
 *   `route` is the route pattern (`/v1/pages/:page_id`), never a concrete id; unmatched paths are
 *   counted as `unmatched`.
 */

export interface Ops {
  registry: Registry
  /**
   * Records an answered request, called by the front door (http/middleware/front-door.ts), which
   * wraps every request: counts it and its latency since `start` (`performance.now()` ms), by method,
   * route pattern and status.
   */
  record(c: Context<AppEnv>, start: number): void
  /** Wraps a limiter so that refusals are counted. */
  countRejections(limiter: RateLimiter): RateLimiter
  /** Marks the node as shutting down: `/readyz` answers 503 from now on. */
  drain(): void
}

/** Requests of one label set not yet added to `octavo_http_requests_total` (see `createOps`). */
interface Uncounted {
  labels: { method: string; route: string; status: string }
  n: number
}

/** Builds the metrics registry and request measurement for one app. */
export function createOps(
  store: Store,
  limiter: () => RateLimiter,
  opts: { defaultMetrics?: boolean } = {},
): Ops & { draining: () => boolean } {
  const registry = new Registry()
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'octavo_' })
  // Requests counted since the last read of the registry, by label set in the order first met: prom-client
  // hashes the labels again on every `inc` (a string of them and an object a request: issue 19), so
  // the counts are added when the counter is read (`collect`), which creates each series in the same
  // order as counting each request did, with the same values.
  const uncounted: Uncounted[] = []
  new Counter({
    name: 'octavo_http_requests_total',
    help: 'HTTP requests by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
    collect() {
      for (const u of uncounted) {
        if (u.n === 0) continue
        this.inc(u.labels, u.n)
        u.n = 0
      }
    },
  })
  const latency = new Histogram({
    name: 'octavo_http_request_duration_seconds',
    help: 'HTTP request latency by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  })
  const rejections = new Counter({
    name: 'octavo_rate_limit_rejections_total',
    help: 'Requests refused with 429 rate_limited, by Notion rate_limit_reason.',
    labelNames: ['reason'] as const,
    registers: [registry],
  })
  new Gauge({
    name: 'octavo_store_pool_connections',
    help: 'Store connection pool: total, idle, waiting (queued queries) and max; SQLite reports one connection.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const s = store.poolStats() ?? { total: 1, idle: 0, waiting: 0, max: 1 }
      for (const [k, v] of Object.entries(s)) this.set({ state: k }, v)
    },
  })
  new Gauge({
    name: 'octavo_rate_limit_shared',
    help: '1 when rate limits are counted in Redis for every node, 0 when per node (or off).',
    registers: [registry],
    collect() {
      this.set(limiter().state?.().mode === 'shared' ? 1 : 0)
    },
  })
  let draining = false
  // prom-client hashes a labels object on every call; the children for a label set are kept instead,
  // as are the counts, by route pattern then method (no key string built per request); bounded: route
  // patterns × methods Node parses × statuses Octavo answers.
  const byRoute = new Map<string, Map<string, { time: { observe(seconds: number): void }; counts: Map<number, Uncounted> }>>()
  const record = (c: Context<AppEnv>, start: number): void => {
    const pattern = routePath(c, -1)
    const route = !pattern || pattern === '*' || pattern === '/*' ? 'unmatched' : pattern
    const seconds = (performance.now() - start) / 1000
    // While draining, ask keep-alive clients (and proxies) to reconnect elsewhere.
    if (draining) c.res.headers.set('connection', 'close')
    const method = c.req.method
    const status = c.res.status
    let methods = byRoute.get(route)
    if (!methods) byRoute.set(route, (methods = new Map()))
    let kept = methods.get(method)
    if (!kept) methods.set(method, (kept = { time: latency.labels(method, route), counts: new Map() }))
    const count = kept.counts.get(status)
    if (count) count.n++
    else {
      const u = { labels: { method, route, status: String(status) }, n: 1 }
      kept.counts.set(status, u)
      uncounted.push(u)
    }
    kept.time.observe(seconds)
  }
  return {
    registry,
    draining: () => draining,
    drain: () => {
      draining = true
    },
    record,
    countRejections: (inner) => ({
      ...inner,
      consume: async (...args) => {
        const d = await inner.consume(...args)
        if (d.type === 'deny') rejections.inc({ reason: d.reason })
        return d
      },
    }),
  }
}

/** Constant-time comparison of two secrets of any length. */
function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest()
  const hb = createHash('sha256').update(b).digest()
  return timingSafeEqual(ha, hb)
}

/** Mounts `/healthz`, `/readyz` and `/metrics` (see the module comment). */
export function mountOps(
  app: Hono<AppEnv>,
  o: {
    store: Store
    limiter: RateLimiter
    ops: Ops & { draining: () => boolean }
    adminKey: string
    metricsToken: string | undefined
    /** The active fault rules (http/emulator/faults.ts), listed by `/readyz` when there are any. */
    faults?: () => unknown[]
  },
): void {
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  // Once the schema is current it stays current for this build (newer nodes only add migrations this
  // build does not know), so later probes only ping the store instead of reading the migration table.
  let schemaCurrent = false
  app.get('/readyz', async (c) => {
    const limits = o.limiter.state?.() ?? { mode: 'per_node', redis: 'not_configured' }
    let store: { dialect: string; reachable: boolean; migrations: 'current' | 'pending' | 'unknown'; pending?: string[] }
    try {
      if (schemaCurrent) await o.store.ping()
      const status = schemaCurrent ? { pending: [] as string[] } : await o.store.migrationStatus()
      schemaCurrent = status.pending.length === 0
      store = {
        dialect: o.store.dialect,
        reachable: true,
        migrations: status.pending.length ? 'pending' : 'current',
        ...(status.pending.length ? { pending: status.pending } : {}),
      }
    } catch {
      store = { dialect: o.store.dialect, reachable: false, migrations: 'unknown' }
    }
    const draining = o.ops.draining()
    const ready = store.reachable && store.migrations === 'current' && !draining
    const faults = o.faults?.() ?? []
    return c.json(
      {
        status: ready ? 'ready' : draining ? 'shutting_down' : 'not_ready',
        store,
        rate_limits: limits,
        ...(faults.length ? { faults } : {}),
      },
      ready ? 200 : 503,
    )
  })
  app.get('/metrics', async (c) => {
    const auth = c.req.header('authorization') ?? ''
    const m = /^Bearer\s+(.+)$/i.exec(auth)
    const given = m?.[1]?.trim()
    const ok = given !== undefined && (sameSecret(given, o.adminKey) || (o.metricsToken !== undefined && sameSecret(given, o.metricsToken)))
    if (!ok) {
      c.header('www-authenticate', 'Bearer realm="octavo-metrics"')
      return c.json(
        {
          object: 'error',
          status: 401,
          code: 'unauthorized',
          message: 'Metrics need Authorization: Bearer <OCTAVO_METRICS_TOKEN or the admin key>.',
        },
        401,
      )
    }
    c.header('content-type', o.ops.registry.contentType)
    return c.body(await o.ops.registry.metrics())
  })
}
