/**
 * CPU per request on PostgreSQL, the server's and its PostgreSQL backends' (issue 19, session 7). Not a test.
 *
 *   npm run build && cp dist/octavo.mjs dist/octavo-<label>.mjs      # once per tree to compare
 *   npx tsx bench/postgres-cpu.ts [--rounds N] [--only page_read,users_me,not_found] [--url <postgres url>] <label>…
 *
 * Generates the size-S workspace of `npm run bench` into a fresh schema (dropped at the end), then for
 * each round and each label (order reversed on odd rounds) starts `dist/octavo-<label>.mjs serve` on it
 * (pool of 20, rate limits off, `application_name` set so its backends can be found in
 * `pg_stat_activity`), warms each workload for 2 s and drives it for 5 s with autocannon (10
 * connections, in this process). Prints one JSON line per label, round and workload: requests per
 * second, the server process's CPU per request and its PostgreSQL backends' CPU per request (both
 * from /proc, 10 ms ticks), and the index scans per request of the tables a read touches
 * (`pg_stat_user_tables`, read 1.5 s after each run so the backends have flushed their counters).
 * `npm run bench` measures only the server's CPU; on PostgreSQL half of a read's cost is the backend's.
 * PostgreSQL must run on this machine (its backends' /proc entries are read). Compare labels within
 * one run: every figure moves with the machine's load, which each line gives.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import pg from 'pg'
import { SIZES } from './lib/generate.js'
import { BENCH_ADMIN_KEY, BENCH_MASTER_KEY, generatePostgresWorkspace } from './lib/store-cache.js'

const { values: opts, positionals: labels } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, only: { type: 'string', default: 'page_read,users_me' }, url: { type: 'string' } },
  allowPositionals: true,
})
if (labels.length === 0) {
  process.stderr.write('usage: tsx bench/postgres-cpu.ts [--rounds N] [--only names] [--url url] <label>…  (dist/octavo-<label>.mjs)\n')
  process.exit(2)
}
const rounds = Number(opts.rounds)
const BASE = opts.url ?? process.env.OCTAVO_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const ws = await generatePostgresWorkspace('cpu', SIZES.S, 7, BASE)
const admin = new pg.Client({ connectionString: BASE })
await admin.connect()

/** User + system CPU of a process so far, in ms (0 when it is gone). */
function cpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(f[11]) + Number(f[12])) * 10
  } catch {
    return 0
  }
}
async function backendPids(app: string): Promise<number[]> {
  const r = await admin.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [app])
  return r.rows.map((x) => x.pid)
}
async function indexScans(): Promise<Record<string, number>> {
  await new Promise((r) => setTimeout(r, 1500))
  const q = await admin.query<{ relname: string; idx_scan: string }>(
    "select relname, idx_scan from pg_stat_user_tables where schemaname = $1 and relname in ('change_event', 'block', 'user', 'root_acl', 'token')",
    [ws.schema],
  )
  return Object.fromEntries(q.rows.map((x) => [x.relname, Number(x.idx_scan)]))
}

const token = ws.manifest.connections.bench.token
const workloads: Record<string, string> = {
  page_read: `/v1/pages/${ws.manifest.ids.spine[20]}`,
  users_me: '/v1/users/me',
  not_found: `/v1/pages/${ws.manifest.ids.unsharedPage}`,
}
const selected = Object.entries(workloads).filter(([name]) => opts.only.split(',').includes(name))
try {
  for (let round = 0; round < rounds; round++) {
    for (const label of round % 2 ? [...labels].reverse() : labels) {
      const app = `octavo_cpu_${label}_${round}`.replace(/[^a-z0-9_]/gi, '_')
      const url = new URL(ws.url)
      url.searchParams.set('application_name', app)
      const child: ChildProcess = spawn(
        process.execPath,
        [`dist/octavo-${label}.mjs`, '--json', '--data-dir', `/tmp/octavo-cpu-${app}`, 'serve', '--port', '0', '--no-demo'],
        {
          env: {
            ...process.env,
            OCTAVO_SECRET_KEY: BENCH_MASTER_KEY,
            OCTAVO_ADMIN_KEY: BENCH_ADMIN_KEY,
            OCTAVO_RATE_LIMITS: 'off',
            OCTAVO_LOG_LEVEL: 'silent',
            OCTAVO_HOST: '127.0.0.1',
            OCTAVO_DATABASE_URL: url.toString(),
            OCTAVO_DATABASE_POOL_MAX: '20',
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      )
      const base = await new Promise<string>((resolve) => {
        let buf = ''
        child.stdout!.on('data', (d: Buffer) => {
          buf += d.toString()
          const line = buf.split('\n').find((l) => l.trim().startsWith('{'))
          if (line) resolve((JSON.parse(line) as { url: string }).url)
        })
      })
      for (const [name, path] of selected) {
        const load = { url: base + path, connections: 10, headers: { authorization: `Bearer ${token}`, 'notion-version': '2025-09-03' } }
        await autocannon({ ...load, duration: 2 })
        const scans0 = await indexScans()
        const pids = await backendPids(app)
        const server0 = cpuMs(child.pid!)
        const backends0 = pids.reduce((a, p) => a + cpuMs(p), 0)
        const loadAverage = loadavg()[0]!
        const res = await autocannon({ ...load, duration: 5 })
        const server = cpuMs(child.pid!) - server0
        const backends = (await backendPids(app)).reduce((a, p) => a + cpuMs(p), 0) - backends0
        const n = res.requests.total
        const scans1 = await indexScans()
        const scansPerRequest = Object.fromEntries(Object.keys(scans1).map((k) => [k, +((scans1[k]! - (scans0[k] ?? 0)) / n).toFixed(2)]))
        const row = {
          label,
          round,
          name,
          rps: Math.round(n / 5),
          serverCpuMs: +(server / n).toFixed(3),
          postgresCpuMs: +(backends / n).toFixed(3),
          non2xx: res.non2xx,
          indexScansPerRequest: scansPerRequest,
          load: +loadAverage.toFixed(1),
        }
        process.stdout.write(`${JSON.stringify(row)}\n`)
      }
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
    }
  }
} finally {
  await admin.end()
  await ws.drop()
}
process.exit(0)
