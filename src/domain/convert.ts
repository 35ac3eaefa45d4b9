import type { PropertyConfig } from './properties.js'
import { newOptionId } from './property-values.js'
import { plainText, textRun, type RichTextItem } from './rich-text.js'

/**
 * Value conversion when a property changes type (`PATCH /v1/data_sources/{id}` with a new type for an
 * existing property), following what Notion's editor does when a column's type is changed:
 *
 * - anything → title / rich_text: the value's text (numbers as written, select names, multi-select
 *   names joined by ", ", dates as `start` or `start → end`, checkbox "Yes"/"No", url/email/phone as is).
 * - text → number: the text parsed as a number (commas and spaces ignored), else empty.
 * - text / select / status / multi_select → select or status: the option with that name (the first
 *   of a multi-select), created when missing (a new status option joins the first group, To-do).
 * - text / select / status → multi_select: each comma-separated name, creating missing options.
 * - text → url / email / phone_number: the text; text → date: an ISO date or date-time in the text;
 *   text → checkbox: "yes", "true", "checked", "1", "x" (any case) are checked.
 * - number → checkbox: non-zero is checked; checkbox → number: 1 / 0.
 * - people ↔ people-like and relation ↔ relation keep their lists; every other pair empties the value.
 * Computed types (formula, rollup, created_*, last_edited_*, unique_id, button) have no stored value
 * to convert: the new type starts empty (unique_id numbers existing rows separately).
 */

type Option = { id: string; name: string; color: string; description?: string | null }

/** The text a stored value of `type` shows. */
export function textOf(type: string, v: unknown): string {
  if (v === null || v === undefined) return ''
  switch (type) {
    case 'title':
    case 'rich_text':
      return plainText(v as RichTextItem[])
    case 'number':
      return String(v)
    case 'select':
    case 'status':
      return (v as Option).name
    case 'multi_select':
      return (v as Option[]).map((o) => o.name).join(', ')
    case 'date': {
      const d = v as { start: string; end: string | null }
      return d.end ? `${d.start} → ${d.end}` : d.start
    }
    case 'checkbox':
      return v ? 'Yes' : 'No'
    case 'url':
    case 'email':
    case 'phone_number':
      return String(v)
    case 'place':
      return (v as { name?: string | null; address?: string | null }).name ?? (v as { address?: string | null }).address ?? ''
    default:
      return ''
  }
}

function option(to: PropertyConfig, name: string, create: boolean): Option | null {
  const trimmed = name.trim()
  if (trimmed === '') return null
  const options = ((to.config.options as Option[] | undefined) ??= [])
  const found = options.find((o) => o.name === trimmed)
  if (found) return found
  if (!create) return null
  const made = { id: newOptionId(), name: trimmed.replace(/,/g, ' ').slice(0, 100), color: 'default', description: null }
  options.push(made)
  // A new status option joins the first group (To-do), as Notion files converted options.
  const groups = to.config.groups as { option_ids: string[] }[] | undefined
  if (to.type === 'status' && groups?.[0]) groups[0].option_ids.push(made.id)
  return made
}

const partial = (o: Option | null) => (o ? { id: o.id, name: o.name, color: o.color } : null)

const ISO = /\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?/

/**
 * Converts one stored value from `from`'s type to `to`'s type; `undefined` means "no value" (the key
 * is dropped). May add options to `to.config.options` (select, multi_select).
 */
export function convertValue(from: PropertyConfig, to: PropertyConfig, v: unknown): unknown {
  if (v === undefined || v === null) return undefined
  const f = from.type
  const t = to.type
  const text = textOf(f, v)
  switch (t) {
    case 'title':
    case 'rich_text':
      if (f === 'title' || f === 'rich_text') return v
      return text === '' ? undefined : [textRun(text.slice(0, 2000))]
    case 'number': {
      if (f === 'checkbox') return v ? 1 : 0
      const n = Number(text.replace(/[,\s]/g, ''))
      return text.trim() !== '' && Number.isFinite(n) ? n : undefined
    }
    case 'select':
    case 'status': {
      const names = f === 'multi_select' ? (v as Option[]).map((o) => o.name) : [text]
      return partial(option(to, names[0] ?? '', true)) ?? undefined
    }
    case 'multi_select': {
      const names = f === 'multi_select' ? (v as Option[]).map((o) => o.name) : f === 'select' || f === 'status' ? [text] : text.split(',')
      const out = names.map((n) => partial(option(to, n, true))).filter((o): o is NonNullable<typeof o> => o !== null)
      return out.filter((o, i) => out.findIndex((x) => x.id === o.id) === i)
    }
    case 'url':
    case 'email':
    case 'phone_number':
      return text === '' ? undefined : text.slice(0, t === 'url' ? 2000 : 200)
    case 'date': {
      if (f === 'created_time' || f === 'last_edited_time') return undefined
      const m = ISO.exec(text)
      return m && !Number.isNaN(Date.parse(m[0].length === 10 ? `${m[0]}T00:00:00Z` : m[0]))
        ? { start: m[0], end: null, time_zone: null }
        : undefined
    }
    case 'checkbox':
      if (f === 'number') return v !== 0
      return /^(yes|true|checked|1|x)$/i.test(text.trim())
    case 'people':
      return f === 'people' ? v : undefined
    case 'relation':
      return undefined
    case 'files':
      return f === 'files' ? v : undefined
    default:
      return undefined
  }
}
