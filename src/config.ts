import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join, resolve } from 'node:path'
import * as z from 'zod'
import { parseMasterKey } from './auth/secrets.js'
import { createHostPolicy } from './http/allowed-hosts.js'
import { parseTrustedProxies } from './rate-limit/client-address.js'
import { parseFaultRules, type FaultRuleInput } from './http/emulator/faults.js'
import type { S3Settings } from './storage/blobs/s3-blob-store.js'

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
 * | `OCTAVO_DATABASE_POOL_MAX` | `10` | PostgreSQL connections per process |
 * | `OCTAVO_REDIS_URL` | unset | Redis for rate limits shared by every node |
 * | `OCTAVO_METRICS_TOKEN` | unset | bearer token for `/metrics` (the admin key works too) |
 * | `OCTAVO_SHUTDOWN_TIMEOUT` | `10` | seconds in-flight requests get on SIGTERM |
 * | `OCTAVO_REQUEST_TIMEOUT` | `30` | seconds a client has to send a whole request (headers and body) |
 * | `OCTAVO_HEADERS_TIMEOUT` | `10` | seconds a client has to send the request headers (at most the request timeout) |
 * | `OCTAVO_KEEP_ALIVE_TIMEOUT` | `5` | seconds an idle keep-alive connection stays open |
 * | `OCTAVO_SQLITE_SYNCHRONOUS` | `normal` | SQLite `PRAGMA synchronous`: `normal` or `full` (see README, Durability) |
 * | `OCTAVO_CONFIG` | unset | JSON file with any of these variables; the environment wins |
 * | `OCTAVO_ALLOWED_HOSTS` | unset | comma-separated extra host names (`name` or `name:port`) requests may carry in `Host`, besides the public URL's and the listen address |
 * | `OCTAVO_TRUSTED_PROXIES` | unset | comma-separated IPs / CIDR ranges (or `loopback`) whose `X-Forwarded-For` gives the client address |
 * | `OCTAVO_BLOB_STORE` | `auto` | where uploaded files live: `local` (`<data dir>/blobs`), `database` (chunked rows), `s3` (an S3-compatible bucket), `auto` = `database` on PostgreSQL, else `local` |
 * | `OCTAVO_S3_BUCKET` | unset | bucket of the `s3` blob store (required with it; must exist) |
 * | `OCTAVO_S3_ENDPOINT` | AWS | S3-compatible endpoint, e.g. `http://127.0.0.1:9000` (path-style URLs then) |
 * | `OCTAVO_S3_REGION` | `us-east-1` | region of the bucket |
 * | `OCTAVO_S3_ACCESS_KEY_ID`, `OCTAVO_S3_SECRET_ACCESS_KEY` | the AWS SDK's default chain | credentials of the `s3` blob store |
 * | `OCTAVO_S3_PREFIX` | empty | prefix of every blob key in the bucket (e.g. `octavo/`) |
 * | `OCTAVO_FILE_SWEEP_INTERVAL` | `60` | seconds between runs of the blob sweep (expired uploads, deleted owners); 0 turns it off on this node |
 * | `OCTAVO_FILE_IMPORT_ALLOW_PRIVATE` | `off` | `on` lets `external_url` imports fetch private, loopback and link-local addresses (local testing only) |
 * | `OCTAVO_FILE_IMPORT_TIMEOUT` | `30` | seconds an `external_url` import may take |
 * | `OCTAVO_CACHES` | `on` | `off` turns off the in-process token, ACL and row caches and search's visible sets (docs/adr/0024-caches-and-statement-reuse.md, 0044-row-cache.md, 0045-cached-visible-set.md) |
 * | `OCTAVO_ACCESS_LOG_SAMPLE` | `1` | share of successful requests (0–1) that get an access-log line; errors (status ≥ 400) are always logged |
 * | `OCTAVO_JOURNAL_SIZE` | `200` | requests kept per workspace by the request journal (0 turns it off; docs/emulator.md) |
 * | `OCTAVO_JOURNAL_BODIES` | `off` | keep redacted request and response bodies in the journal |
 * | `OCTAVO_EXPLAIN` | `on` with `OCTAVO_DEMO=on`, else `off` | send `x-octavo-explain` (why a request was refused) on 401/403/404/429 |
 * | `OCTAVO_FAULTS` | unset | fault rules active from start-up: a JSON array, inline or in the file at this path |
 * | `OCTAVO_WEBHOOKS` | `on` | `off` stops this node's webhook worker (subscriptions still queue deliveries) |
 * | `OCTAVO_WEBHOOK_THREAD` | `off` | `on` runs the webhook worker in a worker thread with its own store connection, off the API's event loop (for a machine with a spare core; ADR 34); `off` runs it on the API's event loop (always so for an in-memory SQLite store) |
 * | `OCTAVO_WEBHOOK_POLL_MS` | `100` | how often the worker looks for new change events and due deliveries |
 * | `OCTAVO_WEBHOOK_CONCURRENCY` | `64` | deliveries in flight at once per node (the worker claims up to this many per look, at most every 10 ms) |
 * | `OCTAVO_WEBHOOK_TIMEOUT_MS` | `10000` | a receiver's time to answer one delivery |
 * | `OCTAVO_WEBHOOK_MAX_ATTEMPTS` | `8` | attempts per delivery (Notion: 8) |
 * | `OCTAVO_WEBHOOK_RETRY_BASE_MS` | `680000` | first retry delay; doubles per attempt (8 attempts ≈ 24 h, as Notion) |
 * | `OCTAVO_WEBHOOK_AGGREGATION_MS` | `1000` | window in which `*.content_updated` / `*_updated` bursts of one entity collapse (0: none) |
 * | `OCTAVO_WEBHOOK_ALLOW_PRIVATE` | `on` | `off` refuses deliveries to loopback, private and link-local addresses |
 * | `OCTAVO_WEBHOOK_MAX_RESPONSE_BYTES` | `65536` | bytes of a receiver's answer read, the rest dropped |
 * | `OCTAVO_WEBHOOK_RETENTION_MS` | `2592000000` (30 days) | age after which finished deliveries leave the log |
 * | `OCTAVO_WEBHOOK_SWEEP_MS` | `60000` | how often (across all nodes, one at a time) the retention sweep runs; it also records expired file uploads |
 */
