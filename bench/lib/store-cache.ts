import { createHash, randomBytes } from 'node:crypto'
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  openSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { createDeps } from '../../src/server.js'
import { dropPostgresSchema } from '../../src/storage/postgres-store.js'
import { openStore } from '../../src/storage/store.js'
import { openPostgresBulkWriter } from './bulk.js'
import { GENERATOR_VERSION, generateWorkspace, type Manifest, type WorkspaceSpec } from './generate.js'

/**
 * Generated stores are cached under `bench/.cache/` (gitignored) and reused while the generator
 * version, the seed, the shape, and the source of the generator and of the migrations are the same.
 * A run works on a copy, so the write workloads never change the cached store.
 */

const here = dirname(fileURLToPath(import.meta.url))
export const ROOT = resolve(here, '../..')
export const CACHE_DIR = join(ROOT, 'bench/.cache')

/** Master key of every benchmark store (tokens are sealed with keys derived from it). Not a secret. */
export const BENCH_MASTER_KEY = 'b0'.repeat(32)
export const BENCH_ADMIN_KEY = 'octavo_admin_bench_not_a_secret'

/** Hash of what decides the generated content: the generator, the PRNG and the migrations. */
function sourceHash(): string {
  const h = createHash('sha256')
  const files = [join(here, 'generate.ts'), join(here, 'prng.ts')]
  const migrations = join(ROOT, 'src/storage/migrations')
  for (const f of readdirSync(migrations).sort()) files.push(join(migrations, f))
  for (const f of files) h.update(f.slice(ROOT.length)).update(readFileSync(f))
  return h.digest('hex').slice(0, 12)
}

export interface PreparedStore {
  /** Directory holding `octavo.db` (a private copy when `copyTo` was given). */
  dir: string
  manifest: Manifest
  /** Whether the store was generated now (false: taken from the cache). */
  generated: boolean
}

/**
 * Returns a store with the workspace `name`/`spec`/`seed`, generating it into the cache when absent.
 * With `copyTo`, the database file is copied there so the run can write to it.
 */
export async function prepareStore(
  name: string,
  spec: WorkspaceSpec,
  seed: number,
  opts: { copyTo?: string; log?: (m: string) => void } = {},
): Promise<PreparedStore> {
  const log = opts.log ?? (() => {})
  const key = `${name}-seed${seed}-g${GENERATOR_VERSION}-${sourceHash()}`
  const dir = join(CACHE_DIR, key)
  let generated = false
  if (!existsSync(join(dir, 'manifest.json'))) {
    const tmp = `${dir}.tmp-${process.pid}`
    rmSync(tmp, { recursive: true, force: true })
    mkdirSync(tmp, { recursive: true })
    const config = loadConfig(
      { OCTAVO_SECRET_KEY: BENCH_MASTER_KEY, OCTAVO_ADMIN_KEY: BENCH_ADMIN_KEY, OCTAVO_LOG_LEVEL: 'silent' },
      { dataDir: tmp },
    )
    const deps = await createDeps(config, { logger: createLogger('silent') })
    let manifest: Manifest
    try {
      manifest = await generateWorkspace(deps, spec, {
        seed,
        databasePath: config.databasePath,
        progress: (m) => log(`[generate ${name}] ${m}`),
      })
    } finally {
      await deps.store.close()
    }
    writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2))
    rmSync(dir, { recursive: true, force: true })
    renameSync(tmp, dir)
    generated = true
    log(`[generate ${name}] done in ${manifest.seconds.toFixed(1)} s`)
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest
  if (!opts.copyTo) return { dir, manifest, generated }
  mkdirSync(opts.copyTo, { recursive: true })
  const copy = join(opts.copyTo, 'octavo.db')
  copyFileSync(join(dir, 'octavo.db'), copy)
  // The copy (1.4 GB at L) is flushed before the server starts: otherwise its write-back competes with
  // the server's first reads, and the start-up at L measured the harness's copy (2.5 s against 0.6 s).
  const fd = openSync(copy, 'r+')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  return { dir: opts.copyTo, manifest, generated }
}

export interface PostgresWorkspace {
  /** `OCTAVO_DATABASE_URL` of the generated workspace (`…?schema=bench_…`). */
  url: string
  schema: string
  manifest: Manifest
  /** Drops the schema and everything in it. */
  drop(): Promise<void>
}

/**
 * Generates a workspace into a fresh PostgreSQL schema of the database at `baseUrl` (not cached:
 * the write workloads change it, and schemas are dropped after the run — bench/postgres.md). The
 * same generator as for SQLite, with the PostgreSQL bulk writer. On failure the schema is dropped.
 * @throws Error when PostgreSQL is unreachable or generation fails.
 */
export async function generatePostgresWorkspace(
  label: string,
  spec: WorkspaceSpec,
  seed: number,
  baseUrl: string,
  opts: { log?: (m: string) => void } = {},
): Promise<PostgresWorkspace> {
  const log = opts.log ?? (() => {})
  const schema = `bench_${label.toLowerCase().replace(/[^a-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`
  const u = new URL(baseUrl)
  u.searchParams.set('schema', schema)
  const url = u.toString()
  const drop = () => dropPostgresSchema(baseUrl, schema)
  const tmp = join(CACHE_DIR, `pg-${schema}`)
  mkdirSync(tmp, { recursive: true })
  try {
    const store = await openStore(url, { poolMax: 4 })
    try {
      const config = loadConfig(
        { OCTAVO_SECRET_KEY: BENCH_MASTER_KEY, OCTAVO_ADMIN_KEY: BENCH_ADMIN_KEY, OCTAVO_LOG_LEVEL: 'silent', OCTAVO_DATABASE_URL: url },
        { dataDir: tmp },
      )
      const deps = await createDeps(config, { logger: createLogger('silent'), store })
      const manifest = await generateWorkspace(deps, spec, {
        seed,
        openBulk: async () => openPostgresBulkWriter(store.db),
        progress: (m) => log(`[generate ${label} on postgres] ${m}`),
      })
      log(`[generate ${label} on postgres] done in ${manifest.seconds.toFixed(1)} s (schema ${schema})`)
      return { url, schema, manifest, drop }
    } finally {
      await store.close()
    }
  } catch (err) {
    await drop().catch(() => {})
    throw err
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

/**
 * Path of the manifest of the newest generated store of size `size` in the cache (e.g. `L`), or
 * `OCTAVO_BENCH_L_MANIFEST` for `L` when set. @throws Error when there is none.
 */
export function newestManifestPath(size: string): string {
  const override = size === 'L' ? process.env.OCTAVO_BENCH_L_MANIFEST : undefined
  if (override) return override
  const found = (existsSync(CACHE_DIR) ? readdirSync(CACHE_DIR) : [])
    .filter((d) => d.startsWith(`${size}-`) && existsSync(join(CACHE_DIR, d, 'manifest.json')))
    .map((d) => join(CACHE_DIR, d, 'manifest.json'))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]
  if (!found) throw new Error(`no generated ${size} store in ${CACHE_DIR}`)
  return found
}
