import { randomUUID } from 'node:crypto'
import type * as z from 'zod'
import { actingUserId, type RequestContext } from '../../auth/principal.js'
import { isoNow, toMinute } from '../../domain/clock.js'
import { bareMime, extensionMatchesMime, extensionOf, extensionOfMime, isSupportedMime, mimeOfExtension } from '../../domain/file-types.js'
import { newId } from '../../domain/ids.js'
import type { Plan } from '../../domain/workspace.js'
import { NotionApiError, validationError } from '../../errors/notion-error.js'
import { readMultipart } from '../../http/multipart.js'
import { PAGE_SIZE_MAX } from '../../http/pagination.js'
import { decideComplete, decideSend, type UploadState } from '../../permissions/decide-file-upload.js'
import { requireCapability } from '../../services/access.js'
import { changeActorOf } from '../../services/change-actor.js'
import type { Deps } from '../../services/deps.js'
import { checkImportUrl, fetchExternalFile, ImportError, sizeMessage } from '../../services/file-import.js'
import { freeBlobs } from '../../services/file-sweep.js'
import { storageRoom, quotaMessage } from '../../services/file-storage.js'
import { BlobTooLargeError } from '../../storage/blobs/blob-store.js'
import {
  completeFileUpload,
  failFileUpload,
  findFileUpload,
  insertFileUpload,
  listFileUploadsOf,
  listUploadParts,
  recordUploadPart,
  type FileUploadRow,
} from '../../storage/repositories/file-uploads.repository.js'
import type { Db } from '../../storage/store.js'
import { presentFileUpload } from './file-uploads.presenter.js'
import type { CreateFileUploadInput, ListFileUploadsQuery } from './file-uploads.schemas.js'

/**
 * The five `/v1/file_uploads` operations (SDK `fileUploads.create|send|complete|retrieve|list`;
 * docs/reference/notion-api-2026.md §1, docs/file-uploads.md). Capabilities: creating, sending and
 * completing need insert content, reading needs read content (Notion does not document one; these
 * follow what attaching needs). An upload is visible only to the token that created it (its acting
 * user, in its workspace); any other id answers 404.
 *
 * Limits: the plan's per-file size (`maxUploadBytes`: 5 MiB Free, 5 GiB paid, as
 * `bot.workspace_limits.max_file_upload_size_in_bytes`), enforced while the bytes stream; at most
 * 20 MiB per `/send`; every multi-part part but the last at least 5 MiB (checked by `/complete`).
 */

const MiB = 1024 * 1024
/** Largest single `/send` (a single-part file, or one part). */
export const MAX_PART_BYTES = 20 * MiB
/** Smallest multi-part part except the last. */
export const MIN_PART_BYTES = 5 * MiB
/** How long an unattached upload lives. */
export const UPLOAD_TTL_MS = 60 * 60 * 1000

/** The per-file limit of a plan, in bytes (Notion: Free 5 MiB, paid plans 5 GiB). */
export function maxUploadBytes(plan: Plan): number {
  return plan === 'free' ? 5 * MiB : 5 * 1024 * MiB
}

function notFound(id: string): NotionApiError {
  return new NotionApiError('object_not_found', `Could not find file upload with ID: ${id}.`)
}

function stateOf(row: FileUploadRow): UploadState {
  return {
    id: row.id,
    mode: row.mode,
    status: row.status,
    expiryTime: row.expiry_time,
    attached: row.attached_id !== null,
    contentType: row.content_type,
  }
}

/** The caller's upload `id`, or 404. */
async function loadOwn(db: Db, ctx: RequestContext, id: string): Promise<FileUploadRow> {
  const row = await findFileUpload(db, ctx.caller.workspaceId, id)
  if (!row || row.created_by !== actingUserId(ctx.caller)) throw notFound(id)
  return row
}

async function present(deps: Deps, ctx: RequestContext, db: Db, row: FileUploadRow) {
  const parts = row.mode === 'multi_part' ? (await listUploadParts(db, row.id)).length : 0
  return presentFileUpload(row, { version: ctx.version, publicUrl: deps.publicUrl, nowIso: isoNow(deps.clock), partsSent: parts })
}

/**
 * A file's name and type made consistent: the extension must be supported, the content type (given,
 * or inferred from the extension) supported and matching the extension; a name without extension
 * gets the content type's. Returns nulls for what is still unknown.
 * @throws NotionApiError validation_error
 */
