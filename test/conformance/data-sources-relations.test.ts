import { collectPaginatedAPI } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { updateCapabilities } from '../../src/services/connections.service.js'
import { buildConnection, buildDatabase, connectedWorkspace, rt } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Relations and rollups through the official SDK (docs/reference/notion-api.md §2.5, §2.6, §2.8): two-way relations kept
 * consistent on both sides on every write, removal and trash; every rollup function; the property
 * item endpoint past 25 references; and no leak of related pages a token cannot see.
 */

describe('relations and rollups', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => {
    await server.stop()
  })

  async function twoDatabases() {
    const { s, notion } = await connectedWorkspace(server)
    const { dataSourceId: tasks } = await buildDatabase(notion, s.pages.root.id, {
      title: 'Tasks',
      properties: {
        Name: { title: {} },
        Points: { number: {} },
        Done: { checkbox: {} },
        Due: { date: {} },
        Kind: { select: { options: [{ name: 'Bug' }, { name: 'Feature' }] } },
      },
    })
    const { dataSourceId: projects } = await buildDatabase(notion, s.pages.root.id, {
      title: 'Projects',
      properties: {
        Name: { title: {} },
        Tasks: { relation: { data_source_id: tasks, dual_property: { synced_property_name: 'Project' } } },
      },
    })
    return { s, notion, tasks, projects }
  }

  it('creates the synced property on the other side and mirrors every write', async () => {
    const { notion, tasks, projects } = await twoDatabases()
    const tasksDs = (await notion.dataSources.retrieve({ data_source_id: tasks })) as any
    expect(tasksDs.properties.Project.type).toBe('relation')
    expect(tasksDs.properties.Project.relation).toMatchObject({
      data_source_id: projects,
      type: 'dual_property',
      dual_property: { synced_property_name: 'Tasks' },
    })
    const projectsDs = (await notion.dataSources.retrieve({ data_source_id: projects })) as any
    expect(projectsDs.properties.Tasks.relation.dual_property.synced_property_id).toBe(tasksDs.properties.Project.id)

    const t1 = await notion.pages.create({ parent: { data_source_id: tasks }, properties: { Name: { title: rt('T1') } } })
    const t2 = await notion.pages.create({ parent: { data_source_id: tasks }, properties: { Name: { title: rt('T2') } } })
    const p = await notion.pages.create({
      parent: { data_source_id: projects },
      properties: { Name: { title: rt('P') }, Tasks: { relation: [{ id: t1.id }, { id: t2.id }] } },
    })
    const relOf = async (id: string, prop: string) =>
      ((await notion.pages.retrieve({ page_id: id })) as any).properties[prop].relation.map((r: { id: string }) => r.id)
    expect(await relOf(t1.id, 'Project')).toEqual([p.id])
    expect(await relOf(t2.id, 'Project')).toEqual([p.id])

    // Remove t1 from the project: t1 loses its back-link, t2 keeps it.
    await notion.pages.update({ page_id: p.id, properties: { Tasks: { relation: [{ id: t2.id }] } } })
    expect(await relOf(t1.id, 'Project')).toEqual([])
    expect(await relOf(t2.id, 'Project')).toEqual([p.id])

    // Writing the other side updates the project.
    await notion.pages.update({ page_id: t1.id, properties: { Project: { relation: [{ id: p.id }] } } })
    expect(new Set(await relOf(p.id, 'Tasks'))).toEqual(new Set([t1.id, t2.id]))

    // Trash hides the trashed page on both sides; restore brings it back.
    await notion.pages.update({ page_id: t2.id, in_trash: true })
    expect(await relOf(p.id, 'Tasks')).toEqual([t1.id])
    await notion.pages.update({ page_id: t2.id, in_trash: false })
    expect(new Set(await relOf(p.id, 'Tasks'))).toEqual(new Set([t1.id, t2.id]))

    // A trashed database takes its rows out of relations until it is restored.
    const tasksDbId = tasksDs.parent.database_id
    await notion.databases.update({ database_id: tasksDbId, in_trash: true })
    expect(await relOf(p.id, 'Tasks')).toEqual([])
    await notion.databases.update({ database_id: tasksDbId, in_trash: false })
    expect(new Set(await relOf(p.id, 'Tasks'))).toEqual(new Set([t1.id, t2.id]))

    // Removing one side of the pair removes the synced property and its values.
    await notion.dataSources.update({ data_source_id: projects, properties: { Tasks: null } })
    const after = (await notion.dataSources.retrieve({ data_source_id: tasks })) as any
    expect(after.properties.Project).toBeUndefined()
    expect(((await notion.pages.retrieve({ page_id: t1.id })) as any).properties.Project).toBeUndefined()
  })

  it('lets formulas format related pages by title and people by name, within what the token may see', async () => {
    const { notion, tasks, projects, s } = await twoDatabases()
    await notion.dataSources.update({
      data_source_id: projects,
      properties: {
        Who: { created_by: {} },
        'Task list': { formula: { expression: 'format(prop("Tasks"))' } },
        Author: { formula: { expression: 'format(prop("Who"))' } },
      },
    })
    const t1 = await notion.pages.create({ parent: { data_source_id: tasks }, properties: { Name: { title: rt('Write docs') } } })
    const p = await notion.pages.create({ parent: { data_source_id: projects }, properties: { Tasks: { relation: [{ id: t1.id }] } } })
    const props = ((await notion.pages.retrieve({ page_id: p.id })) as any).properties
    expect(props['Task list'].formula).toEqual({ type: 'string', string: 'Write docs' })
    // The default connection has no user-information capability: no names through formulas either.
    expect(props.Author.formula).toEqual({ type: 'string', string: null })
    // Through the write path (its event reaches the in-process caches), as the admin API would.
    await updateCapabilities(server.deps, s.connection.id, s.owner.id, { userInfo: 'without_email' })
    const named = ((await notion.pages.retrieve({ page_id: p.id })) as any).properties
    expect(named.Author.formula).toEqual({ type: 'string', string: 'Test Bot' })
  })

  it('refuses related ids that are not pages of the related data source', async () => {
    const { s, notion, projects } = await twoDatabases()
    const e = await apiError(
      notion.pages.create({ parent: { data_source_id: projects }, properties: { Tasks: { relation: [{ id: s.pages.child.id }] } } }),
    )
    expect(e.status).toBe(400)
    expect(e.code).toBe('validation_error')
    expect(e.message).toBe(
      `body failed validation: body.properties.Tasks.relation[0].id should be a page of the related data source, instead was \`"${s.pages.child.id}"\`.`,
    )
  })

  it('computes every rollup function over the related pages', async () => {
    const { notion, tasks, projects } = await twoDatabases()
    const mk = (name: string, props: Record<string, unknown>) =>
      notion.pages.create({ parent: { data_source_id: tasks }, properties: { Name: { title: rt(name) }, ...props } as any })
    const a = await mk('A', {
      Points: { number: 1 },
      Done: { checkbox: true },
      Due: { date: { start: '2026-01-05' } },
      Kind: { select: { name: 'Bug' } },
    })
    const b = await mk('B', {
      Points: { number: 4 },
      Done: { checkbox: false },
      Due: { date: { start: '2026-03-01', end: '2026-03-04' } },
      Kind: { select: { name: 'Bug' } },
    })
    const c = await mk('C', { Points: { number: 10 }, Done: { checkbox: true }, Kind: { select: { name: 'Feature' } } })
    const d = await mk('D', {})
    const roll = (fn: string, prop: string) => ({ rollup: { function: fn, relation_property_name: 'Tasks', rollup_property_name: prop } })
    const fns: Record<string, string> = {
      count: 'Points',
      count_values: 'Points',
      empty: 'Points',
      not_empty: 'Points',
      unique: 'Kind',
      percent_empty: 'Points',
      percent_not_empty: 'Points',
      sum: 'Points',
      average: 'Points',
      median: 'Points',
      min: 'Points',
      max: 'Points',
      range: 'Points',
      earliest_date: 'Due',
      latest_date: 'Due',
      date_range: 'Due',
      checked: 'Done',
      unchecked: 'Done',
      percent_checked: 'Done',
      percent_unchecked: 'Done',
      show_original: 'Name',
      show_unique: 'Kind',
      count_per_group: 'Kind',
      percent_per_group: 'Kind',
    }
    await notion.dataSources.update({
      data_source_id: projects,
      properties: Object.fromEntries(Object.entries(fns).map(([fn, prop]) => [`R ${fn}`, roll(fn, prop)])) as any,
    })
    const p = await notion.pages.create({
      parent: { data_source_id: projects },
      properties: { Name: { title: rt('P') }, Tasks: { relation: [a, b, c, d].map((x) => ({ id: x.id })) } },
    })
    const props = ((await notion.pages.retrieve({ page_id: p.id })) as any).properties
    const r = (fn: string) => props[`R ${fn}`].rollup
    const n = (fn: string) => r(fn).number
    expect(r('count')).toEqual({ type: 'number', number: 4, function: 'count' })
    expect(n('count_values')).toBe(3)
    expect(n('empty')).toBe(1)
    expect(n('not_empty')).toBe(3)
    expect(n('unique')).toBe(2)
    expect(n('percent_empty')).toBe(0.25)
    expect(n('percent_not_empty')).toBe(0.75)
    expect(n('sum')).toBe(15)
    expect(n('average')).toBe(5)
    expect(n('median')).toBe(4)
    expect(n('min')).toBe(1)
    expect(n('max')).toBe(10)
    expect(n('range')).toBe(9)
    expect(r('earliest_date')).toEqual({
      type: 'date',
      date: { start: '2026-01-05', end: null, time_zone: null },
      function: 'earliest_date',
    })
    expect(r('latest_date').date.start).toBe('2026-03-04')
    expect(r('date_range').date).toEqual({ start: '2026-01-05', end: '2026-03-04', time_zone: null })
    expect(n('checked')).toBe(2)
    expect(n('unchecked')).toBe(2)
    expect(n('percent_checked')).toBe(0.5)
    expect(n('percent_unchecked')).toBe(0.5)
    expect(r('show_original').type).toBe('array')
    expect(r('show_original').array.map((x: any) => x.title[0].plain_text)).toEqual(['A', 'B', 'C', 'D'])
    expect(r('show_unique').array.map((x: any) => x.select?.name ?? null)).toEqual(['Bug', 'Feature', null])
    expect(r('count_per_group').type).toBe('unsupported')
    expect(r('percent_per_group').function).toBe('percent_per_group')

    // The schema names both ends of each rollup.
    const ds = (await notion.dataSources.retrieve({ data_source_id: projects })) as any
    expect(ds.properties['R sum'].rollup).toMatchObject({
      function: 'sum',
      relation_property_name: 'Tasks',
      rollup_property_name: 'Points',
      relation_property_id: ds.properties.Tasks.id,
    })

    // Rollup property item: the related values, with the aggregate so far.
    const item = (await notion.pages.properties.retrieve({ page_id: p.id, property_id: ds.properties['R sum'].id, page_size: 2 })) as any
    expect(item.object).toBe('list')
    expect(item.results.map((x: any) => x.number)).toEqual([1, 4])
    expect(item.property_item.rollup).toEqual({ type: 'number', number: 5, function: 'sum' })
    expect(item.has_more).toBe(true)
    const rest = (await notion.pages.properties.retrieve({
      page_id: p.id,
      property_id: ds.properties['R sum'].id,
      page_size: 2,
      start_cursor: item.next_cursor,
    })) as any
    expect(rest.property_item.rollup.number).toBe(15)
    expect(rest.next_cursor).toBeNull()

    // Renames show everywhere the names are recorded: rollups and the two-way pair.
    await notion.dataSources.update({
      data_source_id: tasks,
      properties: { Points: { name: 'Story points' }, Project: { name: 'In project' } },
    })
    await notion.dataSources.update({ data_source_id: projects, properties: { Tasks: { name: 'Work' } } })
    const renamed = (await notion.dataSources.retrieve({ data_source_id: projects })) as any
    expect(renamed.properties['R sum'].rollup).toMatchObject({ relation_property_name: 'Work', rollup_property_name: 'Story points' })
    expect(renamed.properties.Work.relation.dual_property.synced_property_name).toBe('In project')
    const tasksAfter = (await notion.dataSources.retrieve({ data_source_id: tasks })) as any
    expect(tasksAfter.properties['In project'].relation.dual_property.synced_property_name).toBe('Work')
    expect(((await notion.pages.retrieve({ page_id: p.id })) as any).properties['R sum'].rollup.number).toBe(15)

    // Unknown rollup targets are refused.
    const e = await apiError(
      notion.dataSources.update({
        data_source_id: projects,
        properties: { Bad: { rollup: { function: 'sum', relation_property_name: 'Work', rollup_property_name: 'Nope' } } } as any,
      }),
    )
    expect(e.message).toBe('Could not find rollup property with name or id: Nope.')
  })

  it('paginates relations past 25 references and flags has_more on the page', async () => {
    const { notion, tasks, projects } = await twoDatabases()
    const ids: string[] = []
    for (let i = 0; i < 30; i++)
      ids.push((await notion.pages.create({ parent: { data_source_id: tasks }, properties: { Name: { title: rt(`T${i}`) } } })).id)
    const p = await notion.pages.create({
      parent: { data_source_id: projects },
      properties: { Tasks: { relation: ids.map((id) => ({ id })) } },
    })
    const page = (await notion.pages.retrieve({ page_id: p.id })) as any
    expect(page.properties.Tasks.relation).toHaveLength(25)
    expect(page.properties.Tasks.has_more).toBe(true)
    const propId = page.properties.Tasks.id
    const first = (await notion.pages.properties.retrieve({ page_id: p.id, property_id: propId, page_size: 25 })) as any
    expect(first).toMatchObject({ object: 'list', type: 'property_item', has_more: true })
    expect(first.property_item).toMatchObject({ id: propId, type: 'relation', relation: {} })
    expect(first.property_item.next_url).toContain(`start_cursor=${first.next_cursor}`)
    const all = await collectPaginatedAPI(
      notion.pages.properties.retrieve as any,
      { page_id: p.id, property_id: propId, page_size: 10 } as any,
    )
    expect((all as any[]).map((x) => x.relation.id)).toEqual(ids)
  })

  it('shows nothing of related pages a token cannot see: no ids, no titles, no counts', async () => {
    const { s, notion: narrow } = await connectedWorkspace(server)
    // A second connection sees Root and Secret; the first only Root.
    const { notion: wide } = await buildConnection(server, s, 'Wide Bot', { shareWith: [s.pages.root.id, s.pages.secret.id] })
    const { dataSourceId: hidden } = await buildDatabase(wide, s.pages.secret.id, {
      title: 'Hidden',
      properties: { Name: { title: {} }, Points: { number: {} } },
    })
    const { dataSourceId: open } = await buildDatabase(wide, s.pages.root.id, {
      title: 'Open',
      properties: {
        Name: { title: {} },
        Links: { relation: { data_source_id: hidden, single_property: {} } },
      },
    })
    await wide.dataSources.update({
      data_source_id: open,
      properties: {
        Count: { rollup: { function: 'count', relation_property_name: 'Links', rollup_property_name: 'Points' } },
        Names: { rollup: { function: 'show_original', relation_property_name: 'Links', rollup_property_name: 'Name' } },
      },
    })
    const h1 = await wide.pages.create({
      parent: { data_source_id: hidden },
      properties: { Name: { title: rt('Secret plan') }, Points: { number: 7 } },
    })
    const h2 = await wide.pages.create({ parent: { data_source_id: hidden }, properties: { Name: { title: rt('Other secret') } } })
    const row = await wide.pages.create({
      parent: { data_source_id: open },
      properties: { Name: { title: rt('Row') }, Links: { relation: [{ id: h1.id }, { id: h2.id }] } },
    })

    const wideView = (await wide.pages.retrieve({ page_id: row.id })) as any
    expect(wideView.properties.Links.relation).toHaveLength(2)
    expect(wideView.properties.Count.rollup.number).toBe(2)

    const narrowView = (await narrow.pages.retrieve({ page_id: row.id })) as any
    expect(narrowView.properties.Links).toEqual({ id: narrowView.properties.Links.id, type: 'relation', relation: [], has_more: false })
    expect(narrowView.properties.Count.rollup).toEqual({ type: 'number', number: 0, function: 'count' })
    expect(narrowView.properties.Names.rollup).toEqual({ type: 'array', array: [], function: 'show_original' })
    const text = JSON.stringify(narrowView)
    expect(text).not.toContain(h1.id)
    expect(text).not.toContain('Secret plan')

    const queried = JSON.stringify(await narrow.dataSources.query({ data_source_id: open }))
    expect(queried).not.toContain(h1.id)
    expect(queried).not.toContain('Secret plan')
    // Filters see the same visible values: no row matches through a hidden link.
    const byHidden = await narrow.dataSources.query({ data_source_id: open, filter: { property: 'Links', relation: { contains: h1.id } } })
    expect(byHidden.results).toEqual([])
    const nonEmpty = await narrow.dataSources.query({
      data_source_id: open,
      filter: { property: 'Links', relation: { is_not_empty: true } },
    })
    expect(nonEmpty.results).toEqual([])
    const counted = await narrow.dataSources.query({
      data_source_id: open,
      filter: { property: 'Count', rollup: { number: { greater_than: 0 } } } as any,
    })
    expect(counted.results).toEqual([])
    expect(
      (await wide.dataSources.query({ data_source_id: open, filter: { property: 'Links', relation: { contains: h1.id } } })).results,
    ).toHaveLength(1)
    const item = (await narrow.pages.properties.retrieve({ page_id: row.id, property_id: narrowView.properties.Links.id })) as any
    expect(item.results).toEqual([])
    const rollItem = JSON.stringify(
      await narrow.pages.properties.retrieve({ page_id: row.id, property_id: narrowView.properties.Names.id }),
    )
    expect(rollItem).not.toContain('Secret plan')

    // The narrow token cannot link hidden pages, and its writes keep the links it cannot see.
    const e = await apiError(narrow.pages.update({ page_id: row.id, properties: { Links: { relation: [{ id: h1.id }] } } }))
    expect(e.code).toBe('validation_error')
    await narrow.pages.update({ page_id: row.id, properties: { Links: { relation: [] } } })
    expect(((await wide.pages.retrieve({ page_id: row.id })) as any).properties.Links.relation).toHaveLength(2)
  })
})
