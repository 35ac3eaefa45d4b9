import { APIErrorCode, collectPaginatedAPI, isFullPage } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDatabase, connectedWorkspace, rt } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Database rows: every writable property type written with `pages.create` and read back, computed
 * types, unique ids, the page property item endpoint (docs/reference/notion-api.md §2.5, §2.6).
 */

describe('database rows and property items', () => {
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
      title: 'Everything',
      properties: {
        Name: { title: {} },
        Notes: { rich_text: {} },
        Score: { number: { format: 'percent' } },
        Kind: { select: { options: [{ name: 'Bug', color: 'red' }] } },
        Tags: { multi_select: { options: [{ name: 'a' }, { name: 'b' }] } },
        Stage: { status: {} },
        'Due date': { date: {} },
        Owner: { people: {} },
        Attachments: { files: {} },
        Done: { checkbox: {} },
        Link: { url: {} },
        Mail: { email: {} },
        Phone: { phone_number: {} },
        Created: { created_time: {} },
        Creator: { created_by: {} },
        Edited: { last_edited_time: {} },
        Editor: { last_edited_by: {} },
        Ticket: { unique_id: { prefix: 'TK' } },
        Calc: { formula: { expression: 'prop("Score") * 2' } },
      },
    })
    return { s, notion, db, dsId }
  }

  it('writes every supported property type and reads it back', async () => {
    const { s, notion, dsId } = await setup()
    const target = await notion.pages.create({ parent: { data_source_id: dsId }, properties: { Name: { title: rt('Target') } } })
    await notion.dataSources.update({
      data_source_id: dsId,
      properties: { Rel: { relation: { data_source_id: dsId, single_property: {} } } },
    })
    const page = await notion.pages.create({
      parent: { type: 'data_source_id', data_source_id: dsId },
      properties: {
        Name: { title: [{ text: { content: 'Fix ' } }, { text: { content: 'login' }, annotations: { bold: true } }] },
        Notes: { rich_text: rt('details') },
        Score: { number: 0.5 },
        Kind: { select: { name: 'Bug' } },
        Tags: { multi_select: [{ name: 'a' }, { name: 'new-tag' }] },
        Stage: { status: { name: 'In progress' } },
        'Due date': { date: { start: '2024-05-01', end: '2024-05-03' } },
        Owner: { people: [{ id: s.owner.id }] },
        Attachments: { files: [{ name: 'spec.pdf', external: { url: 'https://example.com/spec.pdf' } }] },
        Done: { checkbox: true },
        Link: { url: 'https://example.com' },
        Mail: { email: 'a@example.com' },
        Phone: { phone_number: '+1 555 0100' },
        Rel: { relation: [{ id: target.id }] },
      },
    })
    if (!isFullPage(page)) throw new Error('expected a full page')
    expect(page.parent).toEqual({ type: 'data_source_id', data_source_id: dsId, database_id: expect.any(String) })
    const got = (await notion.pages.retrieve({ page_id: page.id })) as any
    const p = got.properties
    expect(p.Name.title.map((t: any) => t.plain_text).join('')).toBe('Fix login')
    expect(p.Name.title[1].annotations.bold).toBe(true)
    expect(p.Notes.rich_text[0].plain_text).toBe('details')
    expect(p.Score.number).toBe(0.5)
    expect(p.Kind.select).toMatchObject({ name: 'Bug', color: 'red' })
    expect(p.Tags.multi_select.map((o: any) => o.name)).toEqual(['a', 'new-tag'])
    expect(p.Stage.status).toMatchObject({ name: 'In progress', color: 'blue' })
    expect(p['Due date'].date).toEqual({ start: '2024-05-01', end: '2024-05-03', time_zone: null })
    expect(p.Owner.people).toEqual([{ object: 'user', id: s.owner.id }])
    expect(p.Attachments.files).toEqual([{ name: 'spec.pdf', type: 'external', external: { url: 'https://example.com/spec.pdf' } }])
    expect(p.Done.checkbox).toBe(true)
    expect(p.Link.url).toBe('https://example.com')
    expect(p.Mail.email).toBe('a@example.com')
    expect(p.Phone.phone_number).toBe('+1 555 0100')
    expect(p.Rel).toEqual({ id: expect.any(String), type: 'relation', relation: [{ id: target.id }], has_more: false })
    expect(p.Created.created_time).toBe(got.created_time)
    expect(p.Creator.created_by).toEqual({ object: 'user', id: expect.any(String) })
    expect(p.Edited.last_edited_time).toBe(got.last_edited_time)
    expect(p.Editor.last_edited_by).toEqual(got.last_edited_by)
    expect(p.Ticket.unique_id).toEqual({ prefix: 'TK', number: 2 })
    expect(p.Calc.formula).toEqual({ type: 'number', number: 1 })
    // A new multi-select option joined the schema.
    const ds = (await notion.dataSources.retrieve({ data_source_id: dsId })) as any
    expect(ds.properties.Tags.multi_select.options.map((o: any) => o.name)).toEqual(['a', 'b', 'new-tag'])
    // Updating keeps the unique id and clears values with null.
    const updated = (await notion.pages.update({
      page_id: page.id,
      properties: { Score: { number: null }, Link: { url: null }, Kind: { select: null } },
    })) as any
    expect(updated.properties.Score.number).toBeNull()
    expect(updated.properties.Link.url).toBeNull()
    expect(updated.properties.Kind.select).toBeNull()
    expect(updated.properties.Ticket.unique_id.number).toBe(2)
  })

  it('numbers rows when a unique_id property is added later', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const db = (await notion.databases.create({ parent: { type: 'page_id', page_id: s.pages.root.id } })) as any
    const dsId = db.data_sources[0].id
    const first = await notion.pages.create({ parent: { data_source_id: dsId }, properties: { Name: { title: rt('one') } } })
    const second = await notion.pages.create({ parent: { data_source_id: dsId }, properties: { Name: { title: rt('two') } } })
    await notion.dataSources.update({ data_source_id: dsId, properties: { ID: { unique_id: { prefix: null } } } })
    const third = await notion.pages.create({ parent: { data_source_id: dsId }, properties: { Name: { title: rt('three') } } })
    const numbers = []
    for (const p of [first, second, third]) numbers.push(((await notion.pages.retrieve({ page_id: p.id })) as any).properties.ID.unique_id)
    expect(numbers).toEqual([
      { prefix: null, number: 1 },
      { prefix: null, number: 2 },
      { prefix: null, number: 3 },
    ])
  })

  it('refuses bad values with exact messages', async () => {
    const { notion, dsId } = await setup()
    const create = (properties: Record<string, unknown>) =>
      apiError(notion.pages.create({ parent: { data_source_id: dsId }, properties: properties as never }))
    const cases: [Record<string, unknown>, string][] = [
      [{ Ghost: { rich_text: [] } }, 'Ghost is not a property that exists.'],
      [{ Stage: { status: { name: 'planned' } } }, 'Invalid status option. Status option "planned" does not exist'],
      [{ Score: { number: '3' } }, 'body failed validation: body.properties.Score.number should be a number or `null`, instead was `"3"`.'],
      [
        { Mail: { email: 'x'.repeat(201) } },
        'body failed validation: body.properties.Mail.email.length should be ≤ `200`, instead was `201`.',
      ],
      [
        { Created: { created_time: '2024-01-01' } },
        'body failed validation: body.properties.Created is a created_time property, which cannot be written.',
      ],
      [
        { 'Due date': { date: { start: 'tomorrow-ish' } } },
        'body failed validation: body.properties.Due date.date.start should be a valid ISO 8601 date string, instead was `"tomorrow-ish"`.',
      ],
      [
        { Owner: { people: [{ id: 'bob' }] } },
        'body failed validation: body.properties.Owner.people[0].id should be a valid uuid, instead was `"bob"`.',
      ],
      [
        { Done: { checkbox: true, number: 1 } },
        'body failed validation: body.properties.Done.number should be not present, instead was `1`.',
      ],
    ]
    for (const [properties, message] of cases) {
      const err = await create(properties)
      expect(err.code).toBe(APIErrorCode.ValidationError)
      expect(err.status).toBe(400)
      expect(err.message).toBe(message)
    }
  })

  it('retrieves simple property items and paginated lists (title, people, relation) by URL-encoded id', async () => {
    const { s, notion, dsId } = await setup()
    const rows = []
    for (let i = 0; i < 30; i++)
      rows.push(await notion.pages.create({ parent: { data_source_id: dsId }, properties: { Name: { title: rt(`r${i}`) } } }))
    await notion.dataSources.update({
      data_source_id: dsId,
      properties: { Links: { relation: { data_source_id: dsId, single_property: {} } } },
    })
    const page = await notion.pages.create({
      parent: { data_source_id: dsId },
      properties: {
        Name: { title: [{ text: { content: 'a' } }, { text: { content: 'b' } }, { text: { content: 'c' } }] },
        Score: { number: 7 },
        Owner: { people: [{ id: s.owner.id }, { id: s.member.id }] },
        Links: { relation: rows.map((r) => ({ id: r.id })) },
      },
    })
    const full = (await notion.pages.retrieve({ page_id: page.id })) as any
    expect(full.properties.Links.relation).toHaveLength(25)
    expect(full.properties.Links.has_more).toBe(true)

    const score = await notion.pages.properties.retrieve({ page_id: page.id, property_id: full.properties.Score.id })
    expect(score).toEqual({
      object: 'property_item',
      id: full.properties.Score.id,
      type: 'number',
      number: 7,
      request_id: expect.any(String),
    })

    const due = (await notion.pages.properties.retrieve({ page_id: page.id, property_id: encodeURIComponent('Due date') })) as any
    expect(due).toMatchObject({ object: 'property_item', type: 'date', date: null })

    const first = (await notion.pages.properties.retrieve({ page_id: page.id, property_id: 'title', page_size: 2 })) as any
    expect(first.object).toBe('list')
    expect(first.type).toBe('property_item')
    expect(first.results.map((r: any) => [r.object, r.type, r.title.plain_text])).toEqual([
      ['property_item', 'title', 'a'],
      ['property_item', 'title', 'b'],
    ])
    expect(first.has_more).toBe(true)
    expect(first.property_item).toEqual({
      id: 'title',
      type: 'title',
      title: {},
      next_url: `${server.url}/v1/pages/${page.id}/properties/title?start_cursor=${first.next_cursor}`,
    })
    const rest = (await notion.pages.properties.retrieve({
      page_id: page.id,
      property_id: 'title',
      start_cursor: first.next_cursor,
    })) as any
    expect(rest.results.map((r: any) => r.title.plain_text)).toEqual(['c'])
    expect(rest.has_more).toBe(false)
    expect(rest.next_cursor).toBeNull()
    expect(rest.property_item.next_url).toBeNull()

    const people = (await notion.pages.properties.retrieve({ page_id: page.id, property_id: full.properties.Owner.id })) as any
    expect(people.results.map((r: any) => r.people.id)).toEqual([s.owner.id, s.member.id])

    const links = await collectPaginatedAPI(
      notion.pages.properties.retrieve as never,
      { page_id: page.id, property_id: full.properties.Links.id, page_size: 10 } as never,
    )
    expect((links as any[]).map((r) => r.relation.id)).toEqual(rows.map((r) => r.id))
  })

  it('reads the title of a plain page as a property item; unknown property is a validation error', async () => {
    const { s, notion } = await setup()
    const item = (await notion.pages.properties.retrieve({ page_id: s.pages.child.id, property_id: 'title' })) as any
    expect(item.results[0].title.plain_text).toBe('Child')
    const err = await apiError(notion.pages.properties.retrieve({ page_id: s.pages.child.id, property_id: 'nope' }))
    expect(err.code).toBe(APIErrorCode.ValidationError)
    expect(err.status).toBe(400)
    expect(err.message).toBe('Could not find property with name or id: nope.')
    const badSize = await apiError(notion.pages.properties.retrieve({ page_id: s.pages.child.id, property_id: 'title', page_size: 101 }))
    expect(badSize.message).toBe('query failed validation: query.page_size should be ≤ `100`, instead was `101`.')
  })

  it('creates rows with a database_id parent and shows database_id parents under 2022-06-28', async () => {
    const { s, notion, db } = await setup()
    const page = await notion.pages.create({ parent: { database_id: db.id }, properties: { Name: { title: rt('via db') } } })
    const old = (await server.client(s.token, '2022-06-28').pages.retrieve({ page_id: page.id })) as any
    expect(old.parent).toEqual({ type: 'database_id', database_id: db.id })
    expect(old.properties.Ticket.unique_id.number).toBe(1)
  })
})
