import { validationError } from '../errors/notion-error.js'
import { offsetAt } from './formula/dates.js'
import { parseId } from './ids.js'
import { findProperty, valueOf, type PropertyConfig, type RowMeta, type Schema } from './properties.js'
import { plainText, type RichTextItem } from './rich-text.js'

/**
 * Data-source query compilation: Notion's filter grammar and sorts (digest §2.13), validated against
 * a schema and compiled twice:
 * - into a JS predicate / comparator over rows in memory (`QueryRow`, with computed values such as
 *   formulas, rollups and visibility-filtered relations when the caller supplies them), and
 * - into a storage plan (`SqlFilter`, `SqlSort[]`) over the typed value index (ADR 8) when every
 *   condition can be answered from stored values. Conditions on computed properties (formula,
 *   rollup, relation — visibility-dependent —, verification) have no plan: the caller pre-filters
 *   in SQL with `prefilter` (a superset) and finishes in JS.
 * Both compilations share one semantics; `test/conformance/query-property.test.ts` checks the
 * whole pipeline against an independent reference.
 *
 * Filters: property filters `{property, <type>: condition}` (property by name or id; `type` key
 * optional), timestamp filters `{timestamp, created_time|last_edited_time: condition}`, and compound
 * `{and:[…]}` / `{or:[…]}` nested at most two levels ("Nesting is supported up to two levels deep",
 * digest §2.13, §10.13); a third level's compound key "should be not present". An unknown property →
 * "Could not find property with name or id: <x>."; a condition type that does not fit the property
 * → "body failed validation: <path>: database property <type> does not match filter <type>." (Notion's
 * exact wording for the last one is not in the digest; it follows its `body failed validation` grammar).
 * Text comparisons are case-insensitive. Dates compare by day when the condition is a date, at
 * millisecond precision when it is a date-time; a condition without zone is UTC (digest §2.13); a
 * stored date-time without offset is read in its `time_zone` (UTC when none). `created_time` and
 * `last_edited_time` compare as reported, i.e. rounded down to the minute (digest §0).
 *
 * Sorts: `{property, direction}` or `{timestamp, direction}`, earlier ones first; empty values sort
 * last whatever the direction; text compares lower-cased by code point; select and status by option
 * order; ties (and no sorts) fall back to newest created first, then id.
 */

export interface QueryRow {
  id: string
  /** Stored values keyed by property id. */
  values: Record<string, unknown>
  /** Times as reported (rounded to the minute) and authors. */
  meta: RowMeta
  /** Full-precision creation time, for ordering. */
  createdExact: string
  /** Full-precision last edit time, for ordering. */
  editedExact: string
  /** Computed wire values keyed by property id (services/row-values.ts), when available. */
  computed?: Record<string, unknown> | undefined
}

export interface QueryContext {
  /** Milliseconds since the epoch (relative dates). */
  now: number
  /** The caller's user id (`"me"` in people filters). */
  me: string
}

export type Predicate = (row: QueryRow) => boolean
export type Comparator = (a: QueryRow, b: QueryRow) => number

// ---- Storage plan ----------------------------------------------------------------------------

/**
 * One condition over the value index (`data_source_value`, one row per non-empty value element):
 * - `text`: some element's lower-cased `txt` equals / contains / starts / ends with `needle` (non-empty).
 * - `has`: the property has a value (for checkboxes: is checked).
 * - `num`: the value's `num` lies within the bounds.
 * - `in`: some element's `txt` is one of `values` (option ids, user ids).
 * - `col`: the row's `created_time`/`last_edited_time` (exact ISO) within `[lo, hi)`.
 * - `colId`: the row's `created_by`/`last_edited_by` is `id`.
 * - `const`: always / never.
 * `negate` turns the condition into "no element matches".
 */
export type SqlLeaf =
  | { k: 'text'; pid: string; op: 'eq' | 'contains' | 'starts' | 'ends'; needle: string; negate: boolean }
  | { k: 'has'; pid: string; negate: boolean }
  | { k: 'num'; pid: string; lo?: number; loIncl?: boolean; hi?: number; hiIncl?: boolean; negate: boolean }
  | { k: 'in'; pid: string; values: string[]; negate: boolean }
  | { k: 'col'; col: 'created_time' | 'last_edited_time'; lo?: string; hi?: string }
  | { k: 'colId'; col: 'created_by' | 'last_edited_by'; id: string; negate: boolean }
  | { k: 'const'; value: boolean }

export type SqlFilter = { k: 'and' | 'or'; items: SqlFilter[] } | SqlLeaf

/**
 * One sort over stored values: `txt`/`num` of the property's index row (none = empty, last),
 * `bool` (checkbox: checked = 1, never empty), `option` (position of the option id in `options`),
 * `col` (a row column).
 */
export type SqlSort =
  | { k: 'txt' | 'num' | 'bool'; pid: string; desc: boolean }
  | { k: 'option'; pid: string; options: string[]; desc: boolean }
  | { k: 'col'; col: 'created_time' | 'last_edited_time'; desc: boolean }

