import { validationError } from '../errors/notion-error.js'
import { parseId } from './ids.js'
import { findProperty, valueOf, type PropertyConfig, type RowMeta, type Schema } from './properties.js'
import { plainText, type RichTextItem } from './rich-text.js'

/**
 * Data-source query evaluation: Notion's filter grammar and sorts (digest §2.13), as pure functions
 * over rows already loaded in memory. Used by `POST /v1/data_sources/{id}/query` and the legacy
 * `POST /v1/databases/{id}/query`.
 *
 * Filters: property filters `{property, <type>: condition}` (property by name or id; `type` key
 * optional), timestamp filters `{timestamp, created_time|last_edited_time: condition}`, and compound
 * `{and:[…]}` / `{or:[…]}` nested at most two levels ("Nesting is supported up to two levels deep");
 * a third level's compound key "should be not present". An unknown property →
 * "Could not find property with name or id: <x>."; a condition type that does not fit the property
 * → "body failed validation: <path>: database property <type> does not match filter <type>.".
 * Text comparisons are case-insensitive. Dates compare by day when the condition is a date, at
 * millisecond precision when it is a date-time; dates without a zone are UTC.
 *
 * Sorts: `{property, direction}` or `{timestamp, direction}`, earlier ones first; empty values sort
 * last; ties (and no sorts) fall back to newest created first.
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
}

export interface QueryContext {
  /** Milliseconds since the epoch (relative dates). */
  now: number
  /** The caller's user id (`"me"` in people filters). */
  me: string
}

export type Predicate = (row: QueryRow) => boolean
export type Comparator = (a: QueryRow, b: QueryRow) => number

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

