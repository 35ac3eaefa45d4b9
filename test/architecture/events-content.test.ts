import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '@notionhq/client'
import { createTemplate } from '../../src/services/templates.service.js'
import { lastEventSeq, listEvents, type ChangeEvent } from '../../src/storage/repositories/events.repository.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import { seedPeople } from '../support/pats.js'

/**
 * Change events of content writes (docs/adr/0015-change-events.md, BRIEF-ARCH): every `/v1` write of
 * pages, blocks, comments, databases and data sources appends exactly its events, in the same
 * transaction, with the caller as actor (`bot:<id>` for a connection, `user:<id>` for a PAT); a
 * refused write appends none.
 */

const rt = (content: string) => [{ type: 'text' as const, text: { content } }]
const para = (content: string, children?: unknown[]) => ({ paragraph: { rich_text: rt(content), ...(children ? { children } : {}) } })

describe('content change events', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  let notion: Client
  let bot: string

  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server, { readComments: true, insertComments: true })
    await s.share(s.pages.root.id)
    notion = server.client(s.token)
    bot = `bot:${s.connection.bot_id}`
  })
  afterAll(async () => {
    await server.stop()
  })

  /** Runs `fn` and returns the events it appended, in order. */
  async function eventsOf(fn: () => Promise<unknown>): Promise<ChangeEvent[]> {
    const after = await lastEventSeq(server.deps.store.db)
    await fn()
    return listEvents(server.deps.store.db, { afterSeq: after })
  }
  const pairs = (events: ChangeEvent[]) => events.map((e) => [e.type, e.objectId])
  const actors = (events: ChangeEvent[]) => [...new Set(events.map((e) => e.actor))]

  /** The ids of a page's or block's children, depth first (what `block.appended` should name). */
  async function treeIds(id: string): Promise<string[]> {
    const out: string[] = []
    const kids = await notion.blocks.children.list({ block_id: id })
    for (const b of kids.results as { id: string; has_children: boolean }[]) {
      out.push(b.id)
      if (b.has_children) out.push(...(await treeIds(b.id)))
    }
    return out
  }

  async function database(title: string, properties: Record<string, unknown>) {
    const db = (await notion.databases.create({
      parent: { type: 'page_id', page_id: s.pages.root.id },
      title: rt(title),
      initial_data_source: { properties } as any,
    })) as any
    return { id: db.id as string, ds: db.data_sources[0].id as string }
  }

  it('pages: create (with nested children), update, trash, restore, move', async () => {
    let id = ''
    const created = await eventsOf(async () => {
      id = (
        await notion.pages.create({
          parent: { page_id: s.pages.root.id },
          properties: { title: { title: rt('Events') } },
          children: [para('a', [para('a.1')]), para('b')] as any,
        })
      ).id
    })
    const blocks = await treeIds(id)
    expect(blocks).toHaveLength(3)
    // Insertion order: the first-level blocks' rows come with their children (depth first).
    expect(pairs(created)).toEqual([['page.created', id], ...blocks.map((b) => ['block.appended', b])])
    expect(actors(created)).toEqual([bot])
    expect(created[0]?.data).toEqual({ parent_type: 'page_id', parent_id: s.pages.root.id })
    expect(created.find((e) => e.objectId === blocks[1])?.data).toMatchObject({ parent_id: blocks[0], page_id: id })

    const updated = await eventsOf(() =>
      notion.pages.update({ page_id: id, properties: { title: { title: rt('Renamed') } }, icon: { type: 'emoji', emoji: '🎉' } }),
    )
    expect(pairs(updated)).toEqual([['page.updated', id]])
    expect(updated[0]?.data).toEqual({ fields: ['title', 'icon'] })

    expect(pairs(await eventsOf(() => notion.pages.update({ page_id: id, in_trash: true })))).toEqual([['page.trashed', id]])
    expect(pairs(await eventsOf(() => notion.pages.update({ page_id: id, in_trash: false })))).toEqual([['page.restored', id]])

    const moved = await eventsOf(() => notion.pages.move({ page_id: id, parent: { type: 'page_id', page_id: s.pages.child.id } }))
    expect(pairs(moved)).toEqual([['page.moved', id]])
    expect(moved[0]?.data).toEqual({ parent_type: 'page_id', parent_id: s.pages.child.id })

    // erase_content trashes the page's first-level blocks: one block.deleted each.
    const top = (await notion.blocks.children.list({ block_id: id })).results.map((b) => b.id)
    const erased = await eventsOf(() => notion.pages.update({ page_id: id, erase_content: true } as any))
    expect(pairs(erased)).toEqual(top.map((b) => ['block.deleted', b]))
  })

  it('pages: refused writes (validation, trash, access) append nothing', async () => {
    const secret = s.pages.secret.id
    expect(
      await eventsOf(() => apiError(notion.pages.create({ parent: { page_id: secret }, properties: { title: { title: rt('x') } } }))),
    ).toEqual([])
    expect(
      await eventsOf(() =>
        apiError(notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { Nope: { number: 1 } } as any })),
      ),
    ).toEqual([])
    const gone = await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('Gone') } } })
    await notion.pages.update({ page_id: gone.id, in_trash: true })
    expect(await eventsOf(() => apiError(notion.pages.update({ page_id: gone.id, properties: { title: { title: rt('y') } } })))).toEqual([])
    expect(
      await eventsOf(() =>
        apiError(notion.pages.move({ page_id: s.pages.root.id, parent: { type: 'page_id', page_id: s.pages.grandchild.id } })),
      ),
    ).toEqual([])
  })

  it('blocks: append, update, trash and restore, delete; refused writes append nothing', async () => {
    const page = await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('Blocks') } } })
    let first = ''
    const appended = await eventsOf(async () => {
      first = (await notion.blocks.children.append({ block_id: page.id, children: [para('one', [para('one.1')]), para('two')] as any }))
        .results[0]!.id
    })
    const ids = await treeIds(page.id)
    expect(pairs(appended)).toEqual(ids.map((b) => ['block.appended', b]))
    expect(appended.map((e) => e.data?.parent_id)).toEqual([page.id, first, page.id])

    const nested = await eventsOf(() => notion.blocks.children.append({ block_id: first, children: [para('one.2')] as any }))
    expect(nested.map((e) => [e.type, e.data?.parent_id])).toEqual([['block.appended', first]])

    const updated = await eventsOf(() => notion.blocks.update({ block_id: first, paragraph: { rich_text: rt('ONE') } } as any))
    expect(pairs(updated)).toEqual([['block.updated', first]])
    expect(updated[0]?.data).toEqual({ fields: ['content'] })
    expect(pairs(await eventsOf(() => notion.blocks.update({ block_id: first, in_trash: true })))).toEqual([['block.trashed', first]])
    expect(pairs(await eventsOf(() => notion.blocks.update({ block_id: first, in_trash: false })))).toEqual([['block.restored', first]])
    expect(pairs(await eventsOf(() => notion.blocks.delete({ block_id: first })))).toEqual([['block.deleted', first]])

    // A page deleted through the blocks endpoint is a trashed page.
    const sub = await notion.pages.create({ parent: { page_id: page.id }, properties: { title: { title: rt('Sub') } } })
    expect(pairs(await eventsOf(() => notion.blocks.delete({ block_id: sub.id })))).toEqual([['page.trashed', sub.id]])

    // Refused: a block in the trash, a type change, a parent that takes no children, an unshared page.
    expect(await eventsOf(() => apiError(notion.blocks.update({ block_id: first, paragraph: { rich_text: rt('x') } } as any)))).toEqual([])
    const second = ids[2] as string
    expect(await eventsOf(() => apiError(notion.blocks.update({ block_id: second, heading_1: { rich_text: rt('x') } } as any)))).toEqual([])
    expect(
      await eventsOf(() => apiError(notion.blocks.children.append({ block_id: s.pages.secret.id, children: [para('x')] as any }))),
    ).toEqual([])
    expect(await eventsOf(() => apiError(notion.blocks.delete({ block_id: s.pages.secret.id })))).toEqual([])
  })

  it('comments: create; refused writes append nothing', async () => {
    let id = ''
    const made = await eventsOf(async () => {
      id = (await notion.comments.create({ parent: { page_id: s.pages.root.id }, rich_text: rt('hello') })).id
    })
    expect(pairs(made)).toEqual([['comment.created', id]])
    expect(made[0]).toMatchObject({ actor: bot, data: { parent_id: s.pages.root.id, page_id: s.pages.root.id } })
    expect(await eventsOf(() => apiError(notion.comments.create({ parent: { page_id: s.pages.secret.id }, rich_text: rt('x') })))).toEqual(
      [],
    )
    expect(
      await eventsOf(() => apiError(notion.comments.create({ discussion_id: '0b2f8a35-6a2c-4e28-9f8a-0a6f3f0f0f0f', rich_text: rt('x') }))),
    ).toEqual([])
  })

  it('databases and data sources: create, update, schema change, trash, restore, move; refused writes append nothing', async () => {
    let db = { id: '', ds: '' }
    const created = await eventsOf(async () => {
      db = await database('Tasks', { Name: { title: {} }, Points: { number: {} } })
    })
    // With its default table view (Notion's first tab of every new database).
    expect(pairs(created)).toEqual([
      ['database.created', db.id],
      ['data_source.created', db.ds],
      ['view.created', expect.any(String)],
    ])
    expect(created[2]?.data).toEqual({ view_type: 'table', database_id: db.id, data_source_id: db.ds })
    expect(actors(created)).toEqual([bot])

    const renamed = await eventsOf(() =>
      notion.databases.update({ database_id: db.id, title: rt('Tasks 2'), icon: { type: 'emoji', emoji: '✅' } }),
    )
    expect(pairs(renamed)).toEqual([
      ['data_source.updated', db.ds],
      ['database.updated', db.id],
    ])
    expect(renamed.map((e) => e.data)).toEqual([{ fields: ['title'] }, { fields: ['title', 'icon'] }])

    expect(pairs(await eventsOf(() => notion.databases.update({ database_id: db.id, in_trash: true })))).toEqual([
      ['database.trashed', db.id],
    ])
    expect(pairs(await eventsOf(() => notion.databases.update({ database_id: db.id, in_trash: false })))).toEqual([
      ['database.restored', db.id],
    ])
    expect(
      pairs(await eventsOf(() => notion.databases.update({ database_id: db.id, parent: { type: 'page_id', page_id: s.pages.child.id } }))),
    ).toEqual([['database.moved', db.id]])

    const schema = await eventsOf(() =>
      notion.dataSources.update({ data_source_id: db.ds, properties: { Done: { checkbox: {} }, Points: null } as any }),
    )
    expect(pairs(schema)).toEqual([['data_source.schema_changed', db.ds]])
    expect(schema[0]?.data).toMatchObject({ removed: [expect.any(String)], added: [expect.any(String)] })

    // A data source's title: its own update, and (as the database's only source) the database's title.
    const dsTitle = await eventsOf(() => notion.dataSources.update({ data_source_id: db.ds, title: rt('Renamed') }))
    expect(pairs(dsTitle)).toEqual([
      ['database.updated', db.id],
      ['data_source.updated', db.ds],
    ])
    expect(pairs(await eventsOf(() => notion.dataSources.update({ data_source_id: db.ds, in_trash: true })))).toEqual([
      ['data_source.trashed', db.ds],
    ])
    expect(pairs(await eventsOf(() => notion.dataSources.update({ data_source_id: db.ds, in_trash: false })))).toEqual([
      ['data_source.restored', db.ds],
    ])

    let second = ''
    const added = await eventsOf(async () => {
      second = (
        await notion.dataSources.create({
          parent: { type: 'database_id', database_id: db.id },
          title: rt('Second'),
          properties: { Name: { title: {} } } as any,
        })
      ).id
    })
    expect(pairs(added)).toEqual([['data_source.created', second]])

    // Refused: a bad schema, an unshared parent, a formula that does not compile.
    expect(
      await eventsOf(() =>
        apiError(
          notion.databases.create({
            parent: { type: 'page_id', page_id: s.pages.secret.id },
            title: rt('x'),
            initial_data_source: { properties: { Name: { title: {} } } },
          }),
        ),
      ),
    ).toEqual([])
    expect(
      await eventsOf(() =>
        apiError(
          notion.databases.create({
            parent: { type: 'page_id', page_id: s.pages.root.id },
            title: rt('x'),
            initial_data_source: { properties: { X: { sparkle: {} } } as any },
          }),
        ),
      ),
    ).toEqual([])
    expect(
      await eventsOf(() =>
        apiError(
          notion.dataSources.update({ data_source_id: db.ds, properties: { Bad: { formula: { expression: 'prop("Nope" +' } } } as any }),
        ),
      ),
    ).toEqual([])
    expect(
      await eventsOf(() =>
        apiError(notion.databases.update({ database_id: db.id, parent: { type: 'page_id', page_id: s.pages.secret.id } })),
      ),
    ).toEqual([])
    expect(
      await eventsOf(() =>
        apiError(
          notion.dataSources.create({ parent: { type: 'database_id', database_id: db.id }, properties: { X: { sparkle: {} } } as any }),
        ),
      ),
    ).toEqual([])
  })

  it('rows: a two-way relation write is a page.updated of each related row; a template adds its blocks', async () => {
    const tasks = await database('Tasks', { Name: { title: {} } })
    const projects = await database('Projects', {
      Name: { title: {} },
      Tasks: { relation: { data_source_id: tasks.ds, dual_property: { synced_property_name: 'Project' } } },
    })
    const t1 = await notion.pages.create({ parent: { data_source_id: tasks.ds }, properties: { Name: { title: rt('T1') } } })
    const t2 = await notion.pages.create({ parent: { data_source_id: tasks.ds }, properties: { Name: { title: rt('T2') } } })

    let p = ''
    const created = await eventsOf(async () => {
      p = (
        await notion.pages.create({
          parent: { data_source_id: projects.ds },
          properties: { Name: { title: rt('P') }, Tasks: { relation: [{ id: t1.id }, { id: t2.id }] } },
        })
      ).id
    })
    expect(pairs(created)).toEqual([
      ['page.updated', t1.id],
      ['page.updated', t2.id],
      ['page.created', p],
    ])
    expect(actors(created)).toEqual([bot])
    expect(created[0]?.data).toEqual({ fields: ['properties'] })
    expect(created[2]?.data).toEqual({ parent_type: 'data_source_id', parent_id: projects.ds })

    const unlinked = await eventsOf(() => notion.pages.update({ page_id: p, properties: { Tasks: { relation: [{ id: t2.id }] } } }))
    expect(pairs(unlinked)).toEqual([
      ['page.updated', t1.id],
      ['page.updated', p],
    ])
    expect(unlinked[1]?.data).toEqual({ fields: ['properties'], property_ids: [expect.any(String)] })

    // A new select option written by a row is a schema change of its data source.
    const withKind = await database('Kinds', { Name: { title: {} }, Kind: { select: { options: [] } } })
    let row = ''
    const optioned = await eventsOf(async () => {
      row = (await notion.pages.create({ parent: { data_source_id: withKind.ds }, properties: { Kind: { select: { name: 'New' } } } })).id
    })
    expect(pairs(optioned)).toEqual([
      ['data_source.schema_changed', withKind.ds],
      ['page.created', row],
    ])

    // Page from a template: the page, then one block.appended per copied template block.
    const template = await createTemplate(server.deps, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      dataSourceId: tasks.ds,
      title: 'Bug',
      isDefault: true,
      paragraphs: ['Steps', 'Expected'],
    })
    let fromTemplate = ''
    const templated = await eventsOf(async () => {
      fromTemplate = (
        await notion.pages.create({
          parent: { data_source_id: tasks.ds },
          template: { type: 'template_id', template_id: template.id },
        } as any)
      ).id
    })
    const copied = await treeIds(fromTemplate)
    expect(copied).toHaveLength(2)
    expect(pairs(templated)).toEqual([['page.created', fromTemplate], ...copied.map((b) => ['block.appended', b])])
    const applied = await eventsOf(() => notion.pages.update({ page_id: t1.id, template: { type: 'default' } } as any))
    const added = (await treeIds(t1.id)).slice(-2)
    expect(pairs(applied)).toEqual(added.map((b) => ['block.appended', b]))

    // Refused: a relation to a page outside the related data source; a template outside a data source.
    expect(
      await eventsOf(() => apiError(notion.pages.update({ page_id: p, properties: { Tasks: { relation: [{ id: s.pages.root.id }] } } }))),
    ).toEqual([])
    expect(
      await eventsOf(() => apiError(notion.pages.create({ parent: { page_id: s.pages.root.id }, template: { type: 'default' } } as any))),
    ).toEqual([])
  })

  it('a personal access token acts as its creator (user:<id>)', async () => {
    const p = await seedPeople(server)
    const { token } = await p.pat(p.owner.id)
    const pat = server.client(token)
    let id = ''
    const events = await eventsOf(async () => {
      id = (await pat.pages.create({ parent: { page_id: p.pages.root.id }, properties: { title: { title: rt('Mine') } } })).id
      await pat.pages.update({ page_id: id, icon: { type: 'emoji', emoji: '🙂' } })
    })
    expect(pairs(events)).toEqual([
      ['page.created', id],
      ['page.updated', id],
    ])
    expect(actors(events)).toEqual([`user:${p.owner.id}`])
  })
})
