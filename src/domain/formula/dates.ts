/**
 * Calendar arithmetic for formula dates, in an IANA time zone without a date library.
 *
 * A formula date is `{start, end, hasTime}` in epoch milliseconds. Date-only values (Notion dates
 * without a time) are stored at UTC midnight of their calendar day and always read in UTC; values
 * with a time are read in the evaluation time zone (`FormulaContext.timeZone`, default UTC).
 * Unit semantics follow moment.js, which Notion's formula units and `formatDate` tokens mirror
 * (Notion help "Formula syntax": dateAdd/dateSubtract/dateBetween units; formatDate patterns).
 */

/** A formula date: epoch ms, optional range end, and whether it has a time (see the module comment). */
export interface FDate {
  kind: 'date'
  start: number
  end: number | null
  hasTime: boolean
}

/** Calendar fields of an instant in a zone. */
export interface Fields {
  y: number
  mo: number // 1-12
  d: number
  h: number
  mi: number
  s: number
  ms: number
  dow: number // 0 = Sunday
}

const formatters = new Map<string, Intl.DateTimeFormat | null>()

function formatter(tz: string): Intl.DateTimeFormat | null {
  let f = formatters.get(tz)
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      })
    } catch {
      f = null // unknown zone: read as UTC
    }
    formatters.set(tz, f)
  }
  return f
}

/** The zone's offset from UTC at instant `ms`, in milliseconds (positive east of Greenwich). */
export function offsetAt(ms: number, tz: string): number {
  if (tz === 'UTC') return 0
  // Real zone transitions fall on quarter hours, so the offset is constant within one.
  const key = `${tz}|${Math.floor(ms / 900_000)}`
  let off = offsets.get(key)
  if (off === undefined) {
    off = computeOffset(ms, tz)
    if (offsets.size >= 50_000) offsets.clear()
    offsets.set(key, off)
  }
  return off
}

const offsets = new Map<string, number>()

function computeOffset(ms: number, tz: string): number {
  const f = formatter(tz)
  if (f === null) return 0
  const parts: Record<string, string> = {}
  for (const p of f.formatToParts(new Date(ms))) parts[p.type] = p.value
  let year = Number(parts.year)
  if (parts.era === 'BC' || parts.era === 'B') year = 1 - year
  const local = Date.UTC(year, Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second))
  const floored = ms - (((ms % 1000) + 1000) % 1000)
  return local - floored
}

/** Calendar fields of instant `ms` in zone `tz`. */
export function fieldsOf(ms: number, tz: string): Fields {
  const d = new Date(ms + offsetAt(ms, tz))
  return {
    y: d.getUTCFullYear(),
    mo: d.getUTCMonth() + 1,
    d: d.getUTCDate(),
    h: d.getUTCHours(),
    mi: d.getUTCMinutes(),
    s: d.getUTCSeconds(),
    ms: d.getUTCMilliseconds(),
    dow: d.getUTCDay(),
  }
}

/** The instant whose calendar fields in `tz` are `f` (the earlier one in a DST overlap; gaps move forward). */
export function instantOf(f: Omit<Fields, 'dow'>, tz: string): number {
  const asUtc = utc(f.y, f.mo, f.d, f.h, f.mi, f.s, f.ms)
  if (tz === 'UTC') return asUtc
  const o1 = offsetAt(asUtc, tz)
  const guess = asUtc - o1
  const o2 = offsetAt(guess, tz)
  return o1 === o2 ? guess : asUtc - o2
}

function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const t = new Date(0)
  t.setUTCFullYear(y, mo - 1, d)
  t.setUTCHours(h, mi, s, ms)
  return t.getTime()
}

function daysInMonth(y: number, mo: number): number {
  return new Date(utc(y, mo + 1, 0)).getUTCDate()
}

/** The zone a date's calendar fields are read in. */
export function zoneOf(d: { hasTime: boolean }, tz: string): string {
  return d.hasTime ? tz : 'UTC'
}

