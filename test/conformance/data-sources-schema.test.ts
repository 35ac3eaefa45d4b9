import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTemplate } from '../../src/services/templates.service.js'
import { buildDatabase, connectedWorkspace, rt, type DatabaseProperties } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Data-source schemas and their lifecycle through the official SDK: formulas (compiled at save,
 * evaluated at read with the server clock), retyping with value conversion, renaming and removing,
 * place and verification values, templates, trash and restore, and the version differences of the
 * database and data-source shapes (docs/reference/notion-api.md §1.4, §1.5, §1.12, §2.5, §2.7, §2.8).
 */

const NOW = Date.parse('2026-05-10T12:00:00.000Z')

describe('data-source schemas, templates and versions', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ clock: { now: () => NOW } })
  })
  afterAll(async () => {
    await server.stop()
  })

  async function setup(properties: Record<string, unknown> = { Name: { title: {} } }) {
    const { s, notion } = await connectedWorkspace(server)
    const { database: db, dataSourceId: dsId } = await buildDatabase(notion, s.pages.root.id, {
      title: 'Things',
      properties: properties as DatabaseProperties,
    })
    return { s, notion, db, dsId }
  }

  const props = async (notion: ReturnType<TestServer['client']>, id: string) =>
    ((await notion.pages.retrieve({ page_id: id })) as any).properties

  it('compiles formulas when the schema is saved and evaluates them at read time', async () => {
    const { notion, dsId } = await setup({
      Name: { title: {} },
      Price: { number: {} },
      Qty: { number: {} },
      Total: { formula: { expression: 'prop("Price") * prop("Qty")' } },
      Label: { formula: { expression: 'prop("Name") + " x" + format(prop("Qty"))' } },
      Big: { formula: { expression: 'prop("Total") > 100' } },
      Today: { formula: { expression: 'now()' } },
    })
    const row = await notion.pages.create({
      parent: { data_source_id: dsId },
      properties: { Name: { title: rt('Pen') }, Price: { number: 30 }, Qty: { number: 4 } },
    })
    const p = await props(notion, row.id)
    expect(p.Total.formula).toEqual({ type: 'number', number: 120 })
    expect(p.Label.formula).toEqual({ type: 'string', string: 'Pen x4' })
    expect(p.Big.formula).toEqual({ type: 'boolean', boolean: true })
    expect(p.Today.formula.type).toBe('date')
    expect(p.Today.formula.date.start.slice(0, 10)).toBe('2026-05-10')
    await notion.pages.update({ page_id: row.id, properties: { Qty: { number: 1 } } })
    expect((await props(notion, row.id)).Big.formula.boolean).toBe(false)
    // The schema keeps the expression.
    const ds = (await notion.dataSources.retrieve({ data_source_id: dsId })) as any
    expect(ds.properties.Total.formula).toEqual({ expression: 'prop("Price") * prop("Qty")' })

    // Renaming a property a formula uses keeps the formula working.
    const renamed = (await notion.dataSources.update({ data_source_id: dsId, properties: { Qty: { name: 'Quantity' } } })) as any
    expect(renamed.properties.Total.formula.expression).toBe('prop("Price") * prop("Quantity")')
    expect((await props(notion, row.id)).Total.formula.number).toBe(30)

    // A formula that does not compile is refused when saved, with the engine's message.
    const e = await apiError(
      notion.dataSources.update({ data_source_id: dsId, properties: { Broken: { formula: { expression: 'prop("Nope") + 1' } } } }),
    )
    expect(e.status).toBe(400)
    expect(e.code).toBe('validation_error')
    expect(e.message).toMatch(/^Formula "Broken": .*Nope/)
    const still = (await notion.dataSources.retrieve({ data_source_id: dsId })) as any
    expect(still.properties.Broken).toBeUndefined()
    // Formulas are read-only.
    const w = await apiError(notion.pages.update({ page_id: row.id, properties: { Total: { formula: { expression: '1' } } } as any }))
    expect(w.code).toBe('validation_error')
  })

  it('converts values when a property changes type, keeps them on rename and drops them on removal', async () => {
    const { notion, dsId } = await setup({
      Name: { title: {} },
      Amount: { rich_text: {} },
      Color: { select: { options: [{ name: 'Red' }, { name: 'Blue' }] } },
      Tags: { multi_select: {} },
      Count: { number: {} },
      Flag: { rich_text: {} },
      When: { rich_text: {} },
      Gone: { rich_text: {} },
    })
    const row = await notion.pages.create({
      parent: { data_source_id: dsId },
      properties: {
        Name: { title: rt('Row') },
        Amount: { rich_text: rt('1,250.5') },
        Color: { select: { name: 'Red' } },
        Tags: { multi_select: [{ name: 'x' }, { name: 'y' }] },
        Count: { number: 42 },
        Flag: { rich_text: rt('Yes') },
        When: { rich_text: rt('due 2026-02-03') },
        Gone: { rich_text: rt('bye') },
      },
    })
    const updated = (await notion.dataSources.update({
      data_source_id: dsId,
      properties: {
        Amount: { number: {} },
        Color: { multi_select: {} },
        Tags: { select: {} },
        Count: { name: 'Total count', rich_text: {} },
        Flag: { checkbox: {} },
        When: { date: {} },
        Gone: null,
      },
    })) as any
    expect(updated.properties['Total count'].type).toBe('rich_text')
    expect(updated.properties.Gone).toBeUndefined()
    expect(updated.properties.Color.multi_select.options.map((o: any) => o.name)).toContain('Red')
    const p = await props(notion, row.id)
    expect(p.Amount.number).toBe(1250.5)
    expect(p.Color.multi_select.map((o: any) => o.name)).toEqual(['Red'])
    expect(p.Tags.select.name).toBe('x')
    expect(p['Total count'].rich_text[0].plain_text).toBe('42')
    expect(p.Flag.checkbox).toBe(true)
    expect(p.When.date).toEqual({ start: '2026-02-03', end: null, time_zone: null })
    expect(p.Gone).toBeUndefined()
    // Re-adding a removed property's name starts empty: the values went with the property.
    await notion.dataSources.update({ data_source_id: dsId, properties: { Gone: { rich_text: {} } } })
    expect((await props(notion, row.id)).Gone.rich_text).toEqual([])
    // Rename keeps the id and the values.
    await notion.dataSources.update({ data_source_id: dsId, properties: { Amount: { name: 'Sum' } } })
    expect((await props(notion, row.id)).Sum.number).toBe(1250.5)
    // Select → status files the option into the first group.
    await notion.dataSources.update({ data_source_id: dsId, properties: { Tags: { status: {} } } })
    const ds = (await notion.dataSources.retrieve({ data_source_id: dsId })) as any
    const opt = ds.properties.Tags.status.options.find((o: any) => o.name === 'x')
    expect(ds.properties.Tags.status.groups[0].option_ids).toContain(opt.id)
    expect((await props(notion, row.id)).Tags.status.name).toBe('x')
    // The title cannot be removed.
    const e = await apiError(notion.dataSources.update({ data_source_id: dsId, properties: { Name: null } }))
    expect(e.code).toBe('validation_error')
  })

  it('writes place and verification values and refuses bad ones', async () => {
    const { s, notion, dsId } = await setup({ Name: { title: {} }, Where: { place: {} }, Checked: { verification: {} } })
    const row = await notion.pages.create({
      parent: { data_source_id: dsId },
      properties: {
        Where: { place: { lat: 48.8584, lon: 2.2945, name: 'Eiffel Tower' } },
        Checked: { verification: { state: 'verified', date: { start: '2026-06-01' } } },
      },
    })
    const p = await props(notion, row.id)
    expect(p.Where.place).toEqual({
      lat: 48.8584,
      lon: 2.2945,
      name: 'Eiffel Tower',
      address: null,
      aws_place_id: null,
      google_place_id: null,
    })
    expect(p.Checked.verification).toMatchObject({
      state: 'verified',
      date: { start: '2026-06-01', end: null, time_zone: null },
      verified_by: { object: 'user', id: s.connection.bot_id },
    })
    await notion.pages.update({
      page_id: row.id,
      properties: { Where: { place: null }, Checked: { verification: { state: 'unverified' } } },
    })
    const q = await props(notion, row.id)
    expect(q.Where.place).toBeNull()
    expect(q.Checked.verification).toEqual({ state: 'unverified', date: null, verified_by: null })
    const bad = await apiError(notion.pages.update({ page_id: row.id, properties: { Where: { place: { lat: 91, lon: 0 } } } }))
    expect(bad.message).toBe('body failed validation: body.properties.Where.place.lat should be ≤ `90`, instead was `91`.')
  })

  it('lists templates and creates pages from the default or a named template', async () => {
    const { s, notion, dsId } = await setup({ Name: { title: {} }, Size: { number: {} }, Ticket: { unique_id: { prefix: 'T' } } })
    const bug: { id: string } = await createTemplate(server.deps, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      dataSourceId: dsId,
      title: 'Bug report',
      isDefault: true,
      paragraphs: ['Steps to reproduce', 'Expected'],
      properties: {},
    })
    const idea = await createTemplate(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, dataSourceId: dsId, title: 'Idea' })
    const list = await notion.dataSources.listTemplates({ data_source_id: dsId })
    expect(list).toMatchObject({
      templates: [
        { id: bug.id, name: 'Bug report', is_default: true },
        { id: idea.id, name: 'Idea', is_default: false },
      ],
      has_more: false,
      next_cursor: null,
    })
    expect((await notion.dataSources.listTemplates({ data_source_id: dsId, name: 'IDE' })).templates.map((t) => t.id)).toEqual([idea.id])
    const first = await notion.dataSources.listTemplates({ data_source_id: dsId, page_size: 1 })
    expect(first).toMatchObject({ has_more: true, next_cursor: idea.id })
    expect(
      (await notion.dataSources.listTemplates({ data_source_id: dsId, start_cursor: first.next_cursor as string })).templates.map(
        (t) => t.id,
      ),
    ).toEqual([idea.id])

    // The admin API makes templates too; a new default replaces the old one.
    const admin = (path: string, body: unknown) =>
      fetch(`${server.url}/_octavo/admin${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.config.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const made = await admin(`/data-sources/${dsId}/templates`, { title: 'Chore', is_default: true, as: s.owner.email })
    expect(made.status).toBe(201)
    const chore = (await made.json()) as { id: string; is_default: boolean }
    expect(chore.is_default).toBe(true)
    const afterAdmin = await notion.dataSources.listTemplates({ data_source_id: dsId })
    expect(afterAdmin.templates.filter((t) => t.is_default).map((t) => t.id)).toEqual([chore.id])
    expect((await admin(`/data-sources/${s.pages.child.id}/templates`, { title: 'x' })).status).toBe(404)
    expect((await admin(`/data-sources/${dsId}/templates`, { title: 'x', as: s.guest.email })).status).toBe(403)
    await admin(`/data-sources/${dsId}/templates`, { title: 'Bug report again', is_default: false })
    await createTemplate(server.deps, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      dataSourceId: dsId,
      title: 'Bug report',
      isDefault: true,
      paragraphs: ['Steps to reproduce', 'Expected'],
    }).then((t) => (bug.id = t.id))

    // Templates are not rows.
    expect((await notion.dataSources.query({ data_source_id: dsId })).results).toEqual([])

    const fromDefault = await notion.pages.create({
      parent: { data_source_id: dsId },
      properties: { Size: { number: 3 } },
      template: { type: 'default' },
    })
    const p = await props(notion, fromDefault.id)
    expect(p.Name.title[0].plain_text).toBe('Bug report')
    expect(p.Size.number).toBe(3)
    expect(p.Ticket.unique_id).toEqual({ prefix: 'T', number: 1 })
    const children = await notion.blocks.children.list({ block_id: fromDefault.id })
    expect(children.results.map((b: any) => b.paragraph.rich_text[0].plain_text)).toEqual(['Steps to reproduce', 'Expected'])

    const named = await notion.pages.create({
      parent: { data_source_id: dsId },
      properties: { Name: { title: rt('My idea') } },
      template: { type: 'template_id', template_id: idea.id },
    })
    expect((await props(notion, named.id)).Name.title[0].plain_text).toBe('My idea')
    expect((await notion.dataSources.query({ data_source_id: dsId })).results).toHaveLength(2)

    // Applying a template to an existing row adds its content; with erase_content it replaces it.
    const plain = await notion.pages.create({ parent: { data_source_id: dsId }, children: [{ paragraph: { rich_text: rt('old') } }] })
    await notion.pages.update({ page_id: plain.id, template: { type: 'template_id', template_id: bug.id }, erase_content: true })
    const replaced = await notion.blocks.children.list({ block_id: plain.id })
    expect(replaced.results.map((b: any) => b.paragraph.rich_text[0].plain_text)).toEqual(['Steps to reproduce', 'Expected'])

    const wrong = await apiError(
      notion.pages.create({ parent: { data_source_id: dsId }, template: { type: 'template_id', template_id: s.pages.child.id } }),
    )
    expect(wrong.message).toBe(
      `body failed validation: body.template.template_id should be a template of the parent data source, instead was \`"${s.pages.child.id}"\`.`,
    )
    const both = await apiError(
      notion.pages.create({
        parent: { data_source_id: dsId },
        template: { type: 'default' },
        children: [{ paragraph: { rich_text: rt('x') } }],
      }),
    )
    expect(both.code).toBe('validation_error')
    const onPage = await apiError(notion.pages.create({ parent: { page_id: s.pages.root.id }, template: { type: 'default' } }))
    expect(onPage.code).toBe('validation_error')
  })

  it('trashes and restores a data source; a trashed one takes nothing but a restore', async () => {
    const { s, notion, db, dsId } = await setup()
    const second = (await notion.dataSources.create({
      parent: { database_id: db.id },
      title: rt('Second'),
      properties: { Title: { title: {} } },
    })) as any
    const trashed = (await notion.dataSources.update({ data_source_id: second.id, in_trash: true })) as any
    expect(trashed).toMatchObject({ in_trash: true, archived: true })
    expect(((await notion.databases.retrieve({ database_id: db.id })) as any).data_sources.map((d: any) => d.id)).toEqual([dsId])
    expect(((await notion.dataSources.retrieve({ data_source_id: second.id })) as any).in_trash).toBe(true)
    const edit = await apiError(notion.dataSources.update({ data_source_id: second.id, title: rt('x') }))
    expect(edit.message).toBe("Can't edit block that is archived. You must unarchive the block before editing.")
    const create = await apiError(notion.pages.create({ parent: { data_source_id: second.id } }))
    expect(create.code).toBe('validation_error')
    await notion.dataSources.update({ data_source_id: second.id, in_trash: false })
    expect(((await notion.databases.retrieve({ database_id: db.id })) as any).data_sources).toHaveLength(2)
    await notion.pages.create({ parent: { data_source_id: second.id } })
    // 2026-03-11 drops `archived` from the data source.
    const v26 = (await server.client(s.token, '2026-03-11').dataSources.retrieve({ data_source_id: second.id })) as any
    expect(v26).not.toHaveProperty('archived')
    expect(v26.in_trash).toBe(false)
  })

  it('answers each version with its own shapes', async () => {
    const { s, notion, db, dsId } = await setup({ Name: { title: {} }, Size: { number: {} }, Notes: { rich_text: {} } })
    const legacy = server.client(s.token, '2022-06-28')
    // Database: 2025 lists data sources without properties; 2022 carries properties and authors.
    const d25 = (await notion.databases.retrieve({ database_id: db.id })) as any
    expect(d25.properties).toBeUndefined()
    expect(d25.data_sources).toEqual([{ id: dsId, name: 'Things' }])
    const d22 = (await legacy.request({ path: `databases/${db.id}`, method: 'get' })) as any
    expect(d22.data_sources).toBeUndefined()
    expect(Object.keys(d22.properties)).toEqual(['Name', 'Size', 'Notes'])
    expect(d22.properties.Notes.type).toBe('rich_text')
    // 2021-05-11 calls rich_text `text`, in schemas, values and requests.
    const v0511 = server.client(s.token, '2021-05-11')
    const d0511 = (await v0511.request({ path: `databases/${db.id}`, method: 'get' })) as any
    expect(d0511.properties.Notes).toEqual({ id: d22.properties.Notes.id, name: 'Notes', description: null, type: 'text', text: {} })
    const old = (await v0511.request({
      path: 'pages',
      method: 'post',
      body: { parent: { database_id: db.id }, properties: { Notes: { text: rt('hello') } } },
    })) as any
    expect(old.properties.Notes.type).toBe('text')
    expect(old.properties.Notes.text[0].plain_text).toBe('hello')
    // Before 2021-08-16 empty values are left out; from then on they are null.
    expect(old.properties).not.toHaveProperty('Size')
    const v0513 = (await server.client(s.token, '2021-05-13').request({ path: `pages/${old.id}`, method: 'get' })) as any
    expect(v0513.properties).not.toHaveProperty('Size')
    expect(v0513.properties.Notes.type).toBe('rich_text')
    const v0816 = (await server.client(s.token, '2021-08-16').request({ path: `pages/${old.id}`, method: 'get' })) as any
    expect(v0816.properties.Size).toEqual({ id: d22.properties.Size.id, type: 'number', number: null })
    expect(d22.created_by).toEqual({ object: 'user', id: s.connection.bot_id })
    // Rows: data_source_id parents (2025) or database_id parents (2022).
    const row = await notion.pages.create({ parent: { data_source_id: dsId } })
    expect(((await notion.pages.retrieve({ page_id: row.id })) as any).parent).toEqual({
      type: 'data_source_id',
      data_source_id: dsId,
      database_id: db.id,
    })
    expect(((await legacy.request({ path: `pages/${row.id}`, method: 'get' })) as any).parent).toEqual({
      type: 'database_id',
      database_id: db.id,
    })
    // Relations name a data source (2025; database_id "should be not present") or a database (2022).
    const e = await apiError(
      notion.dataSources.update({
        data_source_id: dsId,
        properties: { Rel: { relation: { database_id: db.id, single_property: {} } } } as any,
      }),
    )
    expect(e.message).toBe(
      `body failed validation: body.properties.Rel.relation.database_id should be not present, instead was \`"${db.id}"\`.`,
    )
    const up22 = (await legacy.request({
      path: `databases/${db.id}`,
      method: 'patch',
      body: { properties: { Rel: { relation: { database_id: db.id, single_property: {} } } } },
    })) as any
    expect(up22.properties.Rel.relation).toMatchObject({ database_id: db.id, data_source_id: dsId, type: 'single_property' })
    // Schema changes go through data sources in 2025: `properties` on a database update is refused.
    const p25 = await apiError(notion.request({ path: `databases/${db.id}`, method: 'patch', body: { properties: { X: { number: {} } } } }))
    expect(p25.message).toBe('body failed validation: body.properties should be not present, instead was `{"X":{"number":{}}}`.')
    // Data-source routes do not exist under 2022; the database query route does not exist under 2025.
    const r22 = await apiError(legacy.request({ path: `data_sources/${dsId}`, method: 'get' }))
    expect([r22.code, r22.message]).toEqual(['invalid_request_url', 'Invalid request URL.'])
    const t22 = await apiError(legacy.request({ path: `data_sources/${dsId}/templates`, method: 'get' }))
    expect(t22.code).toBe('invalid_request_url')
    const q25 = await apiError(notion.request({ path: `databases/${db.id}/query`, method: 'post', body: {} }))
    expect(q25.code).toBe('invalid_request_url')
    // 2022 creates with top-level properties and refuses initial_data_source.
    const c22 = await apiError(
      legacy.request({
        path: 'databases',
        method: 'post',
        body: { parent: { page_id: s.pages.root.id }, initial_data_source: { properties: {} }, properties: {} },
      }),
    )
    expect(c22.message).toBe('body failed validation: body.initial_data_source should be not present, instead was `{"properties":{}}`.')
  })
})
