import { actingUserId, type RequestContext } from '../auth/principal.js'
import { isoNow } from '../domain/clock.js'
import { parseId } from '../domain/ids.js'
import type { AttachTarget } from '../domain/file-types.js'
import { validationError } from '../errors/notion-error.js'
import { decideAttach } from '../permissions/decide-file-upload.js'
import { attachFileUpload, findFileUpload, type FileUploadRow } from '../storage/repositories/file-uploads.repository.js'
import type { Db } from '../storage/store.js'
import { changeActorOf } from './change-actor.js'
import { customEmojiIcon } from './custom-emojis.service.js'
import type { Deps } from './deps.js'
import { fileMarker } from './file-urls.js'

/**
 * Attaching uploads to the objects that hold them (issue 14; docs/file-uploads.md): media and file
 * blocks, page and database icons and covers, `files` property values and comment attachments all
 * send `{"type":"file_upload","file_upload":{"id"}}` (comments: `{file_upload_id}`). Each is
 * checked by `decideAttach` (only the token's own uploads — another connection's reads as unknown) (uploaded, not expired, not attached before, type fits the target) and
 * marked attached in the writer's transaction; the owner stores `fileMarker(…)`.
 */

/** `{type?:"file_upload", file_upload:{id}}` → the id, else null. */
export function fileUploadIdOf(value: unknown): string | null {
  if (value === null || typeof value !== 'object') return null
  const v = value as { type?: unknown; file_upload?: { id?: unknown } }
  if (v.type !== undefined && v.type !== 'file_upload') return null
  return typeof v.file_upload?.id === 'string' ? v.file_upload.id : null
}

/** Block types whose own file an upload can be (the attach target is the type itself). */
const MEDIA_TARGETS = new Set<AttachTarget>(['image', 'video', 'audio', 'pdf', 'file'])

/**
 * Collects the uploads one write attaches, so they are checked before the owner is written and
 * attached once its id is known: `resolve…` replace `file_upload` references (as the domain's
 * normalisers leave them) by stored file markers, after `decideAttach`; `attachAll(owner)` then marks
 * every collected upload attached to `owner`. The same upload twice in one request is refused as
 * already attached.
 */
export class UploadClaims {
  private readonly claimed = new Map<string, FileUploadRow>()

  constructor(
    private readonly trx: Db,
    private readonly deps: Pick<Deps, 'clock' | 'publicUrl'>,
    private readonly ctx: RequestContext,
  ) {}

  /** Whether any upload was claimed. */
  get size(): number {
    return this.claimed.size
  }

  /** Checks upload `id` for `target` and returns its marker and row. @throws NotionApiError validation_error */
  async claim(id: string, target: AttachTarget): Promise<{ marker: ReturnType<typeof fileMarker>; upload: FileUploadRow }> {
    const key = parseId(id) ?? id
    const upload = await findFileUpload(this.trx, this.ctx.caller.workspaceId, key)
    if (!upload || upload.created_by !== actingUserId(this.ctx.caller)) throw validationError(`Could not find file upload with ID: ${id}.`)
    const decision = decideAttach(
      {
        id: upload.id,
        mode: upload.mode,
        status: upload.status,
        expiryTime: upload.expiry_time,
        attached: upload.attached_id !== null || this.claimed.has(upload.id),
        contentType: upload.content_type,
      },
      target,
      isoNow(this.deps.clock),
    )
    if (decision.type === 'deny') throw validationError(decision.message)
    this.claimed.set(upload.id, upload)
    return { marker: fileMarker(upload.id, upload.filename), upload }
  }

  /**
   * A normalised icon or cover: a `file_upload` reference becomes a marker; a custom emoji is checked
   * in the workspace and stored with its name and URL (custom-emojis.service.ts); anything else is
   * returned as is.
   */
  async resolveImage<T extends Record<string, unknown> | null>(value: T, target: 'icon' | 'cover'): Promise<T> {
    const emoji = value?.type === 'custom_emoji' ? (value.custom_emoji as { id: string }) : null
    if (emoji) return (await customEmojiIcon(this.deps, this.trx, this.ctx.caller.workspaceId, emoji.id)) as unknown as T
    const id = fileUploadIdOf(value)
    if (id === null) return value
    return (await this.claim(id, target)).marker as unknown as T
  }

  /** Stored content of a block of `type`, in place: its own file (media blocks) and a `file_upload` icon. */
  async resolveContent(type: string, content: Record<string, unknown>): Promise<void> {
    if (MEDIA_TARGETS.has(type as AttachTarget) && content.type === 'file_upload') {
      const id = fileUploadIdOf(content) as string
      const { marker, upload } = await this.claim(id, type as AttachTarget)
      delete content.file_upload
      delete content.external
      content.type = 'file'
      content.file = marker.file
      if (type === 'file' && (content.name === undefined || content.name === null)) content.name = upload.filename ?? 'file'
    }
    const icon = content.icon as Record<string, unknown> | null | undefined
    if (icon && (fileUploadIdOf(icon) !== null || icon.type === 'custom_emoji'))
      content.icon = await this.resolveImage(content.icon as Record<string, unknown>, 'icon')
  }

  /** A tree of new blocks, in place. */
  async resolveBlocks(blocks: { type: string; content: Record<string, unknown>; children: unknown[] }[]): Promise<void> {
    for (const b of blocks) {
      await this.resolveContent(b.type, b.content)
      await this.resolveBlocks(b.children as typeof blocks)
    }
  }

  /** Written property values (`files` values hold `file_upload` references), in place. */
  async resolveValues(values: Record<string, unknown>): Promise<void> {
    for (const v of Object.values(values)) {
      if (!Array.isArray(v)) continue
      for (let i = 0; i < v.length; i++) {
        const f = v[i] as Record<string, unknown> | null
        const id = f && f.type === 'file_upload' ? fileUploadIdOf(f) : null
        if (id === null || !f) continue
        const { marker, upload } = await this.claim(id, 'files_property')
        v[i] = { name: f.name ?? upload.filename ?? 'file', ...marker }
      }
    }
  }

  /** Marks every claimed upload attached to `owner`. */
  async attachAll(owner: { type: string; id: string }): Promise<void> {
    const now = isoNow(this.deps.clock)
    for (const upload of this.claimed.values()) await attachFileUpload(this.trx, upload, owner, now, changeActorOf(this.ctx.caller))
    this.claimed.clear()
  }
}