export const UNIT_NAMES = ['years', 'quarters', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds', 'milliseconds'] as const
export type Unit = (typeof UNIT_NAMES)[number]

/** Accepts Notion's plural unit names and their singular forms. */
export function parseUnit(s: string): Unit | null {
  const plural = s.endsWith('s') ? s : `${s}s`
  return (UNIT_NAMES as readonly string[]).includes(plural) ? (plural as Unit) : null
}

const FIXED: Partial<Record<Unit, number>> = { hours: 3_600_000, minutes: 60_000, seconds: 1000, milliseconds: 1 }

/** Adds `amount` units to instant `ms` read in zone `tz` (calendar units keep the wall-clock time; month ends clamp). */
export function addUnits(ms: number, amount: number, unit: Unit, tz: string): number {
  const fixed = FIXED[unit]
  if (fixed !== undefined) return ms + amount * fixed
  const n = Math.round(amount)
  const f = fieldsOf(ms, tz)
  if (unit === 'days' || unit === 'weeks') {
    const shifted = new Date(utc(f.y, f.mo, f.d + n * (unit === 'weeks' ? 7 : 1)))
    return instantOf({ ...f, y: shifted.getUTCFullYear(), mo: shifted.getUTCMonth() + 1, d: shifted.getUTCDate() }, tz)
  }
  const months = n * (unit === 'years' ? 12 : unit === 'quarters' ? 3 : 1)
  const total = f.y * 12 + (f.mo - 1) + months
  const y = Math.floor(total / 12)
  const mo = total - y * 12 + 1
  return instantOf({ ...f, y, mo, d: Math.min(f.d, daysInMonth(y, mo)) }, tz)
}

/** moment.js `monthDiff(a, b)` on wall-clock times (`localA`/`localB` are instants shifted by their offsets). */
function monthDiff(a: number, b: number): number {
  const fa = fieldsOf(a, 'UTC')
  const fb = fieldsOf(b, 'UTC')
  if (fa.d < fb.d) return -monthDiff(b, a)
  const whole = (fb.y - fa.y) * 12 + (fb.mo - fa.mo)
  const anchor = addUnits(a, whole, 'months', 'UTC')
  let adjust: number
  if (b - anchor < 0) {
    const anchor2 = addUnits(a, whole - 1, 'months', 'UTC')
    adjust = (b - anchor) / (anchor - anchor2)
  } else {
    const anchor2 = addUnits(a, whole + 1, 'months', 'UTC')
    adjust = (b - anchor) / (anchor2 - anchor)
  }
  return -(whole + adjust) || 0
}

/** `a - b` in whole `unit`s, truncated toward zero (moment.js `diff`). Arguments are instants with their zones. */
export function between(a: number, tzA: string, b: number, tzB: string, unit: Unit): number {
  const la = a + offsetAt(a, tzA)
  const lb = b + offsetAt(b, tzB)
  let v: number
  switch (unit) {
    case 'years':
      v = monthDiff(la, lb) / 12
      break
    case 'quarters':
      v = monthDiff(la, lb) / 3
      break
    case 'months':
      v = monthDiff(la, lb)
      break
    case 'weeks':
      v = (la - lb) / 604_800_000
      break
    case 'days':
      v = (la - lb) / 86_400_000
      break
    default:
      v = (a - b) / (FIXED[unit] as number)
  }
  return Math.trunc(v) || 0
}

/** ISO-8601 week number and week-year of a calendar day. */
export function isoWeek(y: number, mo: number, d: number): { week: number; year: number } {
  const t = new Date(utc(y, mo, d))
  const dow = t.getUTCDay() || 7
  t.setUTCDate(t.getUTCDate() + 4 - dow) // the Thursday of this week
  const wy = t.getUTCFullYear()
  const week = Math.ceil(((t.getTime() - utc(wy, 1, 1)) / 86_400_000 + 1) / 7)
  return { week, year: wy }
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

const pad = (n: number, w = 2): string => (n < 0 ? '-' : '') + String(Math.abs(n)).padStart(w, '0')
function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')
  return `${n}${s}`
}
function offsetText(off: number, colon: boolean): string {
  const m = Math.round(Math.abs(off) / 60_000)
  return `${off < 0 ? '-' : '+'}${pad(Math.floor(m / 60))}${colon ? ':' : ''}${pad(m % 60)}`
}

const abbreviations = new Map<string, Intl.DateTimeFormat>()
function zoneAbbreviation(ms: number, tz: string): string {
  if (tz === 'UTC') return 'UTC'
  let f = abbreviations.get(tz)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'short' })
    abbreviations.set(tz, f)
  }
  return f.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? tz
}

