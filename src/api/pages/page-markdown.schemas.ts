import * as z from 'zod'
import { anyOf } from '../../domain/validation.js'

/**
 * Request schemas of the page Markdown endpoints (SDK 5.26 `api-endpoints/pages.d.ts`
 * `GetPageMarkdownParameters`, `UpdatePageMarkdownBodyParameters`; docs/reference/notion-api-2026.md §2).
 * `markdown_version` is newer than SDK 5.26 (docs/reference/notion-api-2026.md §2.5) and accepted too.
 */

export const MarkdownVersion = z.enum(['v1', 'v2'])

/** `GET /v1/pages/{id}/markdown` query. */
export const GetPageMarkdownQuery = z
  .object({
    include_transcript: z.enum(['true', 'false']).optional(),
    markdown_version: MarkdownVersion.optional(),
  })
  .strict()

const common = { allow_async: z.boolean().optional(), markdown_version: MarkdownVersion.optional() }

/** `PATCH /v1/pages/{id}/markdown`: `type` and its payload (one of four). */
export const UpdatePageMarkdownBody = anyOf(
  z
    .object({
      type: z.literal('insert_content'),
      insert_content: z
        .object({
          content: z.string(),
          after: z.string().optional(),
          position: z
            .union([
              z.object({ type: z.literal('start') }).strict(),
              z.object({ type: z.literal('end') }).strict(),
              z.object({ type: z.literal('after_content'), after_content: z.object({ anchor: z.string() }).strict() }).strict(),
              z.object({ type: z.literal('after_content'), anchor: z.string() }).strict(),
            ])
            .optional(),
        })
        .strict(),
      ...common,
    })
    .strict(),
  z
    .object({
      type: z.literal('replace_content_range'),
      replace_content_range: z
        .object({ content: z.string(), content_range: z.string(), allow_deleting_content: z.boolean().optional() })
        .strict(),
      ...common,
    })
    .strict(),
  z
    .object({
      type: z.literal('update_content'),
      update_content: z
        .object({
          content_updates: z
            .array(z.object({ old_str: z.string(), new_str: z.string(), replace_all_matches: z.boolean().optional() }).strict())
            .min(1)
            .max(100),
          allow_deleting_content: z.boolean().optional(),
        })
        .strict(),
      ...common,
    })
    .strict(),
  z
    .object({
      type: z.literal('replace_content'),
      replace_content: z.object({ new_str: z.string(), allow_deleting_content: z.boolean().optional() }).strict(),
      ...common,
    })
    .strict(),
)
export type UpdatePageMarkdownBody = z.output<typeof UpdatePageMarkdownBody>
