import { plainText, type RichTextItem } from '../rich-text.js'
import { valueOf, type PropertyConfig } from '../properties.js'
import type { Comparator, DateBounds, Path, QueryContext, QueryRow, SortKey } from './types.js'
import { bad, DATE_RANGE, DATE_VALUE, EXISTENCE, isObject, oneCondition, RELATIVE } from './validate.js'
import { offsetAt } from '../formula/dates.js'

/**
 * Evaluation in JS over rows in memory (docs/reference/notion-api.md §2.13): dates and time zones
 * (a condition without zone is UTC; a stored date-time without offset is read in its `time_zone`),
 * relative dates and ranges against `QueryContext.now`, value accessors over stored or computed
 * values, and the sort keys and comparators.
 */

/** Lower-casing used for text values, both in the index and in filters. */
export const lower = (s: string) => s.toLowerCase()

// ---- Dates -----------------------------------------------------------------------------------

const DAY = 86_400_000
/** One minute in ms (timestamps are reported rounded down to the minute). */
export const MINUTE = 60_000
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/
const ZONED = /(Z|[+-]\d{2}:?\d{2})$/

/**
 * Milliseconds of an ISO date or date-time. A date, or a date-time without offset and without
 * `timeZone`, is UTC; a date-time without offset but with an IANA `timeZone` (a date property's
 * `time_zone`) is wall time in that zone.
 */
export function dateMs(s: string, timeZone?: string | null): number {
  if (DATE_ONLY.test(s)) return Date.parse(`${s}T00:00:00.000Z`)
  if (ZONED.test(s)) return Date.parse(s)
  const wall = Date.parse(`${s}Z`)
  if (!timeZone || Number.isNaN(wall)) return wall
  // Wall time in the zone: the offset at the UTC reading, then again at the first guess (DST edges).
  const first = wall - offsetAt(wall, timeZone)
  return wall - offsetAt(first, timeZone)
}

function startOfDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY
}

function addMonths(ms: number, n: number): number {
  const d = new Date(ms)
  d.setUTCMonth(d.getUTCMonth() + n)
  return d.getTime()
}

/** `[lo, hi)` an equality condition covers: a whole day for dates and relative dates, 1 ms for date-times. */
function conditionRange(v: unknown, at: Path, now: number): [number, number] {
  if (typeof v !== 'string') return bad(at, 'should be a valid ISO 8601 date string or a relative date', v)
  if (RELATIVE.includes(v)) {
    const today = startOfDay(now)
    const day =
      v === 'today'
        ? today
        : v === 'tomorrow'
          ? today + DAY
          : v === 'yesterday'
            ? today - DAY
            : v === 'one_week_ago'
              ? today - 7 * DAY
              : v === 'one_week_from_now'
                ? today + 7 * DAY
                : v === 'one_month_ago'
                  ? startOfDay(addMonths(now, -1))
                  : startOfDay(addMonths(now, 1))
    return [day, day + DAY]
  }
  if (DATE_ONLY.test(v) && !Number.isNaN(dateMs(v))) {
    const d = dateMs(v)
    return [d, d + DAY]
  }
  if (DATE_TIME.test(v) && !Number.isNaN(dateMs(v))) {
    const t = dateMs(v)
    return [t, t + 1]
  }
  return bad(at, 'should be a valid ISO 8601 date string or a relative date', v)
}

/**
 * A date condition (`equals`, `before`, …, `this_week`, `past_month`, …, `is_empty`) as bounds over
 * milliseconds, relative to `ctx.now`. @throws NotionApiError validation_error on a bad condition
 */
export function dateBounds(raw: unknown, at: Path, ctx: QueryContext): DateBounds {
  const [op, v] = oneCondition(raw, at, [...DATE_VALUE, ...DATE_RANGE, ...EXISTENCE])
  if (op === 'is_empty') return { exists: false }
  if (op === 'is_not_empty') return { exists: true }
  if (DATE_RANGE.includes(op)) {
    if (!isObject(v) || Object.keys(v).length > 0) bad([...at, op], 'should be an empty object', v)
    const now = ctx.now
    const weekStart = startOfDay(now) - new Date(now).getUTCDay() * DAY
    const [lo, hi] =
      op === 'this_week'
        ? [weekStart, weekStart + 7 * DAY]
        : op === 'past_week'
          ? [now - 7 * DAY, now]
          : op === 'past_month'
            ? [addMonths(now, -1), now]
            : op === 'past_year'
              ? [addMonths(now, -12), now]
              : op === 'next_week'
                ? [now, now + 7 * DAY]
                : op === 'next_month'
                  ? [now, addMonths(now, 1)]
                  : [now, addMonths(now, 12)]
    return op === 'this_week' ? { lo, loIncl: true, hi, hiIncl: false } : { lo, loIncl: true, hi, hiIncl: true }
  }
  const [lo, hi] = conditionRange(v, [...at, op], ctx.now)
  switch (op) {
    case 'equals':
      return { lo, loIncl: true, hi, hiIncl: false }
    case 'before':
      return { hi: lo, hiIncl: false }
    case 'after':
      return { lo: hi, loIncl: true }
    case 'on_or_before':
      return { hi, hiIncl: false }
    default:
      return { lo, loIncl: true }
  }
}