const zones = new Map<string, string | null>()
/**
 * An IANA zone name (`America/Chicago`), an abbreviation Intl knows (`EST`), `UTC`/`GMT`, or a fixed
 * whole-hour offset (`GMT+1`, `UTC-5`) → a zone Intl accepts, or null when unknown.
 */
export function resolveZone(name: string): string | null {
  let z = zones.get(name)
  if (z !== undefined) return z
  const trimmed = name.trim()
  const fixed = /^(?:UTC|GMT)\s*([+-])\s*(\d{1,2})$/i.exec(trimmed)
  if (/^(?:UTC|GMT|Z)$/i.test(trimmed)) z = 'UTC'
  else if (fixed && Number(fixed[2]) <= 14) z = Number(fixed[2]) === 0 ? 'UTC' : `Etc/GMT${fixed[1] === '+' ? '-' : '+'}${Number(fixed[2])}`
  else {
    try {
      z = new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone
    } catch {
      z = null
    }
  }
  if (zones.size < 1000) zones.set(name, z)
  return z
}

const TOKEN =
  /\[([^\]]*)\]|YYYY|YY|Y|Q|MMMM|MMM|MM|Mo|M|DDDD|DDD|Do|DD|D|dddd|ddd|dd|do|d|E|HH|H|hh|h|kk|k|mm|m|ss|s|SSS|SS|S|A|a|ZZ|Z|zz|z|X|x|WW|Wo|W|LLLL|LLL|LL|LTS|LT|L/g

