import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join, resolve } from 'node:path'
import * as z from 'zod'
import { parseMasterKey } from './auth/secrets.js'

/**
 * Octavo's configuration. `loadConfig` is the only reader of `process.env`.
 *
 * | Variable | Default | Meaning |
 * |---|---|---|
 * | `OCTAVO_HOST` | `127.0.0.1` | address to listen on |
 * | `OCTAVO_PORT` | `7700` | port (0 picks a free one) |
 * | `OCTAVO_DATA_DIR` | `./.octavo` | SQLite store, master key file and admin key file |
 * | `OCTAVO_PUBLIC_URL` | `http://<host>:<port>` | base of the `url` fields in API objects |
 * | `OCTAVO_DATABASE_URL` | `file:<data dir>/octavo.db` | store location (`:memory:` for tests) |
 * | `OCTAVO_SECRET_KEY` | generated into `<data dir>/master.key` | 32-byte master key (hex or base64) |
 * | `OCTAVO_ADMIN_KEY` | generated into `<data dir>/admin.key` | bearer key of the admin API |
 * | `OCTAVO_RATE_LIMITS` | `on` | `off` disables the per-connection and per-workspace budgets |
 * | `OCTAVO_DEMO` | `on` | seed the demo workspace into an empty store |
 * | `OCTAVO_LOG_LEVEL` | `info` | pino level (`silent` to mute) |
 */
export interface Config {
  host: string
  port: number
  /** Base of the `url` fields Octavo returns (`OCTAVO_PUBLIC_URL`; default `http://<host>:<port>`). */
  publicUrl: string | undefined
  dataDir: string
  /** `:memory:` or a file path for SQLite. */
  databasePath: string
  masterKey: Buffer
  adminKey: string
  rateLimits: RateLimitConfig
  demo: boolean
  logLevel: string
}

/** Per-60-second-window budgets (permissions-and-tokens.md §2.3). */
export interface RateLimitConfig {
  enabled: boolean
  /** Requests per window per connection on Free and Plus. Notion: 180. */
  connectionPerMinute: number
  /** Requests per window per connection on Business and Enterprise. Notion: 600. */
  connectionPerMinuteBusiness: number
  /** Requests per window shared by every connection of a workspace. */
  workspacePerMinute: number
  workspacePerMinuteBusiness: number
  /** Window length in seconds. */
  windowSeconds: number
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  enabled: true,
  connectionPerMinute: 180,
  connectionPerMinuteBusiness: 600,
  workspacePerMinute: 1800,
  workspacePerMinuteBusiness: 6000,
  windowSeconds: 60,
}

const Env = z.object({
  OCTAVO_HOST: z.string().default('127.0.0.1'),
  OCTAVO_PORT: z.coerce.number().int().min(0).max(65535).default(7700),
  OCTAVO_DATA_DIR: z.string().default('./.octavo'),
  OCTAVO_PUBLIC_URL: z.string().url().optional(),
  OCTAVO_DATABASE_URL: z.string().optional(),
  OCTAVO_SECRET_KEY: z.string().optional(),
  OCTAVO_ADMIN_KEY: z.string().min(16).optional(),
  OCTAVO_RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  OCTAVO_RATE_LIMIT_CONNECTION: z.coerce.number().int().positive().optional(),
  OCTAVO_RATE_LIMIT_WORKSPACE: z.coerce.number().int().positive().optional(),
  OCTAVO_DEMO: z.enum(['on', 'off']).default('on'),
  OCTAVO_LOG_LEVEL: z.string().default('info'),
})

/** Reads a key file, creating it with mode 0600 when absent. */
function readOrCreateKeyFile(path: string, make: () => string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim()
  const value = make()
  writeFileSync(path, `${value}\n`, { mode: 0o600 })
  chmodSync(path, 0o600)
  return value
}

/**
 * Builds the configuration from environment variables and command-line overrides.
 * Creates the data directory and, on first use, its key files.
 * @throws Error when a variable is malformed (the message names it).
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Pick<Config, 'host' | 'port' | 'dataDir' | 'demo'>> = {},
): Config {
  const parsed = Env.safeParse(env)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new Error(`Invalid configuration ${issue?.path.join('.')}: ${issue?.message}`)
  }
  const e = parsed.data
  const dataDir = resolve(overrides.dataDir ?? e.OCTAVO_DATA_DIR)
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const url = e.OCTAVO_DATABASE_URL ?? `file:${join(dataDir, 'octavo.db')}`
  if (!url.startsWith('file:') && url !== ':memory:') {
    throw new Error(`Invalid configuration OCTAVO_DATABASE_URL: only file: and :memory: stores are supported so far.`)
  }
  const masterKey = parseMasterKey(
    e.OCTAVO_SECRET_KEY ??
      readOrCreateKeyFile(join(dataDir, 'master.key'), () => randomBytes(32).toString('hex')),
  )
  const adminKey =
    e.OCTAVO_ADMIN_KEY ??
    readOrCreateKeyFile(join(dataDir, 'admin.key'), () => `octavo_admin_${randomBytes(24).toString('base64url')}`)
  const connection = e.OCTAVO_RATE_LIMIT_CONNECTION
  const workspace = e.OCTAVO_RATE_LIMIT_WORKSPACE
  return {
    host: overrides.host ?? e.OCTAVO_HOST,
    port: overrides.port ?? e.OCTAVO_PORT,
    publicUrl: e.OCTAVO_PUBLIC_URL?.replace(/\/$/, ''),
    dataDir,
    databasePath: url === ':memory:' ? ':memory:' : url.slice('file:'.length),
    masterKey,
    adminKey,
    rateLimits: {
      ...DEFAULT_RATE_LIMITS,
      enabled: e.OCTAVO_RATE_LIMITS === 'on',
      ...(connection ? { connectionPerMinute: connection, connectionPerMinuteBusiness: connection } : {}),
      ...(workspace ? { workspacePerMinute: workspace, workspacePerMinuteBusiness: workspace } : {}),
    },
    demo: overrides.demo ?? e.OCTAVO_DEMO === 'on',
    logLevel: e.OCTAVO_LOG_LEVEL,
  }
}
