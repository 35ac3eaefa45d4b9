import type { FileUploadObjectResponse } from '@notionhq/client'
import { toMinute } from '../../domain/clock.js'
import { dropsArchived, type NotionVersion } from '../../domain/versions.js'
import { effectiveStatus } from '../../permissions/decide-file-upload.js'
import type { FileUploadRow } from '../../storage/repositories/file-uploads.repository.js'

/**
 * The `file_upload` object (SDK `FileUploadObjectResponse`; docs/reference/notion-api-2026.md §1.3):
 * times rounded to the minute as Notion reports them; `status` with expiry applied; `archived` only
 * before 2026-03-11; `upload_url` while pending (not for imports); `complete_url` while a multi-part
 * upload is pending; `number_of_parts` for multi-part uploads; `file_import_result` for imports once
 * they finished.
 */
export function presentFileUpload(
  row: FileUploadRow,
  p: { version: NotionVersion; publicUrl: string; nowIso: string; partsSent: number },
): FileUploadObjectResponse {
  const status = effectiveStatus({ status: row.status, expiryTime: row.expiry_time, attached: row.attached_id !== null }, p.nowIso)
  const base = `${p.publicUrl}/v1/file_uploads/${row.id}`
  const out: Record<string, unknown> = {
    object: 'file_upload',
    id: row.id,
    created_time: toMinute(row.created_time),
    created_by: { id: row.created_by, type: row.created_by_type },
    last_edited_time: toMinute(row.last_edited_time),
    in_trash: false,
    ...(dropsArchived(p.version) ? {} : { archived: false }),
    expiry_time: row.attached_id !== null ? null : row.expiry_time,
    status,
    filename: row.filename,
    content_type: row.content_type,
    content_length: row.content_length === null ? null : Number(row.content_length),
  }
  if (status === 'pending' && row.mode !== 'external_url') out.upload_url = `${base}/send`
  if (status === 'pending' && row.mode === 'multi_part') out.complete_url = `${base}/complete`
  if (row.import_result) out.file_import_result = JSON.parse(row.import_result) as unknown
  if (row.mode === 'multi_part') out.number_of_parts = { total: row.number_of_parts ?? 0, sent: p.partsSent }
  return out as FileUploadObjectResponse
}
