/**
 * Where one call of bench/title-only.ts's data-source query spends its wall time (issue 16). Not a test.
 *
 *   npx tsx bench/title-anatomy.ts [--iterations N] [--page-size 100] [--out file.json] [--profile file.cpuprofile]
 *
 * Same store as bench/title-only.ts (100 rows, formulas, rollup). Each call through the SDK is
 * stamped at: the call, `fetch` called by the SDK, the server's `request` event, the handler's
 * `end()` (called and returned), the response's `finish`, `fetch` resolving (headers), `text()`
 * resolving, the SDK returning; medians of each phase in ms (they need not add up to the median
 * total). Also: the event loop's idle time during the call (`eventLoopUtilization`: time spent
 * waiting in epoll, i.e. neither side had work), the bytes Node kept after `end()` because the
 * kernel did not take the whole answer at once, and the GC pauses per call (PerformanceObserver).
 */
import { Client, LogLevel } from '@notionhq/client'
import { performance, PerformanceObserver } from 'node:perf_hooks'
import { writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import type { IncomingMessage, ServerResponse, Server } from 'node:http'
import { sharedWorkspace, startInProcessServer, timeCalls } from './lib/in-process.js'
import { buildTitleOnlyStore } from './lib/title-only-store.js'

const { values: args } = parseArgs({
  options: {
    iterations: { type: 'string', default: '200' },
    out: { type: 'string' },
    profile: { type: 'string' },
    'page-size': { type: 'string', default: '100' },
  },
})
const ITERATIONS = Number(args.iterations)
const OUT = args.out
const PROFILE = args.profile
const PAGE_SIZE = Number(args['page-size'])

const { server, close } = await startInProcessServer('octavo-bench-title-anatomy-')
try {
  const { root, token } = await sharedWorkspace(server.deps)
  const mainDs = await buildTitleOnlyStore(server.url, token, root.id)
  let stamps: Record<string, number> = {}
  // Time in GC pauses during the call (PerformanceObserver 'gc' entries, delivered after the call ends).
  let gcMs = 0
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration
  })
  gcObserver.observe({ entryTypes: ['gc'] })
  // The Node server: found through the process's active handles.
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles()
  const nodeServer = handles.find(
    (h) =>
      (h as { constructor?: { name?: string } }).constructor?.name === 'Server' &&
      typeof (h as Server).listeners === 'function' &&
      (h as Server).listeners('request').length > 0,
  ) as Server
  nodeServer.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    stamps.request = performance.now()
    const end = res.end.bind(res)
    res.end = ((...a: Parameters<typeof res.end>) => {
      stamps.end = performance.now()
      const r = end(...a)
      stamps.endReturned = performance.now()
      // Bytes Node kept because the kernel did not take them at once (0: one write took the answer).
      stamps.buffered = res.socket?.writableLength ?? -1
      return r
    }) as typeof res.end
    res.once('finish', () => (stamps.finish = performance.now()))
  })
  const timedFetch: typeof fetch = async (input, init) => {
    stamps.fetchCalled = performance.now()
    const res = await fetch(input, init)
    stamps.fetch = performance.now()
    const text = res.text.bind(res)
    Object.defineProperty(res, 'text', {
      value: async () => {
        const t = await text()
        stamps.text = performance.now()
        return t
      },
    })
    return res
  }
  const results: unknown[] = []
  for (const version of ['2026-03-11', '2026-12-01']) {
    const n = new Client({
      auth: token,
      baseUrl: server.url,
      retry: false,
      logLevel: LogLevel.ERROR,
      logger: () => {},
      notionVersion: version,
      fetch: timedFetch,
    })
    const rows: Record<string, number>[] = []
    let gcStart = gcMs
    for (let i = 0; i < ITERATIONS + 5; i++) {
      stamps = {}
      if (i === 5) gcStart = gcMs
      const e0 = performance.eventLoopUtilization()
      const t0 = performance.now()
      const c0 = process.cpuUsage()
      await n.dataSources.query({ data_source_id: mainDs, page_size: PAGE_SIZE })
      const t1 = performance.now()
      const c = process.cpuUsage(c0)
      const elu = performance.eventLoopUtilization(e0)
      if (i < 5) continue
      const s = stamps as Record<'request' | 'end' | 'endReturned' | 'finish' | 'fetchCalled' | 'fetch' | 'text', number>
      rows.push({
        total: t1 - t0,
        cpu: (c.user + c.system) / 1000,
        idle: elu.idle,
        sdkBefore: s.fetchCalled - t0,
        toRequest: s.request - s.fetchCalled,
        handler: s.end - s.request,
        end: s.endReturned - s.end,
        toFinish: s.finish - s.endReturned,
        toFetch: s.fetch - s.endReturned,
        body: s.text - s.fetch,
        parse: t1 - s.text,
        serverBuffered: (stamps as { buffered?: number }).buffered ?? -1,
      })
    }
    const med = (k: string) => {
      const v = rows.map((r) => r[k] as number).sort((a, b) => a - b)
      return Number((v[Math.floor(v.length / 2)] as number).toFixed(3))
    }
    await new Promise((r) => setTimeout(r, 20))
    const result = {
      version,
      iterations: ITERATIONS,
      load_1m: Number((loadavg()[0] as number).toFixed(2)),
      medians_ms: Object.fromEntries(Object.keys(rows[0] as object).map((k) => [k, med(k)])),
      gc_ms_per_call: Number(((gcMs - gcStart) / ITERATIONS).toFixed(3)),
    }
    console.log(result)
    results.push(result)
    // --profile <file>: the same calls again under the CPU profiler (2026-12-01 only).
    if (PROFILE && version === '2026-12-01')
      await timeCalls(() => n.dataSources.query({ data_source_id: mainDs, page_size: PAGE_SIZE }), ITERATIONS, PROFILE)
  }
  gcObserver.disconnect()
  if (OUT) writeFileSync(OUT, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2)}\n`)
} finally {
  await close()
}
