import { timingSafeEqual } from 'node:crypto'
import type { Deps } from './deps.js'

/**
 * Signed URLs of Notion-hosted files (issue 14, docs/file-uploads.md, docs/reference/notion-api-2026.md
 * §1.7). An attached upload is stored inside its owner's JSON as the marker
 * `{"type":"file","file":{"file_upload_id":<id>,"filename":<name>}}` and every `/v1` answer turns
 * the marker into Notion's `{"type":"file","file":{"url","expiry_time"}}` (`signFileRefs`, called
 * by api/router.ts), with a URL Octavo serves itself:
 *
 *   <public URL>/_octavo/files/<upload id>/<file name>?expires=<epoch ms>&signature=<hex>
 *
 * `signature` = HMAC-SHA-256 over `<upload id>.<expires>` with a key derived from the master key
 * (`Secrets.fileUrlMac`). The URL works without a token for `FILE_URL_TTL_MS` (one hour, on the
 * injected clock), so it is the secret: the request log records the path only, never the query.
 */

/** How long a signed file URL works: one hour, as Notion's. */
export const FILE_URL_TTL_MS = 60 * 60 * 1000

/** The stored form of an attached upload (never sent to clients). */
export interface FileMarker {
  file_upload_id: string
  filename: string
}

/** The marker to store for an attached upload. */
export function fileMarker(id: string, filename: string | null): { type: 'file'; file: FileMarker } {
  return { type: 'file', file: { file_upload_id: id, filename: filename ?? 'file' } }
}

/** A signed URL for an upload's bytes and its expiry (Notion's `InternalFileResponse`). */
export function signFileUrl(
  deps: Pick<Deps, 'secrets' | 'clock' | 'publicUrl'>,
  id: string,
  filename: string,
): { url: string; expiry_time: string } {
  const expires = deps.clock.now() + FILE_URL_TTL_MS
  const signature = deps.secrets.fileUrlMac(`${id}.${expires}`)
  return {
    url: `${deps.publicUrl}/_octavo/files/${id}/${encodeURIComponent(filename)}?expires=${expires}&signature=${signature}`,
    expiry_time: new Date(expires).toISOString(),
  }
}

/**
 * Whether `expires` and `signature` (from a request's query) are a valid, unexpired signature of
 * upload `id`. Constant-time comparison; anything malformed is simply invalid.
 */
export function verifyFileUrl(
  deps: Pick<Deps, 'secrets' | 'clock'>,
  id: string,
  expires: string | undefined,
  signature: string | undefined,
): boolean {
  if (!expires || !signature || !/^[0-9]{1,15}$/.test(expires) || !/^[0-9a-f]{64}$/.test(signature)) return false
  if (Number(expires) < deps.clock.now()) return false
  const want = Buffer.from(deps.secrets.fileUrlMac(`${id}.${expires}`), 'hex')
  const got = Buffer.from(signature, 'hex')
  return want.length === got.length && timingSafeEqual(want, got)
}

/** Objects `markFileFree` vouched for: `signFileRefs` skips them whole. */
const fileFree = new WeakSet<object>()

/**
 * Whether JSON text as Octavo stores it (`JSON.stringify` output: a page's `properties`, `icon`,
 * `cover`) may hold a file marker or a custom emoji: it names `file_upload_id` or `custom_emoji`,
 * or has a `\u` escape (which could spell either). False for null. A cheap substring test, so that a
 * presenter can vouch for what it built from such text (`markFileFree`).
 */
export function mayHoldFileRefs(...texts: (string | null | undefined)[]): boolean {
  for (const t of texts) {
    if (t && (t.includes('file_upload_id') || t.includes('custom_emoji') || t.includes('\\u'))) return true
  }
  return false
}

/**
 * Marks `value` (an answer object) as holding no file marker and no custom emoji anywhere inside, so
 * `signFileRefs` skips it without walking it: a list of 100 pages then costs 100 lookups instead of
 * a walk over every nested object. Only for objects built from stored text that `mayHoldFileRefs`
 * cleared and from fields that cannot hold either (ids, times, users, parents). Returns `value`.
 */
export function markFileFree<T extends object>(value: T): T {
  fileFree.add(value)
  return value
}

/** Whether `markFileFree` vouched for `value` (the page presenter's memo keeps only such objects). */
export function isFileFree(value: object): boolean {
  return fileFree.has(value)
}

function isMarker(v: unknown): v is FileMarker {
  return v !== null && typeof v === 'object' && typeof (v as FileMarker).file_upload_id === 'string'
}

/**
 * Replaces every stored file marker inside `value` (any JSON-like answer) with a freshly signed
 * `{url, expiry_time}`, in place, and returns `value`. Objects without markers are untouched;
 * objects vouched for by `markFileFree` are not walked.
 * `onCustomEmoji`, when given, receives each `custom_emoji` payload `{id, …}` met on the way (icons,
 * mentions), so the router refreshes them without a second walk (services/custom-emojis.service.ts).
 */
export function signFileRefs<T>(
  value: T,
  deps: Pick<Deps, 'secrets' | 'clock' | 'publicUrl'>,
  onCustomEmoji?: (emoji: { id: string }) => void,
): T {
  const stack: unknown[] = [value]
  while (stack.length) {
    const v = stack.pop()
    if (v === null || typeof v !== 'object') continue
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === 'object') stack.push(x)
      continue
    }
    if (fileFree.has(v)) continue
    const o = v as Record<string, unknown>
    if (isMarker(o.file)) {
      o.file = signFileUrl(deps, o.file.file_upload_id, o.file.filename)
      continue
    }
    if (onCustomEmoji && o.type === 'custom_emoji') {
      const e = o.custom_emoji as { id?: unknown } | null | undefined
      if (e && typeof e === 'object' && typeof e.id === 'string') {
        onCustomEmoji(e as { id: string })
        continue
      }
    }
    for (const x of Object.values(o)) if (x !== null && typeof x === 'object') stack.push(x)
  }
  return value
}