export function resolveNameAndType(
  filename: string | null,
  contentType: string | null,
  where = 'body',
): { filename: string | null; contentType: string | null } {
  const mime = contentType ? bareMime(contentType) : null
  if (mime !== null && !isSupportedMime(mime)) {
    throw validationError(`The content type \`${mime}\` is not supported for file uploads.`)
  }
  if (filename === null) return { filename: null, contentType: mime }
  let name = filename
  let ext = extensionOf(name)
  if (ext === null) {
    const inferred = mime ? extensionOfMime(mime) : null
    if (!inferred)
      throw validationError(
        `${where} failed validation: the filename \`${filename}\` has no extension and none can be inferred from its content type.`,
      )
    name = `${name}.${inferred}`
    ext = inferred
    if (Buffer.byteLength(name, 'utf8') > 900)
      throw validationError(`${where} failed validation: ${where}.filename should be at most 900 bytes long.`)
  }
  const fromExt = mimeOfExtension(ext)
  if (!fromExt) throw validationError(`The file extension \`.${ext}\` is not supported for file uploads.`)
  if (mime !== null && !extensionMatchesMime(ext, mime)) {
    throw validationError(`The content type \`${mime}\` does not match the extension of the filename \`${name}\`.`)
  }
  return { filename: name, contentType: mime ?? fromExt }
}

/**
 * `POST /v1/file_uploads`. `multi_part` needs `filename` and `number_of_parts`; `number_of_parts`
 * belongs to `multi_part` only and `external_url` to `external_url` only. An `external_url` upload
 * starts importing at once, in the background; its outcome lands in `file_import_result`.
 * @throws NotionApiError restricted_resource | validation_error
 */
export async function createFileUpload(deps: Deps, ctx: RequestContext, body: CreateFileUploadInput) {
  requireCapability(ctx.caller, 'insert_content')
  const mode = body.mode ?? 'single_part'
  if (mode === 'multi_part') {
    if (body.filename === undefined)
      throw validationError('body failed validation: body.filename should be defined, instead was `undefined`.')
    if (body.number_of_parts === undefined) {
      throw validationError('body failed validation: body.number_of_parts should be defined, instead was `undefined`.')
    }
  } else if (body.number_of_parts !== undefined) {
    throw validationError(`body failed validation: body.number_of_parts should be not present, instead was \`${body.number_of_parts}\`.`)
  }
  if (mode === 'external_url' && body.external_url === undefined) {
    throw validationError('body failed validation: body.external_url should be defined, instead was `undefined`.')
  }
  if (mode !== 'external_url' && body.external_url !== undefined) {
    throw validationError(
      `body failed validation: body.external_url should be not present, instead was \`${JSON.stringify(body.external_url)}\`.`,
    )
  }
  const importUrl = mode === 'external_url' ? checkImportUrl(body.external_url as string, deps.files.importAllowPrivate) : null
  const { filename, contentType } = resolveNameAndType(body.filename ?? null, body.content_type ?? null)
  const now = isoNow(deps.clock)
  const personal = ctx.caller.kind === 'personal'
  const row: FileUploadRow = {
    id: newId(),
    workspace_id: ctx.caller.workspaceId,
    created_by: actingUserId(ctx.caller),
    created_by_type: personal ? 'person' : 'bot',
    created_time: now,
    last_edited_time: now,
    mode,
    status: 'pending',
    filename,
    content_type: contentType,
    content_length: null,
    number_of_parts: mode === 'multi_part' ? (body.number_of_parts as number) : null,
    expiry_time: new Date(Date.parse(toMinute(now)) + UPLOAD_TTL_MS).toISOString(),
    external_url: importUrl ? importUrl.href : null,
    import_result: null,
    attached_type: null,
    attached_id: null,
    attached_time: null,
  }
  await deps.store.transaction((trx) => insertFileUpload(trx, row, changeActorOf(ctx.caller)))
  if (importUrl) {
    const limit = maxUploadBytes(ctx.caller.plan)
    const actor = changeActorOf(ctx.caller)
    // Detached on purpose: Notion answers `pending` and imports in the background.
    void importExternal(deps, row, importUrl, limit, actor).catch((err: unknown) =>
      deps.logger.error({ uploadId: row.id, err: { name: (err as Error).name, message: (err as Error).message } }, 'file import crashed'),
    )
  }
  return present(deps, ctx, deps.store.db, row)
}

