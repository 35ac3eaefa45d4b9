import { behaves, type NotionVersion } from './versions.js'

/**
 * Shapes of the oldest API versions (docs/reference/notion-api.md §1.12, docs/reference/notion-versions.md;
 * each change is a row of `VERSION_BEHAVIOURS`, domain/versions.ts):
 * - before 2021-05-13 the `rich_text` property type was called `text` (schema configs, page values,
 *   property items and requests alike) — row `richTextProperty`;
 * - before 2021-08-16 a page object left out properties whose value was empty, instead of showing
 *   `null` — row `emptyValuesAsNull`; rollup `array` elements of files, rich text and people were
 *   typed `file`, `text`, `person` — row `rollupArrayPluralTypes`;
 * - before 2022-02-22 text blocks carried `text` instead of `rich_text` — row `blockRichText`; query
 *   filters also took `text` / `phone` (and `text` in formula filters) — row `filterKeysRenamed`;
 *   property items had no `id` and lists no `property_item` — row `typedPropertyItems`.
 * Octavo stores the current shapes and translates at the edges with these functions.
 */

/** 2021-05-11: `rich_text` is named `text` (row `richTextProperty`). */
export function namesRichTextAsText(v: NotionVersion): boolean {
  return !behaves('richTextProperty', v)
}

/** Before 2021-08-16: empty values are left out of page objects (row `emptyValuesAsNull`). */
export function omitsEmptyValues(v: NotionVersion): boolean {
  return !behaves('emptyValuesAsNull', v)
}

/** Before 2021-08-16: rollup array elements are typed `file`, `text`, `person` (row `rollupArrayPluralTypes`). */
export function singularRollupTypes(v: NotionVersion): boolean {
  return !behaves('rollupArrayPluralTypes', v)
}

