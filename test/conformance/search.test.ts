import { APIErrorCode, collectPaginatedAPI, isFullPage, iteratePaginatedAPI } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isoNow } from '../../src/domain/clock.js'
import { newId } from '../../src/domain/ids.js'
import { textRun } from '../../src/domain/rich-text.js'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { connectedWorkspace, seedDatabase } from '../support/factories.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * `POST /v1/search` through the official SDK (docs/reference/notion-api.md §1.6, §2.14): only what the token can see,
 * title matching, the object filter per version, sort, keyset pagination, trash, validation and
 * the read-content capability.
 */

type Result = { object: string; id: string }
const ids = (r: { results: Result[] }) => r.results.map((x) => x.id)

describe('search', () => {
  let server: TestServer
  // Every read of the clock moves it one second on, so each write gets its own last_edited_time.
  let t = Date.parse('2026-01-01T00:00:00.000Z')
  beforeAll(async () => {
    server = await startTestServer({ clock: { now: () => (t += 1000) } })
  })
  afterAll(async () => server.stop())

  /** A database "Tasks" under `parentId` with one row "Row one"; returns ids. */
  async function tasksDatabase(workspaceId: string, parentId: string, actorId: string) {
    const { database, dataSource, row } = await seedDatabase(server, { workspaceId, actorId, parentId, rowTitle: 'Row one' })
    return { databaseId: database.id, dataSourceId: dataSource.id, rowId: row.id }
  }

  it('finds nothing before sharing, then the shared subtree, most recently edited first', async () => {
    const s = await seedBasic(server)
    const notion = server.client(s.token)
    const before = await notion.search({})
    expect(before).toMatchObject({
      object: 'list',
      results: [],
      has_more: false,
      next_cursor: null,
      type: 'page_or_data_source',
      page_or_data_source: {},
    })
    await s.share(s.pages.root.id)
    const after = await notion.search({})
    expect(ids(after)).toEqual([s.pages.grandchild.id, s.pages.child.id, s.pages.root.id])
    expect(after.results.every((r) => isFullPage(r as never))).toBe(true)
    const asc = await notion.search({ sort: { timestamp: 'last_edited_time', direction: 'ascending' } })
    expect(ids(asc)).toEqual([s.pages.root.id, s.pages.child.id, s.pages.grandchild.id])
    const desc = await notion.search({ sort: { timestamp: 'last_edited_time', direction: 'descending' } })
    expect(ids(desc)).toEqual(ids(after))
  })

  it('an edit moves a page to the front', async () => {
    const { s, notion } = await connectedWorkspace(server)
    await notion.pages.update({ page_id: s.pages.root.id, properties: { title: { title: [{ text: { content: 'Root renamed' } }] } } })
    expect(ids(await notion.search({}))).toEqual([s.pages.root.id, s.pages.grandchild.id, s.pages.child.id])
  })

  it('matches the query as a case-insensitive title substring', async () => {
    const { s, notion } = await connectedWorkspace(server)
    expect(ids(await notion.search({ query: 'child' }))).toEqual([s.pages.grandchild.id, s.pages.child.id])
    expect(ids(await notion.search({ query: 'GRAND' }))).toEqual([s.pages.grandchild.id])
    expect(ids(await notion.search({ query: 'Secret' }))).toEqual([])
    expect(ids(await notion.search({ query: '%' }))).toEqual([])
    expect(ids(await notion.search({ query: '' }))).toHaveLength(3)
  })

  it('2025-09-03: databases come back as their data sources; the object filter takes "page" or "data_source"', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const db = await tasksDatabase(s.workspace.id, s.pages.root.id, s.owner.id)
    const all = await notion.search({})
    expect(all.results.map((r) => [r.object, r.id])).toEqual([
      ['page', db.rowId],
      ['data_source', db.dataSourceId],
      ['page', s.pages.grandchild.id],
      ['page', s.pages.child.id],
      ['page', s.pages.root.id],
    ])
    const sources = await notion.search({ filter: { property: 'object', value: 'data_source' } })
    expect(sources.results).toHaveLength(1)
    expect(sources.results[0]).toMatchObject({
      object: 'data_source',
      id: db.dataSourceId,
      title: [{ plain_text: 'Tasks' }],
      parent: { type: 'database_id', database_id: db.databaseId },
      database_parent: { type: 'page_id', page_id: s.pages.root.id },
      properties: { Name: { id: 'title', name: 'Name', type: 'title', title: {} } },
      in_trash: false,
    })
    const byTitle = await notion.search({ query: 'task', filter: { property: 'object', value: 'data_source' } })
    expect(ids(byTitle)).toEqual([db.dataSourceId])
    const pages = await notion.search({ filter: { property: 'object', value: 'page' } })
    expect(ids(pages)).toEqual([db.rowId, s.pages.grandchild.id, s.pages.child.id, s.pages.root.id])
    expect(pages.results[0]).toMatchObject({
      parent: { type: 'data_source_id', data_source_id: db.dataSourceId, database_id: db.databaseId },
    })
    const err = await apiError(notion.search({ filter: { property: 'object', value: 'database' as 'page' } }))
    expect([err.status, err.code, err.message]).toEqual([
      400,
      APIErrorCode.ValidationError,
      'body failed validation: body.filter.value should be `"page"` or `"data_source"`, instead was `"database"`.',
    ])
  })

  it('2022-06-28: databases come back as databases with properties; the filter takes "page" or "database"', async () => {
    const s = await seedBasic(server)
    await s.share(s.pages.root.id)
    const db = await tasksDatabase(s.workspace.id, s.pages.root.id, s.owner.id)
    const old = server.client(s.token, '2022-06-28')
    const all = (await old.search({})) as unknown as { type: string; results: Result[] } & Record<string, unknown>
    expect(all.type).toBe('page_or_database')
    expect(all.page_or_database).toEqual({})
    expect(all.results.map((r) => [r.object, r.id])).toContainEqual(['database', db.databaseId])
    const dbs = (await old.search({ filter: { property: 'object', value: 'database' as 'page' } })) as unknown as {
      results: Record<string, unknown>[]
    }
    expect(dbs.results).toHaveLength(1)
    expect(dbs.results[0]).toMatchObject({
      object: 'database',
      id: db.databaseId,
      title: [{ plain_text: 'Tasks' }],
      properties: { Name: { id: 'title', name: 'Name', type: 'title', title: {} } },
      parent: { type: 'page_id', page_id: s.pages.root.id },
      archived: false,
      in_trash: false,
    })
    expect(dbs.results[0]).not.toHaveProperty('data_sources')
    const row = (await old.search({ query: 'row one' })) as unknown as { results: Record<string, unknown>[] }
    expect(row.results[0]).toMatchObject({ object: 'page', id: db.rowId, parent: { type: 'database_id', database_id: db.databaseId } })
    const err = await apiError(old.search({ filter: { property: 'object', value: 'data_source' } }))
    expect([err.status, err.code, err.message]).toEqual([
      400,
      APIErrorCode.ValidationError,
      'body failed validation: body.filter.value should be `"page"` or `"database"`, instead was `"data_source"`.',
    ])
  })

  it('2026-03-11: results carry in_trash without archived', async () => {
    const s = await seedBasic(server)
    await s.share(s.pages.root.id)
    await tasksDatabase(s.workspace.id, s.pages.root.id, s.owner.id)
    const latest = await server.client(s.token, '2026-03-11').search({})
    expect(latest.results.length).toBe(5)
    for (const r of latest.results) {
      expect(r).toHaveProperty('in_trash', false)
      expect(r).not.toHaveProperty('archived')
    }
  })

  it('a database with two data sources gives two results, and a page boundary may fall between them', async () => {
    const s = await seedBasic(server)
    await s.share(s.pages.root.id)
    const db = await tasksDatabase(s.workspace.id, s.pages.root.id, s.owner.id)
    const second = newId()
    const time = isoNow(server.deps.clock)
    await server.deps.store.db
      .insertInto('data_source')
      .values({
        id: second,
        workspace_id: s.workspace.id,
        database_id: db.databaseId,
        title: JSON.stringify([textRun('Tasks archive')]),
        description: '[]',
        properties: JSON.stringify({ title: { id: 'title', name: 'Name', type: 'title', config: {} } }),
        icon: null,
        created_time: time,
        created_by: s.owner.id,
        last_edited_time: time,
        last_edited_by: s.owner.id,
        in_trash: 0,
      })
      .execute()
    const notion = server.client(s.token)
    const filter = { property: 'object' as const, value: 'data_source' as const }
    const first = await notion.search({ filter, page_size: 1 })
    expect(ids(first)).toEqual([db.dataSourceId])
    expect(first.has_more).toBe(true)
    const next = await notion.search({ filter, page_size: 1, start_cursor: first.next_cursor as string })
    expect(ids(next)).toEqual([second])
    expect(next).toMatchObject({ has_more: false, next_cursor: null })
  })

  it('paginates over more than 100 results with collectPaginatedAPI and iteratePaginatedAPI', async () => {
    const s = await seedBasic(server)
    const bulk = await createPageAsUser(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, title: 'Bulk parent' })
    const created: string[] = []
    for (let i = 0; i < 105; i++) {
      created.push(
        (
          await createPageAsUser(server.deps, {
            workspaceId: s.workspace.id,
            actorId: s.owner.id,
            title: `Bulk item ${i}`,
            parentId: bulk.id,
          })
        ).id,
      )
    }
    await s.share(bulk.id)
    const notion = server.client(s.token)
    const firstPage = await notion.search({ query: 'bulk item' })
    expect(firstPage.results).toHaveLength(100)
    expect(firstPage.has_more).toBe(true)
    expect(typeof firstPage.next_cursor).toBe('string')
    const all = await collectPaginatedAPI(notion.search, { query: 'bulk item' })
    expect(all.map((r) => r.id)).toEqual([...created].reverse())
    const seen: string[] = []
    for await (const r of iteratePaginatedAPI(notion.search, {
      query: 'Bulk',
      page_size: 7,
      sort: { timestamp: 'last_edited_time', direction: 'ascending' },
    }))
      seen.push(r.id)
    expect(seen).toEqual([bulk.id, ...created])
    const second = await notion.search({ query: 'bulk item', start_cursor: firstPage.next_cursor as string })
    expect(ids(second)).toEqual([...created].reverse().slice(100))
    expect(second).toMatchObject({ has_more: false, next_cursor: null })
  })

  it('leaves trashed pages and everything under them out; filter.in_trash lists the trash', async () => {
    const { s, notion } = await connectedWorkspace(server)
    await notion.pages.update({ page_id: s.pages.child.id, in_trash: true })
    expect(ids(await notion.search({}))).toEqual([s.pages.root.id])
    expect(ids(await notion.search({ filter: { in_trash: true } }))).toEqual([s.pages.child.id])
    await notion.pages.update({ page_id: s.pages.child.id, in_trash: false })
    expect(ids(await notion.search({})).sort()).toEqual([s.pages.root.id, s.pages.child.id, s.pages.grandchild.id].sort())
  })

  it('403 for a connection without read content (insert-only)', async () => {
    const s = await seedBasic(server, { readContent: false, updateContent: false, insertContent: true })
    await s.share(s.pages.root.id)
    const err = await apiError(server.client(s.token).search({}))
    expect([err.status, err.code, err.message]).toEqual([
      403,
      APIErrorCode.RestrictedResource,
      'Insufficient permissions for this endpoint.',
    ])
  })

  describe('validation', () => {
    let s: Awaited<ReturnType<typeof seedBasic>>
    beforeAll(async () => {
      s = await seedBasic(server)
      await s.share(s.pages.root.id)
    })
    const post = async (body: string | undefined, version = '2025-09-03') => {
      const res = await server.raw('/v1/search', { token: s.token, method: 'POST', version, ...(body !== undefined ? { body } : {}) })
      return { status: res.status, body: (await res.json()) as Record<string, unknown> }
    }

    it('accepts no body and {}', async () => {
      for (const body of [undefined, '{}']) {
        const r = await post(body)
        expect(r.status).toBe(200)
        expect((r.body.results as unknown[]).length).toBe(3)
      }
    })

    it("answers type errors with Notion's messages, query before filter", async () => {
      const cases: [unknown, string, string?][] = [
        [{ query: 5 }, 'body failed validation: body.query should be a string or `undefined`, instead was `5`.'],
        [{ filter: 'page' }, 'body failed validation: body.filter should be an object or `undefined`, instead was `"page"`.'],
        [{ query: 5, filter: 'page' }, 'body failed validation: body.query should be a string or `undefined`, instead was `5`.'],
        [
          { filter: { property: 'object', value: 'block' } },
          'body failed validation: body.filter.value should be `"page"` or `"data_source"`, instead was `"block"`.',
        ],
        [
          { filter: { property: 'object', value: 'block' } },
          'body failed validation: body.filter.value should be `"page"` or `"database"`, instead was `"block"`.',
          '2022-06-28',
        ],
        [
          { filter: { property: 'title', value: 'page' } },
          'body failed validation: body.filter.property should be `"object"`, instead was `"title"`.',
        ],
        [{ filter: {} }, 'body failed validation: body.filter.property should be defined, instead was `undefined`.'],
        [
          { filter: { in_trash: 'yes' } },
          'body failed validation: body.filter.in_trash should be a boolean or `undefined`, instead was `"yes"`.',
        ],
        [
          { filter: { in_trash: true } },
          'body failed validation: body.filter.property should be defined, instead was `undefined`.',
          '2022-06-28',
        ],
        [{ sort: 'asc' }, 'body failed validation: body.sort should be an object or `undefined`, instead was `"asc"`.'],
        [
          { sort: { timestamp: 'last_edited_time', direction: 'up' } },
          'body failed validation: body.sort.direction should be `"ascending"` or `"descending"`, instead was `"up"`.',
        ],
        [
          { sort: { timestamp: 'created_time', direction: 'ascending' } },
          'body failed validation: body.sort.timestamp should be `"last_edited_time"`, instead was `"created_time"`.',
        ],
        [
          { sort: { property: 'relevance' } },
          'body failed validation: body.sort.timestamp should be defined, instead was `undefined`.',
          '2022-06-28',
        ],
        [{ page_size: 101 }, 'body failed validation: body.page_size should be ≤ `100`, instead was `101`.'],
        [{ page_size: 0 }, 'body failed validation: body.page_size should be ≥ `1`, instead was `0`.'],
        [{ page_size: '10' }, 'body failed validation: body.page_size should be a number or `undefined`, instead was `"10"`.'],
        [{ start_cursor: 5 }, 'body failed validation: body.start_cursor should be a string or `undefined`, instead was `5`.'],
        [
          { start_cursor: 'nope' },
          'body failed validation: body.start_cursor should be a cursor returned by this endpoint, instead was `"nope"`.',
        ],
        [{ colour: 'red' }, 'body failed validation: body.colour should be not present, instead was `"red"`.'],
        [[1], 'body failed validation: body should be an object, instead was `[1]`.'],
      ]
      for (const [body, message, version] of cases) {
        const r = await post(JSON.stringify(body), version)
        expect(r, JSON.stringify(body)).toMatchObject({
          status: 400,
          body: { object: 'error', status: 400, code: 'validation_error', message },
        })
      }
    })

    it('accepts sort by relevance (2025+) and a null start_cursor', async () => {
      expect((await post(JSON.stringify({ sort: { property: 'relevance' }, start_cursor: null }))).status).toBe(200)
    })

    it('answers a non-JSON body with invalid_json', async () => {
      expect(await post('{nope')).toMatchObject({ status: 400, body: { code: 'invalid_json', message: 'Error parsing JSON body.' } })
    })
  })
})