export interface CompiledFilter {
  predicate: Predicate
  /** The whole filter as a storage plan, or null when some condition needs computed values. */
  plan: SqlFilter | null
  /** A storage plan every match satisfies (the whole plan, or its plannable top-level `and` parts). */
  prefilter: SqlFilter | null
  /** Whether the predicate reads computed values (`QueryRow.computed`). */
  needsComputed: boolean
}

export interface CompiledSorts {
  comparator: Comparator
  /** The sorts as a storage plan (empty: default order), or null when some sort needs computed values. */
  plan: SqlSort[] | null
  needsComputed: boolean
}

type Path = PropertyKey[]

const pathText = (at: Path) => `body${at.map((s) => (typeof s === 'number' ? `[${s}]` : `.${String(s)}`)).join('')}`
const render = (v: unknown) => `\`${JSON.stringify(v) ?? 'undefined'}\``
const bad = (at: Path, what: string, v: unknown): never => {
  throw validationError(`body failed validation: ${pathText(at)} ${what}, instead was ${render(v)}.`)
}
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const FILTER_TYPES = [
  'title', 'rich_text', 'url', 'email', 'phone_number', 'number', 'unique_id', 'checkbox', 'select', 'status', 'multi_select',
  'date', 'created_time', 'last_edited_time', 'people', 'created_by', 'last_edited_by', 'relation', 'files', 'formula', 'rollup',
  'verification',
] as const

const TEXT = ['equals', 'does_not_equal', 'contains', 'does_not_contain', 'starts_with', 'ends_with']
const NUMBER = ['equals', 'does_not_equal', 'greater_than', 'less_than', 'greater_than_or_equal_to', 'less_than_or_equal_to']
const DATE_VALUE = ['equals', 'before', 'after', 'on_or_before', 'on_or_after']
const DATE_RANGE = ['this_week', 'past_week', 'past_month', 'past_year', 'next_week', 'next_month', 'next_year']
const EXISTENCE = ['is_empty', 'is_not_empty']
const RELATIVE = ['today', 'tomorrow', 'yesterday', 'one_week_ago', 'one_week_from_now', 'one_month_ago', 'one_month_from_now']

/** Which filter types a property type accepts (SDK `PropertyFilter`). */
function accepts(propType: string, filterType: string): boolean {
  if (propType === filterType) return true
  if ((propType === 'title' || propType === 'rich_text') && (filterType === 'title' || filterType === 'rich_text')) return true
  if ((propType === 'created_time' || propType === 'last_edited_time') && filterType === 'date') return true
  if ((propType === 'created_by' || propType === 'last_edited_by') && filterType === 'people') return true
  return false
}

