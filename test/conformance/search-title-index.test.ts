import { collectPaginatedAPI } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TITLE_INDEX } from '../../src/storage/repositories/search.repository.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * `POST /v1/search` through the title index (migration 0019: SQLite FTS5 trigram, PostgreSQL pg_trgm)
 * answers exactly what the listing plans answer, and the index follows every title write (create,
 * rename, rename back, trash, delete) from the next request. Each query is asked twice, with the index
 * plan allowed and with it turned off (`TITLE_INDEX.cap = 0`), and the two lists of ids must be equal;
 * the expected ids are also spelled out, so neither plan can be wrong the same way.
 */
describe('search through the title index', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  const titles = [
    'Roadmap 2027',
    'roadmap review',
    'The ROADMAP, annotated',
    'Road map (not a match)',
    'Café "quoted" notes',
    'Überblick Straße',
    '100% done_ok',
    'ab',
  ]
  const ids = new Map<string, string>()

  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
    await s.share(s.pages.root.id)
    const notion = server.client(s.token)
    for (const title of titles) {
      const page = await notion.pages.create({
        parent: { page_id: s.pages.root.id },
        properties: { title: { title: [{ text: { content: title } }] } },
      })
      ids.set(title, page.id)
    }
    // A page under a root the connection cannot read, with a matching title: never a result.
    const { createPageAsUser } = await import('../../src/services/setup.service.js')
    await createPageAsUser(server.deps, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      title: 'Secret roadmap',
      parentId: s.pages.secret.id,
    })
  })
  afterAll(async () => server.stop())

  /** The ids `query` finds, all pages of results, with the title index allowed or not. */
  const find = async (query: string, useIndex: boolean, pageSize = 2): Promise<string[]> => {
    const before = TITLE_INDEX.cap
    if (!useIndex) TITLE_INDEX.cap = 0
    try {
      const results = await collectPaginatedAPI(server.client(s.token).search, { query, page_size: pageSize })
      return results.map((r) => r.id)
    } finally {
      TITLE_INDEX.cap = before
    }
  }
  const expectBoth = async (query: string, expected: string[]) => {
    const indexed = await find(query, true)
    expect(indexed, `"${query}" through the index`).toEqual(await find(query, false))
    expect(new Set(indexed), `"${query}"`).toEqual(new Set(expected.map((t) => ids.get(t) ?? t)))
  }

  it('finds substrings, case-insensitively, newest first, across pages of results', async () => {
    await expectBoth('roadmap', ['Roadmap 2027', 'roadmap review', 'The ROADMAP, annotated'])
    await expectBoth('ADMA', ['Roadmap 2027', 'roadmap review', 'The ROADMAP, annotated'])
    await expectBoth('map review', ['roadmap review'])
    await expectBoth('"quoted"', ['Café "quoted" notes'])
    await expectBoth('café', ['Café "quoted" notes'])
    await expectBoth('straße', ['Überblick Straße'])
    await expectBoth('überb', ['Überblick Straße'])
    await expectBoth('100%', ['100% done_ok'])
    await expectBoth('e_o', ['100% done_ok'])
    await expectBoth('zzz', [])
    // Two characters: below the index, the listing plans answer.
    await expectBoth('ab', ['ab'])
    const newestFirst = await find('roadmap', true, 1)
    expect(newestFirst).toEqual([ids.get('The ROADMAP, annotated'), ids.get('roadmap review'), ids.get('Roadmap 2027')])
  })

  it('follows renames, trash and restores from the next request', async () => {
    const notion = server.client(s.token)
    const id = ids.get('Roadmap 2027') as string
    await notion.pages.update({ page_id: id, properties: { title: { title: [{ text: { content: 'Plan for 2027' } }] } } })
    await expectBoth('roadmap', ['roadmap review', 'The ROADMAP, annotated'])
    await expectBoth('plan for', [id])
    await notion.pages.update({ page_id: id, properties: { title: { title: [{ text: { content: 'Roadmap 2027' } }] } } })
    await expectBoth('roadmap', ['Roadmap 2027', 'roadmap review', 'The ROADMAP, annotated'])
    await expectBoth('plan for', [])
    await notion.pages.update({ page_id: ids.get('roadmap review') as string, in_trash: true })
    await expectBoth('roadmap', ['Roadmap 2027', 'The ROADMAP, annotated'])
    await notion.pages.update({ page_id: ids.get('roadmap review') as string, in_trash: false })
    await expectBoth('roadmap', ['Roadmap 2027', 'roadmap review', 'The ROADMAP, annotated'])
  })
})
