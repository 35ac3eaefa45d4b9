/**
 * Cost of the request journal on the page-read workload (issue 18, ADR 22). Not a test.
 *
 *   npx tsx bench/emulator-journal.ts [--rounds N] [--calls N] [--json]
 *
 * One SQLite store (a file in a temporary directory): a workspace, a chain of 20 pages with the top one
 * shared with a connection, and the read `GET /v1/pages/<page 20 levels down>` as that connection,
 * the page-read workload of bench/suites/workloads.ts. The same store and deps serve four apps built
 * with `createApp`, differing only in their emulator:
 *   - off: journal size 0, explanations off (the journal middleware returns at once);
 *   - journal: the default (200 entries per workspace, no bodies);
 *   - journal + bodies: redacted request and response bodies kept;
 *   - journal + explain: the default journal and `x-octavo-explain` (no effect on an allowed read).
 * Requests go through `app.request()` in process (no sockets), so the figure is the app's own CPU per
 * request and the journal's share of it is *larger* than over HTTP, where the socket and parsing add
 * to every request alike. Cases run in alternating rounds (`--rounds`, default 15, of `--calls`,
 * default 300, each) and the median CPU µs per request of each case is kept, so the machine's
 * changing load (2 shared cores) hits every case alike. Also measured: a refused read (404 with its
 * explanation computed) with the journal on, for scale.
 *
 * Output: a table on stdout and bench/results/emulator-journal-<YYYY-MM-DD>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { createApp } from '../src/app.js'
import type { AppEnv } from '../src/http/context.js'
import { authenticateBearer } from '../src/services/auth.service.js'
import { loadConfig } from '../src/config.js'
import { createEmulator, journalEnd, journalStart, type EmulatorOptions } from '../src/http/emulator/index.js'
import { createLogger } from '../src/logger.js'
import { createRateLimiter } from '../src/rate-limit/limiter.js'
import { createDeps } from '../src/server.js'
import { createConnection, shareWithConnection } from '../src/services/connections.service.js'
import { createPageAsUser } from '../src/services/setup.service.js'
import { createWorkspace } from '../src/services/workspaces.service.js'

const args = process.argv.slice(2)
const num = (name: string, dflt: number) => {
  const i = args.indexOf(name)
  return i >= 0 ? Number(args[i + 1]) : dflt
}
const rounds = num('--rounds', 15)
const calls = num('--calls', 300)

const dir = mkdtempSync(join(tmpdir(), 'octavo-bench-journal-'))
const config = loadConfig({ OCTAVO_DATA_DIR: dir, OCTAVO_DEMO: 'off', OCTAVO_LOG_LEVEL: 'silent', OCTAVO_RATE_LIMITS: 'off' })
const deps = await createDeps(config, { logger: createLogger('silent') })
const { workspace, members } = await createWorkspace(deps, {
  name: 'Bench',
  plan: 'business',
  members: [{ name: 'Owner', email: 'owner@example.com', role: 'owner' }],
})
const owner = members[0]!
let parentId: string | undefined
const chain: string[] = []
for (let i = 0; i <= 20; i++) {
  const p = await createPageAsUser(deps, {
    workspaceId: workspace.id,
    actorId: owner.id,
    title: `Level ${i}`,
    ...(parentId ? { parentId } : {}),
  })
  chain.push(p.id)
  parentId = p.id
}
const hidden = await createPageAsUser(deps, { workspaceId: workspace.id, actorId: owner.id, title: 'Hidden' })
const { connection, token } = await createConnection(deps, { workspaceId: workspace.id, actorId: owner.id, name: 'Bench' })
await shareWithConnection(deps, connection.id, chain[0]!, owner.id)
const limiter = await createRateLimiter({ ...config.rateLimits, enabled: false }, undefined, deps.logger)

const appWith = (o: EmulatorOptions) => createApp({ deps, limiter, adminKey: config.adminKey, emulator: createEmulator(o) })
const headers = { authorization: `Bearer ${token}`, 'notion-version': '2025-09-03', host: '127.0.0.1:7700' }
const read = (app: ReturnType<typeof createApp>, id: string, status: number) => async () => {
  const res = await app.request(`/v1/pages/${id}`, { headers })
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${await res.text()}`)
  await res.arrayBuffer()
}

const deepest = chain[20]!
const cases = [
  { label: 'page read, journal off', run: read(appWith({ journalSize: 0 }), deepest, 200) },
  { label: 'page read, journal on (200/workspace)', run: read(appWith({}), deepest, 200) },
  { label: 'page read, journal on + bodies', run: read(appWith({ journalBodies: true }), deepest, 200) },
  { label: 'page read, journal on + explain', run: read(appWith({ explain: true }), deepest, 200) },
  { label: 'refused read (404 + explanation), journal on', run: read(appWith({}), hidden.id, 404) },
]

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}
/** Median CPU µs per call of each case over alternating rounds. */
async function compare(list: { label: string; run: () => Promise<void> }[], nRounds: number, nCalls: number) {
  const perRound = new Map<string, number[]>(list.map((c) => [c.label, []]))
  for (const c of list) for (let i = 0; i < 300; i++) await c.run() // warm-up (and fills the rings)
  for (let r = 0; r < nRounds; r++) {
    for (const c of list) {
      const t = process.cpuUsage()
      for (let i = 0; i < nCalls; i++) await c.run()
      const u = process.cpuUsage(t)
      perRound.get(c.label)!.push((u.user + u.system) / nCalls)
    }
  }
  return new Map(list.map((c) => [c.label, median(perRound.get(c.label)!)]))
}

