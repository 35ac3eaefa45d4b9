import type { Database, FileUploadPartTable, FileUploadTable } from '../database.js'
import { PostgresAdapter, sql, type ExpressionBuilder } from 'kysely'
import type { Db } from '../store.js'
import { appendEvent, type Actor } from './events.repository.js'

/**
 * Reads and writes of `file_upload` and `file_upload_part` (migration 0009-file-uploads, ADR 18).
 * Each write function appends its change event in the caller's transaction:
 * - `insertFileUpload` → `file_upload.created` (`data: {mode}`);
 * - `recordUploadPart` → `file_upload.part_sent` (`data: {part_number, size}`);
 * - `completeFileUpload` → `file_upload.completed` (`data: {content_length}`);
 * - `failFileUpload` → `file_upload.upload_failed` (`data: {file_import_result}`);
 * - `attachFileUpload` → `file_upload.attached` (`data: {attached_type, attached_id}`);
 * - `expireFileUpload` → `file_upload.expired` (`data: {reason}`), written by the blob sweep
 *   (services/file-sweep.ts), which also removes the parts so their blobs can be freed.
 * Expiry is also derived on read (permissions/decide-file-upload.ts `effectiveStatus`), so an upload
 * reads `expired` the moment its window passes, whether or not the sweep has run.
 */

export type FileUploadRow = FileUploadTable
export type FileUploadPartRow = FileUploadPartTable

/** Stores a new upload and appends `file_upload.created`. */
export async function insertFileUpload(db: Db, row: FileUploadRow, actor: Actor): Promise<void> {
  await db.insertInto('file_upload').values(row).execute()
  await appendEvent(db, {
    workspaceId: row.workspace_id,
    type: 'file_upload.created',
    objectId: row.id,
    actor,
    time: row.created_time,
    data: { mode: row.mode },
  })
}

/** An upload by id within a workspace. */
export async function findFileUpload(db: Db, workspaceId: string, id: string): Promise<FileUploadRow | undefined> {
  return db.selectFrom('file_upload').selectAll().where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst()
}

/** An upload by id in any workspace (the signed file URL carries no workspace). */
export async function findFileUploadAnywhere(db: Db, id: string): Promise<FileUploadRow | undefined> {
  return db.selectFrom('file_upload').selectAll().where('id', '=', id).executeTakeFirst()
}

/**
 * The uploads `createdBy` made in a workspace, newest first (ties by id), at most `limit`, from the
 * upload whose id is `cursor` (inclusive; an unknown cursor gives an empty page). `status` filters
 * by the status Notion shows: `expired` includes unattached pending/uploaded rows past `nowIso`.
 */
export async function listFileUploadsOf(
  db: Db,
  opts: { workspaceId: string; createdBy: string; status?: FileUploadRow['status']; nowIso: string; cursor?: string; limit: number },
): Promise<FileUploadRow[]> {
  let q = db.selectFrom('file_upload').selectAll().where('workspace_id', '=', opts.workspaceId).where('created_by', '=', opts.createdBy)
  const live = (eb: ExpressionBuilder<Database, 'file_upload'>) =>
    eb.and([eb('status', 'in', ['pending', 'uploaded']), eb('attached_id', 'is', null), eb('expiry_time', '<=', opts.nowIso)])
  if (opts.status === 'expired') q = q.where((eb) => eb.or([eb('status', '=', 'expired'), live(eb)]))
  else if (opts.status === 'pending' || opts.status === 'uploaded') q = q.where('status', '=', opts.status).where((eb) => eb.not(live(eb)))
  else if (opts.status) q = q.where('status', '=', opts.status)
  if (opts.cursor) {
    const at = await db
      .selectFrom('file_upload')
      .select(['created_time', 'id'])
      .where('id', '=', opts.cursor)
      .where('workspace_id', '=', opts.workspaceId)
      .where('created_by', '=', opts.createdBy)
      .executeTakeFirst()
    if (!at) return []
    q = q.where((eb) =>
      eb.or([eb('created_time', '<', at.created_time), eb.and([eb('created_time', '=', at.created_time), eb('id', '<=', at.id)])]),
    )
  }
  return q.orderBy('created_time', 'desc').orderBy('id', 'desc').limit(opts.limit).execute()
}

/** The parts sent to an upload, by part number. */
export async function listUploadParts(db: Db, uploadId: string): Promise<FileUploadPartRow[]> {
  const rows = await db.selectFrom('file_upload_part').selectAll().where('upload_id', '=', uploadId).orderBy('part_number').execute()
  return rows.map((r) => ({ ...r, size: Number(r.size) }))
}

