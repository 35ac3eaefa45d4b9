import type { Manifest, SizeName } from '../lib/generate.js'
import { spawnServer, type ServerProcess } from '../lib/proc.js'
import { generatePostgresWorkspace } from '../lib/store-cache.js'
import type { BenchContext, Row, Suite } from '../lib/types.js'
import { measure, measureHello, pageAtDepth, rowOf, serveWorkspace, specOf, workloadsOf, type Measured } from './common.js'

/**
 * The workloads on one workspace (`--size`, L by default), each at saturation and at half of
 * it, as ratios to a hello-world route measured before and after them; then the page read with the
 * granting share 1, 10 and 50 levels up on the same server; and the server's memory (idle after
 * start-up, peak under load) and start-up time at that size.
 */
interface RunOptions {
  store: 'sqlite' | 'postgres'
  size: SizeName
  /** Workload names to run (all when absent); `depth` selects the depth reads. */
  subset?: Set<string>
  /** Depths of the depth reads. */
  depths: number[]
}

/** Runs the workloads on a served workspace and stops the server; the rows carry `opts.store`. */
async function runWorkloads(ctx: BenchContext, server: ServerProcess, manifest: Manifest, opts: RunOptions): Promise<Row[]> {
  const rows: Row[] = []
  const size = opts.size
  const wanted = (name: string) => ctx.selected(name) && (!opts.subset || opts.subset.has(name))
  const startupMs = server.startupMs
  const startupCpuMs = server.cpuMs()
  const idleRss = server.rssMb()
  let loadRss = idleRss
  const sample = () => {
    loadRss = Math.max(loadRss, server.rssMb())
  }
  const results = new Map<string, Measured>()
  let helloBefore: Measured | undefined
  try {
    ctx.log('hello-world baseline (before):')
    helloBefore = await measureHello(ctx)
    ctx.log(
      `workloads on ${opts.store} at ${size} (${manifest.counts.pages.toLocaleString('en')} pages, ${manifest.counts.blocks.toLocaleString('en')} blocks, ${manifest.counts.shares.toLocaleString('en')} shares):`,
    )
    for (const w of workloadsOf(manifest)) {
      if (!wanted(w.name)) continue
      results.set(w.name, await measure(ctx, server, w, sample))
      ;(results.get(w.name) as Measured & { title?: string }).title = w.title
    }
    for (const depth of opts.depths) {
      const w = pageAtDepth(manifest, depth)
      if (opts.subset && !opts.subset.has('depth')) continue
      if (!ctx.selected('depth') && !ctx.selected(w.name)) continue
      results.set(w.name, await measure(ctx, server, w, sample))
      ;(results.get(w.name) as Measured & { title?: string }).title = w.title
    }
    sample()
    loadRss = Math.max(loadRss, server.peakRssMb())
  } finally {
    await server.stop()
  }
  ctx.log('hello-world baseline (after):')
  const helloAfter = await measureHello(ctx)
  const hello = ((helloBefore?.saturated.rps ?? helloAfter.saturated.rps) + helloAfter.saturated.rps) / 2
  const helloCpu = ((helloBefore?.cpuMsPerRequest ?? helloAfter.cpuMsPerRequest) + helloAfter.cpuMsPerRequest) / 2
  if (opts.store === 'sqlite') ctx.shared.set('hello', hello)
  rows.push({
    ...rowOf('workloads', 'GET /hello (hello-world, same stack)', '-', helloAfter, hello, 'hello-world', helloCpu),
    rps: hello,
    cpuMs: helloCpu,
    ratio: 1,
    cpuRatio: 1,
    note: `before ${helloBefore?.saturated.rps.toFixed(0)} / after ${helloAfter.saturated.rps.toFixed(0)} req/s`,
  })
  for (const [name, m] of results) {
    const title = (m as Measured & { title: string }).title
    const row = rowOf(name.startsWith('page_depth') ? 'scaling-depth' : 'workloads', title, size, m, hello, 'hello-world', helloCpu)
    if (name === 'page_read') {
      row.target = '≥ 0.50 of hello-world; p99 ≤ 5 ms at half saturation'
      row.met = (row.ratio ?? 0) >= 0.5 && (row.p99 ?? Infinity) <= 5
    }
    if (name === 'search' && size === 'L') {
      row.target = 'p95 ≤ 20 ms at L'
      row.met = (row.p95 ?? Infinity) <= 20
    }
    rows.push(row)
  }
  const d1 = results.get('page_depth1')
  const d50 = results.get('page_depth50')
  if (d1 && d50) {
    const r = d50.saturated.rps / d1.saturated.rps
    rows.push({
      suite: 'scaling-depth',
      name: 'page read: share 50 levels up vs 1 level up',
      size: size,
      ratio: r,
      ratioOf: 'depth 1',
      target: 'within 10%',
      met: Math.abs(1 - r) <= 0.1,
    })
  }
  rows.push({
    suite: 'resources',
    name: `start-up to first successful GET /v1/users/me at ${size}`,
    size: size,
    value: startupMs,
    unit: 'ms',
    note: `CPU used by then: ${startupCpuMs.toFixed(0)} ms`,
    ...(size === 'L' ? { target: '≤ 3000 ms at L', met: startupMs <= 3000 } : {}),
  })
  rows.push({ suite: 'resources', name: `RSS idle after start-up at ${size}`, size: size, value: idleRss, unit: 'MB' })
  rows.push({
    suite: 'resources',
    name: `RSS under load at ${size} (peak)`,
    size: size,
    value: loadRss,
    unit: 'MB',
    ...(size === 'L' ? { target: '≤ 300 MB at L', met: loadRss <= 300 } : {}),
  })
  return rows.map((r) => ({ ...r, store: opts.store }))
}

