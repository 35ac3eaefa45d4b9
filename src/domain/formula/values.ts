import { formatWith, parseIso, zoneOf, type FDate } from './dates.js'
import type { FormulaResultType } from './types.js'

/**
 * Runtime values and static types of the formula language (Notion formula 2.0 types: number,
 * text, boolean, date, person, page, list). `null` is Notion's "empty" (an empty number or date
 * property, `first([])`, …). Text values are never null: empty text is `""`.
 */

export type { FDate }
/** A person (people, created_by, last_edited_by values). */
export interface FPerson {
  kind: 'person'
  id: string
  name: string
  email: string
}
/** A related page (relation values). */
export interface FPage {
  kind: 'page'
  id: string
}
/** A runtime value; `null` is empty. */
export type Value = null | number | string | boolean | FDate | FPerson | FPage | Value[]

/** A static type, as the type checker sees it. */
export type Ty =
  | { k: 'number' }
  | { k: 'string' }
  | { k: 'boolean' }
  | { k: 'date' }
  | { k: 'person' }
  | { k: 'page' }
  | { k: 'list'; of: Ty }
  /** Not known until evaluation (an empty list's items, a rollup or formula of unknown type). */
  | { k: 'any' }

/** Constructors of the static types. */
export const T = {
  number: { k: 'number' } as Ty,
  string: { k: 'string' } as Ty,
  boolean: { k: 'boolean' } as Ty,
  date: { k: 'date' } as Ty,
  person: { k: 'person' } as Ty,
  page: { k: 'page' } as Ty,
  any: { k: 'any' } as Ty,
  list: (of: Ty): Ty => ({ k: 'list', of }),
}

/** A type's user-facing name, as Notion's formula editor names them. */
export function tyName(t: Ty): string {
  switch (t.k) {
    case 'string':
      return 'text'
    case 'list':
      return t.of.k === 'any' ? 'list' : `list of ${tyName(t.of)}`
    case 'any':
      return 'any value'
    default:
      return t.k
  }
}

/** True when a value of type `a` may be used where `b` is expected (`any` fits both ways). */
export function fits(a: Ty, b: Ty): boolean {
  if (a.k === 'any' || b.k === 'any') return true
  if (a.k === 'list' && b.k === 'list') return fits(a.of, b.of)
  return a.k === b.k
}

/** The common type of two branches (`if`, list items), or null when they differ. */
export function unify(a: Ty, b: Ty): Ty | null {
  if (a.k === 'any') return b
  if (b.k === 'any') return a
  if (a.k === 'list' && b.k === 'list') {
    const of = unify(a.of, b.of)
    return of === null ? null : T.list(of)
  }
  return a.k === b.k ? a : null
}

/** The API result type a formula of static type `t` reports: lists, people, pages and unknowns are text. */
export function resultTypeOf(t: Ty): FormulaResultType {
  return t.k === 'number' || t.k === 'boolean' || t.k === 'date' ? t.k : 'string'
}

/** Runtime type tests. */
export const isDate = (v: Value): v is FDate => typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'date'
export const isPerson = (v: Value): v is FPerson => typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'person'
export const isPage = (v: Value): v is FPage => typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'page'

/** The runtime type of a value (for `any`-typed checks at evaluation). */
export function tyOf(v: Value): Ty {
  if (v === null) return T.any
  if (typeof v === 'number') return T.number
  if (typeof v === 'string') return T.string
  if (typeof v === 'boolean') return T.boolean
  if (Array.isArray(v)) return T.list(T.any)
  return v.kind === 'date' ? T.date : v.kind === 'person' ? T.person : T.page
}

/** Everything evaluation needs besides the page's properties. */
export interface Env {
  now: number
  tz: string
  pageTitle: ((id: string) => string | null) | undefined
  person: ((id: string) => { name: string | null; email?: string | null } | null) | undefined
}

/**
 * Number → text as Notion shows a number in a text context (`format(1/3)` = "0.3333333333333333"):
 * JavaScript's shortest round-trip form, `-0` as "0".
 */
export function numberText(n: number): string {
  return Object.is(n, -0) ? '0' : String(n)
}

/**
 * Date → text as Notion shows a date in a formula with its default settings: "MMMM D, YYYY" for dates,
 * "MMMM D, YYYY h:mm A" with a time ("August 18, 2022 2:10 PM"); a range is "start → end".
 */
export function dateText(d: FDate, tz: string): string {
  const pattern = d.hasTime ? 'MMMM D, YYYY h:mm A' : 'MMMM D, YYYY'
  const zone = zoneOf(d, tz)
  const start = formatWith(d.start, zone, pattern)
  return d.end === null ? start : `${start} → ${formatWith(d.end, zone, pattern)}`
}

