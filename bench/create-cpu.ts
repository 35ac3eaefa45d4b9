/**
 * Server CPU and latency of creating a data-source row, alternating source trees (issue 19). Not a test.
 *
 *   npx tsx bench/data-sources.ts --rows 100000 --explain      # prints a kept fixture directory last
 *   npx tsx bench/create-cpu.ts <fixture dir>[,<fixture dir>…] [--trees <dir>,<dir>…] [--labels a,b…] [--rounds 3]
 *       [--creates 1000] [--warmup 200] [--cpu-prof <dir>] [--out <file>]
 *
 * For each round and each tree (default: this checkout alone; e.g. an exported `git archive` of the
 * base commit beside it), copies the fixture's store (the k-th fixture for the k-th tree when several
 * are given: a store already migrated by a tree whose migrations the other lacks) to a scratch directory, starts the server of
 * that tree in a child process (bench/create-cpu-child.ts, which imports the tree's own sources),
 * sends `warmup` then `creates` `POST /v1/pages` one at a time over loopback (the same eight
 * property values as bench/data-sources.ts, bench/lib/data-source-row.ts) and reports for the timed
 * creates: the server process's CPU per create (user + system of every thread, `/proc/<pid>/stat`,
 * 10 ms ticks over the whole run: the client's CPU is not in it), and p50/p95/p99 of the wall time
 * seen by the client (ms). The 1-minute load average is printed with every line. With `--cpu-prof`,
 * every server writes V8 CPU profiles (100 µs sampling, one per thread; the largest is the main
 * thread's) into `<dir>/<label>-<round>/` (read them with bench/profile-top.ts). With `--out`, the lines are also appended to that file.
 */
import { spawn } from 'node:child_process'
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { benchRowProperties } from './lib/data-source-row.js'

const args = process.argv.slice(2)
const argValue = (name: string) => {
  const i = args.indexOf(name)
  return i === -1 ? undefined : args[i + 1]
}
const fixtures = (args[0] ?? '').split(',')
if (fixtures.some((f) => !existsSync(join(f, 'octavo.db')))) {
  process.stderr.write('usage: tsx bench/create-cpu.ts <fixture dir from bench/data-sources.ts --explain> [options]\n')
  process.exit(2)
}
const here = resolve(import.meta.dirname, '..')
const trees = (argValue('--trees') ?? here).split(',').map((t) => resolve(t))
const labels = argValue('--labels')?.split(',') ?? trees.map((t) => (t === here ? 'this' : t))
const rounds = Number(argValue('--rounds') ?? 3)
const creates = Number(argValue('--creates') ?? 1000)
const warmup = Number(argValue('--warmup') ?? 200)
const profDir = argValue('--cpu-prof')
const out = argValue('--out')
if (profDir) mkdirSync(profDir, { recursive: true })

const say = (line: string) => {
  process.stdout.write(`${line}\n`)
  if (out) appendFileSync(out, `${line}\n`)
}

function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) * 10
}

async function runOnce(tree: string, fixture: string, label: string, round: number) {
  const dir = mkdtempSync(join(tmpdir(), 'create-cpu-'))
  for (const f of ['octavo.db', 'master.key', 'admin.key']) if (existsSync(join(fixture, f))) copyFileSync(join(fixture, f), join(dir, f))
  const child = spawn(
    process.execPath,
    [
      ...(profDir ? ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', resolve(profDir, `${label}-${round}`)] : []),
      '--import',
      'tsx',
      join(here, 'bench/create-cpu-child.ts'),
    ],
    {
      cwd: tree,
      env: {
        ...process.env,
        OCTAVO_BENCH_TREE: tree,
        OCTAVO_DATA_DIR: dir,
        OCTAVO_PORT: '0',
        OCTAVO_HOST: '127.0.0.1',
        OCTAVO_DEMO: 'off',
        OCTAVO_LOG_LEVEL: 'silent',
        OCTAVO_RATE_LIMITS: 'off',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const info = await new Promise<{ url: string; token: string; dataSourceId: string }>((res, rej) => {
    let buf = ''
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString()
      const line = buf.split('\n').find((l) => l.trim().startsWith('{'))
      if (line) res(JSON.parse(line) as { url: string; token: string; dataSourceId: string })
    })
    child.once('exit', (code) => rej(new Error(`server exited with ${code}`)))
  })
  const body = JSON.stringify({ parent: { data_source_id: info.dataSourceId }, properties: benchRowProperties() })
  const headers = { authorization: `Bearer ${info.token}`, 'notion-version': '2025-09-03', 'content-type': 'application/json' }
  const times: number[] = []
  let cpu0 = 0
  const load0 = loadavg()[0] as number
  for (let i = 0; i < warmup + creates; i++) {
    if (i === warmup) cpu0 = cpuMsOf(child.pid as number)
    const t = performance.now()
    const res = await fetch(`${info.url}/v1/pages`, { method: 'POST', headers, body })
    await res.arrayBuffer()
    if (res.status !== 200) throw new Error(`POST /v1/pages answered ${res.status}`)
    if (i >= warmup) times.push(performance.now() - t)
  }
  const cpu = (cpuMsOf(child.pid as number) - cpu0) / creates
  const load1 = loadavg()[0] as number
  await new Promise<void>((res) => {
    child.once('exit', () => res())
    child.kill('SIGTERM')
  })
  rmSync(dir, { recursive: true, force: true })
  times.sort((a, b) => a - b)
  const pct = (p: number) => (times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)] as number).toFixed(2)
  say(
    `${new Date().toISOString().slice(11, 19)} round ${round} ${label.padEnd(8)} load ${load0.toFixed(2)}–${load1.toFixed(2)}: server CPU ${cpu.toFixed(3)} ms/create; p50 ${pct(50)} / p95 ${pct(95)} / p99 ${pct(99)} ms (${creates} creates after ${warmup})`,
  )
}

for (let r = 1; r <= rounds; r++)
  for (let k = 0; k < trees.length; k++)
    await runOnce(trees[k] as string, (fixtures[k] ?? fixtures[0]) as string, labels[k] ?? `tree${k}`, r)
