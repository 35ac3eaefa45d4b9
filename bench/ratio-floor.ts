import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { measureBare, type Measured } from './suites/common.js'
import type { BenchContext } from './lib/types.js'

/**
 * `npx tsx bench/ratio-floor.ts [--work 0,10,20,30,40,60,80] [--rounds 2] [--out file.json]`: what
 * throughput ratio to the bare `node:http` server a server can reach for a given amount of its own
 * work per request (issue 19's ratios). The bare baseline of `npm run bench` (bench/bare-server.mjs, its
 * own process, the same autocannon, the same timing and 910-byte body as the page read) is run with
 * `OCTAVO_BENCH_BARE_WORK_US` microseconds of busy CPU before each answer, for each value of `--work`;
 * the ratio is its saturated req/s over the mean of the runs with no work (one at the start of each
 * round). Rounds alternate over the values. Writes the runs as JSON to `--out` (default
 * bench/results/<date>-ratio-floor.json) and prints a table: work µs, req/s, server CPU ms per response,
 * ratio. A handler with N µs of its own can be compared with the row for N: the ratio it can reach at
 * best on this machine with this load generator.
 */
const { values: args } = parseArgs({
  options: {
    work: { type: 'string', default: '0,10,20,30,40,60,80' },
    rounds: { type: 'string', default: '2' },
    out: { type: 'string' },
  },
})
const works = args.work.split(',').map(Number)
if (works.some((w) => !Number.isFinite(w) || w < 0)) throw new Error(`--work takes microseconds ≥ 0, got "${args.work}"`)
const rounds = Number(args.rounds)
const tmp = mkdtempSync(join(tmpdir(), 'octavo-ratio-floor-'))
const ctx: BenchContext = {
  quick: false,
  size: 'S',
  seed: 7,
  timing: { warm: 1, saturate: 5, fixed: 5, connections: 10 },
  selected: () => true,
  nodeFlags: [],
  tmp,
  log: (m) => process.stderr.write(`${m}\n`),
  shared: new Map(),
}
// The page read's body at size S is 910 bytes of JSON; its exact content does not matter here.
const body = JSON.stringify({ object: 'page', id: '0'.repeat(36), pad: 'x'.repeat(862) })

interface Run {
  round: number
  workUs: number
  rps: number
  cpuMs: number
  p99: number
  load: number
}
const runs: Run[] = []
try {
  for (let round = 1; round <= rounds; round++) {
    for (const workUs of [0, ...works.filter((w) => w > 0)]) {
      const m: Measured = await measureBare(ctx, body, workUs)
      runs.push({ round, workUs, rps: m.saturated.rps, cpuMs: m.cpuMsPerRequest, p99: m.fixed.p99, load: loadavg()[0]! })
      process.stderr.write(`round ${round}: ${workUs} µs of work → ${m.saturated.rps.toFixed(0)} req/s\n`)
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
const zero = runs.filter((r) => r.workUs === 0)
const bare = zero.reduce((s, r) => s + r.rps, 0) / zero.length
const rows = [...new Set(runs.map((r) => r.workUs))].map((workUs) => {
  const of = runs.filter((r) => r.workUs === workUs)
  const rps = of.reduce((s, r) => s + r.rps, 0) / of.length
  const cpuMs = of.reduce((s, r) => s + r.cpuMs, 0) / of.length
  return { workUs, rps: Math.round(rps), cpuMs: Number(cpuMs.toFixed(4)), ratio: Number((rps / bare).toFixed(3)), runs: of.length }
})
console.log('work µs | req/s | server CPU ms/resp | ratio to no work')
for (const r of rows) console.log(`${r.workUs} | ${r.rps} | ${r.cpuMs.toFixed(3)} | ${r.ratio.toFixed(2)}`)
const out = args.out ?? join(import.meta.dirname, 'results', `${new Date().toISOString().slice(0, 10)}-ratio-floor.json`)
writeFileSync(out, `${JSON.stringify({ rows, runs }, null, 2)}\n`)
console.log(`wrote ${out}`)
