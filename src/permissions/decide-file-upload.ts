import { mimeFitsTarget, type AttachTarget } from '../domain/file-types.js'

/**
 * The rules of a file upload's life (docs/reference/notion-api-2026.md §1.4, docs/file-uploads.md):
 * who may send to it, complete it, and attach it. Pure. Notion documents the states but not the
 * exact refusal texts, so the messages are Octavo's wording (docs/reference/notion-api-2026.md §1.4
 * notes which parts are unverified); every refusal is 400 `validation_error`.
 */

/** What the rules need to know of an upload. */
export interface UploadState {
  id: string
  mode: 'single_part' | 'multi_part' | 'external_url'
  /** Stored status (before expiry is applied). */
  status: 'pending' | 'uploaded' | 'failed' | 'expired'
  /** ISO time; null once attached. */
  expiryTime: string | null
  attached: boolean
  contentType: string | null
}

export type UploadDecision = { type: 'allow' } | { type: 'deny'; reason: string; message: string }

const allow: UploadDecision = { type: 'allow' }
const deny = (reason: string, message: string): UploadDecision => ({ type: 'deny', reason, message })

/** The status Notion shows: `expired` once an unattached pending or uploaded upload passes its expiry. */
export function effectiveStatus(u: Pick<UploadState, 'status' | 'expiryTime' | 'attached'>, nowIso: string): UploadState['status'] {
  if ((u.status === 'pending' || u.status === 'uploaded') && !u.attached && u.expiryTime !== null && u.expiryTime <= nowIso)
    return 'expired'
  return u.status
}

/** May bytes be sent to this upload now (`/send`)? Only pending, unexpired, single- or multi-part uploads. */
export function decideSend(u: UploadState, nowIso: string): UploadDecision {
  const status = effectiveStatus(u, nowIso)
  if (u.mode === 'external_url') {
    return deny(
      'external',
      `File upload with ID ${u.id} is in external_url mode; Notion imports its file itself, so nothing can be sent to it.`,
    )
  }
  if (status === 'expired') return deny('expired', `File upload with ID ${u.id} has expired. Create a new file upload.`)
  if (status !== 'pending')
    return deny('not_pending', `File upload with ID ${u.id} is in status \`${status}\`; only a pending upload accepts files.`)
  return allow
}

/** May this upload be completed now (`/complete`)? Only pending, unexpired multi-part uploads. */
export function decideComplete(u: UploadState, nowIso: string): UploadDecision {
  const status = effectiveStatus(u, nowIso)
  if (u.mode !== 'multi_part') {
    return deny('not_multi_part', `File upload with ID ${u.id} is not a multi_part upload; only multi_part uploads are completed.`)
  }
  if (status === 'expired') return deny('expired', `File upload with ID ${u.id} has expired. Create a new file upload.`)
  if (status !== 'pending')
    return deny('not_pending', `File upload with ID ${u.id} is in status \`${status}\`; only a pending upload can be completed.`)
  return allow
}

/**
 * May this upload be attached to `target`? It must be uploaded, unexpired, not attached yet, and its
 * content type must fit the target (an image block takes images, a PDF block PDFs, …).
 */
export function decideAttach(u: UploadState, target: AttachTarget, nowIso: string): UploadDecision {
  const status = effectiveStatus(u, nowIso)
  if (u.attached)
    return deny('attached', `File upload with ID ${u.id} is already attached to another object; upload the file again to use it twice.`)
  if (status === 'expired') return deny('expired', `File upload with ID ${u.id} has expired. Create a new file upload.`)
  if (status === 'failed') return deny('failed', `File upload with ID ${u.id} failed and cannot be attached.`)
  if (status !== 'uploaded')
    return deny(
      'not_uploaded',
      `File upload with ID ${u.id} is in status \`${status}\`; send its file (and complete it) before attaching it.`,
    )
  if (!u.contentType || !mimeFitsTarget(u.contentType, target)) {
    return deny(
      'wrong_type',
      `File upload with ID ${u.id} has content type \`${u.contentType ?? 'unknown'}\`, which cannot be used as ${describeTarget(target)}.`,
    )
  }
  return allow
}

function describeTarget(target: AttachTarget): string {
  switch (target) {
    case 'icon':
      return 'an icon'
    case 'cover':
      return 'a cover'
    case 'files_property':
      return 'a files property value'
    case 'comment':
      return 'a comment attachment'
    default:
      return `the file of ${target === 'image' || target === 'audio' ? 'an' : 'a'} ${target} block`
  }
}
