import { describe, expect, it } from 'vitest'
import { jsonMember, jsonMemberText } from '../../src/domain/json-fields.js'

/**
 * domain/json-fields.ts: `jsonMember(j, k)` is `JSON.parse(j)[k]` (own members), and `jsonMemberText`
 * gives the unparsed text of that member in `JSON.stringify`'s compact form, `undefined` when absent,
 * `null` for any other form (issue 16: title-only lists keep what they present by that text).
 */
const own = (json: string, key: string): unknown => {
  const o = JSON.parse(json) as unknown
  return o !== null && typeof o === 'object' && !Array.isArray(o) && Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined
}

const compact = [
  { title: [{ plain_text: 'a "quoted" \\ one', href: null }], n: 1, list: [[], {}, '}', ']', '\\"'] },
  { n: -1.5e-7, s: '{"title":1}', title: null },
  { a: { title: 'nested, not own' }, b: true },
  {},
  { title: '' },
  { ['x\u2028']: 1, title: [1, [2, [3]]] },
]

describe('jsonMember and jsonMemberText', () => {
  for (const value of compact) {
    const json = JSON.stringify(value)
    it(`compact text ${json.slice(0, 40)}`, () => {
      for (const key of ['title', 'n', 'a', 'missing', 'x\u2028']) {
        expect(jsonMember(json, key)).toEqual(own(json, key))
        const text = jsonMemberText(json, key)
        if (own(json, key) === undefined) expect(text).toBeUndefined()
        else expect(JSON.parse(text as string)).toEqual(own(json, key))
      }
    })
  }

  it('other forms: jsonMember parses them whole, jsonMemberText answers null', () => {
    for (const json of ['{ "title": [1] }', '{"t\\u0069tle":[1]}', '{"a\\"b":1,"title":[2]}', '[1]', '{"title":[1]} ']) {
      expect(jsonMember(json, 'title')).toEqual(own(json, 'title'))
      expect(jsonMemberText(json, 'title')).toBeNull()
    }
  })
})
