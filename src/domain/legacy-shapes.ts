import type { NotionVersion } from './versions.js'

/**
 * Property shapes of the oldest API versions (docs/reference/notion-api.md §1.12, [DOCS:changes-by-version]):
 * - before 2021-05-13 the `rich_text` property type was called `text` (schema configs, page values
 *   and requests alike);
 * - before 2021-08-16 a page object left out properties whose value was empty, instead of showing
 *   `null` ("empty number/email/select/date/rollup returned as null" is the 2021-08-16 change).
 * Octavo stores the current shapes and translates at the edges with these functions.
 */

/** 2021-05-11: `rich_text` is named `text`. */
export function namesRichTextAsText(v: NotionVersion): boolean {
  return v < '2021-05-13'
}

/** Before 2021-08-16: empty values are left out of page objects. */
export function omitsEmptyValues(v: NotionVersion): boolean {
  return v < '2021-08-16'
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Renames a `rich_text` entry (`{id?, type, rich_text}`) to its `text` form, or leaves it. */
function toText(entry: unknown): unknown {
  if (!isObject(entry) || entry.type !== 'rich_text') return entry
  const { rich_text: value, ...rest } = entry
  return { ...rest, type: 'text', text: value }
}

/**
 * A page's `properties` or a schema (`{name: entry}`) in the shapes of version `v`: `text` for
 * `rich_text` before 2021-05-13, and (page values only, `values: true`) entries with a `null` value
 * left out before 2021-08-16.
 */
export function presentLegacyProperties(
  props: Record<string, unknown>,
  v: NotionVersion,
  opts: { values: boolean },
): Record<string, unknown> {
  if (!namesRichTextAsText(v) && !omitsEmptyValues(v)) return props
  // Entries, not assignments: a property named `__proto__` stays an own key.
  const out: [string, unknown][] = []
  for (const [name, entry] of Object.entries(props)) {
    if (opts.values && omitsEmptyValues(v) && isObject(entry) && entry[entry.type as string] === null) continue
    out.push([name, namesRichTextAsText(v) ? toText(entry) : entry])
  }
  return Object.fromEntries(out)
}

/**
 * A request's property map (page values or schema configs, keyed by name or id) with the 2021-05-11
 * `text` form read as `rich_text`: a `text` key (when there is no `rich_text` key) and `type:"text"`.
 * Other versions pass through unchanged.
 */
export function readLegacyProperties<T>(input: T, v: NotionVersion): T {
  if (!namesRichTextAsText(v) || !isObject(input)) return input
  const out: [string, unknown][] = []
  for (const [key, entry] of Object.entries(input)) {
    if (!isObject(entry)) {
      out.push([key, entry])
      continue
    }
    const e: Record<string, unknown> = { ...entry }
    if (Object.hasOwn(e, 'text') && !Object.hasOwn(e, 'rich_text')) {
      e.rich_text = e.text
      delete e.text
    }
    if (e.type === 'text') e.type = 'rich_text'
    out.push([key, e])
  }
  return Object.fromEntries(out) as T
}
