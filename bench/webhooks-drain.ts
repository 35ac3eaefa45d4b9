/**
 * The webhook worker's CPU time per delivery, isolated (issue 17; bench/webhooks.md). Not a test.
 *
 *   npx tsx bench/webhooks-drain.ts [--subs 10] [--writes 300] [--rounds 5] [--label <name>]
 *
 * In one process: a SQLite store seeded as bench/webhooks.ts does (`--subs` auto-verified
 * subscriptions to `page.properties_updated`), the server with its webhook worker off, and a receiver
 * in a child process (bench/webhook-receiver-child.mjs). Each round makes `--writes` page updates
 * through the API while no worker runs, then starts the in-process worker (`startWebhookWorker`,
 * aggregation off) and measures this process's CPU time (`process.cpuUsage`, all threads) until the
 * receiver has every delivery (writes × subs): the worker's whole cost per delivery — fan-out,
 * claims, access checks, body, signature, HTTP client, outcomes — and nothing of the API's, which is
 * what bench/webhooks.ts has to subtract. It drains a backlog (fan-out of up to 200 events, claims of
 * up to 64) rather than following writes one by one, so its batches are larger than under a steady
 * stream. Output: JSON on stdout and bench/results/webhooks-drain-<date>[-<label>].json.
 */
import { fork } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../src/config.js'
import { createLogger } from '../src/logger.js'
import { createDeps, startServer } from '../src/server.js'
import { createPageAsUser } from '../src/services/setup.service.js'
import { createSubscription } from '../src/services/webhooks/subscriptions.service.js'
import { startWebhookWorker } from '../src/services/webhooks/worker.js'
import { sharedWorkspace } from './lib/in-process.js'

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const SUBS = arg('subs', 10)
const WRITES = arg('writes', 300)
const ROUNDS = arg('rounds', 5)

const proc = fork('bench/webhook-receiver-child.mjs', [], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })
const receiverUrl = await new Promise<string>((resolve) => {
  let buf = ''
  proc.stdout!.on('data', (c: Buffer) => {
    buf += c.toString()
    const line = buf.split('\n').find((l) => l.startsWith('{'))
    if (line) resolve((JSON.parse(line) as { url: string }).url)
  })
})
const ask = <T>(op: string) =>
  new Promise<T>((resolve) => {
    proc.once('message', (m) => resolve(m as T))
    proc.send({ op })
  })

const dataDir = mkdtempSync(join(tmpdir(), 'octavo-bench-webhooks-drain-'))
const config = loadConfig({
  OCTAVO_DATA_DIR: dataDir,
  OCTAVO_PORT: '0',
  OCTAVO_DEMO: 'off',
  OCTAVO_LOG_LEVEL: 'silent',
  OCTAVO_RATE_LIMITS: 'off',
  OCTAVO_WEBHOOKS: 'off',
  OCTAVO_WEBHOOK_AGGREGATION_MS: '0',
})
const deps = await createDeps(config, { logger: createLogger('silent') })
const { workspace, owner, root, connection, token } = await sharedWorkspace(deps, { plan: 'enterprise', connectionName: 'Bench bot' })
const page = (await createPageAsUser(deps, { workspaceId: workspace.id, actorId: owner.id, title: 'P', parentId: root.id })).id
for (let i = 0; i < SUBS; i++)
  await createSubscription(deps, {
    connectionId: connection.id,
    actorId: owner.id,
    url: receiverUrl,
    eventTypes: ['page.properties_updated'],
    autoVerify: true,
  })
const server = await startServer(config, { deps, logger: createLogger('silent') })
const headers = { authorization: `Bearer ${token}`, 'notion-version': '2025-09-03', 'content-type': 'application/json' }
let n = 0
const perDelivery: number[] = []
const load0 = loadavg()[0]!
for (let round = 0; round <= ROUNDS; round++) {
  for (let i = 0; i < WRITES; i++) {
    const res = await fetch(`${server.url}/v1/pages/${page}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ properties: { title: { title: [{ text: { content: `t${n++}` } }] } } }),
    })
    await res.arrayBuffer()
  }
  await ask('reset')
  const c0 = process.cpuUsage()
  const worker = startWebhookWorker(deps, { ...config.webhooks, enabled: true })
  const expected = WRITES * SUBS
  while ((await ask<{ count: number }>('count')).count < expected) await new Promise((r) => setTimeout(r, 10))
  const c = process.cpuUsage(c0)
  await worker.close()
  // Round 0 warms up (JIT, statement cache) and is not counted.
  if (round > 0) perDelivery.push((c.user + c.system) / 1000 / expected)
}
await server.close()
proc.disconnect()
rmSync(dataDir, { recursive: true, force: true })
const sorted = [...perDelivery].sort((a, b) => a - b)
const r3 = (x: number) => Math.round(x * 1000) / 1000
const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, load1_start: Math.round(load0 * 10) / 10, load1_end: Math.round(loadavg()[0]! * 10) / 10 },
  commit: process.env.BENCH_COMMIT ?? null,
  settings: { subscriptions: SUBS, writes_per_round: WRITES, rounds: ROUNDS },
  worker_cpu_ms_per_delivery: { rounds: perDelivery.map(r3), median: r3(sorted[Math.floor(sorted.length / 2)]!), min: r3(sorted[0]!) },
}
console.log(JSON.stringify(result, null, 2))
mkdirSync('bench/results', { recursive: true })
const labelIdx = process.argv.indexOf('--label')
const label = labelIdx > 0 ? `-${process.argv[labelIdx + 1]}` : ''
writeFileSync(`bench/results/webhooks-drain-${result.date.slice(0, 10)}${label}.json`, `${JSON.stringify(result, null, 2)}\n`)
process.exit(0)
