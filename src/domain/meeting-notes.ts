import * as z from 'zod'
import { NotionId } from './ids.js'

/**
 * Meeting notes (docs/reference/notion-api-2026.md §5.2–5.4; SDK 5.26 `api-endpoints/meeting-notes.d.ts`,
 * `meeting-notes.d.ts`, `blocks.d.ts` `TranscriptionBlockResponse`): the request grammar of
 * `POST /v1/blocks/meeting_notes` and `POST /v1/blocks/meeting_notes/query`, and the query's filter
 * and sort, evaluated over plain records. Pure.
 */

/** Languages a meeting note may be transcribed in (SDK `CreateMeetingNoteBodyParameters.language`). */
export const MEETING_LANGUAGES = [
  'auto',
  'en',
  'zh-CN',
  'zh-TW',
  'es',
  'fr',
  'de',
  'ja',
  'ko',
  'pt',
  'ru',
  'th',
  'vi',
  'id',
  'da',
  'fi',
  'no',
  'nl',
  'it',
  'sv',
  'ar',
  'he',
  'pl',
] as const

/** `POST /v1/blocks/meeting_notes`: a file-upload source with a page parent, or a block source without one. */
export const CreateMeetingNoteBody = z.union([
  z
    .object({
      source: z.object({ type: z.literal('file_upload'), file_upload_id: NotionId }).strict(),
      parent: z.object({ type: z.literal('page_id'), page_id: NotionId }).strict(),
      title: z.string().max(2000).optional(),
      language: z.enum(MEETING_LANGUAGES).optional(),
      options: z.object({ kickoff_summary: z.boolean().optional() }).strict().optional(),
    })
    .strict(),
  z
    .object({
      source: z.object({ type: z.literal('block'), block_id: NotionId }).strict(),
      title: z.string().max(2000).optional(),
      language: z.enum(MEETING_LANGUAGES).optional(),
      options: z.object({ kickoff_summary: z.boolean().optional() }).strict().optional(),
    })
    .strict(),
])
export type CreateMeetingNoteBody = z.output<typeof CreateMeetingNoteBody>

const TEXT_OPS = [
  'string_is',
  'string_is_not',
  'string_contains',
  'string_does_not_contain',
  'string_starts_with',
  'string_ends_with',
] as const
const DATE_POINT_OPS = ['date_is', 'date_is_before', 'date_is_after', 'date_is_on_or_before', 'date_is_on_or_after'] as const
const DATE_RANGE_OPS = ['date_is_within', 'date_is_relative_to'] as const
const PERSON_OPS = ['person_contains', 'person_does_not_contain'] as const
const EMPTY_OPS = ['is_empty', 'is_not_empty'] as const

const Empty = z.object({ operator: z.enum(EMPTY_OPS) }).strict()
const TextFilter = z.union([
  z.object({ operator: z.enum(TEXT_OPS), value: z.object({ type: z.literal('exact'), value: z.string() }).strict() }).strict(),
  Empty,
])
const DateValue = z.union([
  z.string(),
  z
    .object({
      type: z.enum(['date', 'datetime']),
      start_date: z.string(),
      start_time: z.string().optional(),
      time_zone: z.string().optional(),
    })
    .strict(),
])
const RangeValue = z.union([
  z.string(),
  z.object({ type: z.literal('daterange'), start_date: z.string(), end_date: z.string().optional() }).strict(),
])
const DateFilter = z.union([
  z
    .object({ operator: z.enum(DATE_POINT_OPS), value: z.object({ type: z.enum(['relative', 'exact']), value: DateValue }).strict() })
    .strict(),
  z
    .object({
      operator: z.enum(DATE_RANGE_OPS),
      value: z
        .object({
          type: z.enum(['relative', 'exact']),
          value: RangeValue,
          direction: z.enum(['past', 'future']).optional(),
          unit: z.enum(['day', 'week', 'month', 'year']).optional(),
          count: z.number().int().min(0).max(10_000).optional(),
        })
        .strict(),
    })
    .strict(),
  Empty,
])
const PersonValue = z
  .object({ type: z.literal('exact'), value: z.object({ table: z.literal('notion_user'), id: z.string() }).strict() })
  .strict()
