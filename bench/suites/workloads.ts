import type { BenchContext, Row, Suite } from '../lib/types.js'
import { measure, measureHello, pageAtDepth, rowOf, serveWorkspace, specOf, workloadsOf, type Measured } from './common.js'

/**
 * The workloads on one workspace (`--size`, L by default), each at saturation and at half of
 * it, as ratios to a hello-world route measured before and after them; then the page read with the
 * granting share 1, 10 and 50 levels up on the same server; and the server's memory (idle after
 * start-up, peak under load) and start-up time at that size.
 */
export const workloadsSuite: Suite = {
  name: 'workloads',
  async run(ctx: BenchContext): Promise<Row[]> {
    const rows: Row[] = []
    const { server, manifest } = await serveWorkspace(ctx, ctx.size, specOf(ctx.size))
    ctx.shared.set(`manifest:${ctx.size}`, manifest)
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
      ctx.log(`workloads at ${ctx.size} (${manifest.counts.pages.toLocaleString('en')} pages, ${manifest.counts.blocks.toLocaleString('en')} blocks, ${manifest.counts.shares.toLocaleString('en')} shares):`)
      for (const w of workloadsOf(manifest)) {
        if (!ctx.selected(w.name)) continue
        results.set(w.name, await measure(ctx, server, w, sample))
        ;(results.get(w.name) as Measured & { title?: string }).title = w.title
      }
      for (const depth of [1, 10, 50]) {
        const w = pageAtDepth(manifest, depth)
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
    ctx.shared.set('hello', hello)
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
      const row = rowOf(name.startsWith('page_depth') ? 'scaling-depth' : 'workloads', title, ctx.size, m, hello, 'hello-world', helloCpu)
      if (name === 'page_read') {
        row.target = '≥ 0.50 of hello-world; p99 ≤ 5 ms at half saturation'
        row.met = (row.ratio ?? 0) >= 0.5 && (row.p99 ?? Infinity) <= 5
      }
      if (name === 'search' && ctx.size === 'L') {
        row.target = 'p95 ≤ 20 ms at L'
        row.met = (row.p95 ?? Infinity) <= 20
      }
      rows.push(row)
    }
    const d1 = results.get('page_depth1')
    const d50 = results.get('page_depth50')
    if (d1 && d50) {
      const r = d50.saturated.rps / d1.saturated.rps
      rows.push({ suite: 'scaling-depth', name: 'page read: share 50 levels up vs 1 level up', size: ctx.size, ratio: r, ratioOf: 'depth 1', target: 'within 10%', met: Math.abs(1 - r) <= 0.1 })
    }
    rows.push({ suite: 'resources', name: `start-up to first successful GET /v1/users/me at ${ctx.size}`, size: ctx.size, value: startupMs, unit: 'ms', note: `CPU used by then: ${startupCpuMs.toFixed(0)} ms`, ...(ctx.size === 'L' ? { target: '≤ 3000 ms at L', met: startupMs <= 3000 } : {}) })
    rows.push({ suite: 'resources', name: `RSS idle after start-up at ${ctx.size}`, size: ctx.size, value: idleRss, unit: 'MB' })
    rows.push({ suite: 'resources', name: `RSS under load at ${ctx.size} (peak)`, size: ctx.size, value: loadRss, unit: 'MB', ...(ctx.size === 'L' ? { target: '≤ 300 MB at L', met: loadRss <= 300 } : {}) })
    return rows
  },
}
