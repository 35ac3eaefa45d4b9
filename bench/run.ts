import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { GENERATOR_VERSION, SIZES, type SizeName } from './lib/generate.js'
import { CACHE_DIR, ROOT } from './lib/store-cache.js'
import type { BenchContext, Row, Timing } from './lib/types.js'
import { SUITES } from './suites/index.js'

/**
 * `npm run bench [-- --quick] [--size S|M|L] [--only <names>] [--seed <n>] [--no-build] [--cpu-prof]
 *   [--stores sqlite,postgres | --store postgres] [--pg-size S|M|L] [--postgres-url <url>]`
 *
 * Builds Octavo when `dist/` is older than `src/`, prepares generated workspaces (cached in
 * bench/.cache/), runs the suites of bench/suites/index.ts against real server processes over
 * loopback, prints a table, and — for a full run — writes `bench/results/<YYYY-MM-DD>.json` and
 * the generated part of `bench/RESULTS.md` (with `--only`: `bench/results/<date>-only-<names>.json`,
 * `…-<HHMMSS>.json` when that exists, and no RESULTS.md change). `--quick` (size S, short runs, a smoke test of the harness) writes
 * bench/.cache/last-run.json instead. `--only` takes a comma list of suite or
 * workload names (e.g. `--only search,page_read` or `--only scaling-shares`). `--cpu-prof` starts
 * every server with `--cpu-prof` (profiles in the run's scratch dir, kept and printed).
 * PostgreSQL (bench/postgres.md): `--stores` lists the stores to measure; it defaults to
 * `sqlite,postgres` when `OCTAVO_BENCH_POSTGRES_URL` or `OCTAVO_TEST_POSTGRES_URL` is set, else
 * `sqlite`; `--store postgres` measures PostgreSQL alone. The PostgreSQL suite generates its own
 * workspace (`--pg-size`, default S: generating M on PostgreSQL takes minutes) into a fresh schema
 * of that URL (`--postgres-url`, else those variables, else postgres://postgres@127.0.0.1:5432/test)
 * and drops it afterwards; a quick run measures a subset there.
 * See docs/adr/0012-benchmarks.md.
 */

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    size: { type: 'string' },
    only: { type: 'string' },
    seed: { type: 'string', default: '7' },
    'no-build': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    stores: { type: 'string' },
    store: { type: 'string' },
    'pg-size': { type: 'string', default: 'S' },
    'postgres-url': { type: 'string' },
  },
  allowPositionals: false,
})

const quick = args.quick === true
const size = (args.size ?? (quick ? 'S' : 'L')).toUpperCase()
if (!(size in SIZES)) {
  process.stderr.write(`bench: --size must be S, M or L, got "${args.size}"\n`)
  process.exit(2)
}
const seed = Number(args.seed)
if (!Number.isInteger(seed)) {
  process.stderr.write(`bench: --seed must be an integer, got "${args.seed}"\n`)
  process.exit(2)
}
const envPostgresUrl = process.env.OCTAVO_BENCH_POSTGRES_URL || process.env.OCTAVO_TEST_POSTGRES_URL
const stores = new Set(
  (args.store ?? args.stores ?? (envPostgresUrl ? 'sqlite,postgres' : 'sqlite'))
    .split(',')
    .map((x) => x.trim().toLowerCase())
    .filter(Boolean),
)
for (const st of stores) {
  if (st !== 'sqlite' && st !== 'postgres') {
    process.stderr.write(`bench: --stores takes sqlite and/or postgres, got "${st}"\n`)
    process.exit(2)
  }
}
const pgSize = (args['pg-size'] ?? 'S').toUpperCase()
if (!(pgSize in SIZES)) {
  process.stderr.write(`bench: --pg-size must be S, M or L, got "${args['pg-size']}"\n`)
  process.exit(2)
}
const postgresUrl = args['postgres-url'] ?? envPostgresUrl ?? 'postgres://postgres@127.0.0.1:5432/test'
const only = args.only
  ? new Set(
      args.only
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
  : undefined
const WORKLOAD_SUITE_ITEMS = new Set([
  'users_me',
  'page_read',
  'children',
  'search',
  'search_selective',
  'ds_query',
  'append',
  'page_update',
  'not_found',
  'bad_token',
  'depth',
  'page_depth1',
  'page_depth10',
  'page_depth50',
])

const log = (m: string) => process.stderr.write(`${m}\n`)
const started = Date.now()

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs)
  }
  return newest
}

