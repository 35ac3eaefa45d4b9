import { describe, expect, it } from 'vitest'
import { NotionApiError } from '../errors/notion-error.js'
import type { Schema } from './properties.js'
import { compileFilter, compileSorts, runQuery, type QueryRow } from './query.js'
import { textRun } from './rich-text.js'

/** Table tests of the pure query engine (docs/reference/notion-api.md §2.13). */

const schema: Schema = {
  title: { id: 'title', name: 'Name', type: 'title', config: {} },
  note: { id: 'note', name: 'Note', type: 'rich_text', config: {} },
  num: { id: 'num', name: 'Score', type: 'number', config: { format: 'number' } },
  done: { id: 'done', name: 'Done', type: 'checkbox', config: {} },
  sel: {
    id: 'sel',
    name: 'Kind',
    type: 'select',
    config: {
      options: [
        { id: 'o1', name: 'Bug', color: 'red' },
        { id: 'o2', name: 'Feature', color: 'blue' },
      ],
    },
  },
  st: {
    id: 'st',
    name: 'Status',
    type: 'status',
    config: {
      options: [
        { id: 's1', name: 'Not started' },
        { id: 's2', name: 'Done' },
      ],
    },
  },
  tags: {
    id: 'tags',
    name: 'Tags',
    type: 'multi_select',
    config: {
      options: [
        { id: 't1', name: 'a' },
        { id: 't2', name: 'b' },
      ],
    },
  },
  due: { id: 'due', name: 'Due', type: 'date', config: {} },
  who: { id: 'who', name: 'Owner', type: 'people', config: {} },
  rel: { id: 'rel', name: 'Rel', type: 'relation', config: { data_source_id: 'x' } },
  url: { id: 'url', name: 'Link', type: 'url', config: {} },
  files: { id: 'files', name: 'Files', type: 'files', config: {} },
  uid: { id: 'uid', name: 'ID', type: 'unique_id', config: { prefix: 'T' } },
}

const U1 = '11111111-1111-4111-8111-111111111111'
const U2 = '22222222-2222-4222-8222-222222222222'
const P1 = '33333333-3333-4333-8333-333333333333'

function row(id: string, created: string, values: Record<string, unknown>, by = U1): QueryRow {
  return {
    id,
    values,
    meta: {
      created_time: `${created.slice(0, 16)}:00.000Z`,
      last_edited_time: `${created.slice(0, 16)}:00.000Z`,
      created_by: by,
      last_edited_by: by,
    },
    createdExact: created,
    editedExact: created,
  }
}

const rows: QueryRow[] = [
  row('a', '2024-01-01T10:00:00.000Z', {
    title: [textRun('Apple pie')],
    note: [textRun('sweet')],
    num: 5,
    done: true,
    sel: { id: 'o1', name: 'Bug', color: 'red' },
    st: { id: 's1', name: 'Not started' },
    tags: [{ id: 't1', name: 'a' }],
    due: { start: '2024-03-10', end: null, time_zone: null },
    who: [{ object: 'user', id: U1 }],
    rel: [{ id: P1 }],
    url: 'https://apple.example',
    files: [{ name: 'x.png', type: 'external', external: { url: 'https://x' } }],
    uid: 1,
  }),
  row(
    'b',
    '2024-01-02T10:00:00.000Z',
    {
      title: [textRun('Banana bread')],
      num: 12,
      done: false,
      sel: { id: 'o2', name: 'Feature', color: 'blue' },
      st: { id: 's2', name: 'Done' },
      tags: [
        { id: 't1', name: 'a' },
        { id: 't2', name: 'b' },
      ],
      due: { start: '2024-03-11T09:30:00.000Z', end: null, time_zone: null },
      who: [{ object: 'user', id: U2 }],
      uid: 2,
    },
    U2,
  ),
  row('c', '2024-01-03T10:00:00.000Z', { title: [textRun('cherry')], num: null, uid: 3 }),
]

const ctx = { now: Date.parse('2024-03-11T12:00:00.000Z'), me: U2 }
const ids = (filter: unknown, sorts?: unknown) => runQuery(rows, schema, { filter, sorts }, ctx).map((r) => r.id)

function errorOf(f: () => unknown): NotionApiError {
  try {
    f()
  } catch (e) {
    if (e instanceof NotionApiError) return e
    throw e
  }
  throw new Error('expected an error')
}

