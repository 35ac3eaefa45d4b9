import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { BENCH_ADMIN_KEY, BENCH_MASTER_KEY, ROOT } from './store-cache.js'

/**
 * Servers under test as real child processes: Octavo (`node dist/octavo.mjs --json serve`, the bundled bin), the
 * hello-world baseline on Hono (`node bench/hello-server.mjs`) and the bare `node:http` baseline
 * (`node bench/bare-server.mjs`, answering a given JSON body), with the same Node binary and flags. All
 * print one JSON line with their `url` once they listen.
 */

export interface ServerProcess {
  kind: 'octavo' | 'hello' | 'bare'
  url: string
  pid: number
  /** Milliseconds from spawn to the first successful response of `readyPath`. */
  startupMs: number
  /** Resident set size now, in MB (Linux `/proc/<pid>/status` VmRSS). */
  rssMb(): number
  /** Peak resident set size since start, in MB (VmHWM). */
  peakRssMb(): number
  /** CPU time (user + system) the process has used so far, in ms (`/proc/<pid>/stat`). */
  cpuMs(): number
  stop(): Promise<void>
}

const TICK_MS = 10 // USER_HZ is 100 on Linux

/** CPU time (user + system) process `pid` has used so far, in ms (`/proc/<pid>/stat`); NaN once it is gone. */
export function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS
  } catch {
    return Number.NaN
  }
}

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : Number.NaN
  } catch {
    return Number.NaN
  }
}

/** Servers still running, stopped if the harness is interrupted. */
const running = new Set<ChildProcess>()
const stopAll = () => {
  for (const c of running) c.kill('SIGKILL')
}
process.once('exit', stopAll)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopAll()
    process.exit(130)
  })
}

export interface SpawnOptions {
  /** Octavo's data directory (holding `octavo.db`); ignored for hello. */
  dataDir?: string
  /** Octavo's `OCTAVO_DATABASE_URL` (a PostgreSQL workspace); absent: the SQLite file in `dataDir`. */
  databaseUrl?: string
  /** PostgreSQL pool size of the server (`OCTAVO_DATABASE_POOL_MAX`). */
  poolMax?: number
  /** Extra Node flags for the child (e.g. `--cpu-prof`), the same for both kinds. */
  nodeFlags?: string[]
  /** Working directory of the child (where `--cpu-prof` writes its profile). */
  cwd?: string
  /** A request that must succeed before the server counts as started: path and bearer token. */
  ready?: { path: string; token?: string }
  /** The bare baseline's response body (a JSON file), for kind `bare`. */
  bodyFile?: string
  /** Microseconds of CPU the bare baseline spends before each answer (bench/ratio-floor.ts), for kind `bare`. */
  workUs?: number
  /** Give up after this many milliseconds. */
  timeoutMs?: number
}

/**
 * Spawns a server and resolves once `ready` answers 2xx. Logs of the child (stderr) are kept and
 * shown if it dies. @throws Error when it exits or does not become ready in time.
 */
export async function spawnServer(kind: 'octavo' | 'hello' | 'bare', opts: SpawnOptions = {}): Promise<ServerProcess> {
  const args =
    kind === 'octavo'
      ? [
          ...(opts.nodeFlags ?? []),
          join(ROOT, 'dist/octavo.mjs'),
          '--json',
          '--data-dir',
          opts.dataDir ?? '',
          'serve',
          '--port',
          '0',
          '--no-demo',
        ]
      : [...(opts.nodeFlags ?? []), join(ROOT, kind === 'bare' ? 'bench/bare-server.mjs' : 'bench/hello-server.mjs')]
  const env = {
    ...process.env,
    OCTAVO_SECRET_KEY: BENCH_MASTER_KEY,
    OCTAVO_ADMIN_KEY: BENCH_ADMIN_KEY,
    OCTAVO_RATE_LIMITS: 'off',
    OCTAVO_LOG_LEVEL: 'warn',
    OCTAVO_HOST: '127.0.0.1',
    ...(opts.databaseUrl ? { OCTAVO_DATABASE_URL: opts.databaseUrl } : {}),
    ...(opts.poolMax ? { OCTAVO_DATABASE_POOL_MAX: String(opts.poolMax) } : {}),
    ...(opts.bodyFile ? { OCTAVO_BENCH_BARE_BODY: opts.bodyFile } : {}),
    ...(opts.workUs ? { OCTAVO_BENCH_BARE_WORK_US: String(opts.workUs) } : {}),
  }
  const t0 = performance.now()
  const child: ChildProcess = spawn(process.execPath, args, { cwd: opts.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  child.once('exit', () => running.delete(child))
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000)
  })
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${kind} exited with code ${code}: ${stderr}`))),
  )
  exited.catch(() => {})
  const url = await Promise.race([
    new Promise<string>((resolve) => {
      let buf = ''
      child.stdout?.on('data', (d: Buffer) => {
        buf += d.toString()
        const line = buf.split('\n').find((l) => l.trim().startsWith('{'))
        if (line) resolve((JSON.parse(line) as { url: string }).url)
      })
    }),
    exited,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${kind} did not start: ${stderr}`)), opts.timeoutMs ?? 60_000).unref(),
    ),
  ])
  const ready = opts.ready ?? { path: kind === 'octavo' ? '/_octavo/health' : '/hello' }
  for (;;) {
    try {
      const res = await fetch(url + ready.path, {
        headers: { ...(ready.token ? { authorization: `Bearer ${ready.token}` } : {}), 'notion-version': '2025-09-03' },
      })
      await res.arrayBuffer()
      if (res.ok) break
      throw new Error(`${ready.path} answered ${res.status}`)
    } catch (err) {
      if (performance.now() - t0 > (opts.timeoutMs ?? 60_000)) throw new Error(`${kind} not ready: ${String(err)}`, { cause: err })
      await new Promise((r) => setTimeout(r, 2))
    }
  }
  const startupMs = performance.now() - t0
  const pid = child.pid as number
  return {
    kind,
    url,
    pid,
    startupMs,
    rssMb: () => statusField(pid, 'VmRSS'),
    peakRssMb: () => statusField(pid, 'VmHWM'),
    cpuMs: () => cpuOf(pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref()
      }),
  }
}