/** Formats instant `ms` read in zone `tz` with moment.js-style tokens (`[text]` is literal). */
export function formatWith(ms: number, tz: string, pattern: string): string {
  const f = fieldsOf(ms, tz)
  const off = offsetAt(ms, tz)
  const h12 = f.h % 12 === 0 ? 12 : f.h % 12
  const dayOfYear = Math.round((utc(f.y, f.mo, f.d) - utc(f.y, 1, 1)) / 86_400_000) + 1
  const week = (): number => isoWeek(f.y, f.mo, f.d).week
  return pattern.replace(TOKEN, (tok, literal: string | undefined) => {
    if (literal !== undefined) return literal
    switch (tok) {
      case 'YYYY':
        return pad(f.y, 4)
      case 'YY':
        return pad(((f.y % 100) + 100) % 100)
      case 'Y':
        return String(f.y)
      case 'Q':
        return String(Math.ceil(f.mo / 3))
      case 'MMMM':
        return MONTHS[f.mo - 1] as string
      case 'MMM':
        return (MONTHS[f.mo - 1] as string).slice(0, 3)
      case 'MM':
        return pad(f.mo)
      case 'Mo':
        return ordinal(f.mo)
      case 'M':
        return String(f.mo)
      case 'DDDD':
        return pad(dayOfYear, 3)
      case 'DDD':
        return String(dayOfYear)
      case 'Do':
        return ordinal(f.d)
      case 'DD':
        return pad(f.d)
      case 'D':
        return String(f.d)
      case 'dddd':
        return DAYS[f.dow] as string
      case 'ddd':
        return (DAYS[f.dow] as string).slice(0, 3)
      case 'dd':
        return (DAYS[f.dow] as string).slice(0, 2)
      case 'do':
        return ordinal(f.dow)
      case 'd':
        return String(f.dow)
      case 'E':
        return String(f.dow || 7)
      case 'HH':
        return pad(f.h)
      case 'H':
        return String(f.h)
      case 'hh':
        return pad(h12)
      case 'h':
        return String(h12)
      case 'kk':
        return pad(f.h || 24)
      case 'k':
        return String(f.h || 24)
      case 'mm':
        return pad(f.mi)
      case 'm':
        return String(f.mi)
      case 'ss':
        return pad(f.s)
      case 's':
        return String(f.s)
      case 'SSS':
        return pad(f.ms, 3)
      case 'SS':
        return pad(Math.floor(f.ms / 10))
      case 'S':
        return String(Math.floor(f.ms / 100))
      case 'A':
        return f.h < 12 ? 'AM' : 'PM'
      case 'a':
        return f.h < 12 ? 'am' : 'pm'
      case 'ZZ':
        return offsetText(off, false)
      case 'Z':
        return offsetText(off, true)
      case 'zz':
      case 'z':
        return zoneAbbreviation(ms, tz)
      case 'X':
        return String(Math.floor(ms / 1000))
      case 'x':
        return String(ms)
      case 'WW':
        return pad(week())
      case 'Wo':
        return ordinal(week())
      case 'W':
        return String(week())
      case 'L':
        return `${pad(f.mo)}/${pad(f.d)}/${pad(f.y, 4)}`
      case 'LL':
        return `${MONTHS[f.mo - 1]} ${f.d}, ${f.y}`
      case 'LLL':
        return `${MONTHS[f.mo - 1]} ${f.d}, ${f.y} ${h12}:${pad(f.mi)} ${f.h < 12 ? 'AM' : 'PM'}`
      case 'LLLL':
        return `${DAYS[f.dow]}, ${MONTHS[f.mo - 1]} ${f.d}, ${f.y} ${h12}:${pad(f.mi)} ${f.h < 12 ? 'AM' : 'PM'}`
      case 'LT':
        return `${h12}:${pad(f.mi)} ${f.h < 12 ? 'AM' : 'PM'}`
      case 'LTS':
        return `${h12}:${pad(f.mi)}:${pad(f.s)} ${f.h < 12 ? 'AM' : 'PM'}`
      default:
        return tok
    }
  })
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/

/**
 * Parses an ISO-8601 date (`2024-05-01`, date-only) or date-time (`2024-05-01T10:00`, with an optional
 * `Z`/`±hh:mm` offset; without one the time is read in `tz`). Returns null when invalid.
 */
export function parseIso(s: string, tz: string): { ms: number; hasTime: boolean } | null {
  const t = s.trim()
  let m = DATE_ONLY.exec(t)
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null
    return { ms: utc(y, mo, d), hasTime: false }
  }
  m = DATE_TIME.exec(t)
  if (!m) return null
  const [y, mo, d, h, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])]
  const s2 = Number(m[6] ?? 0)
  const frac = Number(((m[7] ?? '') + '000').slice(0, 3))
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s2 > 59) return null
  const zone = m[8]
  if (zone === undefined) return { ms: instantOf({ y, mo, d, h, mi, s: s2, ms: frac }, tz), hasTime: true }
  let off = 0
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    off = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000
  }
  return { ms: utc(y, mo, d, h, mi, s2, frac) - off, hasTime: true }
}

/** `YYYY-MM-DD` of a date-only value (stored at UTC midnight). */
export function isoDay(ms: number): string {
  const f = fieldsOf(ms, 'UTC')
  return `${pad(f.y, 4)}-${pad(f.mo)}-${pad(f.d)}`
}

/** Midnight UTC of the calendar day that instant `ms` falls on in `tz` (a date-only value). */
export function dayOf(ms: number, tz: string): number {
  const f = fieldsOf(ms, tz)
  return utc(f.y, f.mo, f.d)
}
