import { toMinute } from '../../domain/clock.js'
import { compactId } from '../../domain/ids.js'
import { ownProperty, type Schema } from '../../domain/properties.js'
import type { ViewRow } from '../../storage/repositories/views.repository.js'

/**
 * The view object (SDK 5.26 `DataSourceViewObjectResponse`, docs/reference/notion-api-2026.md §4.5),
 * keys in the SDK's order: `object, id, parent, name, type, created_time, last_edited_time, url,
 * data_source_id, created_by, last_edited_by, filter, sorts, quick_filters, configuration` and
 * `dashboard_view_id` on widget views only. Times are rounded to the minute as Notion's other
 * objects; `url` is `<public url>/<database id>?v=<view id>` (32-hex ids). `configuration` is null
 * until customised; response-only names (`property_name`, `date_property_name`, …) are added from
 * `schema`, the current schema of the view's data source.
 */
export function presentView(row: ViewRow, schema: Schema, publicUrl: string) {
  const json = (s: string | null): unknown => (s === null ? null : JSON.parse(s))
  const config = json(row.configuration) as Record<string, unknown> | null
  return {
    object: 'view' as const,
    id: row.id,
    parent: { type: 'database_id' as const, database_id: row.database_id },
    name: row.name,
    type: row.type,
    created_time: toMinute(row.created_time),
    last_edited_time: toMinute(row.last_edited_time),
    url: `${publicUrl}/${compactId(row.database_id)}?v=${compactId(row.id)}`,
    data_source_id: row.data_source_id,
    created_by: row.created_by ? { object: 'user' as const, id: row.created_by } : null,
    last_edited_by: row.last_edited_by ? { object: 'user' as const, id: row.last_edited_by } : null,
    filter: json(row.filter),
    sorts: json(row.sorts),
    quick_filters: json(row.quick_filters),
    configuration: config ? withNames(config, schema) : null,
    ...(row.dashboard_view_id ? { dashboard_view_id: row.dashboard_view_id } : {}),
  }
}

/** The partial view `{object, id, parent, type}` (delete's answer). */
export function presentPartialView(row: Pick<ViewRow, 'id' | 'database_id' | 'type'>) {
  return { object: 'view' as const, id: row.id, parent: { type: 'database_id' as const, database_id: row.database_id }, type: row.type }
}

/** Adds the response-only property names next to stored property ids (missing properties get none). */
function withNames(config: Record<string, unknown>, schema: Schema): Record<string, unknown> {
  const name = (id: unknown) => (typeof id === 'string' ? ownProperty(schema, id)?.name : undefined)
  const named = (o: unknown, idKey = 'property_id', nameKey = 'property_name'): unknown => {
    if (!o || typeof o !== 'object' || Array.isArray(o)) return o
    const rec = o as Record<string, unknown>
    const n = name(rec[idKey])
    return n === undefined ? rec : { ...rec, [nameKey]: n }
  }
  const out: Record<string, unknown> = { ...config }
  for (const key of ['properties', 'table_properties']) {
    if (Array.isArray(out[key])) out[key] = (out[key] as unknown[]).map((p) => named(p))
  }
  for (const key of ['group_by', 'sub_group_by', 'x_axis', 'stack_by']) if (key in out) out[key] = named(out[key])
  if ('date_property_id' in out) Object.assign(out, nameOf('date_property_id', 'date_property_name'))
  if ('end_date_property_id' in out) Object.assign(out, nameOf('end_date_property_id', 'end_date_property_name'))
  if ('map_by' in out) Object.assign(out, nameOf('map_by', 'map_by_property_name'))
  return out

  function nameOf(idKey: string, nameKey: string): Record<string, string> {
    const n = name(config[idKey])
    return n === undefined ? {} : { [nameKey]: n }
  }
}
