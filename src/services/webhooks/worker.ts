import type { WebhookSettings } from '../../config.js'
import { recordAttempts, type AttemptOutcome } from '../../storage/repositories/webhooks.repository.js'
import { attemptDelivery, claimDue, dispatchOnce, flushCursor, newAttemptMemo, type CursorState, type WebhookDeps } from './delivery.js'
import { sweepOnce } from './sweep.js'

/**
 * The webhook worker of one node (started and stopped with the server, src/server.ts): every
 * `pollMs` (at once while work remains) it fans new change events out (`dispatchOnce`) and claims due
 * deliveries up to `concurrency` in flight, each sent asynchronously — requests never wait on it.
 * `close()` stops polling and waits for the attempts in flight (each bounded by `timeoutMs`), so a
 * graceful stop loses nothing and leaves no claim behind; after a crash a claim's lease (`timeoutMs`
 * + 30 s) expires and the delivery is attempted again. Every `sweepMs` it also runs the retention
 * sweep (`sweep.ts`), which one node at a time carries out.
 *
 * It runs on the API's event loop (the default, and always for an in-memory SQLite store) or, with
 * `OCTAVO_WEBHOOK_THREAD=on`, in a worker thread with its own store connection (src/webhooks-host.ts starts it,
 * src/webhooks-thread.ts is the thread). While no subscription is active it keeps the dispatcher's
 * cursor in memory and writes it when idle, on close, or every `CURSOR_SAVE_EVERY` events
 * (`CursorState` in delivery.ts).
 *
 * Its store writes are few and batched, so that on SQLite (one writer at a time) the API seldom
 * waits for them: looks for work at most every `TICK_GAP_MS` (a nudge within the gap waits for its
 * end), and records attempt outcomes together at most every `TICK_GAP_MS` (`gatheredRecorder`).
 */
export interface WebhookWorker {
  /**
   * Looks for work now instead of at the next poll (e.g. after a write); ignored while the worker
   * does not listen (no active subscription, nothing in flight or due: see `onListening`).
   */
  nudge(): void
  close(): Promise<void>
}

/** Milliseconds between two looks for work, and between two writes of attempt outcomes, at least. */
export const TICK_GAP_MS = 10