const load = loadavg()[0] ?? 0
const measured = await compare(cases, rounds, calls)
const base = measured.get(cases[0]!.label)!
const rows = cases.map((c) => {
  const m = measured.get(c.label)!
  return { label: c.label, cpu_us_per_request: Math.round(m * 10) / 10, vs_off: Math.round((m / base - 1) * 1000) / 10 }
})

// The journal middleware alone: the same response (the page read's body, caller and endpoint set as the
// route sets them) from a trivial handler, with and without the middleware. Its difference is the
// journal's own cost, which the whole-request rows above cannot resolve below the machine's noise.
const sample = await (await appWith({}).request(`/v1/pages/${deepest}`, { headers })).text()
const caller = await authenticateBearer(deps, `Bearer ${token}`)
const bare = (o: EmulatorOptions | null) => {
  const app = new Hono<AppEnv>()
  app.use('*', async (c, next) => {
    c.set('requestId', 'bench')
    await next()
  })
  if (o) {
    // The front door's journal parts, as it runs them around a /v1 request (http/middleware/front-door.ts).
    const emulator = createEmulator(o)
    app.use('/v1/*', async (c, next) => {
      const started = journalStart(emulator, deps.clock)
      await next()
      if (started) await journalEnd(emulator, c, started)
    })
  }
  app.get('/v1/pages/:id', (c) => {
    c.set('caller', caller)
    c.set('endpoint', 'pages.retrieve')
    return c.body(sample, 200, { 'content-type': 'application/json' })
  })
  return async () => {
    const res = await app.request(`/v1/pages/${deepest}`)
    await res.arrayBuffer()
  }
}
const alone = await compare(
  [
    { label: 'no journal', run: bare(null) },
    { label: 'journal', run: bare({}) },
    { label: 'journal + bodies', run: bare({ journalBodies: true }) },
  ],
  rounds,
  calls * 10,
)
const journalUs = alone.get('journal')! - alone.get('no journal')!
const bodiesUs = alone.get('journal + bodies')! - alone.get('no journal')!
const middleware = {
  journal_us: Math.round(journalUs * 100) / 100,
  journal_with_bodies_us: Math.round(bodiesUs * 100) / 100,
  page_read_us: Math.round(base * 10) / 10,
  journal_share_of_page_read_pct: Math.round((journalUs / base) * 1000) / 10,
  bodies_share_of_page_read_pct: Math.round((bodiesUs / base) * 1000) / 10,
}
const lines = [
  `journal cost on the page read (in process; median of ${rounds} alternating rounds × ${calls} calls; load ${load.toFixed(1)})`,
  '| case | CPU µs / request | vs journal off |',
  '|---|---|---|',
  ...rows.map((r) => `| ${r.label} | ${r.cpu_us_per_request} | ${r.vs_off >= 0 ? '+' : ''}${r.vs_off}% |`),
  '',
  `journal middleware alone (median of ${rounds} rounds × ${calls * 10} calls): ${middleware.journal_us} µs per request ` +
    `(${middleware.journal_share_of_page_read_pct}% of the page read), with bodies ${middleware.journal_with_bodies_us} µs ` +
    `(${middleware.bodies_share_of_page_read_pct}%)`,
]
process.stdout.write(`${lines.join('\n')}\n`)
const results = join(import.meta.dirname, 'results')
mkdirSync(results, { recursive: true })
const date = new Date().toISOString().slice(0, 10)
writeFileSync(
  join(results, `emulator-journal-${date}.json`),
  `${JSON.stringify({ date: new Date().toISOString(), load_1min: load, rounds, calls, node: process.version, rows, middleware }, null, 2)}\n`,
)
await deps.store.close()
rmSync(dir, { recursive: true, force: true })