/**
 * Records part `part.part_number` of an upload (replacing a part of the same number sent before,
 * whose blob key is returned so the caller can free it), touches the upload, and appends
 * `file_upload.part_sent`.
 */
export async function recordUploadPart(db: Db, upload: FileUploadRow, part: FileUploadPartRow, actor: Actor): Promise<string | null> {
  const old = await db
    .selectFrom('file_upload_part')
    .select('blob_key')
    .where('upload_id', '=', upload.id)
    .where('part_number', '=', part.part_number)
    .executeTakeFirst()
  if (old) await db.deleteFrom('file_upload_part').where('upload_id', '=', upload.id).where('part_number', '=', part.part_number).execute()
  await db.insertInto('file_upload_part').values(part).execute()
  await db.updateTable('file_upload').set({ last_edited_time: part.sent_time }).where('id', '=', upload.id).execute()
  await appendEvent(db, {
    workspaceId: upload.workspace_id,
    type: 'file_upload.part_sent',
    objectId: upload.id,
    actor,
    time: part.sent_time,
    data: { part_number: part.part_number, size: Number(part.size) },
  })
  return old?.blob_key ?? null
}

/**
 * Marks an upload `uploaded` with its final name, type and size (and, for imports, the
 * `file_import_result`), and appends `file_upload.completed`.
 */
export async function completeFileUpload(
  db: Db,
  upload: FileUploadRow,
  done: { filename: string | null; content_type: string | null; content_length: number; time: string; import_result?: string | null },
  actor: Actor,
): Promise<void> {
  await db
    .updateTable('file_upload')
    .set({
      status: 'uploaded',
      filename: done.filename,
      content_type: done.content_type,
      content_length: done.content_length,
      last_edited_time: done.time,
      ...(done.import_result !== undefined ? { import_result: done.import_result } : {}),
    })
    .where('id', '=', upload.id)
    .execute()
  await appendEvent(db, {
    workspaceId: upload.workspace_id,
    type: 'file_upload.completed',
    objectId: upload.id,
    actor,
    time: done.time,
    data: { content_length: done.content_length },
  })
}

/** Marks an (external_url) upload `failed` with its `file_import_result` and appends `file_upload.upload_failed`. */
export async function failFileUpload(
  db: Db,
  upload: FileUploadRow,
  importResult: Record<string, unknown>,
  time: string,
  actor: Actor,
): Promise<void> {
  await db
    .updateTable('file_upload')
    .set({ status: 'failed', import_result: JSON.stringify(importResult), last_edited_time: time })
    .where('id', '=', upload.id)
    .execute()
  await appendEvent(db, {
    workspaceId: upload.workspace_id,
    type: 'file_upload.upload_failed',
    objectId: upload.id,
    actor,
    time,
    data: { file_import_result: importResult },
  })
}

/**
 * Attaches an upload to the object that now holds it (`block`, `page`, `database`, `comment`):
 * its expiry is cleared, and it cannot be attached again. Appends `file_upload.attached`.
 */
export async function attachFileUpload(
  db: Db,
  upload: FileUploadRow,
  to: { type: string; id: string },
  time: string,
  actor: Actor,
): Promise<void> {
  await db
    .updateTable('file_upload')
    .set({ attached_type: to.type, attached_id: to.id, attached_time: time, expiry_time: null, last_edited_time: time })
    .where('id', '=', upload.id)
    .execute()
  await appendEvent(db, {
    workspaceId: upload.workspace_id,
    type: 'file_upload.attached',
    objectId: upload.id,
    actor,
    time,
    data: { attached_type: to.type, attached_id: to.id },
  })
}

/**
 * Bytes of uploaded files a workspace holds: the parts of its uploads that still have them (pending
 * parts included; expired and released uploads have none once swept).
 */
export async function workspaceStorageUsed(db: Db, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('file_upload_part')
    .innerJoin('file_upload', 'file_upload.id', 'file_upload_part.upload_id')
    .select((eb) => eb.fn.sum<number | string | null>('file_upload_part.size').as('n'))
    .where('file_upload.workspace_id', '=', workspaceId)
    .executeTakeFirst()
  return Number(row?.n ?? 0)
}

/** Key of the PostgreSQL advisory lock the blob sweep holds for its transaction (any fixed 64-bit number). */
const SWEEP_LOCK_KEY = 7_700_014_001

/**
 * Claims the right to sweep for the caller's transaction: on PostgreSQL a transaction-scoped advisory
 * lock (`pg_try_advisory_xact_lock`), so one node sweeps at a time and the others skip this round;
 * SQLite has one writer, so it always succeeds. Run inside a transaction.
 * @returns whether this transaction holds the sweep.
 */
