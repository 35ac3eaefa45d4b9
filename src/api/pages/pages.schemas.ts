import * as z from 'zod'
import { NotionId } from '../../domain/ids.js'
import { CoverRequest, IconRequest } from '../../domain/blocks.js'
import { PropertyMapRequest } from '../../domain/properties.js'
import { anyOf } from '../../domain/validation.js'

/** `parent` of `POST /v1/pages` (SDK `CreatePageParameters`); `type` is optional. */
export const PageParent = anyOf(
  z.object({ type: z.literal('page_id').optional(), page_id: NotionId }).strict(),
  z.object({ type: z.literal('database_id').optional(), database_id: NotionId }).strict(),
  z.object({ type: z.literal('data_source_id').optional(), data_source_id: NotionId }).strict(),
  z.object({ type: z.literal('workspace').optional(), workspace: z.literal(true) }).strict(),
)

const Position = z.union([
  z.object({ type: z.literal('after_block'), after_block: z.object({ id: NotionId }).strict() }).strict(),
  z.object({ type: z.literal('page_start') }).strict(),
  z.object({ type: z.literal('page_end') }).strict(),
])

/** `template` of `POST /v1/pages` (SDK `CreatePageBodyParameters.template`). */
export const TemplateRequest = z.union([
  z.object({ type: z.literal('none') }).strict(),
  z.object({ type: z.literal('default'), timezone: z.string().optional() }).strict(),
  z.object({ type: z.literal('template_id'), template_id: NotionId, timezone: z.string().optional() }).strict(),
])

export const CreatePageBody = z
  .object({
    parent: PageParent,
    properties: PropertyMapRequest.optional(),
    icon: IconRequest.nullable().optional(),
    cover: CoverRequest.nullable().optional(),
    children: z.array(z.unknown()).max(100).optional(),
    content: z.array(z.unknown()).max(100).optional(),
    position: Position.optional(),
    template: TemplateRequest.optional(),
    markdown: z.string().optional(),
    allow_async: z.boolean().optional(),
    markdown_version: z.enum(['v1', 'v2']).optional(),
  })
  .strict()

export const UpdatePageBody = z
  .object({
    properties: PropertyMapRequest.optional(),
    icon: IconRequest.nullable().optional(),
    cover: CoverRequest.nullable().optional(),
    in_trash: z.boolean().optional(),
    archived: z.boolean().optional(),
    is_archived: z.boolean().optional(),
    is_locked: z.boolean().optional(),
    erase_content: z.boolean().optional(),
    template: z
      .union([
        z.object({ type: z.literal('default'), timezone: z.string().optional() }).strict(),
        z.object({ type: z.literal('template_id'), template_id: NotionId, timezone: z.string().optional() }).strict(),
      ])
      .optional(),
  })
  .strict()

export const MovePageBody = z
  .object({
    parent: anyOf(
      z.object({ type: z.literal('page_id').optional(), page_id: NotionId }).strict(),
      z.object({ type: z.literal('data_source_id').optional(), data_source_id: NotionId }).strict(),
    ),
  })
  .strict()
