import { APIErrorCode, type Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setPageAccess } from '../../src/services/page-permissions.service.js'
import { createPat } from '../../src/services/pats.service.js'
import { setPassword } from '../../src/services/portal-auth.service.js'
import { sessionCookie } from '../support/oauth.js'
import { VIEW_TYPES } from '../../src/api/views/views.schemas.js'
import { buildConnection, buildDatabase, buildRow, connectedWorkspace, rt } from '../support/factories.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import type { Clock } from '../../src/domain/clock.js'

/**
 * `/v1/views` through the official SDK 5.26 (docs/reference/notion-api-2026.md §4;
 * docs/views-and-versions.md): the eight endpoints with Notion's shapes, every view type, filters
 * and sorts checked by the data-source query engine (same messages), view queries run with the
 * caller's permissions and kept for paging until they expire, and every refusal.
 */

const PROPS = {
  Name: { title: {} },
  Status: { select: { options: [{ name: 'Open' }, { name: 'Done' }] } },
  Score: { number: {} },
  Due: { date: {} },
  Tags: { multi_select: { options: [{ name: 'a' }] } },
  Done: { checkbox: {} },
  Place: { rich_text: {} },
}

/** A clock the test moves by hand. */
function manualClock(start: string): Clock & { advance(ms: number): void } {
  let t = Date.parse(start)
  return { now: () => t, advance: (ms) => (t += ms) }
}