function buildIfStale(): void {
  const main = join(ROOT, 'dist/octavo.mjs')
  if (args['no-build'] && existsSync(main)) return
  if (existsSync(main) && statSync(main).mtimeMs >= newestMtime(join(ROOT, 'src'))) {
    log('build: dist/ is up to date')
    return
  }
  log('build: npm run build')
  const res = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' })
  if (res.status !== 0) process.exit(res.status ?? 1)
}

const timing: Timing = quick ? { warm: 0, saturate: 1, fixed: 1, connections: 10 } : { warm: 1, saturate: 5, fixed: 5, connections: 10 }

function fmt(n: number | undefined, digits = 0): string {
  return n === undefined || Number.isNaN(n) ? '' : n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

function table(rows: Row[]): string[][] {
  const head = [
    'suite',
    'measure',
    'store',
    'size',
    'req/s',
    'cpu ms/req',
    'ratio',
    'cpu ratio',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'at req/s',
    'value',
    'target',
    'met',
    'load',
  ]
  return [
    head,
    ...rows.map((r) => [
      r.suite,
      r.name,
      r.store ?? 'sqlite',
      r.size ?? '',
      fmt(r.rps),
      fmt(r.cpuMs, 3),
      r.ratio === undefined ? '' : `${r.ratio.toFixed(2)} × ${r.ratioOf}`,
      r.cpuRatio === undefined ? '' : r.cpuRatio.toFixed(2),
      fmt(r.p50, 2),
      fmt(r.p95, 2),
      fmt(r.p99, 2),
      fmt(r.rate),
      r.value === undefined ? '' : `${fmt(r.value)} ${r.unit ?? ''}`,
      r.target ?? '',
      r.met === undefined ? '' : r.met ? 'yes' : 'NO',
      r.load === undefined ? '' : r.load.toFixed(1),
    ]),
  ]
}

function printTable(cells: string[][]): string {
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length))) ?? []
  return cells
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

function markdownTable(cells: string[][]): string {
  const [head, ...body] = cells
  const line = (row: string[]) => `| ${row.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`
  return [line(head ?? []), line((head ?? []).map(() => '---')), ...body.map(line)].join('\n')
}

const BEGIN = '<!-- bench:results:begin (generated by npm run bench; edit outside these markers) -->'
const END = '<!-- bench:results:end -->'

function writeResultsMd(date: string, rows: Row[], meta: Record<string, unknown>): void {
  const path = join(ROOT, 'bench/RESULTS.md')
  const block = [
    BEGIN,
    `Last full run: ${date} — ${meta.cpus} × ${meta.cpuModel}, Node ${meta.node}, load average ${meta.loadBefore} before / ${meta.loadAfter} after (the \`load\` column: 1-minute load average when each suite started), ${meta.minutes} min, seed ${seed}, workloads at size ${size}${stores.has('postgres') ? `, PostgreSQL at size ${pgSize}` : ''}. Raw: [results/${date}.json](results/${date}.json).`,
    '',
    '### SQLite',
    '',
    markdownTable(table(rows.filter((r) => r.store !== 'postgres' && r.suite !== 'data-sources'))),
    ...(rows.some((r) => r.suite === 'data-sources')
      ? [
          '',
          '### Data sources (issue 3): 12 property types, SQLite, one connection back to back',
          '',
          markdownTable(table(rows.filter((r) => r.suite === 'data-sources'))),
        ]
      : []),
    ...(rows.some((r) => r.store === 'postgres')
      ? [
          '',
          `### PostgreSQL (issue 6): the same workloads at size ${pgSize}, PostgreSQL 15 on the same machine, pool of 20`,
          '',
          markdownTable(table(rows.filter((r) => r.store === 'postgres'))),
        ]
      : []),
    END,
  ].join('\n')
  const current = existsSync(path) ? readFileSync(path, 'utf8') : `# Benchmark results\n\n${BEGIN}\n${END}\n`
  const at = current.indexOf(BEGIN)
  const end = current.indexOf(END)
  const next = at >= 0 && end > at ? current.slice(0, at) + block + current.slice(end + END.length) : `${current}\n${block}\n`
  writeFileSync(path, next)
}

