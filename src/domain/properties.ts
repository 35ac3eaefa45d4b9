import { JsonObject } from './validation.js'
import { plainText, type RichTextItem } from './rich-text.js'

/**
 * Page property values and data-source property schemas.
 *
 * Storage: a page's values live in `block.properties` as `{ <property id>: <value> }`, where the value
 * is the response-form value of its type (`title` → RichTextItem[], `number` → number | null, …;
 * `unique_id` → the number only, its prefix comes from the schema).
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
  /** `unique_id` only: the last number handed out in this data source (internal, never presented). */
  seq?: number
}

export type Schema = Record<string, PropertyConfig>

/**
 * A request's map keyed by property names or ids (page `properties`, schema `properties`): any JSON
 * object, kept as parsed, so a property named `__proto__` is written like any other (zod's `record`
 * would drop that key). Its keys are checked by the caller.
 */
export const PropertyMapRequest = JsonObject

/** How many references a page object lists for relation/people values before `has_more` (docs/reference/notion-api.md §6). */
export const PAGE_REFERENCE_LIMIT = 25

/** Value when a page has no stored value for a property of `type` (docs/reference/notion-api.md §2.5). */
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
 * The response value of one property of a row (docs/reference/notion-api.md §2.5), complete (not truncated).
 * Formula and rollup values are not computed yet: `{type:"unsupported", unsupported:{}}` (SDK
 * `UnsupportedFormulaPropertyResponse`, rollup `unsupported` variant).
 */
export function valueOf(prop: PropertyConfig, values: Record<string, unknown>, meta: RowMeta): unknown {
  const computed = computedValue(prop.type, meta)
  if (computed !== undefined) return computed
  const stored = Object.hasOwn(values, prop.id) ? values[prop.id] : undefined
  switch (prop.type) {
    case 'unique_id':
      return { prefix: (prop.config.prefix as string | null | undefined) ?? null, number: typeof stored === 'number' ? stored : null }
    case 'formula':
      return { type: 'unsupported', unsupported: {} }
    case 'rollup':
      return { type: 'unsupported', unsupported: {}, function: (prop.config.function as string | undefined) ?? 'show_original' }
    case 'button':
      return {}
    default:
      return stored === undefined ? emptyValue(prop.type) : stored
  }
}

/**
 * The `properties` object of a page response: `{ <name>: {id, type, <type>: value} }`.
 * Without a schema (a plain page) only the title is present, under the name `title`.
 * Relation and people lists stop at 25 references; relations then say `has_more: true`
 * (the property item endpoint returns them all; docs/reference/notion-api.md §2.5, §6). `computed` (from
 * services/row-values.ts) supplies formula, rollup and visibility-filtered relation values.
 */
export function presentPropertyValues(
  values: Record<string, unknown>,
  schema: Schema | null,
  meta: RowMeta,
  computed?: Record<string, unknown>,
): Record<string, unknown> {
  if (!schema) {
    return { title: { id: 'title', type: 'title', title: (values.title as RichTextItem[] | undefined) ?? [] } }
  }
  const out: [string, unknown][] = []
  for (const prop of Object.values(schema)) {
    let value = computed && Object.hasOwn(computed, prop.id) ? computed[prop.id] : valueOf(prop, values, meta)
    let hasMore = false
    if ((prop.type === 'relation' || prop.type === 'people') && Array.isArray(value) && value.length > PAGE_REFERENCE_LIMIT) {
      value = value.slice(0, PAGE_REFERENCE_LIMIT)
      hasMore = true
    }
    const entry: Record<string, unknown> = { id: prop.id, type: prop.type, [prop.type]: value }
    if (prop.type === 'relation') entry.has_more = hasMore
    out.push([prop.name, entry])
  }
  // fromEntries defines own properties, so a property named `__proto__` is kept like any other.
  return Object.fromEntries(out)
}

/**
 * A schema in response form (SDK `DatabasePropertyConfigResponse`), keyed by property name:
 * `{ <name>: {id, name, description, type, <type>: config} }`. Internal fields are left out.
 */
export function presentSchema(schema: Schema): Record<string, unknown> {
  return Object.fromEntries(
    Object.values(schema).map((prop) => [
      prop.name,
      { id: prop.id, name: prop.name, description: prop.description ?? null, type: prop.type, [prop.type]: prop.config },
    ]),
  )
}

/**
 * Finds a property by name or id, as Notion accepts either wherever a property is named (filters,
 * sorts, `filter_properties`, schema updates, property item ids). Ids match raw or URL-decoded.
 * `key` comes from requests: only the schema's own entries match, so `constructor`, `toString` or
 * `__proto__` find a property of that name or nothing, never `Object.prototype`'s members.
 */
export function findProperty(schema: Schema, key: string): PropertyConfig | undefined {
  const props = Object.values(schema)
  return (
    props.find((p) => p.name === key) ??
    (Object.hasOwn(schema, key) ? schema[key] : undefined) ??
    props.find((p) => p.id === key || safeDecode(p.id) === key || p.id === safeDecode(key) || safeDecode(p.id) === safeDecode(key))
  )
}

/** The property with id `id` (an own entry of `schema` only; ids may come from requests). */
export function ownProperty(schema: Schema, id: string): PropertyConfig | undefined {
  return Object.hasOwn(schema, id) ? schema[id] : undefined
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
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