export interface Config {
  host: string
  port: number
  /** Base of the `url` fields Octavo returns (`OCTAVO_PUBLIC_URL`; default `http://<host>:<port>`). */
  publicUrl: string | undefined
  dataDir: string
  /** `:memory:` or a file path for SQLite; empty for PostgreSQL. */
  databasePath: string
  /** What `openStore` opens: `file:<path>`, `:memory:` or `postgres://…`. Contains credentials: never log it. */
  databaseUrl: string
  /** PostgreSQL pool size per process. */
  databasePoolMax: number
  /** Redis for shared rate limits (`OCTAVO_REDIS_URL`), or undefined for per-process limits. */
  redisUrl: string | undefined
  /** Bearer token accepted by `/metrics` besides the admin key. */
  metricsToken: string | undefined
  /** Seconds in-flight requests get to finish on SIGTERM/SIGINT. */
  shutdownTimeoutSeconds: number
  /**
   * HTTP server timeouts in seconds: the whole request (headers and body) must arrive within
   * `request`, its headers within `headers` (≤ `request`); an idle keep-alive connection closes
   * after `keepAlive`. A client that stalls mid-request is disconnected (408).
   */
  httpTimeouts: { requestSeconds: number; headersSeconds: number; keepAliveSeconds: number }
  /** SQLite `PRAGMA synchronous` (`OCTAVO_SQLITE_SYNCHRONOUS`): `normal` (default) or `full`. */
  sqliteSynchronous: 'normal' | 'full'
  masterKey: Buffer
  adminKey: string
  rateLimits: RateLimitConfig
  demo: boolean
  logLevel: string
  /** Extra `Host` names accepted besides the public URL's and the listen address (`OCTAVO_ALLOWED_HOSTS`). */
  allowedHosts: string[]
  /** Proxies whose `X-Forwarded-For` is believed (`OCTAVO_TRUSTED_PROXIES`): IPs, CIDR ranges, `loopback`. */
  trustedProxies: string[]
  /** In-process token, ACL and row caches (`OCTAVO_CACHES`, default on; absent means on). */
  caches?: boolean
  /** Share of successful requests logged (`OCTAVO_ACCESS_LOG_SAMPLE`, 0–1, default 1; absent means 1). */
  accessLogSample?: number
  /** The emulator kit: request journal, explanations, fault rules (docs/emulator.md, ADR 22). */
  emulator: EmulatorConfig
  /** The webhook worker (docs/webhooks.md). */
  webhooks: WebhookSettings
  /** File uploads (docs/file-uploads.md): blob store and `external_url` import settings; absent → defaults. */
  files?: FileSettings
}

