import { collectPaginatedAPI, type Client } from '@notionhq/client'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDatabase, connectedWorkspace, rt } from '../support/factories.js'
import { startTestServer, steppingClock, type TestServer } from '../support/harness.js'

/**
 * Property-based check of data-source queries (issue 3): random rows are written through the SDK,
 * random filters (every stored-value condition, `and`/`or` two levels deep) and random sorts go
 * through the real API with random page sizes (so keyset pagination over ties and empty values is
 * exercised), and the ids must equal a plain in-memory evaluation written here, independently of
 * the production engine (src/domain/query.ts + the SQL value index).
 *
 * Reference semantics (Notion's, docs/reference/notion-api.md §2.13): text conditions are case-insensitive over the plain
 * text; `does_not_*` conditions match empty values; dates here are whole days, so ISO strings compare
 * as text; sorts put empty values last in both directions, compare text lower-cased, select by option
 * order, checkbox false < true; ties fall back to newest created first.
 */

const WORDS = ['ab', 'Ab', 'abc', 'b', 'ba', 'cab', 'C']
const OPTIONS = ['Red', 'Green', 'Blue']
const TAGS = ['x', 'y', 'z']
const DAYS = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-02-01']

interface Row {
  id: string
  /** Creation index (higher = newer). */
  n: number
  name: string
  text: string
  num: number | null
  sel: string | null
  tags: string[]
  due: string | null
  done: boolean
  link: string | null
  who: string[]
}

const rowArb = (people: string[]) =>
  fc.record({
    name: fc.constantFrom(...WORDS),
    text: fc.oneof(fc.constant(''), fc.constantFrom(...WORDS)),
    num: fc.option(fc.integer({ min: -3, max: 3 }), { nil: null }),
    sel: fc.option(fc.constantFrom(...OPTIONS), { nil: null }),
    tags: fc.uniqueArray(fc.constantFrom(...TAGS), { maxLength: 3 }),
    due: fc.option(fc.constantFrom(...DAYS), { nil: null }),
    done: fc.boolean(),
    link: fc.option(fc.constantFrom('https://a.example', 'https://B.example/x'), { nil: null }),
    who: fc.uniqueArray(fc.constantFrom(...people), { maxLength: 2 }),
  })

type Leaf = { filter: Record<string, unknown>; test: (r: Row) => boolean }

const lc = (s: string) => s.toLowerCase()

function textLeaf(property: string, type: string, get: (r: Row) => string): fc.Arbitrary<Leaf> {
  const needle = fc.constantFrom('a', 'B', 'ab', 'c', 'ba', 'abc')
  return fc.oneof(
    needle.map((v) => ({ filter: { property, [type]: { equals: v } }, test: (r: Row) => lc(get(r)) === lc(v) })),
    needle.map((v) => ({ filter: { property, [type]: { does_not_equal: v } }, test: (r: Row) => lc(get(r)) !== lc(v) })),
    needle.map((v) => ({ filter: { property, [type]: { contains: v } }, test: (r: Row) => lc(get(r)).includes(lc(v)) })),
    needle.map((v) => ({ filter: { property, [type]: { does_not_contain: v } }, test: (r: Row) => !lc(get(r)).includes(lc(v)) })),
    needle.map((v) => ({ filter: { property, [type]: { starts_with: v } }, test: (r: Row) => lc(get(r)).startsWith(lc(v)) })),
    needle.map((v) => ({ filter: { property, [type]: { ends_with: v } }, test: (r: Row) => lc(get(r)).endsWith(lc(v)) })),
    fc.constant({ filter: { property, [type]: { is_empty: true } }, test: (r: Row) => get(r) === '' }),
    fc.constant({ filter: { property, [type]: { is_not_empty: true } }, test: (r: Row) => get(r) !== '' }),
  )
}

