import autocannon from 'autocannon'
import { createRequire } from 'node:module'

/**
 * Load over loopback from this process (the server is another process). Saturation runs use
 * autocannon (closed loop: each connection sends its next request when the previous answer is in);
 * fixed-rate runs use `runPaced`, an open-loop pacer (see there: autocannon's rate limit releases each
 * second's requests back to back at the start of the second). Latencies are recorded per response
 * with sub-millisecond precision, and every response's status is checked against the workload's.
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
  /**
   * Fixed-rate runs: how late (ms) the pacer released the 99th percentile of requests, behind their
   * scheduled times: the harness's own lag (it shares the machine), not the wait for a connection.
   */
  lateP99?: number
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number
}

/**
 * Runs `w` against `url` for `seconds`, either flat out with `connections` concurrent connections
 * (saturation, autocannon) or at `rate` requests per second evenly paced over at most `connections`
 * keep-alive connections (fixed rate, `runPaced`; with `bursty`, autocannon's `overallRate` as before ADR 41,
 * for comparisons only); with `amount`, for that many requests instead of a duration (saturation only).
 */
export async function runLoad(
  url: string,
  w: Workload,
  opts: { seconds: number; connections?: number; rate?: number; amount?: number; bursty?: boolean },
): Promise<LoadResult> {
  // `bursty`: autocannon's own `overallRate` (each second's requests at its start), kept only to compare with.
  if (opts.rate && !opts.amount && !opts.bursty)
    return runPaced(url, w, { seconds: opts.seconds, rate: opts.rate, connections: opts.connections ?? 10 })
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

/** The connection client autocannon runs on (one keep-alive socket, raw request buffers, a JS parser). */
interface AutocannonClient {
  on(event: 'response', f: (status: number, bytes: number, ms: number) => void): void
  on(event: 'connError' | 'timeout', f: () => void): void
  destroy(): void
  _doRequest(): void
}
/** Seconds of requests each paced run sends before the ones it times (`runPaced`, "Lead-in"). */
export const PACED_LEAD_IN_S = 0.5

type ClientClass = { new (opts: unknown): AutocannonClient; prototype: AutocannonClient }
const AutocannonClientClass = createRequire(import.meta.url)('autocannon/lib/httpClient.js') as ClientClass

/**
 * An open-loop fixed rate (ADR 41): request k is due at `t0 + k / rate` (ms on `performance.now()`),
 * for `seconds`, whatever happened to earlier requests; its latency runs from that scheduled time to
 * the end of the answer, so a request that waits (for a free connection, or because this process
 * fell behind) counts the wait, and coordinated omission is not hidden. Requests go over
 * `connections` keep-alive connections, one request in flight on each; a request due while all are
 * busy waits in a FIFO for the first to free up.
 *
 * Why not autocannon's `overallRate`: autocannon limits each connection to `rate / connections`
 * requests per second with a counter reset by a 1 s interval (lib/httpClient.js,
 * `reqsMadeThisSecond`), so each second's requests leave back to back at its start: "half of
 * saturation" was full saturation for half of each second, and the latencies measured that queue.
 * autocannon has no paced mode, and undici is not a dependency (Node's bundled copy is not importable),
 * so this drives autocannon's own per-connection client (`autocannon/lib/httpClient.js`, the one its
 * saturation runs use): a subclass whose `_doRequest` (called when the connection is free) sends only
 * when a request is due. `node:http` was tried first and could not send 7,000 requests per second
 * here without falling tens of milliseconds behind (bench/results/2026-12-06-s8-search-pacing-nodehttp-1.json).
 * The timer wakes at most every millisecond (no busy wait: the harness shares the cores with the
 * server) and releases every request due by then or within the next millisecond, so at high rates
 * requests leave in 1 ms groups; one released up to 1 ms early is timed from its release, one released
 * late from when it was due. `lateP99` reports how late the pacer released the 99th percentile of
 * requests (this process's lag, e.g. when the machine is loaded; not the wait for a connection). Errors and timeouts (30 s) are counted in `errors`.
 *
 * **Lead-in.** The first `PACED_LEAD_IN_S` (0.5 s) of requests are paced and checked like the others but
 * not timed: the run proper starts once the pacer, the fresh connections and both processes' code paths
 * are in their steady state, as wrk2 leaves its calibration period out of its latency histogram. The
 * first half second of a run was its slowest for every server measured, the bare one included: in one
 * run at 5,726/s, the bare server's p99 was 3.74 ms with it and 1.69 ms without it, the PostgreSQL page
 * read's 5.09 ms and 4.22 ms (bench/RESULTS.md, "The paced run's lead-in, session 11").
 */
export async function runPaced(
  url: string,
  w: Workload,
  opts: { seconds: number; rate: number; connections: number },
): Promise<LoadResult> {
  const rate = Math.max(1, Math.round(opts.rate))
  const timed = Math.max(1, Math.round(rate * opts.seconds))
  // Requests released before the timed ones (see "Lead-in" above); `total` are released in all.
  const leadIn = Math.round(rate * PACED_LEAD_IN_S)
  const total = leadIn + timed
  const target = new URL(url)
  const headers: Record<string, string> = { 'notion-version': '2025-09-03', 'content-type': 'application/json' }
  if (w.token) headers.authorization = `Bearer ${w.token}`
  let n = 0
  const latencies = new Float64Array(timed)
  const late = new Float64Array(timed)
  let answered = 0
  let released = 0
  let errors = 0
  let settled = 0
  let allSettled!: () => void
  const finished = new Promise<void>((resolve) => (allSettled = resolve))
  const settle = () => {
    if (++settled === total) allSettled()
  }
  // Released requests waiting for a free connection (their scheduled times; negative for the lead-in's,
  // whose latencies are not kept), and free connections.
  const waiting: number[] = []
  let waitingHead = 0
  const idle: Paced[] = []
  let starting = true
  class Paced extends AutocannonClientClass {
    /** Scheduled time of the request in flight on this connection, or null. */
    due: number | null = null
    /** Whether that request is timed (not the lead-in's). */
    timed = false
    override _doRequest(): void {
      // Called by the client when its connection is free (connected, or an answer is in).
      if (starting || waitingHead === waiting.length) {
        if (!idle.includes(this)) idle.push(this)
        return
      }
      const due = waiting[waitingHead++] as number
      this.sendDue(Math.abs(due), due >= 0)
    }
    sendDue(due: number, timed: boolean): void {
      this.due = due
      this.timed = timed
      super._doRequest()
    }
  }
  const clients: Paced[] = []
  for (let c = 0; c < opts.connections; c++) {
    const client = new Paced({
      protocol: target.protocol,
      hostname: target.hostname,
      host: target.host,
      port: Number(target.port),
      path: '/',
      pipelining: 1,
      timeout: 30,
      headers,
      requests: [
        {
          method: w.method,
          headers,
          setupRequest: (req: Record<string, unknown>) => {
            const k = n++
            return { ...req, path: w.path(k), ...(w.body ? { body: JSON.stringify(w.body(k)) } : {}) }
          },
        },
      ],
    })
    client.on('response', (status) => {
      if (client.due !== null && client.timed) latencies[answered++] = performance.now() - client.due
      client.due = null
      if (status !== w.expectStatus) errors++
      settle()
    })
    const lost = () => {
      // The client reconnects and calls `_doRequest` again; the request in flight is lost.
      if (client.due === null) return
      client.due = null
      errors++
      settle()
    }
    client.on('connError', lost)
    client.on('timeout', lost)
    clients.push(client)
  }
  starting = false
  // Let the connections open before the clock starts.
  await new Promise((resolve) => setTimeout(resolve, 100))
  const interval = 1000 / rate
  const t0 = performance.now()
  // When the first timed request is due: the start of the run proper.
  const tTimed = t0 + leadIn * interval
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now()
      while (released < total && t0 + released * interval <= now + 1) {
        const due = Math.min(t0 + released * interval, now)
        const isTimed = released >= leadIn
        if (isTimed) late[released - leadIn] = now - due
        released++
        const free = idle.pop()
        if (free) free.sendDue(due, isTimed)
        else waiting.push(isTimed ? due : -due)
      }
      if (released === total) return resolve()
      setTimeout(tick, Math.max(1, Math.floor(t0 + released * interval - performance.now())))
    }
    tick()
  })
  await finished
  const elapsed = (performance.now() - tTimed) / 1000
  for (const c of clients) c.destroy()
  const sorted = latencies.subarray(0, answered).sort()
  return {
    rps: answered / elapsed,
    requests: answered,
    errors,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    offeredRate: rate,
    lateP99: percentile(late.subarray(0, Math.max(0, released - leadIn)).sort(), 99),
  }
}