describe('filters', () => {
  const cases: [string, unknown, string[]][] = [
    ['no filter: newest created first', undefined, ['c', 'b', 'a']],
    ['title equals (case-insensitive)', { property: 'Name', title: { equals: 'apple PIE' } }, ['a']],
    ['title does_not_equal', { property: 'Name', title: { does_not_equal: 'Apple pie' } }, ['c', 'b']],
    ['title contains', { property: 'Name', title: { contains: 'an' } }, ['b']],
    ['title does_not_contain', { property: 'Name', title: { does_not_contain: 'e' } }, []],
    ['title starts_with', { property: 'Name', title: { starts_with: 'ch' } }, ['c']],
    ['title ends_with', { property: 'title', title: { ends_with: 'bread' } }, ['b']],
    ['rich_text is_empty', { property: 'Note', rich_text: { is_empty: true } }, ['c', 'b']],
    ['rich_text is_not_empty', { property: 'note', rich_text: { is_not_empty: true } }, ['a']],
    ['rich_text filter on a title property', { property: 'Name', rich_text: { contains: 'cherry' } }, ['c']],
    ['url contains', { property: 'Link', url: { contains: 'apple' } }, ['a']],
    ['number equals', { property: 'Score', number: { equals: 5 } }, ['a']],
    ['number does_not_equal (empty included)', { property: 'Score', number: { does_not_equal: 5 } }, ['c', 'b']],
    ['number greater_than', { property: 'Score', number: { greater_than: 5 } }, ['b']],
    ['number less_than', { property: 'Score', number: { less_than: 12 } }, ['a']],
    ['number greater_than_or_equal_to', { property: 'Score', number: { greater_than_or_equal_to: 5 } }, ['b', 'a']],
    ['number less_than_or_equal_to', { property: 'Score', number: { less_than_or_equal_to: 12 } }, ['b', 'a']],
    ['number is_empty', { property: 'Score', number: { is_empty: true } }, ['c']],
    ['number is_not_empty', { property: 'Score', type: 'number', number: { is_not_empty: true } }, ['b', 'a']],
    ['checkbox equals', { property: 'Done', checkbox: { equals: true } }, ['a']],
    ['checkbox does_not_equal', { property: 'Done', checkbox: { does_not_equal: true } }, ['c', 'b']],
    ['select equals', { property: 'Kind', select: { equals: 'Bug' } }, ['a']],
    ['select equals any of', { property: 'Kind', select: { equals: ['Bug', 'Feature'] } }, ['b', 'a']],
    ['select does_not_equal', { property: 'Kind', select: { does_not_equal: 'Bug' } }, ['c', 'b']],
    ['select is_empty', { property: 'Kind', select: { is_empty: true } }, ['c']],
    ['status equals', { property: 'Status', status: { equals: 'Done' } }, ['b']],
    ['multi_select contains', { property: 'Tags', multi_select: { contains: 'b' } }, ['b']],
    ['multi_select does_not_contain', { property: 'Tags', multi_select: { does_not_contain: 'b' } }, ['c', 'a']],
    ['multi_select is_empty', { property: 'Tags', multi_select: { is_empty: true } }, ['c']],
    ['date equals a day', { property: 'Due', date: { equals: '2024-03-11' } }, ['b']],
    ['date before', { property: 'Due', date: { before: '2024-03-11' } }, ['a']],
    ['date after', { property: 'Due', date: { after: '2024-03-10' } }, ['b']],
    ['date on_or_before', { property: 'Due', date: { on_or_before: '2024-03-11' } }, ['b', 'a']],
    ['date on_or_after', { property: 'Due', date: { on_or_after: '2024-03-10' } }, ['b', 'a']],
    ['date after a date-time (ms precision)', { property: 'Due', date: { after: '2024-03-11T09:30:00Z' } }, []],
    ['date on_or_after a date-time', { property: 'Due', date: { on_or_after: '2024-03-11T09:30:00Z' } }, ['b']],
    ['date equals today (relative)', { property: 'Due', date: { equals: 'today' } }, ['b']],
    ['date equals yesterday (relative)', { property: 'Due', date: { equals: 'yesterday' } }, ['a']],
    ['date past_week', { property: 'Due', date: { past_week: {} } }, ['b', 'a']],
    ['date next_week', { property: 'Due', date: { next_week: {} } }, []],
    ['date is_empty', { property: 'Due', date: { is_empty: true } }, ['c']],
    ['people contains', { property: 'Owner', people: { contains: U1 } }, ['a']],
    ['people contains me', { property: 'Owner', people: { contains: 'me' } }, ['b']],
    ['people does_not_contain', { property: 'Owner', people: { does_not_contain: U1 } }, ['c', 'b']],
    ['relation contains', { property: 'Rel', relation: { contains: P1.replace(/-/g, '') } }, ['a']],
    ['relation is_empty', { property: 'Rel', relation: { is_empty: true } }, ['c', 'b']],
    ['files is_not_empty', { property: 'Files', files: { is_not_empty: true } }, ['a']],
    ['unique_id greater_than', { property: 'ID', unique_id: { greater_than: 1 } }, ['c', 'b']],
    ['timestamp created_time after', { timestamp: 'created_time', created_time: { after: '2024-01-01' } }, ['c', 'b']],
    [
      'timestamp last_edited_time on_or_before',
      { timestamp: 'last_edited_time', last_edited_time: { on_or_before: '2024-01-02T10:00:00Z' } },
      ['b', 'a'],
    ],
    [
      'and',
      {
        and: [
          { property: 'Score', number: { greater_than: 1 } },
          { property: 'Done', checkbox: { equals: false } },
        ],
      },
      ['b'],
    ],
    [
      'or',
      {
        or: [
          { property: 'Kind', select: { equals: 'Bug' } },
          { property: 'Score', number: { is_empty: true } },
        ],
      },
      ['c', 'a'],
    ],
    [
      'two levels',
      {
        and: [
          { property: 'Name', title: { is_not_empty: true } },
          {
            or: [
              { property: 'Score', number: { equals: 5 } },
              { property: 'Score', number: { equals: 12 } },
            ],
          },
        ],
      },
      ['b', 'a'],
    ],
  ]
  it.each(cases)('%s', (_name, filter, expected) => {
    expect(ids(filter)).toEqual(expected)
  })
})

