import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDatabase, connectedWorkspace, rt } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Every property type through the official SDK: in the schema, written on create, changed on update,
 * read back by retrieve and by a simple query (which must show the very same values, computed ones
 * included), and refused with Notion's validation_error texts when malformed (docs/reference/notion-api.md §2.5, §2.8, §3.3).
 */

describe('every property type', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => {
    await server.stop()
  })

  async function setup() {
    const { s, notion } = await connectedWorkspace(server)
    const { dataSourceId: dsId } = await buildDatabase(notion, s.pages.root.id, {
      title: 'All types',
      properties: {
        Name: { title: {} },
        Notes: { rich_text: {} },
        Price: { number: { format: 'euro' } },
        Kind: { select: { options: [{ name: 'Bug', color: 'red' }] } },
        Tags: { multi_select: { options: [{ name: 'a' }, { name: 'b' }] } },
        Stage: { status: {} },
        Due: { date: {} },
        Owner: { people: {} },
        Files: { files: {} },
        Done: { checkbox: {} },
        Link: { url: {} },
        Mail: { email: {} },
        Phone: { phone_number: {} },
        Double: { formula: { expression: 'prop("Price") * 2' } },
        Created: { created_time: {} },
        Creator: { created_by: {} },
        Edited: { last_edited_time: {} },
        Editor: { last_edited_by: {} },
        Ticket: { unique_id: { prefix: 'AT' } },
        Checked: { verification: {} },
        Go: { button: {} },
        Where: { place: {} },
      },
    })
    await notion.dataSources.update({
      data_source_id: dsId,
      properties: {
        Parent: { relation: { data_source_id: dsId, single_property: {} } },
        'Parent price': { rollup: { function: 'sum', relation_property_name: 'Parent', rollup_property_name: 'Price' } },
      },
    })
    return { s, notion, dsId }
  }

  it('has every type in the schema with its configuration', async () => {
    const { notion, dsId } = await setup()
    const ds = (await notion.dataSources.retrieve({ data_source_id: dsId })) as any
    const types = Object.fromEntries(Object.entries(ds.properties).map(([k, v]: [string, any]) => [k, v.type]))
    expect(types).toMatchObject({
      Name: 'title',
      Notes: 'rich_text',
      Price: 'number',
      Kind: 'select',
      Tags: 'multi_select',
      Stage: 'status',
      Due: 'date',
      Owner: 'people',
      Files: 'files',
      Done: 'checkbox',
      Link: 'url',
      Mail: 'email',
      Phone: 'phone_number',
      Double: 'formula',
      Created: 'created_time',
      Creator: 'created_by',
      Edited: 'last_edited_time',
      Editor: 'last_edited_by',
      Ticket: 'unique_id',
      Checked: 'verification',
      Go: 'button',
      Where: 'place',
      Parent: 'relation',
      'Parent price': 'rollup',
    })
    expect(ds.properties.Price.number).toEqual({ format: 'euro' })
    expect(ds.properties.Ticket.unique_id).toEqual({ prefix: 'AT' })
    expect(ds.properties.Stage.status.groups.map((g: any) => g.name)).toEqual(['To-do', 'In progress', 'Complete'])
    expect(ds.properties.Parent.relation).toEqual({
      database_id: ds.parent.database_id,
      data_source_id: dsId,
      type: 'single_property',
      single_property: {},
    })
  })

  it('creates, updates, retrieves and queries a row with every type; query shows the same values', async () => {
    const { s, notion, dsId } = await setup()
    const parent = await notion.pages.create({
      parent: { data_source_id: dsId },
      properties: { Name: { title: rt('Parent') }, Price: { number: 100 } },
    })
    const row = await notion.pages.create({
      parent: { data_source_id: dsId },
      properties: {
        Name: { title: rt('Row') },
        Notes: { rich_text: rt('first') },
        Price: { number: 5 },
        Kind: { select: { name: 'Bug' } },
        Tags: { multi_select: [{ name: 'a' }] },
        Stage: { status: { name: 'In progress' } },
        Due: { date: { start: '2026-04-01T09:00:00.000', end: '2026-04-01T10:00:00.000', time_zone: 'Europe/Paris' } },
        Owner: { people: [{ id: s.owner.id }] },
        Files: { files: [{ name: 'spec.pdf', external: { url: 'https://example.com/spec.pdf' } }] },
        Done: { checkbox: true },
        Link: { url: 'https://example.com' },
        Mail: { email: 'a@example.com' },
        Phone: { phone_number: '+33 1 23 45 67 89' },
        Checked: { verification: { state: 'verified' } },
        Where: { place: { lat: 1.5, lon: 2.5 } },
        Parent: { relation: [{ id: parent.id }] },
      },
    })
    const created = ((await notion.pages.retrieve({ page_id: row.id })) as any).properties
    expect(created.Due.date).toEqual({ start: '2026-04-01T09:00:00.000', end: '2026-04-01T10:00:00.000', time_zone: 'Europe/Paris' })
    expect(created.Double.formula).toEqual({ type: 'number', number: 10 })
    expect(created['Parent price'].rollup).toEqual({ type: 'number', number: 100, function: 'sum' })
    expect(created.Ticket.unique_id).toEqual({ prefix: 'AT', number: 2 })
    expect(created.Go).toEqual({ id: created.Go.id, type: 'button', button: {} })
    expect(created.Creator.created_by).toEqual({ object: 'user', id: s.connection.bot_id })

    await notion.pages.update({
      page_id: row.id,
      properties: {
        Name: { title: rt('Row 2') },
        Notes: { rich_text: [] },
        Price: { number: 7.5 },
        Kind: { select: { name: 'Feature' } },
        Tags: { multi_select: [{ name: 'a' }, { name: 'b' }] },
        Stage: { status: { name: 'Done' } },
        Due: { date: null },
        Owner: { people: [] },
        Files: { files: [] },
        Done: { checkbox: false },
        Link: { url: null },
        Mail: { email: null },
        Phone: { phone_number: null },
        Checked: { verification: { state: 'unverified' } },
        Where: { place: null },
        Parent: { relation: [] },
      },
    })
    const updated = ((await notion.pages.retrieve({ page_id: row.id })) as any).properties
    expect(updated.Name.title[0].plain_text).toBe('Row 2')
    expect(updated.Notes.rich_text).toEqual([])
    expect(updated.Kind.select.name).toBe('Feature')
    expect(updated.Tags.multi_select.map((o: any) => o.name)).toEqual(['a', 'b'])
    expect(updated.Stage.status.name).toBe('Done')
    expect([
      updated.Due.date,
      updated.Owner.people,
      updated.Files.files,
      updated.Done.checkbox,
      updated.Link.url,
      updated.Mail.email,
      updated.Phone.phone_number,
      updated.Where.place,
    ]).toEqual([null, [], [], false, null, null, null, null])
    expect(updated.Double.formula.number).toBe(15)
    expect(updated['Parent price'].rollup.number).toBeNull()
    expect(updated.Parent).toEqual({ id: updated.Parent.id, type: 'relation', relation: [], has_more: false })

    const queried = await notion.dataSources.query({ data_source_id: dsId, filter: { property: 'Name', title: { equals: 'Row 2' } } })
    expect(queried.results).toHaveLength(1)
    expect((queried.results[0] as any).properties).toEqual(updated)
    // The new select option went into the schema.
    const ds = (await notion.dataSources.retrieve({ data_source_id: dsId })) as any
    expect(ds.properties.Kind.select.options.map((o: any) => o.name)).toEqual(['Bug', 'Feature'])
  })

  it('refuses malformed values with validation_error texts', async () => {
    const { notion, dsId } = await setup()
    const cases: [Record<string, unknown>, string][] = [
      [{ Nope: { rich_text: [] } }, 'Nope is not a property that exists.'],
      [{ Price: { number: '5' } }, 'body failed validation: body.properties.Price.number should be a number or `null`, instead was `"5"`.'],
      [{ Done: { checkbox: 'yes' } }, 'body failed validation: body.properties.Done.checkbox should be a boolean, instead was `"yes"`.'],
      [
        { Link: { url: 'x'.repeat(2001) } },
        'body failed validation: body.properties.Link.url.length should be ≤ `2000`, instead was `2001`.',
      ],
      [
        { Mail: { email: 'x'.repeat(201) } },
        'body failed validation: body.properties.Mail.email.length should be ≤ `200`, instead was `201`.',
      ],
      [{ Stage: { status: { name: 'Planned' } } }, 'Invalid status option. Status option "Planned" does not exist'],
      [
        { Kind: { select: { name: 'a,b' } } },
        'body failed validation: body.properties.Kind.select.name should not contain commas, instead was `"a,b"`.',
      ],
      [
        { Due: { date: { start: 'tomorrow' } } },
        'body failed validation: body.properties.Due.date.start should be a valid ISO 8601 date string, instead was `"tomorrow"`.',
      ],
      [
        { Due: { date: { start: '2026-01-01', time_zone: 'Mars/Olympus' } } },
        'body failed validation: body.properties.Due.date.time_zone should be a valid IANA time zone, instead was `"Mars/Olympus"`.',
      ],
      [{ Double: { formula: {} } }, 'body failed validation: body.properties.Double is a formula property, which cannot be written.'],
      [
        { Ticket: { unique_id: { number: 3 } } },
        'body failed validation: body.properties.Ticket is a unique_id property, which cannot be written.',
      ],
      [
        { Created: { created_time: '2026-01-01' } },
        'body failed validation: body.properties.Created is a created_time property, which cannot be written.',
      ],
      [{ Go: { button: {} } }, 'body failed validation: body.properties.Go is a button property, which cannot be written.'],
      [
        { 'Parent price': { rollup: {} } },
        'body failed validation: body.properties.Parent price is a rollup property, which cannot be written.',
      ],
      [{ Notes: { number: 1 } }, 'body failed validation: body.properties.Notes.number should be not present, instead was `1`.'],
    ]
    for (const [properties, message] of cases) {
      const e = await apiError(notion.pages.create({ parent: { data_source_id: dsId }, properties: properties as any }))
      expect([e.status, e.code, e.message]).toEqual([400, 'validation_error', message])
    }
  })
})
