import type { SizeName } from '../lib/generate.js'
import type { BenchContext, Row, Suite } from '../lib/types.js'
import { measure, pageAtDepth, rowOf, searchWorkload, serveWorkspace, specOf, type Measured } from './common.js'

/**
 * Scaling with the workspace: the page read (share 20 levels up) in M-sized workspaces with 10,
 * 1,000 and 10,000 connection shares; search at S, M and L. Each as a ratio to the smallest case,
 * so a flat line (ratios near 1) shows the design holds. Every case is its own server on its own
 * store. (Depth scaling runs in the workloads suite, on the main workspace.)
 */
export const sharesSuite: Suite = {
  name: 'scaling-shares',
  async run(ctx: BenchContext): Promise<Row[]> {
    const counts = ctx.quick ? [10, 100] : [10, 1_000, 10_000]
    const size: SizeName = ctx.quick ? 'S' : 'M'
    const results: [number, Measured][] = []
    for (const shares of counts) {
      const label = shares === specOf(size).shares ? size : `${size}-shares${shares}`
      const { server, manifest } = await serveWorkspace(ctx, label, specOf(size, shares))
      try {
        ctx.log(`page read at ${size} with ${manifest.counts.shares.toLocaleString('en')} shares:`)
        results.push([manifest.counts.shares, await measure(ctx, server, { ...pageAtDepth(manifest, 20), name: `shares_${shares}` })])
      } finally {
        await server.stop()
      }
    }
    const base = results[0]?.[1].saturated.rps
    const rows = results.map(([shares, m]) =>
      rowOf(
        'scaling-shares',
        `page read, ${shares.toLocaleString('en')} shares in the workspace`,
        size,
        m,
        base,
        `${results[0]?.[0]} shares`,
      ),
    )
    const last = rows.at(-1)
    if (last && !ctx.quick) {
      last.target = 'within 10% of 10 shares'
      last.met = Math.abs(1 - (last.ratio ?? 0)) <= 0.1
    }
    return rows
  },
}

export const searchScalingSuite: Suite = {
  name: 'scaling-search',
  async run(ctx: BenchContext): Promise<Row[]> {
    // Quick runs measure search at S in the workloads suite already.
    if (ctx.quick) return []
    const sizes: SizeName[] = ['S', 'M', 'L']
    const results: [SizeName, Measured][] = []
    for (const size of sizes) {
      const { server, manifest } = await serveWorkspace(ctx, size, specOf(size))
      try {
        ctx.log(
          `search at ${size} (${manifest.counts.pages.toLocaleString('en')} pages + ${manifest.counts.rows.toLocaleString('en')} rows):`,
        )
        results.push([size, await measure(ctx, server, searchWorkload(manifest))])
      } finally {
        await server.stop()
      }
    }
    const base = results[0]?.[1].saturated.rps
    return results.map(([size, m]) => {
      const row = rowOf('scaling-search', 'POST /v1/search, title query', size, m, base, 'S')
      if (size === 'L') {
        row.target = 'p95 ≤ 20 ms at L'
        row.met = (row.p95 ?? Infinity) <= 20
      }
      return row
    })
  },
}
