import { describe, expect, it } from 'vitest'
import { presentPage, presentTitleOnlyPagesText, type PagePresentation } from '../../src/api/pages/pages.presenter.js'
import { NOTION_VERSIONS } from '../../src/domain/versions.js'
import type { PresentedRow } from '../../src/storage/repositories/data-source-query.repository.js'

/**
 * A title-only list (Notion-Version 2026-12-01, or `filter_properties` naming the title alone) is
 * serialized as text (`presentTitleOnlyPagesText`, issue 16) instead of `JSON.stringify` of the page
 * objects `presentPage` builds: both must be the same bytes, under every accepted version, for
 * every kind of stored row, including text the fast path cannot read (whitespace, escaped keys) and
 * titles that need escaping. The same rows presented twice must give the same text (the second time
 * from its cache of title texts). Through HTTP: test/conformance/title-only-rows.test.ts.
 */

const user = '42032871-bfee-4ab8-8dad-9269095d1234'
const run = (text: string, extra: Record<string, unknown> = {}) => ({
  type: 'text',
  text: { content: text, link: null },
  annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' },
  plain_text: text,
  href: null,
  ...extra,
})

function row(i: number, properties: string | null, over: Partial<PresentedRow> = {}): PresentedRow {
  return {
    id: `26d5bfb5-73d2-4b8a-8b68-${String(i).padStart(12, '0')}`,
    parent_type: 'data_source_id',
    parent_id: '40c9c267-ec32-4bf2-87d4-3b0d991977b7',
    properties,
    icon: null,
    cover: null,
    is_locked: 0,
    created_time: '2026-12-06T16:30:12.345Z',
    created_by: user,
    last_edited_time: '2026-12-06T16:31:59.999Z',
    last_edited_by: user,
    in_trash: 0,
    ...over,
  } as PresentedRow
}

const titles: (string | null)[] = [
  JSON.stringify({ title: [run('Order 1')], zXj8: 99, KzYU: [{ id: 'f76c23ad-ddfd-42a2-80f3-3fe81b89ff6b' }] }),
  JSON.stringify({ zXj8: 1, title: [run('Ünïcödé ✓ 𝄞 — "quoted" \\ back\\slash / slash')] }),
  JSON.stringify({ title: [run('two '), run('runs', { href: 'https://example.com/?a="b"' })] }),
  JSON.stringify({ title: [run('control \n\t\u2028 chars')] }),
  JSON.stringify({ title: [] }),
  JSON.stringify({ other: [run('no title member')] }),
  JSON.stringify({}),
  null,
  JSON.stringify({ title: null }),
  // Not JSON.stringify's compact form: read by JSON.parse, never kept.
  '{ "title" : [ {"type":"text","text":{"content":"spaced","link":null},"plain_text":"spaced","href":null} ] }',
  '{"a\\"b":1,"title":[{"type":"text","text":{"content":"escaped key before","link":null},"plain_text":"escaped key before","href":null}]}',
  JSON.stringify({ title: [run('x'.repeat(120))] }),
  JSON.stringify({ title: [run('   ---  ')] }),
  // Longer than the texts kept (read afresh each time).
  JSON.stringify({ title: [run('long row')], big: 'x'.repeat(5000) }),
  // Cut at 60 UTF-16 units inside a surrogate pair: the url holds a lone surrogate.
  JSON.stringify({ title: [run(`a${'𠀀'.repeat(40)}`)] }),
  JSON.stringify({ title: [run('Ünïcödé ✓ 𝄞 — "quoted" \\ back\\slash / slash')] }),
]

const rows: PresentedRow[] = titles.map((t, i) =>
  row(i, t, {
    ...(i % 3 === 0 ? { icon: JSON.stringify({ type: 'emoji', emoji: '🎯' }) } : {}),
    ...(i % 4 === 1 ? { cover: JSON.stringify({ type: 'external', external: { url: 'https://example.com/c.png' } }) } : {}),
    ...(i % 5 === 2 ? { in_trash: 1 } : {}),
    ...(i % 2 === 1 ? { is_locked: 1 } : {}),
    // Not every row of a list needs the same parent (the text path keeps the last one it built).
    ...(i === 7 ? { parent_id: '11111111-1111-4111-8111-111111111111' } : {}),
    ...(i === 8 ? { parent_type: 'template' } : {}),
    // Ids, users and times are quoted as JSON.stringify does, whatever they hold.
    ...(i === 9 ? { id: 'not-a-"uuid"\\é', created_by: 'us"er', last_edited_by: 'us"er', created_time: '2026-12-06T1":30' } : {}),
    ...(i === 10 ? { created_by: 'another-user', last_edited_time: '2027-01-01T00:00:00.000Z' } : {}),
  }),
)

