/**
 * Search at size L in process (issue 19, session 6): CPU per `visibleNodes` call (the storage query
 * behind `POST /v1/search`) of this tree against main's copy, alternating. Not a test.
 *
 *   npx tsx bench/search-L.ts [store dir, default bench/.cache/L-seed7-g2-fd62eb404d14] [rounds, default 4]
 *
 * Opens the cached L store read-only (Kysely over better-sqlite3, no migration), takes the readable
 * roots of the manifest's `search` connection (1,065 roots, 10% of the pages), and for each query
 * times 30 calls (limit 101, descending, pages and databases, not trashed, no cursor; after 5 warm-up
 * calls) by process CPU, printing median / min / p90 with the 1-minute load average. Before timing it
 * checks that both implementations return the same ids in the same order for a set of variants
 * (directions, types, trash, a cursor from the first page, other queries) and exits 1 otherwise.
 * `MAIN_MODULE` (env) names main's copy of search.repository.ts to compare with, by default a scratch copy
 * next to it (not committed):
 *
 *   git show 2aad6f0:src/storage/repositories/search.repository.ts > src/storage/repositories/search-main-s19tmp.ts
 */
import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import type { Database } from '../src/storage/database.js'
import { rootsVisibleTo } from '../src/storage/repositories/acl.repository.js'
import { visibleNodes, type VisibleNodesQuery } from '../src/storage/repositories/search.repository.js'

const dir = resolve(process.argv[2] ?? 'bench/.cache/L-seed7-g2-fd62eb404d14')
const rounds = Number(process.argv[3] ?? 4)
const mainModule = process.env.MAIN_MODULE ?? '../src/storage/repositories/search-main-s19tmp.js'
const main = (await import(mainModule)) as { visibleNodes: typeof visibleNodes }
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
  workspaceId: string
  connections: { search: { id: string } }
}
const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(join(dir, 'octavo.db'), { readonly: true }) }) })
const conn = await db.selectFrom('connection').select('bot_id').where('id', '=', manifest.connections.search.id).executeTakeFirstOrThrow()
const roots = await rootsVisibleTo(db, [`bot:${conn.bot_id}`])
const load = () => (loadavg()[0] ?? 0).toFixed(2)
const base = (title: string): VisibleNodesQuery => ({
  workspaceId: manifest.workspaceId,
  roots,
  types: ['child_page', 'child_database'],
  titleContains: title,
  inTrash: false,
  direction: 'descending',
  after: undefined,
  limit: 101,
})
console.log(`roots ${roots.length}, load ${load()}`)

// Same answers first.
const variants: VisibleNodesQuery[] = []
for (const title of ['roadmap', 'roadmap budget', 'road', 'oad', 'ro', 'zzzq']) {
  variants.push(base(title), { ...base(title), direction: 'ascending' }, { ...base(title), types: ['child_page'] })
  variants.push({ ...base(title), types: ['child_database'] }, { ...base(title), inTrash: true }, { ...base(title), limit: 3 })
}
for (const v of [...variants]) {
  const first = await main.visibleNodes(db, v)
  const at = first[Math.floor(first.length / 2)]
  if (at)
    variants.push(
      { ...v, after: { time: at.last_edited_time, id: at.id, inclusive: true } },
      { ...v, after: { time: at.last_edited_time, id: at.id, inclusive: false } },
    )
}
for (const v of variants) {
  const a = (await main.visibleNodes(db, v)).map((r) => r.id).join()
  const b = (await visibleNodes(db, v)).map((r) => r.id).join()
  if (a !== b) {
    console.log('DIFFERENT', JSON.stringify({ ...v, roots: v.roots.length }))
    process.exit(1)
  }
}
console.log(`same results for ${variants.length} variants`)

async function time(label: string, fn: typeof visibleNodes, title: string) {
  const xs: number[] = []
  let n = 0
  for (let i = 0; i < 35; i++) {
    const t = process.cpuUsage()
    n = (await fn(db, base(title))).length
    const d = process.cpuUsage(t)
    if (i >= 5) xs.push((d.user + d.system) / 1000)
  }
  xs.sort((a, b) => a - b)
  const f = (x: number) => x.toFixed(1)
  const at = (i: number) => f(xs[i] ?? NaN)
  console.log(`${label} "${title}" rows ${n} cpu median ${at(15)} ms, min ${at(0)} p90 ${at(27)} (load ${load()})`)
}
for (let r = 0; r < rounds; r++) {
  for (const [label, fn] of [
    ['main  ', main.visibleNodes],
    ['branch', visibleNodes],
  ] as const) {
    for (const title of ['roadmap', 'roadmap budget']) await time(label, fn, title)
  }
}
