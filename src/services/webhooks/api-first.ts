import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import type { ServerResponse } from 'node:http'

/**
 * API requests first (ADR 38): lets the in-process webhook worker (worker.ts) hold its work back while
 * the process is serving HTTP requests, so that a delivery's CPU time (≈ 0.15–0.2 ms each, ten per
 * write with ten subscriptions) does not run between an API request's arrival and its answer. It
 * counts the requests being served through Node's `http.server.request.start` diagnostics channel
 * (Node ≥ 18; every `node:http` server of the process, so also a receiver a test runs in the same
 * process) and each response's `close` (sent or aborted).
 *
 * `wait(deadline)` resolves once no request is being served, or at `deadline` (epoch ms) at the
 * latest — a bound, so that deliveries are late by at most that much while the API is saturated; it
 * always lets one turn of the event loop's I/O polling pass first (`setImmediate`), so a request that
 * has just arrived is seen before the worker goes on. It answers true when it gave up at the deadline
 * with requests still in flight. `close()` unsubscribes.
 */
export interface ApiFirst {
  wait(deadline: number): Promise<boolean>
  /** Requests being served now. */
  inFlight(): number
  close(): void
}

const REQUEST_START = 'http.server.request.start'

export function apiFirst(): ApiFirst {
  let inFlight = 0
  let waiters: (() => void)[] = []
  const ended = () => {
    inFlight--
    if (inFlight > 0 || waiters.length === 0) return
    const woken = waiters
    waiters = []
    for (const w of woken) w()
  }
  const started = (message: unknown) => {
    const res = (message as { response?: ServerResponse }).response
    if (!res) return
    inFlight++
    res.once('close', ended)
  }
  subscribe(REQUEST_START, started)
  return {
    inFlight: () => inFlight,
    wait: (deadline) =>
      new Promise<boolean>((resolve) =>
        setImmediate(() => {
          const left = deadline - Date.now()
          if (inFlight === 0) return resolve(false)
          if (left <= 0) return resolve(true)
          let settled = false
          const timer = setTimeout(() => {
            if (settled) return
            settled = true
            waiters = waiters.filter((w) => w !== wake)
            resolve(inFlight > 0)
          }, left)
          const wake = () => {
            if (settled) return
            settled = true
            clearTimeout(timer)
            resolve(false)
          }
          waiters.push(wake)
        }),
      ),
    close: () => {
      unsubscribe(REQUEST_START, started)
      const woken = waiters
      waiters = []
      for (const w of woken) w()
    },
  }
}