/** The single condition `{op: value}` of a condition object, checked against the allowed ops. */
function oneCondition(raw: unknown, at: Path, ops: string[]): [string, unknown] {
  if (!isObject(raw)) bad(at, 'should be an object', raw)
  const obj = raw as Record<string, unknown>
  for (const k of Object.keys(obj)) if (!ops.includes(k)) bad([...at, k], 'should be not present', obj[k])
  const keys = Object.keys(obj)
  if (keys.length !== 1) {
    throw validationError(`body failed validation: ${pathText(at)} should have exactly one of ${ops.map((o) => `\`${o}\``).join(', ')}, instead was ${render(raw)}.`)
  }
  const op = keys[0] as string
  const v = obj[op]
  if (EXISTENCE.includes(op) && v !== true) bad([...at, op], 'should be `true`', v)
  return [op, v]
}

/** Lower-casing used for text values, both in the index and in filters. */
export const lower = (s: string) => s.toLowerCase()

/** A value-level condition: a predicate over a plain JS value and, for a stored property, its plan. */
interface Cond<T> {
  test: (v: T) => boolean
  plan: (pid: string) => SqlFilter
}

const CONST_TRUE: SqlLeaf = { k: 'const', value: true }
const CONST_FALSE: SqlLeaf = { k: 'const', value: false }

function textCond(raw: unknown, at: Path): Cond<string> {
  const [op, v] = oneCondition(raw, at, [...TEXT, ...EXISTENCE])
  if (TEXT.includes(op) && typeof v !== 'string') bad([...at, op], 'should be a string', v)
  const needle = typeof v === 'string' ? lower(v) : ''
  const has = (negate: boolean) => (pid: string): SqlFilter => ({ k: 'has', pid, negate })
  const text = (o: 'eq' | 'contains' | 'starts' | 'ends', negate: boolean) => (pid: string): SqlFilter =>
    needle === '' ? (o === 'eq' ? { k: 'has', pid, negate: !negate } : negate ? CONST_FALSE : CONST_TRUE) : { k: 'text', pid, op: o, needle, negate }
  switch (op) {
    case 'equals':
      return { test: (s) => lower(s) === needle, plan: text('eq', false) }
    case 'does_not_equal':
      return { test: (s) => lower(s) !== needle, plan: text('eq', true) }
    case 'contains':
      return { test: (s) => lower(s).includes(needle), plan: text('contains', false) }
    case 'does_not_contain':
      return { test: (s) => !lower(s).includes(needle), plan: text('contains', true) }
    case 'starts_with':
      return { test: (s) => lower(s).startsWith(needle), plan: text('starts', false) }
    case 'ends_with':
      return { test: (s) => lower(s).endsWith(needle), plan: text('ends', false) }
    case 'is_empty':
      return { test: (s) => s === '', plan: has(true) }
    default:
      return { test: (s) => s !== '', plan: has(false) }
  }
}

function numberCond(raw: unknown, at: Path): Cond<number | null> {
  const [op, v] = oneCondition(raw, at, [...NUMBER, ...EXISTENCE])
  if (NUMBER.includes(op) && (typeof v !== 'number' || !Number.isFinite(v))) bad([...at, op], 'should be a number', v)
  const x = v as number
  switch (op) {
    case 'equals':
      return { test: (n) => n === x, plan: (pid) => ({ k: 'num', pid, lo: x, loIncl: true, hi: x, hiIncl: true, negate: false }) }
    case 'does_not_equal':
      return { test: (n) => n !== x, plan: (pid) => ({ k: 'num', pid, lo: x, loIncl: true, hi: x, hiIncl: true, negate: true }) }
    case 'greater_than':
      return { test: (n) => n !== null && n > x, plan: (pid) => ({ k: 'num', pid, lo: x, loIncl: false, negate: false }) }
    case 'less_than':
      return { test: (n) => n !== null && n < x, plan: (pid) => ({ k: 'num', pid, hi: x, hiIncl: false, negate: false }) }
    case 'greater_than_or_equal_to':
      return { test: (n) => n !== null && n >= x, plan: (pid) => ({ k: 'num', pid, lo: x, loIncl: true, negate: false }) }
    case 'less_than_or_equal_to':
      return { test: (n) => n !== null && n <= x, plan: (pid) => ({ k: 'num', pid, hi: x, hiIncl: true, negate: false }) }
    case 'is_empty':
      return { test: (n) => n === null, plan: (pid) => ({ k: 'has', pid, negate: true }) }
    default:
      return { test: (n) => n !== null, plan: (pid) => ({ k: 'has', pid, negate: false }) }
  }
}

function checkboxCond(raw: unknown, at: Path): Cond<boolean> {
  const [op, v] = oneCondition(raw, at, ['equals', 'does_not_equal'])
  if (typeof v !== 'boolean') bad([...at, op], 'should be a boolean', v)
  const wantChecked = op === 'equals' ? v === true : v === false
  return { test: (b) => b === wantChecked, plan: (pid) => ({ k: 'has', pid, negate: !wantChecked }) }
}

function stringList(v: unknown, at: Path): string[] {
  if (typeof v === 'string') return [v]
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[]
  return bad(at, 'should be a string or an array of strings', v)
}

/** Option ids of `prop` whose names match `names` (case-insensitive). */
function optionIds(prop: PropertyConfig | undefined, names: string[]): string[] {
  const wanted = names.map(lower)
  const options = (prop?.config.options as { id: string; name: string }[] | undefined) ?? []
  return options.filter((o) => wanted.includes(lower(o.name))).map((o) => o.id)
}

/**
 * select / status (`equals`, `does_not_equal`, one name or several) and multi_select (`contains`,
 * `does_not_contain`): over the option ids of a value. Names resolve through the schema's options,
 * so a renamed option is found under its new name. `names` is used for computed values (rollups),
 * which carry names.
 */
function optionCond(raw: unknown, at: Path, prop: PropertyConfig | undefined, multi: boolean): Cond<{ id: string; name: string }[]> {
  const ops = multi ? ['contains', 'does_not_contain'] : ['equals', 'does_not_equal']
  const [op, v] = oneCondition(raw, at, [...ops, ...EXISTENCE])
  if (op === 'is_empty') return { test: (xs) => xs.length === 0, plan: (pid) => ({ k: 'has', pid, negate: true }) }
  if (op === 'is_not_empty') return { test: (xs) => xs.length > 0, plan: (pid) => ({ k: 'has', pid, negate: false }) }
  const names = stringList(v, [...at, op])
  const ids = optionIds(prop, names)
  const wanted = names.map(lower)
  const hit = (xs: { id: string; name: string }[]) => xs.some((x) => (prop ? ids.includes(x.id) : wanted.includes(lower(x.name))))
  const negate = op === 'does_not_equal' || op === 'does_not_contain'
  return { test: negate ? (xs) => !hit(xs) : hit, plan: (pid) => ({ k: 'in', pid, values: ids, negate }) }
}

function idListCond(raw: unknown, at: Path, ctx: QueryContext, allowMe: boolean): Cond<string[]> & { id?: string; negate?: boolean; op: string } {
  const [op, v] = oneCondition(raw, at, ['contains', 'does_not_contain', ...EXISTENCE])
  if (op === 'is_empty') return { op, test: (ids) => ids.length === 0, plan: (pid) => ({ k: 'has', pid, negate: true }) }
  if (op === 'is_not_empty') return { op, test: (ids) => ids.length > 0, plan: (pid) => ({ k: 'has', pid, negate: false }) }
  let id: string | undefined
  if (allowMe && v === 'me') id = ctx.me
  else if (typeof v === 'string') id = parseId(v)
  if (!id) return bad([...at, op], 'should be a valid uuid', v)
  const the = id
  const negate = op === 'does_not_contain'
  return {
    op,
    id: the,
    negate,
    test: negate ? (ids) => !ids.includes(the) : (ids) => ids.includes(the),
    plan: (pid) => ({ k: 'in', pid, values: [the], negate }),
  }
}

function filesCond(raw: unknown, at: Path): Cond<number> {
  const [op] = oneCondition(raw, at, EXISTENCE)
  return op === 'is_empty'
    ? { test: (n) => n === 0, plan: (pid) => ({ k: 'has', pid, negate: true }) }
    : { test: (n) => n > 0, plan: (pid) => ({ k: 'has', pid, negate: false }) }
}

// ---- Dates -----------------------------------------------------------------------------------

const DAY = 86_400_000
const MINUTE = 60_000
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
      v === 'today' ? today
      : v === 'tomorrow' ? today + DAY
      : v === 'yesterday' ? today - DAY
      : v === 'one_week_ago' ? today - 7 * DAY
      : v === 'one_week_from_now' ? today + 7 * DAY
      : v === 'one_month_ago' ? startOfDay(addMonths(now, -1))
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

/** A date condition as bounds over milliseconds: `{lo, loIncl, hi, hiIncl}` or existence. */
type DateBounds = { exists: boolean } | { lo?: number; loIncl?: boolean; hi?: number; hiIncl?: boolean }

function dateBounds(raw: unknown, at: Path, ctx: QueryContext): DateBounds {
  const [op, v] = oneCondition(raw, at, [...DATE_VALUE, ...DATE_RANGE, ...EXISTENCE])
  if (op === 'is_empty') return { exists: false }
  if (op === 'is_not_empty') return { exists: true }
  if (DATE_RANGE.includes(op)) {
    if (!isObject(v) || Object.keys(v).length > 0) bad([...at, op], 'should be an empty object', v)
    const now = ctx.now
    const weekStart = startOfDay(now) - new Date(now).getUTCDay() * DAY
    const [lo, hi] =
      op === 'this_week' ? [weekStart, weekStart + 7 * DAY]
      : op === 'past_week' ? [now - 7 * DAY, now]
      : op === 'past_month' ? [addMonths(now, -1), now]
      : op === 'past_year' ? [addMonths(now, -12), now]
      : op === 'next_week' ? [now, now + 7 * DAY]
      : op === 'next_month' ? [now, addMonths(now, 1)]
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

function inBounds(b: DateBounds, ms: number | null): boolean {
  if ('exists' in b) return (ms !== null) === b.exists
  if (ms === null) return false
  if (b.lo !== undefined && (b.loIncl ? ms < b.lo : ms <= b.lo)) return false
  if (b.hi !== undefined && (b.hiIncl ? ms > b.hi : ms >= b.hi)) return false
  return true
}

function dateCond(raw: unknown, at: Path, ctx: QueryContext): Cond<number | null> & { bounds: DateBounds } {
  const b = dateBounds(raw, at, ctx)
  return {
    bounds: b,
    test: (ms) => inBounds(b, ms),
    plan: (pid) => ('exists' in b ? { k: 'has', pid, negate: !b.exists } : { k: 'num', pid, ...b, negate: false }),
  }
}

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * Bounds over a minute-rounded timestamp as bounds over the exact one (`[lo, hi)` as ISO text):
 * floor(t) ≥ lo ⟺ t ≥ ceil(lo); floor(t) > lo ⟺ t ≥ floor(lo)+1min; floor(t) < hi ⟺ t < ceil(hi);
 * floor(t) ≤ hi ⟺ t < floor(hi)+1min.
 */
function timestampPlan(col: 'created_time' | 'last_edited_time', b: DateBounds): SqlLeaf {
  if ('exists' in b) return b.exists ? CONST_TRUE : CONST_FALSE
  const leaf: SqlLeaf = { k: 'col', col }
  if (b.lo !== undefined) leaf.lo = iso(b.loIncl ? Math.ceil(b.lo / MINUTE) * MINUTE : Math.floor(b.lo / MINUTE) * MINUTE + MINUTE)
  if (b.hi !== undefined) leaf.hi = iso(b.hiIncl ? Math.floor(b.hi / MINUTE) * MINUTE + MINUTE : Math.ceil(b.hi / MINUTE) * MINUTE)
  return leaf
}

// ---- Row value accessors (over stored or computed values) ---------------------------------------

function rowValue(prop: PropertyConfig, row: QueryRow): unknown {
  if (row.computed && prop.id in row.computed) return row.computed[prop.id]
  return valueOf(prop, row.values, row.meta)
}

function textOfValue(v: unknown): string {
  if (Array.isArray(v)) return plainText(v as RichTextItem[])
  return typeof v === 'string' ? v : ''
}

function numberOfValue(v: unknown): number | null {
  if (isObject(v) && 'number' in v) return typeof v.number === 'number' ? v.number : null
  return typeof v === 'number' ? v : null
}

function dateOfValue(v: unknown): number | null {
  if (typeof v === 'string') return dateMs(v)
  if (isObject(v) && typeof v.start === 'string') return dateMs(v.start, typeof v.time_zone === 'string' ? v.time_zone : null)
  return null
}

function idsOfValue(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((x) => (x as { id: string }).id)
  if (isObject(v) && typeof v.id === 'string') return [v.id]
  return []
}

function optionsOfValue(v: unknown): { id: string; name: string }[] {
  if (Array.isArray(v)) return v as { id: string; name: string }[]
  if (isObject(v) && typeof v.id === 'string') return [v as { id: string; name: string }]
  return []
}

// ---- Filters ---------------------------------------------------------------------------------

interface Compiled {
  pred: Predicate
  plan: SqlFilter | null
  computed: boolean
}

/** The predicate for one value family applied to a value accessor. */
function stored<T>(cond: Cond<T>, prop: PropertyConfig, get: (v: unknown) => T): Compiled {
  return { pred: (row) => cond.test(get(rowValue(prop, row))), plan: cond.plan(prop.id), computed: false }
}

/**
 * A condition of type `ftype` over plain values, for formula results and rollup elements
 * (`prop` is the property whose options apply, when known).
 */
function valueCondition(ftype: string, cond: unknown, at: Path, ctx: QueryContext, prop?: PropertyConfig): (v: unknown) => boolean {
  switch (ftype) {
    case 'title':
    case 'rich_text':
    case 'string':
    case 'url':
    case 'email':
    case 'phone_number': {
      const c = textCond(cond, at)
      return (v) => c.test(textOfValue(v))
    }
    case 'number':
    case 'unique_id': {
      const c = numberCond(cond, at)
      return (v) => c.test(numberOfValue(v))
    }
    case 'checkbox': {
      const c = checkboxCond(cond, at)
      return (v) => c.test(v === true)
    }
    case 'select':
    case 'status':
    case 'multi_select': {
      const c = optionCond(cond, at, prop, ftype === 'multi_select')
      return (v) => c.test(optionsOfValue(v))
    }
    case 'date': {
      const c = dateCond(cond, at, ctx)
      return (v) => c.test(dateOfValue(v))
    }
    case 'people':
    case 'relation': {
      const c = idListCond(cond, at, ctx, ftype === 'people')
      return (v) => c.test(idsOfValue(v))
    }
    case 'files': {
      const c = filesCond(cond, at)
      return (v) => c.test(Array.isArray(v) ? v.length : 0)
    }
    default:
      return bad(at, 'should be not present', cond)
  }
}

/** `{formula: {string|checkbox|number|date: condition}}` over the formula's `{type, <type>}` result. */
function formulaFilter(cond: unknown, at: Path, ctx: QueryContext, prop: PropertyConfig): Compiled {
  const [kind, inner] = oneCondition(cond, at, ['string', 'checkbox', 'number', 'date'])
  const wire = kind === 'checkbox' ? 'boolean' : kind
  const test = valueCondition(kind === 'string' ? 'string' : kind, inner, [...at, kind], ctx)
  return {
    pred: (row) => {
      const v = rowValue(prop, row) as { type?: string; [k: string]: unknown } | null
      const inner = v && v.type === wire ? v[wire] : null
      return test(kind === 'checkbox' ? inner === true : (inner ?? null))
    },
    plan: null,
    computed: true,
  }
}

const ROLLUP_ELEMENT_TYPES = ['rich_text', 'number', 'checkbox', 'select', 'multi_select', 'relation', 'date', 'people', 'files', 'status']

/**
 * Rollup filters (SDK `RollupPropertyFilter`): `{any|every|none: {<type>: condition}}` over the
 * elements of an `array` result, `{number: condition}` over a number result, `{date: condition}` over
 * a date result.
 */
function rollupFilter(cond: unknown, at: Path, ctx: QueryContext, prop: PropertyConfig, schemaOfTarget: (id: string) => PropertyConfig | undefined): Compiled {
  const [kind, inner] = oneCondition(cond, at, ['any', 'every', 'none', 'number', 'date'])
  const get = (row: QueryRow) => rowValue(prop, row) as { type?: string; [k: string]: unknown } | null
  if (kind === 'number' || kind === 'date') {
    const test = valueCondition(kind, inner, [...at, kind], ctx)
    return { pred: (row) => {
      const v = get(row)
      return test(v && v.type === kind ? (v[kind] ?? null) : null)
    }, plan: null, computed: true }
  }
  const [etype, econd] = oneCondition(inner, [...at, kind], ROLLUP_ELEMENT_TYPES)
  const rolled = schemaOfTarget(String((prop.config as { rollup_property_id?: string }).rollup_property_id ?? ''))
  const test = valueCondition(etype, econd, [...at, kind, etype], ctx, rolled && (rolled.type === etype || (etype === 'rich_text' && rolled.type === 'title')) ? rolled : undefined)
  const elements = (row: QueryRow): unknown[] => {
    const v = get(row)
    if (!v || v.type !== 'array' || !Array.isArray(v.array)) return []
    return (v.array as { type: string; [k: string]: unknown }[]).map((e) => e[e.type])
  }
  const pred: Predicate =
    kind === 'any' ? (row) => elements(row).some(test)
    : kind === 'every' ? (row) => elements(row).every(test)
    : (row) => !elements(row).some(test)
  return { pred, plan: null, computed: true }
}

/** `{verification: {status: "verified"|"expired"|"none"}}` over `{state, date, verified_by}`. */
function verificationFilter(cond: unknown, at: Path, ctx: QueryContext, prop: PropertyConfig): Compiled {
  const [, v] = oneCondition(cond, at, ['status'])
  if (v !== 'verified' && v !== 'expired' && v !== 'none') bad([...at, 'status'], 'should be `"verified"`, `"expired"` or `"none"`', v)
  const statusOf = (row: QueryRow): string => {
    const x = rowValue(prop, row) as { state?: string; date?: { end?: string | null } | null } | null
    if (!x || x.state !== 'verified') return x?.state === 'expired' ? 'expired' : 'none'
    const end = x.date?.end ? dateMs(x.date.end) : null
    return end !== null && end < ctx.now ? 'expired' : 'verified'
  }
  return { pred: (row) => statusOf(row) === v, plan: null, computed: true }
}

interface FilterEnv {
  schema: Schema
  ctx: QueryContext
  /** The rolled-up property of a rollup (for option names), when known. */
  rolledProperty: (rollup: PropertyConfig) => PropertyConfig | undefined
}

function compilePropertyFilter(raw: Record<string, unknown>, at: Path, env: FilterEnv): Compiled {
  const { schema, ctx } = env
  if (typeof raw.property !== 'string') bad([...at, 'property'], raw.property === undefined ? 'should be defined' : 'should be a string', raw.property)
  const allowed = new Set<string>(['property', 'type', ...FILTER_TYPES])
  for (const k of Object.keys(raw)) if (!allowed.has(k)) bad([...at, k], 'should be not present', raw[k])
  const present = FILTER_TYPES.filter((t) => t in raw)
  let ftype: string
  if (raw.type !== undefined) {
    if (typeof raw.type !== 'string' || !(FILTER_TYPES as readonly string[]).includes(raw.type)) bad([...at, 'type'], 'should be a property filter type', raw.type)
    ftype = raw.type as string
    if (!(ftype in raw)) bad([...at, ftype], 'should be defined', undefined)
    const other = present.find((t) => t !== ftype)
    if (other) bad([...at, other], 'should be not present', raw[other])
  } else {
    if (present.length === 0) {
      throw validationError(`body failed validation: ${pathText(at)} should have a filter condition keyed by the property type (e.g. \`"rich_text": {…}\`), instead was ${render(raw)}.`)
    }
    if (present.length > 1) bad([...at, present[1] as string], 'should be not present', raw[present[1] as string])
    ftype = present[0] as string
  }
  const name = raw.property as string
  const prop = findProperty(schema, name)
  if (!prop) throw validationError(`Could not find property with name or id: ${name}.`)
  if (!accepts(prop.type, ftype)) {
    throw validationError(`body failed validation: ${pathText(at)}: database property ${prop.type} does not match filter ${ftype}.`)
  }
  const cond = raw[ftype]
  const cat = [...at, ftype]
  switch (ftype) {
    case 'title':
    case 'rich_text':
    case 'url':
    case 'email':
    case 'phone_number':
      return stored(textCond(cond, cat), prop, textOfValue)
    case 'number':
    case 'unique_id':
      return stored(numberCond(cond, cat), prop, numberOfValue)
    case 'checkbox':
      return stored(checkboxCond(cond, cat), prop, (v) => v === true)
    case 'select':
    case 'status':
    case 'multi_select':
      return stored(optionCond(cond, cat, prop, ftype === 'multi_select'), prop, optionsOfValue)
    case 'date':
    case 'created_time':
    case 'last_edited_time': {
      const c = dateCond(cond, cat, ctx)
      if (prop.type === 'created_time' || prop.type === 'last_edited_time') {
        const col = prop.type
        return { pred: (row) => c.test(dateMs(row.meta[col])), plan: timestampPlan(col, c.bounds), computed: false }
      }
      return stored(c, prop, dateOfValue)
    }
    case 'people':
    case 'created_by':
    case 'last_edited_by': {
      const c = idListCond(cond, cat, ctx, true)
      if (prop.type === 'created_by' || prop.type === 'last_edited_by') {
        const col = prop.type
        const plan: SqlLeaf =
          c.op === 'is_empty' ? CONST_FALSE : c.op === 'is_not_empty' ? CONST_TRUE : { k: 'colId', col, id: c.id as string, negate: c.negate === true }
        return { pred: (row) => c.test([row.meta[col]]), plan, computed: false }
      }
      return stored(c, prop, idsOfValue)
    }
    case 'relation': {
      // Relations are evaluated over the pages the caller can see (computed values), never in SQL.
      const c = idListCond(cond, cat, ctx, false)
      return { pred: (row) => c.test(idsOfValue(rowValue(prop, row))), plan: null, computed: true }
    }
    case 'files':
      return stored(filesCond(cond, cat), prop, (v) => (Array.isArray(v) ? v.length : 0))
    case 'formula':
      return formulaFilter(cond, cat, ctx, prop)
    case 'rollup':
      return rollupFilter(cond, cat, ctx, prop, () => env.rolledProperty(prop))
    default:
      return verificationFilter(cond, cat, ctx, prop)
  }
}

