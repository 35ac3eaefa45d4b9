import * as z from 'zod'
import { RichTextRequest } from '../../domain/rich-text.js'
import { validationError } from '../../errors/notion-error.js'
import { NotionId } from '../../domain/ids.js'
import { QueryPageSize, StartCursor } from '../../http/pagination.js'

/**
 * Request schemas of `/v1/comments` (SDK `CreateCommentParameters`, `ListCommentsParameters`;
 * docs/reference/notion-api.md §1.7). Objects are strict, so unknown keys answer "should be not present".
 */

/** `parent` of a new comment: a page or a block; `type` optional. */
export const CommentParent = z.union([
  z.object({ type: z.literal('page_id').optional(), page_id: NotionId }).strict(),
  z.object({ type: z.literal('block_id').optional(), block_id: NotionId }).strict(),
])

/** `display_name` (SDK: integration | user | custom{name}). */
export const DisplayNameRequest = z.union([
  z.object({ type: z.literal('integration') }).strict(),
  z.object({ type: z.literal('user') }).strict(),
  z.object({ type: z.literal('custom'), custom: z.object({ name: z.string().min(1).max(2000) }).strict() }).strict(),
])

export const CreateCommentBody = z
  .object({
    parent: CommentParent.optional(),
    discussion_id: NotionId.optional(),
    rich_text: RichTextRequest.optional(),
    markdown: z.string().optional(),
    markdown_version: z.enum(['v1', 'v2']).optional(),
    display_name: DisplayNameRequest.optional(),
    attachments: z
      .array(z.object({ file_upload_id: NotionId, type: z.literal('file_upload').optional() }).strict())
      .max(3)
      .optional(),
  })
  .strict()

export type CreateCommentInput = z.output<typeof CreateCommentBody>

/** Where a new comment goes: a new discussion on a page or block, or an existing discussion. */
export type CommentTarget = { type: 'page_id'; id: string } | { type: 'block_id'; id: string } | { type: 'discussion'; id: string }

function render(value: unknown): string {
  return `\`${JSON.stringify(value)}\``
}

/**
 * The cross-field rules the SDK's union type encodes: exactly one of `parent` and `discussion_id`,
 * and exactly one of `rich_text` and `markdown` (`requireOneBody`).
 * @throws NotionApiError validation_error
 */
export function commentTargetOf(body: CreateCommentInput): CommentTarget {
  if (body.parent && body.discussion_id) {
    throw validationError(
      `body failed validation. Fix one:\nbody.parent should be not present, instead was ${render(body.parent)}.\nbody.discussion_id should be not present, instead was ${render(body.discussion_id)}.`,
    )
  }
  if (!body.parent && !body.discussion_id) {
    throw validationError(
      'body failed validation. Fix one:\nbody.parent should be defined, instead was `undefined`.\nbody.discussion_id should be defined, instead was `undefined`.',
    )
  }
  requireOneBody(body)
  if (body.discussion_id) return { type: 'discussion', id: body.discussion_id }
  const p = body.parent as NonNullable<CreateCommentInput['parent']>
  return 'page_id' in p ? { type: 'page_id', id: p.page_id } : { type: 'block_id', id: p.block_id }
}

/**
 * Exactly one of `rich_text` and `markdown` (docs/reference/notion-api-2026.md §3); `markdown_version`
 * only next to `markdown`.
 * @throws NotionApiError validation_error
 */
export function requireOneBody(body: { rich_text?: unknown; markdown?: string; markdown_version?: string }): void {
  if (body.rich_text !== undefined && body.markdown !== undefined) {
    throw validationError(
      `body failed validation. Fix one:\nbody.rich_text should be not present, instead was ${render(body.rich_text)}.\nbody.markdown should be not present, instead was ${render(body.markdown)}.`,
    )
  }
  if (body.rich_text === undefined && body.markdown === undefined) {
    throw validationError(
      'body failed validation. Fix one:\nbody.rich_text should be defined, instead was `undefined`.\nbody.markdown should be defined, instead was `undefined`.',
    )
  }
  if (body.markdown_version !== undefined && body.markdown === undefined) {
    throw validationError(
      `body failed validation: body.markdown_version should be not present, instead was ${render(body.markdown_version)}.`,
    )
  }
}

/** `PATCH /v1/comments/{id}` (SDK `UpdateCommentParameters`): exactly one of `rich_text` and `markdown`. */
export const UpdateCommentBody = z
  .object({
    rich_text: RichTextRequest.optional(),
    markdown: z.string().optional(),
    markdown_version: z.enum(['v1', 'v2']).optional(),
  })
  .strict()
export type UpdateCommentInput = z.output<typeof UpdateCommentBody>

/** Query of `GET /v1/comments`: `block_id` first, so its errors are reported first. */
export const ListCommentsQuery = z.object({
  block_id: NotionId,
  start_cursor: StartCursor,
  page_size: QueryPageSize,
})