describe('views', () => {
  let server: TestServer
  const clock = manualClock('2026-11-01T10:00:00.000Z')
  let notion: Client
  let s: Awaited<ReturnType<typeof connectedWorkspace>>['s']
  let databaseId: string
  let dsId: string
  const rows: string[] = []

  beforeAll(async () => {
    server = await startTestServer({ clock })
    ;({ s, notion } = await connectedWorkspace(server))
    const built = await buildDatabase(notion, s.pages.root.id, { title: 'Tasks', properties: PROPS as never })
    databaseId = built.database.id
    dsId = built.dataSourceId
    for (let i = 0; i < 5; i++) {
      clock.advance(1000)
      rows.push(await buildRow(notion, dsId, `Task ${i}`, { Score: { number: i }, Status: { select: { name: i % 2 ? 'Done' : 'Open' } } }))
    }
  })
  afterAll(async () => server.stop())

  const table = (name = 'All') => notion.views.create({ data_source_id: dsId, database_id: databaseId, name, type: 'table' })

  it('creates a table view: the full view object in the SDK key order', async () => {
    const v = (await notion.views.create({
      data_source_id: dsId,
      database_id: databaseId,
      name: 'Open tasks',
      type: 'table',
      filter: { property: 'Status', select: { equals: 'Open' } } as never,
      sorts: [{ property: 'Score', direction: 'descending' }] as never,
      configuration: { type: 'table', properties: [{ property_id: 'Score', visible: true, width: 120 }], wrap_cells: true },
    })) as any
    expect(Object.keys(v)).toEqual([
      'object',
      'id',
      'parent',
      'name',
      'type',
      'created_time',
      'last_edited_time',
      'url',
      'data_source_id',
      'created_by',
      'last_edited_by',
      'filter',
      'sorts',
      'quick_filters',
      'configuration',
      'request_id',
    ])
    const me = await notion.users.me({})
    expect(v).toMatchObject({
      object: 'view',
      parent: { type: 'database_id', database_id: databaseId },
      name: 'Open tasks',
      type: 'table',
      data_source_id: dsId,
      created_by: { object: 'user', id: me.id },
      filter: { property: 'Status', select: { equals: 'Open' } } as never,
      sorts: [{ property: 'Score', direction: 'descending' }] as never,
      quick_filters: null,
      configuration: { type: 'table', wrap_cells: true },
    })
    expect(v.url).toBe(`${server.deps.publicUrl}/${databaseId.replace(/-/g, '')}?v=${v.id.replace(/-/g, '')}`)
    // The property is stored by id and reported with its name.
    expect(v.configuration.properties[0]).toMatchObject({ property_name: 'Score', visible: true, width: 120 })
    expect(v.configuration.properties[0].property_id).not.toBe('Score')
    const again = await notion.views.retrieve({ view_id: v.id })
    expect({ ...again, request_id: '' }).toEqual({ ...v, request_id: '' })
  })

  it('creates every view type the API exposes, with its configuration', async () => {
    const schema = (await notion.dataSources.retrieve({ data_source_id: dsId })) as any
    const id = (name: string) => schema.properties[name].id as string
    const configs: Record<string, unknown> = {
      table: { type: 'table', group_by: { type: 'select', property_id: 'Status', sort: { type: 'ascending' } } },
      board: { type: 'board', group_by: { type: 'select', property_id: id('Status'), sort: { type: 'manual' } }, card_layout: 'compact' },
      list: { type: 'list', properties: [{ property_id: 'Name' }] },
      calendar: { type: 'calendar', date_property_id: 'Due', view_range: 'week' },
      timeline: { type: 'timeline', date_property_id: 'Due', preference: { zoom_level: 'month' } },
      gallery: { type: 'gallery', cover: { type: 'page_cover' }, cover_size: 'large' },
      form: { type: 'form', is_form_closed: false, submission_permissions: 'reader' },
      chart: { type: 'chart', chart_type: 'number', value: { aggregator: 'sum', property_id: 'Score' } },
      map: { type: 'map', height: 'large', map_by: 'Place' },
      dashboard: undefined,
    }
    expect(Object.keys(configs)).toEqual([...VIEW_TYPES])
    for (const type of VIEW_TYPES) {
      const v = (await notion.views.create({
        data_source_id: dsId,
        database_id: databaseId,
        name: `${type} view`,
        type,
        ...(configs[type] ? { configuration: configs[type] as never } : {}),
      })) as any
      expect(v.type).toBe(type)
      if (type === 'dashboard') {
        expect(v.data_source_id).toBeNull()
        expect(v.configuration).toEqual({ type: 'dashboard', rows: [] })
      } else expect(v.configuration.type).toBe(type)
    }
    const cal = (await notion.views.create({
      data_source_id: dsId,
      database_id: databaseId,
      name: 'cal',
      type: 'calendar',
      configuration: { type: 'calendar', date_property_id: 'Due' },
    })) as any
    expect(cal.configuration).toMatchObject({ date_property_id: id('Due'), date_property_name: 'Due' })
  })

  it('refuses bad configurations with validation_error', async () => {
    const bad = async (body: Record<string, unknown>) =>
      apiError(notion.views.create({ data_source_id: dsId, database_id: databaseId, name: 'x', type: 'board', ...body } as never))
    const noGroup = await bad({ configuration: { type: 'board' } })
    expect(noGroup.code).toBe(APIErrorCode.ValidationError)
    expect(noGroup.message).toContain('body.configuration.group_by should be defined')
    const mismatch = await bad({
      configuration: { type: 'board', group_by: { type: 'status', property_id: 'Status', group_by: 'group', sort: { type: 'manual' } } },
    })
    expect(mismatch.message).toBe('body failed validation: body.configuration.group_by.type should be `"select"`, instead was `"status"`.')
    const wrongType = await bad({ type: 'list', configuration: { type: 'table' } })
    expect(wrongType.message).toBe('body failed validation: body.configuration.type should be `"list"`, instead was `"table"`.')
    const unknownProp = await bad({ type: 'calendar', configuration: { type: 'calendar', date_property_id: 'Nope' } })
    expect(unknownProp.message).toContain('Could not find property with name or id: Nope.')
    const twoTargets = await apiError(
      notion.views.create({ data_source_id: dsId, database_id: databaseId, view_id: databaseId, name: 'x', type: 'table' }),
    )
    expect(twoTargets.code).toBe(APIErrorCode.ValidationError)
    const none = await apiError(notion.views.create({ data_source_id: dsId, name: 'x', type: 'table' }))
    expect(none.code).toBe(APIErrorCode.ValidationError)
    const width0 = await bad({ type: 'table', configuration: { type: 'table', properties: [{ property_id: 'Name', width: 0 }] } })
    expect(width0.code).toBe(APIErrorCode.ValidationError)
  })

  it('checks filters and sorts with the data-source query engine: the same messages', async () => {
    const cases: { filter?: unknown; sorts?: unknown }[] = [
      { filter: { property: 'Nope', select: { equals: 'x' } } },
      { filter: { property: 'Score', number: { equals: 'ten' } } },
      { filter: { property: 'Status', checkbox: { equals: true } } },
      { filter: { or: [{ and: [{ or: [{ property: 'Score', number: { equals: 1 } }] }] }] } },
      { sorts: [{ property: 'Nope', direction: 'ascending' }] },
      { sorts: [{ property: 'Score', direction: 'up' }] },
    ]
    for (const c of cases) {
      const fromQuery = await apiError(notion.dataSources.query({ data_source_id: dsId, ...(c as object) }))
      const fromCreate = await apiError(
        notion.views.create({ data_source_id: dsId, database_id: databaseId, name: 'x', type: 'table', ...(c as object) }),
      )
      expect(fromCreate.code).toBe(APIErrorCode.ValidationError)
      expect(fromCreate.message).toBe(fromQuery.message)
      const v = await table('checked')
      const fromUpdate = await apiError(notion.views.update({ view_id: v.id, ...(c as object) }))
      expect(fromUpdate.message).toBe(fromQuery.message)
    }
    const quick = await apiError(
      notion.views.create({
        data_source_id: dsId,
        database_id: databaseId,
        name: 'x',
        type: 'table',
        quick_filters: { Nope: {} },
      } as never),
    )
    expect(quick.message).toContain('Could not find property with name or id: Nope.')
  })

  it('updates: name, filter and sorts (null clears), quick filters by key, configuration shallow merge', async () => {
    const v = (await notion.views.create({
      data_source_id: dsId,
      database_id: databaseId,
      name: 'Board',
      type: 'board',
      quick_filters: { Status: { select: { equals: 'Open' } }, Score: {} },
      configuration: { type: 'board', group_by: { type: 'select', property_id: 'Status', sort: { type: 'manual' } }, cover_size: 'small' },
    } as never)) as any
    clock.advance(60_000)
    const u = (await notion.views.update({
      view_id: v.id,
      name: 'Renamed',
      sorts: [{ property: 'Name', direction: 'ascending' }] as never,
      quick_filters: { Score: null } as never,
      configuration: {
        type: 'board',
        group_by: { type: 'select', property_id: 'Status', sort: { type: 'descending' } },
        cover_size: null,
        card_layout: 'list',
      } as never,
    })) as any
    expect(u.name).toBe('Renamed')
    expect(u.sorts).toEqual([{ property: 'Name', direction: 'ascending' }])
    expect(u.quick_filters).toEqual({ Status: { select: { equals: 'Open' } } })
    expect(u.configuration).toMatchObject({ type: 'board', card_layout: 'list', group_by: { type: 'select', property_name: 'Status' } })
    expect(u.configuration).not.toHaveProperty('cover_size')
    // When present, a configuration must carry its type's required fields (board: group_by).
    const partial = await apiError(notion.views.update({ view_id: v.id, configuration: { type: 'board', card_layout: 'list' } as never }))
    expect(partial.message).toBe('body failed validation: body.configuration.group_by should be defined, instead was `undefined`.')
    expect(u.last_edited_time).not.toBe(v.last_edited_time)
    const cleared = (await notion.views.update({ view_id: v.id, sorts: null, quick_filters: null })) as any
    expect(cleared.sorts).toBeNull()
    expect(cleared.quick_filters).toBeNull()
    const wrong = await apiError(notion.views.update({ view_id: v.id, configuration: { type: 'table' } }))
    expect(wrong.message).toBe('body failed validation: body.configuration.type should be `"board"`, instead was `"table"`.')
  })

  it('lists views by database and by data source, paginated, as references', async () => {
    const { s: s2, notion: n2 } = await connectedWorkspace(server)
    const { database, dataSourceId } = await buildDatabase(n2, s2.pages.root.id, { title: 'Few', properties: { Name: { title: {} } } })
    // Every new database has one table view, "Default view", its first tab.
    const fresh = await n2.views.list({ database_id: database.id })
    expect(fresh.results).toHaveLength(1)
    const dflt = fresh.results[0]?.id as string
    expect(await n2.views.retrieve({ view_id: dflt })).toMatchObject({
      name: 'Default view',
      type: 'table',
      data_source_id: dataSourceId,
      parent: { type: 'database_id', database_id: database.id },
      filter: null,
      sorts: null,
      configuration: null,
    })
    const made: string[] = []
    for (const name of ['A', 'B', 'C'])
      made.push((await n2.views.create({ data_source_id: dataSourceId, database_id: database.id, name, type: 'table' })).id)
    const first = (
      await n2.views.create({
        data_source_id: dataSourceId,
        database_id: database.id,
        name: 'First',
        type: 'list',
        position: { type: 'start' },
      })
    ).id
    const between = (
      await n2.views.create({
        data_source_id: dataSourceId,
        database_id: database.id,
        name: 'AB',
        type: 'list',
        position: { type: 'after_view', view_id: made[0] as string },
      })
    ).id
    const all = await n2.views.list({ database_id: database.id })
    expect(all).toMatchObject({ object: 'list', type: 'view', view: {}, has_more: false, next_cursor: null })
    expect(all.results).toEqual([first, dflt, made[0], between, made[1], made[2]].map((id) => ({ object: 'view', id })))
    const page1 = await n2.views.list({ data_source_id: dataSourceId, page_size: 2 })
    expect(page1.has_more).toBe(true)
    const page2 = await n2.views.list({ data_source_id: dataSourceId, page_size: 2, start_cursor: page1.next_cursor as string })
    const page3 = await n2.views.list({ data_source_id: dataSourceId, page_size: 2, start_cursor: page2.next_cursor as string })
    expect(page3.has_more).toBe(false)
    expect([...page1.results, ...page2.results, ...page3.results].map((r) => r.id)).toEqual([
      first,
      dflt,
      made[0],
      between,
      made[1],
      made[2],
    ])
    const neither = await apiError(n2.views.list({}))
    expect(neither.code).toBe(APIErrorCode.ValidationError)
    expect(neither.message).toBe(
      'query failed validation: query.database_id or query.data_source_id should be defined, instead was `undefined`.',
    )
  })

  it('deletes a view (partial object); the last view of a database cannot go', async () => {
    const { s: s2, notion: n2 } = await connectedWorkspace(server)
    const { database, dataSourceId } = await buildDatabase(n2, s2.pages.root.id, { title: 'Two', properties: { Name: { title: {} } } })
    const a = await n2.views.create({ data_source_id: dataSourceId, database_id: database.id, name: 'A', type: 'table' })
    const dflt = (await n2.views.list({ database_id: database.id })).results.find((r) => r.id !== a.id)?.id as string
    await n2.views.delete({ view_id: dflt })
    const b = await n2.views.create({ data_source_id: dataSourceId, database_id: database.id, name: 'B', type: 'gallery' })
    const gone = await n2.views.delete({ view_id: b.id })
    expect(gone).toEqual({
      object: 'view',
      id: b.id,
      parent: { type: 'database_id', database_id: database.id },
      type: 'gallery',
      request_id: expect.any(String),
    })
    const missing = await apiError(n2.views.retrieve({ view_id: b.id }))
    expect(missing.code).toBe(APIErrorCode.ObjectNotFound)
    expect(missing.message).toBe(
      `Could not find view with ID: ${b.id}. Make sure the relevant pages and databases are shared with your integration "Test Bot".`,
    )
    const last = await apiError(n2.views.delete({ view_id: a.id }))
    expect(last.code).toBe(APIErrorCode.ValidationError)
    expect(last.message).toBe('Cannot delete the last view of a database.')
    expect((await n2.views.retrieve({ view_id: a.id })).id).toBe(a.id)
  })

  it('quick filters narrow view queries (AND with the saved filter); an empty pill restricts nothing', async () => {
    // Rows: Task i has Score i; odd scores are Done, even are Open.
    const v = await notion.views.create({
      data_source_id: dsId,
      database_id: databaseId,
      name: 'Quick',
      type: 'table',
      sorts: [{ property: 'Score', direction: 'ascending' }] as never,
      quick_filters: { Status: { select: { equals: 'Open' } }, Score: {} } as never,
    })
    const ids = async () => (await notion.views.queries.create({ view_id: v.id })).results.map((r) => r.id)
    expect(await ids()).toEqual([rows[0], rows[2], rows[4]])
    // With a saved filter: both apply.
    await notion.views.update({ view_id: v.id, filter: { property: 'Score', number: { greater_than: 0 } } as never })
    expect(await ids()).toEqual([rows[2], rows[4]])
    // A saved `or` two levels deep keeps working under the quick filters' `and`.
    await notion.views.update({
      view_id: v.id,
      filter: {
        or: [
          {
            and: [
              { property: 'Score', number: { equals: 0 } },
              { property: 'Done', checkbox: { equals: false } },
            ],
          },
          { property: 'Score', number: { equals: 4 } },
          { property: 'Score', number: { equals: 1 } },
        ],
      } as never,
    })
    expect(await ids()).toEqual([rows[0], rows[4]])
    // Setting the empty pill narrows too; removing the Status pill leaves the saved filter alone.
    await notion.views.update({ view_id: v.id, quick_filters: { Score: { number: { less_than: 4 } }, Status: null } as never })
    expect(await ids()).toEqual([rows[0], rows[1]])
    await notion.views.update({ view_id: v.id, filter: null, quick_filters: null })
    expect(await ids()).toEqual(rows)
    // A quick filter is checked by the query engine, with its messages.
    const bad = await apiError(notion.views.update({ view_id: v.id, quick_filters: { Score: { number: { equals: 'x' } } } as never }))
    expect(bad.code).toBe(APIErrorCode.ValidationError)
  })

  it('dashboards: widgets placed in rows (at most 4), removed from the layout when deleted', async () => {
    const dash = await notion.views.create({ data_source_id: dsId, database_id: databaseId, name: 'Dash', type: 'dashboard' })
    const w = [] as string[]
    w.push(
      (
        await notion.views.create({
          data_source_id: dsId,
          view_id: dash.id,
          name: 'W0',
          type: 'chart',
          configuration: { type: 'chart', chart_type: 'donut' },
        })
      ).id,
    )
    for (let i = 1; i < 4; i++)
      w.push(
        (
          await notion.views.create({
            data_source_id: dsId,
            view_id: dash.id,
            name: `W${i}`,
            type: 'table',
            placement: { type: 'existing_row', row_index: 0 },
          })
        ).id,
      )
    const full = await apiError(
      notion.views.create({
        data_source_id: dsId,
        view_id: dash.id,
        name: 'W4',
        type: 'table',
        placement: { type: 'existing_row', row_index: 0 },
      }),
    )
    expect(full.code).toBe(APIErrorCode.ValidationError)
    const widget = (await notion.views.retrieve({ view_id: w[1] as string })) as any
    expect(widget.dashboard_view_id).toBe(dash.id)
    let d = (await notion.views.retrieve({ view_id: dash.id })) as any
    expect(d.configuration.rows).toHaveLength(1)
    expect(d.configuration.rows[0].widgets.map((x: any) => [x.view_id, x.width])).toEqual(w.map((id) => [id, 3]))
    await notion.views.delete({ view_id: w[0] as string })
    d = (await notion.views.retrieve({ view_id: dash.id })) as any
    expect(d.configuration.rows[0].widgets.map((x: any) => [x.view_id, x.width])).toEqual(w.slice(1).map((id) => [id, 4]))
    const nested = await apiError(notion.views.create({ data_source_id: dsId, view_id: dash.id, name: 'D', type: 'dashboard' }))
    expect(nested.code).toBe(APIErrorCode.ValidationError)
    const notDash = await apiError(notion.views.create({ data_source_id: dsId, view_id: w[1] as string, name: 'x', type: 'table' }))
    expect(notDash.message).toBe('body failed validation: body.view_id should be the id of a dashboard view.')
    const q = await apiError(notion.views.queries.create({ view_id: dash.id }))
    expect(q.code).toBe(APIErrorCode.ValidationError)
  })

  it('view queries: the saved filter and sorts, first page inline, paging, delete, expiry', async () => {
    const v = await notion.views.create({
      data_source_id: dsId,
      database_id: databaseId,
      name: 'By score',
      type: 'table',
      filter: { property: 'Score', number: { greater_than_or_equal_to: 1 } } as never,
      sorts: [{ property: 'Score', direction: 'descending' }] as never,
    })
    const q = await notion.views.queries.create({ view_id: v.id, page_size: 3 })
    expect(Object.keys(q)).toEqual([
      'object',
      'id',
      'view_id',
      'expires_at',
      'total_count',
      'results',
      'next_cursor',
      'has_more',
      'request_status',
      'request_id',
    ])
    const want = [rows[4], rows[3], rows[2], rows[1]] as string[]
    expect(q).toMatchObject({ object: 'view_query', view_id: v.id, total_count: 4, has_more: true, request_status: { type: 'complete' } })
    expect(q.results).toEqual(want.slice(0, 3).map((id) => ({ object: 'page', id })))
    expect(Date.parse(q.expires_at) - clock.now()).toBe(15 * 60 * 1000)
    // A row created after the query does not move its pages (the result is kept).
    await buildRow(notion, dsId, 'Late', { Score: { number: 9 } })
    const rest = await notion.views.queries.results({ view_id: v.id, query_id: q.id, start_cursor: q.next_cursor as string, page_size: 3 })
    expect(rest).toMatchObject({
      object: 'list',
      type: 'page',
      page: {},
      has_more: false,
      next_cursor: null,
      request_status: { type: 'complete' },
    })
    expect(rest.results).toEqual([{ object: 'page', id: want[3] }])
    const whole = await notion.views.queries.results({ view_id: v.id, query_id: q.id })
    expect(whole.results.map((r) => r.id)).toEqual(want)
    // Another token cannot page it.
    const other = await buildConnection(server, s, 'Other', { shareWith: [s.pages.root.id] })
    expect((await apiError(other.notion.views.queries.results({ view_id: v.id, query_id: q.id }))).code).toBe(APIErrorCode.ObjectNotFound)
    // Delete: idempotent; then 404 on read.
    expect(await notion.views.queries.delete({ view_id: v.id, query_id: q.id })).toMatchObject({
      object: 'view_query',
      id: q.id,
      deleted: true,
    })
    expect(await notion.views.queries.delete({ view_id: v.id, query_id: q.id })).toMatchObject({ deleted: true })
    expect((await apiError(notion.views.queries.results({ view_id: v.id, query_id: q.id }))).code).toBe(APIErrorCode.ObjectNotFound)
    // Expiry after 15 minutes.
    const q2 = await notion.views.queries.create({ view_id: v.id })
    expect(q2.total_count).toBe(5)
    clock.advance(15 * 60 * 1000 - 1)
    expect((await notion.views.queries.results({ view_id: v.id, query_id: q2.id })).results).toHaveLength(5)
    clock.advance(1)
    const expired = await apiError(notion.views.queries.results({ view_id: v.id, query_id: q2.id }))
    expect(expired.code).toBe(APIErrorCode.ObjectNotFound)
  })

  it('refusals: unknown view, unshared database, missing capabilities, wrong version', async () => {
    const v = await table('Refusals')
    const unknown = '4f0c3b2e-0000-4000-8000-000000000000'
    for (const call of [
      () => notion.views.retrieve({ view_id: unknown }),
      () => notion.views.update({ view_id: unknown, name: 'x' }),
      () => notion.views.delete({ view_id: unknown }),
      () => notion.views.queries.create({ view_id: unknown }),
      () => notion.views.queries.results({ view_id: unknown, query_id: unknown }),
      () => notion.views.queries.delete({ view_id: unknown, query_id: unknown }),
    ]) {
      const e = await apiError(call())
      expect(e.code).toBe(APIErrorCode.ObjectNotFound)
      expect(e.message).toContain(`Could not find view with ID: ${unknown}.`)
    }
    const bad = await apiError(notion.views.retrieve({ view_id: 'nope' }))
    expect(bad.message).toBe('path failed validation: path.view_id should be a valid uuid, instead was `"nope"`.')
    // A connection the database is not shared with sees nothing (404, never 403).
    const stranger = await buildConnection(server, s, 'Stranger')
    for (const call of [
      () => stranger.notion.views.retrieve({ view_id: v.id }),
      () => stranger.notion.views.update({ view_id: v.id, name: 'x' }),
      () => stranger.notion.views.queries.create({ view_id: v.id }),
    ])
      expect((await apiError(call())).code).toBe(APIErrorCode.ObjectNotFound)
    expect((await apiError(stranger.notion.views.list({ database_id: databaseId }))).code).toBe(APIErrorCode.ObjectNotFound)
    expect(
      (await apiError(stranger.notion.views.create({ data_source_id: dsId, database_id: databaseId, name: 'x', type: 'table' }))).code,
    ).toBe(APIErrorCode.ObjectNotFound)
    // Capabilities: read content for reads, insert or update content to create, update content to change.
    const readOnly = await buildConnection(server, s, 'Reader', {
      capabilities: { insertContent: false, updateContent: false },
      shareWith: [s.pages.root.id],
    })
    expect((await readOnly.notion.views.retrieve({ view_id: v.id })).id).toBe(v.id)
    for (const call of [
      () => readOnly.notion.views.create({ data_source_id: dsId, database_id: databaseId, name: 'x', type: 'table' }),
      () => readOnly.notion.views.update({ view_id: v.id, name: 'x' }),
      () => readOnly.notion.views.delete({ view_id: v.id }),
    ])
      expect((await apiError(call())).code).toBe(APIErrorCode.RestrictedResource)
    const insertOnly = await buildConnection(server, s, 'Inserter', {
      capabilities: { updateContent: false },
      shareWith: [s.pages.root.id],
    })
    expect((await insertOnly.notion.views.create({ data_source_id: dsId, database_id: databaseId, name: 'ins', type: 'list' })).type).toBe(
      'list',
    )
    const noRead = await buildConnection(server, s, 'Blind', { capabilities: { readContent: false }, shareWith: [s.pages.root.id] })
    for (const call of [
      () => noRead.notion.views.retrieve({ view_id: v.id }),
      () => noRead.notion.views.list({ database_id: databaseId }),
      () => noRead.notion.views.queries.create({ view_id: v.id }),
    ])
      expect((await apiError(call())).code).toBe(APIErrorCode.RestrictedResource)
    // Views need Notion-Version 2025-09-03 or later.
    const old = server.client(s.token, '2022-06-28')
    expect((await apiError(old.views.retrieve({ view_id: v.id }))).code).toBe(APIErrorCode.InvalidRequestURL)
    const none = await server.raw(`/v1/views/${v.id}`, { token: s.token, version: null })
    expect(((await none.json()) as { code: string }).code).toBe('missing_version')
  })
})