/** Which filter types a property type accepts. */
function accepts(propType: string, filterType: string): boolean {
  if (propType === filterType) return true
  if ((propType === 'title' || propType === 'rich_text') && (filterType === 'title' || filterType === 'rich_text')) return true
  if ((propType === 'created_time' || propType === 'last_edited_time') && filterType === 'date') return true
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

const lower = (s: string) => s.toLocaleLowerCase()

function textPredicate(raw: unknown, at: Path): (s: string) => boolean {
  const [op, v] = oneCondition(raw, at, [...TEXT, ...EXISTENCE])
  if (TEXT.includes(op) && typeof v !== 'string') bad([...at, op], 'should be a string', v)
  const needle = typeof v === 'string' ? lower(v) : ''
  switch (op) {
    case 'equals':
      return (s) => lower(s) === needle
    case 'does_not_equal':
      return (s) => lower(s) !== needle
    case 'contains':
      return (s) => lower(s).includes(needle)
    case 'does_not_contain':
      return (s) => !lower(s).includes(needle)
    case 'starts_with':
      return (s) => lower(s).startsWith(needle)
    case 'ends_with':
      return (s) => lower(s).endsWith(needle)
    case 'is_empty':
      return (s) => s === ''
    default:
      return (s) => s !== ''
  }
}

function numberPredicate(raw: unknown, at: Path): (n: number | null) => boolean {
  const [op, v] = oneCondition(raw, at, [...NUMBER, ...EXISTENCE])
  if (NUMBER.includes(op) && (typeof v !== 'number' || !Number.isFinite(v))) bad([...at, op], 'should be a number', v)
  const x = v as number
  switch (op) {
    case 'equals':
      return (n) => n === x
    case 'does_not_equal':
      return (n) => n !== x
    case 'greater_than':
      return (n) => n !== null && n > x
    case 'less_than':
      return (n) => n !== null && n < x
    case 'greater_than_or_equal_to':
      return (n) => n !== null && n >= x
    case 'less_than_or_equal_to':
      return (n) => n !== null && n <= x
    case 'is_empty':
      return (n) => n === null
    default:
      return (n) => n !== null
  }
}

function checkboxPredicate(raw: unknown, at: Path): (b: boolean) => boolean {
  const [op, v] = oneCondition(raw, at, ['equals', 'does_not_equal'])
  if (typeof v !== 'boolean') bad([...at, op], 'should be a boolean', v)
  return op === 'equals' ? (b) => b === v : (b) => b !== v
}

function stringList(v: unknown, at: Path): string[] {
  if (typeof v === 'string') return [v]
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[]
  return bad(at, 'should be a string or an array of strings', v)
}

/** select / status: on the option name. */
function optionPredicate(raw: unknown, at: Path): (name: string | null) => boolean {
  const [op, v] = oneCondition(raw, at, ['equals', 'does_not_equal', ...EXISTENCE])
  if (op === 'is_empty') return (n) => n === null
  if (op === 'is_not_empty') return (n) => n !== null
  const names = stringList(v, [...at, op]).map(lower)
  return op === 'equals' ? (n) => n !== null && names.includes(lower(n)) : (n) => n === null || !names.includes(lower(n))
}

function multiSelectPredicate(raw: unknown, at: Path): (names: string[]) => boolean {
  const [op, v] = oneCondition(raw, at, ['contains', 'does_not_contain', ...EXISTENCE])
  if (op === 'is_empty') return (ns) => ns.length === 0
  if (op === 'is_not_empty') return (ns) => ns.length > 0
  const wanted = stringList(v, [...at, op]).map(lower)
  const has = (ns: string[]) => ns.some((n) => wanted.includes(lower(n)))
  return op === 'contains' ? has : (ns) => !has(ns)
}

function idListPredicate(raw: unknown, at: Path, ctx: QueryContext, allowMe: boolean): (ids: string[]) => boolean {
  const [op, v] = oneCondition(raw, at, ['contains', 'does_not_contain', ...EXISTENCE])
  if (op === 'is_empty') return (ids) => ids.length === 0
  if (op === 'is_not_empty') return (ids) => ids.length > 0
  let id: string | undefined
  if (allowMe && v === 'me') id = ctx.me
  else if (typeof v === 'string') id = parseId(v)
  if (!id) bad([...at, op], 'should be a valid uuid', v)
  return op === 'contains' ? (ids) => ids.includes(id as string) : (ids) => !ids.includes(id as string)
}

function filesPredicate(raw: unknown, at: Path): (n: number) => boolean {
  const [op] = oneCondition(raw, at, EXISTENCE)
  return op === 'is_empty' ? (n) => n === 0 : (n) => n > 0
}

const DAY = 86_400_000
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/

/** Milliseconds of an ISO date or date-time; a date or a date-time without zone is UTC. */
export function dateMs(s: string): number {
  if (DATE_ONLY.test(s)) return Date.parse(`${s}T00:00:00.000Z`)
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(s)
  return Date.parse(zoned ? s : `${s}Z`)
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

/** Date conditions over a row's date in milliseconds (null when empty). */
function datePredicate(raw: unknown, at: Path, ctx: QueryContext): (ms: number | null) => boolean {
  const [op, v] = oneCondition(raw, at, [...DATE_VALUE, ...DATE_RANGE, ...EXISTENCE])
  if (op === 'is_empty') return (ms) => ms === null
  if (op === 'is_not_empty') return (ms) => ms !== null
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
    return (ms) => ms !== null && ms >= (lo as number) && ms <= (hi as number)
  }
  const [lo, hi] = conditionRange(v, [...at, op], ctx.now)
  switch (op) {
    case 'equals':
      return (ms) => ms !== null && ms >= lo && ms < hi
    case 'before':
      return (ms) => ms !== null && ms < lo
    case 'after':
      return (ms) => ms !== null && ms >= hi
    case 'on_or_before':
      return (ms) => ms !== null && ms < hi
    default:
      return (ms) => ms !== null && ms >= lo
  }
}

/** A value-less predicate family for types whose values are not computed yet (formula, rollup, verification). */
function validateLoosely(raw: unknown, at: Path): void {
  if (!isObject(raw) || Object.keys(raw).length !== 1) bad(at, 'should be an object with one condition', raw)
}

// ---- Row value accessors -------------------------------------------------------------------

function rowValue(prop: PropertyConfig, row: QueryRow): unknown {
  return valueOf(prop, row.values, row.meta)
}

function textOf(prop: PropertyConfig, row: QueryRow): string {
  const v = rowValue(prop, row)
  if (Array.isArray(v)) return plainText(v as RichTextItem[])
  return typeof v === 'string' ? v : ''
}

function numberOf(prop: PropertyConfig, row: QueryRow): number | null {
  const v = rowValue(prop, row)
  if (prop.type === 'unique_id') return (v as { number: number | null }).number
  return typeof v === 'number' ? v : null
}

function dateOf(prop: PropertyConfig | 'created_time' | 'last_edited_time', row: QueryRow): number | null {
  if (prop === 'created_time') return dateMs(row.meta.created_time)
  if (prop === 'last_edited_time') return dateMs(row.meta.last_edited_time)
  const v = rowValue(prop, row)
  if (typeof v === 'string') return dateMs(v)
  if (isObject(v) && typeof v.start === 'string') return dateMs(v.start)
  return null
}

function idsOf(prop: PropertyConfig, row: QueryRow): string[] {
  const v = rowValue(prop, row)
  if (Array.isArray(v)) return v.map((x) => (x as { id: string }).id)
  if (isObject(v) && typeof v.id === 'string') return [v.id]
  return []
}

// ---- Filters ---------------------------------------------------------------------------------

function compilePropertyFilter(raw: Record<string, unknown>, at: Path, schema: Schema, ctx: QueryContext): Predicate {
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
    case 'phone_number': {
      const p = textPredicate(cond, cat)
      return (row) => p(textOf(prop, row))
    }
    case 'number':
    case 'unique_id': {
      const p = numberPredicate(cond, cat)
      return (row) => p(numberOf(prop, row))
    }
    case 'checkbox': {
      const p = checkboxPredicate(cond, cat)
      return (row) => p(rowValue(prop, row) === true)
    }
    case 'select':
    case 'status': {
      const p = optionPredicate(cond, cat)
      return (row) => p((rowValue(prop, row) as { name: string } | null)?.name ?? null)
    }
    case 'multi_select': {
      const p = multiSelectPredicate(cond, cat)
      return (row) => p(((rowValue(prop, row) as { name: string }[] | null) ?? []).map((o) => o.name))
    }
    case 'date':
    case 'created_time':
    case 'last_edited_time': {
      const p = datePredicate(cond, cat, ctx)
      return (row) => p(dateOf(prop, row))
    }
    case 'people':
    case 'created_by':
    case 'last_edited_by': {
      const p = idListPredicate(cond, cat, ctx, true)
      return (row) => p(idsOf(prop, row))
    }
    case 'relation': {
      const p = idListPredicate(cond, cat, ctx, false)
      return (row) => p(idsOf(prop, row))
    }
    case 'files': {
      const p = filesPredicate(cond, cat)
      return (row) => p(((rowValue(prop, row) as unknown[] | null) ?? []).length)
    }
    default:
      // formula, rollup, verification: values are not computed yet, so nothing matches.
      validateLoosely(cond, cat)
      return () => false
  }
}

