/**
 * Benchmark of webhook delivery (issue 17; docs/webhooks.md). Not a test.
 *
 *   npx tsx bench/webhooks.ts [--subs 10] [--updates 200] [--rounds 3] [--seconds 5] [--concurrency 8] [--cpu-prof <dir>]
 *     [--receiver process|inline] [--label <name>]
 *
 * Seeds a SQLite store (a workspace, a connection shared with a root page, pages to update, `--subs`
 * auto-verified subscriptions to `page.properties_updated` pointing at a receiver on loopback — a child
 * process of its own by default, `--receiver inline` in this process as before session 7),
 * starts the real server as a child process (bench/serve-child.ts; aggregation off, default poll), and
 * measures over loopback:
 *   1. page-update latency (`PATCH /v1/pages/{id}` title, one at a time), in alternating rounds with the
 *      subscriptions active and paused, so both see the same machine load: p50/p95 of each, and the ratio;
 *   2. delivery latency, from the event's `timestamp` (the write's clock reading, before its commit — an
 *      upper bound of commit → receipt) to the receiver's arrival time: p50/p95/p99;
 *   3. sustained writes: `--concurrency` clients updating pages for `--seconds`, writes/s achieved and
 *      whether every delivery (writes × subs) arrived, and how long after the last write.
 * Output: JSON on stdout and bench/results/webhooks-<YYYY-MM-DD>[-<label>].json. The server child inherits
 * the environment, so `OCTAVO_WEBHOOK_THREAD=on` measures the worker thread.
 * Targets (issue 17): 1,000 writes/s with 10 subscriptions; delivery p95 ≤ 100 ms; page-update p95 with
 * subscriptions ≤ 1.1 × without.
 */
import { fork, spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { loadConfig } from '../src/config.js'
import { createLogger } from '../src/logger.js'
import { createDeps } from '../src/server.js'
import { createConnection, shareWithConnection } from '../src/services/connections.service.js'
import { createPageAsUser } from '../src/services/setup.service.js'
import { createSubscription } from '../src/services/webhooks/subscriptions.service.js'
import { createWorkspace } from '../src/services/workspaces.service.js'

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const SUBS = arg('subs', 10)
const UPDATES = arg('updates', 200)
const ROUNDS = arg('rounds', 3)
const SECONDS = arg('seconds', 5)
const CONCURRENCY = arg('concurrency', 8)

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!
}
const r1 = (x: number) => Math.round(x * 10) / 10

// The receiver: counts event deliveries and records each one's latency (arrival − event timestamp).
// `--receiver process` (the default): in a child process of its own (bench/webhook-receiver-child.mjs
// says why); `--receiver inline`: in this process, on the clients' event loop (sessions 4–6).
const RECEIVER = process.argv.includes('--receiver') ? process.argv[process.argv.indexOf('--receiver') + 1] : 'process'
interface Receiver {
  url: string
  reset(): Promise<void>
  count(): Promise<number>
  latencies(): Promise<{ latencies: number[]; cpuMs: number | null }>
  close(): void
}
async function inlineReceiver(): Promise<Receiver> {
  let arrivals: number[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const at = Date.now()
      try {
        const e = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { timestamp?: string; entity?: { id: string } }
        if (e.timestamp && e.entity) arrivals.push(at - Date.parse(e.timestamp))
      } catch {
        /* not JSON */
      }
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    reset: async () => {
      arrivals = []
    },
    count: async () => arrivals.length,
    latencies: async () => ({ latencies: arrivals, cpuMs: null }),
    close: () => server.close(),
  }
}
async function processReceiver(): Promise<Receiver> {
  const proc = fork('bench/webhook-receiver-child.mjs', [], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })
  const url = await new Promise<string>((resolve, reject) => {
    let buf = ''
    proc.stdout!.on('data', (c: Buffer) => {
      buf += c.toString()
      const line = buf.split('\n').find((l) => l.startsWith('{'))
      if (line) resolve((JSON.parse(line) as { url: string }).url)
    })
    proc.once('exit', (code) => reject(new Error(`receiver exited ${code}`)))
  })
  const ask = <T>(op: string) =>
    new Promise<T>((resolve) => {
      proc.once('message', (m) => resolve(m as T))
      proc.send({ op })
    })
  return {
    url,
    reset: async () => void (await ask('reset')),
    count: async () => (await ask<{ count: number }>('count')).count,
    latencies: () => ask<{ latencies: number[]; cpuMs: number }>('latencies'),
    close: () => proc.disconnect(),
  }
}
const receiver = RECEIVER === 'inline' ? await inlineReceiver() : await processReceiver()
const receiverUrl = receiver.url