export async function claimSweepLock(db: Db): Promise<boolean> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return true
  const r = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${SWEEP_LOCK_KEY}::bigint) as ok`.execute(db)
  return r.rows[0]?.ok === true
}

/** Why the sweep frees an upload: its window passed unattached, or the object holding it is gone. */
export type SweepReason = 'expired' | 'owner_deleted'

/**
 * Uploads the sweep should free, at most `limit`: unattached pending or uploaded uploads whose
 * `expiry_time` ≤ `nowIso` (reason `expired`), and attached uploaded ones whose owner is gone: a
 * deleted comment, or a block, page or database that no longer exists or has been in the trash since
 * before `trashedBeforeIso` (by its `last_edited_time`; Notion empties the trash after 30 days)
 * (reason `owner_deleted`). On PostgreSQL the rows are locked `FOR UPDATE SKIP LOCKED`.
 */
export async function sweepCandidates(
  db: Db,
  opts: { nowIso: string; trashedBeforeIso: string; limit: number },
): Promise<{ row: FileUploadRow; reason: SweepReason }[]> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter
  let expired = db
    .selectFrom('file_upload')
    .selectAll()
    .where('status', 'in', ['pending', 'uploaded'])
    .where('attached_id', 'is', null)
    .where('expiry_time', '<=', opts.nowIso)
    .orderBy('expiry_time')
    .limit(opts.limit)
  if (pg) expired = expired.forUpdate().skipLocked()
  const out: { row: FileUploadRow; reason: SweepReason }[] = (await expired.execute()).map((row) => ({ row, reason: 'expired' }))
  if (out.length >= opts.limit) return out
  let released = db
    .selectFrom('file_upload as f')
    .selectAll('f')
    .where('f.status', '=', 'uploaded')
    .where('f.attached_id', 'is not', null)
    .where((eb) =>
      eb.or([
        eb.and([
          eb('f.attached_type', '=', 'comment'),
          eb.not(eb.exists(eb.selectFrom('comment as c').select('c.id').whereRef('c.id', '=', 'f.attached_id'))),
        ]),
        eb.and([
          eb('f.attached_type', 'in', ['block', 'page', 'database']),
          eb.not(
            eb.exists(
              eb
                .selectFrom('block as b')
                .select('b.id')
                .whereRef('b.id', '=', 'f.attached_id')
                .where((w) => w.or([w('b.in_trash', '=', 0), w('b.last_edited_time', '>', opts.trashedBeforeIso)])),
            ),
          ),
        ]),
      ]),
    )
    .orderBy('f.attached_time')
    .limit(opts.limit - out.length)
  if (pg) released = released.forUpdate().skipLocked()
  for (const row of await released.execute()) out.push({ row, reason: 'owner_deleted' })
  return out
}

/**
 * Marks an upload `expired`, removes its parts and appends `file_upload.expired` (`data: {reason}`).
 * @returns the blob keys of the removed parts, for the caller to free once the transaction commits.
 */
export async function expireFileUpload(db: Db, upload: FileUploadRow, reason: SweepReason, time: string, actor: Actor): Promise<string[]> {
  const parts = await db.selectFrom('file_upload_part').select('blob_key').where('upload_id', '=', upload.id).execute()
  await db.deleteFrom('file_upload_part').where('upload_id', '=', upload.id).execute()
  await db.updateTable('file_upload').set({ status: 'expired', last_edited_time: time }).where('id', '=', upload.id).execute()
  await appendEvent(db, {
    workspaceId: upload.workspace_id,
    type: 'file_upload.expired',
    objectId: upload.id,
    actor,
    time,
    data: { reason },
  })
  return parts.map((p) => p.blob_key)
}

/** Every blob key a `file_upload_part` names (for the orphan scan of blob stores outside the database). */
export async function referencedBlobKeys(db: Db): Promise<Set<string>> {
  const rows = await db.selectFrom('file_upload_part').select('blob_key').execute()
  return new Set(rows.map((r) => r.blob_key))
}

/** The stored status of each of `ids` that exists. */
export async function uploadStatuses(db: Db, ids: string[]): Promise<Map<string, FileUploadRow['status']>> {
  const out = new Map<string, FileUploadRow['status']>()
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('file_upload')
      .select(['id', 'status'])
      .where('id', 'in', ids.slice(i, i + 500))
      .execute()
    for (const r of rows) out.set(r.id, r.status)
  }
  return out
}
