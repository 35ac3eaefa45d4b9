import * as z from 'zod'
import { NotionId } from '../../domain/ids.js'
import { QueryPageSize, StartCursor } from '../../http/pagination.js'
import { JsonObject } from '../../domain/validation.js'

/**
 * Request schemas of the `/v1/blocks` endpoints (SDK `api-endpoints/blocks.d.ts`; docs/reference/notion-api.md §1.3).
 * Bodies are strict: an unknown key answers "body.x should be not present".
 */

/** `position` of `PATCH /v1/blocks/{id}/children` (SDK `ContentPositionSchema`). */
export const ContentPosition = z.union([
  z.object({ type: z.literal('after_block'), after_block: z.object({ id: NotionId }).strict() }).strict(),
  z.object({ type: z.literal('start') }).strict(),
  z.object({ type: z.literal('end') }).strict(),
])

/**
 * `PATCH /v1/blocks/{id}/children`: `children` (required, ≤ 100), and where to put them: `position`
 * (all versions; the only way under 2026-03-11) or the deprecated `after` (≤ 2025-09-03).
 * The blocks themselves are validated by `parseBlockRequests`.
 */
export const AppendChildrenBody = z
  .object({
    children: z.array(z.unknown()).max(100),
    after: NotionId.optional(),
    position: ContentPosition.optional(),
  })
  .strict()

/**
 * `PATCH /v1/blocks/{id}`: `type`, `in_trash`, `archived` and one type key. The type key's content
 * depends on the stored block's type, so it is validated in the service; here only the envelope
 * (an object kept as parsed, so a `__proto__` key is seen and refused like any unknown key).
 */
export const UpdateBlockEnvelope = JsonObject

/** `GET /v1/blocks/{id}/children` query: `start_cursor`, `page_size` (1–100, default 100). */
export const ListChildrenQuery = z.object({
  start_cursor: StartCursor,
  page_size: QueryPageSize,
})