/** `OCTAVO_BLOB_STORE`, `OCTAVO_S3_*`, `OCTAVO_FILE_IMPORT_ALLOW_PRIVATE`, `OCTAVO_FILE_IMPORT_TIMEOUT`, `OCTAVO_FILE_SWEEP_INTERVAL`. */
export interface FileSettings {
  blobStore: 'local' | 'database' | 's3'
  /** The `s3` blob store's bucket and credentials (present when `blobStore` is `s3`). */
  s3?: S3Settings
  /** Seconds between blob sweeps on this node (0: none; absent: 60). */
  sweepIntervalSeconds?: number
  /** Let `external_url` imports reach private, loopback and link-local addresses (tests, local setups). */
  importAllowPrivate: boolean
  importTimeoutSeconds: number
}

/** `OCTAVO_JOURNAL_SIZE`, `OCTAVO_JOURNAL_BODIES`, `OCTAVO_EXPLAIN`, `OCTAVO_FAULTS`. */
export interface EmulatorConfig {
  /** Requests kept per workspace; 0 = no journal. */
  journalSize: number
  journalBodies: boolean
  /** `x-octavo-explain` on refusals (tells a token holder that a page exists: off on shared instances). */
  explain: boolean
  faults: FaultRuleInput[]
}

/** Webhook delivery settings (`OCTAVO_WEBHOOK_*`); times in milliseconds. */
export interface WebhookSettings {
  /** Whether this node runs the delivery worker. */
  enabled: boolean
  /**
   * Whether the worker runs in a worker thread with its own store connection (src/webhooks-host.ts),
   * rather than on the API's event loop. An in-memory SQLite store always gets the in-process worker.
   */
  thread: boolean
  pollMs: number
  concurrency: number
  timeoutMs: number
  maxAttempts: number
  /** Delay before the 2nd attempt; the n-th retry waits `retryBaseMs * 2^(n-1)`. */
  retryBaseMs: number
  /** Aggregation window of `*_updated` events (0 = deliver each at once). */
  aggregationMs: number
  /** Whether loopback, private and link-local receivers are allowed. */
  allowPrivate: boolean
  maxResponseBytes: number
  /** Age (ms, by `created_time`) after which delivered, failed and skipped deliveries are deleted. */
  retentionMs: number
  /** Interval (ms) between retention sweeps, across all nodes. */
  sweepMs: number
}

