import { describe, expect, it } from 'vitest'
import { jsonMember } from './json-fields.js'

/** What `jsonMember` must always equal: the member of a full parse, own members only. */
function reference(json: string, key: string): unknown {
  const o = JSON.parse(json) as unknown
  return o !== null && typeof o === 'object' && !Array.isArray(o) && Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined
}

const title = [
  {
    type: 'text',
    text: { content: 'Say "hi" \\ {not} [a] "title":', link: null },
    annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' },
    plain_text: 'Say "hi" \\ {not} [a] "title":',
    href: null,
  },
  { type: 'mention', mention: { type: 'link_mention', link_mention: { href: 'https://x.test', title: 'nested title' } }, plain_text: 'x' },
]

describe('jsonMember', () => {
  const stored = {
    num: 12.5e-3,
    title,
    rel: [{ id: 'a' }, { id: 'b' }],
    nested: { title: 'not me', deep: [[{ '}': ']' }]] },
    empty: [],
    t: true,
    n: null,
    s: 'a\\"b\\\\',
    last: -1,
  }
  const compact = JSON.stringify(stored)

  it('reads each top-level member of JSON.stringify output as a full parse does', () => {
    for (const key of [...Object.keys(stored), 'missing', 'deep', 'id', 'toString', '__proto__']) {
      expect(jsonMember(compact, key), key).toEqual(reference(compact, key))
    }
    expect(jsonMember(compact, 'title')).toEqual(title)
  })

  it('falls back to a full parse for text in another form', () => {
    const pretty = JSON.stringify(stored, null, 2)
    expect(jsonMember(pretty, 'title')).toEqual(title)
    expect(jsonMember(pretty, 'last')).toBe(-1)
    const escapedKey = '{"a\\u0062":1,"title":[2]}'
    expect(jsonMember(escapedKey, 'ab')).toBe(1)
    expect(jsonMember(escapedKey, 'title')).toEqual([2])
    expect(jsonMember('{"__proto__":[1]}', '__proto__')).toEqual([1])
    expect(jsonMember('[1,2]', '0')).toBeUndefined()
    expect(jsonMember('null', 'title')).toBeUndefined()
    expect(jsonMember('{}', 'title')).toBeUndefined()
  })

  it('throws SyntaxError on text a full parse refuses', () => {
    expect(() => jsonMember('{"title":[1', 'title')).toThrow(SyntaxError)
    expect(() => jsonMember('{"a":"unterminated', 'title')).toThrow(SyntaxError)
    expect(() => jsonMember('', 'title')).toThrow(SyntaxError)
  })
})