/** Downloads an external file into the blob store and finishes the upload (`uploaded` or `failed`). */
async function importExternal(deps: Deps, row: FileUploadRow, url: URL, limit: number, actor: string): Promise<void> {
  const key = `${row.id}/${randomUUID()}`
  const signal = AbortSignal.timeout(deps.files.importTimeoutSeconds * 1000)
  let stored = false
  try {
    const fetched = await fetchExternalFile(
      url,
      { allowPrivate: deps.files.importAllowPrivate, timeoutMs: deps.files.importTimeoutSeconds * 1000, maxBytes: limit },
      signal,
    )
    let resolved: { filename: string | null; contentType: string | null }
    try {
      const type =
        row.content_type ??
        (fetched.contentType && bareMime(fetched.contentType) !== 'application/octet-stream' ? fetched.contentType : null)
      resolved = resolveNameAndType(row.filename ?? fetched.filename ?? 'file', type)
    } catch (err) {
      fetched.body.destroy()
      throw new ImportError('validation_error', 'file_import_invalid_type', (err as Error).message)
    }
    let size: number
    const room = await storageRoom(deps, row.workspace_id)
    try {
      size = await deps.blobs.put(key, fetched.body, Math.min(limit, room.remaining))
    } catch (err) {
      fetched.body.destroy()
      if (err instanceof BlobTooLargeError)
        throw new ImportError(
          'validation_error',
          room.remaining < limit ? 'file_upload_quota_exceeded' : 'file_upload_invalid_size',
          room.remaining < limit ? quotaMessage(room) : sizeMessage(limit),
        )
      if (signal.aborted) throw new ImportError('download_error', 'file_import_timeout', 'Downloading the external file timed out.')
      throw new ImportError('download_error', 'file_import_download_failed', 'Downloading the external file failed.')
    }
    stored = true
    const now = isoNow(deps.clock)
    await deps.store.transaction(async (trx) => {
      const current = await findFileUpload(trx, row.workspace_id, row.id)
      if (!current || current.status !== 'pending') return
      await recordUploadPart(trx, current, { upload_id: row.id, part_number: 1, size, blob_key: key, sent_time: now }, actor)
      await completeFileUpload(
        trx,
        current,
        {
          filename: resolved.filename,
          content_type: resolved.contentType,
          content_length: size,
          time: now,
          import_result: JSON.stringify({ imported_time: now, type: 'success', success: {} }),
        },
        actor,
      )
    })
  } catch (err) {
    if (stored) await deps.blobs.delete(key).catch(() => {})
    const e =
      err instanceof ImportError
        ? err
        : new ImportError('internal_system_error', 'file_import_failed', 'The external file could not be imported.')
    const now = isoNow(deps.clock)
    const result = {
      imported_time: now,
      type: 'error',
      error: {
        type: e.type,
        code: e.code,
        message: e.message,
        parameter: e.type === 'validation_error' ? 'external_url' : null,
        status_code: e.statusCode,
      },
    }
    await deps.store.transaction(async (trx) => {
      const current = await findFileUpload(trx, row.workspace_id, row.id)
      if (current?.status === 'pending') await failFileUpload(trx, current, result, now, actor)
    })
  }
}

/** What the `/send` route hands the service: the raw request body and its headers. */
export interface SendRequest {
  body: ReadableStream<Uint8Array> | null
  contentType: string | undefined
  contentLength: string | undefined
}

/** Slack for multipart framing (boundaries, part headers, the part_number field) over the file's bytes. */
const FRAMING_BYTES = 64 * 1024

/**
 * `POST /v1/file_uploads/{id}/send`: streams the `file` part into the blob store (never whole in
 * memory), enforcing the plan limit and the 20 MiB part limit while it arrives. Single-part: the
 * upload becomes `uploaded`. Multi-part: `part_number` (1…`number_of_parts`) is required and the
 * upload stays `pending` until `/complete`; re-sending a part replaces it.
 * @throws NotionApiError restricted_resource | object_not_found | validation_error
 */