/** Per-60-second-window budgets (docs/reference/permissions-and-tokens.md §2.3). */
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
  OCTAVO_DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(10),
  OCTAVO_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  OCTAVO_METRICS_TOKEN: z.string().min(16).optional(),
  OCTAVO_SHUTDOWN_TIMEOUT: z.coerce.number().min(0).max(3600).default(10),
  OCTAVO_REQUEST_TIMEOUT: z.coerce.number().positive().max(3600).default(30),
  OCTAVO_HEADERS_TIMEOUT: z.coerce.number().positive().max(3600).default(10),
  OCTAVO_KEEP_ALIVE_TIMEOUT: z.coerce.number().positive().max(3600).default(5),
  OCTAVO_SQLITE_SYNCHRONOUS: z.enum(['normal', 'full']).default('normal'),
  OCTAVO_CONFIG: z.string().optional(),
  OCTAVO_ALLOWED_HOSTS: z.string().optional(),
  OCTAVO_TRUSTED_PROXIES: z.string().optional(),
  OCTAVO_BLOB_STORE: z.enum(['auto', 'local', 'database', 's3']).default('auto'),
  OCTAVO_S3_BUCKET: z.string().min(1).optional(),
  OCTAVO_S3_ENDPOINT: z.string().url().optional(),
  OCTAVO_S3_REGION: z.string().min(1).default('us-east-1'),
  OCTAVO_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  OCTAVO_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  OCTAVO_S3_PREFIX: z.string().default(''),
  OCTAVO_FILE_SWEEP_INTERVAL: z.coerce.number().min(0).max(86_400).default(60),
  OCTAVO_FILE_IMPORT_ALLOW_PRIVATE: z.enum(['on', 'off']).default('off'),
  OCTAVO_FILE_IMPORT_TIMEOUT: z.coerce.number().positive().max(3600).default(30),
  OCTAVO_CACHES: z.enum(['on', 'off']).default('on'),
  OCTAVO_ACCESS_LOG_SAMPLE: z.coerce.number().min(0).max(1).default(1),
  OCTAVO_JOURNAL_SIZE: z.coerce.number().int().min(0).max(100_000).default(200),
  OCTAVO_JOURNAL_BODIES: z.enum(['on', 'off']).default('off'),
  OCTAVO_EXPLAIN: z.enum(['on', 'off']).optional(),
  OCTAVO_FAULTS: z.string().optional(),
  OCTAVO_WEBHOOKS: z.enum(['on', 'off']).default('on'),
  OCTAVO_WEBHOOK_THREAD: z.enum(['on', 'off']).default('off'),
  OCTAVO_WEBHOOK_POLL_MS: z.coerce.number().int().min(5).max(60_000).default(100),
  OCTAVO_WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(64),
  OCTAVO_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(10).max(120_000).default(10_000),
  OCTAVO_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(8),
  OCTAVO_WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(0).max(86_400_000).default(680_000),
  OCTAVO_WEBHOOK_AGGREGATION_MS: z.coerce.number().int().min(0).max(600_000).default(1000),
  OCTAVO_WEBHOOK_ALLOW_PRIVATE: z.enum(['on', 'off']).default('on'),
  OCTAVO_WEBHOOK_MAX_RESPONSE_BYTES: z.coerce.number().int().min(0).max(10_485_760).default(65_536),
  OCTAVO_WEBHOOK_RETENTION_MS: z.coerce.number().int().min(0).max(31_536_000_000).default(2_592_000_000),
  OCTAVO_WEBHOOK_SWEEP_MS: z.coerce.number().int().min(10).max(86_400_000).default(60_000),
})

/** A comma-separated list, entries trimmed, empty ones dropped. */
const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)

/**
 * Reads the optional configuration file (`OCTAVO_CONFIG` or `--config`): a JSON object whose keys
 * are the `OCTAVO_*` variable names above and whose values are strings, numbers or booleans.
 * @throws Error when the file is unreadable, not a JSON object, or names an unknown variable.
 */