function compileTimestampFilter(raw: Record<string, unknown>, at: Path, ctx: QueryContext): Predicate {
  const ts = raw.timestamp
  if (ts !== 'created_time' && ts !== 'last_edited_time') bad([...at, 'timestamp'], 'should be `"created_time"` or `"last_edited_time"`', ts)
  const key = ts as 'created_time' | 'last_edited_time'
  for (const k of Object.keys(raw)) {
    if (k !== 'timestamp' && k !== 'type' && k !== key) bad([...at, k], 'should be not present', raw[k])
  }
  if (raw.type !== undefined && raw.type !== key) bad([...at, 'type'], `should be \`"${key}"\``, raw.type)
  if (!(key in raw)) bad([...at, key], 'should be defined', undefined)
  const p = datePredicate(raw[key], [...at, key], ctx)
  return (row) => p(dateOf(key, row))
}

function compileFilterAt(raw: unknown, at: Path, level: number, schema: Schema, ctx: QueryContext): Predicate {
  if (!isObject(raw)) return bad(at, 'should be an object', raw)
  const op = 'and' in raw ? 'and' : 'or' in raw ? 'or' : undefined
  if (op) {
    if (level >= 2) bad([...at, op], 'should be not present', raw[op])
    for (const k of Object.keys(raw)) if (k !== op) bad([...at, k], 'should be not present', raw[k])
    const list = raw[op]
    if (!Array.isArray(list)) return bad([...at, op], 'should be an array', list)
    if (list.length > 100) throw validationError(`body failed validation: ${pathText([...at, op])}.length should be ≤ \`100\`, instead was \`${list.length}\`.`)
    const parts = list.map((item, i) => compileFilterAt(item, [...at, op, i], level + 1, schema, ctx))
    return op === 'and' ? (row) => parts.every((p) => p(row)) : (row) => parts.some((p) => p(row))
  }
  if ('timestamp' in raw) {
    if ('property' in raw) bad([...at, 'property'], 'should be not present', raw.property)
    return compileTimestampFilter(raw, at, ctx)
  }
  return compilePropertyFilter(raw, at, schema, ctx)
}

