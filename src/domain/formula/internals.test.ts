import { describe, expect, it } from 'vitest'
import { addUnits, between, formatWith, isoWeek, offsetAt, parseIso, resolveZone } from './dates.js'
import { tokenize } from './parser.js'
import { regexFor, regexMatchAll, regexProblem, regexReplace, regexTest } from './regex.js'

/** Tests of the engine's building blocks: the RE2 regex adapter, zone arithmetic, ISO parsing, the tokenizer. */

describe('formula regexes (RE2)', () => {
  it.each([
    '\\d+',
    '^[a-z]+$',
    '(ab)+',
    '(a|b)*',
    '(?:x+)?',
    'a{2,5}',
    '(\\d{3})-(\\d{4})',
    '[(+*)]+',
    '(a+)?b',
    '(?<year>\\d{4})',
    '\\u00e9',
    '[\\u{1F600}-\\u{1F64F}]',
  ])('accepts %s', (p) => {
    expect(regexProblem(p)).toBeNull()
  })
  // Patterns a backtracking engine can take exponential time on are fine for RE2.
  it.each(['(a+)+', '(a*)*b', '((ab)+)+', '(x+x+)+y', '(a{1,9}){2,}', '(a|a)*c', '(a|aa)+$'])('accepts %s (linear in RE2)', (p) => {
    expect(regexProblem(p)).toBeNull()
    const r = regexFor(p, 20_000)
    expect(r).not.toBeNull()
    const input = 'a'.repeat(20_000) + '!'
    expect(regexTest((r as NonNullable<typeof r>).re, input)).toBe(new RegExp(p).test('aaaa!'))
  })
  it.each([
    ['(a)\\1', /^uses a backreference/],
    ['(?<n>a)\\k<n>', /^uses a backreference/],
    ['a(?=b)', /^uses a lookahead or lookbehind/],
    ['a(?!b)', /^uses a lookahead or lookbehind/],
    ['(?<=a)b', /^uses a lookahead or lookbehind/],
    ['(?<!a)b', /^uses a lookahead or lookbehind/],
    ['[', /^is not a valid regular expression \(missing closing \]/],
    ['a{2,1}', /^is not a valid regular expression/],
    ['a'.repeat(501), /^is longer than 500 characters/],
  ])('refuses %s', (p, why) => {
    expect(regexProblem(p)).toMatch(why)
    expect(regexFor(p, 1)).toBeNull()
  })
  it('charges a match by input length and pattern size', () => {
    expect(regexFor('\\d+', 1000)?.cost).toBe(1000)
    expect((regexFor('(?i)(A|B){500}X', 1000)?.cost ?? 0) > 50_000).toBe(true)
  })
  it('expands replacements as JavaScript does, and lists every match', () => {
    const re = (regexFor('(\\w)(\\d)', 10) as NonNullable<ReturnType<typeof regexFor>>).re
    expect(regexReplace(re, 'a1 b2', '$2$1', false)).toBe('1a b2')
    expect(regexReplace(re, 'a1 b2', "[$&|$`|$'|$$|$3]", true)).toBe('a1 b2'.replace(/(\w)(\d)/g, "[$&|$`|$'|$$|$3]"))
    expect(regexMatchAll(re, 'a1 b2 c')).toEqual(['a1', 'b2'])
  })
})

