/**
 * Where the time of creating a data-source row goes, statement by statement (issue 19, ADR 36). Not a test.
 *
 *   npx tsx bench/data-sources.ts --rows 100000 --explain      # prints a kept fixture directory last
 *   npx tsx bench/create-statements.ts <that directory> [creates, default 600]
 *
 * Copies the fixture's `octavo.db` to a scratch directory, starts the real server in this process
 * (`startServer`, the same store and checkpointer as `octavo serve`), shares the fixture's root page
 * with a new connection, and sends `creates` (after 50 warm-up) `POST /v1/pages` with the same eight
 * property values as bench/data-sources.ts, one at a time over loopback. Every better-sqlite3
 * statement run on this thread (`run`/`get`/`all`/`iterate`, the store's cached statements included)
 * is timed and attributed to the request under way. Prints: request p50/p95/p99 (wall ms, client in
 * the same process), statement time per request by SQL text, the slowest 5% of requests and what
 * their statements were, the distribution of `commit` (where a WAL checkpoint at
 * `wal_autocheckpoint` lands), the process's CPU per create (all threads) and the GC pauses within
 * the slowest requests. Wall-clock figures
 * include the machine's load; compare runs made back to back.
 */
import SQLite from 'better-sqlite3'
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { PerformanceObserver, performance } from 'node:perf_hooks'
import { loadConfig } from '../src/config.js'
import { createLogger } from '../src/logger.js'
import { createDeps, startServer } from '../src/server.js'
import { createConnection, shareWithConnection } from '../src/services/connections.service.js'
import { benchRowProperties } from './lib/data-source-row.js'

const [source, countArg] = process.argv.slice(2)
if (!source || !existsSync(join(source, 'octavo.db'))) {
  process.stderr.write('usage: tsx bench/create-statements.ts <fixture dir from bench/data-sources.ts --explain> [creates]\n')
  process.exit(2)
}
const creates = Number(countArg ?? 600)
const dir = mkdtempSync(join(tmpdir(), 'octavo-create-statements-'))
copyFileSync(join(source, 'octavo.db'), join(dir, 'octavo.db'))

// Time every statement of this thread, attributed to the request under way.
type Proto = Record<string, (...a: unknown[]) => unknown>
const probe = new SQLite(':memory:')
const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Proto
probe.close()
let current: Map<string, number> | null = null
const commits: number[] = []
for (const method of ['run', 'get', 'all', 'iterate']) {
  const original = proto[method] as (...a: unknown[]) => unknown
  proto[method] = function (this: { source: string }, ...a: unknown[]) {
    const t = performance.now()
    try {
      return original.apply(this, a)
    } finally {
      if (current) {
        const ms = performance.now() - t
        const key = this.source.replace(/\s+/g, ' ').slice(0, 120)
        current.set(key, (current.get(key) ?? 0) + ms)
        if (key === 'commit') commits.push(ms)
      }
    }
  }
}
const gcs: { start: number; ms: number }[] = []
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ start: e.startTime, ms: e.duration })
}).observe({ entryTypes: ['gc'] })

