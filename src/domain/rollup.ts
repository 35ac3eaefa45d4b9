import { plainText } from './rich-text.js'

/**
 * Rollup aggregation (docs/reference/notion-api.md §2.5, §2.8; SDK `RollupFunction`, `PartialRollupValueResponse`).
 *
 * Input: the rolled-up property's type and its values on the related pages the caller may see, in
 * page-value wire form (the value under `<type>` in a page object, e.g. a number, a RichText array,
 * `{type:"number", number}` for a formula). Output: the rollup value
 * `{type:"number", number, function}` | `{type:"date", date, function}` |
 * `{type:"array", array:[{type, <type>: value}…], function}` | `{type:"unsupported", unsupported:{}, function}`.
 *
 * Functions (every member of the SDK's `RollupFunction`):
 * - show_original → array of the values, one `{type, <type>}` per related page;
 *   show_unique → the same with duplicates removed (by value).
 * - count → related pages; count_values → values, counting each element of a list value
 *   (multi_select, people, relation, files) and each non-empty scalar; empty / not_empty → pages whose
 *   value is / is not empty; unique → distinct values (list elements counted one by one).
 * - percent_empty / percent_not_empty / percent_checked / percent_unchecked → a fraction 0…1
 *   (Notion shows it as a percentage), 0 when there are no related pages.
 * - sum, average, median, min, max, range → over numeric values (number, formula/rollup numbers,
 *   unique_id numbers); null when there are none.
 * - earliest_date, latest_date → `date` `{start, end:null, time_zone:null}`; date_range →
 *   `{start: earliest, end: latest}`; over date-like values (date, created/last edited time,
 *   date formulas); a date range contributes its start and end.
 * - checked / unchecked → counts of checkbox values.
 * - count_per_group / percent_per_group → `unsupported` (Notion's API reports group charts as
 *   unsupported; the shape is not published).
 */

export type RollupValue = Record<string, unknown> & { type: string; function: string }

/** One rolled-up value as an element of a rollup `array` (SDK `SimpleOrArrayPropertyValueResponse`). */
export function arrayItem(type: string, value: unknown): Record<string, unknown> {
  return { type, [type]: value }
}

/** Whether a page value of `type` counts as empty (Notion's "Empty" rules). */
export function isEmptyValue(type: string, value: unknown): boolean {
  if (value === null || value === undefined) return true
  switch (type) {
    case 'title':
    case 'rich_text':
      return plainText(value as { plain_text: string }[]) === ''
    case 'multi_select':
    case 'people':
    case 'relation':
    case 'files':
      return (value as unknown[]).length === 0
    case 'checkbox':
      return value === false
    case 'formula': {
      const f = value as Record<string, unknown>
      const inner = f[f.type as string]
      return inner === null || inner === undefined || inner === ''
    }
    case 'rollup': {
      const r = value as Record<string, unknown>
      if (r.type === 'array') return (r.array as unknown[]).length === 0
      return r[r.type as string] === null || r[r.type as string] === undefined
    }
    case 'unique_id':
      return (value as { number: number | null }).number === null
    case 'button':
      return true
    default:
      return false
  }
}

/** The elements a value contributes to counts of values (lists contribute each element). */
function elements(type: string, value: unknown): unknown[] {
  if (isEmptyValue(type, value)) return []
  switch (type) {
    case 'multi_select':
    case 'people':
    case 'relation':
    case 'files':
      return value as unknown[]
    default:
      return [value]
  }
}

/** A comparable key for uniqueness. */
function keyOf(type: string, v: unknown): string {
  switch (type) {
    case 'title':
    case 'rich_text':
      return plainText(v as { plain_text: string }[])
    case 'select':
    case 'status':
    case 'multi_select':
      return (v as { name: string }).name
    case 'people':
    case 'relation':
    case 'created_by':
    case 'last_edited_by':
      return (v as { id: string }).id
    default:
      return JSON.stringify(v)
  }
}