const PersonFilter = z.union([
  z.object({ operator: z.enum(PERSON_OPS), value: z.union([PersonValue, z.array(PersonValue).max(100)]) }).strict(),
  Empty,
])

const PropertyFilter = z.union([
  z.object({ property: z.literal('title'), filter: TextFilter }).strict(),
  z.object({ property: z.enum(['created_time', 'last_edited_time']), filter: DateFilter }).strict(),
  z.object({ property: z.enum(['created_by', 'last_edited_by', 'attendees']), filter: PersonFilter }).strict(),
])
export type MeetingNotesPropertyFilter = z.output<typeof PropertyFilter>
const Inner = z.object({ operator: z.enum(['and', 'or']), filters: z.array(PropertyFilter).max(100) }).strict()
const Combinator = z
  .object({
    operator: z.enum(['and', 'or']),
    filters: z
      .array(z.union([PropertyFilter, Inner]))
      .max(100)
      .optional(),
  })
  .strict()

/** `POST /v1/blocks/meeting_notes/query`: all optional; `limit` 1–50 (default 50). */
export const QueryMeetingNotesBody = z
  .object({
    filter: z.union([Combinator, PropertyFilter]).optional(),
    sort: z
      .array(
        z
          .object({
            property: z.enum(['title', 'attendees', 'created_time', 'created_by', 'last_edited_time', 'last_edited_by']),
            direction: z.enum(['ascending', 'descending']),
          })
          .strict(),
      )
      .max(10)
      .optional(),
    limit: z.number().int().min(1).max(50).optional(),
  })
  .strict()
export type QueryMeetingNotesBody = z.output<typeof QueryMeetingNotesBody>

/** What a meeting note is filtered and sorted by. Times are ISO-8601 UTC; people are user ids. */
export interface MeetingNoteFacts {
  title: string
  created_time: string
  last_edited_time: string
  created_by: string
  last_edited_by: string
  attendees: string[]
}

const DAY = 86_400_000

/** UTC day start (ms) of an ISO date or date-time. */
function dayOf(iso: string): number {
  return Date.parse(`${iso.slice(0, 10)}T00:00:00Z`)
}

/** A relative date word as a UTC day start, or NaN (`today`, `tomorrow`, `yesterday`, `one_week_ago`, …). */
function relativeDay(word: string, now: number): number {
  const today = dayOf(new Date(now).toISOString())
  const offsets: Record<string, number> = {
    today: 0,
    tomorrow: 1,
    yesterday: -1,
    one_week_ago: -7,
    one_week_from_now: 7,
    one_month_ago: -30,
    one_month_from_now: 30,
    one_year_ago: -365,
    one_year_from_now: 365,
  }
  const o = Object.hasOwn(offsets, word) ? offsets[word] : undefined
  return o === undefined ? Number.NaN : today + o * DAY
}

/** The day a date-point filter value names, or NaN. */
function pointDay(v: string | { start_date: string }, now: number): number {
  if (typeof v === 'string') return /^\d{4}-\d{2}-\d{2}/.test(v) ? dayOf(v) : relativeDay(v, now)
  return dayOf(v.start_date)
}

const UNIT_DAYS = { day: 1, week: 7, month: 30, year: 365 } as const

/** The [from, to] day range of a range filter value (days inclusive), or undefined when unreadable. */
function rangeDays(
  v: {
    value: string | { start_date: string; end_date?: string | undefined }
    direction?: 'past' | 'future' | undefined
    unit?: keyof typeof UNIT_DAYS | undefined
    count?: number | undefined
  },
  now: number,
): [number, number] | undefined {
  const today = dayOf(new Date(now).toISOString())
  if (typeof v.value === 'object') {
    const from = dayOf(v.value.start_date)
    const to = v.value.end_date ? dayOf(v.value.end_date) : from
    return Number.isNaN(from) || Number.isNaN(to) ? undefined : [from, to]
  }
  const named: Record<string, [number, number]> = {
    the_past_week: [today - 7 * DAY, today],
    the_past_month: [today - 30 * DAY, today],
    the_past_year: [today - 365 * DAY, today],
    the_next_week: [today, today + 7 * DAY],
    the_next_month: [today, today + 30 * DAY],
    the_next_year: [today, today + 365 * DAY],
  }
  if (Object.hasOwn(named, v.value)) return named[v.value]
  if (v.value === 'custom' || v.direction !== undefined) {
    const span = (v.count ?? 1) * UNIT_DAYS[v.unit ?? 'day'] * DAY
    return (v.direction ?? 'past') === 'past' ? [today - span, today] : [today, today + span]
  }
  const day = relativeDay(v.value, now)
  return Number.isNaN(day) ? undefined : [day, day]
}

