import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PACED_LEAD_IN_S, runLoad } from '../../bench/lib/load.js'

/**
 * The benchmark's fixed-rate phase (bench/lib/load.ts `runPaced`, ADR 41) spreads its requests over the
 * run instead of sending each second's at its start, as autocannon's `overallRate` did. A sink server
 * records when each request arrives. Only loose bounds on timing (the machine is shared): a bursty
 * sender puts a whole second's requests into its first few milliseconds, the pacer about a tenth of
 * them into each 100 ms. Each run first sends `PACED_LEAD_IN_S` of requests it checks but does not time.
 */
describe('the paced fixed rate', () => {
  let server: Server
  let url: string
  const arrivals: number[] = []
  beforeAll(async () => {
    server = createServer((req, res) => {
      arrivals.push(performance.now())
      req.resume()
      res.writeHead(req.url?.startsWith('/missing') ? 404 : 200, { 'content-type': 'application/json', 'content-length': 2 })
      res.end('{}')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const workload = (path: string, expectStatus = 200) => ({
    name: 'sink',
    title: 'sink',
    method: 'POST' as const,
    path: (i: number) => `${path}/${i}`,
    body: (i: number) => ({ i }),
    expectStatus,
  })

  it('sends rate × seconds requests spread over the run after its lead-in, every one answered, those of the run timed', async () => {
    arrivals.length = 0
    const result = await runLoad(url, workload('/ok'), { seconds: 2, connections: 10, rate: 100 })
    expect(result.offeredRate).toBe(100)
    expect(result.requests).toBe(200)
    expect(result.errors).toBe(0)
    expect(arrivals).toHaveLength(200 + 100 * PACED_LEAD_IN_S)
    expect(result.p50).toBeGreaterThanOrEqual(0)
    expect(result.p99).toBeGreaterThanOrEqual(result.p50)
    expect(result.lateP99).toBeGreaterThanOrEqual(0)
    // Autocannon's overallRate sent 100 at once at the start of each second; paced, a 100 ms window holds
    // about 10 (up to a few tens when this process stalls on a loaded machine).
    const start = arrivals[0] as number
    const perWindow = new Map<number, number>()
    for (const t of arrivals) perWindow.set(Math.floor((t - start) / 100), (perWindow.get(Math.floor((t - start) / 100)) ?? 0) + 1)
    expect(Math.max(...perWindow.values())).toBeLessThan(60)
    expect(arrivals.at(-1)! - start).toBeGreaterThan(1_500 + 1_000 * PACED_LEAD_IN_S)
  })

  it("counts answers with another status as errors, the lead-in's included", async () => {
    const result = await runLoad(url, workload('/missing'), { seconds: 1, connections: 2, rate: 20 })
    expect(result.requests).toBe(20)
    expect(result.errors).toBe(20 + 20 * PACED_LEAD_IN_S)
  })
})