export const workloadsSuite: Suite = {
  name: 'workloads',
  async run(ctx: BenchContext): Promise<Row[]> {
    const { server, manifest } = await serveWorkspace(ctx, ctx.size, specOf(ctx.size))
    ctx.shared.set(`manifest:${ctx.size}`, manifest)
    return runWorkloads(ctx, server, manifest, { store: 'sqlite', size: ctx.size, depths: [1, 10, 50] })
  },
}

/** What a quick run measures on PostgreSQL (a subset, to stay under a minute). */
const POSTGRES_QUICK = new Set(['users_me', 'page_read'])

/**
 * The same workloads on PostgreSQL (issue 6; bench/postgres.md): the workspace is generated into a
 * fresh schema of `ctx.postgres.url` (size `ctx.postgres.size`), served by the same `octavo serve`
 * with `OCTAVO_DATABASE_URL` and a pool of 20 (above the 10 load connections), then dropped. Depth
 * reads at 1 and 50 levels; a quick run measures a subset. Ratios are to a hello-world measured in
 * this suite, before and after.
 */
export const postgresWorkloadsSuite: Suite = {
  name: 'workloads-postgres',
  store: 'postgres',
  async run(ctx: BenchContext): Promise<Row[]> {
    const pg = ctx.postgres
    if (!pg) return []
    const t = Date.now()
    const ws = await generatePostgresWorkspace(pg.size, specOf(pg.size), ctx.seed, pg.url, { log: ctx.log })
    const generatedS = (Date.now() - t) / 1000
    try {
      const server = await spawnServer('octavo', {
        dataDir: `${ctx.tmp}/pg-${ws.schema}`,
        databaseUrl: ws.url,
        poolMax: 20,
        nodeFlags: ctx.nodeFlags,
        cwd: ctx.tmp,
        ready: { path: '/v1/users/me', token: ws.manifest.connections.bench.token },
        timeoutMs: 120_000,
      })
      const rows = await runWorkloads(ctx, server, ws.manifest, {
        store: 'postgres',
        size: pg.size,
        depths: [1, 50],
        ...(ctx.quick ? { subset: POSTGRES_QUICK } : {}),
      })
      rows.push({
        suite: 'resources',
        store: 'postgres',
        name: `generate the workspace at ${pg.size} into a fresh schema`,
        size: pg.size,
        value: generatedS,
        unit: 's',
      })
      return rows
    } finally {
      await ws.drop()
    }
  },
}