/** The number a value stands for, if any. */
function numberOf(type: string, v: unknown): number | null {
  if (type === 'number') return typeof v === 'number' ? v : null
  if (type === 'unique_id') return (v as { number: number | null } | null)?.number ?? null
  if (type === 'formula' || type === 'rollup') {
    const f = v as Record<string, unknown> | null
    return f && f.type === 'number' && typeof f.number === 'number' ? f.number : null
  }
  return null
}

/** The date instants (ISO strings) a value stands for. */
function datesOf(type: string, v: unknown): string[] {
  if (v === null || v === undefined) return []
  if (type === 'created_time' || type === 'last_edited_time') return [v as string]
  let d: { start: string; end: string | null } | null = null
  if (type === 'date') d = v as { start: string; end: string | null }
  if (type === 'formula' || type === 'rollup') {
    const f = v as Record<string, unknown>
    if (f.type === 'date') d = f.date as { start: string; end: string | null } | null
  }
  if (!d) return []
  return d.end ? [d.start, d.end] : [d.start]
}

const instant = (s: string) => Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s)

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

const ratio = (n: number, d: number) => (d === 0 ? 0 : n / d)

/**
 * Aggregates `values` (one per visible related page, in relation order) of a property of type
 * `type` with `fn`. Pure; never throws.
 */
export function rollup(fn: string, type: string, values: unknown[]): RollupValue {
  const num = (n: number | null): RollupValue => ({ type: 'number', number: n, function: fn })
  const date = (d: { start: string; end: string | null; time_zone: null } | null): RollupValue => ({ type: 'date', date: d, function: fn })
  const pages = values.length
  const empties = values.filter((v) => isEmptyValue(type, v)).length
  switch (fn) {
    case 'show_original':
      return { type: 'array', array: values.map((v) => arrayItem(type, v)), function: fn }
    case 'show_unique': {
      const seen = new Set<string>()
      const out: unknown[] = []
      for (const v of values) {
        const k = JSON.stringify(v)
        if (!seen.has(k)) {
          seen.add(k)
          out.push(arrayItem(type, v))
        }
      }
      return { type: 'array', array: out, function: fn }
    }
    case 'count':
      return num(pages)
    case 'count_values':
      return num(values.reduce<number>((n, v) => n + elements(type, v).length, 0))
    case 'empty':
      return num(empties)
    case 'not_empty':
      return num(pages - empties)
    case 'unique':
      return num(new Set(values.flatMap((v) => elements(type, v).map((e) => keyOf(type, e)))).size)
    case 'percent_empty':
      return num(ratio(empties, pages))
    case 'percent_not_empty':
      return num(ratio(pages - empties, pages))
    case 'checked':
      return num(values.filter((v) => v === true).length)
    case 'unchecked':
      return num(values.filter((v) => v !== true).length)
    case 'percent_checked':
      return num(ratio(values.filter((v) => v === true).length, pages))
    case 'percent_unchecked':
      return num(ratio(values.filter((v) => v !== true).length, pages))
    case 'sum':
    case 'average':
    case 'median':
    case 'min':
    case 'max':
    case 'range': {
      const xs = values.map((v) => numberOf(type, v)).filter((n): n is number => n !== null)
      if (xs.length === 0) return num(null)
      const sum = xs.reduce((a, b) => a + b, 0)
      if (fn === 'sum') return num(sum)
      if (fn === 'average') return num(sum / xs.length)
      if (fn === 'median') return num(median(xs))
      if (fn === 'min') return num(Math.min(...xs))
      if (fn === 'max') return num(Math.max(...xs))
      return num(Math.max(...xs) - Math.min(...xs))
    }
    case 'earliest_date':
    case 'latest_date':
    case 'date_range': {
      const ds = values.flatMap((v) => datesOf(type, v)).filter((s) => !Number.isNaN(instant(s)))
      if (ds.length === 0) return date(null)
      const sorted = [...ds].sort((a, b) => instant(a) - instant(b))
      const first = sorted[0] as string
      const last = sorted[sorted.length - 1] as string
      if (fn === 'earliest_date') return date({ start: first, end: null, time_zone: null })
      if (fn === 'latest_date') return date({ start: last, end: null, time_zone: null })
      return date({ start: first, end: last, time_zone: null })
    }
    default:
      return { type: 'unsupported', unsupported: {}, function: fn }
  }
}