/**
 * Any value → text (`format()`, text concatenation, list results): booleans "true"/"false", people
 * by name, pages by title (when the caller provides titles) or id, lists comma-joined ("a,b,c"),
 * empty → "".
 */
export function toText(v: Value, env: Env): string {
  if (v === null) return ''
  if (typeof v === 'string') return v
  if (typeof v === 'number') return numberText(v)
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (Array.isArray(v)) return v.map((x) => toText(x, env)).join(',')
  switch (v.kind) {
    case 'date':
      return dateText(v, env.tz)
    case 'person':
      return v.name
    case 'page':
      return env.pageTitle?.(v.id) ?? v.id
  }
}

/** Notion's `empty()`: "0, "", and [] are considered empty" (Notion help "Formula syntax"), and so is an empty value. */
export function isEmpty(v: Value): boolean {
  return v === null || v === 0 || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'number' && Number.isNaN(v))
}

/** Structural equality (`==`): dates by start and end, people and pages by id, lists item by item. */
export function equals(a: Value, b: Value): boolean {
  if (a === null || b === null) return a === b
  if (typeof a !== 'object' || typeof b !== 'object') return a === b
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => equals(x, b[i] as Value))
  }
  if (a.kind !== b.kind) return false
  if (a.kind === 'date' && b.kind === 'date') return a.start === b.start && a.end === b.end
  return (a as FPerson | FPage).id === (b as FPerson | FPage).id
}

const RANK: Record<string, number> = { boolean: 0, number: 1, string: 2, date: 3, person: 4, page: 5, list: 6 }

/** Total order for `sort()` and comparisons: numbers, text (code units), dates by start, false < true; empties last. */
export function compare(a: Value, b: Value, env: Env): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1
  const ra = RANK[tyOf(a).k] as number
  const rb = RANK[tyOf(b).k] as number
  if (ra !== rb) return ra - rb
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b)
  if (isDate(a) && isDate(b)) return a.start - b.start
  const ta = toText(a, env)
  const tb = toText(b, env)
  return ta < tb ? -1 : ta > tb ? 1 : 0
}

// ---------------------------------------------------------------------------------------------
// Page property values (wire shape) → formula values

const TEXT_TYPES = new Set(['title', 'rich_text', 'text', 'url', 'email', 'phone_number', 'select', 'status'])

/**
 * The static type `prop()` has for a property of Notion type `type` (Notion help "Formula syntax",
 * property types table: select/status are text, multi-select a list of text, people a list of people,
 * relation a list of pages, created_by/last_edited_by a person, unique_id text such as "TASK-12"). Returns null for types a formula
 * cannot read (button, place, verification, location, unknown).
 */
export function propTy(type: string, resultType: FormulaResultType | undefined): Ty | null {
  if (TEXT_TYPES.has(type)) return T.string
  switch (type) {
    case 'number':
      return T.number
    case 'unique_id':
      return T.string
    case 'checkbox':
      return T.boolean
    case 'date':
    case 'created_time':
    case 'last_edited_time':
      return T.date
    case 'multi_select':
    case 'files':
      return T.list(T.string)
    case 'people':
      return T.list(T.person)
    case 'created_by':
    case 'last_edited_by':
      return T.person
    case 'relation':
      return T.list(T.page)
    case 'formula':
    case 'rollup':
      return resultType === undefined ? T.any : ({ k: resultType } as Ty)
    default:
      return null
  }
}

function obj(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null
}

function richText(v: unknown): string {
  if (typeof v === 'string') return v
  if (!Array.isArray(v)) return ''
  return v
    .map((item) => {
      const o = obj(item)
      if (!o) return ''
      if (typeof o.plain_text === 'string') return o.plain_text
      const text = obj(o.text)
      return text && typeof text.content === 'string' ? text.content : ''
    })
    .join('')
}

function dateValue(v: unknown, tz: string): FDate | null {
  if (typeof v === 'string') {
    const p = parseIso(v, 'UTC')
    return p && { kind: 'date', start: p.ms, end: null, hasTime: p.hasTime }
  }
  const o = obj(v)
  if (!o || typeof o.start !== 'string') return null
  const zone = typeof o.time_zone === 'string' && o.time_zone !== '' ? o.time_zone : 'UTC'
  void tz
  const s = parseIso(o.start, zone)
  if (!s) return null
  const e = typeof o.end === 'string' ? parseIso(o.end, zone) : null
  return { kind: 'date', start: s.ms, end: e ? e.ms : null, hasTime: s.hasTime || (e?.hasTime ?? false) }
}