const config = loadConfig({
  OCTAVO_DATA_DIR: dir,
  OCTAVO_PORT: '0',
  OCTAVO_DEMO: 'off',
  OCTAVO_LOG_LEVEL: 'silent',
  OCTAVO_RATE_LIMITS: 'off',
})
const deps = await createDeps(config, { logger: createLogger('silent') })
const db = deps.store.db
const owner = await db.selectFrom('workspace_member').select('user_id').where('role', '=', 'owner').executeTakeFirstOrThrow()
const root = await db.selectFrom('block').select(['id', 'workspace_id']).where('title_text', '=', 'bench root').executeTakeFirstOrThrow()
const dataSource = await db.selectFrom('data_source').select('id').executeTakeFirstOrThrow()
const conn = await createConnection(deps, { workspaceId: root.workspace_id, actorId: owner.user_id, name: 'create-statements' })
await shareWithConnection(deps, conn.connection.id, root.id, owner.user_id)
const server = await startServer(config, { deps, logger: createLogger('silent') })
const body = JSON.stringify({
  parent: { data_source_id: dataSource.id },
  properties: benchRowProperties(),
})
const headers = { authorization: `Bearer ${conn.token}`, 'notion-version': '2025-09-03', 'content-type': 'application/json' }
const requests: { ms: number; t0: number; statements: Map<string, number> }[] = []
let cpuFrom = process.cpuUsage()
let wallFrom = performance.now()
for (let i = 0; i < creates + 50; i++) {
  if (i === 50) {
    cpuFrom = process.cpuUsage()
    wallFrom = performance.now()
  }
  const statements = new Map<string, number>()
  current = statements
  const t0 = performance.now()
  const res = await fetch(`${server.url}/v1/pages`, { method: 'POST', headers, body })
  await res.arrayBuffer()
  const ms = performance.now() - t0
  current = null
  if (res.status !== 200) throw new Error(`POST /v1/pages answered ${res.status}`)
  if (i >= 50) requests.push({ ms, t0, statements })
}
const cpu = process.cpuUsage(cpuFrom)
const wall = performance.now() - wallFrom
await server.close()
rmSync(dir, { recursive: true, force: true })

const sorted = [...requests].sort((a, b) => a.ms - b.ms)
const pct = (p: number) => (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as { ms: number }).ms
const sum = (list: typeof requests) => {
  const by = new Map<string, number>()
  let total = 0
  for (const r of list)
    for (const [k, v] of r.statements) {
      by.set(k, (by.get(k) ?? 0) + v)
      total += v
    }
  return { by, total }
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
const all = sum(requests)
console.log(
  `load ${loadavg()[0]?.toFixed(2)}, ${creates} creates: p50 ${pct(50).toFixed(2)} / p95 ${pct(95).toFixed(2)} / p99 ${pct(99).toFixed(2)} ms`,
)
console.log(
  `statements per request: ${mean(requests.map((r) => r.statements.size)).toFixed(1)} distinct, ${(all.total / requests.length).toFixed(3)} ms of ${mean(requests.map((r) => r.ms)).toFixed(3)} ms`,
)
console.log(
  `process CPU (every thread: server, checkpointer, client) per create: ${((cpu.user + cpu.system) / 1000 / creates).toFixed(3)} ms; wall per create ${(wall / creates).toFixed(3)} ms`,
)
for (const [k, v] of [...all.by].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${(v / requests.length).toFixed(3)} ms  ${k}`)
const slow = sorted.slice(Math.floor(sorted.length * 0.95))
const slowSum = sum(slow)
console.log(
  `slowest 5% (${slow.length}): mean ${mean(slow.map((r) => r.ms)).toFixed(2)} ms, of which statements ${(slowSum.total / slow.length).toFixed(2)} ms`,
)
for (const [k, v] of [...slowSum.by].sort((a, b) => b[1] - a[1]).slice(0, 5)) console.log(`  ${(v / slow.length).toFixed(3)} ms  ${k}`)
commits.sort((a, b) => a - b)
const c = (p: number) => (commits[Math.min(commits.length - 1, Math.floor(commits.length * p))] ?? Number.NaN).toFixed(2)
console.log(
  `commit: n ${commits.length} p50 ${c(0.5)} p90 ${c(0.9)} p95 ${c(0.95)} p99 ${c(0.99)} ms, over 5 ms: ${commits.filter((x) => x > 5).length}`,
)
let gcInSlow = 0
for (const r of slow) for (const g of gcs) if (g.start >= r.t0 && g.start <= r.t0 + r.ms) gcInSlow += g.ms
console.log(
  `GC: ${(gcInSlow / slow.length).toFixed(2)} ms within each of the slowest 5%; ${gcs.reduce((a, g) => a + g.ms, 0).toFixed(0)} ms over ${gcs.length} pauses in all`,
)
