import type { Database, FileUploadPartTable, FileUploadTable } from '../database.js'
import type { ExpressionBuilder } from 'kysely'
import type { Db } from '../store.js'
import { appendEvent, appendEvents, type Actor } from './events.repository.js'

/**
 * Reads and writes of `file_upload` and `file_upload_part` (migration 0009-file-uploads, ADR 18).
 * Each write function appends its change event in the caller's transaction:
 * - `insertFileUpload` → `file_upload.created` (`data: {mode}`);
 * - `recordUploadPart` → `file_upload.part_sent` (`data: {part_number, size}`);
 * - `completeFileUpload` → `file_upload.completed` (`data: {content_length}`);
 * - `failFileUpload` → `file_upload.upload_failed` (`data: {file_import_result}`);
 * - `attachFileUpload` → `file_upload.attached` (`data: {attached_type, attached_id}`).
 * - `expireFileUploads` → `file_upload.expired` (no data), run by the periodic sweep (webhooks worker).
 * Expiry is derived on read too (permissions/decide-file-upload.ts `effectiveStatus`), so an upload
 * reads `expired` at its expiry time whether or not the sweep has recorded it yet.
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
 * Records up to `limit` uploads that have expired by `nowIso` (unattached, `pending` or `uploaded`,
 * `expiry_time` ≤ now) as `expired` and appends `file_upload.expired` for each (actor `system`,
 * time = the expiry time), so Notion's `file_upload.expired` webhook has its change event. Run it in
 * a transaction. @returns how many it expired.
 */
export async function expireFileUploads(db: Db, nowIso: string, limit: number): Promise<number> {
  const due = await db
    .selectFrom('file_upload')
    .select(['id', 'workspace_id', 'expiry_time'])
    .where('status', 'in', ['pending', 'uploaded'])
    .where('attached_id', 'is', null)
    .where('expiry_time', '<=', nowIso)
    .orderBy('expiry_time')
    .limit(limit)
    .execute()
  if (due.length === 0) return 0
  await db
    .updateTable('file_upload')
    .set({ status: 'expired' })
    .where(
      'id',
      'in',
      due.map((u) => u.id),
    )
    .execute()
  await appendEvents(
    db,
    due.map((u) => ({
      workspaceId: u.workspace_id,
      type: 'file_upload.expired',
      objectId: u.id,
      actor: 'system',
      time: u.expiry_time ?? nowIso,
    })),
  )
  return due.length
}