function person(v: unknown, env: Env): FPerson | null {
  const o = obj(v)
  if (!o || typeof o.id !== 'string') return null
  const p = obj(o.person)
  let name = typeof o.name === 'string' ? o.name : null
  let email = p && typeof p.email === 'string' ? p.email : null
  if ((name === null || (email === null && o.type !== 'bot')) && env.person) {
    const known = env.person(o.id)
    name ??= known?.name ?? null
    email ??= known?.email ?? null
  }
  return { kind: 'person', id: o.id, name: name ?? '', email: email ?? '' }
}

function fileName(v: unknown): string {
  const o = obj(v)
  if (!o) return typeof v === 'string' ? v : ''
  if (typeof o.name === 'string' && o.name !== '') return o.name
  const inner = obj(o.external) ?? obj(o.file)
  return inner && typeof inner.url === 'string' ? inner.url : ''
}

const COMPUTED_INNER = new Set(['string', 'number', 'boolean', 'date', 'array'])

/** `{type: t, [t]: inner}` → inner when `t` is one of `types`; anything else is the inner value itself. */
function unwrap(raw: unknown, types: (t: string) => boolean): { type: string | undefined; value: unknown } {
  const o = obj(raw)
  if (o && typeof o.type === 'string' && types(o.type) && Object.hasOwn(o, o.type)) return { type: o.type, value: o[o.type] }
  return { type: undefined, value: raw }
}

/**
 * Converts a page's property value of Notion type `type` to a formula value. Accepts the wire shape
 * (`{type:'number', number:3}`, `{type:'formula', formula:{type:'string', string}}`, `{type:'rollup',
 * rollup:{type:'array', array:[…]}}`) or the bare inner value (`3`, a rich-text array, a user object).
 * Unknown or malformed input reads as empty; never throws.
 */
export function fromWire(type: string, raw: unknown, env: Env): Value {
  let w = unwrap(raw, (t) => t === type)
  let t = type
  if (type === 'formula' || type === 'rollup') {
    // The computed value itself: {type:'number', number} etc.
    w = unwrap(w.value, (x) => COMPUTED_INNER.has(x))
    t = w.type ?? type
  }
  const value = w.value
  if (value === undefined || value === null) {
    if (TEXT_TYPES.has(t) || t === 'unique_id') return ''
    if (t === 'checkbox') return false
    if (t === 'multi_select' || t === 'files' || t === 'people' || t === 'relation' || t === 'array') return []
    if (t === 'string') return type === 'formula' || type === 'rollup' ? '' : null
    return null
  }
  if (TEXT_TYPES.has(t) && t !== 'select' && t !== 'status' && t !== 'title' && t !== 'rich_text' && t !== 'text')
    return typeof value === 'string' ? value : ''
  switch (t) {
    case 'title':
    case 'rich_text':
    case 'text':
      return richText(value)
    case 'select':
    case 'status': {
      const o = obj(value)
      return typeof value === 'string' ? value : o && typeof o.name === 'string' ? o.name : ''
    }
    case 'number':
      return typeof value === 'number' ? value : null
    case 'unique_id': {
      // Text, as Notion shows it: "<prefix>-<number>", or the number alone without a prefix.
      const o = obj(value)
      const n = typeof value === 'number' ? value : o && typeof o.number === 'number' ? o.number : null
      if (n === null) return ''
      const prefix = o && typeof o.prefix === 'string' && o.prefix !== '' ? o.prefix : null
      return prefix === null ? String(n) : `${prefix}-${n}`
    }
    case 'checkbox':
    case 'boolean':
      return value === true
    case 'string':
      return typeof value === 'string' ? value : ''
    case 'date':
    case 'created_time':
    case 'last_edited_time':
      return dateValue(value, env.tz)
    case 'multi_select':
      return Array.isArray(value) ? value.map((o) => (typeof o === 'string' ? o : ((obj(o)?.name as string | undefined) ?? ''))) : []
    case 'files':
      return Array.isArray(value) ? value.map(fileName) : []
    case 'people':
      return Array.isArray(value) ? value.map((x) => person(x, env)).filter((p): p is FPerson => p !== null) : []
    case 'created_by':
    case 'last_edited_by':
      return person(value, env)
    case 'relation':
      return Array.isArray(value)
        ? value.flatMap((o): FPage[] => {
            const id = obj(o)?.id
            return typeof id === 'string' ? [{ kind: 'page', id }] : []
          })
        : []
    case 'array':
    case 'formula':
    case 'rollup':
      // A rollup's `array`: each item is itself a property value with its own `type`. A bare computed
      // value (a number, text, boolean) is taken as it is.
      if (Array.isArray(value)) {
        return value.map((item) => {
          const o = obj(item)
          return o && typeof o.type === 'string' ? fromWire(o.type, item, env) : null
        })
      }
      if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value
      return t === 'array' ? [] : null
    default:
      return null
  }
}
