import { toMinute } from '../../domain/clock.js'
import type { Schema } from '../../domain/properties.js'
import { plainText, type RichTextItem } from '../../domain/rich-text.js'
import { hasDataSources, type NotionVersion } from '../../domain/versions.js'
import type { BlockRow } from '../../storage/repositories/blocks.repository.js'
import type { DataSourceRow } from '../../storage/repositories/data-sources.repository.js'
import { presentParent, trashFields, urlOf } from '../pages/pages.presenter.js'

/**
 * Search's own presenters for databases (≤ 2022-06-28) and data sources (2025-09-03+).
 * TODO(lead): unify with the presenters of `src/api/databases/` and `src/api/data-sources/` once
 * they exist; these follow the same SDK types (`DataSourceObjectResponse`, SDK 2.x
 * `DatabaseObjectResponse`; digest §2.7, §2.8).
 */

/** A database's stored `{title, description}`. */
function databaseText(db: BlockRow): { title: RichTextItem[]; description: RichTextItem[] } {
  const p = JSON.parse(db.properties ?? '{}') as { title?: RichTextItem[]; description?: RichTextItem[] }
  return { title: p.title ?? [], description: p.description ?? [] }
}

/** A schema as the response's `properties`: `{<name>: {id, name, [description,] type, <type>: config}}`. */
export function presentSchema(schema: Schema, version: NotionVersion): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const p of Object.values(schema)) {
    out[p.name] = hasDataSources(version)
      ? { id: p.id, name: p.name, description: p.description ?? null, type: p.type, [p.type]: p.config }
      : { id: p.id, name: p.name, type: p.type, [p.type]: p.config }
  }
  return out
}

/** A full data source (SDK `DataSourceObjectResponse`), keys in the SDK's order. */
export function presentDataSourceForSearch(ds: DataSourceRow, database: BlockRow, version: NotionVersion, publicUrl: string): Record<string, unknown> {
  const title = JSON.parse(ds.title) as RichTextItem[]
  return {
    object: 'data_source',
    id: ds.id,
    title,
    description: JSON.parse(ds.description) as unknown,
    parent: { type: 'database_id', database_id: database.id },
    database_parent: presentParent(database, version),
    is_inline: database.is_inline === 1,
    ...trashFields(ds.in_trash === 1 || database.in_trash === 1, version),
    created_time: toMinute(ds.created_time),
    last_edited_time: toMinute(ds.last_edited_time),
    created_by: { object: 'user', id: ds.created_by },
    last_edited_by: { object: 'user', id: ds.last_edited_by },
    properties: presentSchema(JSON.parse(ds.properties) as Schema, version),
    icon: ds.icon ? (JSON.parse(ds.icon) as unknown) : database.icon ? (JSON.parse(database.icon) as unknown) : null,
    cover: database.cover ? (JSON.parse(database.cover) as unknown) : null,
    url: urlOf(publicUrl, database.id, plainText(title)),
    public_url: null,
  }
}

/**
 * A full database as 2022-06-28 and older present it (SDK 2.x `DatabaseObjectResponse`): the
 * schema inline under `properties` (of its first data source), no `data_sources`.
 */
export function presentLegacyDatabaseForSearch(database: BlockRow, first: DataSourceRow | undefined, version: NotionVersion, publicUrl: string): Record<string, unknown> {
  const { title, description } = databaseText(database)
  return {
    object: 'database',
    id: database.id,
    cover: database.cover ? (JSON.parse(database.cover) as unknown) : null,
    icon: database.icon ? (JSON.parse(database.icon) as unknown) : null,
    created_time: toMinute(database.created_time),
    created_by: { object: 'user', id: database.created_by },
    last_edited_by: { object: 'user', id: database.last_edited_by },
    last_edited_time: toMinute(database.last_edited_time),
    title,
    description,
    is_inline: database.is_inline === 1,
    properties: first ? presentSchema(JSON.parse(first.properties) as Schema, version) : {},
    parent: presentParent(database, version),
    url: urlOf(publicUrl, database.id, plainText(title)),
    public_url: null,
    ...trashFields(database.in_trash === 1, version),
  }
}