/** Before 2022-02-22: text blocks carry `text` (row `blockRichText`). */
export function blocksUseText(v: NotionVersion): boolean {
  return !behaves('blockRichText', v)
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Renames a `rich_text` entry (`{id?, type, rich_text}`) to its `text` form, or leaves it. */
function toText(entry: unknown): unknown {
  if (!isObject(entry) || entry.type !== 'rich_text') return entry
  const { rich_text: value, ...rest } = entry
  return { ...rest, type: 'text', text: value }
}

const SINGULAR: Record<string, string> = { files: 'file', rich_text: 'text', people: 'person', title: 'title' }

/**
 * A rollup value (`{type, <type>, function}`) in the shapes of version `v`: before 2021-08-16 the
 * elements of an `array` of files, rich text and people are typed `file`, `text`, `person`
 * (docs/reference/notion-api.md §1.12). Anything else is returned unchanged.
 */
export function presentLegacyRollup(value: unknown, v: NotionVersion): unknown {
  if (!singularRollupTypes(v) || !isObject(value) || value.type !== 'array' || !Array.isArray(value.array)) return value
  const array = value.array.map((el: unknown) => {
    if (!isObject(el) || typeof el.type !== 'string' || !Object.hasOwn(SINGULAR, el.type) || el.type === 'title') return el
    const { [el.type]: inner, type, ...rest } = el
    const to = SINGULAR[type as string] as string
    return { ...rest, type: to, [to]: inner }
  })
  return { ...value, array }
}

/**
 * A page's `properties` or a schema (`{name: entry}`) in the shapes of version `v`: `text` for
 * `rich_text` before 2021-05-13, and (page values only, `values: true`) entries with a `null` value
 * left out and rollup arrays with singular element types before 2021-08-16.
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
    let e = namesRichTextAsText(v) ? toText(entry) : entry
    if (opts.values && isObject(e) && e.type === 'rollup') e = { ...e, rollup: presentLegacyRollup(e.rollup, v) }
    out.push([name, e])
  }
  return Object.fromEntries(out)
}

/** Block types whose rich text was `text` before 2022-02-22 (Notion's changelog of that version). */
export const TEXT_BLOCK_TYPES: ReadonlySet<string> = new Set([
  'paragraph',
  'heading_1',
  'heading_2',
  'heading_3',
  'callout',
  'quote',
  'bulleted_list_item',
  'numbered_list_item',
  'to_do',
  'toggle',
  'code',
  'template',
])

/**
 * A block's `<type>` content in the shapes of version `v`: before 2022-02-22 a text block's
 * `rich_text` is called `text` (the keys keep their order). Other versions and types pass through.
 */
export function presentLegacyBlockContent(type: string, content: unknown, v: NotionVersion): unknown {
  if (!blocksUseText(v) || !TEXT_BLOCK_TYPES.has(type) || !isObject(content) || !Object.hasOwn(content, 'rich_text')) return content
  return Object.fromEntries(Object.entries(content).map(([k, val]) => [k === 'rich_text' ? 'text' : k, val]))
}

/**
 * Block requests (an array of block objects, or one block-shaped body such as `PATCH /v1/blocks/{id}`)
 * with the pre-2022-02-22 `text` of text blocks read as `rich_text`, nested `children` included.
 * `rich_text` is accepted under those versions too. Other versions pass the input through unchanged
 * (so `text` stays an unknown key there, refused by validation as Notion does).
 */
export function readLegacyBlocks<T>(input: T, v: NotionVersion): T {
  if (!blocksUseText(v)) return input
  const one = (block: unknown, depth: number): unknown => {
    if (!isObject(block) || depth > 64) return block
    const out: [string, unknown][] = []
    for (const [key, val] of Object.entries(block)) {
      if (TEXT_BLOCK_TYPES.has(key) && isObject(val)) {
        const c: [string, unknown][] = []
        const hasRich = Object.hasOwn(val, 'rich_text')
        for (const [k, x] of Object.entries(val)) {
          if (k === 'text' && !hasRich) c.push(['rich_text', x])
          else if (k === 'children' && Array.isArray(x)) c.push([k, x.map((b) => one(b, depth + 1))])
          else c.push([k, x])
        }
        out.push([key, Object.fromEntries(c)])
      } else if (isObject(val) && Array.isArray(val.children)) {
        out.push([key, { ...val, children: val.children.map((b: unknown) => one(b, depth + 1)) }])
      } else out.push([key, val])
    }
    return Object.fromEntries(out)
  }
  return (Array.isArray(input) ? input.map((b) => one(b, 0)) : one(input, 0)) as T
}

/**
 * A query `filter` with the pre-2022-02-22 keys read as today's (row `filterKeysRenamed`): in a
 * property filter `text` → `rich_text` and `phone` → `phone_number` (also as `type`), in a rollup's
 * `any|every|none` `text` → `rich_text`, in a formula filter `text` → `string`; compound `and`/`or`
 * are walked. From 2022-02-22 on the filter is returned unchanged, so the old keys are refused.
 */
export function readLegacyFilter(filter: unknown, v: NotionVersion): unknown {
  if (behaves('filterKeysRenamed', v)) return filter
  const rename = (o: Record<string, unknown>, from: string, to: string): Record<string, unknown> =>
    Object.hasOwn(o, from) && !Object.hasOwn(o, to) ? Object.fromEntries(Object.entries(o).map(([k, x]) => [k === from ? to : k, x])) : o
  const walk = (f: unknown, depth: number): unknown => {
    if (!isObject(f) || depth > 8) return f
    if (Array.isArray(f.and) || Array.isArray(f.or)) {
      const key = Array.isArray(f.and) ? 'and' : 'or'
      return { ...f, [key]: (f[key] as unknown[]).map((x) => walk(x, depth + 1)) }
    }
    let out = rename(rename(f, 'text', 'rich_text'), 'phone', 'phone_number')
    if (out.type === 'text') out = { ...out, type: 'rich_text' }
    else if (out.type === 'phone') out = { ...out, type: 'phone_number' }
    if (isObject(out.formula)) out = { ...out, formula: rename(out.formula, 'text', 'string') }
    if (isObject(out.rollup)) {
      const r: Record<string, unknown> = { ...out.rollup }
      for (const q of ['any', 'every', 'none']) if (isObject(r[q])) r[q] = rename(r[q] as Record<string, unknown>, 'text', 'rich_text')
      out = { ...out, rollup: r }
    }
    return out
  }
  return walk(filter, 0)
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

/**
 * A `GET /v1/pages/{id}/properties/{pid}` answer (a property item, or a list of them) in the shapes of
 * version `v` (docs/reference/notion-versions.md §1):
 * - before 2022-02-22 (row `typedPropertyItems`) property items carry no `id`, and a list is
 *   `{object:"list", results, next_cursor, has_more}` — a rollup list with `rollup` (the aggregate)
 *   and `type:"rollup"` after it — without `type:"property_item"` / `property_item`;
 * - before 2021-08-16 rollup arrays use the singular element types (`presentLegacyRollup`);
 * - before 2021-05-13 a rich text item is `{type:"text", text: …}`.
 * Current versions get `answer` unchanged.
 */
export function presentLegacyPropertyItem(answer: Record<string, unknown>, v: NotionVersion): Record<string, unknown> {
  if (behaves('typedPropertyItems', v)) return answer
  const item = (x: unknown): unknown => {
    if (!isObject(x)) return x
    const { id: _id, ...rest } = x
    let out: Record<string, unknown> = namesRichTextAsText(v) ? (toText(rest) as Record<string, unknown>) : rest
    if (out.type === 'rollup') out = { ...out, rollup: presentLegacyRollup(out.rollup, v) }
    return out
  }
  if (answer.object !== 'list') return item(answer) as Record<string, unknown>
  const meta = isObject(answer.property_item) ? answer.property_item : {}
  const out: Record<string, unknown> = {
    object: 'list',
    results: Array.isArray(answer.results) ? answer.results.map(item) : [],
    next_cursor: answer.next_cursor,
    has_more: answer.has_more,
  }
  if (meta.type === 'rollup') {
    out.rollup = presentLegacyRollup(meta.rollup, v)
    out.type = 'rollup'
  }
  return out
}