/** Whether `ms` (null: no date) satisfies the bounds. */
export function inBounds(b: DateBounds, ms: number | null): boolean {
  if ('exists' in b) return (ms !== null) === b.exists
  if (ms === null) return false
  if (b.lo !== undefined && (b.loIncl ? ms < b.lo : ms <= b.lo)) return false
  if (b.hi !== undefined && (b.hiIncl ? ms > b.hi : ms >= b.hi)) return false
  return true
}

// ---- Row value accessors (over stored or computed values) ---------------------------------------

/** The value of `prop` in `row`: the computed wire value when supplied, else the stored one. */
export function rowValue(prop: PropertyConfig, row: QueryRow): unknown {
  if (row.computed && prop.id in row.computed) return row.computed[prop.id]
  return valueOf(prop, row.values, row.meta)
}

/** Plain text of a rich-text array or string value (empty string when none). */
export function textOfValue(v: unknown): string {
  if (Array.isArray(v)) return plainText(v as RichTextItem[])
  return typeof v === 'string' ? v : ''
}

/** The number of a number or `{number}` (unique_id) value, or null. */
export function numberOfValue(v: unknown): number | null {
  if (isObject(v) && 'number' in v) return typeof v.number === 'number' ? v.number : null
  return typeof v === 'number' ? v : null
}

/** Milliseconds of a date value (`{start, time_zone}` or an ISO string), or null. */
export function dateOfValue(v: unknown): number | null {
  if (typeof v === 'string') return dateMs(v)
  if (isObject(v) && typeof v.start === 'string') return dateMs(v.start, typeof v.time_zone === 'string' ? v.time_zone : null)
  return null
}

/** Ids of a people/relation/author value (array of `{id}` or one `{id}`). */
export function idsOfValue(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((x) => (x as { id: string }).id)
  if (isObject(v) && typeof v.id === 'string') return [v.id]
  return []
}

/** Options of a select/status/multi_select value (array or one `{id, name}`). */
export function optionsOfValue(v: unknown): { id: string; name: string }[] {
  if (Array.isArray(v)) return v as { id: string; name: string }[]
  if (isObject(v) && typeof v.id === 'string') return [v as { id: string; name: string }]
  return []
}

function optionIndex(prop: PropertyConfig, id: string | undefined): number | null {
  if (id === undefined) return null
  const options = (prop.config.options as { id: string }[] | undefined) ?? []
  const i = options.findIndex((o) => o.id === id)
  return i === -1 ? options.length : i
}

/** The sort key of `row` for a sort on `prop` (null: empty). */
export function sortKey(prop: PropertyConfig, row: QueryRow): SortKey {
  const v = rowValue(prop, row)
  switch (prop.type) {
    case 'title':
    case 'rich_text':
    case 'url':
    case 'email':
    case 'phone_number': {
      const s = textOfValue(v)
      return s === '' ? null : lower(s)
    }
    case 'number':
    case 'unique_id':
      return numberOfValue(v)
    case 'checkbox':
      return v === true ? 1 : 0
    case 'select':
    case 'status':
    case 'multi_select':
      return optionIndex(prop, optionsOfValue(v)[0]?.id)
    case 'date':
      return dateOfValue(v)
    case 'people':
    case 'relation':
    case 'created_by':
    case 'last_edited_by':
      return idsOfValue(v)[0] ?? null
    case 'files': {
      const f = (v as { name: string }[] | null)?.[0]
      return f ? lower(f.name) : null
    }
    case 'formula':
    case 'rollup': {
      if (!isObject(v) || typeof v.type !== 'string') return null
      const inner = v[v.type]
      if (v.type === 'string') return typeof inner === 'string' && inner !== '' ? lower(inner) : null
      if (v.type === 'number') return typeof inner === 'number' ? inner : null
      if (v.type === 'boolean') return inner === true ? 1 : 0
      if (v.type === 'date') return dateOfValue(inner)
      return null
    }
    default:
      return null
  }
}

/** Compares two sort keys; empty (null) keys sort last whatever the direction. */
export function compareKeys(a: SortKey, b: SortKey, descending: boolean): number {
  if (a === b) return 0
  if (a === null) return 1 // empty values last, whatever the direction
  if (b === null) return -1
  const c = typeof a === 'number' && typeof b === 'number' ? a - b : a < b ? -1 : a > b ? 1 : 0
  return descending ? -c : c
}

/** Newest created first, then by id: the order without sorts and the final tie-break. */
export const defaultOrder: Comparator = (a, b) =>
  a.createdExact === b.createdExact ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.createdExact < b.createdExact ? 1 : -1
