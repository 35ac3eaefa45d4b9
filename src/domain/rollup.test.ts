import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { convertValue } from './convert.js'
import type { PropertyConfig } from './properties.js'
import { textRun } from './rich-text.js'
import { isEmptyValue, rollup } from './rollup.js'

/** Rollup aggregation and retype conversion, checked against plain reference computations. */

describe('rollup', () => {
  it('numeric functions agree with a plain computation on any list of numbers and nulls', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: null })), (vals) => {
        const xs = vals.filter((v): v is number => v !== null)
        const sorted = [...xs].sort((a, b) => a - b)
        const n = (fn: string) => (rollup(fn, 'number', vals) as unknown as { number: number | null }).number
        expect(n('count')).toBe(vals.length)
        expect(n('empty')).toBe(vals.length - xs.length)
        expect(n('not_empty')).toBe(xs.length)
        expect(n('count_values')).toBe(xs.length)
        expect(n('unique')).toBe(new Set(xs).size)
        expect(n('percent_empty')).toBe(vals.length === 0 ? 0 : (vals.length - xs.length) / vals.length)
        if (xs.length === 0) {
          for (const fn of ['sum', 'average', 'median', 'min', 'max', 'range']) expect(n(fn)).toBeNull()
          return
        }
        const sum = xs.reduce((a, b) => a + b, 0)
        expect(n('sum')).toBe(sum)
        expect(n('average')).toBeCloseTo(sum / xs.length)
        expect(n('min')).toBe(sorted[0])
        expect(n('max')).toBe(sorted[sorted.length - 1])
        expect(n('range')).toBe((sorted[sorted.length - 1] as number) - (sorted[0] as number))
        const mid = Math.floor(sorted.length / 2)
        expect(n('median')).toBe(sorted.length % 2 ? sorted[mid] : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2)
      }),
    )
  })

  it('checkbox, date and list functions', () => {
    expect(rollup('percent_checked', 'checkbox', [true, false, true, true])).toEqual({
      type: 'number',
      number: 0.75,
      function: 'percent_checked',
    })
    expect(rollup('unchecked', 'checkbox', [true, false]).number).toBe(1)
    const dates = [{ start: '2026-02-01', end: null }, null, { start: '2025-12-31T23:00:00.000Z', end: '2026-03-01' }]
    expect(rollup('date_range', 'date', dates).date).toEqual({ start: '2025-12-31T23:00:00.000Z', end: '2026-03-01', time_zone: null })
    expect(rollup('earliest_date', 'date', []).date).toBeNull()
    const tags = [
      [
        { id: '1', name: 'a', color: 'default' },
        { id: '2', name: 'b', color: 'default' },
      ],
      [{ id: '1', name: 'a', color: 'default' }],
      [],
    ]
    expect(rollup('count_values', 'multi_select', tags).number).toBe(3)
    expect(rollup('unique', 'multi_select', tags).number).toBe(2)
    expect(rollup('empty', 'multi_select', tags).number).toBe(1)
    expect(rollup('show_original', 'multi_select', tags.slice(0, 1))).toEqual({
      type: 'array',
      array: [{ type: 'multi_select', multi_select: tags[0] }],
      function: 'show_original',
    })
    expect(rollup('count_per_group', 'select', [])).toEqual({ type: 'unsupported', unsupported: {}, function: 'count_per_group' })
    expect(isEmptyValue('title', [textRun('')])).toBe(true)
    expect(isEmptyValue('formula', { type: 'number', number: 0 })).toBe(false)
  })
})

describe('convertValue', () => {
  const prop = (type: string, config: Record<string, unknown> = {}): PropertyConfig => ({ id: 'x', name: 'X', type, config })

  it('parses numbers from text and writes numbers as text', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }), (n) => {
        const text = convertValue(prop('number'), prop('rich_text'), n) as { plain_text: string }[]
        expect(convertValue(prop('rich_text'), prop('number'), text)).toBe(Number(String(n)))
      }),
    )
    expect(convertValue(prop('rich_text'), prop('number'), [textRun('abc')])).toBeUndefined()
  })

  it('maps options between select, multi_select and status, creating what is missing', () => {
    const to = prop('multi_select', { options: [] })
    const v = convertValue(prop('rich_text'), to, [textRun('a, b, a')]) as { name: string }[]
    expect(v.map((o) => o.name)).toEqual(['a', 'b'])
    expect((to.config.options as unknown[]).length).toBe(2)
    const status = prop('status', { options: [], groups: [{ id: 'g', name: 'To-do', color: 'gray', option_ids: [] }] })
    const s = convertValue(prop('select'), status, { id: 'o', name: 'Open', color: 'red' }) as { id: string }
    expect((status.config.groups as { option_ids: string[] }[])[0]?.option_ids).toEqual([s.id])
    expect(convertValue(prop('checkbox'), prop('rich_text'), true)).toEqual([textRun('Yes')])
    expect(convertValue(prop('people'), prop('number'), [{ object: 'user', id: 'u' }])).toBeUndefined()
  })
})