export async function sendFileUpload(deps: Deps, ctx: RequestContext, id: string, req: SendRequest) {
  requireCapability(ctx.caller, 'insert_content')
  const upload = await loadOwn(deps.store.db, ctx, id)
  const refusal = decideSend(stateOf(upload), isoNow(deps.clock))
  if (refusal.type === 'deny') throw validationError(refusal.message)
  const planLimit = maxUploadBytes(ctx.caller.plan)
  const others = upload.mode === 'multi_part' ? await listUploadParts(deps.store.db, upload.id) : []
  const sentElsewhere = others.reduce((n, p) => n + Number(p.size), 0)
  const room = await storageRoom(deps, upload.workspace_id)
  const byPlan = Math.min(MAX_PART_BYTES, Math.max(0, planLimit - sentElsewhere))
  const limit = Math.min(byPlan, room.remaining)
  const tooLarge = () =>
    validationError(
      room.remaining < byPlan
        ? quotaMessage(room)
        : limit < MAX_PART_BYTES
          ? sizeMessage(planLimit)
          : `A file or part sent to /send may be at most 20 MiB; use multi_part mode with parts of 5–20 MiB for larger files.`,
    )
  const declared = req.contentLength === undefined ? null : Number(req.contentLength)
  if (declared !== null && Number.isFinite(declared) && declared > limit + FRAMING_BYTES) throw tooLarge()
  const key = `${upload.id}/${randomUUID()}`
  let size: number | undefined
  let parsed: Awaited<ReturnType<typeof readMultipart<number>>>
  try {
    parsed = await readMultipart(req.body, req.contentType, 'file', async (stream) => {
      size = await deps.blobs.put(key, stream, limit)
      return size
    })
  } catch (err) {
    await deps.blobs.delete(key).catch(() => {})
    if (err instanceof BlobTooLargeError) throw tooLarge()
    throw err
  }
  const discard = async (e: NotionApiError): Promise<never> => {
    await deps.blobs.delete(key).catch(() => {})
    throw e
  }
  if (parsed.file === undefined || parsed.fileInfo === undefined) {
    return discard(validationError('body failed validation: body.file should be defined, instead was `undefined`.'))
  }
  const partNumber = await partNumberOf(upload, parsed.fields.part_number).catch(discard)
  // Name and type: what create declared wins; the part's own filename and type fill the gaps and must agree.
  let resolved: { filename: string | null; contentType: string | null } = { filename: upload.filename, contentType: upload.content_type }
  if (upload.mode === 'single_part') {
    const sentType = bareMime(parsed.fileInfo.mimeType)
    const partType = sentType === 'application/octet-stream' ? null : sentType
    if (upload.content_type && partType && partType !== bareMime(upload.content_type)) {
      return discard(
        validationError(
          `The content type of the sent file (\`${partType}\`) does not match the file upload's content type (\`${upload.content_type}\`).`,
        ),
      )
    }
    try {
      resolved = resolveNameAndType(upload.filename ?? parsed.fileInfo.filename ?? null, upload.content_type ?? partType)
    } catch (err) {
      return discard(err as NotionApiError)
    }
    if (resolved.filename === null || resolved.contentType === null) {
      return discard(validationError('The file upload has no filename: give `filename` when creating it or a filename in the `file` part.'))
    }
  }
  const now = isoNow(deps.clock)
  const actor = changeActorOf(ctx.caller)
  let replaced: string | null = null
  const row = await deps.store
    .transaction(async (trx) => {
      const current = await loadOwn(trx, ctx, id)
      const again = decideSend(stateOf(current), now)
      if (again.type === 'deny') throw validationError(again.message)
      replaced = await recordUploadPart(
        trx,
        current,
        { upload_id: current.id, part_number: partNumber, size: size as number, blob_key: key, sent_time: now },
        actor,
      )
      if (current.mode === 'single_part') {
        await completeFileUpload(
          trx,
          current,
          { filename: resolved.filename, content_type: resolved.contentType, content_length: size as number, time: now },
          actor,
        )
      }
      return (await findFileUpload(trx, current.workspace_id, current.id)) as FileUploadRow
    })
    .catch(async (err: unknown) => {
      await deps.blobs.delete(key).catch(() => {})
      throw err
    })
  if (replaced) await freeBlobs(deps, [replaced]).catch(() => 0)
  return present(deps, ctx, deps.store.db, row)
}