describe('view queries leave out rows the caller cannot open', () => {
  let server: TestServer
  afterAll(async () => server?.stop())

  it('a member PAT gets only the rows it can open, pages full; the owner gets all', async () => {
    server = await startTestServer()
    const s = await seedBasic(server)
    await server.deps.store.db.updateTable('workspace').set({ plan: 'plus' }).where('id', '=', s.workspace.id).execute()
    const owner = server.client((await createPat(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, name: 'olive' })).token)
    const member = server.client((await createPat(server.deps, { workspaceId: s.workspace.id, actorId: s.member.id, name: 'mia' })).token)
    const { database, dataSourceId } = await buildDatabase(owner, s.pages.root.id, {
      title: 'Salaries',
      properties: { Name: { title: {} }, Score: { number: {} } },
    })
    const rows: string[] = []
    for (let i = 0; i < 6; i++) rows.push(await buildRow(owner, dataSourceId, `Row ${i}`, { Score: { number: i } }))
    const hidden = [rows[1], rows[4]] as string[]
    for (const id of hidden) {
      await setPageAccess(server.deps, { pageId: id, actorId: s.owner.id, target: { type: 'user', id: s.owner.id }, level: 'full' })
      await setPageAccess(server.deps, { pageId: id, actorId: s.owner.id, target: { type: 'workspace' }, level: 'none' })
    }
    const v = await owner.views.create({
      data_source_id: dataSourceId,
      database_id: database.id,
      name: 'Ordered',
      type: 'table',
      sorts: [{ property: 'Score', direction: 'ascending' }] as never,
    })
    const mine = await member.views.queries.create({ view_id: v.id, page_size: 2 })
    expect(mine.total_count).toBe(4)
    const all = await member.views.queries.results({ view_id: v.id, query_id: mine.id })
    expect(all.results.map((r) => r.id)).toEqual(rows.filter((id) => !hidden.includes(id)))
    expect(JSON.stringify([mine, all])).not.toContain(hidden[0])
    const theirs = await owner.views.queries.create({ view_id: v.id })
    expect(theirs.results.map((r) => r.id)).toEqual(rows)
    // A view whose filter names only hidden rows gives the member an empty result.
    const only = await owner.views.create({
      data_source_id: dataSourceId,
      database_id: database.id,
      name: 'Hidden',
      type: 'list',
      filter: { property: 'Score', number: { equals: 4 } } as never,
    })
    expect((await member.views.queries.create({ view_id: only.id })).results).toEqual([])

    // The portal's database page: the views as tabs; the chosen one filters and orders the rows the
    // person can open (a table view as a table, a list view as a list).
    await setPassword(server.deps, s.member.id, 'correct horse battery')
    const cookie = await sessionCookie(server, s.member.id)
    const get = async (path: string) => (await fetch(`${server.url}${path}`, { headers: { cookie } })).text()
    // Without a choice the first tab shows: the database's default table view.
    const dflt = await get(`/w/${s.workspace.id}/pages/${database.id}`)
    expect(dflt).toContain('>Default view <span class="caption">table</span></strong>')
    const first = await get(`/w/${s.workspace.id}/pages/${database.id}?view=${v.id}`)
    expect(first).toContain('aria-label="Views"')
    expect(first).toContain('>Ordered <span class="caption">table</span></strong>')
    expect(first).toContain(`href="/w/${s.workspace.id}/pages/${database.id}?view=${only.id}"`)
    expect(first).toContain('<table class="view-table">')
    const order = [0, 2, 3, 5].map((i) => first.indexOf(`>Row ${i}</a>`))
    expect(order.every((x, i) => x > 0 && (i === 0 || x > (order[i - 1] as number)))).toBe(true)
    for (const id of hidden) expect(first).not.toContain(id)
    const listed = await get(`/w/${s.workspace.id}/pages/${database.id}?view=${only.id}`)
    expect(listed).toContain('>Hidden <span class="caption">list</span></strong>')
    expect(listed).toContain('This database has no rows.')
    void rt
  })
})
