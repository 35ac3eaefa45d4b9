/**
 * Start-up of several builds of the `octavo` bin, alternating on the same machine (ADR 49). Not a test.
 *
 *   npm run build && cp -r dist /tmp/dist-a      # once per tree to compare (chunks sit next to the bin)
 *   npx tsx bench/startup-ab.ts [--rounds 8] /tmp/dist-a/octavo.mjs dist/octavo.mjs
 *
 * Each round starts every bin once, in the order given, as `octavo --json --data-dir <fresh dir> serve
 * --port 0 --no-demo` with the bench's keys. It stops a start at its JSON line (the server listens; the
 * store is created and migrated), reads the process's CPU time from `/proc/<pid>/stat`, and sends
 * SIGTERM. It prints each bin's median wall time and CPU (ms) and every start's wall time; the last stdout
 * line is the JSON of all starts. Linux only (`/proc`).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { cpuOf } from './lib/proc.js'
import { BENCH_ADMIN_KEY, BENCH_MASTER_KEY } from './lib/store-cache.js'

const { values: args, positionals: bins } = parseArgs({
  options: { rounds: { type: 'string', default: '8' } },
  allowPositionals: true,
})
if (bins.length === 0) {
  process.stderr.write('usage: npx tsx bench/startup-ab.ts [--rounds 8] <octavo.mjs> [<octavo.mjs> …]\n')
  process.exit(2)
}
const rounds = Number(args.rounds)

/** One start of `bin`: wall time to its JSON line and CPU used by then (ms). */
async function start(bin: string): Promise<{ wallMs: number; cpuMs: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'octavo-startup-ab-'))
  try {
    const t0 = performance.now()
    const child = spawn(process.execPath, [resolve(bin), '--json', '--data-dir', dataDir, 'serve', '--port', '0', '--no-demo'], {
      env: { ...process.env, OCTAVO_SECRET_KEY: BENCH_MASTER_KEY, OCTAVO_ADMIN_KEY: BENCH_ADMIN_KEY, OCTAVO_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    const exited = new Promise<void>((ok) => child.once('exit', () => ok()))
    let out = ''
    await Promise.race([
      new Promise<void>((ok) =>
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString()
          if (out.includes('\n')) ok()
        }),
      ),
      exited.then(() => {
        throw new Error(`${bin} exited before listening`)
      }),
    ])
    const wallMs = performance.now() - t0
    const cpuMs = cpuOf(child.pid as number)
    child.kill('SIGTERM')
    await exited
    return { wallMs, cpuMs }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

const starts: Record<string, { wallMs: number; cpuMs: number }[]> = Object.fromEntries(bins.map((b) => [b, []]))
for (let r = 0; r < rounds; r++) for (const bin of bins) starts[bin]!.push(await start(bin))
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
for (const bin of bins) {
  const s = starts[bin]!
  process.stdout.write(
    `${bin}: wall median ${median(s.map((x) => x.wallMs)).toFixed(0)} ms, CPU median ${median(s.map((x) => x.cpuMs))} ms; walls ${s.map((x) => x.wallMs.toFixed(0)).join(', ')}\n`,
  )
}
process.stdout.write(`${JSON.stringify(starts)}\n`)
