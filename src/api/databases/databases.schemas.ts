import * as z from 'zod'
import { CoverRequest, IconRequest } from '../../domain/blocks.js'
import { PropertyMapRequest } from '../../domain/properties.js'
import { RichTextRequest } from '../../domain/rich-text.js'
import { NotionId } from '../../domain/ids.js'
import { BodyPageSize } from '../../http/pagination.js'

/**
 * Request bodies of `/v1/databases` (SDK `CreateDatabaseParameters`, `UpdateDatabaseParameters`;
 * SDK 2.x for the 2022-06-28 shapes with top-level `properties` and `databases.query`).
 * Unknown keys → "should be not present" (`.strict()`).
 */

/** A JSON object whose keys are checked later (property schemas, keyed by name or id; `__proto__` kept). */
export const PropertiesObject = PropertyMapRequest

/** `parent` of `POST /v1/databases`: a page or (refused for internal connections) the workspace. */
export const DatabaseParent = z.union([
  z.object({ type: z.literal('page_id').optional(), page_id: NotionId }).strict(),
  z.object({ type: z.literal('workspace').optional(), workspace: z.literal(true) }).strict(),
])

const common = {
  parent: DatabaseParent,
  title: RichTextRequest.optional(),
  description: RichTextRequest.optional(),
  is_inline: z.boolean().optional(),
  icon: IconRequest.nullable().optional(),
  cover: CoverRequest.nullable().optional(),
}

/** 2025-09-03+: the schema goes under `initial_data_source.properties`. */
export const CreateDatabaseBody = z
  .object({ ...common, initial_data_source: z.object({ properties: PropertiesObject.optional() }).strict().optional() })
  .strict()

/** ≤ 2022-06-28: top-level `properties` (required). */
export const LegacyCreateDatabaseBody = z.object({ ...common, properties: PropertiesObject }).strict()

const update = {
  parent: DatabaseParent.optional(),
  title: RichTextRequest.optional(),
  description: RichTextRequest.optional(),
  is_inline: z.boolean().optional(),
  icon: IconRequest.nullable().optional(),
  cover: CoverRequest.nullable().optional(),
  in_trash: z.boolean().optional(),
  archived: z.boolean().optional(),
  is_locked: z.boolean().optional(),
}

/** Body of `PATCH /v1/databases/{id}` (SDK `UpdateDatabaseParameters`); unknown keys are "should be not present". */
export const UpdateDatabaseBody = z.object(update).strict()

/** ≤ 2022-06-28: schema changes go through the database. */
export const LegacyUpdateDatabaseBody = z.object({ ...update, properties: PropertiesObject.optional() }).strict()

/** Fields shared by the database query (≤ 2022-06-28) and data-source query bodies. */
export const queryBodyShape = {
  filter: z.unknown().optional(),
  sorts: z.unknown().optional(),
  start_cursor: z.string().min(1).nullable().optional(),
  page_size: BodyPageSize,
  in_trash: z.boolean().optional(),
  archived: z.boolean().optional(),
}

/** `POST /v1/databases/{id}/query` (≤ 2022-06-28). */
export const LegacyQueryBody = z.object(queryBodyShape).strict()
