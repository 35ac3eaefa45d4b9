import { actingUserId, type RequestContext } from '../auth/principal.js'
import { isoNow } from '../domain/clock.js'
import { parseId } from '../domain/ids.js'
import type { AttachTarget } from '../domain/file-types.js'
import { validationError } from '../errors/notion-error.js'
import { decideAttach } from '../permissions/decide-file-upload.js'
import { attachFileUpload, findFileUpload, type FileUploadRow } from '../storage/repositories/file-uploads.repository.js'
import type { Db } from '../storage/store.js'
import { changeActorOf } from './change-actor.js'
import type { Deps } from './deps.js'
import { fileMarker } from './file-urls.js'

/**
 * Attaching uploads to the objects that hold them (issue 14; docs/file-uploads.md): media and file
 * blocks, page and database icons and covers, `files` property values and comment attachments all
 * send `{"type":"file_upload","file_upload":{"id"}}` (comments: `{file_upload_id}`). Each is
 * checked by `decideAttach` (only the token's own uploads — another connection's reads as unknown) (uploaded, not expired, not attached before, type fits the target) and
 * marked attached in the writer's transaction; the owner stores `fileMarker(…)`.
 */

/**
 * Checks and attaches upload `id` to `owner` for `target` inside `trx`, returning the marker to
 * store in the owner's JSON. An upload of another workspace reads as unknown.
 * @throws NotionApiError validation_error (unknown, expired, failed, pending, attached, wrong type)
 */
export async function attachUpload(
  trx: Db,
  deps: Pick<Deps, 'clock'>,
  ctx: RequestContext,
  id: string,
  target: AttachTarget,
  owner: { type: string; id: string },
): Promise<{ marker: ReturnType<typeof fileMarker>; upload: FileUploadRow }> {
  const upload = await findFileUpload(trx, ctx.caller.workspaceId, parseId(id) ?? id)
  if (!upload || upload.created_by !== actingUserId(ctx.caller)) throw validationError(`Could not find file upload with ID: ${id}.`)
  const now = isoNow(deps.clock)
  const decision = decideAttach(
    {
      id: upload.id,
      mode: upload.mode,
      status: upload.status,
      expiryTime: upload.expiry_time,
      attached: upload.attached_id !== null,
      contentType: upload.content_type,
    },
    target,
    now,
  )
  if (decision.type === 'deny') throw validationError(decision.message)
  await attachFileUpload(trx, upload, owner, now, changeActorOf(ctx.caller))
  return { marker: fileMarker(upload.id, upload.filename), upload }
}

/** `{type?:"file_upload", file_upload:{id}}` → the id, else null. */
export function fileUploadIdOf(value: unknown): string | null {
  if (value === null || typeof value !== 'object') return null
  const v = value as { type?: unknown; file_upload?: { id?: unknown } }
  if (v.type !== undefined && v.type !== 'file_upload') return null
  return typeof v.file_upload?.id === 'string' ? v.file_upload.id : null
}