export function startWebhookWorker(
  deps: WebhookDeps,
  settings: WebhookSettings,
  opts: {
    /**
     * Told when the worker starts or stops having work a commit can bring: false while no
     * subscription is active and nothing is in flight or due (nudges are then pointless: the poll
     * picks up a subscription's activation), true again as soon as there is.
     */
    onListening?: (listening: boolean) => void
  } = {},
): WebhookWorker {
  const inflight = new Set<Promise<void>>()
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let again = false
  const leaseMs = settings.timeoutMs + 30_000
  const record = gatheredRecorder(deps)
  const cursor: CursorState = {}
  let lastTick = 0
  let listening = true

  const schedule = (ms: number) => {
    if (stopped) return
    clearTimeout(timer)
    timer = setTimeout(run, ms)
    timer.unref?.()
  }
  let nextSweep = Date.now() + Math.min(settings.sweepMs, 1000)
  const tick = async (): Promise<boolean> => {
    let busy = false
    try {
      if (Date.now() >= nextSweep) {
        nextSweep = Date.now() + settings.sweepMs
        const r = await sweepOnce(deps, settings)
        if (r.deliveriesDeleted > 0) {
          busy = true
          deps.logger.info({ deliveries_deleted: r.deliveriesDeleted }, 'webhook sweep')
        }
      }
      // Oldest due deliveries first; then fan out, claiming in the same transaction what it queues
      // due now for the slots still free (so a backlog is never overtaken by fresh events).
      const free = settings.concurrency - inflight.size
      const claimed = free > 0 && !stopped ? await claimDue(deps, free, leaseMs) : []
      const left = free - claimed.length
      const skippedBefore = cursor.skippedTo
      const fanned = await dispatchOnce(deps, settings, 200, left > 0 && !stopped ? { limit: left, leaseMs } : undefined, cursor)
      if (fanned.consumed > 0 || (free > 0 && claimed.length + fanned.claimed.length === free)) busy = true
      // Idle (no new event since the last look): the cursor kept in memory while nobody listens is written now.
      if (!busy && cursor.skippedTo === skippedBefore) await flushCursor(deps, cursor)
      const now = !fanned.nobodyListens || claimed.length > 0 || inflight.size > 0 || fanned.claimed.length > 0
      if (now !== listening) {
        listening = now
        opts.onListening?.(now)
      }
      const memo = newAttemptMemo(deps, record, fanned.reach)
      for (const d of [...claimed, ...fanned.claimed]) {
        const p: Promise<void> = attemptDelivery(deps, settings, d, memo)
          .catch((err: unknown) => deps.logger.error({ err: { message: (err as Error)?.message } }, 'webhook delivery failed'))
          .finally(() => {
            inflight.delete(p)
            if (!stopped) schedule(0)
          })
        inflight.add(p)
      }
    } catch (err) {
      if (!stopped) deps.logger.warn({ err: { message: (err as Error)?.message } }, 'webhook worker tick failed')
    }
    return busy
  }
  function run() {
    if (stopped) return
    if (running) {
      again = true
      return
    }
    const wait = lastTick + TICK_GAP_MS - Date.now()
    if (wait > 0) return schedule(wait)
    lastTick = Date.now()
    running = tick().then((busy) => {
      running = undefined
      const more = busy || again
      again = false
      schedule(more ? 0 : settings.pollMs)
    })
  }
  schedule(0)
  return {
    // While nobody listens a commit brings no work (the poll notices a subscription's activation),
    // as the webhook thread's host does with `onListening`: a nudge after every create cost this
    // event loop a tick of statements every `TICK_GAP_MS` (bench/RESULTS.md, issue 19 session 8).
    nudge: () => {
      if (listening) schedule(0)
    },
    close: async () => {
      stopped = true
      clearTimeout(timer)
      await running
      await Promise.allSettled([...inflight])
      await record.flush()
      await flushCursor(deps, cursor).catch((err: unknown) =>
        deps.logger.warn({ err: { message: (err as Error)?.message } }, 'webhook cursor not saved'),
      )
    },
  }
}

/**
 * Records attempt outcomes in batches: an outcome is queued (the call resolves at once, so the
 * attempt's concurrency slot is free as soon as its POST is answered) and the queue is written in one
 * transaction at most every `TICK_GAP_MS` (one commit for all the attempts that finished meanwhile).
 * Until its outcome is written a delivery stays claimed under its lease, so nothing claims it again;
 * a failed write is logged and its deliveries are attempted again once their leases expire, as after a
 * crash. `flush()` writes what is queued now (the worker's close awaits it).
 */
function gatheredRecorder(deps: Pick<WebhookDeps, 'store' | 'logger'>): ((id: string, outcome: AttemptOutcome) => Promise<void>) & {
  flush(): Promise<void>
} {
  let pending: { id: string; outcome: AttemptOutcome }[] = []
  let timer: NodeJS.Timeout | undefined
  let writing: Promise<void> = Promise.resolve()
  const flush = (): Promise<void> => {
    clearTimeout(timer)
    timer = undefined
    const batch = pending
    pending = []
    writing = writing.then(async () => {
      if (batch.length === 0) return
      try {
        await deps.store.transaction((trx) => recordAttempts(trx, batch))
      } catch (err) {
        deps.logger.warn(
          { err: { message: (err as Error)?.message }, outcomes: batch.length },
          'webhook outcomes not recorded; retried after their lease',
        )
      }
    })
    return writing
  }
  const record = async (id: string, outcome: AttemptOutcome) => {
    pending.push({ id, outcome })
    timer ??= setTimeout(() => void flush(), TICK_GAP_MS)
  }
  return Object.assign(record, { flush })
}
