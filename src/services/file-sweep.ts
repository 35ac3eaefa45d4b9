import { isoNow } from '../domain/clock.js'
import {
  claimSweepLock,
  expireFileUpload,
  referencedBlobKeys,
  sweepCandidates,
  uploadStatuses,
} from '../storage/repositories/file-uploads.repository.js'
import type { Deps } from './deps.js'
import { listSnapshots, onStoreReplaced } from './snapshots.service.js'

/**
 * The blob sweep (issue 14, docs/file-uploads.md "Sweep"): frees the bytes of uploads nobody can use.
 *
 * - An unattached upload past its `expiry_time` (one hour, read on `deps.clock`, the admin clock) is
 *   marked `expired` (`file_upload.expired`, `data.reason: "expired"`).
 * - An attached upload whose owner is gone — a deleted comment; a block, page or database that no
 *   longer exists or has been in the trash for 30 days (Notion empties its trash after 30 days) — is
 *   marked `expired` too (`data.reason: "owner_deleted"`); its signed URLs then answer 404.
 *
 * Either way its `file_upload_part` rows go in the same transaction and the blobs are deleted after
 * it commits. One node sweeps at a time: each round's transaction takes `claimSweepLock` (a
 * PostgreSQL advisory lock; candidates are also read `FOR UPDATE SKIP LOCKED`); a node that cannot
 * take it skips the round.
 *
 * Snapshots (ADR 23) hold rows, not the blobs of stores outside the database (`local`, `s3`): while
 * this process holds a snapshot, such blobs are not deleted (a restore may bring back rows naming
 * them). They become orphans, and so do the blobs of rows a restore, reset or `--replace` import
 * dropped; the orphan scan deletes every blob that no `file_upload_part` names and whose upload is not
 * still `pending` (a `/send` may be writing it), once no snapshot is held. It runs on the first sweep
 * and after any of those events, not every round (it lists the whole store).
 */

/** What one sweep did. */
export interface SweepResult {
  /** false when another node held the sweep (nothing done). */
  swept: boolean
  /** Uploads marked expired because their window passed unattached. */
  expired: number
  /** Uploads freed because their owner was deleted. */
  released: number
  /** Blobs deleted (of those uploads, and orphans). */
  blobs_deleted: number
  /** Blobs kept because a snapshot is held (deleted by a later orphan scan). */
  blobs_kept: number
}

/** Uploads handled per transaction. */
const BATCH = 200
/** Notion empties the trash after 30 days. */
const TRASH_DAYS_MS = 30 * 24 * 60 * 60 * 1000

interface SweepState {
  /** An orphan scan is due (start-up, restore, reset, kept blobs). */
  orphansDue: boolean
  running?: Promise<SweepResult>
}

const states = new WeakMap<Deps['store'], SweepState>()

function stateOf(deps: Deps): SweepState {
  let s = states.get(deps.store)
  if (!s) {
    states.set(deps.store, (s = { orphansDue: true }))
    const state = s
    onStoreReplaced(deps, () => {
      state.orphansDue = true
    })
  }
  return s
}

/** Whether blobs may be deleted now: always in the database store; elsewhere only while no snapshot is held. */
function mayDelete(deps: Deps): boolean {
  return deps.blobs.kind === 'database' || listSnapshots(deps).length === 0
}

/**
 * Frees blobs that no committed row names any more (a replaced part, a swept upload). Deletes them now
 * when `mayDelete`, else leaves them to the orphan scan.
 * @returns how many were deleted now.
 */
export async function freeBlobs(deps: Deps, keys: string[]): Promise<number> {
  if (keys.length === 0) return 0
  if (!mayDelete(deps)) {
    stateOf(deps).orphansDue = true
    return 0
  }
  for (const key of keys) await deps.blobs.delete(key)
  return keys.length
}

/**
 * Runs one sweep now (a sweep already running in this process is awaited instead of starting
 * another). Rounds of up to 200 uploads, each its own transaction, until none is left.
 * @returns what it did; `swept: false` when another node holds the sweep.
 * @throws the store's or blob store's errors.
 */
