import { toMinute } from '../../domain/clock.js'
import { presentSchema } from '../../domain/properties.js'
import { plainText, type RichTextItem } from '../../domain/rich-text.js'
import { hasDataSources, type NotionVersion } from '../../domain/versions.js'
import { presentLegacyProperties } from '../../domain/legacy-shapes.js'
import type { BlockRow } from '../../storage/repositories/blocks.repository.js'
import { schemaOf, type DataSourceRow } from '../../storage/repositories/data-sources.repository.js'
import { presentParent, trashFields, urlOf, type Served } from '../pages/pages.presenter.js'
import type { DatabaseObjectResponse } from '@notionhq/client'

/** A database's stored `{title, description}` (block.properties). */
export function databaseTexts(row: BlockRow): { title: RichTextItem[]; description: RichTextItem[] } {
  const p = JSON.parse(row.properties ?? '{}') as { title?: RichTextItem[]; description?: RichTextItem[] }
  return { title: p.title ?? [], description: p.description ?? [] }
}

/**
 * A full database object per version (docs/reference/notion-api.md §2.7):
 * - 2025-09-03+: `{object:"database", id, title, description, parent, is_inline, in_trash,
 *   archived (2025 only), is_locked, created_time, last_edited_time, data_sources:[{id,name}], icon,
 *   cover, url, public_url}` — no `properties`. tsc checks this shape against the SDK's
 *   `DatabaseObjectResponse` (`Served`: no `archived` under 2026-03-11).
 * - ≤ 2022-06-28: `{…, created_by, last_edited_by, properties}` where `properties` is the schema of
 *   the database's single data source (`source`); no `data_sources`. The SDK 5 has no type for it: a
 *   plain record.
 * `sources` are the live data sources, oldest first.
 */
export function presentDatabase(
  row: BlockRow,
  sources: DataSourceRow[],
  p: { version: NotionVersion; publicUrl: string; source?: DataSourceRow | undefined },
): Served<DatabaseObjectResponse> | Record<string, unknown> {
  const { title, description } = databaseTexts(row)
  // Casts: stored rich text (domain `RichTextItem`, validated when written, looser than the SDK's
  // union: `color` a string); a database's parent is never a data source (the SDK's block parent
  // type includes one).
  const common = {
    object: 'database',
    id: row.id,
    cover: row.cover ? JSON.parse(row.cover) : null,
    icon: row.icon ? JSON.parse(row.icon) : null,
    created_time: toMinute(row.created_time),
    last_edited_time: toMinute(row.last_edited_time),
    title: title as DatabaseObjectResponse['title'],
    description: description as DatabaseObjectResponse['description'],
    is_inline: row.is_inline === 1,
    parent: presentParent(row, p.version) as DatabaseObjectResponse['parent'],
    url: urlOf(p.publicUrl, row.id, plainText(title)),
    public_url: null,
    ...trashFields(row.in_trash === 1, p.version),
    is_locked: row.is_locked === 1,
  } satisfies Omit<Served<DatabaseObjectResponse>, 'data_sources'>
  if (hasDataSources(p.version)) {
    return {
      ...common,
      data_sources: sources.map((ds) => ({ id: ds.id, name: plainText(JSON.parse(ds.title) as RichTextItem[]) })),
    } satisfies Served<DatabaseObjectResponse>
  }
  return {
    ...common,
    created_by: { object: 'user', id: row.created_by },
    last_edited_by: { object: 'user', id: row.last_edited_by },
    properties: p.source ? presentLegacyProperties(presentSchema(schemaOf(p.source)), p.version, { values: false }) : {},
  }
}