const schemas: Record<string, PagePresentation['dataSource']> = {
  'title named Name': {
    id: '40c9c267-ec32-4bf2-87d4-3b0d991977b7',
    databaseId: '4b6933d4-3fca-4f6b-8e19-0990c364d9a8',
    schema: { title: { id: 'title', name: 'Name', type: 'title', config: {} } },
  },
  'title named __proto__, with quotes in its id': {
    id: '40c9c267-ec32-4bf2-87d4-3b0d991977b7',
    databaseId: '4b6933d4-3fca-4f6b-8e19-0990c364d9a8',
    schema: { 'ti"t': { id: 'ti"t', name: '__proto__', type: 'title', config: {} } },
  },
}

describe('title-only pages as text are JSON.stringify of presentPage, byte for byte', () => {
  for (const version of NOTION_VERSIONS) {
    for (const [label, dataSource] of Object.entries(schemas)) {
      it(`${version}, ${label}`, () => {
        const p: PagePresentation = { version, publicUrl: 'http://127.0.0.1:7700', dataSource }
        const expected = rows.map((r) => JSON.stringify(presentPage(r, p)))
        // Twice: the second time the titles come from the cache.
        expect(presentTitleOnlyPagesText(rows, p)).toEqual(expected)
        expect(presentTitleOnlyPagesText(rows, p)).toEqual(expected)
      })
    }
  }

  it('the same rows under another public URL are not taken from the cache', () => {
    for (const publicUrl of ['http://127.0.0.1:7700', 'https://octavo.example/"x"', 'http://127.0.0.1:7701']) {
      const p: PagePresentation = { version: '2026-12-01', publicUrl, dataSource: schemas['title named Name'] ?? null }
      expect(presentTitleOnlyPagesText(rows, p)).toEqual(rows.map((r) => JSON.stringify(presentPage(r, p))))
    }
  })

  it('the same stored title under another version or property name is not taken from the cache', () => {
    const dataSource = schemas['title named Name'] as NonNullable<PagePresentation['dataSource']>
    const renamed = { ...dataSource, schema: { title: { id: 'title', name: 'Renamed', type: 'title', config: {} } } }
    for (const version of NOTION_VERSIONS) {
      for (const ds of [dataSource, renamed]) {
        const p: PagePresentation = { version, publicUrl: 'http://127.0.0.1:7700', dataSource: ds }
        expect(presentTitleOnlyPagesText(rows, p)).toEqual(rows.map((r) => JSON.stringify(presentPage(r, p))))
      }
    }
  })

  it('is undefined (objects are presented) with more than the title, with computed values, or without a schema', () => {
    const dataSource = schemas['title named Name'] as NonNullable<PagePresentation['dataSource']>
    const wider = { ...dataSource, schema: { ...dataSource.schema, n: { id: 'n', name: 'N', type: 'number', config: {} } } }
    expect(presentTitleOnlyPagesText(rows, { version: '2026-12-01', publicUrl: 'http://x', dataSource: wider })).toBeUndefined()
    expect(
      presentTitleOnlyPagesText(rows, { version: '2026-12-01', publicUrl: 'http://x', dataSource, computed: { f: { type: 'formula' } } }),
    ).toBeUndefined()
    expect(presentTitleOnlyPagesText(rows, { version: '2026-12-01', publicUrl: 'http://x', dataSource: null })).toBeUndefined()
  })

  it('is undefined when a row may hold a file or custom emoji (its text is sent unsigned): \\u escapes, mentions, file icons', () => {
    const p: PagePresentation = { version: '2026-12-01', publicUrl: 'http://x', dataSource: schemas['title named Name'] ?? null }
    const odd = [
      row(90, JSON.stringify({ title: [run('lone \ud800 surrogate')] })),
      row(91, JSON.stringify({ title: [run('control \u0001')] })),
      row(
        92,
        JSON.stringify({ title: [{ type: 'mention', mention: { type: 'custom_emoji', custom_emoji: { id: 'e' } }, plain_text: ':e:' }] }),
      ),
      row(93, JSON.stringify({ title: [run('file icon')] }), { icon: JSON.stringify({ type: 'file_upload', file_upload_id: 'f' }) }),
      row(94, JSON.stringify({ title: [run('file cover')] }), { cover: JSON.stringify({ type: 'file', file_upload_id: 'f' }) }),
    ]
    for (const r of odd) expect(presentTitleOnlyPagesText([...rows, r], p)).toBeUndefined()
    // A file elsewhere in the stored properties is not presented: the title's text is sent.
    const elsewhere = row(95, JSON.stringify({ title: [run('plain')], f: [{ file_upload_id: 'f' }] }))
    expect(presentTitleOnlyPagesText([elsewhere], p)).toEqual([JSON.stringify(presentPage(elsewhere, p))])
  })

  it('fails as presentPage does on stored text that is not JSON', () => {
    const p: PagePresentation = { version: '2026-12-01', publicUrl: 'http://x', dataSource: schemas['title named Name'] ?? null }
    const bad = [row(0, '{"title":[oops]}')]
    expect(() => presentPage(bad[0] as PresentedRow, p)).toThrow(SyntaxError)
    expect(() => presentTitleOnlyPagesText(bad, p)).toThrow(SyntaxError)
  })
})