describe('formula dates', () => {
  const NY = 'America/New_York'
  it('offsets follow DST, including right at the transitions', () => {
    expect(offsetAt(Date.UTC(2024, 0, 15), NY)).toBe(-5 * 3_600_000)
    expect(offsetAt(Date.UTC(2024, 6, 15), NY)).toBe(-4 * 3_600_000)
    expect(offsetAt(Date.UTC(2024, 2, 10, 6, 59, 59, 999), NY)).toBe(-5 * 3_600_000) // 01:59:59.999 EST
    expect(offsetAt(Date.UTC(2024, 2, 10, 7), NY)).toBe(-4 * 3_600_000) // 03:00 EDT
    expect(offsetAt(Date.UTC(2024, 0, 1), 'Asia/Kathmandu')).toBe(5.75 * 3_600_000)
    expect(offsetAt(Date.UTC(2024, 0, 1), 'UTC')).toBe(0)
  })

  it('adding calendar units keeps the wall-clock time; months clamp to the month end', () => {
    const t = Date.UTC(2024, 2, 9, 17) // 12:00 EST, the day before DST starts
    expect(addUnits(t, 1, 'days', NY)).toBe(Date.UTC(2024, 2, 10, 16)) // 12:00 EDT
    expect(addUnits(t, 24, 'hours', NY)).toBe(Date.UTC(2024, 2, 10, 17)) // 13:00 EDT
    expect(addUnits(Date.UTC(2024, 0, 31), 1, 'months', 'UTC')).toBe(Date.UTC(2024, 1, 29))
    expect(addUnits(Date.UTC(2023, 0, 31), 1, 'months', 'UTC')).toBe(Date.UTC(2023, 1, 28))
    expect(addUnits(Date.UTC(2024, 1, 29), 1, 'years', 'UTC')).toBe(Date.UTC(2025, 1, 28))
    expect(addUnits(Date.UTC(2024, 0, 1), -1, 'quarters', 'UTC')).toBe(Date.UTC(2023, 9, 1))
  })

  it('between counts whole units toward zero, like moment.js diff', () => {
    expect(between(Date.UTC(2024, 2, 10, 16), NY, Date.UTC(2024, 2, 9, 17), NY, 'days')).toBe(1) // 23 real hours
    expect(between(Date.UTC(2024, 2, 10, 16), NY, Date.UTC(2024, 2, 9, 17), NY, 'hours')).toBe(23)
    expect(between(Date.UTC(2024, 1, 29), 'UTC', Date.UTC(2024, 0, 31), 'UTC', 'months')).toBe(1) // month end to month end
    expect(between(Date.UTC(2024, 1, 28), 'UTC', Date.UTC(2024, 0, 31), 'UTC', 'months')).toBe(0)
    expect(between(Date.UTC(2024, 2, 31), 'UTC', Date.UTC(2024, 1, 29), 'UTC', 'months')).toBe(1)
    expect(between(Date.UTC(2020, 0, 1), 'UTC', Date.UTC(2024, 0, 1), 'UTC', 'years')).toBe(-4)
  })

  it('ISO weeks', () => {
    expect(isoWeek(2024, 12, 30)).toEqual({ week: 1, year: 2025 })
    expect(isoWeek(2021, 1, 3)).toEqual({ week: 53, year: 2020 })
    expect(isoWeek(2026, 11, 21)).toEqual({ week: 47, year: 2026 })
  })

  it('parses ISO 8601 dates and date-times, refusing impossible ones', () => {
    expect(parseIso('2024-02-29', 'UTC')).toEqual({ ms: Date.UTC(2024, 1, 29), hasTime: false })
    expect(parseIso('2024-06-01T09:00', NY)).toEqual({ ms: Date.UTC(2024, 5, 1, 13), hasTime: true })
    expect(parseIso('2024-06-01T09:00:00.5-0230', 'UTC')).toEqual({ ms: Date.UTC(2024, 5, 1, 11, 30, 0, 500), hasTime: true })
    for (const bad of ['2023-02-29', '2024-13-01', '2024-06-01T24:00', 'June 1', '2024-6-1', ''])
      expect(parseIso(bad, 'UTC'), bad).toBeNull()
  })

  it('formats with moment-style tokens, [literals] untouched', () => {
    const t = Date.UTC(2024, 0, 5, 13, 7, 9, 45)
    expect(formatWith(t, 'UTC', 'YYYY-MM-DDTHH:mm:ss.SSS')).toBe('2024-01-05T13:07:09.045')
    expect(formatWith(t, 'UTC', 'ddd, MMM Do [at] h:mm a (DDDD, Q, E)')).toBe('Fri, Jan 5th at 1:07 pm (005, 1, 5)')
    expect(formatWith(t, 'Asia/Tokyo', 'LLLL Z ZZ')).toBe('Friday, January 5, 2024 10:07 PM +09:00 +0900')
  })

  it('resolves zone names', () => {
    expect(resolveZone('UTC')).toBe('UTC')
    expect(resolveZone('GMT+1')).toBe('Etc/GMT-1')
    expect(resolveZone('UTC-5')).toBe('Etc/GMT+5')
    expect(resolveZone('Europe/Paris')).toBe('Europe/Paris')
    expect(resolveZone('Nowhere/Else')).toBeNull()
  })
})

describe('formula tokenizer', () => {
  it('reads smart quotes, comments, exponents and property references', () => {
    expect(tokenize('“a” /* c */ 1e-3 {{notion:block_property:ab%3D:x:y}}').map((t) => [t.t, t.v])).toEqual([
      ['str', 'a'],
      ['num', 0.001],
      ['ref', 'ab%3D'],
      ['eof', ''],
    ])
  })
})
