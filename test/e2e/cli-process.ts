import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Runs the real `octavo` CLI (src/cli/main.ts, through tsx's loader, as `npm run octavo` does) as a
 * subprocess, and starts `octavo serve` for end-to-end tests.
 */

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const CLI = join(REPO, 'src/cli/main.ts')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

function baseEnv(dataDir: string, env: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, OCTAVO_DATA_DIR: dataDir, OCTAVO_LOG_LEVEL: 'silent', ...env }
  // Settings of the outer environment must not leak into the subprocess.
  for (const k of [
    'OCTAVO_ADMIN_KEY',
    'OCTAVO_SECRET_KEY',
    'OCTAVO_DATABASE_URL',
    'OCTAVO_PORT',
    'OCTAVO_DEMO',
    'OCTAVO_PUBLIC_URL',
    'OCTAVO_REDIS_URL',
    'OCTAVO_CONFIG',
  ]) {
    if (!(k in env)) delete e[k]
  }
  return e
}

/** Runs `octavo <args>` with `OCTAVO_DATA_DIR=<dataDir>` and waits for it to exit. */
export function runCli(args: string[], dataDir: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, env: baseEnv(dataDir, env) })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }))
  })
}

/** Runs `octavo <args> --json`, expects exit code 0 and returns the parsed JSON output. */
export async function cliJson<T = Record<string, unknown>>(args: string[], dataDir: string, env: Record<string, string> = {}): Promise<T> {
  const r = await runCli([...args, '--json'], dataDir, env)
  if (r.code !== 0) throw new Error(`octavo ${args.join(' ')} exited with ${r.code}: ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}

export interface ServeInfo {
  url: string
  api_url: string
  admin_url: string
  admin_key_file: string | null
  data_dir: string
  workspaces: number
  demo: null | {
    seeded: boolean
    workspace_id: string
    workspace_name: string
    owner: string
    connections: { id: string; name: string; token: string; shared: string[] }[]
  }
}

export interface Served {
  info: ServeInfo
  child: ChildProcess
  /** Everything printed on stdout so far (with `--json`, one line). */
  stdout: () => string
  stderr: () => string
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/**
 * Spawns `octavo serve --port 0 <args>` and resolves with `ready(stdout)` as soon as it returns a
 * value; rejects if the process exits first or nothing is ready within 30 s.
 */
function startServe<T>(
  dataDir: string,
  args: string[],
  env: Record<string, string>,
  ready: (stdout: string) => T | undefined,
): Promise<{
  value: T
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  stop(signal?: NodeJS.Signals): Promise<number | null>
}> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--port', '0', ...args], {
      cwd: REPO,
      env: baseEnv(dataDir, env),
    })
    let stdout = ''
    let stderr = ''
    let done = false
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    const finish = (fn: () => void) => {
      if (done) return
      done = true
      clearTimeout(timer)
      fn()
    }
    const timer = setTimeout(
      () =>
        finish(() => {
          child.kill('SIGKILL')
          reject(new Error(`octavo serve did not start in time. stderr: ${stderr}`))
        }),
      30_000,
    )
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      if (done) return
      let value: T | undefined
      try {
        value = ready(stdout)
      } catch (e) {
        finish(() => {
          child.kill('SIGKILL')
          reject(e)
        })
        return
      }
      if (value === undefined) return
      const v = value
      finish(() =>
        resolvePromise({
          value: v,
          child,
          stdout: () => stdout,
          stderr: () => stderr,
          stop: (signal = 'SIGTERM') => {
            child.kill(signal)
            return exited
          },
        }),
      )
    })
    child.on('exit', (code) => finish(() => reject(new Error(`octavo serve exited with ${code} before listening. stderr: ${stderr}`))))
  })
}

/** Starts `octavo serve --port 0 --json` and resolves once it has printed where it listens. */
export async function serve(dataDir: string, extraArgs: string[] = [], env: Record<string, string> = {}): Promise<Served> {
  const started = await startServe(dataDir, ['--json', ...extraArgs], env, (stdout) => {
    if (!stdout.includes('\n')) return undefined
    const line = stdout.split('\n')[0] as string
    let printed: ServeInfo | { error?: { code: string; message: string } }
    try {
      printed = JSON.parse(line) as ServeInfo
    } catch (e) {
      throw new Error(`octavo serve printed something other than JSON: ${line}`, { cause: e })
    }
    // A failed start prints `{"error": {code, message}}` (reportError) and exits 1.
    if ('error' in printed) throw new Error(`octavo serve failed to start: ${JSON.stringify(printed.error)}`)
    return printed as ServeInfo
  })
  return { info: started.value, child: started.child, stdout: started.stdout, stderr: started.stderr, stop: started.stop }
}

/** Starts `octavo serve --port 0` (human-readable) and resolves with its banner once printed. */
export async function serveHuman(
  dataDir: string,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<{ banner: string; stop(signal?: NodeJS.Signals): Promise<number | null> }> {
  const started = await startServe(dataDir, extraArgs, env, (stdout) => (stdout.includes('Press Ctrl+C to stop.') ? stdout : undefined))
  return { banner: started.value, stop: started.stop }
}
