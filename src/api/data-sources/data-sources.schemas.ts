import * as z from 'zod'
import { IconRequest } from '../../domain/blocks.js'
import { RichTextRequest } from '../../domain/rich-text.js'
import { NotionId } from '../../domain/ids.js'
import { QueryPageSize } from '../../http/pagination.js'
import { PropertiesObject, queryBodyShape } from '../databases/databases.schemas.js'

/**
 * Request bodies of `/v1/data_sources` (SDK `CreateDataSourceParameters`,
 * `UpdateDataSourceParameters`, `QueryDataSourceParameters`, `ListDataSourceTemplatesParameters`).
 */

export const DataSourceParent = z.object({ type: z.literal('database_id').optional(), database_id: NotionId }).strict()

export const CreateDataSourceBody = z
  .object({
    parent: DataSourceParent,
    properties: PropertiesObject,
    title: RichTextRequest.optional(),
    icon: IconRequest.nullable().optional(),
  })
  .strict()

export const UpdateDataSourceBody = z
  .object({
    title: RichTextRequest.optional(),
    icon: IconRequest.nullable().optional(),
    properties: PropertiesObject.optional(),
    in_trash: z.boolean().optional(),
    archived: z.boolean().optional(),
    parent: DataSourceParent.optional(),
  })
  .strict()

export const QueryDataSourceBody = z.object({ ...queryBodyShape, result_type: z.enum(['page', 'data_source']).optional() }).strict()

export const ListTemplatesQuery = z
  .object({
    name: z.string().optional(),
    start_cursor: z.string().min(1).optional(),
    page_size: QueryPageSize,
  })
  .strict()
