import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { APIErrorCode, type Client } from '@notionhq/client'
import { createConnection } from '../../src/services/connections.service.js'
import { addGroupMember, createGroup } from '../../src/services/people.service.js'
import { createTemplate } from '../../src/services/templates.service.js'
import { createWorkspace } from '../../src/services/workspaces.service.js'
import { lastEventSeq, listEvents } from '../../src/storage/repositories/events.repository.js'
import { buildDatabase, connectedWorkspace, rt, type Seed } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'

/**
 * What the data-sources issue left open (issue 15), through the official SDK: templates never appear
 * in search; people values name people or groups of the workspace (not bots, not unknown ids); a row
 * moved out of its data source takes no two-way links with it.
 */
describe('data sources: left-open cases', () => {
  let server: TestServer
  let s: Seed
  let notion: Client

  beforeAll(async () => {
    server = await startTestServer()
    ;({ s, notion } = await connectedWorkspace(server))
  })
  afterAll(async () => server?.stop())

  it('search never returns data-source templates, under any version', async () => {
    const { dataSourceId, database } = await buildDatabase(notion, s.pages.root.id, {
      title: 'Recipes',
      properties: { Name: { title: {} } } as never,
    })
    const tpl = await createTemplate(server.deps, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      dataSourceId,
      title: 'Zucchini template',
      isDefault: true,
    })
    const row = await notion.pages.create({
      parent: { data_source_id: dataSourceId },
      properties: { Name: { title: rt('Zucchini bread') } },
    })
    // The template is a page the connection can open…
    expect((await notion.pages.retrieve({ page_id: tpl.id })).id).toBe(tpl.id)
    // …but search finds only the row, with or without a query, under every version.
    for (const version of ['2021-08-16', '2022-06-28', '2025-09-03', '2026-03-11']) {
      const client = server.client(s.token, version)
      const byQuery = await client.search({ query: 'Zucchini' })
      expect(
        byQuery.results.map((r) => r.id),
        version,
      ).toEqual([row.id])
      const pages = await client.search({ filter: { property: 'object', value: 'page' }, page_size: 100 })
      expect(
        pages.results.map((r) => r.id),
        version,
      ).not.toContain(tpl.id)
    }
    expect(database.id).toBeTruthy()
  })

  describe('people values', () => {
    let dsId: string
    beforeAll(async () => {
      dsId = (
        await buildDatabase(notion, s.pages.root.id, { title: 'Owners', properties: { Name: { title: {} }, Who: { people: {} } } as never })
      ).dataSourceId
    })

    it("accepts the workspace's people (guests included), its connections' bots and its groups", async () => {
      const group = await createGroup(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, name: 'Cooks' })
      await addGroupMember(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, groupId: group.id, userId: s.member.id })
      const page = await notion.pages.create({
        parent: { data_source_id: dsId },
        properties: {
          Name: { title: rt('Shared') },
          Who: {
            people: [
              { id: s.owner.id },
              { object: 'user', id: s.guest.id },
              { object: 'group', id: group.id },
              { id: s.connection.bot_id },
            ],
          },
        } as never,
      })
      const who = ((await notion.pages.retrieve({ page_id: page.id })) as any).properties.Who.people
      expect(who.map((p: { id: string }) => p.id)).toEqual([s.owner.id, s.guest.id, group.id, s.connection.bot_id])
    })

    it('refuses unknown ids, groups named as users, people and bots of another workspace, on create and update', async () => {
      const page = await notion.pages.create({ parent: { data_source_id: dsId }, properties: { Name: { title: rt('Row') } } })
      const elsewhere = await createWorkspace(server.deps, {
        name: 'Elsewhere',
        plan: 'free',
        members: [{ name: 'Otto Outsider', email: 'otto@example.com', role: 'owner' }],
      })
      const outsider = (elsewhere.members[0] as { id: string }).id
      const foreignBot = await createConnection(server.deps, { workspaceId: elsewhere.workspace.id, actorId: outsider, name: 'Foreign' })
      const group = await createGroup(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, name: 'Bakers' })
      const unknown = '5b2f0c1e-8d7a-4c39-9a55-3f1f8f6f0a11'
      const cases: [unknown, string][] = [
        [[{ id: unknown }], unknown],
        [[{ id: s.owner.id }, { object: 'user', id: foreignBot.connection.bot_id }], foreignBot.connection.bot_id],
        [[{ id: group.id }], group.id],
        [[{ object: 'group', id: unknown }], unknown],
        [[{ id: outsider }], outsider],
      ]
      for (const [people, bad] of cases) {
        const index = (people as { id: string }[]).findIndex((p) => p.id === bad)
        const message = `body failed validation: body.properties.Who.people[${index}].id should be a user or group of this workspace, instead was \`"${bad}"\`.`
        const onCreate = await apiError(
          notion.pages.create({ parent: { data_source_id: dsId }, properties: { Name: { title: rt('X') }, Who: { people } } as never }),
        )
        expect(onCreate.code).toBe(APIErrorCode.ValidationError)
        expect(onCreate.message).toBe(message)
        const onUpdate = await apiError(notion.pages.update({ page_id: page.id, properties: { Who: { people } } as never }))
        expect(onUpdate.code).toBe(APIErrorCode.ValidationError)
        expect(onUpdate.message).toBe(message)
      }
      // Nothing was written.
      const who = ((await notion.pages.retrieve({ page_id: page.id })) as any).properties.Who.people
      expect(who).toEqual([])
    })
  })

  describe('moving a row out of its data source', () => {
    async function linked() {
      const { dataSourceId: tasks } = await buildDatabase(notion, s.pages.root.id, {
        title: 'Tasks',
        properties: { Name: { title: {} } } as never,
      })
      const { dataSourceId: projects } = await buildDatabase(notion, s.pages.root.id, {
        title: 'Projects',
        properties: {
          Name: { title: {} },
          Tasks: { relation: { data_source_id: tasks, dual_property: { synced_property_name: 'Project' } } },
        } as never,
      })
      const t1 = await notion.pages.create({ parent: { data_source_id: tasks }, properties: { Name: { title: rt('T1') } } })
      const t2 = await notion.pages.create({ parent: { data_source_id: tasks }, properties: { Name: { title: rt('T2') } } })
      const p = await notion.pages.create({
        parent: { data_source_id: projects },
        properties: { Name: { title: rt('P') }, Tasks: { relation: [{ id: t1.id }, { id: t2.id }] } } as never,
      })
      const projectOf = async (id: string) =>
        (((await notion.pages.retrieve({ page_id: id })) as any).properties.Project.relation as { id: string }[]).map((r) => r.id)
      expect(await projectOf(t1.id)).toEqual([p.id])
      return { tasks, projects, t1, t2, p, projectOf }
    }

    it('to another data source: the related pages no longer list it and it lists none of them', async () => {
      const { tasks, t1, t2, p, projectOf } = await linked()
      const { dataSourceId: archive } = await buildDatabase(notion, s.pages.root.id, {
        title: 'Archive',
        properties: { Name: { title: {} } } as never,
      })
      const after = await lastEventSeq(server.deps.store.db)
      await notion.pages.move({ page_id: p.id, parent: { type: 'data_source_id', data_source_id: archive } })
      // One write path: each unlinked page gets its `page.updated`, the row its `page.moved`.
      const events = (await listEvents(server.deps.store.db, { afterSeq: after })).map((e) => [e.type, e.objectId])
      expect(events).toEqual(
        expect.arrayContaining([
          ['page.updated', t1.id],
          ['page.updated', t2.id],
          ['page.moved', p.id],
        ]),
      )
      expect(events.filter(([type]) => type === 'page.updated')).toHaveLength(2)
      expect(await projectOf(t1.id)).toEqual([])
      expect(await projectOf(t2.id)).toEqual([])
      // Queries of the tasks by the relation find nothing either.
      const q = await notion.dataSources.query({ data_source_id: tasks, filter: { property: 'Project', relation: { contains: p.id } } })
      expect(q.results).toEqual([])
      // In its new data source it shows that data source's properties only.
      const projectsOfP = ((await notion.pages.retrieve({ page_id: p.id })) as any).properties
      expect(Object.keys(projectsOfP)).toEqual(['Name'])
    })

    it('under a page: the same; a task moved away leaves its project with the other task only', async () => {
      const { projects, t1, t2, p, projectOf } = await linked()
      await notion.pages.move({ page_id: t1.id, parent: { type: 'page_id', page_id: s.pages.child.id } })
      const tasksOfP = ((await notion.pages.retrieve({ page_id: p.id })) as any).properties.Tasks.relation.map((r: { id: string }) => r.id)
      expect(tasksOfP).toEqual([t2.id])
      expect(await projectOf(t2.id)).toEqual([p.id])
      await notion.pages.move({ page_id: p.id, parent: { type: 'page_id', page_id: s.pages.child.id } })
      expect(await projectOf(t2.id)).toEqual([])
      const q = await notion.dataSources.query({ data_source_id: projects })
      expect(q.results).toEqual([])
    })

    it('within the same data source nothing changes (a move to its own data source)', async () => {
      const { projects, t1, p, projectOf } = await linked()
      await notion.pages.move({ page_id: p.id, parent: { type: 'data_source_id', data_source_id: projects } })
      expect(await projectOf(t1.id)).toEqual([p.id])
    })
  })
})