function matchesProperty(f: MeetingNotesPropertyFilter, n: MeetingNoteFacts, now: number): boolean {
  const op = f.filter.operator
  if (f.property === 'title') {
    const t = n.title
    if (op === 'is_empty') return t === ''
    if (op === 'is_not_empty') return t !== ''
    const v = (f.filter as { value: { value: string } }).value.value
    switch (op) {
      case 'string_is':
        return t === v
      case 'string_is_not':
        return t !== v
      case 'string_contains':
        return t.toLowerCase().includes(v.toLowerCase())
      case 'string_does_not_contain':
        return !t.toLowerCase().includes(v.toLowerCase())
      case 'string_starts_with':
        return t.toLowerCase().startsWith(v.toLowerCase())
      case 'string_ends_with':
        return t.toLowerCase().endsWith(v.toLowerCase())
    }
    return false
  }
  if (f.property === 'created_time' || f.property === 'last_edited_time') {
    const when = n[f.property]
    if (op === 'is_empty') return when === ''
    if (op === 'is_not_empty') return when !== ''
    const day = dayOf(when)
    if (op === 'date_is_within' || op === 'date_is_relative_to') {
      const r = rangeDays((f.filter as { value: Parameters<typeof rangeDays>[0] }).value, now)
      return r !== undefined && day >= r[0] && day <= r[1]
    }
    const target = pointDay((f.filter as { value: { value: string | { start_date: string } } }).value.value, now)
    if (Number.isNaN(target)) return false
    switch (op) {
      case 'date_is':
        return day === target
      case 'date_is_before':
        return day < target
      case 'date_is_after':
        return day > target
      case 'date_is_on_or_before':
        return day <= target
      case 'date_is_on_or_after':
        return day >= target
    }
    return false
  }
  const people = f.property === 'attendees' ? n.attendees : [n[f.property]]
  if (op === 'is_empty') return people.length === 0
  if (op === 'is_not_empty') return people.length > 0
  const raw = (f.filter as { value: { value: { id: string } } | Array<{ value: { id: string } }> }).value
  const ids = (Array.isArray(raw) ? raw : [raw]).map((p) => p.value.id.replace(/-/g, '').toLowerCase())
  const has = people.some((p) => ids.includes(p.replace(/-/g, '').toLowerCase()))
  return op === 'person_contains' ? has : !has
}

type FilterNode = NonNullable<QueryMeetingNotesBody['filter']> | z.output<typeof Inner>

/** Whether note `n` passes `filter` (absent → every note), relative dates against `now` (ms). */
export function matchesMeetingNotesFilter(filter: FilterNode | undefined, n: MeetingNoteFacts, now: number): boolean {
  if (!filter) return true
  if ('property' in filter) return matchesProperty(filter, n, now)
  const items = filter.filters ?? []
  if (items.length === 0) return true
  return filter.operator === 'and'
    ? items.every((x) => matchesMeetingNotesFilter(x, n, now))
    : items.some((x) => matchesMeetingNotesFilter(x, n, now))
}

/** Compares two notes by `sort` (earlier entries win), then newest created first, then by `id`. */
export function compareMeetingNotes(
  sort: QueryMeetingNotesBody['sort'],
  a: MeetingNoteFacts & { id: string },
  b: MeetingNoteFacts & { id: string },
): number {
  for (const s of sort ?? []) {
    const key = (n: MeetingNoteFacts) => (s.property === 'attendees' ? n.attendees.join(',') : n[s.property])
    const ka = key(a)
    const kb = key(b)
    if (ka !== kb) return (ka < kb ? -1 : 1) * (s.direction === 'ascending' ? 1 : -1)
  }
  if (a.created_time !== b.created_time) return a.created_time < b.created_time ? 1 : -1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}
