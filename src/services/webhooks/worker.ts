import type { WebhookSettings } from '../../config.js'
import type { Deps } from '../deps.js'
import { recordAttempts, type AttemptOutcome } from '../../storage/repositories/webhooks.repository.js'
import { attemptDelivery, claimDue, dispatchOnce, newAttemptMemo } from './delivery.js'
import { sweepOnce } from './sweep.js'

/**
 * The webhook worker of one node (started and stopped with the server, src/server.ts): every
 * `pollMs` (at once while work remains) it fans new change events out (`dispatchOnce`) and claims due
 * deliveries up to `concurrency` in flight, each sent asynchronously — requests never wait on it.
 * `close()` stops polling and waits for the attempts in flight (each bounded by `timeoutMs`), so a
 * graceful stop loses nothing and leaves no claim behind; after a crash a claim's lease (`timeoutMs`
 * + 30 s) expires and the delivery is attempted again. Every `sweepMs` it also runs the retention
 * sweep (`sweep.ts`), which one node at a time carries out.
 */
export interface WebhookWorker {
  /** Looks for work now instead of at the next poll (e.g. after a write). */
  nudge(): void
  close(): Promise<void>
}

export function startWebhookWorker(deps: Deps, settings: WebhookSettings): WebhookWorker {
  const inflight = new Set<Promise<void>>()
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let again = false
  const leaseMs = settings.timeoutMs + 30_000
  const record = gatheredRecorder(deps)

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
      const fanned = await dispatchOnce(deps, settings, 200, left > 0 && !stopped ? { limit: left, leaseMs } : undefined)
      if (fanned.consumed > 0 || (free > 0 && claimed.length + fanned.claimed.length === free)) busy = true
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
    running = tick().then((busy) => {
      running = undefined
      const more = busy || again
      again = false
      schedule(more ? 0 : settings.pollMs)
    })
  }
  schedule(0)
  return {
    nudge: () => schedule(0),
    close: async () => {
      stopped = true
      clearTimeout(timer)
      await running
      await Promise.allSettled([...inflight])
    },
  }
}

/**
 * Records attempt outcomes gathered over one turn of the event loop in one transaction (one commit
 * for all the attempts that finished together, instead of one each). Each call's promise settles when
 * its outcome is written; a failed write rejects every outcome of its batch (their leases then expire
 * and they are attempted again, as after a crash).
 */
function gatheredRecorder(deps: Deps): (id: string, outcome: AttemptOutcome) => Promise<void> {
  let pending: { id: string; outcome: AttemptOutcome; resolve: () => void; reject: (e: unknown) => void }[] = []
  const flush = async () => {
    const batch = pending
    pending = []
    try {
      await deps.store.transaction((trx) => recordAttempts(trx, batch))
      for (const b of batch) b.resolve()
    } catch (err) {
      for (const b of batch) b.reject(err)
    }
  }
  return (id, outcome) =>
    new Promise<void>((resolve, reject) => {
      if (pending.length === 0) setImmediate(() => void flush())
      pending.push({ id, outcome, resolve, reject })
    })
}
