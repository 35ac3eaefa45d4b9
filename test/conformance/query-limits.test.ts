import { APIErrorCode, collectAllDataSourceRows, collectPaginatedAPI, type Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { textRun } from '../../src/domain/rich-text.js'
import { newId } from '../../src/domain/ids.js'
import { subtreePrefix } from '../../src/storage/repositories/acl.repository.js'
import { findBlock, type BlockRow } from '../../src/storage/repositories/blocks.repository.js'
import { entriesOfRows } from '../../src/storage/repositories/data-source-values.repository.js'
import { findDataSource, schemaOf, type DataSourceRow } from '../../src/storage/repositories/data-sources.repository.js'
import { buildDatabase, connectedWorkspace } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Query limits and validation (docs/reference/notion-api.md §1.5, §2.12, §2.13, §3.3, §6): the 10,000-row cap per query
 * reported through `request_status`, cursor pagination, `page_size` bounds, and Notion's
 * `validation_error` texts for filters and sorts that do not fit the grammar or the schema.
 */

describe('query limits and validation', () => {
  let server: TestServer
  let notion: Client
  let dsId: string
  const ROWS = 10_050

  beforeAll(async () => {
    server = await startTestServer()
    const { s, notion: client } = await connectedWorkspace(server)
    notion = client
    const built = await buildDatabase(notion, s.pages.root.id, {
      title: 'Big',
      properties: { Name: { title: {} }, N: { number: {} }, Due: { date: {} } },
    })
    const db = built.database
    dsId = built.dataSourceId
    const ds = (await notion.dataSources.retrieve({ data_source_id: dsId })) as { properties: Record<string, { id: string }> }
    const nId = (ds.properties.N as { id: string }).id
    // Rows straight into the store in bulk (with their value-index entries, as the repositories
    // derive them), ten seconds apart so that the SDK's created_time windows can always advance.
    const database = await findBlock(server.deps.store.db, db.id)
    if (!database) throw new Error('database missing')
    const schema = schemaOf((await findDataSource(server.deps.store.db, dsId)) as DataSourceRow)
    const t0 = Date.parse('2024-01-01T00:00:00.000Z')
    const rows: BlockRow[] = []
    for (let i = 0; i < ROWS; i++) {
      const id = newId()
      const time = new Date(t0 + i * 10_000).toISOString()
      rows.push({
        id,
        workspace_id: s.workspace.id,
        type: 'child_page',
        parent_type: 'data_source_id',
        parent_id: dsId,
        page_id: id,
        position: 0,
        content: '{}',
        perm_root_id: database.perm_root_id,
        path: subtreePrefix(database),
        inherits: 1,
        title_text: `row ${i}`,
        properties: JSON.stringify({ title: [textRun(`Row ${i}`)], [nId]: i % 10 }),
        icon: null,
        cover: null,
        is_locked: 0,
        is_inline: 0,
        created_time: time,
        created_by: s.owner.id,
        last_edited_time: time,
        last_edited_by: s.owner.id,
        in_trash: 0,
      })
    }
    const entries = entriesOfRows(dsId, schema, rows)
    await server.deps.store.transaction(async (trx) => {
      for (let i = 0; i < rows.length; i += 500)
        await trx
          .insertInto('block')
          .values(rows.slice(i, i + 500))
          .execute()
      for (let i = 0; i < entries.length; i += 4000)
        await trx
          .insertInto('data_source_value')
          .values(entries.slice(i, i + 4000))
          .execute()
    })
    // The insert kept the event loop busy past the keep-alive timeout: let the server close the idle
    // pooled socket before the next request reuses it.
    await new Promise((resolve) => setTimeout(resolve, 200))
  }, 120_000)

  afterAll(async () => {
    await server.stop()
  })

  it('stops one query at 10,000 rows with request_status incomplete; the SDK helper reads past it', async () => {
    const first = await notion.dataSources.query({ data_source_id: dsId })
    expect(first.results).toHaveLength(100)
    expect(first.has_more).toBe(true)
    expect(first.request_status).toEqual({ type: 'complete' })
    const seen = new Set<string>()
    let cursor: string | undefined
    let last: Awaited<ReturnType<Client['dataSources']['query']>> | undefined
    let pages = 0
    do {
      last = await notion.dataSources.query({
        data_source_id: dsId,
        start_cursor: cursor,
        sorts: [{ timestamp: 'created_time', direction: 'ascending' }],
      })
      for (const r of last.results) seen.add(r.id)
      cursor = last.next_cursor ?? undefined
      pages++
    } while (cursor)
    expect(pages).toBe(100)
    expect(seen.size).toBe(10_000)
    expect(last.has_more).toBe(false)
    expect(last.next_cursor).toBeNull()
    expect(last.request_status).toEqual({ type: 'incomplete', incomplete_reason: 'query_result_limit_reached' })
    // The SDK's own workaround (created_time windows) yields every row exactly once.
    const all = await collectAllDataSourceRows(notion, { data_source_id: dsId })
    expect(all).toHaveLength(ROWS)
    expect(new Set(all.map((r) => r.id)).size).toBe(ROWS)
  }, 120_000)

  it('a query under the cap is complete; page_size and cursors page through it', async () => {
    const filter = { property: 'N', number: { equals: 7 } }
    const all = await collectPaginatedAPI(notion.dataSources.query, { data_source_id: dsId, filter, page_size: 100 })
    expect(all).toHaveLength(1005)
    const page = await notion.dataSources.query({
      data_source_id: dsId,
      filter,
      page_size: 5,
      sorts: [{ property: 'Name', direction: 'descending' }],
    })
    expect(page.results).toHaveLength(5)
    expect(page.request_status).toEqual({ type: 'complete' })
    const next = await notion.dataSources.query({
      data_source_id: dsId,
      filter,
      page_size: 5,
      sorts: [{ property: 'Name', direction: 'descending' }],
      start_cursor: page.next_cursor as string,
    })
    expect(next.results[0]?.id).toBe(page.next_cursor)
    expect(new Set([...page.results, ...next.results].map((r) => r.id)).size).toBe(10)
    // A cursor that is not a row of this data source ends the listing.
    const stray = await notion.dataSources.query({ data_source_id: dsId, start_cursor: '11111111-1111-4111-8111-111111111111' })
    expect(stray).toMatchObject({ results: [], has_more: false, next_cursor: null })
  })

  it('filter_properties limits the properties of each result', async () => {
    const res = await notion.dataSources.query({ data_source_id: dsId, page_size: 3, filter_properties: ['N'] })
    for (const r of res.results as { properties: Record<string, unknown> }[]) expect(Object.keys(r.properties)).toEqual(['N'])
  })

  it('answers filters and sorts that do not fit with validation_error and Notion’s texts', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ filter: { property: 'Nope', number: { equals: 1 } } }, 'Could not find property with name or id: Nope.'],
      [
        { filter: { property: 'N', select: { equals: 'x' } } },
        'body failed validation: body.filter: database property number does not match filter select.',
      ],
      [
        { filter: { property: 'N', number: { equals: '1' } } },
        'body failed validation: body.filter.number.equals should be a number, instead was `"1"`.',
      ],
      [
        { filter: { property: 'Name', title: { contains: 5 } } },
        'body failed validation: body.filter.title.contains should be a string, instead was `5`.',
      ],
      [
        { filter: { property: 'Name', title: { is_empty: false } } },
        'body failed validation: body.filter.title.is_empty should be `true`, instead was `false`.',
      ],
      [
        { filter: { property: 'N', number: { bigger: 1 } } },
        'body failed validation: body.filter.number.bigger should be not present, instead was `1`.',
      ],
      [
        { filter: { property: 'Due', date: { after: 'soon' } } },
        'body failed validation: body.filter.date.after should be a valid ISO 8601 date string or a relative date, instead was `"soon"`.',
      ],
      [
        { filter: { property: 'Due', date: { past_week: true } } },
        'body failed validation: body.filter.date.past_week should be an empty object, instead was `true`.',
      ],
      [
        { filter: { timestamp: 'created_time', property: 'Name', created_time: { after: '2024-01-01' } } },
        'body failed validation: body.filter.property should be not present, instead was `"Name"`.',
      ],
      [
        { filter: { timestamp: 'edited', edited: {} } },
        'body failed validation: body.filter.timestamp should be `"created_time"` or `"last_edited_time"`, instead was `"edited"`.',
      ],
      [
        { filter: { or: [{ and: [{ or: [] }] }] } },
        'body failed validation: body.filter.or[0].and[0].or should be not present, instead was `[]`.',
      ],
      [{ filter: { and: {} } }, 'body failed validation: body.filter.and should be an array, instead was `{}`.'],
      [{ filter: 'N' }, 'body failed validation: body.filter should be an object, instead was `"N"`.'],
      [{ sorts: [{ property: 'Nope', direction: 'ascending' }] }, 'Could not find sort property with name or id: Nope.'],
      [
        { sorts: [{ property: 'N', direction: 'up' }] },
        'body failed validation: body.sorts[0].direction should be `"ascending"` or `"descending"`, instead was `"up"`.',
      ],
      [
        { sorts: [{ timestamp: 'created', direction: 'ascending' }] },
        'body failed validation: body.sorts[0].timestamp should be `"created_time"` or `"last_edited_time"`, instead was `"created"`.',
      ],
      [{ sorts: { property: 'N' } }, 'body failed validation: body.sorts should be an array, instead was `{"property":"N"}`.'],
      [{ page_size: 0 }, 'body failed validation: body.page_size should be ≥ `1`, instead was `0`.'],
      [{ page_size: 101 }, 'body failed validation: body.page_size should be ≤ `100`, instead was `101`.'],
    ]
    for (const [body, message] of cases) {
      const err = await apiError(notion.request({ path: `data_sources/${dsId}/query`, method: 'post', body }))
      expect(err.code, JSON.stringify(body)).toBe(APIErrorCode.ValidationError)
      expect(err.status).toBe(400)
      expect(err.message, JSON.stringify(body)).toBe(message)
    }
  })
})
