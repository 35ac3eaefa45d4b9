import { toMinute } from '../../domain/clock.js'
import { presentSchema } from '../../domain/properties.js'
import { plainText, type RichTextItem } from '../../domain/rich-text.js'
import type { NotionVersion } from '../../domain/versions.js'
import type { BlockRow } from '../../storage/repositories/blocks.repository.js'
import { schemaOf, type DataSourceRow } from '../../storage/repositories/data-sources.repository.js'
import { presentParent, trashFields, urlOf } from '../pages/pages.presenter.js'

/**
 * A full data source object (SDK `DataSourceObjectResponse`, digest §2.8):
 * `{object:"data_source", id, created_time, last_edited_time, created_by, last_edited_by, properties,
 * parent:{type:"database_id", database_id}, database_parent, title, description, icon, cover,
 * is_inline, archived (≤ 2025-09-03), in_trash, url, public_url}`. Cover and `is_inline` are the
 * database's; times are rounded to the minute.
 */
export function presentDataSource(ds: DataSourceRow, database: BlockRow, p: { version: NotionVersion; publicUrl: string }): Record<string, unknown> {
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
    title,
    description: JSON.parse(ds.description) as RichTextItem[],
    is_inline: database.is_inline === 1,
    properties: presentSchema(schemaOf(ds)),
    parent: { type: 'database_id', database_id: database.id },
    database_parent: presentParent(database, p.version),
    url: urlOf(p.publicUrl, database.id, plainText(title)),
    public_url: null,
    ...trashFields(ds.in_trash === 1, p.version),
  }
}

/** The partial data source (`PartialDataSourceObjectResponse`) for callers that may not read content. */
export function presentPartialDataSource(ds: DataSourceRow): Record<string, unknown> {
  return { object: 'data_source', id: ds.id, properties: presentSchema(schemaOf(ds)) }
}
