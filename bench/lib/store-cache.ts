import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { createDeps } from '../../src/server.js'
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
export async function prepareStore(name: string, spec: WorkspaceSpec, seed: number, opts: { copyTo?: string; log?: (m: string) => void } = {}): Promise<PreparedStore> {
  const log = opts.log ?? (() => {})
  const key = `${name}-seed${seed}-g${GENERATOR_VERSION}-${sourceHash()}`
  const dir = join(CACHE_DIR, key)
  let generated = false
  if (!existsSync(join(dir, 'manifest.json'))) {
    const tmp = `${dir}.tmp-${process.pid}`
    rmSync(tmp, { recursive: true, force: true })
    mkdirSync(tmp, { recursive: true })
    const config = loadConfig({ OCTAVO_SECRET_KEY: BENCH_MASTER_KEY, OCTAVO_ADMIN_KEY: BENCH_ADMIN_KEY, OCTAVO_LOG_LEVEL: 'silent' }, { dataDir: tmp })
    const deps = await createDeps(config, { logger: createLogger('silent') })
    let manifest: Manifest
    try {
      manifest = await generateWorkspace(deps, spec, { seed, databasePath: config.databasePath, progress: (m) => log(`[generate ${name}] ${m}`) })
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
  copyFileSync(join(dir, 'octavo.db'), join(opts.copyTo, 'octavo.db'))
  return { dir: opts.copyTo, manifest, generated }
}