/** `part_number` of a `/send`: required 1…`number_of_parts` for multi-part, absent or 1 otherwise. */
async function partNumberOf(upload: FileUploadRow, raw: string | undefined): Promise<number> {
  if (upload.mode !== 'multi_part') {
    if (raw === undefined || raw === '1') return 1
    throw validationError(
      `body failed validation: body.part_number should be \`1\` or absent for a ${upload.mode} upload, instead was \`${JSON.stringify(raw)}\`.`,
    )
  }
  const total = upload.number_of_parts ?? 1
  if (raw === undefined) throw validationError('body failed validation: body.part_number should be defined, instead was `undefined`.')
  const n = /^[0-9]{1,6}$/.test(raw) ? Number(raw) : NaN
  if (!Number.isInteger(n) || n < 1 || n > total) {
    throw validationError(
      `body failed validation: body.part_number should be an integer between 1 and ${total}, instead was \`${JSON.stringify(raw)}\`.`,
    )
  }
  return n
}

/**
 * `POST /v1/file_uploads/{id}/complete`: a multi-part upload whose parts 1…`number_of_parts` are all
 * in, every part but the last at least 5 MiB, and the total within the plan limit, becomes `uploaded`.
 * @throws NotionApiError restricted_resource | object_not_found | validation_error
 */
export async function completeUpload(deps: Deps, ctx: RequestContext, id: string) {
  requireCapability(ctx.caller, 'insert_content')
  const now = isoNow(deps.clock)
  const planLimit = maxUploadBytes(ctx.caller.plan)
  const row = await deps.store.transaction(async (trx) => {
    const upload = await loadOwn(trx, ctx, id)
    const refusal = decideComplete(stateOf(upload), now)
    if (refusal.type === 'deny') throw validationError(refusal.message)
    const parts = await listUploadParts(trx, upload.id)
    const total = upload.number_of_parts ?? 0
    const have = new Set(parts.map((p) => p.part_number))
    const missing: number[] = []
    for (let n = 1; n <= total && missing.length < 10; n++) if (!have.has(n)) missing.push(n)
    if (missing.length) {
      throw validationError(
        `Expected ${total} parts, but ${parts.length} were sent. Missing part numbers: ${missing.join(', ')}${missing.length === 10 ? ', …' : ''}.`,
      )
    }
    const small = parts.find((p) => p.part_number < total && Number(p.size) < MIN_PART_BYTES)
    if (small)
      throw validationError(`Part ${small.part_number} is ${Number(small.size)} bytes; every part except the last must be at least 5 MiB.`)
    const length = parts.reduce((n, p) => n + Number(p.size), 0)
    if (length > planLimit) throw validationError(sizeMessage(planLimit))
    await completeFileUpload(
      trx,
      upload,
      { filename: upload.filename, content_type: upload.content_type, content_length: length, time: now },
      changeActorOf(ctx.caller),
    )
    return (await findFileUpload(trx, upload.workspace_id, upload.id)) as FileUploadRow
  })
  return present(deps, ctx, deps.store.db, row)
}

/** `GET /v1/file_uploads/{id}`. @throws NotionApiError restricted_resource | object_not_found */
export async function getFileUpload(deps: Deps, ctx: RequestContext, id: string) {
  requireCapability(ctx.caller, 'read_content')
  return present(deps, ctx, deps.store.db, await loadOwn(deps.store.db, ctx, id))
}

/** `GET /v1/file_uploads`: the caller's uploads, newest first, optionally of one status. */
export async function listFileUploads(deps: Deps, ctx: RequestContext, query: z.output<typeof ListFileUploadsQuery>) {
  requireCapability(ctx.caller, 'read_content')
  const limit = query.page_size ?? PAGE_SIZE_MAX
  const nowIso = isoNow(deps.clock)
  const rows = await listFileUploadsOf(deps.store.db, {
    workspaceId: ctx.caller.workspaceId,
    createdBy: actingUserId(ctx.caller),
    ...(query.status ? { status: query.status } : {}),
    nowIso,
    ...(query.start_cursor ? { cursor: query.start_cursor } : {}),
    limit: limit + 1,
  })
  const page = rows.slice(0, limit)
  const next = rows.length > limit ? (rows[limit] as FileUploadRow).id : null
  const results = []
  for (const r of page) results.push(await present(deps, ctx, deps.store.db, r))
  return { object: 'list' as const, results, next_cursor: next, has_more: next !== null, type: 'file_upload' as const, file_upload: {} }
}
