import { APIErrorCode, isFullDataSource, type Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { textRun } from '../../src/domain/rich-text.js'
import { parseNewSchema } from '../../src/domain/schema.js'
import { createDatabase } from '../../src/services/databases-core.js'
import { createNode } from '../../src/services/tree.service.js'
import { buildDatabase, connectedWorkspace, rt } from '../support/factories.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Databases (containers) and data sources through the official SDK (docs/reference/notion-api.md §1.4, §1.5, §2.7, §2.8,
 * §1.12): shapes per Notion-Version, schema changes, version gating, permissions and errors.
 */

describe('databases and data sources', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => {
    await server.stop()
  })

  async function setup() {
    const { s, notion } = await connectedWorkspace(server)
    const { database: db, dataSourceId: dsId } = await buildDatabase(notion, s.pages.root.id, {
      title: 'Tasks',
      description: 'All the tasks',
      properties: {
        Name: { title: {} },
        Score: { number: { format: 'dollar' } },
        Kind: { select: { options: [{ name: 'Bug', color: 'red' }, { name: 'Feature' }] } },
        Stage: { status: {} },
        Notes: { rich_text: {} },
      },
    })
    return { s, notion, db, dsId }
  }

  it('creates a database (2025 shape) and returns data_sources without properties', async () => {
    const { s, db, dsId } = await setup()
    expect(db.object).toBe('database')
    expect(db.parent).toEqual({ type: 'page_id', page_id: s.pages.root.id })
    expect(db.title[0]?.plain_text).toBe('Tasks')
    expect(db.description[0]?.plain_text).toBe('All the tasks')
    expect(db.data_sources).toEqual([{ id: dsId, name: 'Tasks' }])
    expect(db).not.toHaveProperty('properties')
    expect(db.is_inline).toBe(false)
    expect(db.archived).toBe(false)
    expect(db.in_trash).toBe(false)
    expect(db.is_locked).toBe(false)
    expect(db.url).toMatch(/\/Tasks-[0-9a-f]{32}$/)
    expect(db.public_url).toBeNull()
  })

  it('retrieves a data source with its schema: ids, options, status defaults, number format', async () => {
    const { notion, db, dsId } = await setup()
    const ds = await notion.dataSources.retrieve({ data_source_id: dsId })
    if (!isFullDataSource(ds)) throw new Error('expected a full data source')
    expect(ds.parent).toEqual({ type: 'database_id', database_id: db.id })
    expect(ds.database_parent).toEqual(db.parent)
    expect(ds.title[0]?.plain_text).toBe('Tasks')
    expect(ds.archived).toBe(false)
    const p = ds.properties as Record<string, any>
    expect(p.Name).toEqual({ id: 'title', name: 'Name', description: null, type: 'title', title: {} })
    expect(p.Score.number).toEqual({ format: 'dollar' })
    expect(p.Score.id).toMatch(/^[A-Za-z0-9]{4}$/)
    expect(p.Kind.select.options.map((o: any) => [o.name, o.color])).toEqual([
      ['Bug', 'red'],
      ['Feature', 'default'],
    ])
    expect(p.Kind.select.options[0].id).toEqual(expect.any(String))
    expect(p.Stage.status.options.map((o: any) => o.name)).toEqual(['Not started', 'In progress', 'Done'])
    expect(p.Stage.status.groups.map((g: any) => [g.name, g.option_ids.length])).toEqual([
      ['To-do', 1],
      ['In progress', 1],
      ['Complete', 1],
    ])
    expect(p.Notes.rich_text).toEqual({})
  })

  it('retrieves a database per version: 2022 shows properties inline; 2026 drops archived', async () => {
    const { s, db } = await setup()
    const old = (await server.client(s.token, '2022-06-28').request({ path: `databases/${db.id}`, method: 'get' })) as Record<string, any>
    expect(old.object).toBe('database')
    expect(old).not.toHaveProperty('data_sources')
    expect(Object.keys(old.properties).sort()).toEqual(['Kind', 'Name', 'Notes', 'Score', 'Stage'])
    expect(old.properties.Name.id).toBe('title')
    expect(old.created_by).toEqual({ object: 'user', id: expect.any(String) })
    const newest = (await server.client(s.token, '2026-03-11').databases.retrieve({ database_id: db.id })) as Record<string, unknown>
    expect(newest).not.toHaveProperty('archived')
    expect(newest.in_trash).toBe(false)
  })

  it('creates a database with the 2022 shape (top-level properties) and refuses it under 2025', async () => {
    const s = await seedBasic(server)
    await s.share(s.pages.root.id)
    const old = server.client(s.token, '2022-06-28')
    const created = (await old.request({
      path: 'databases',
      method: 'post',
      body: { parent: { page_id: s.pages.root.id }, title: rt('Legacy'), properties: { Title: { title: {} }, Done: { checkbox: {} } } },
    })) as Record<string, any>
    expect(created.properties.Title.type).toBe('title')
    expect(created.properties.Done.type).toBe('checkbox')
    const noProps = await apiError(old.request({ path: 'databases', method: 'post', body: { parent: { page_id: s.pages.root.id } } }))
    expect(noProps.message).toBe('body failed validation: body.properties should be defined, instead was `undefined`.')
    const err = await apiError(
      server
        .client(s.token)
        .request({ path: 'databases', method: 'post', body: { parent: { page_id: s.pages.root.id }, properties: { T: { title: {} } } } }),
    )
    expect(err.code).toBe(APIErrorCode.ValidationError)
    expect(err.status).toBe(400)
    expect(err.message).toBe('body failed validation: body.properties should be not present, instead was `{"T":{"title":{}}}`.')
  })

  it('adds a title property when none is given, and refuses two', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const db = await notion.databases.create({ parent: { page_id: s.pages.root.id, type: 'page_id' } })
    const ds = (await notion.dataSources.retrieve({ data_source_id: (db as any).data_sources[0].id })) as any
    expect(ds.properties).toEqual({ Name: { id: 'title', name: 'Name', description: null, type: 'title', title: {} } })
    const err = await apiError(
      notion.databases.create({
        parent: { type: 'page_id', page_id: s.pages.root.id },
        initial_data_source: { properties: { A: { title: {} }, B: { title: {} } } },
      }),
    )
    expect(err.message).toBe(
      'body failed validation: body.initial_data_source.properties.B: a data source can have only one title property.',
    )
  })

  it('refuses workspace-level databases, unknown property types and bad configs', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const ws = await apiError(notion.databases.create({ parent: { type: 'workspace', workspace: true } }))
    expect(ws.code).toBe(APIErrorCode.ValidationError)
    expect(ws.message).toBe(
      'body failed validation: body.parent.workspace: internal connections cannot create workspace-level databases. Use a page_id parent.',
    )
    const badType = await apiError(
      notion.request({
        path: 'databases',
        method: 'post',
        body: { parent: { page_id: s.pages.root.id }, initial_data_source: { properties: { X: { sparkle: {} } } } },
      }),
    )
    expect(badType.message).toBe(
      'body failed validation: body.initial_data_source.properties.X.sparkle should be not present, instead was `{}`.',
    )
    const badColor = await apiError(
      notion.request({
        path: 'databases',
        method: 'post',
        body: {
          parent: { page_id: s.pages.root.id },
          initial_data_source: { properties: { K: { select: { options: [{ name: 'a', color: 'mauve' }] } } } },
        },
      }),
    )
    expect(badColor.message).toBe(
      'body failed validation: body.initial_data_source.properties.K.select.options[0].color should be `"default"`, `"gray"`, `"brown"`, `"orange"`, `"yellow"`, `"green"`, `"blue"`, `"purple"`, `"pink"`, or `"red"`, instead was `"mauve"`.',
    )
  })

  it('adds a data source; 2022 then refuses the multi-source database with additional_data', async () => {
    const { s, notion, db, dsId } = await setup()
    const second = await notion.dataSources.create({
      parent: { database_id: db.id },
      title: rt('Archive'),
      properties: { Label: { title: {} } },
    })
    if (!isFullDataSource(second)) throw new Error('expected a full data source')
    expect(second.parent).toEqual({ type: 'database_id', database_id: db.id })
    const again = await notion.databases.retrieve({ database_id: db.id })
    expect((again as any).data_sources).toEqual([
      { id: dsId, name: 'Tasks' },
      { id: second.id, name: 'Archive' },
    ])
    const old = server.client(s.token, '2022-06-28')
    for (const call of [
      () => old.request({ path: `databases/${db.id}`, method: 'get' }),
      () => old.request({ path: `databases/${db.id}/query`, method: 'post', body: {} }),
    ]) {
      const err = await apiError(call())
      expect(err.code).toBe(APIErrorCode.ValidationError)
      expect(err.status).toBe(400)
      expect(err.message).toBe('Databases with multiple data sources are not supported in this API version.')
      expect(err.additional_data).toEqual({
        error_type: 'multiple_data_sources_for_database',
        database_id: db.id,
        child_data_source_ids: [dsId, second.id],
        minimum_api_version: '2025-09-03',
      })
    }
  })

  it('changes the schema: add, rename with {name}, remove with null, keys by name or id', async () => {
    const { notion, dsId } = await setup()
    const before = (await notion.dataSources.retrieve({ data_source_id: dsId })) as any
    const scoreId = before.properties.Score.id
    const updated = (await notion.dataSources.update({
      data_source_id: dsId,
      properties: {
        [scoreId]: { name: 'Points' },
        Notes: null,
        Due: { date: {} },
        Kind: { select: { options: [{ name: 'Bug' }, { name: 'Chore', color: 'green' }] } },
        Name: { name: 'Task' },
      },
    })) as any
    expect(Object.keys(updated.properties).sort()).toEqual(['Due', 'Kind', 'Points', 'Stage', 'Task'])
    expect(updated.properties.Points.id).toBe(scoreId)
    expect(updated.properties.Points.number.format).toBe('dollar')
    expect(updated.properties.Task.id).toBe('title')
    expect(updated.properties.Kind.select.options.map((o: any) => o.name)).toEqual(['Bug', 'Chore'])
    expect(updated.properties.Kind.select.options[0].id).toBe(before.properties.Kind.select.options[0].id)
    const noTitleRemoval = await apiError(notion.dataSources.update({ data_source_id: dsId, properties: { Task: null } }))
    expect(noTitleRemoval.message).toBe('body failed validation: body.properties.Task: the title property cannot be removed.')
    const unknown = await apiError(notion.dataSources.update({ data_source_id: dsId, properties: { Ghost: null } }))
    expect(unknown.code).toBe(APIErrorCode.ValidationError)
    expect(unknown.message).toBe('Could not find property with name or id: Ghost.')
    const clash = await apiError(notion.dataSources.update({ data_source_id: dsId, properties: { Points: { name: 'Kind' } } }))
    expect(clash.message).toBe('body failed validation: body.properties.Points.name: a property named "Kind" already exists.')
  })

  it('changes the schema through PATCH /v1/databases under 2022-06-28', async () => {
    const { s, db, notion, dsId } = await setup()
    const old = server.client(s.token, '2022-06-28')
    const res = (await old.request({
      path: `databases/${db.id}`,
      method: 'patch',
      body: { title: rt('Renamed'), properties: { Extra: { checkbox: {} } } },
    })) as any
    expect(res.title[0].plain_text).toBe('Renamed')
    expect(res.properties.Extra.type).toBe('checkbox')
    const ds = (await notion.dataSources.retrieve({ data_source_id: dsId })) as any
    expect(ds.properties.Extra.checkbox).toEqual({})
    expect(ds.title[0].plain_text).toBe('Renamed')
    const rel = (await old.request({
      path: `databases/${db.id}`,
      method: 'patch',
      body: { properties: { Self: { relation: { database_id: db.id, type: 'single_property', single_property: {} } } } },
    })) as any
    expect(rel.properties.Self.relation).toEqual({ database_id: db.id, data_source_id: dsId, type: 'single_property', single_property: {} })
    const dbIdUnder25 = await apiError(
      notion.dataSources.update({
        data_source_id: dsId,
        properties: { R: { relation: { database_id: db.id, single_property: {} } } } as never,
      }),
    )
    expect(dbIdUnder25.message).toBe(
      `body failed validation: body.properties.R.relation.database_id should be not present, instead was \`"${db.id}"\`.`,
    )
    const underNew = await apiError(
      notion.request({ path: `databases/${db.id}`, method: 'patch', body: { properties: { X: { checkbox: {} } } } }),
    )
    expect(underNew.message).toBe('body failed validation: body.properties should be not present, instead was `{"X":{"checkbox":{}}}`.')
  })

  it('updates a database: title (its data source follows), icon, cover, inline, trash and restore', async () => {
    const { notion, db, dsId } = await setup()
    const up = (await notion.databases.update({
      database_id: db.id,
      title: rt('Chores'),
      icon: { type: 'emoji', emoji: '🧹' },
      cover: { type: 'external', external: { url: 'https://example.com/c.png' } },
      is_inline: true,
    })) as any
    expect(up.title[0].plain_text).toBe('Chores')
    expect(up.icon).toEqual({ type: 'emoji', emoji: '🧹' })
    expect(up.cover).toEqual({ type: 'external', external: { url: 'https://example.com/c.png' } })
    expect(up.is_inline).toBe(true)
    expect(up.data_sources).toEqual([{ id: dsId, name: 'Chores' }])
    const trashed = (await notion.databases.update({ database_id: db.id, in_trash: true })) as any
    expect(trashed.in_trash).toBe(true)
    const locked = await apiError(notion.databases.update({ database_id: db.id, title: rt('x') }))
    expect(locked.message).toBe("Can't edit block that is archived. You must unarchive the block before editing.")
    const restored = (await notion.databases.update({ database_id: db.id, in_trash: false })) as any
    expect(restored.in_trash).toBe(false)
    const archived26 = await apiError(
      server
        .client((await seedBasic(server)).token, '2026-03-11')
        .request({ path: `databases/${db.id}`, method: 'patch', body: { archived: true } }),
    )
    expect(archived26.message).toBe('body failed validation: body.archived should be not present, instead was `true`.')
  })

  it('gates routes by version: data_sources under 2022 and databases/{id}/query under 2025 are invalid URLs', async () => {
    const { s, db, dsId } = await setup()
    const old = server.client(s.token, '2022-06-28')
    for (const call of [
      () => old.request({ path: `data_sources/${dsId}`, method: 'get' }),
      () => old.request({ path: `data_sources/${dsId}/query`, method: 'post', body: {} }),
      () => old.request({ path: 'data_sources', method: 'post', body: {} }),
      () => server.client(s.token).request({ path: `databases/${db.id}/query`, method: 'post', body: {} }),
    ]) {
      const err = await apiError(call())
      expect(err.code).toBe(APIErrorCode.InvalidRequestURL)
      expect(err.status).toBe(400)
      expect(err.message).toBe('Invalid request URL.')
    }
  })

  it('does not take a database id for a data source id, nor the reverse', async () => {
    const { notion, db, dsId } = await setup()
    const a = await apiError(notion.dataSources.retrieve({ data_source_id: db.id }))
    expect(a.code).toBe(APIErrorCode.ObjectNotFound)
    expect(a.status).toBe(404)
    expect(a.message).toBe(
      `Could not find data_source with ID: ${db.id}. Make sure the relevant pages and databases are shared with your integration "Test Bot".`,
    )
    const b = await apiError(notion.databases.retrieve({ database_id: dsId }))
    expect(b.message).toBe(
      `Could not find database with ID: ${dsId}. Make sure the relevant pages and databases are shared with your integration "Test Bot".`,
    )
    const c = await apiError(notion.dataSources.query({ data_source_id: db.id }))
    expect(c.code).toBe(APIErrorCode.ObjectNotFound)
  })

  it('lists no templates', async () => {
    const { notion, dsId } = await setup()
    const t = await notion.dataSources.listTemplates({ data_source_id: dsId })
    expect(t).toMatchObject({ templates: [], has_more: false, next_cursor: null })
  })

  it('stores relations (single and dual) and rollups', async () => {
    const { notion, db, dsId } = await setup()
    const people = await notion.databases.create({
      parent: { type: 'page_id', page_id: (db.parent as { page_id: string }).page_id },
      title: rt('People'),
      initial_data_source: { properties: { Who: { title: {} }, Age: { number: {} } } },
    })
    const peopleDs = (people as any).data_sources[0].id
    const res = (await notion.dataSources.update({
      data_source_id: dsId,
      properties: {
        Owner: { relation: { data_source_id: peopleDs, type: 'single_property', single_property: {} } },
        Helpers: { relation: { data_source_id: peopleDs, type: 'dual_property', dual_property: {} } },
        'Max age': { rollup: { function: 'max', relation_property_name: 'Owner', rollup_property_name: 'Age' } },
      },
    })) as any
    expect(res.properties.Owner.relation).toEqual({
      database_id: people.id,
      data_source_id: peopleDs,
      type: 'single_property',
      single_property: {},
    })
    expect(res.properties.Helpers.relation.type).toBe('dual_property')
    const synced = res.properties.Helpers.relation.dual_property
    const other = (await notion.dataSources.retrieve({ data_source_id: peopleDs })) as any
    expect(other.properties[synced.synced_property_name]).toMatchObject({
      id: synced.synced_property_id,
      type: 'relation',
      relation: {
        data_source_id: dsId,
        database_id: db.id,
        type: 'dual_property',
        dual_property: { synced_property_id: res.properties.Helpers.id, synced_property_name: 'Helpers' },
      },
    })
    expect(res.properties['Max age'].rollup).toEqual({
      function: 'max',
      relation_property_name: 'Owner',
      relation_property_id: res.properties.Owner.id,
      rollup_property_name: 'Age',
      rollup_property_id: other.properties.Age.id,
    })
    const missing = await apiError(
      notion.dataSources.update({ data_source_id: dsId, properties: { R: { relation: { data_source_id: db.id, single_property: {} } } } }),
    )
    expect(missing.code).toBe(APIErrorCode.ObjectNotFound)
    expect(missing.message).toBe(
      `Could not find data_source with ID: ${db.id}. Make sure the relevant pages and databases are shared with your integration "Test Bot".`,
    )
  })

  it('hides a database, its data source and rows until a containing page is shared', async () => {
    const s = await seedBasic(server)
    const deps = server.deps
    const time = new Date().toISOString()
    const { schema } = parseNewSchema({ Name: { title: {} } }, ['properties'], { legacy: false })
    const { database, dataSource } = await createDatabase(deps.store.db, {
      workspaceId: s.workspace.id,
      parent: { type: 'page_id', id: s.pages.secret.id },
      title: [textRun('Hidden')],
      schema,
      actor: s.owner.id,
      time,
    })
    const row = await createNode(deps.store.db, {
      workspaceId: s.workspace.id,
      parent: { type: 'data_source_id', id: dataSource.id, databaseId: database.id },
      kind: 'page',
      title: [textRun('Row')],
      properties: { title: [textRun('Row')] },
      actor: s.owner.id,
      time,
    })
    const notion = server.client(s.token)
    const hint = 'Make sure the relevant pages and databases are shared with your integration "Test Bot".'
    expect((await apiError(notion.databases.retrieve({ database_id: database.id }))).message).toBe(
      `Could not find database with ID: ${database.id}. ${hint}`,
    )
    for (const call of [
      () => notion.dataSources.retrieve({ data_source_id: dataSource.id }),
      () => notion.dataSources.query({ data_source_id: dataSource.id }),
      () => notion.dataSources.update({ data_source_id: dataSource.id, title: rt('x') }),
      () => notion.dataSources.listTemplates({ data_source_id: dataSource.id }),
    ]) {
      const err = await apiError(call())
      expect(err.code).toBe(APIErrorCode.ObjectNotFound)
      expect(err.status).toBe(404)
      expect(err.message).toBe(`Could not find data_source with ID: ${dataSource.id}. ${hint}`)
    }
    const prop = await apiError(notion.pages.properties.retrieve({ page_id: row.id, property_id: 'title' }))
    expect(prop.message).toBe(`Could not find page with ID: ${row.id}. ${hint}`)
    await s.share(s.pages.secret.id)
    expect((await notion.databases.retrieve({ database_id: database.id })).id).toBe(database.id)
    const q = await notion.dataSources.query({ data_source_id: dataSource.id })
    expect(q.results.map((r) => r.id)).toEqual([row.id])
    const item = (await notion.pages.properties.retrieve({ page_id: row.id, property_id: 'title' })) as any
    expect(item.results[0].title.plain_text).toBe('Row')
  })

  it('answers 403 when the capability is missing and gives partial objects to insert-only connections', async () => {
    const { s, notion } = await connectedWorkspace(server, { readContent: false, updateContent: false })
    const db = (await notion.databases.create({ parent: { type: 'page_id', page_id: s.pages.root.id }, title: rt('Blind') })) as any
    expect(db).toEqual({ object: 'database', id: expect.any(String), request_id: expect.any(String) })
    const err = await apiError(notion.databases.retrieve({ database_id: db.id }))
    expect(err.code).toBe(APIErrorCode.RestrictedResource)
    expect(err.status).toBe(403)
    expect(err.message).toBe('Insufficient permissions for this endpoint.')
    const upd = await apiError(notion.databases.update({ database_id: db.id, title: rt('x') }))
    expect(upd.code).toBe(APIErrorCode.RestrictedResource)
  })

  it('validates path ids', async () => {
    const { notion } = await setup()
    const err = await apiError((notion as Client).dataSources.retrieve({ data_source_id: 'nope' }))
    expect(err.message).toBe('path failed validation: path.data_source_id should be a valid uuid, instead was `"nope"`.')
  })
})