function leafArb(people: string[]): fc.Arbitrary<Leaf> {
  const n = fc.integer({ min: -3, max: 3 })
  const day = fc.constantFrom(...DAYS, '2023-12-31', '2024-01-15')
  const date = (op: string, cmp: (v: string, c: string) => boolean) =>
    day.map((c) => ({ filter: { property: 'Due', date: { [op]: c } }, test: (r: Row) => r.due !== null && cmp(r.due, c) }))
  return fc.oneof(
    textLeaf('Name', 'title', (r) => r.name),
    textLeaf('Text', 'rich_text', (r) => r.text),
    textLeaf('Link', 'url', (r) => r.link ?? ''),
    n.map((x) => ({ filter: { property: 'Num', number: { equals: x } }, test: (r: Row) => r.num === x })),
    n.map((x) => ({ filter: { property: 'Num', number: { does_not_equal: x } }, test: (r: Row) => r.num !== x })),
    n.map((x) => ({ filter: { property: 'Num', number: { greater_than: x } }, test: (r: Row) => r.num !== null && r.num > x })),
    n.map((x) => ({ filter: { property: 'Num', number: { less_than: x } }, test: (r: Row) => r.num !== null && r.num < x })),
    n.map((x) => ({
      filter: { property: 'Num', number: { greater_than_or_equal_to: x } },
      test: (r: Row) => r.num !== null && r.num >= x,
    })),
    n.map((x) => ({ filter: { property: 'Num', number: { less_than_or_equal_to: x } }, test: (r: Row) => r.num !== null && r.num <= x })),
    fc.constant({ filter: { property: 'Num', number: { is_empty: true } }, test: (r: Row) => r.num === null }),
    fc.constant({ filter: { property: 'Num', number: { is_not_empty: true } }, test: (r: Row) => r.num !== null }),
    fc.boolean().map((b) => ({ filter: { property: 'Done', checkbox: { equals: b } }, test: (r: Row) => r.done === b })),
    fc.boolean().map((b) => ({ filter: { property: 'Done', checkbox: { does_not_equal: b } }, test: (r: Row) => r.done !== b })),
    fc
      .constantFrom(...OPTIONS, 'red')
      .map((o) => ({ filter: { property: 'Sel', select: { equals: o } }, test: (r: Row) => r.sel !== null && lc(r.sel) === lc(o) })),
    fc.constantFrom(...OPTIONS).map((o) => ({ filter: { property: 'Sel', select: { does_not_equal: o } }, test: (r: Row) => r.sel !== o })),
    fc
      .uniqueArray(fc.constantFrom(...OPTIONS), { minLength: 1 })
      .map((os) => ({ filter: { property: 'Sel', select: { equals: os } }, test: (r: Row) => r.sel !== null && os.includes(r.sel) })),
    fc.constant({ filter: { property: 'Sel', select: { is_empty: true } }, test: (r: Row) => r.sel === null }),
    fc.constant({ filter: { property: 'Sel', select: { is_not_empty: true } }, test: (r: Row) => r.sel !== null }),
    fc
      .constantFrom(...TAGS)
      .map((t) => ({ filter: { property: 'Tags', multi_select: { contains: t } }, test: (r: Row) => r.tags.includes(t) })),
    fc
      .constantFrom(...TAGS)
      .map((t) => ({ filter: { property: 'Tags', multi_select: { does_not_contain: t } }, test: (r: Row) => !r.tags.includes(t) })),
    fc.constant({ filter: { property: 'Tags', multi_select: { is_empty: true } }, test: (r: Row) => r.tags.length === 0 }),
    fc.constant({ filter: { property: 'Tags', multi_select: { is_not_empty: true } }, test: (r: Row) => r.tags.length > 0 }),
    date('equals', (v, c) => v === c),
    date('before', (v, c) => v < c),
    date('after', (v, c) => v > c),
    date('on_or_before', (v, c) => v <= c),
    date('on_or_after', (v, c) => v >= c),
    fc.constant({ filter: { property: 'Due', date: { is_empty: true } }, test: (r: Row) => r.due === null }),
    fc.constant({ filter: { property: 'Due', date: { is_not_empty: true } }, test: (r: Row) => r.due !== null }),
    fc.constantFrom(...people).map((p) => ({ filter: { property: 'Who', people: { contains: p } }, test: (r: Row) => r.who.includes(p) })),
    fc
      .constantFrom(...people)
      .map((p) => ({ filter: { property: 'Who', people: { does_not_contain: p } }, test: (r: Row) => !r.who.includes(p) })),
    fc.constant({ filter: { property: 'Who', people: { is_empty: true } }, test: (r: Row) => r.who.length === 0 }),
  )
}

function filterArb(people: string[]): fc.Arbitrary<Leaf> {
  const leaf = leafArb(people)
  const group = (items: fc.Arbitrary<Leaf>) =>
    fc.tuple(fc.constantFrom('and', 'or'), fc.array(items, { minLength: 1, maxLength: 3 })).map(([op, parts]) => ({
      filter: { [op]: parts.map((p) => p.filter) },
      test: op === 'and' ? (r: Row) => parts.every((p) => p.test(r)) : (r: Row) => parts.some((p) => p.test(r)),
    }))
  return fc.oneof(leaf, group(leaf), group(fc.oneof(leaf, group(leaf))))
}

type SortSpec = { sort: Record<string, unknown>; key: (r: Row) => string | number | null; desc: boolean }

