import { toMinute } from '../../domain/clock.js'
import { compactId } from '../../domain/ids.js'
import { presentPropertyValues, titleOfValues, type Schema } from '../../domain/properties.js'
import { dropsArchived, hasDataSources, type NotionVersion } from '../../domain/versions.js'
import { presentLegacyProperties } from '../../domain/legacy-shapes.js'
import type { BlockRow } from '../../storage/repositories/blocks.repository.js'

/** What the page presenter needs besides the row. */
export interface PagePresentation {
  version: NotionVersion
  publicUrl: string
  /** The data source a row belongs to, with its database and schema; null for plain pages. */
  dataSource: { id: string; databaseId: string; schema: Schema } | null
  /** The row's computed values (services/row-values.ts), keyed by property id. */
  computed?: Record<string, unknown> | undefined
}

/** `parent` of a page or database, per version: rows are `data_source_id` (2025+) or `database_id`. */
export function presentParent(row: Pick<BlockRow, 'parent_type' | 'parent_id'>, version: NotionVersion, databaseId?: string) {
  switch (row.parent_type) {
    case 'workspace':
      return { type: 'workspace', workspace: true }
    case 'page_id':
      return { type: 'page_id', page_id: row.parent_id }
    case 'block_id':
      return { type: 'block_id', block_id: row.parent_id }
    case 'data_source_id':
    case 'template':
      return hasDataSources(version)
        ? { type: 'data_source_id', data_source_id: row.parent_id, database_id: databaseId }
        : { type: 'database_id', database_id: databaseId }
  }
}

/** `https://…/<Title-slug>-<32 hex>`, like Notion's page URLs. */
export function urlOf(publicUrl: string, id: string, title: string): string {
  const slug = title
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
  return `${publicUrl}/${slug ? `${slug}-` : ''}${compactId(id)}`
}

/** Adds `archived` (≤ 2025-09-03) next to `in_trash`; 2026-03-11 drops it (digest §1.12). */
export function trashFields(inTrash: boolean, version: NotionVersion): Record<string, boolean> {
  return dropsArchived(version) ? { in_trash: inTrash } : { archived: inTrash, in_trash: inTrash }
}

/**
 * A full page object (SDK `PageObjectResponse`), keys in Notion's order. Times are rounded to the
 * minute as Notion reports them.
 */
export function presentPage(row: BlockRow, p: PagePresentation): Record<string, unknown> {
  const values = JSON.parse(row.properties ?? '{}') as Record<string, unknown>
  const schema = p.dataSource?.schema ?? null
  return {
    object: 'page',
    id: row.id,
    created_time: toMinute(row.created_time),
    last_edited_time: toMinute(row.last_edited_time),
    created_by: { object: 'user', id: row.created_by },
    last_edited_by: { object: 'user', id: row.last_edited_by },
    cover: row.cover ? JSON.parse(row.cover) : null,
    icon: row.icon ? JSON.parse(row.icon) : null,
    parent: presentParent(row, p.version, p.dataSource?.databaseId),
    ...trashFields(row.in_trash === 1, p.version),
    is_archived: false,
    is_locked: row.is_locked === 1,
    properties: presentLegacyProperties(
      presentPropertyValues(values, schema, {
        created_time: toMinute(row.created_time),
        last_edited_time: toMinute(row.last_edited_time),
        created_by: row.created_by,
        last_edited_by: row.last_edited_by,
      }, p.computed),
      p.version,
      { values: true },
    ),
    url: urlOf(p.publicUrl, row.id, titleOfValues(values, schema)),
    public_url: null,
  }
}
