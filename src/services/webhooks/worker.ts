import type { WebhookSettings } from '../../config.js'
import type { Deps } from '../deps.js'
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
        if (r.deliveriesDeleted + r.uploadsExpired > 0) {
          busy = true
          deps.logger.info({ deliveries_deleted: r.deliveriesDeleted, uploads_expired: r.uploadsExpired }, 'webhook sweep')
        }
      }
      const n = await dispatchOnce(deps, settings)
      busy = n > 0
      const free = settings.concurrency - inflight.size
      if (free > 0 && !stopped) {
        const claimed = await claimDue(deps, free, leaseMs)
        if (claimed.length === free) busy = true
        const memo = newAttemptMemo()
        for (const d of claimed) {
          const p: Promise<void> = attemptDelivery(deps, settings, d, memo)
            .catch((err: unknown) => deps.logger.error({ err: { message: (err as Error)?.message } }, 'webhook delivery failed'))
            .finally(() => {
              inflight.delete(p)
              if (!stopped) schedule(0)
            })
          inflight.add(p)
        }
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
