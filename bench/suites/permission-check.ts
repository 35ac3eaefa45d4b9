import { join } from 'node:path'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { createDeps } from '../../src/server.js'
import { authenticateBearer } from '../../src/services/auth.service.js'
import { loadAuthorized } from '../../src/services/access.js'
import type { Manifest } from '../lib/generate.js'
import { BENCH_ADMIN_KEY, BENCH_MASTER_KEY, prepareStore } from '../lib/store-cache.js'
import type { BenchContext, Row, Suite } from '../lib/types.js'
import { specOf } from './common.js'

/**
 * The permission check alone, in process: `loadAuthorized` (page row + one `root_acl` read) for the
 * bench connection, CPU microseconds per call. Cases are measured in alternating rounds and the
 * median round is kept, so drift in the machine's load hits every case alike — the HTTP scaling rows
 * are too noisy on a shared 2-core machine to show a 10% difference. Depth: share 1, 10 and 50 levels
 * up at the workload size; shares: M workspaces with 10, 1,000 and 10,000 shares.
 */

interface Case {
  label: string
  size: string
  run: () => Promise<void>
}

type Opened = { deps: Awaited<ReturnType<typeof createDeps>>; manifest: Manifest; caller: Awaited<ReturnType<typeof authenticateBearer>> }

/** Opens (once per store name) a private copy of a generated store, as the bench connection. */
async function openStore(
  ctx: BenchContext,
  opened: Map<string, Promise<Opened>>,
  name: string,
  spec: ReturnType<typeof specOf>,
): Promise<Opened> {
  let p = opened.get(name)
  if (!p) {
    p = (async () => {
      const dir = join(ctx.tmp, `check-${name}-${Date.now()}`)
      const { manifest } = await prepareStore(name, spec, ctx.seed, { copyTo: dir, log: ctx.log })
      const config = loadConfig({ OCTAVO_SECRET_KEY: BENCH_MASTER_KEY, OCTAVO_ADMIN_KEY: BENCH_ADMIN_KEY }, { dataDir: dir })
      const deps = await createDeps(config, { logger: createLogger('silent') })
      const caller = await authenticateBearer(deps, `Bearer ${manifest.connections.bench.token}`)
      return { deps, manifest, caller }
    })()
    opened.set(name, p)
  }
  return p
}

async function openCase(
  ctx: BenchContext,
  opened: Map<string, Promise<Opened>>,
  label: string,
  name: string,
  spec: ReturnType<typeof specOf>,
  depth: number,
): Promise<Case> {
  const { deps, manifest, caller } = await openStore(ctx, opened, name, spec)
  const id = manifest.ids.spine[depth] as string
  return {
    label,
    size: name,
    run: async () => {
      await loadAuthorized(deps.store.db, caller, id, { kind: 'page', action: 'read', capability: 'read_content' })
    },
  }
}

async function compare(ctx: BenchContext, cases: Case[], calls: number, rounds: number): Promise<Map<Case, number>> {
  const perRound = new Map<Case, number[]>(cases.map((c) => [c, []]))
  for (const c of cases) for (let i = 0; i < 200; i++) await c.run() // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const t = process.cpuUsage()
      for (let i = 0; i < calls; i++) await c.run()
      const u = process.cpuUsage(t)
      perRound.get(c)?.push((u.user + u.system) / calls)
    }
  }
  const out = new Map<Case, number>()
  for (const [c, list] of perRound) out.set(c, [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] as number)
  return out
}

export const permissionCheckSuite: Suite = {
  name: 'permission-check',
  async run(ctx: BenchContext): Promise<Row[]> {
    const calls = ctx.quick ? 200 : 1000
    const rounds = ctx.quick ? 5 : 15
    const rows: Row[] = []
    const opened = new Map<string, Promise<Opened>>()
    const closeAll = async () => {
      for (const p of opened.values()) await (await p).deps.store.close()
      opened.clear()
    }
    const depth: Case[] = []
    for (const d of [1, 10, 50])
      depth.push(await openCase(ctx, opened, `share ${d} level${d === 1 ? '' : 's'} up`, ctx.size, specOf(ctx.size), d))
    try {
      const m = await compare(ctx, depth, calls, rounds)
      const base = m.get(depth[0] as Case) as number
      for (const c of depth) {
        const us = m.get(c) as number
        rows.push({
          suite: 'permission-check',
          name: `loadAuthorized, ${c.label}`,
          size: ctx.size,
          value: us,
          unit: 'µs CPU/call',
          ratio: base / us,
          ratioOf: 'depth 1 (calls/s)',
        })
      }
      const last = rows.at(-1) as Row
      last.target = 'within 10% of depth 1'
      last.met = Math.abs(1 - (last.ratio ?? 0)) <= 0.1
      ctx.log(`  depth: ${depth.map((c) => `${c.label} ${(m.get(c) as number).toFixed(1)} µs`).join(', ')}`)
    } finally {
      await closeAll()
    }
    const size = ctx.quick ? 'S' : 'M'
    const counts = ctx.quick ? [10, 100] : [10, 1_000, 10_000]
    const shares: Case[] = []
    for (const n of counts)
      shares.push(
        await openCase(
          ctx,
          opened,
          `${n.toLocaleString('en')} shares`,
          n === specOf(size).shares ? size : `${size}-shares${n}`,
          specOf(size, n),
          20,
        ),
      )
    try {
      const m = await compare(ctx, shares, calls, rounds)
      const base = m.get(shares[0] as Case) as number
      const start = rows.length
      for (const c of shares) {
        const us = m.get(c) as number
        rows.push({
          suite: 'permission-check',
          name: `loadAuthorized, share 20 levels up, ${c.label} in the workspace`,
          size,
          value: us,
          unit: 'µs CPU/call',
          ratio: base / us,
          ratioOf: '10 shares (calls/s)',
        })
      }
      if (!ctx.quick && rows.length > start) {
        const last = rows.at(-1) as Row
        last.target = 'within 10% of 10 shares'
        last.met = Math.abs(1 - (last.ratio ?? 0)) <= 0.1
      }
      ctx.log(`  shares: ${shares.map((c) => `${c.label} ${(m.get(c) as number).toFixed(1)} µs`).join(', ')}`)
    } finally {
      await closeAll()
    }
    return rows
  },
}
