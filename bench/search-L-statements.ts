/**
 * Search at size L, statement by statement (issue 19, session 9): runs `search()` in process as
 * `bench/search-L-service.ts` does and times every SQLite statement it runs (better-sqlite3's `all`,
 * `get`, `run` wrapped), so the CPU left in one search can be split between the store and JavaScript.
 * Not a test.
 *
 *   npx tsx bench/search-L-statements.ts <dir with a copy of the L octavo.db> [query] [calls]
 *
 * Prints per SQL text: calls per search, mean ms per call and per search; then the search's wall time.
 */
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import Database from 'better-sqlite3'
import { search } from '../src/api/search/search.service.js'
import { loadConfig } from '../src/config.js'
import { createLogger } from '../src/logger.js'
import { createDeps } from '../src/server.js'
import { authenticateBearer } from '../src/services/auth.service.js'
import { BENCH_ADMIN_KEY, BENCH_MASTER_KEY, newestManifestPath } from './lib/store-cache.js'

const [dir, query = 'roadmap', callsArg = '200'] = process.argv.slice(2)
if (!dir) {
  process.stderr.write('usage: tsx bench/search-L-statements.ts <dir with a copy of the L octavo.db> [query] [calls]\n')
  process.exit(2)
}
const timings = new Map<string, { calls: number; ms: number }>()
let recording = false
const prepare = Database.prototype.prepare
Database.prototype.prepare = function (this: Database.Database, text: string) {
  const stmt = prepare.call(this, text) as Database.Statement
  for (const method of ['all', 'get', 'run'] as const) {
    const inner = (stmt[method] as (...a: unknown[]) => unknown).bind(stmt)
    ;(stmt as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      if (!recording) return inner(...args)
      const t = performance.now()
      try {
        return inner(...args)
      } finally {
        const entry = timings.get(text) ?? { calls: 0, ms: 0 }
        entry.calls++
        entry.ms += performance.now() - t
        timings.set(text, entry)
      }
    }
  }
  return stmt
} as typeof prepare

// The manifest of the generated L store (`OCTAVO_BENCH_L_MANIFEST`, or the newest one in bench/.cache).
const manifestPath = newestManifestPath('L')
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { connections: { search: { token: string } } }
const config = loadConfig({ OCTAVO_SECRET_KEY: BENCH_MASTER_KEY, OCTAVO_ADMIN_KEY: BENCH_ADMIN_KEY }, { dataDir: dir })
const deps = await createDeps(config, { logger: createLogger('silent') })
const caller = await authenticateBearer(deps, `Bearer ${manifest.connections.search.token}`)
const ctx = { caller, version: '2025-09-03' as const }
const input = { query, objectFilter: undefined, inTrash: false, direction: 'descending' as const, startCursor: undefined, pageSize: 100 }
for (let i = 0; i < 20; i++) JSON.stringify(await search(deps, ctx, input))
const calls = Number(callsArg)
recording = true
const cpu = process.cpuUsage()
const t0 = performance.now()
for (let i = 0; i < calls; i++) JSON.stringify(await search(deps, ctx, input))
const wall = (performance.now() - t0) / calls
const used = process.cpuUsage(cpu)
recording = false
let inStatements = 0
for (const [text, { calls: n, ms }] of [...timings].sort((a, b) => b[1].ms - a[1].ms)) {
  inStatements += ms / calls
  console.log(
    `${(ms / calls).toFixed(3)} ms/search  ${(n / calls).toFixed(2)} calls  ${(ms / n).toFixed(3)} ms/call  ${text.replace(/\s+/g, ' ').slice(0, 220)}`,
  )
}
console.log(
  `"${query}": wall ${wall.toFixed(2)} ms, CPU ${((used.user + used.system) / 1000 / calls).toFixed(2)} ms per search, in statements ${inStatements.toFixed(2)} ms (load ${(loadavg()[0] ?? 0).toFixed(2)})`,
)
await deps.store.close()
