import { describe, expect, it } from 'vitest'
import {
  presentLegacyBlockContent,
  presentLegacyPropertyItem,
  presentLegacyRollup,
  readLegacyBlocks,
  readLegacyFilter,
} from './legacy-shapes.js'

/** The pure translations of the oldest Notion-Versions (docs/reference/notion-versions.md). */
describe('legacy shapes', () => {
  it('reads old filter keys before 2022-02-22, through and/or, and leaves them from 2022-02-22 on', () => {
    const old = {
      and: [
        { property: 'A', text: { contains: 'x' } },
        {
          or: [
            { property: 'B', phone: { equals: '1' } },
            { property: 'C', formula: { text: { equals: 'y' } } },
          ],
        },
        { property: 'D', rollup: { every: { text: { is_empty: true } } } },
      ],
    }
    expect(readLegacyFilter(old, '2021-08-16')).toEqual({
      and: [
        { property: 'A', rich_text: { contains: 'x' } },
        {
          or: [
            { property: 'B', phone_number: { equals: '1' } },
            { property: 'C', formula: { string: { equals: 'y' } } },
          ],
        },
        { property: 'D', rollup: { every: { rich_text: { is_empty: true } } } },
      ],
    })
    expect(readLegacyFilter(old, '2022-02-22')).toBe(old)
    // Both keys present: left for validation to refuse the extra one.
    const both = { property: 'A', text: {}, rich_text: {} }
    expect(readLegacyFilter(both, '2021-05-11')).toEqual(both)
  })

  it('reads `text` of text blocks, nested children included, and keeps a `__proto__` key an own key', () => {
    const blocks = JSON.parse(
      '[{"toggle":{"text":[],"children":[{"paragraph":{"text":[{"text":{"content":"a"}}]}}]}},{"__proto__":{"x":1},"divider":{}}]',
    ) as unknown[]
    const read = readLegacyBlocks(blocks, '2021-05-13') as Record<string, any>[]
    expect(read[0]!.toggle).toEqual({ rich_text: [], children: [{ paragraph: { rich_text: [{ text: { content: 'a' } }] } }] })
    expect(Object.hasOwn(read[1]!, '__proto__')).toBe(true)
    expect(({} as Record<string, unknown>).x).toBeUndefined()
    expect(readLegacyBlocks(blocks, '2022-02-22')).toBe(blocks)
  })

  it('presents block content, rollup arrays and property items in the old shapes', () => {
    expect(presentLegacyBlockContent('quote', { rich_text: [], color: 'default' }, '2021-08-16')).toEqual({ text: [], color: 'default' })
    expect(presentLegacyBlockContent('divider', {}, '2021-08-16')).toEqual({})
    const rollup = {
      type: 'array',
      array: [
        { type: 'files', files: [] },
        { type: 'people', people: [] },
        { type: 'rich_text', rich_text: [] },
        { type: 'number', number: 1 },
      ],
      function: 'show_original',
    }
    expect(presentLegacyRollup(rollup, '2021-05-13')).toEqual({
      ...rollup,
      array: [
        { type: 'file', file: [] },
        { type: 'person', person: [] },
        { type: 'text', text: [] },
        { type: 'number', number: 1 },
      ],
    })
    expect(presentLegacyRollup(rollup, '2021-08-16')).toBe(rollup)
    const list = {
      object: 'list',
      results: [{ object: 'property_item', id: 'abcd', type: 'rich_text', rich_text: { plain_text: 'a' } }],
      next_cursor: null,
      has_more: false,
      type: 'property_item',
      property_item: { id: 'abcd', type: 'rich_text', rich_text: {}, next_url: null },
    }
    expect(presentLegacyPropertyItem(list, '2021-05-11')).toEqual({
      object: 'list',
      results: [{ object: 'property_item', type: 'text', text: { plain_text: 'a' } }],
      next_cursor: null,
      has_more: false,
    })
    expect(presentLegacyPropertyItem(list, '2022-02-22')).toBe(list)
  })
})
