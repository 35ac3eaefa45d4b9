import { plainText, type RichTextItem } from './rich-text.js'

/**
 * Page property values and data-source property schemas.
 *
 * Storage: a page's values live in `block.properties` as `{ <property id>: <value> }`, where the value
 * is the response-form value of its type (`title` → RichTextItem[], `number` → number | null, …).
 * A data source's schema lives in `data_source.properties` as `{ <property id>: PropertyConfig }`.
 * Plain pages (not database rows) have one property, `title`, with id `title`.
 */

/** A property in a data-source schema, in response form without `id` duplication. */
export interface PropertyConfig {
  id: string
  name: string
  type: string
  description?: string | null
  /** The type's configuration object (`{}` or e.g. `{format}`, `{options}`). */
  config: Record<string, unknown>
}

export type Schema = Record<string, PropertyConfig>

/** Value when a page has no stored value for a property of `type` (digest §2.5). */
export function emptyValue(type: string): unknown {
  switch (type) {
    case 'title':
    case 'rich_text':
    case 'multi_select':
    case 'people':
    case 'relation':
    case 'files':
      return []
    case 'checkbox':
      return false
    default:
      return null
  }
}

export interface RowMeta {
  created_time: string
  last_edited_time: string
  created_by: string
  last_edited_by: string
}

/** Computed values: timestamps and authors come from the row itself. */
function computedValue(type: string, meta: RowMeta): unknown {
  switch (type) {
    case 'created_time':
      return meta.created_time
    case 'last_edited_time':
      return meta.last_edited_time
    case 'created_by':
      return { object: 'user', id: meta.created_by }
    case 'last_edited_by':
      return { object: 'user', id: meta.last_edited_by }
    default:
      return undefined
  }
}

/**
 * The `properties` object of a page response: `{ <name>: {id, type, <type>: value} }`.
 * Without a schema (a plain page) only the title is present, under the name `title`.
 */
export function presentPropertyValues(values: Record<string, unknown>, schema: Schema | null, meta: RowMeta): Record<string, unknown> {
  if (!schema) {
    return { title: { id: 'title', type: 'title', title: (values.title as RichTextItem[] | undefined) ?? [] } }
  }
  const out: Record<string, unknown> = {}
  for (const prop of Object.values(schema)) {
    const computed = computedValue(prop.type, meta)
    const value = computed !== undefined ? computed : prop.id in values ? values[prop.id] : emptyValue(prop.type)
    const entry: Record<string, unknown> = { id: prop.id, type: prop.type, [prop.type]: value }
    if (prop.type === 'relation') entry.has_more = false
    out[prop.name] = entry
  }
  return out
}

/** The plain title of a page from its stored values. */
export function titleOfValues(values: Record<string, unknown>, schema: Schema | null): string {
  if (!schema) return plainText(values.title as RichTextItem[] | undefined)
  const titleProp = Object.values(schema).find((p) => p.type === 'title')
  return titleProp ? plainText(values[titleProp.id] as RichTextItem[] | undefined) : ''
}

/** The schema's title property id (every data source has exactly one). */
export function titlePropertyId(schema: Schema): string {
  return Object.values(schema).find((p) => p.type === 'title')?.id ?? 'title'
}