// Seed.
const dataDir = mkdtempSync(join(tmpdir(), 'octavo-bench-webhooks-'))
const env = {
  OCTAVO_DATA_DIR: dataDir,
  OCTAVO_PORT: '0',
  OCTAVO_DEMO: 'off',
  OCTAVO_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
  OCTAVO_RATE_LIMITS: 'off',
}
const config = loadConfig(env)
const deps = await createDeps(config, { logger: createLogger('silent') })
const { workspace, members } = await createWorkspace(deps, {
  name: 'Bench',
  plan: 'enterprise',
  members: [{ name: 'Owner', email: 'owner@bench.test', role: 'owner' }],
})
const owner = members[0]!
const root = await createPageAsUser(deps, { workspaceId: workspace.id, actorId: owner.id, title: 'Root' })
const pages: string[] = []
for (let i = 0; i < Math.max(CONCURRENCY, 1); i++)
  pages.push((await createPageAsUser(deps, { workspaceId: workspace.id, actorId: owner.id, title: `P${i}`, parentId: root.id })).id)
const { connection, token } = await createConnection(deps, { workspaceId: workspace.id, actorId: owner.id, name: 'Bench bot' })
await shareWithConnection(deps, connection.id, root.id, owner.id)
const subIds: string[] = []
for (let i = 0; i < SUBS; i++)
  subIds.push(
    (
      await createSubscription(deps, {
        connectionId: connection.id,
        actorId: owner.id,
        url: receiverUrl,
        eventTypes: ['page.properties_updated'],
        autoVerify: true,
      })
    ).subscription.id,
  )
await deps.store.close()