/**
 * Compiles a `filter` into a predicate over rows, validating it against `schema`.
 * `at` is the request path of the filter (default `filter`, i.e. `body.filter`).
 * @throws NotionApiError validation_error
 */
export function compileFilter(filter: unknown, schema: Schema, ctx: QueryContext, at: Path = ['filter']): Predicate {
  if (filter === undefined || filter === null) return () => true
  return compileFilterAt(filter, at, 0, schema, ctx)
}

// ---- Sorts -----------------------------------------------------------------------------------

type SortKey = string | number | null

function sortKey(prop: PropertyConfig, row: QueryRow): SortKey {
  const v = rowValue(prop, row)
  switch (prop.type) {
    case 'title':
    case 'rich_text':
    case 'url':
    case 'email':
    case 'phone_number': {
      const s = textOf(prop, row)
      return s === '' ? null : lower(s)
    }
    case 'number':
    case 'unique_id':
      return numberOf(prop, row)
    case 'checkbox':
      return v === true ? 1 : 0
    case 'select':
    case 'status':
    case 'multi_select': {
      const first = Array.isArray(v) ? (v[0] as { id: string } | undefined) : (v as { id: string } | null)
      if (!first) return null
      const options = (prop.config.options as { id: string }[] | undefined) ?? []
      const i = options.findIndex((o) => o.id === first.id)
      return i === -1 ? options.length : i
    }
    case 'date':
    case 'created_time':
    case 'last_edited_time':
      return dateOf(prop, row)
    case 'people':
    case 'relation':
    case 'created_by':
    case 'last_edited_by':
      return idsOf(prop, row)[0] ?? null
    case 'files': {
      const f = (v as { name: string }[] | null)?.[0]
      return f ? lower(f.name) : null
    }
    default:
      return null
  }
}

function compareKeys(a: SortKey, b: SortKey, descending: boolean): number {
  if (a === b) return 0
  if (a === null) return 1 // empty values last, whatever the direction
  if (b === null) return -1
  const c = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b))
  return descending ? -c : c
}

/** Newest created first, then by id: the order without sorts and the final tie-break. */
export const defaultOrder: Comparator = (a, b) => (a.createdExact === b.createdExact ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.createdExact < b.createdExact ? 1 : -1)

/**
 * Compiles `sorts` into a comparator, validating it against `schema`. Unknown property →
 * "Could not find sort property with name or id: <x>.".
 * @throws NotionApiError validation_error
 */
export function compileSorts(sorts: unknown, schema: Schema, at: Path = ['sorts']): Comparator {
  if (sorts === undefined || sorts === null) return defaultOrder
  if (!Array.isArray(sorts)) return bad(at, 'should be an array', sorts)
  if (sorts.length > 100) throw validationError(`body failed validation: ${pathText(at)}.length should be ≤ \`100\`, instead was \`${sorts.length}\`.`)
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
      const field = s.timestamp === 'created_time' ? 'createdExact' : 'editedExact'
      return (a, b) => compareKeys(a[field], b[field], desc)
    }
    for (const k of Object.keys(s)) if (k !== 'property' && k !== 'direction') bad([...sat, k], 'should be not present', s[k])
    if (typeof s.property !== 'string') return bad([...sat, 'property'], s.property === undefined ? 'should be defined' : 'should be a string', s.property)
    const prop = findProperty(schema, s.property)
    if (!prop) throw validationError(`Could not find sort property with name or id: ${s.property}.`)
    if (prop.type === 'created_time' || prop.type === 'last_edited_time') {
      const field = prop.type === 'created_time' ? 'createdExact' : 'editedExact'
      return (a, b) => compareKeys(a[field], b[field], desc)
    }
    return (a, b) => compareKeys(sortKey(prop, a), sortKey(prop, b), desc)
  })
  return (a, b) => {
    for (const p of parts) {
      const c = p(a, b)
      if (c !== 0) return c
    }
    return defaultOrder(a, b)
  }
}

/**
 * Filters and sorts `rows` (a new array; the input is not changed).
 * @throws NotionApiError validation_error when the filter or sorts are invalid.
 */
export function runQuery(rows: QueryRow[], schema: Schema, query: { filter?: unknown; sorts?: unknown }, ctx: QueryContext): QueryRow[] {
  const matches = compileFilter(query.filter, schema, ctx)
  const order = compileSorts(query.sorts, schema)
  return rows.filter(matches).sort(order)
}
