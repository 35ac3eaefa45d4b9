import type { WorkspaceExportTable } from '../database.js'
import type { Db } from '../store.js'
import type { At } from './at.js'
import { appendEvent } from './events.repository.js'

/**
 * Reads and writes of `workspace_export` (migration 0016; Notion's Admin API `POST /admin/v1/exports`,
 * docs/notion-admin-api.md). Events, in the caller's transaction: `export.created` (`data`:
 * export_format, requested_by), `export.completed` (`data`: pages_exported, size_bytes),
 * `export.failed` (`data`: error_type).
 */

export type WorkspaceExportRow = WorkspaceExportTable

/** An export job by id. */
export async function findExport(db: Db, id: string): Promise<WorkspaceExportRow | undefined> {
  return db.selectFrom('workspace_export').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Stores a new job (status `in_progress`) and appends `export.created`. */
export async function insertExport(db: Db, row: WorkspaceExportRow, at: At): Promise<void> {
  await db.insertInto('workspace_export').values(row).execute()
  await appendEvent(db, {
    workspaceId: row.workspace_id,
    type: 'export.created',
    objectId: row.id,
    actor: at.actor,
    time: at.time,
    data: { export_format: row.export_format, requested_by: row.requested_by },
  })
}

/** Marks a job completed with its ZIP and appends `export.completed`. */
export async function completeExport(
  db: Db,
  row: Pick<WorkspaceExportRow, 'id' | 'workspace_id'>,
  result: { pagesExported: number; sizeBytes: number; blobKey: string },
  at: At,
): Promise<void> {
  await db
    .updateTable('workspace_export')
    .set({
      status: 'completed',
      pages_exported: result.pagesExported,
      size_bytes: result.sizeBytes,
      blob_key: result.blobKey,
      updated_time: at.time,
    })
    .where('id', '=', row.id)
    .execute()
  await appendEvent(db, {
    workspaceId: row.workspace_id,
    type: 'export.completed',
    objectId: row.id,
    actor: at.actor,
    time: at.time,
    data: { pages_exported: result.pagesExported, size_bytes: result.sizeBytes },
  })
}

/** Marks a job failed and appends `export.failed`. */
export async function failExport(
  db: Db,
  row: Pick<WorkspaceExportRow, 'id' | 'workspace_id'>,
  error: { type: string; message: string },
  at: At,
): Promise<void> {
  await db
    .updateTable('workspace_export')
    .set({ status: 'failed', error_type: error.type, error_message: error.message, updated_time: at.time })
    .where('id', '=', row.id)
    .execute()
  await appendEvent(db, {
    workspaceId: row.workspace_id,
    type: 'export.failed',
    objectId: row.id,
    actor: at.actor,
    time: at.time,
    data: { error_type: error.type },
  })
}
