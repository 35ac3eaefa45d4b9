/**
 * Benchmark of the emulator kit (issue 18, ADR 23). Not a test.
 *
 *   npx tsx bench/emulator.ts [--runs N]      (npm run bench:emulator)
 *
 * In process, as a test suite uses `octavo/testing`:
 *   1. start: `startOctavo()` (default fixture) to the first answered `users.me` through the SDK, N times
 *      (the first start also pays for loading Octavo's modules, reported apart);
 *   2. a 1,000-page fixture (10 sections × 99 pages with 3 blocks each, plus a 10-row database) loaded
 *      through the services, then `reset()` and `snapshot()` + `restore()` N times each, on the
 *      in-memory store (the test library's) and on a SQLite file; and on PostgreSQL when
 *      OCTAVO_TEST_POSTGRES_URL is set (a schema of its own, dropped after).
 * Targets (issue 18): start ≤ 150 ms; reset() and restore() of the 1,000-page fixture ≤ 50 ms (SQLite).
 * Output: a table on stdout and bench/results/emulator-<YYYY-MM-DD>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'

const args = process.argv.slice(2)
const runsArg = args.indexOf('--runs')
const RUNS = runsArg >= 0 ? Number(args[runsArg + 1]) : 20

const importStart = performance.now()
const { startOctavo } = await import('../src/testing.js')
const importMs = performance.now() - importStart

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!
  return { runs: s.length, min: round(s[0]!), p50: round(q(0.5)), p95: round(q(0.95)), max: round(s.at(-1)!) }
}
const round = (x: number) => Math.round(x * 10) / 10

/** 1,000 pages: 10 sections of 1 + 99 pages, each page with a heading, a paragraph and a to-do; a 10-row database. */
function bigFixture() {
  const para = (text: string) => ({ paragraph: { rich_text: [{ text: { content: text } }] } })
  const page = (title: string) => ({
    title,
    content: [
      { heading_2: { rich_text: [{ text: { content: title } }] } },
      para(`Body of ${title}.`),
      { to_do: { rich_text: [{ text: { content: 'Check' } }] } },
    ],
  })
  const sections = Array.from({ length: 10 }, (_, s) => ({
    ...page(`Section ${s}`),
    key: `s${s}`,
    children: Array.from({ length: 99 }, (_, p) => page(`Page ${s}.${p}`)),
  }))
  return {
    workspaces: [
      {
        name: 'Big',
        people: [{ name: 'Ada', email: 'ada@big.test', role: 'owner' as const }],
        pages: [
          ...sections,
          {
            type: 'database' as const,
            title: 'Tasks',
            properties: { Name: { title: {} }, Points: { number: {} } },
            rows: Array.from({ length: 10 }, (_, i) => ({
              properties: { Name: { title: [{ text: { content: `Task ${i}` } }] }, Points: { number: i } },
            })),
          },
        ],
        connections: [{ name: 'Integration', shared_with: sections.map((s) => s.key) }],
      },
    ],
  }
}

type Row = { measure: string; store: string; target_ms?: number; met?: boolean } & ReturnType<typeof stats>
const rows: Row[] = []
const record = (measure: string, store: string, xs: number[], target?: number) => {
  const s = stats(xs)
  const row: Row = { measure, store, ...s, ...(target !== undefined ? { target_ms: target, met: s.p50 <= target } : {}) }
  rows.push(row)
  process.stderr.write(
    `${measure.padEnd(44)} ${store.padEnd(10)} p50 ${String(s.p50).padStart(7)} ms  p95 ${String(s.p95).padStart(7)} ms  (${s.runs} runs)\n`,
  )
}

// 1. Start to first response.
const starts: number[] = []
let firstStart = 0
for (let i = 0; i < RUNS + 1; i++) {
  const t0 = performance.now()
  const octavo = await startOctavo()
  await octavo.notion.users.me({})
  const ms = performance.now() - t0
  if (i === 0) firstStart = ms
  else starts.push(ms)
  await octavo.close()
}
record('start → first users.me (in process)', 'memory', starts, 150)
process.stderr.write(`(first start in this process: ${round(firstStart)} ms; importing octavo/testing: ${round(importMs)} ms)\n`)

// 2. reset / restore of the 1,000-page fixture.
const fixture = bigFixture()
const dir = mkdtempSync(join(tmpdir(), 'octavo-bench-emu-'))
const stores: [string, string | undefined][] = [
  ['memory', undefined],
  ['file', `file:${join(dir, 'octavo.db')}`],
]
const pg = process.env.OCTAVO_TEST_POSTGRES_URL
const pgSchema = `bench_emu_${process.pid}`
if (pg) stores.push(['postgres', `${pg}${pg.includes('?') ? '&' : '?'}schema=${pgSchema}`])
const loadMs: Record<string, number> = {}
for (const [name, databaseUrl] of stores) {
  const t0 = performance.now()
  const octavo = await startOctavo({ fixture, ...(databaseUrl ? { databaseUrl } : {}) })
  loadMs[name] = round(performance.now() - t0)
  const notion = octavo.notion
  const section = octavo.workspace!.pages.s0!
  const resets: number[] = []
  const restores: number[] = []
  const snapshots: number[] = []
  await octavo.snapshot('bench')
  for (let i = 0; i < RUNS; i++) {
    await notion.pages.create({ parent: { page_id: section }, properties: {} })
    let t = performance.now()
    await octavo.reset()
    resets.push(performance.now() - t)
    await notion.pages.create({ parent: { page_id: section }, properties: {} })
    t = performance.now()
    await octavo.restore('bench')
    restores.push(performance.now() - t)
    t = performance.now()
    await octavo.snapshot('bench')
    snapshots.push(performance.now() - t)
  }
  // Still serving the restored state.
  await notion.blocks.children.list({ block_id: section })
  record('reset() of the 1,000-page fixture', name, resets, name === 'postgres' ? undefined : 50)
  record('restore() of the 1,000-page fixture', name, restores, name === 'postgres' ? undefined : 50)
  record('snapshot() of the 1,000-page fixture', name, snapshots)
  await octavo.close()
}
rmSync(dir, { recursive: true, force: true })
if (pg) {
  const { dropPostgresSchema } = await import('../src/storage/postgres-store.js')
  await dropPostgresSchema(pg, pgSchema)
}

const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, load_1m_at_end: round(loadavg()[0]!) },
  node: process.version,
  import_octavo_testing_ms: round(importMs),
  first_start_ms: round(firstStart),
  fixture_load_ms: loadMs,
  rows,
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
const file = new URL(`./results/emulator-${result.date.slice(0, 10)}.json`, import.meta.url)
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`)
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
process.exit(0)
