import type { WebhookSettings } from '../../config.js'
import { deleteOldDeliveries, takeSweepTurn } from '../../storage/repositories/webhooks.repository.js'
import type { Deps } from '../deps.js'

/** At most this many rows per kind per sweep (a backlog drains over the following sweeps). */
export const SWEEP_BATCH = 5000

/** What one sweep did; `swept` false when another node had the turn or swept less than `sweepMs` ago. */
export interface SweepResult {
  swept: boolean
  deliveriesDeleted: number
}

/**
 * The periodic upkeep of webhook state (docs/webhooks.md "Retention"), one node at a time: in one
 * transaction it takes the sweep's turn (`takeSweepTurn`: PostgreSQL `FOR UPDATE SKIP LOCKED` on the
 * sweep row, and at most one sweep per `sweepMs` across all nodes), deletes up to `SWEEP_BATCH`
 * finished deliveries (delivered, failed, skipped) older than `retentionMs` by their creation time.
 * Expired file uploads are recorded by the blob sweep (services/file-sweep.ts), whose
 * `file_upload.expired` change events become Notion's `file_upload.expired` webhook.
 * `force` ignores the interval (tests, the admin API). Store errors propagate.
 */
export async function sweepOnce(
  deps: Pick<Deps, 'store'>,
  settings: Pick<WebhookSettings, 'retentionMs' | 'sweepMs'>,
  opts: { force?: boolean } = {},
): Promise<SweepResult> {
  const nowMs = Date.now()
  return deps.store.transaction(async (trx) => {
    if (!(await takeSweepTurn(trx, nowMs, opts.force ? 0 : settings.sweepMs)) && !opts.force) return { swept: false, deliveriesDeleted: 0 }
    const deliveriesDeleted = await deleteOldDeliveries(trx, new Date(nowMs - settings.retentionMs).toISOString(), SWEEP_BATCH)
    return { swept: true, deliveriesDeleted }
  })
}
