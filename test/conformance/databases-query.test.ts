import { APIErrorCode, collectPaginatedAPI } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDatabase, buildRow, connectedWorkspace, rt } from '../support/factories.js'
import { apiError, startTestServer, steppingClock, type TestServer } from '../support/harness.js'

/**
 * `POST /v1/data_sources/{id}/query` and the legacy `POST /v1/databases/{id}/query` through the SDK
 * (docs/reference/notion-api.md §1.4, §1.5, §2.12, §2.13): each filter family, sorts, pagination, filter_properties,
 * trash, and validation errors.
 */

describe('data source queries', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ clock: steppingClock('2024-03-11T12:00:00.000Z') })
  })
  afterAll(async () => {
    await server.stop()
  })

  async function setup() {
    const { s, notion } = await connectedWorkspace(server)
    const { database: db, dataSourceId: dsId } = await buildDatabase(notion, s.pages.root.id, {
      title: 'Tasks',
      properties: {
        Name: { title: {} },
        Notes: { rich_text: {} },
        Score: { number: {} },
        Done: { checkbox: {} },
        Kind: { select: { options: [{ name: 'Bug' }, { name: 'Feature' }] } },
        Tags: { multi_select: {} },
        Stage: { status: {} },
        Due: { date: {} },
        Owner: { people: {} },
        Link: { url: {} },
      },
    })
    const add = (name: string, props: Record<string, unknown> = {}) => buildRow(notion, dsId, name, props)
    const alpha = await add('Alpha', {
      Score: { number: 3 },
      Done: { checkbox: true },
      Kind: { select: { name: 'Bug' } },
      Tags: { multi_select: [{ name: 'x' }] },
      Due: { date: { start: '2024-03-01' } },
      Owner: { people: [{ id: s.owner.id }] },
      Notes: { rich_text: rt('urgent fix') },
    })
    const beta = await add('Beta', {
      Score: { number: 10 },
      Kind: { select: { name: 'Feature' } },
      Tags: { multi_select: [{ name: 'x' }, { name: 'y' }] },
      Stage: { status: { name: 'Done' } },
      Due: { date: { start: '2024-04-01T10:00:00Z' } },
      Link: { url: 'https://beta.example' },
    })
    const gamma = await add('Gamma')
    await notion.dataSources.update({
      data_source_id: dsId,
      properties: { Parent: { relation: { data_source_id: dsId, single_property: {} } } },
    })
    await notion.pages.update({ page_id: gamma, properties: { Parent: { relation: [{ id: alpha }] } } })
    return { s, notion, db, dsId, alpha, beta, gamma }
  }

  it('filters by each condition family', async () => {
    const { s, notion, dsId, alpha, beta, gamma } = await setup()
    const q = async (filter: unknown) =>
      (await notion.dataSources.query({ data_source_id: dsId, filter: filter as never })).results.map((r) => r.id)
    expect(await q({ property: 'Name', title: { contains: 'ta' } })).toEqual([beta])
    expect(await q({ property: 'Notes', rich_text: { starts_with: 'URGENT' } })).toEqual([alpha])
    expect(await q({ property: 'Link', url: { is_not_empty: true } })).toEqual([beta])
    expect(await q({ property: 'Score', number: { greater_than_or_equal_to: 3 } })).toEqual([beta, alpha])
    expect(await q({ property: 'Score', number: { is_empty: true } })).toEqual([gamma])
    expect(await q({ property: 'Done', checkbox: { equals: false } })).toEqual([gamma, beta])
    expect(await q({ property: 'Kind', select: { equals: 'Feature' } })).toEqual([beta])
    expect(await q({ property: 'Stage', status: { does_not_equal: 'Done' } })).toEqual([gamma, alpha])
    expect(await q({ property: 'Tags', multi_select: { contains: 'y' } })).toEqual([beta])
    expect(await q({ property: 'Due', date: { on_or_after: '2024-03-02' } })).toEqual([beta])
    expect(await q({ property: 'Due', date: { before: '2024-04-01T10:00:00Z' } })).toEqual([alpha])
    expect(await q({ property: 'Due', date: { is_empty: true } })).toEqual([gamma])
    expect(await q({ property: 'Owner', people: { contains: s.owner.id } })).toEqual([alpha])
    expect(await q({ property: 'Parent', relation: { contains: alpha } })).toEqual([gamma])
    expect(await q({ timestamp: 'created_time', created_time: { on_or_after: '2024-01-01' } })).toEqual([gamma, beta, alpha])
    expect(await q({ timestamp: 'last_edited_time', last_edited_time: { before: '2020-01-01' } })).toEqual([])
    expect(
      await q({
        or: [
          { property: 'Kind', select: { equals: 'Bug' } },
          {
            and: [
              { property: 'Score', number: { is_empty: true } },
              { property: 'Name', title: { equals: 'gamma' } },
            ],
          },
        ],
      }),
    ).toEqual([gamma, alpha])
  })

  it('sorts by property and timestamp, several at once; default is newest created first', async () => {
    const { notion, dsId, alpha, beta, gamma } = await setup()
    const ids = async (sorts?: unknown) =>
      (await notion.dataSources.query({ data_source_id: dsId, ...(sorts ? { sorts: sorts as never } : {}) })).results.map((r) => r.id)
    expect(await ids()).toEqual([gamma, beta, alpha])
    expect(await ids([{ property: 'Name', direction: 'ascending' }])).toEqual([alpha, beta, gamma])
    expect(await ids([{ property: 'Score', direction: 'descending' }])).toEqual([beta, alpha, gamma])
    expect(await ids([{ timestamp: 'created_time', direction: 'ascending' }])).toEqual([alpha, beta, gamma])
    expect(
      await ids([
        { property: 'Done', direction: 'ascending' },
        { property: 'Name', direction: 'descending' },
      ]),
    ).toEqual([gamma, beta, alpha])
  })

  it('paginates with page_size and next_cursor (null on the last page)', async () => {
    const { notion, dsId } = await setup()
    for (let i = 0; i < 4; i++)
      await notion.pages.create({ parent: { data_source_id: dsId }, properties: { Name: { title: rt(`extra ${i}`) } } })
    const first = await notion.dataSources.query({ data_source_id: dsId, page_size: 3 })
    expect(first.object).toBe('list')
    expect(first.type).toBe('page_or_data_source')
    expect(first).toHaveProperty('page_or_data_source', {})
    expect(first.results).toHaveLength(3)
    expect(first.has_more).toBe(true)
    expect(first.next_cursor).toEqual(expect.any(String))
    const all = await collectPaginatedAPI(notion.dataSources.query, { data_source_id: dsId, page_size: 3 })
    expect(all).toHaveLength(7)
    expect(new Set(all.map((r) => r.id)).size).toBe(7)
    const last = await notion.dataSources.query({ data_source_id: dsId, page_size: 3, start_cursor: all[6]?.id as string })
    expect(last.results).toHaveLength(1)
    expect(last.has_more).toBe(false)
    expect(last.next_cursor).toBeNull()
  })

  it('limits properties with filter_properties (names or ids)', async () => {
    const { notion, dsId } = await setup()
    const ds = (await notion.dataSources.retrieve({ data_source_id: dsId })) as any
    const res = await notion.dataSources.query({ data_source_id: dsId, filter_properties: ['Name', ds.properties.Score.id] })
    for (const r of res.results as any[]) expect(Object.keys(r.properties).sort()).toEqual(['Name', 'Score'])
  })

  it('leaves trashed rows out unless in_trash is true', async () => {
    const { notion, dsId, alpha, beta, gamma } = await setup()
    await notion.pages.update({ page_id: beta, in_trash: true })
    expect((await notion.dataSources.query({ data_source_id: dsId })).results.map((r) => r.id)).toEqual([gamma, alpha])
    const withTrash = await notion.dataSources.query({ data_source_id: dsId, in_trash: true })
    expect(withTrash.results.map((r) => r.id)).toEqual([gamma, beta, alpha])
  })

  it('answers the legacy databases/{id}/query under 2022-06-28 with page_or_database results', async () => {
    const { s, db, alpha } = await setup()
    const res = await server.raw(`/v1/databases/${db.id}/query?filter_properties=Name`, {
      token: s.token,
      version: '2022-06-28',
      method: 'POST',
      body: JSON.stringify({ filter: { property: 'Kind', select: { equals: 'Bug' } } }),
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as any
    expect(body.object).toBe('list')
    expect(body.type).toBe('page_or_database')
    expect(body.page_or_database).toEqual({})
    expect(body.results.map((r: any) => r.id)).toEqual([alpha])
    expect(body.results[0].parent).toEqual({ type: 'database_id', database_id: db.id })
    expect(Object.keys(body.results[0].properties)).toEqual(['Name'])
    expect(body.next_cursor).toBeNull()
    expect(body.has_more).toBe(false)
  })

  it('validates filters, sorts and paging with exact messages', async () => {
    const { notion, dsId } = await setup()
    const cases: [Record<string, unknown>, string][] = [
      [{ filter: { property: 'Nope', checkbox: { equals: true } } }, 'Could not find property with name or id: Nope.'],
      [
        { filter: { property: 'Score', title: { equals: 'x' } } },
        'body failed validation: body.filter: database property number does not match filter title.',
      ],
      [
        { filter: { and: [{ or: [{ and: [{ property: 'Done', checkbox: { equals: true } }] }] }] } },
        'body failed validation: body.filter.and[0].or[0].and should be not present, instead was `[{"property":"Done","checkbox":{"equals":true}}]`.',
      ],
      [
        { filter: { property: 'Done', checkbox: { equals: 'yes' } } },
        'body failed validation: body.filter.checkbox.equals should be a boolean, instead was `"yes"`.',
      ],
      [{ sorts: [{ property: 'Nope', direction: 'ascending' }] }, 'Could not find sort property with name or id: Nope.'],
      [{ page_size: 101 }, 'body failed validation: body.page_size should be ≤ `100`, instead was `101`.'],
      [{ limit: 5 }, 'body failed validation: body.limit should be not present, instead was `5`.'],
    ]
    for (const [body, message] of cases) {
      const err = await apiError(notion.request({ path: `data_sources/${dsId}/query`, method: 'post', body }))
      expect(err.code).toBe(APIErrorCode.ValidationError)
      expect(err.status).toBe(400)
      expect(err.message).toBe(message)
    }
  })
})
