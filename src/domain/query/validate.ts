import { validationError } from '../../errors/notion-error.js'
import type { Path } from './types.js'

/**
 * The filter and sort grammar's building blocks (docs/reference/notion-api.md §2.13): the condition
 * keys each filter type accepts, which filter types fit which property type, and Notion's
 * `validation_error` texts ("body failed validation: <path> should be …, instead was `<value>`.").
 */

/** `body.<path>` as Notion writes it in validation messages (`body.filter.and[0].number`). */
export const pathText = (at: Path) => `body${at.map((s) => (typeof s === 'number' ? `[${s}]` : `.${String(s)}`)).join('')}`
/** A value as Notion quotes it in validation messages (JSON in backticks). */
export const render = (v: unknown) => `\`${JSON.stringify(v) ?? 'undefined'}\``
/** Throws Notion's `body failed validation: <path> <what>, instead was <value>.` @throws NotionApiError validation_error */
export const bad = (at: Path, what: string, v: unknown): never => {
  throw validationError(`body failed validation: ${pathText(at)} ${what}, instead was ${render(v)}.`)
}
/** Whether `v` is a plain object (not null, not an array). */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The filter type keys of a property filter (SDK `PropertyFilter`). */
export const FILTER_TYPES = [
  'title',
  'rich_text',
  'url',
  'email',
  'phone_number',
  'number',
  'unique_id',
  'checkbox',
  'select',
  'status',
  'multi_select',
  'date',
  'created_time',
  'last_edited_time',
  'people',
  'created_by',
  'last_edited_by',
  'relation',
  'files',
  'formula',
  'rollup',
  'verification',
] as const

/** Condition keys per value family (SDK `TextPropertyFilter`, `NumberPropertyFilter`, `DatePropertyFilter`, …). */
export const TEXT = ['equals', 'does_not_equal', 'contains', 'does_not_contain', 'starts_with', 'ends_with']
export const NUMBER = ['equals', 'does_not_equal', 'greater_than', 'less_than', 'greater_than_or_equal_to', 'less_than_or_equal_to']
export const DATE_VALUE = ['equals', 'before', 'after', 'on_or_before', 'on_or_after']
export const DATE_RANGE = ['this_week', 'past_week', 'past_month', 'past_year', 'next_week', 'next_month', 'next_year']
export const EXISTENCE = ['is_empty', 'is_not_empty']
export const RELATIVE = ['today', 'tomorrow', 'yesterday', 'one_week_ago', 'one_week_from_now', 'one_month_ago', 'one_month_from_now']

/** Which filter types a property type accepts (SDK `PropertyFilter`). */
export function accepts(propType: string, filterType: string): boolean {
  if (propType === filterType) return true
  if ((propType === 'title' || propType === 'rich_text') && (filterType === 'title' || filterType === 'rich_text')) return true
  if ((propType === 'created_time' || propType === 'last_edited_time') && filterType === 'date') return true
  if ((propType === 'created_by' || propType === 'last_edited_by') && filterType === 'people') return true
  return false
}

/**
 * The single condition `{op: value}` of a condition object, checked against the allowed ops
 * (`is_empty`/`is_not_empty` must be `true`). @throws NotionApiError validation_error
 */
export function oneCondition(raw: unknown, at: Path, ops: string[]): [string, unknown] {
  if (!isObject(raw)) bad(at, 'should be an object', raw)
  const obj = raw as Record<string, unknown>
  for (const k of Object.keys(obj)) if (!ops.includes(k)) bad([...at, k], 'should be not present', obj[k])
  const keys = Object.keys(obj)
  if (keys.length !== 1) {
    throw validationError(
      `body failed validation: ${pathText(at)} should have exactly one of ${ops.map((o) => `\`${o}\``).join(', ')}, instead was ${render(raw)}.`,
    )
  }
  const op = keys[0] as string
  const v = obj[op]
  if (EXISTENCE.includes(op) && v !== true) bad([...at, op], 'should be `true`', v)
  return [op, v]
}

/** A string or an array of strings, as a list. @throws NotionApiError validation_error otherwise */
export function stringList(v: unknown, at: Path): string[] {
  if (typeof v === 'string') return [v]
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[]
  return bad(at, 'should be a string or an array of strings', v)
}