const sortArb: fc.Arbitrary<SortSpec[]> = fc.array(
  fc.tuple(fc.constantFrom('Name', 'Text', 'Num', 'Sel', 'Due', 'Done', 'Link', 'created_time'), fc.boolean()).map(([p, desc]) => {
    const direction = desc ? 'descending' : 'ascending'
    const key: (r: Row) => string | number | null =
      p === 'Name'
        ? (r) => lc(r.name)
        : p === 'Text'
          ? (r) => (r.text === '' ? null : lc(r.text))
          : p === 'Num'
            ? (r) => r.num
            : p === 'Sel'
              ? (r) => (r.sel === null ? null : OPTIONS.indexOf(r.sel))
              : p === 'Due'
                ? (r) => r.due
                : p === 'Done'
                  ? (r) => (r.done ? 1 : 0)
                  : p === 'Link'
                    ? (r) => (r.link === null ? null : lc(r.link))
                    : (r) => r.n
    const sort = p === 'created_time' ? { timestamp: 'created_time', direction } : { property: p, direction }
    return { sort, key, desc }
  }),
  { maxLength: 3 },
)

function referenceOrder(rows: Row[], sorts: SortSpec[]): Row[] {
  return [...rows].sort((a, b) => {
    for (const s of sorts) {
      const x = s.key(a)
      const y = s.key(b)
      if (x === y) continue
      if (x === null) return 1
      if (y === null) return -1
      const c = x < y ? -1 : 1
      return s.desc ? -c : c
    }
    return b.n - a.n
  })
}

describe('data-source queries against an in-memory reference (property-based)', () => {
  let server: TestServer
  let notion: Client
  let dsId: string
  let rows: Row[]
  let people: string[]

  beforeAll(async () => {
    server = await startTestServer({ clock: steppingClock('2024-06-01T08:00:00.000Z') })
    const { s, notion: client } = await connectedWorkspace(server)
    notion = client
    people = [s.owner.id, s.member.id]
    dsId = (
      await buildDatabase(notion, s.pages.root.id, {
        title: 'Random',
        properties: {
          Name: { title: {} },
          Text: { rich_text: {} },
          Num: { number: {} },
          Sel: { select: { options: OPTIONS.map((name) => ({ name })) } },
          Tags: { multi_select: { options: TAGS.map((name) => ({ name })) } },
          Due: { date: {} },
          Done: { checkbox: {} },
          Link: { url: {} },
          Who: { people: {} },
        },
      })
    ).dataSourceId
    const values = fc.sample(rowArb(people), { numRuns: 36, seed: 20241121 })
    rows = []
    for (const [n, v] of values.entries()) {
      const page = await notion.pages.create({
        parent: { data_source_id: dsId },
        properties: {
          Name: { title: rt(v.name) },
          ...(v.text ? { Text: { rich_text: rt(v.text) } } : {}),
          Num: { number: v.num },
          Sel: { select: v.sel === null ? null : { name: v.sel } },
          Tags: { multi_select: v.tags.map((name) => ({ name })) },
          Due: { date: v.due === null ? null : { start: v.due } },
          Done: { checkbox: v.done },
          Link: { url: v.link },
          Who: { people: v.who.map((id) => ({ id })) },
        } as never,
      })
      rows.push({ id: page.id, n, ...v })
    }
  }, 60_000)

  afterAll(async () => {
    await server.stop()
  })

  it('returns what the reference returns, in the same order, for random filters, sorts and page sizes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(filterArb(people), { nil: undefined }),
        sortArb,
        fc.integer({ min: 1, max: 40 }),
        async (filter, sorts, pageSize) => {
          const got = await collectPaginatedAPI(notion.dataSources.query, {
            data_source_id: dsId,
            page_size: pageSize,
            ...(filter ? { filter: filter.filter as never } : {}),
            ...(sorts.length > 0 ? { sorts: sorts.map((s) => s.sort) as never } : {}),
          })
          const expected = referenceOrder(
            rows.filter((r) => !filter || filter.test(r)),
            sorts,
          ).map((r) => r.id)
          expect(got.map((r) => r.id)).toEqual(expected)
        },
      ),
      { numRuns: 150, seed: 7 },
    )
  }, 120_000)

  it('keeps the index in step with updates and trash', async () => {
    const target = rows[0] as Row
    await notion.pages.update({ page_id: target.id, properties: { Num: { number: 99 }, Sel: { select: { name: 'Blue' } } } as never })
    const byNum = await notion.dataSources.query({ data_source_id: dsId, filter: { property: 'Num', number: { equals: 99 } } })
    expect(byNum.results.map((r) => r.id)).toEqual([target.id])
    await notion.pages.update({ page_id: target.id, in_trash: true })
    expect((await notion.dataSources.query({ data_source_id: dsId, filter: { property: 'Num', number: { equals: 99 } } })).results).toEqual(
      [],
    )
    const withTrash = await notion.dataSources.query({
      data_source_id: dsId,
      in_trash: true,
      filter: { property: 'Num', number: { equals: 99 } },
    })
    expect(withTrash.results.map((r) => r.id)).toEqual([target.id])
    await notion.pages.update({ page_id: target.id, in_trash: false, properties: { Num: { number: target.num } } as never })
    expect((await notion.dataSources.query({ data_source_id: dsId, filter: { property: 'Num', number: { equals: 99 } } })).results).toEqual(
      [],
    )
  })
})