async function main(): Promise<void> {
  buildIfStale()
  mkdirSync(CACHE_DIR, { recursive: true })
  const tmp = mkdtempSync(join(tmpdir(), 'octavo-bench-'))
  const loadBefore = loadavg()[0]?.toFixed(1)
  const ctx: BenchContext = {
    quick,
    size: size as SizeName,
    seed,
    timing,
    selected: (name) => !only || only.has(name),
    nodeFlags: args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${join(tmp, 'profiles')}`] : [],
    tmp,
    log,
    shared: new Map(),
    ...(stores.has('postgres') ? { postgres: { url: postgresUrl, size: pgSize as SizeName } } : {}),
  }
  log(
    `bench: ${quick ? 'quick' : 'full'} run, size ${size}, seed ${seed}, stores ${[...stores].join(' + ')}${stores.has('postgres') ? ` (postgres at ${pgSize})` : ''}, ${cpus().length} cores, load average ${loadBefore}`,
  )
  const rows: Row[] = []
  const suiteSeconds: Record<string, number> = {}
  try {
    for (const suite of SUITES) {
      if (!stores.has(suite.store ?? 'sqlite')) continue
      const runsWorkloads = suite.name.startsWith('workloads') && only && [...only].some((n) => WORKLOAD_SUITE_ITEMS.has(n))
      if (only && !only.has(suite.name) && !runsWorkloads) continue
      const suiteCtx = runsWorkloads || !only ? ctx : { ...ctx, selected: () => true }
      const load = Number(loadavg()[0]?.toFixed(1))
      const suiteStarted = Date.now()
      log(`\n== ${suite.name} (load average ${load})`)
      try {
        rows.push(...(await suite.run(suiteCtx)).map((r) => ({ ...r, load: r.load ?? load })))
      } catch (err) {
        log(`suite ${suite.name} failed: ${err instanceof Error ? err.stack : String(err)}`)
        rows.push({
          suite: suite.name,
          name: 'FAILED',
          load,
          ...(suite.store ? { store: suite.store } : {}),
          note: err instanceof Error ? err.message : String(err),
        })
      }
      suiteSeconds[suite.name] = Math.round((Date.now() - suiteStarted) / 100) / 10
      log(`== ${suite.name}: ${suiteSeconds[suite.name]} s`)
    }
  } finally {
    if (args['cpu-prof']) log(`profiles kept in ${join(tmp, 'profiles')}`)
    else rmSync(tmp, { recursive: true, force: true })
  }
  const cells = table(rows)
  process.stdout.write(`\n${printTable(cells)}\n`)
  const date = new Date().toISOString().slice(0, 10)
  const meta = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    loadBefore,
    loadAfter: loadavg()[0]?.toFixed(1),
    minutes: ((Date.now() - started) / 60_000).toFixed(1),
    suiteSeconds,
  }
  const result = {
    date,
    mode: quick ? 'quick' : 'full',
    seed,
    size,
    stores: [...stores],
    postgresSize: stores.has('postgres') ? pgSize : null,
    generator: GENERATOR_VERSION,
    timing,
    machine: meta,
    only: only ? [...only] : null,
    rows,
  }
  if (quick) {
    writeFileSync(join(CACHE_DIR, 'last-run.json'), `${JSON.stringify(result, null, 2)}\n`)
    log(`\nquick run: wrote bench/.cache/last-run.json (${meta.minutes} min)`)
  } else if (only || !stores.has('sqlite')) {
    // A partial full-length run (some suites, or PostgreSQL alone) is kept next to the full runs,
    // without touching RESULTS.md.
    const base = `bench/results/${date}${stores.has('sqlite') ? '' : `-postgres-${pgSize}`}${only ? `-only-${[...only].join('+')}` : ''}`
    // A second partial run of the same day and suites gets its time in the name instead of replacing the first.
    const file = existsSync(join(ROOT, `${base}.json`))
      ? `${base}-${new Date().toISOString().slice(11, 19).replaceAll(':', '')}.json`
      : `${base}.json`
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true })
    writeFileSync(join(ROOT, file), `${JSON.stringify(result, null, 2)}\n`)
    log(`\npartial run: wrote ${file} (${meta.minutes} min)`)
  } else {
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true })
    writeFileSync(join(ROOT, `bench/results/${date}.json`), `${JSON.stringify(result, null, 2)}\n`)
    writeResultsMd(date, rows, meta)
    log(`\nwrote bench/results/${date}.json and bench/RESULTS.md (${meta.minutes} min)`)
  }
}

await main()
