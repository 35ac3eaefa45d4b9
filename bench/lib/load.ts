import autocannon from 'autocannon'

/**
 * Load over loopback with autocannon (in this process; the server is another process).
 * Latencies are recorded per response with sub-millisecond precision (autocannon's own histogram
 * keeps whole milliseconds), and every response's status is checked against the workload's.
 */

export interface Workload {
  /** Short id, used by `--only`. */
  name: string
  /** What the row says it measures. */
  title: string
  method: 'GET' | 'POST' | 'PATCH'
  /** The path of the i-th request (workloads rotate over many ids so caches and pages vary). */
  path: (i: number) => string
  /** The JSON body of the i-th request, if any. */
  body?: (i: number) => unknown
  token?: string
  expectStatus: number
}

export interface LoadResult {
  /** Responses per second over the run. */
  rps: number
  requests: number
  /** Responses whose status was not `expectStatus` (plus socket errors and timeouts). */
  errors: number
  p50: number
  p95: number
  p99: number
  /** The offered rate for fixed-rate runs, else null. */
  offeredRate: number | null
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number
}

/**
 * Runs `w` against `url` for `seconds`, either flat out with `connections` concurrent connections
 * (saturation) or at `rate` requests per second over all connections (fixed rate); with `amount`,
 * for that many requests instead of a duration.
 */
export async function runLoad(
  url: string,
  w: Workload,
  opts: { seconds: number; connections?: number; rate?: number; amount?: number },
): Promise<LoadResult> {
  let i = 0
  const headers: Record<string, string> = { 'notion-version': '2025-09-03', 'content-type': 'application/json' }
  if (w.token) headers.authorization = `Bearer ${w.token}`
  const latencies: number[] = []
  let bad = 0
  let done!: (r: autocannon.Result) => void
  let failed!: (e: unknown) => void
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    done = resolve
    failed = reject
  })
  const instance = autocannon(
    {
      url,
      connections: opts.connections ?? 10,
      duration: opts.seconds,
      ...(opts.amount ? { amount: opts.amount } : {}),
      ...(opts.rate ? { overallRate: Math.max(1, Math.round(opts.rate)) } : {}),
      timeout: 30,
      requests: [
        {
          method: w.method,
          headers,
          setupRequest: (req: autocannon.Request) => {
            const n = i++
            return { ...req, path: w.path(n), ...(w.body ? { body: JSON.stringify(w.body(n)) } : {}) }
          },
        },
      ],
    },
    (err, result) => (err ? failed(err) : done(result)),
  )
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    latencies.push(ms)
    if (status !== w.expectStatus) bad++
  })
  const result = await finished
  const sorted = Float64Array.from(latencies).sort()
  const elapsed = result.duration || opts.seconds
  return {
    rps: latencies.length / elapsed,
    requests: latencies.length,
    errors: bad + result.errors + result.timeouts,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    offeredRate: opts.rate ? Math.max(1, Math.round(opts.rate)) : null,
  }
}
