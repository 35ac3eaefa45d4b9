import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Manifest } from './generate.js'
import type { RunningServer } from '../../src/server.js'

/**
 * The real server of the tree at `repo` (its own `src/`, generator and migrations: trees are compared
 * by alternating runs, bench/request-cpu.ts and bench/request-alloc.ts), started in this process on a
 * copy of that tree's generated size-S store (seed 7; cached per tree, the key names their source), log
 * level `warn`, without the demo, webhooks or rate limits. `close()` stops it and removes the copy.
 * `prefix` names the temporary data directory.
 */
export async function startRepoServer(
  repo: string,
  prefix: string,
): Promise<{ server: RunningServer; manifest: Manifest; close(): Promise<void> }> {
  const { loadConfig } = (await import(join(repo, 'src/config.ts'))) as typeof import('../../src/config.js')
  const { createLogger } = (await import(join(repo, 'src/logger.ts'))) as typeof import('../../src/logger.js')
  const { startServer } = (await import(join(repo, 'src/server.ts'))) as typeof import('../../src/server.js')
  const { SIZES } = (await import(join(repo, 'bench/lib/generate.ts'))) as typeof import('./generate.js')
  const { BENCH_ADMIN_KEY, BENCH_MASTER_KEY, prepareStore } = (await import(
    join(repo, 'bench/lib/store-cache.ts')
  )) as typeof import('./store-cache.js')
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const { manifest } = await prepareStore('S', SIZES.S, 7, { copyTo: dir, log: (l) => process.stderr.write(`${l}\n`) })
  const config = loadConfig({
    OCTAVO_DATA_DIR: dir,
    OCTAVO_PORT: '0',
    OCTAVO_HOST: '127.0.0.1',
    OCTAVO_DEMO: 'off',
    OCTAVO_LOG_LEVEL: 'warn',
    OCTAVO_WEBHOOKS: 'off',
    OCTAVO_RATE_LIMITS: 'off',
    OCTAVO_SECRET_KEY: BENCH_MASTER_KEY,
    OCTAVO_ADMIN_KEY: BENCH_ADMIN_KEY,
  })
  const server = await startServer(config, { logger: createLogger('warn') })
  return {
    server,
    manifest,
    close: async () => {
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
