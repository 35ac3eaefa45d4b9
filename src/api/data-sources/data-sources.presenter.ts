import { toMinute } from '../../domain/clock.js'
import { presentSchema } from '../../domain/properties.js'
import { plainText, type RichTextItem } from '../../domain/rich-text.js'
import type { NotionVersion } from '../../domain/versions.js'
import type { BlockRow } from '../../storage/repositories/blocks.repository.js'
import { schemaOf, type DataSourceRow } from '../../storage/repositories/data-sources.repository.js'
import { presentParent, trashFields, urlOf, type Served } from '../pages/pages.presenter.js'
import type { DataSourceObjectResponse, PartialDataSourceObjectResponse } from '@notionhq/client'

/**
 * A full data source object (SDK `DataSourceObjectResponse`, docs/reference/notion-api.md §2.8; data
 * sources exist from 2025-09-03 on, `Served`: no `archived` under 2026-03-11):
 * `{object:"data_source", id, created_time, last_edited_time, created_by, last_edited_by, properties,
 * parent:{type:"database_id", database_id}, database_parent, title, description, icon, cover,
 * is_inline, archived (≤ 2025-09-03), in_trash, url, public_url}`. Cover and `is_inline` are the
 * database's; times are rounded to the minute.
 */
export function presentDataSource(
  ds: DataSourceRow,
  database: BlockRow,
  p: { version: NotionVersion; publicUrl: string },
): Served<DataSourceObjectResponse> {
  const title = JSON.parse(ds.title) as RichTextItem[]
  return {
    object: 'data_source',
    id: ds.id,
    cover: database.cover ? JSON.parse(database.cover) : null,
    icon: ds.icon ? JSON.parse(ds.icon) : null,
    created_time: toMinute(ds.created_time),
    created_by: { object: 'user', id: ds.created_by },
    last_edited_by: { object: 'user', id: ds.last_edited_by },
    last_edited_time: toMinute(ds.last_edited_time),
    // Casts: stored rich text (domain `RichTextItem`, validated when written, looser than the SDK's
    // union: `color` a string) and the schema (domain/properties.ts builds untyped wire configs).
    title: title as DataSourceObjectResponse['title'],
    description: JSON.parse(ds.description) as DataSourceObjectResponse['description'],
    is_inline: database.is_inline === 1,
    properties: presentSchema(schemaOf(ds)) as DataSourceObjectResponse['properties'],
    parent: { type: 'database_id', database_id: database.id },
    // Cast: a database's parent is never a data source (the SDK's block parent type includes one).
    database_parent: presentParent(database, p.version) as DataSourceObjectResponse['database_parent'],
    url: urlOf(p.publicUrl, database.id, plainText(title)),
    public_url: null,
    ...trashFields(ds.in_trash === 1, p.version),
  }
}

/** The partial data source (SDK `PartialDataSourceObjectResponse`) for callers that may not read content. */
export function presentPartialDataSource(ds: DataSourceRow): PartialDataSourceObjectResponse {
  // Cast: domain/properties.ts builds the schema as untyped wire configs.
  return { object: 'data_source', id: ds.id, properties: presentSchema(schemaOf(ds)) as PartialDataSourceObjectResponse['properties'] }
}
