/**
 * The fixed-rate phase both ways on one server (ADR 41): autocannon's `overallRate` (each second's requests
 * sent back to back at its start, timed from each write) against the paced open loop (`runPaced`: request k
 * due at t0 + k/rate, timed from then), alternating, at half of each workload's saturation. Not a test.
 *
 *   npx tsx bench/pacing-ab.ts [--size L] [--rounds 2] [--seconds 5] [--only search,page_read]
 *
 * Serves a copy of the cached generated store (bench/.cache; generated when absent) with dist/ (run
 * `npm run build` first), measures each workload's saturation once (10 connections, 5 s), then runs
 * `rounds` × (bursty, paced) at half of it and prints p50/p95/p99, the pacer's own lag and the 1-minute
 * load average per run; the last stdout line is the JSON of all runs.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { SizeName } from './lib/generate.js'
import { runLoad } from './lib/load.js'
import type { BenchContext } from './lib/types.js'
import { serveWorkspace, specOf, workloadsOf } from './suites/common.js'

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: 'L' },
    rounds: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '5' },
    only: { type: 'string', default: 'search,page_read' },
  },
})
const size = (args.size ?? 'L').toUpperCase() as SizeName
const rounds = Number(args.rounds)
const seconds = Number(args.seconds)
const names = (args.only ?? '').split(',').filter(Boolean)
const tmp = mkdtempSync(join(tmpdir(), 'octavo-pacing-ab-'))
const log = (m: string) => process.stderr.write(`${m}\n`)
const ctx = { seed: 7, tmp, log, nodeFlags: [] } as unknown as BenchContext
const { server, manifest } = await serveWorkspace(ctx, size, specOf(size))
const load = () => Number((loadavg()[0] ?? 0).toFixed(2))
const out: unknown[] = []
try {
  for (const w of workloadsOf(manifest).filter((x) => names.includes(x.name))) {
    await runLoad(server.url, w, { seconds: 1, connections: 2 })
    const sat = await runLoad(server.url, w, { seconds: 5, connections: 10 })
    const rate = Math.max(1, sat.rps / 2)
    log(`${w.name}: ${sat.rps.toFixed(0)} req/s at saturation (load ${load()}); fixed rate ${rate.toFixed(0)}/s`)
    for (let r = 0; r < rounds; r++) {
      for (const mode of ['bursty', 'paced'] as const) {
        const res = await runLoad(server.url, w, { seconds, connections: 10, rate, bursty: mode === 'bursty' })
        const row = { workload: w.name, mode, round: r + 1, saturation: sat.rps, ...res, load: load() }
        out.push(row)
        log(
          `  ${mode.padEnd(6)} p50 ${res.p50.toFixed(2)} p95 ${res.p95.toFixed(2)} p99 ${res.p99.toFixed(2)} ms at ${res.offeredRate}/s${res.lateP99 === undefined ? '' : ` (pacer lag p99 ${res.lateP99.toFixed(2)} ms)`} errors ${res.errors} load ${load()}`,
        )
      }
    }
  }
} finally {
  await server.stop()
  rmSync(tmp, { recursive: true, force: true })
}
console.log(JSON.stringify({ runs: out }))
