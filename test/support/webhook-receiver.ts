import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect } from 'vitest'

/** Webhook settings for tests: fast polling, no aggregation, 50 ms retry base, 2 s timeout. */
export const FAST_WEBHOOKS = {
  OCTAVO_WEBHOOK_POLL_MS: '10',
  OCTAVO_WEBHOOK_AGGREGATION_MS: '0',
  OCTAVO_WEBHOOK_RETRY_BASE_MS: '50',
  OCTAVO_WEBHOOK_TIMEOUT_MS: '2000',
}

/** One request a receiver got: its headers, raw body text and parsed JSON. */
export interface Received {
  headers: IncomingHttpHeaders
  raw: string
  body: any
  at: number
}

/**
 * A local webhook receiver for tests: a node:http server on 127.0.0.1 that records every POST and
 * answers with `respond(req, index)` (default 200 after no delay).
 */
export interface Receiver {
  url: string
  received: Received[]
  /** Events only (not handshakes). */
  events(): any[]
  /** Sets how the receiver answers from now on: status and optional delay in ms. */
  respond(fn: (r: Received, index: number) => { status: number; delayMs?: number; body?: string }): void
  /** Waits until `pred` holds over the received requests (default 10 s). */
  waitFor(pred: (all: Received[]) => boolean, ms?: number): Promise<void>
  close(): Promise<void>
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = []
  let responder: (r: Received, index: number) => { status: number; delayMs?: number; body?: string } = () => ({ status: 200 })
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      let body: unknown
      try {
        body = JSON.parse(raw)
      } catch {
        body = null
      }
      const r: Received = { headers: req.headers, raw, body, at: Date.now() }
      received.push(r)
      const answer = responder(r, received.length - 1)
      const send = () => {
        if (res.destroyed) return
        res.writeHead(answer.status, { 'content-type': 'text/plain' })
        res.end(answer.body ?? 'ok')
      }
      if (answer.delayMs) setTimeout(send, answer.delayMs)
      else send()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    events: () => received.filter((r) => r.body && !('verification_token' in r.body)).map((r) => r.body),
    respond: (fn) => {
      responder = fn
    },
    waitFor: async (pred, ms = 10_000) => {
      const end = Date.now() + ms
      while (!pred(received)) {
        if (Date.now() > end) throw new Error(`receiver: timed out; got ${JSON.stringify(received.map((r) => r.body?.type ?? r.body))}`)
        await new Promise((r) => setTimeout(r, 20))
      }
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

/**
 * How many times each page's `page.created` reached `receiver`, by page id; asserts that each page's
 * deliveries carry one event id (a redelivery is the same event, never a new one).
 */
export function pageCreatedArrivals(receiver: Receiver): Map<string, number> {
  const byPage = new Map<string, Set<string>>()
  const times = new Map<string, number>()
  for (const e of receiver.events()) {
    if (e.type !== 'page.created') continue
    byPage.set(e.entity.id, (byPage.get(e.entity.id) ?? new Set()).add(e.id))
    times.set(e.entity.id, (times.get(e.entity.id) ?? 0) + 1)
  }
  for (const [page, ids] of byPage) expect(ids.size, `one event id for ${page}`).toBe(1)
  return times
}
