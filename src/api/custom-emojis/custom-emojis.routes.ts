import type { Hono } from 'hono'
import * as z from 'zod'
import { parseId } from '../../domain/ids.js'
import { parseWith } from '../../domain/validation.js'
import type { AppEnv } from '../../http/context.js'
import { QueryPageSize, StartCursor } from '../../http/pagination.js'
import { listEmojisForApi } from '../../services/custom-emojis.service.js'
import type { Deps } from '../../services/deps.js'
import { findCustomEmojiAnywhere } from '../../storage/repositories/custom-emojis.repository.js'
import type { RouteSpec } from '../router.js'

/** `GET /v1/custom_emojis` query (SDK `ListCustomEmojisParameters`). */
export const ListCustomEmojisQuery = z
  .object({ start_cursor: StartCursor, page_size: QueryPageSize, name: z.string().max(200).optional() })
  .strict()

/**
 * `GET /v1/custom_emojis` (SDK `customEmojis.list`; docs/reference/notion-api-2026.md §5.1): the
 * workspace's custom emojis (services/custom-emojis.service.ts), paginated, `name` an exact lookup.
 */
export function customEmojisRoutes(deps: Deps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/custom_emojis',
      endpoint: 'customEmojis.list',
      schemas: { query: ListCustomEmojisQuery },
      handler: async (c, ctx) => listEmojisForApi(deps, ctx.caller, parseWith(ListCustomEmojisQuery, c.req.query(), 'query')),
    },
  ]
}

/**
 * `GET /_octavo/emojis/{id}`: the stored image of a custom emoji, without a token (Notion's emoji
 * images are public static files; the id is random). Only the image types an emoji may have are
 * stored, served with nosniff and a sandboxing CSP. Unknown id or an emoji with an external URL → 404.
 */
export function registerEmojiImageRoutes(app: Hono<AppEnv>, deps: Deps): void {
  app.get('/_octavo/emojis/:id', async (c) => {
    const id = parseId(c.req.param('id'))
    const row = id ? await findCustomEmojiAnywhere(deps.store.db, id) : undefined
    if (!row || !row.blob_key || row.size === null) {
      return c.json(
        {
          object: 'error',
          status: 404,
          code: 'object_not_found',
          message: 'The emoji image does not exist.',
          request_id: c.get('requestId') ?? '',
        },
        404,
      )
    }
    const chunks: Uint8Array[] = []
    if (row.size > 0) for await (const chunk of deps.blobs.read(row.blob_key, row.size, 0, row.size - 1)) chunks.push(chunk)
    return new Response(Buffer.concat(chunks), {
      status: 200,
      headers: {
        'content-type': row.content_type ?? 'application/octet-stream',
        'content-length': String(row.size),
        'cache-control': 'public, max-age=3600',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox",
      },
    })
  })
}