function compileTimestampFilter(raw: Record<string, unknown>, at: Path, ctx: QueryContext): Compiled {
  const ts = raw.timestamp
  if (ts !== 'created_time' && ts !== 'last_edited_time') bad([...at, 'timestamp'], 'should be `"created_time"` or `"last_edited_time"`', ts)
  const key = ts as 'created_time' | 'last_edited_time'
  for (const k of Object.keys(raw)) {
    if (k !== 'timestamp' && k !== 'type' && k !== key) bad([...at, k], 'should be not present', raw[k])
  }
  if (raw.type !== undefined && raw.type !== key) bad([...at, 'type'], `should be \`"${key}"\``, raw.type)
  if (!(key in raw)) bad([...at, key], 'should be defined', undefined)
  const c = dateCond(raw[key], [...at, key], ctx)
  return { pred: (row) => c.test(dateMs(row.meta[key])), plan: timestampPlan(key, c.bounds), computed: false }
}

function compileFilterAt(raw: unknown, at: Path, level: number, env: FilterEnv): Compiled {
  if (!isObject(raw)) return bad(at, 'should be an object', raw)
  const op = 'and' in raw ? 'and' : 'or' in raw ? 'or' : undefined
  if (op) {
    if (level >= 2) bad([...at, op], 'should be not present', raw[op])
    for (const k of Object.keys(raw)) if (k !== op) bad([...at, k], 'should be not present', raw[k])
    const list = raw[op]
    if (!Array.isArray(list)) return bad([...at, op], 'should be an array', list)
    if (list.length > 100) throw validationError(`body failed validation: ${pathText([...at, op])}.length should be ≤ \`100\`, instead was \`${list.length}\`.`)
    const parts = list.map((item, i) => compileFilterAt(item, [...at, op, i], level + 1, env))
    const preds = parts.map((p) => p.pred)
    const plans = parts.map((p) => p.plan)
    return {
      pred: op === 'and' ? (row) => preds.every((p) => p(row)) : (row) => preds.some((p) => p(row)),
      plan: plans.every((p) => p !== null) ? { k: op, items: plans as SqlFilter[] } : null,
      computed: parts.some((p) => p.computed),
    }
  }
  if ('timestamp' in raw) {
    if ('property' in raw) bad([...at, 'property'], 'should be not present', raw.property)
    return compileTimestampFilter(raw, at, env.ctx)
  }
  return compilePropertyFilter(raw, at, env)
}