describe('filter errors', () => {
  const cases: [string, unknown, string][] = [
    ['unknown property', { property: 'Nope', title: { equals: 'x' } }, 'Could not find property with name or id: Nope.'],
    [
      'condition of another type',
      { and: [{ property: 'Score', title: { equals: 'x' } }] },
      'body failed validation: body.filter.and[0]: database property number does not match filter title.',
    ],
    [
      'three levels of nesting',
      { and: [{ or: [{ and: [] }] }] },
      'body failed validation: body.filter.and[0].or[0].and should be not present, instead was `[]`.',
    ],
    [
      'unknown condition',
      { property: 'Score', number: { bigger: 1 } },
      'body failed validation: body.filter.number.bigger should be not present, instead was `1`.',
    ],
    [
      'wrong value type',
      { property: 'Score', number: { equals: '1' } },
      'body failed validation: body.filter.number.equals should be a number, instead was `"1"`.',
    ],
    [
      'is_empty must be true',
      { property: 'Name', title: { is_empty: false } },
      'body failed validation: body.filter.title.is_empty should be `true`, instead was `false`.',
    ],
    [
      'missing property',
      { title: { equals: 'x' } },
      'body failed validation: body.filter.property should be defined, instead was `undefined`.',
    ],
    [
      'timestamp with a property',
      { timestamp: 'created_time', property: 'Name', created_time: { after: '2024-01-01' } },
      'body failed validation: body.filter.property should be not present, instead was `"Name"`.',
    ],
    [
      'bad date',
      { property: 'Due', date: { after: 'soon' } },
      'body failed validation: body.filter.date.after should be a valid ISO 8601 date string or a relative date, instead was `"soon"`.',
    ],
    [
      'bad uuid',
      { property: 'Owner', people: { contains: 'bob' } },
      'body failed validation: body.filter.people.contains should be a valid uuid, instead was `"bob"`.',
    ],
  ]
  it.each(cases)('%s', (_name, filter, message) => {
    const err = errorOf(() => compileFilter(filter, schema, ctx))
    expect(err.code).toBe('validation_error')
    expect(err.message).toBe(message)
  })
})

describe('sorts', () => {
  const cases: [string, unknown, string[]][] = [
    ['title ascending', [{ property: 'Name', direction: 'ascending' }], ['a', 'b', 'c']],
    ['title descending', [{ property: 'Name', direction: 'descending' }], ['c', 'b', 'a']],
    ['number ascending, empty last', [{ property: 'Score', direction: 'ascending' }], ['a', 'b', 'c']],
    ['number descending, empty last', [{ property: 'Score', direction: 'descending' }], ['b', 'a', 'c']],
    ['select by option order', [{ property: 'Kind', direction: 'descending' }], ['b', 'a', 'c']],
    ['created_time ascending', [{ timestamp: 'created_time', direction: 'ascending' }], ['a', 'b', 'c']],
    [
      'several sorts',
      [
        { property: 'Tags', direction: 'ascending' },
        { property: 'Score', direction: 'descending' },
      ],
      ['b', 'a', 'c'],
    ],
  ]
  it.each(cases)('%s', (_name, sorts, expected) => {
    expect(ids(undefined, sorts)).toEqual(expected)
  })

  it('rejects an unknown sort property and a bad direction', () => {
    expect(errorOf(() => compileSorts([{ property: 'Nope', direction: 'ascending' }], schema)).message).toBe(
      'Could not find sort property with name or id: Nope.',
    )
    expect(errorOf(() => compileSorts([{ property: 'Name', direction: 'up' }], schema)).message).toBe(
      'body failed validation: body.sorts[0].direction should be `"ascending"` or `"descending"`, instead was `"up"`.',
    )
  })
})