export function sweepFileUploads(deps: Deps): Promise<SweepResult> {
  const state = stateOf(deps)
  state.running ??= runSweep(deps, state).finally(() => {
    state.running = undefined
  })
  return state.running
}

async function runSweep(deps: Deps, state: SweepState): Promise<SweepResult> {
  const result: SweepResult = { swept: true, expired: 0, released: 0, blobs_deleted: 0, blobs_kept: 0 }
  for (;;) {
    const now = isoNow(deps.clock)
    const trashedBeforeIso = new Date(deps.clock.now() - TRASH_DAYS_MS).toISOString()
    const round = await deps.store.transaction(async (trx) => {
      if (!(await claimSweepLock(trx))) return null
      const candidates = await sweepCandidates(trx, { nowIso: now, trashedBeforeIso, limit: BATCH })
      const keys: string[] = []
      for (const c of candidates) {
        keys.push(...(await expireFileUpload(trx, c.row, c.reason, now, 'system')))
        if (c.reason === 'expired') result.expired++
        else result.released++
      }
      return { count: candidates.length, keys }
    })
    if (round === null) return { ...result, swept: false }
    const deleted = await freeBlobs(deps, round.keys)
    result.blobs_deleted += deleted
    result.blobs_kept += round.keys.length - deleted
    if (round.count < BATCH) break
  }
  if (deps.blobs.kind !== 'database' && state.orphansDue && mayDelete(deps)) {
    const orphans = await deleteOrphans(deps)
    result.blobs_deleted += orphans.deleted
    // Unnamed blobs of uploads still pending are looked at again next round (a replaced part).
    state.orphansDue = orphans.skipped > 0
  }
  return result
}

/** Octavo's blob keys, `<upload id>/<uuid>`: anything else in a shared bucket or directory is never touched. */
const BLOB_KEY =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * Deletes blobs (of Octavo's key format) that no `file_upload_part` names and whose upload is gone or
 * no longer `pending`. @returns how many were deleted, and how many were skipped as still pending.
 */
async function deleteOrphans(deps: Deps): Promise<{ deleted: number; skipped: number }> {
  const referenced = await referencedBlobKeys(deps.store.db)
  const unnamed: string[] = []
  for await (const key of deps.blobs.list()) if (BLOB_KEY.test(key) && !referenced.has(key)) unnamed.push(key)
  if (unnamed.length === 0) return { deleted: 0, skipped: 0 }
  const statuses = await uploadStatuses(deps.store.db, [...new Set(unnamed.map((k) => k.split('/')[0] ?? ''))])
  let deleted = 0
  let skipped = 0
  for (const key of unnamed) {
    if (statuses.get(key.split('/')[0] ?? '') === 'pending') {
      skipped++
      continue
    }
    await deps.blobs.delete(key)
    deleted++
  }
  return { deleted, skipped }
}

/** A running sweeper: `close` stops it after the round in flight. */
export interface FileSweeper {
  close(): Promise<void>
}

/**
 * Sweeps every `intervalMs` (wall-clock timer; what counts as expired follows `deps.clock`). Errors
 * are logged and the next round tries again. The timer does not keep the process alive.
 */
export function startFileSweeper(deps: Deps, intervalMs: number): FileSweeper {
  let stopped = false
  let inFlight: Promise<unknown> = Promise.resolve()
  const tick = () => {
    if (stopped) return
    inFlight = sweepFileUploads(deps).then(
      (r) => {
        if (r.expired || r.released || r.blobs_deleted) deps.logger.info({ sweep: r }, 'file upload sweep')
      },
      (err: unknown) =>
        deps.logger.error({ err: { name: (err as Error).name, message: (err as Error).message } }, 'file upload sweep failed'),
    )
  }
  const timer = setInterval(tick, intervalMs)
  timer.unref()
  return {
    async close() {
      stopped = true
      clearInterval(timer)
      await inFlight
    },
  }
}