/**
 * Compiles a `filter` against `schema`: a JS predicate, the storage plan when there is one, and a
 * storage pre-filter. `rolledProperty` names a rollup's rolled-up property (its options resolve
 * option names in `any/every/none` conditions). `at` is the request path of the filter (default
 * `filter`, i.e. `body.filter`).
 * @throws NotionApiError validation_error
 */
export function compileQueryFilter(
  filter: unknown,
  schema: Schema,
  ctx: QueryContext,
  opts: { at?: Path; rolledProperty?: (rollup: PropertyConfig) => PropertyConfig | undefined } = {},
): CompiledFilter {
  if (filter === undefined || filter === null) return { predicate: () => true, plan: null, prefilter: null, needsComputed: false }
  const env: FilterEnv = { schema, ctx, rolledProperty: opts.rolledProperty ?? (() => undefined) }
  const raw = filter
  const c = compileFilterAt(raw, opts.at ?? ['filter'], 0, env)
  let prefilter = c.plan
  if (!prefilter && isObject(raw) && Array.isArray(raw.and)) {
    // The plannable parts of a top-level `and` still narrow the rows to load.
    const parts = raw.and.map((item, i) => compileFilterAt(item, [...(opts.at ?? ['filter']), 'and', i], 1, env).plan).filter((p): p is SqlFilter => p !== null)
    prefilter = parts.length > 0 ? { k: 'and', items: parts } : null
  }
  return { predicate: c.pred, plan: c.plan, prefilter, needsComputed: c.computed }
}

