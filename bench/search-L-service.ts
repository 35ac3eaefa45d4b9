/**
 * Search at size L through the search service in process (issue 19, session 6): what `POST /v1/search`
 * costs without HTTP — the bearer token authenticated once, then `search()` (roots, `visibleNodes`,
 * trash of the containers, data sources, presentation) and `JSON.stringify` of its answer. Not a test.
 *
 *   cp bench/.cache/L-seed7-g2-<hash>/octavo.db <dir>/   # a copy: the store is opened read-write
 *   npx tsx bench/search-L-service.ts <dir> [label]
 *   N=95 COLD=2 npx tsx bench/search-L-service.ts <dir> [label]   # 90 measured calls; caches dropped every 2nd
 *
 * For `roadmap` (9,762 matching titles in the workspace) and `roadmap budget` (≈ 240), page_size 100,
 * Notion-Version 2025-09-03, the manifest's `search` connection (1,065 roots, 10% of the pages): 40
 * calls each after 5 warm-up (`N` calls in all), process CPU (mean, median, p95) and wall time per call
 * (median, p95), with the 1-minute load average and a digest of the first answer. `COLD=k` drops the
 * caches' rows and derived entries before every k-th call, as a write would (session 9, ADR 45). The
 * manifest is the newest generated L store's (`OCTAVO_BENCH_L_MANIFEST` to choose). Compare trees by
 * running it on each, alternating.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { search } from '../src/api/search/search.service.js'
import { loadConfig } from '../src/config.js'
import { createLogger } from '../src/logger.js'
import { createDeps } from '../src/server.js'
import { authenticateBearer } from '../src/services/auth.service.js'
import { BENCH_ADMIN_KEY, BENCH_MASTER_KEY, newestManifestPath } from './lib/store-cache.js'

const [dir, label = 'this tree'] = process.argv.slice(2)
if (!dir) {
  process.stderr.write('usage: tsx bench/search-L-service.ts <dir with a copy of the L octavo.db> [label]\n')
  process.exit(2)
}
// The manifest of the generated L store (`OCTAVO_BENCH_L_MANIFEST`, or the newest one in bench/.cache).
const manifestPath = newestManifestPath('L')
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
  connections: { search: { token: string } }
}
const config = loadConfig({ OCTAVO_SECRET_KEY: BENCH_MASTER_KEY, OCTAVO_ADMIN_KEY: BENCH_ADMIN_KEY }, { dataDir: dir })
const deps = await createDeps(config, { logger: createLogger('silent') })
const caller = await authenticateBearer(deps, `Bearer ${manifest.connections.search.token}`)
const ctx = { caller, version: '2025-09-03' as const }
const load = () => (loadavg()[0] ?? 0).toFixed(2)
const pct = (xs: number[], p: number) => (xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN).toFixed(1)
const every = Number(process.env.COLD ?? 0)
for (const query of ['roadmap', 'roadmap budget']) {
  const cpu: number[] = []
  const wall: number[] = []
  let n = 0
  let digest = ''
  for (let i = 0; i < Number(process.env.N ?? 45); i++) {
    // COLD=k (k ≥ 1): as if something was written before every k-th search (the caches' rows and
    // derived entries dropped, as any local commit does); COLD=1: before each.
    if (every > 0 && i % every === 0) deps.caches?.markStale()
    const t = process.cpuUsage()
    const w = performance.now()
    const out = await search(deps, ctx, {
      query,
      objectFilter: undefined,
      inTrash: false,
      direction: 'descending',
      startCursor: undefined,
      pageSize: 100,
    })
    const text = JSON.stringify(out)
    n = text.length
    if (i === 0) digest = createHash('sha256').update(text).digest('hex').slice(0, 12)
    const d = process.cpuUsage(t)
    if (i >= 5) {
      cpu.push((d.user + d.system) / 1000)
      wall.push(performance.now() - w)
    }
  }
  cpu.sort((a, b) => a - b)
  wall.sort((a, b) => a - b)
  console.log(
    `${label}${every > 0 ? ` cold every ${every}` : ''} "${query}" ${n} bytes (sha256 ${digest}): cpu mean ${(cpu.reduce((a, b) => a + b, 0) / cpu.length).toFixed(1)} p50 ${pct(cpu, 0.5)} p95 ${pct(cpu, 0.95)} ms; wall p50 ${pct(wall, 0.5)} p95 ${pct(wall, 0.95)} ms (load ${load()})`,
  )
}
await deps.store.close()