export function readConfigFile(path: string): Record<string, string> {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new Error(`Invalid configuration file ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error(`Invalid configuration file ${path}: expected a JSON object.`)
  const known = new Set(Object.keys(Env.shape))
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(parsed)) {
    if (!known.has(k) || k === 'OCTAVO_CONFIG') throw new Error(`Invalid configuration file ${path}: unknown setting "${k}".`)
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
      throw new Error(`Invalid configuration file ${path}: "${k}" must be a string, number or boolean.`)
    out[k] = typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v)
  }
  return out
}

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
  overrides: Partial<Pick<Config, 'host' | 'port' | 'dataDir' | 'demo'>> & { configFile?: string } = {},
): Config {
  const file = overrides.configFile ?? env.OCTAVO_CONFIG
  const merged = file ? { ...readConfigFile(file), ...env } : env
  const parsed = Env.safeParse(merged)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new Error(`Invalid configuration ${issue?.path.join('.')}: ${issue?.message}`)
  }
  const e = parsed.data
  const dataDir = resolve(overrides.dataDir ?? e.OCTAVO_DATA_DIR)
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const url = e.OCTAVO_DATABASE_URL ?? `file:${join(dataDir, 'octavo.db')}`
  const postgres = /^postgres(ql)?:\/\//.test(url)
  if (!url.startsWith('file:') && url !== ':memory:' && !postgres) {
    throw new Error('Invalid configuration OCTAVO_DATABASE_URL: expected file:<path>, :memory: or postgres://…')
  }
  const masterKey = parseMasterKey(
    e.OCTAVO_SECRET_KEY ?? readOrCreateKeyFile(join(dataDir, 'master.key'), () => randomBytes(32).toString('hex')),
  )
  const adminKey =
    e.OCTAVO_ADMIN_KEY ?? readOrCreateKeyFile(join(dataDir, 'admin.key'), () => `octavo_admin_${randomBytes(24).toString('base64url')}`)
  const allowedHosts = list(e.OCTAVO_ALLOWED_HOSTS)
  const trustedProxies = list(e.OCTAVO_TRUSTED_PROXIES)
  try {
    createHostPolicy({ allowedHosts })
  } catch (err) {
    throw new Error(`Invalid configuration OCTAVO_ALLOWED_HOSTS: ${(err as Error).message}`, { cause: err })
  }
  try {
    parseTrustedProxies(trustedProxies)
  } catch (err) {
    throw new Error(`Invalid configuration OCTAVO_TRUSTED_PROXIES: ${(err as Error).message}`, { cause: err })
  }
  let faults: FaultRuleInput[] = []
  if (e.OCTAVO_FAULTS) {
    try {
      faults = parseFaultRules(e.OCTAVO_FAULTS.trimStart().startsWith('[') ? e.OCTAVO_FAULTS : readFileSync(e.OCTAVO_FAULTS, 'utf8'))
    } catch (err) {
      throw new Error(`Invalid configuration OCTAVO_FAULTS: ${(err as Error).message}`, { cause: err })
    }
  }
  if (e.OCTAVO_BLOB_STORE === 's3' && !e.OCTAVO_S3_BUCKET)
    throw new Error('Invalid configuration OCTAVO_S3_BUCKET: required with OCTAVO_BLOB_STORE=s3.')
  const demo = overrides.demo ?? e.OCTAVO_DEMO === 'on'
  const connection = e.OCTAVO_RATE_LIMIT_CONNECTION
  const workspace = e.OCTAVO_RATE_LIMIT_WORKSPACE
  return {
    host: overrides.host ?? e.OCTAVO_HOST,
    port: overrides.port ?? e.OCTAVO_PORT,
    publicUrl: e.OCTAVO_PUBLIC_URL?.replace(/\/$/, ''),
    dataDir,
    databasePath: postgres ? '' : url === ':memory:' ? ':memory:' : url.slice('file:'.length),
    databaseUrl: url,
    databasePoolMax: e.OCTAVO_DATABASE_POOL_MAX,
    redisUrl: e.OCTAVO_REDIS_URL,
    metricsToken: e.OCTAVO_METRICS_TOKEN,
    shutdownTimeoutSeconds: e.OCTAVO_SHUTDOWN_TIMEOUT,
    httpTimeouts: {
      requestSeconds: e.OCTAVO_REQUEST_TIMEOUT,
      headersSeconds: Math.min(e.OCTAVO_HEADERS_TIMEOUT, e.OCTAVO_REQUEST_TIMEOUT),
      keepAliveSeconds: e.OCTAVO_KEEP_ALIVE_TIMEOUT,
    },
    sqliteSynchronous: e.OCTAVO_SQLITE_SYNCHRONOUS,
    masterKey,
    adminKey,
    rateLimits: {
      ...DEFAULT_RATE_LIMITS,
      enabled: e.OCTAVO_RATE_LIMITS === 'on',
      ...(connection ? { connectionPerMinute: connection, connectionPerMinuteBusiness: connection } : {}),
      ...(workspace ? { workspacePerMinute: workspace, workspacePerMinuteBusiness: workspace } : {}),
    },
    demo,
    logLevel: e.OCTAVO_LOG_LEVEL,
    allowedHosts,
    trustedProxies,
    files: {
      blobStore: e.OCTAVO_BLOB_STORE === 'auto' ? (postgres ? 'database' : 'local') : e.OCTAVO_BLOB_STORE,
      importAllowPrivate: e.OCTAVO_FILE_IMPORT_ALLOW_PRIVATE === 'on',
      importTimeoutSeconds: e.OCTAVO_FILE_IMPORT_TIMEOUT,
      sweepIntervalSeconds: e.OCTAVO_FILE_SWEEP_INTERVAL,
      ...(e.OCTAVO_BLOB_STORE === 's3' && e.OCTAVO_S3_BUCKET
        ? {
            s3: {
              bucket: e.OCTAVO_S3_BUCKET,
              endpoint: e.OCTAVO_S3_ENDPOINT,
              region: e.OCTAVO_S3_REGION,
              prefix: e.OCTAVO_S3_PREFIX,
              accessKeyId: e.OCTAVO_S3_ACCESS_KEY_ID,
              secretAccessKey: e.OCTAVO_S3_SECRET_ACCESS_KEY,
              forcePathStyle: e.OCTAVO_S3_ENDPOINT !== undefined,
            },
          }
        : {}),
    },
    caches: e.OCTAVO_CACHES === 'on',
    accessLogSample: e.OCTAVO_ACCESS_LOG_SAMPLE,
    emulator: {
      journalSize: e.OCTAVO_JOURNAL_SIZE,
      journalBodies: e.OCTAVO_JOURNAL_BODIES === 'on',
      explain: e.OCTAVO_EXPLAIN === undefined ? demo : e.OCTAVO_EXPLAIN === 'on',
      faults,
    },
    webhooks: {
      enabled: e.OCTAVO_WEBHOOKS === 'on',
      thread: e.OCTAVO_WEBHOOK_THREAD === 'on',
      pollMs: e.OCTAVO_WEBHOOK_POLL_MS,
      concurrency: e.OCTAVO_WEBHOOK_CONCURRENCY,
      timeoutMs: e.OCTAVO_WEBHOOK_TIMEOUT_MS,
      maxAttempts: e.OCTAVO_WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: e.OCTAVO_WEBHOOK_RETRY_BASE_MS,
      aggregationMs: e.OCTAVO_WEBHOOK_AGGREGATION_MS,
      allowPrivate: e.OCTAVO_WEBHOOK_ALLOW_PRIVATE === 'on',
      maxResponseBytes: e.OCTAVO_WEBHOOK_MAX_RESPONSE_BYTES,
      retentionMs: e.OCTAVO_WEBHOOK_RETENTION_MS,
      sweepMs: e.OCTAVO_WEBHOOK_SWEEP_MS,
    },
  }
}