/** Compiles a `filter` into a predicate over rows (see `compileQueryFilter`). @throws NotionApiError validation_error */
export function compileFilter(filter: unknown, schema: Schema, ctx: QueryContext, at: Path = ['filter']): Predicate {
  return compileQueryFilter(filter, schema, ctx, { at }).predicate
}

// ---- Sorts -----------------------------------------------------------------------------------

type SortKey = string | number | null

function optionIndex(prop: PropertyConfig, id: string | undefined): number | null {
  if (id === undefined) return null
  const options = (prop.config.options as { id: string }[] | undefined) ?? []
  const i = options.findIndex((o) => o.id === id)
  return i === -1 ? options.length : i
}

function sortKey(prop: PropertyConfig, row: QueryRow): SortKey {
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

function compareKeys(a: SortKey, b: SortKey, descending: boolean): number {
  if (a === b) return 0
  if (a === null) return 1 // empty values last, whatever the direction
  if (b === null) return -1
  const c = typeof a === 'number' && typeof b === 'number' ? a - b : a < b ? -1 : a > b ? 1 : 0
  return descending ? -c : c
}

/** Newest created first, then by id: the order without sorts and the final tie-break. */
export const defaultOrder: Comparator = (a, b) => (a.createdExact === b.createdExact ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.createdExact < b.createdExact ? 1 : -1)

/** The storage plan of a sort on `prop`, when its key is a stored value. */
function sortPlan(prop: PropertyConfig, desc: boolean): SqlSort | null {
  switch (prop.type) {
    case 'title':
    case 'rich_text':
    case 'url':
    case 'email':
    case 'phone_number':
      return { k: 'txt', pid: prop.id, desc }
    case 'number':
    case 'unique_id':
    case 'date':
      return { k: 'num', pid: prop.id, desc }
    case 'checkbox':
      return { k: 'bool', pid: prop.id, desc }
    case 'select':
    case 'status':
      return { k: 'option', pid: prop.id, desc, options: ((prop.config.options as { id: string }[] | undefined) ?? []).map((o) => o.id) }
    case 'created_time':
    case 'last_edited_time':
      return { k: 'col', col: prop.type, desc }
    default:
      return null
  }
}

/**
 * Compiles `sorts` against `schema`: a comparator and, when every key is stored, the storage plan.
 * Unknown property → "Could not find sort property with name or id: <x>.".
 * @throws NotionApiError validation_error
 */
export function compileQuerySorts(sorts: unknown, schema: Schema, at: Path = ['sorts']): CompiledSorts {
  if (sorts === undefined || sorts === null) return { comparator: defaultOrder, plan: [], needsComputed: false }
  if (!Array.isArray(sorts)) return bad(at, 'should be an array', sorts)
  if (sorts.length > 100) throw validationError(`body failed validation: ${pathText(at)}.length should be ≤ \`100\`, instead was \`${sorts.length}\`.`)
  const plans: (SqlSort | null)[] = []
  let needsComputed = false
  const parts: Comparator[] = sorts.map((s, i) => {
    const sat = [...at, i]
    if (!isObject(s)) return bad(sat, 'should be an object', s)
    if (s.direction !== 'ascending' && s.direction !== 'descending') {
      bad([...sat, 'direction'], s.direction === undefined ? 'should be defined' : 'should be `"ascending"` or `"descending"`', s.direction)
    }
    const desc = s.direction === 'descending'
    if ('timestamp' in s) {
      for (const k of Object.keys(s)) if (k !== 'timestamp' && k !== 'direction') bad([...sat, k], 'should be not present', s[k])
      if (s.timestamp !== 'created_time' && s.timestamp !== 'last_edited_time') bad([...sat, 'timestamp'], 'should be `"created_time"` or `"last_edited_time"`', s.timestamp)
      const col = s.timestamp as 'created_time' | 'last_edited_time'
      plans.push({ k: 'col', col, desc })
      const field = col === 'created_time' ? 'createdExact' : 'editedExact'
      return (a, b) => compareKeys(a[field], b[field], desc)
    }
    for (const k of Object.keys(s)) if (k !== 'property' && k !== 'direction') bad([...sat, k], 'should be not present', s[k])
    if (typeof s.property !== 'string') return bad([...sat, 'property'], s.property === undefined ? 'should be defined' : 'should be a string', s.property)
    const prop = findProperty(schema, s.property)
    if (!prop) throw validationError(`Could not find sort property with name or id: ${s.property}.`)
    const plan = sortPlan(prop, desc)
    plans.push(plan)
    if (!plan && (prop.type === 'formula' || prop.type === 'rollup' || prop.type === 'relation')) needsComputed = true
    if (prop.type === 'created_time' || prop.type === 'last_edited_time') {
      const field = prop.type === 'created_time' ? 'createdExact' : 'editedExact'
      return (a, b) => compareKeys(a[field], b[field], desc)
    }
    return (a, b) => compareKeys(sortKey(prop, a), sortKey(prop, b), desc)
  })
  return {
    comparator: (a, b) => {
      for (const p of parts) {
        const c = p(a, b)
        if (c !== 0) return c
      }
      return defaultOrder(a, b)
    },
    plan: plans.every((p) => p !== null) ? (plans as SqlSort[]) : null,
    needsComputed,
  }
}

/** Compiles `sorts` into a comparator (see `compileQuerySorts`). @throws NotionApiError validation_error */
export function compileSorts(sorts: unknown, schema: Schema, at: Path = ['sorts']): Comparator {
  return compileQuerySorts(sorts, schema, at).comparator
}

/**
 * Filters and sorts `rows` in memory (a new array; the input is not changed).
 * @throws NotionApiError validation_error when the filter or sorts are invalid.
 */
export function runQuery(rows: QueryRow[], schema: Schema, query: { filter?: unknown; sorts?: unknown }, ctx: QueryContext): QueryRow[] {
  const matches = compileFilter(query.filter, schema, ctx)
  const order = compileSorts(query.sorts, schema)
  return rows.filter(matches).sort(order)
}
