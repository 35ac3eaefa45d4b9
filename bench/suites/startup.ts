import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { spawnServer } from '../lib/proc.js'
import type { BenchContext, Row, Suite } from '../lib/types.js'

/**
 * Start-up on an empty data directory: spawn → first successful `GET /_octavo/health` (a fresh
 * store: keys, migrations). The median of several starts. Start-up at the workload size is measured
 * by the workloads suite (first successful `GET /v1/users/me`).
 */
export const startupSuite: Suite = {
  name: 'startup',
  async run(ctx: BenchContext): Promise<Row[]> {
    const times: number[] = []
    const rss: number[] = []
    const cpu: number[] = []
    for (let i = 0; i < (ctx.quick ? 1 : 5); i++) {
      const dataDir = join(ctx.tmp, `empty-${i}`)
      mkdirSync(dataDir, { recursive: true })
      const server = await spawnServer('octavo', { dataDir, nodeFlags: ctx.nodeFlags, cwd: ctx.tmp })
      times.push(server.startupMs)
      rss.push(server.rssMb())
      cpu.push(server.cpuMs())
      await server.stop()
    }
    times.sort((a, b) => a - b)
    const median = times[Math.floor(times.length / 2)] as number
    ctx.log(`start-up, empty store: median ${median.toFixed(0)} ms of ${times.map((t) => t.toFixed(0)).join(', ')}`)
    return [
      {
        suite: 'resources',
        name: 'start-up to first successful request, empty store (median)',
        size: 'empty',
        value: median,
        unit: 'ms',
        target: '≤ 500 ms (issue 19)',
        met: median <= 500,
        note: `${times.length} starts: ${times.map((t) => t.toFixed(0)).join(', ')} ms; CPU used by then: ${cpu.map((t) => t.toFixed(0)).join(', ')} ms`,
      },
      {
        suite: 'resources',
        name: 'CPU used by start-up, empty store (median; steadier than wall time on a shared machine)',
        size: 'empty',
        value: [...cpu].sort((a, b) => a - b)[Math.floor(cpu.length / 2)] as number,
        unit: 'ms',
      },
      { suite: 'resources', name: 'RSS idle after start-up, empty store', size: 'empty', value: rss[0] as number, unit: 'MB' },
    ]
  },
}