// The server, in a child process.
// `--cpu-prof <dir>`: the server child writes a V8 CPU profile there (read it with bench/profile-top.ts).
const profIdx = process.argv.indexOf('--cpu-prof')
const profDir = profIdx > 0 ? process.argv[profIdx + 1] : undefined
const child = spawn(
  process.execPath,
  [
    ...(profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []),
    ...(process.env.BENCH_CHILD_IMPORT ? ['--import', process.env.BENCH_CHILD_IMPORT] : []),
    '--import',
    'tsx',
    'bench/serve-child.ts',
  ],
  {
    env: { ...process.env, ...env, OCTAVO_WEBHOOK_AGGREGATION_MS: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
)
const url = await new Promise<string>((resolve, reject) => {
  let buf = ''
  child.stdout.on('data', (c: Buffer) => {
    buf += c.toString()
    const line = buf.split('\n').find((l) => l.startsWith('{'))
    if (line) resolve((JSON.parse(line) as { url: string }).url)
  })
  child.once('exit', (code) => reject(new Error(`server exited ${code}`)))
})
const adminKey = config.adminKey
const headers = { authorization: `Bearer ${token}`, 'notion-version': '2025-09-03', 'content-type': 'application/json' }
let n = 0
async function update(pageId: string): Promise<number> {
  const t0 = performance.now()
  const res = await fetch(`${url}/v1/pages/${pageId}`, {
    method: 'PATCH',
    headers,
    body: JSON.stringify({ properties: { title: { title: [{ text: { content: `t${n++}` } }] } } }),
  })
  await res.arrayBuffer()
  if (res.status !== 200) throw new Error(`update answered ${res.status}`)
  return performance.now() - t0
}
async function setPausedAll(paused: boolean) {
  for (const id of subIds)
    await fetch(`${url}/_octavo/admin/webhooks/${id}/${paused ? 'pause' : 'resume'}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: '{}',
    })
}
async function drain(expected: number, ms = 60_000): Promise<number> {
  const end = Date.now() + ms
  let got = await receiver.count()
  while (got < expected && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20))
    got = await receiver.count()
  }
  return got
}

const load0 = loadavg()[0]!
// Warm-up.
for (let i = 0; i < 30; i++) await update(pages[0]!)
await drain(30 * SUBS, 10_000)

// 1 + 2: alternating rounds.
const withSubs: number[] = []
const withoutSubs: number[] = []
const deliveryMs: number[] = []
for (let round = 0; round < ROUNDS; round++) {
  await setPausedAll(true)
  for (let i = 0; i < UPDATES; i++) withoutSubs.push(await update(pages[0]!))
  await setPausedAll(false)
  await receiver.reset()
  for (let i = 0; i < UPDATES; i++) withSubs.push(await update(pages[0]!))
  await drain(UPDATES * SUBS)
  deliveryMs.push(...(await receiver.latencies()).latencies)
}

// 3: sustained writes, with the subscriptions paused, then active (same window).
async function sustained(): Promise<{ writes: number; seconds: number }> {
  let writes = 0
  const stopAt = performance.now() + SECONDS * 1000
  const t0 = performance.now()
  await Promise.all(
    pages.slice(0, CONCURRENCY).map(async (p) => {
      while (performance.now() < stopAt) {
        await update(p)
        writes++
      }
    }),
  )
  return { writes, seconds: (performance.now() - t0) / 1000 }
}
// The server's CPU time (user + system, /proc/<pid>/stat, Linux) per phase: less sensitive to the
// machine's load than latencies, as it counts only what the server itself spends.
const { readFileSync } = await import('node:fs')
const cpuMs = () => {
  try {
    const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(f[11]) + Number(f[12])) * 10 // clock ticks of 10 ms
  } catch {
    return NaN
  }
}
await setPausedAll(true)
let c0 = cpuMs()
const quiet = await sustained()
const quietCpu = cpuMs() - c0
await setPausedAll(false)
await receiver.reset()
c0 = cpuMs()
const loud = await sustained()
const writes = loud.writes
const writeSeconds = loud.seconds
const lastWrite = Date.now()
const got = await drain(writes * SUBS, 120_000)
const drainedAfterMs = Date.now() - lastWrite
const loudCpu = cpuMs() - c0
const cpuPerWriteQuiet = quietCpu / quiet.writes

child.kill('SIGTERM')
await new Promise((r) => child.once('exit', r))
const receiverCpuMs = (await receiver.latencies()).cpuMs
receiver.close()
rmSync(dataDir, { recursive: true, force: true })

const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, load1_start: r1(load0), load1_end: r1(loadavg()[0]!) },
  commit: process.env.BENCH_COMMIT ?? null,
  webhook_thread: process.env.OCTAVO_WEBHOOK_THREAD ?? 'off (default)',
  receiver: RECEIVER === 'inline' ? 'inline (the bench process)' : 'process (bench/webhook-receiver-child.mjs)',
  receiver_cpu_ms_total: receiverCpuMs === null ? null : Math.round(receiverCpuMs),
  settings: { subscriptions: SUBS, updates_per_round: UPDATES, rounds: ROUNDS, seconds: SECONDS, concurrency: CONCURRENCY, poll_ms: 100 },
  page_update_ms: {
    without_subscriptions: { p50: r1(pct(withoutSubs, 50)), p95: r1(pct(withoutSubs, 95)) },
    with_subscriptions: { p50: r1(pct(withSubs, 50)), p95: r1(pct(withSubs, 95)) },
    p95_ratio: r1((pct(withSubs, 95) / pct(withoutSubs, 95)) * 100) / 100,
    target: 'p95 with ≤ 1.1 × without',
  },
  delivery_ms: { p50: pct(deliveryMs, 50), p95: pct(deliveryMs, 95), p99: pct(deliveryMs, 99), n: deliveryMs.length, target: 'p95 ≤ 100' },
  server_cpu: {
    ms_per_write_subscriptions_paused: r1(cpuPerWriteQuiet * 100) / 100,
    ms_per_write_with_deliveries: r1((loudCpu / writes) * 100) / 100,
    ms_per_delivery: r1(((loudCpu - cpuPerWriteQuiet * writes) / Math.max(got, 1)) * 100) / 100,
  },
  sustained: {
    writes_per_second_subscriptions_paused: Math.round(quiet.writes / quiet.seconds),
    writes,
    writes_per_second: Math.round(writes / writeSeconds),
    deliveries_expected: writes * SUBS,
    deliveries_received: got,
    all_delivered_ms_after_last_write: drainedAfterMs,
    target: '1,000 writes/s with 10 subscriptions',
  },
}
console.log(JSON.stringify(result, null, 2))
mkdirSync('bench/results', { recursive: true })
const labelIdx = process.argv.indexOf('--label')
const label = labelIdx > 0 ? `-${process.argv[labelIdx + 1]}` : ''
writeFileSync(`bench/results/webhooks-${result.date.slice(0, 10)}${label}.json`, `${JSON.stringify(result, null, 2)}\n`)
process.exit(0)
