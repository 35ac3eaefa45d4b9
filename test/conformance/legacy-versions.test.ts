import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { APIErrorCode, type Client } from '@notionhq/client'
import { createConnection, shareWithConnection } from '../../src/services/connections.service.js'
import { buildDatabase, buildRow, connectedWorkspace, rt, type Seed } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'

/**
 * The shapes of the oldest Notion-Versions (docs/views-and-versions.md "Older versions"; rows of
 * `VERSION_BEHAVIOURS` in src/domain/versions.ts; docs/reference/notion-versions.md), through the
 * official SDK with `notionVersion` set to the old date — `client.request` where SDK 5.26 has no
 * method (SDK 2.x `databases.list`, SDK 4.x `databases.query`).
 */
describe('older Notion-Versions', () => {
  let server: TestServer
  let s: Seed
  let notion: Client
  const v = (version: string) => server.client(s.token, version)
  const text = (items: { plain_text: string }[]) => items.map((x) => x.plain_text).join('')

  beforeAll(async () => {
    server = await startTestServer()
    ;({ s, notion } = await connectedWorkspace(server))
  })
  afterAll(async () => server?.stop())

  describe('GET /v1/databases (SDK 2.x databases.list), before 2022-02-22', () => {
    let shared: string[]
    let inherited: string

    beforeAll(async () => {
      // Another connection makes them under the `Secret` page, which the test bot cannot see.
      const other = await createConnection(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, name: 'Owner bot' })
      await shareWithConnection(server.deps, other.connection.id, s.pages.secret.id, s.owner.id)
      const owner = server.client(other.token)
      // Three databases under the unshared `Secret` page, shared with the test bot one by one; one under the shared root.
      shared = []
      for (const title of ['One', 'Two', 'Three']) {
        const { database } = await buildDatabase(owner, s.pages.secret.id, {
          title,
          properties: { Name: { title: {} }, Notes: { rich_text: {} } } as never,
        })
        await s.share(database.id)
        shared.push(database.id)
      }
      shared.sort()
      inherited = (await buildDatabase(notion, s.pages.root.id, { title: 'Inherited', properties: { Name: { title: {} } } as never }))
        .database.id
    })

    it('lists the databases shared with the connection directly, in pages, as legacy database objects', async () => {
      for (const version of ['2021-05-11', '2021-05-13', '2021-08-16']) {
        const all = (await v(version).request({ path: 'databases', method: 'get' })) as any
        expect(all).toMatchObject({ object: 'list', type: 'database', database: {}, has_more: false, next_cursor: null })
        expect(all.results.map((d: { id: string }) => d.id)).toEqual(shared)
        expect(all.results.map((d: { id: string }) => d.id)).not.toContain(inherited)
        const one = all.results[0]
        expect(one).toMatchObject({ object: 'database', is_inline: false })
        expect(one).not.toHaveProperty('data_sources')
        expect(one.properties.Notes.type).toBe(version === '2021-05-11' ? 'text' : 'rich_text')
      }
      const seen: string[] = []
      let cursor: string | undefined
      for (let i = 0; i < 5; i++) {
        const page = (await v('2021-08-16').request({
          path: 'databases',
          method: 'get',
          query: { page_size: 1, ...(cursor ? { start_cursor: cursor } : {}) },
        })) as any
        expect(page.results).toHaveLength(1)
        seen.push(page.results[0].id)
        if (!page.has_more) break
        cursor = page.next_cursor
      }
      expect(seen).toEqual(shared)
    })

    it('leaves out a trashed database and one under a trashed page', async () => {
      const { database } = await buildDatabase(notion, s.pages.root.id, {
        title: 'Soon trashed',
        properties: { Name: { title: {} } } as never,
      })
      await s.share(database.id)
      const before = (await v('2021-08-16').request({ path: 'databases', method: 'get' })) as any
      expect(before.results.map((d: { id: string }) => d.id)).toContain(database.id)
      await notion.databases.update({ database_id: database.id, in_trash: true })
      const after = (await v('2021-08-16').request({ path: 'databases', method: 'get' })) as any
      expect(after.results.map((d: { id: string }) => d.id)).not.toContain(database.id)
      // Under a page in the trash: left out too.
      const holder = await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('Holder') } } })
      const nested = (await buildDatabase(notion, holder.id, { title: 'Nested', properties: { Name: { title: {} } } as never })).database
      await s.share(nested.id)
      const listed = async () =>
        ((await v('2021-08-16').request({ path: 'databases', method: 'get' })) as any).results.map((d: { id: string }) => d.id)
      expect(await listed()).toContain(nested.id)
      await notion.pages.update({ page_id: holder.id, in_trash: true })
      expect(await listed()).not.toContain(nested.id)
    })

    it('is gone from 2022-02-22 on (invalid_request_url), refuses a bad cursor and a connection without read content', async () => {
      for (const version of ['2022-02-22', '2022-06-28', '2025-09-03', '2026-03-11']) {
        const e = await apiError(v(version).request({ path: 'databases', method: 'get' }))
        expect(e.status, version).toBe(400)
        expect(e.code).toBe(APIErrorCode.InvalidRequestURL)
      }
      const bad = await apiError(v('2021-08-16').request({ path: 'databases', method: 'get', query: { start_cursor: 'nope' } }))
      expect(bad.code).toBe(APIErrorCode.ValidationError)
      const blind = await createConnection(server.deps, {
        workspaceId: s.workspace.id,
        actorId: s.owner.id,
        name: 'Blind bot',
        capabilities: { readContent: false },
      })
      const e = await apiError(server.client(blind.token, '2021-08-16').request({ path: 'databases', method: 'get' }))
      expect(e.code).toBe(APIErrorCode.RestrictedResource)
    })
  })

  describe('blocks before 2022-02-22 and append before 2021-08-16', () => {
    it('text blocks take and give `text`; append answers the parent block before 2021-08-16', async () => {
      const old = v('2021-08-16')
      const page = await old.pages.create({
        parent: { page_id: s.pages.root.id },
        properties: { title: { title: rt('Old blocks') } },
        children: [
          { paragraph: { text: rt('Lacinato kale') } },
          { toggle: { text: rt('Fold'), children: [{ to_do: { text: rt('Inside'), checked: true } }] } },
        ] as never,
      })
      const listed = (await old.blocks.children.list({ block_id: page.id })).results as any[]
      expect(listed.map((b) => b.type)).toEqual(['paragraph', 'toggle'])
      expect(text(listed[0].paragraph.text)).toBe('Lacinato kale')
      expect(listed[0].paragraph).not.toHaveProperty('rich_text')
      const inner = (await old.blocks.children.list({ block_id: listed[1].id })).results as any[]
      expect(inner[0].to_do).toMatchObject({ checked: true })
      expect(text(inner[0].to_do.text)).toBe('Inside')
      // The same blocks under 2022-02-22: `rich_text`.
      const now = (await v('2022-02-22').blocks.retrieve({ block_id: listed[0].id })) as any
      expect(text(now.paragraph.rich_text)).toBe('Lacinato kale')
      expect(now.paragraph).not.toHaveProperty('text')

      const updated = (await old.blocks.update({ block_id: listed[0].id, paragraph: { text: rt('Updated') } } as never)) as any
      expect(text(updated.paragraph.text)).toBe('Updated')

      const appended = (await old.blocks.children.append({
        block_id: page.id,
        children: [{ heading_1: { text: rt('Head') } }] as never,
      })) as any
      expect(appended.object).toBe('list')
      expect(text(appended.results[0].heading_1.text)).toBe('Head')

      const parent = (await v('2021-05-13').blocks.children.append({
        block_id: page.id,
        children: [{ quote: { text: rt('Quoted') } }] as never,
      })) as any
      expect(parent).toMatchObject({ object: 'block', id: page.id, type: 'child_page', has_children: true })
      const last = ((await notion.blocks.children.list({ block_id: page.id })).results as any[]).at(-1)
      expect(text(last.quote.rich_text)).toBe('Quoted')
    })

    it('from 2022-02-22 on `text` in a block is refused', async () => {
      for (const version of ['2022-02-22', '2025-09-03']) {
        const e = await apiError(
          v(version).blocks.children.append({ block_id: s.pages.child.id, children: [{ paragraph: { text: rt('no') } }] as never }),
        )
        expect(e.code, version).toBe(APIErrorCode.ValidationError)
      }
    })
  })

  describe('filters, property items and rollups', () => {
    let databaseId: string
    let dsId: string
    let rowId: string
    let otherId: string
    let props: Record<string, { id: string }>

    beforeAll(async () => {
      const tags = await buildDatabase(notion, s.pages.root.id, {
        title: 'Tags',
        properties: { Name: { title: {} }, Label: { rich_text: {} }, Owner: { people: {} }, Doc: { files: {} } } as never,
      })
      const tagId = await buildRow(notion, tags.dataSourceId, 'Red', {
        Label: { rich_text: [{ text: { content: 'crimson' } }] },
        Owner: { people: [{ id: s.member.id }] },
        Doc: { files: [{ name: 'a.pdf', external: { url: 'https://files.example/a.pdf' } }] },
      })
      const built = await buildDatabase(notion, s.pages.root.id, {
        title: 'Legacy filters',
        properties: {
          Name: { title: {} },
          Notes: { rich_text: {} },
          Phone: { phone_number: {} },
          Shout: { formula: { expression: 'upper(prop("Notes"))' } },
          Link: { relation: { data_source_id: tags.dataSourceId, single_property: {} } },
        } as never,
      })
      databaseId = built.database.id
      dsId = built.dataSourceId
      await notion.dataSources.update({
        data_source_id: dsId,
        properties: {
          Labels: { rollup: { relation_property_name: 'Link', rollup_property_name: 'Label', function: 'show_original' } },
          Owners: { rollup: { relation_property_name: 'Link', rollup_property_name: 'Owner', function: 'show_original' } },
          Docs: { rollup: { relation_property_name: 'Link', rollup_property_name: 'Doc', function: 'show_original' } },
          PerGroup: { rollup: { relation_property_name: 'Link', rollup_property_name: 'Label', function: 'count_per_group' } },
        } as never,
      })
      rowId = await buildRow(notion, dsId, 'Kale', {
        Notes: { rich_text: [{ text: { content: 'leafy ' } }, { text: { content: 'green' } }] },
        Phone: { phone_number: '+1 555 0100' },
        Link: { relation: [{ id: tagId }] },
      })
      otherId = await buildRow(notion, dsId, 'Beet', { Notes: { rich_text: [{ text: { content: 'root' } }] } })
      props = ((await notion.pages.retrieve({ page_id: rowId })) as any).properties
    })

    const query = (version: string, filter: unknown) =>
      v(version).request<{ results: { id: string }[] }>({ path: `databases/${databaseId}/query`, method: 'post', body: { filter } })

    it('before 2022-02-22 the filter keys text, phone and formula text are aliases; from 2022-02-22 they are refused', async () => {
      const cases: [unknown, string[]][] = [
        [{ property: 'Notes', text: { contains: 'leafy' } }, [rowId]],
        [{ property: 'Notes', type: 'text', text: { contains: 'root' } }, [otherId]],
        [{ property: 'Phone', phone: { equals: '+1 555 0100' } }, [rowId]],
        [{ property: 'Shout', formula: { text: { contains: 'GREEN' } } }, [rowId]],
        [{ property: 'Labels', rollup: { any: { text: { contains: 'crimson' } } } }, [rowId]],
        [
          {
            or: [
              { property: 'Notes', text: { equals: 'root' } },
              { property: 'Phone', phone: { is_not_empty: true } },
            ],
          },
          [rowId, otherId],
        ],
      ]
      for (const version of ['2021-05-11', '2021-05-13', '2021-08-16']) {
        for (const [filter, ids] of cases) {
          const r = await query(version, filter)
          expect(r.results.map((x) => x.id).sort(), `${version} ${JSON.stringify(filter)}`).toEqual([...ids].sort())
        }
      }
      for (const version of ['2022-02-22', '2022-06-28']) {
        for (const [filter] of cases) {
          const e = await apiError(query(version, filter))
          expect(e.code, `${version} ${JSON.stringify(filter)}`).toBe(APIErrorCode.ValidationError)
        }
        // Today's keys work under every version.
        const r = await query(version, { property: 'Shout', formula: { string: { contains: 'GREEN' } } })
        expect(r.results.map((x) => x.id)).toEqual([rowId])
      }
    })

    it('property items: `text` under 2021-05-11, no id nor property_item before 2022-02-22, typed from 2022-02-22', async () => {
      const notesId = props.Notes!.id
      const oldest = (await v('2021-05-11').pages.properties.retrieve({ page_id: rowId, property_id: notesId })) as any
      expect(Object.keys(oldest)).toEqual(['object', 'results', 'next_cursor', 'has_more', 'request_id'])
      expect(oldest.results).toHaveLength(2)
      expect(oldest.results[0]).toEqual({ object: 'property_item', type: 'text', text: expect.objectContaining({ plain_text: 'leafy ' }) })

      const mid = (await v('2021-08-16').pages.properties.retrieve({ page_id: rowId, property_id: notesId, page_size: 1 })) as any
      expect(mid.results[0]).toEqual({
        object: 'property_item',
        type: 'rich_text',
        rich_text: expect.objectContaining({ plain_text: 'leafy ' }),
      })
      expect(mid.has_more).toBe(true)
      expect(mid).not.toHaveProperty('property_item')

      const typed = (await v('2022-02-22').pages.properties.retrieve({ page_id: rowId, property_id: notesId, page_size: 1 })) as any
      expect(typed.type).toBe('property_item')
      expect(typed.results[0].id).toBe(notesId)
      expect(typed.property_item).toMatchObject({ id: notesId, type: 'rich_text' })
      expect(typed.property_item.next_url).toContain(`/v1/pages/${rowId}/properties/${notesId}?start_cursor=`)

      const single = (await v('2021-08-16').pages.properties.retrieve({ page_id: rowId, property_id: props.Phone!.id })) as any
      expect(single).toEqual({ object: 'property_item', type: 'phone_number', phone_number: '+1 555 0100', request_id: expect.any(String) })

      const rollup = (await v('2021-08-16').pages.properties.retrieve({ page_id: rowId, property_id: props.Labels!.id })) as any
      expect(rollup).toMatchObject({ object: 'list', type: 'rollup', rollup: { type: 'array', function: 'show_original' } })
      expect(rollup).not.toHaveProperty('property_item')
      expect(rollup.results[0]).not.toHaveProperty('id')
      const rollupNow = (await v('2022-06-28').pages.properties.retrieve({ page_id: rowId, property_id: props.Labels!.id })) as any
      expect(rollupNow).toMatchObject({ type: 'property_item', property_item: { id: props.Labels!.id, type: 'rollup', next_url: null } })
    })

    it('rollup arrays of files, rich text and people are typed file, text, person before 2021-08-16', async () => {
      for (const [version, names] of [
        ['2021-05-13', ['text', 'person', 'file']],
        ['2021-08-16', ['rich_text', 'people', 'files']],
      ] as const) {
        const p = ((await v(version).pages.retrieve({ page_id: rowId })) as any).properties
        const types = [p.Labels, p.Owners, p.Docs].map((r: any) => r.rollup.array[0].type)
        expect(types, version).toEqual(names)
        expect(text(p.Labels.rollup.array[0][names[0]])).toBe('crimson')
        expect(p.Owners.rollup.array[0][names[1]][0].id).toBe(s.member.id)
      }
    })

    it('count_per_group and percent_per_group rollups answer `unsupported` (no published shape)', async () => {
      const p = ((await notion.pages.retrieve({ page_id: rowId })) as any).properties
      expect(p.PerGroup.rollup).toEqual({ type: 'unsupported', unsupported: {}, function: 'count_per_group' })
      await notion.dataSources.update({
        data_source_id: dsId,
        properties: {
          PerGroup: { rollup: { relation_property_name: 'Link', rollup_property_name: 'Label', function: 'percent_per_group' } },
        } as never,
      })
      const q = ((await notion.pages.retrieve({ page_id: rowId })) as any).properties
      expect(q.PerGroup.rollup).toEqual({ type: 'unsupported', unsupported: {}, function: 'percent_per_group' })
    })
  })
})
