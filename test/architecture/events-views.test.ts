import type { Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lastEventSeq, listEvents, type ChangeEvent } from '../../src/storage/repositories/events.repository.js'
import { buildDatabase, connectedWorkspace } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Change events of view writes (docs/adr/0015-change-events.md, docs/adr/0020-views-and-versions.md):
 * `POST /v1/views` appends `view.created` (`data.view_type`), `PATCH` `view.updated`
 * (`data.updated_fields`), `DELETE` `view.deleted`; a widget also updates its dashboard. View
 * queries append nothing (per-token caches, not content). A refused write appends none.
 */
describe('view change events', () => {
  let server: TestServer
  let notion: Client
  let bot: string
  let databaseId: string
  let dsId: string

  beforeAll(async () => {
    server = await startTestServer()
    const w = await connectedWorkspace(server)
    notion = w.notion
    bot = `bot:${w.s.connection.bot_id}`
    const built = await buildDatabase(notion, w.s.pages.root.id, { title: 'Ev', properties: { Name: { title: {} }, N: { number: {} } } })
    databaseId = built.database.id
    dsId = built.dataSourceId
  })
  afterAll(async () => server.stop())

  async function eventsOf(fn: () => Promise<unknown>): Promise<ChangeEvent[]> {
    const after = await lastEventSeq(server.deps.store.db)
    await fn()
    return listEvents(server.deps.store.db, { afterSeq: after })
  }
  const summary = (events: ChangeEvent[]) => events.map((e) => [e.type, e.objectId, e.actor, e.data])

  it('create, update, delete: exactly their events, with the caller as actor', async () => {
    let id = ''
    const created = await eventsOf(async () => {
      id = (await notion.views.create({ data_source_id: dsId, database_id: databaseId, name: 'T', type: 'table' })).id
    })
    expect(summary(created)).toEqual([['view.created', id, bot, { view_type: 'table', database_id: databaseId, data_source_id: dsId }]])
    const second = (await notion.views.create({ data_source_id: dsId, database_id: databaseId, name: 'L', type: 'list' })).id
    const updated = await eventsOf(() => notion.views.update({ view_id: id, name: 'T2', sorts: null }))
    expect(summary(updated)).toEqual([['view.updated', id, bot, { updated_fields: ['name', 'sorts'] }]])
    const deleted = await eventsOf(() => notion.views.delete({ view_id: second }))
    expect(summary(deleted)).toEqual([['view.deleted', second, bot, { view_type: 'list', database_id: databaseId }]])
  })

  it('a widget: view.created for it and view.updated (configuration) for its dashboard; deleting it likewise', async () => {
    const dash = (await notion.views.create({ data_source_id: dsId, database_id: databaseId, name: 'D', type: 'dashboard' })).id
    let widget = ''
    const events = await eventsOf(async () => {
      widget = (
        await notion.views.create({
          data_source_id: dsId,
          view_id: dash,
          name: 'W',
          type: 'chart',
          configuration: { type: 'chart', chart_type: 'number' },
        })
      ).id
    })
    expect(events.map((e) => [e.type, e.objectId])).toEqual([
      ['view.created', widget],
      ['view.updated', dash],
    ])
    expect(events[1]?.data).toEqual({ updated_fields: ['configuration'] })
    const gone = await eventsOf(() => notion.views.delete({ view_id: widget }))
    expect(gone.map((e) => [e.type, e.objectId])).toEqual([
      ['view.updated', dash],
      ['view.deleted', widget],
    ])
  })

  it('view queries append nothing; refused writes append nothing', async () => {
    const v = (await notion.views.create({ data_source_id: dsId, database_id: databaseId, name: 'Q', type: 'table' })).id
    const dash = (await notion.views.create({ data_source_id: dsId, database_id: databaseId, name: 'D2', type: 'dashboard' })).id
    expect(
      await eventsOf(async () => {
        const q = await notion.views.queries.create({ view_id: v })
        await notion.views.queries.results({ view_id: v, query_id: q.id })
        await notion.views.queries.delete({ view_id: v, query_id: q.id })
      }),
    ).toEqual([])
    expect(
      await eventsOf(async () => {
        await apiError(
          notion.views.create({
            data_source_id: dsId,
            database_id: databaseId,
            name: 'x',
            type: 'table',
            filter: { property: 'Nope', number: { equals: 1 } } as never,
          }),
        )
        await apiError(notion.views.update({ view_id: v, sorts: [{ property: 'Nope', direction: 'ascending' }] as never }))
        // Refused after the widget row was written: the transaction (and its event) rolls back.
        await apiError(
          notion.views.create({
            data_source_id: dsId,
            view_id: dash,
            name: 'x',
            type: 'table',
            placement: { type: 'existing_row', row_index: 5 },
          }),
        )
      }),
    ).toEqual([])
    expect((await notion.views.list({ database_id: databaseId })).results.map((r) => r.id)).not.toContain(undefined)
    const all = await server.deps.store.db.selectFrom('view').select('name').where('database_id', '=', databaseId).execute()
    expect(all.map((r) => r.name)).not.toContain('x')
  })
})
