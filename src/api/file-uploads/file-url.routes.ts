import type { Context, Hono } from 'hono'
import { parseId } from '../../domain/ids.js'
import { bareMime, categoryOfMime } from '../../domain/file-types.js'
import type { AppEnv } from '../../http/context.js'
import type { Deps } from '../../services/deps.js'
import { verifyFileUrl } from '../../services/file-urls.js'
import { readParts } from '../../storage/blobs/blob-store.js'
import { findFileUploadAnywhere, listUploadParts } from '../../storage/repositories/file-uploads.repository.js'
import { Readable } from 'node:stream'

/**
 * `GET /_octavo/files/{upload id}/{file name}?expires=…&signature=…`: the signed URLs of
 * Notion-hosted files (services/file-urls.ts; docs/file-uploads.md). No token, as in Notion: the
 * signature is the credential, checked in constant time, and stops working at `expires`. Answers the
 * bytes with Content-Type, Content-Length, Content-Disposition (inline only for images, audio, video
 * and PDF, and never for SVG or HTML, which would run script on this origin), a sandboxing CSP,
 * `Accept-Ranges: bytes` and single `Range` requests (206, 416). A bad, expired or tampered URL →
 * 403; an unknown or unfinished upload → 404. The request log records only the path, never the
 * query holding the signature.
 */
export function registerFileUrlRoutes(app: Hono<AppEnv>, deps: Deps): void {
  const deny = (c: Context<AppEnv>, status: 403 | 404 | 416, message: string, extra: Record<string, string> = {}) =>
    new Response(
      JSON.stringify({
        object: 'error',
        status,
        code: status === 403 ? 'restricted_resource' : status === 404 ? 'object_not_found' : 'invalid_request',
        message,
        request_id: c.get('requestId') ?? '',
      }),
      { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...extra } },
    )
  app.get('/_octavo/files/:id/:name', async (c) => {
    const id = parseId(c.req.param('id'))
    if (!id || !verifyFileUrl(deps, id, c.req.query('expires'), c.req.query('signature'))) {
      return deny(c, 403, 'The file URL is invalid or has expired. Retrieve the object again for a new URL.')
    }
    const upload = await findFileUploadAnywhere(deps.store.db, id)
    if (!upload || upload.status !== 'uploaded') return deny(c, 404, 'The file does not exist.')
    const parts = (await listUploadParts(deps.store.db, id)).map((p) => ({ key: p.blob_key, size: Number(p.size) }))
    const size = parts.reduce((n, p) => n + p.size, 0)
    const type = upload.content_type ? bareMime(upload.content_type) : 'application/octet-stream'
    const category = categoryOfMime(type)
    const inline =
      (category === 'image' && type !== 'image/svg+xml') || category === 'audio' || category === 'video' || type === 'application/pdf'
    const name = upload.filename ?? 'file'
    const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_')
    const headers: Record<string, string> = {
      'content-type': type,
      'content-disposition': `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'accept-ranges': 'bytes',
      'cache-control': 'private, max-age=3600',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    }
    let start = 0
    let end = size - 1
    let status = 200
    const range = c.req.header('range')
    if (range !== undefined) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim())
      if (m && (m[1] !== '' || m[2] !== '')) {
        if (m[1] === '') {
          const suffix = Number(m[2])
          start = Math.max(0, size - suffix)
        } else {
          start = Number(m[1])
          if (m[2] !== '') end = Math.min(end, Number(m[2]))
        }
        if (start >= size || start > end || (m[1] === '' && Number(m[2]) === 0)) {
          return deny(c, 416, 'The requested range is not satisfiable.', { 'content-range': `bytes */${size}` })
        }
        status = 206
        headers['content-range'] = `bytes ${start}-${end}/${size}`
      }
    }
    headers['content-length'] = String(Math.max(0, end - start + 1))
    const body = size === 0 ? null : (Readable.toWeb(Readable.from(readParts(deps.blobs, parts, start, end))) as unknown as ReadableStream)
    return new Response(body, { status, headers })
  })
}
