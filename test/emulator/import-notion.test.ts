import { APIResponseError, Client } from '@notionhq/client'
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importNotionCommand } from '../../src/cli/import-notion-command.js'
import { createConnection, shareWithConnection } from '../../src/services/connections.service.js'
import { startOctavo, type Octavo } from '../../src/testing.js'
import { runCliInProcess } from '../support/cli-in-process.js'
import { startTestServer, type TestServer } from '../support/harness.js'

/**
 * `octavo import-notion` (issue 18, ADR 31): a second Octavo started here is the source ("Notion"),
 * seeded through the SDK; the import runs through the CLI code path into a fresh Octavo; then both are
 * read back through the SDK and compared. Also: an interrupted import continues without duplicates, and
 * a token sees (and so copies) only what is shared with it.
 */

let source: Octavo
let notion: Client
const ids = {} as Record<
  'home' | 'corner' | 'hidden' | 'a' | 'b' | 'c' | 'firstBlock' | 'projects' | 'projectsDs' | 'tasks' | 'tasksDs' | 'p1',
  string
>
const uploadedBytes = new TextEncoder().encode('Octavo import test file — bytes 0123456789\n')

const pngBytes = Uint8Array.from(
  Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'),
)

const FIXTURE = {
  workspaces: [
    {
      name: 'Acme',
      plan: 'plus' as const,
      people: [
        { name: 'Ada Owner', email: 'ada@acme.test', role: 'owner' as const },
        { name: 'Bob Member', email: 'bob@acme.test', role: 'member' as const },
      ],
      pages: [
        { key: 'home', title: 'Home', children: [{ key: 'corner', title: 'Corner' }] },
        { key: 'hidden', title: 'Hidden' },
      ],
      connections: [
        {
          name: 'Integration',
          capabilities: {
            read_content: true,
            update_content: true,
            insert_content: true,
            read_comments: true,
            insert_comments: true,
            user_info: 'with_email' as const,
          },
          shared_with: ['home'],
        },
        { name: 'Limited', capabilities: { read_comments: true, user_info: 'none' as const }, shared_with: ['corner'] },
      ],
    },
  ],
}

const rt = (content: string, extra: Record<string, unknown> = {}) => [{ type: 'text' as const, text: { content }, ...extra }]

beforeAll(async () => {
  source = await startOctavo({ fixture: FIXTURE, clientOptions: { retry: false } })
  notion = source.client('Integration')
  const ws = source.workspace!
  ids.home = ws.pages.home!
  ids.corner = ws.pages.corner!
  ids.hidden = ws.pages.hidden!

  // A file upload, attached to a file block.
  const upload = await notion.fileUploads.create({ filename: 'notes.txt', content_type: 'text/plain' })
  await notion.fileUploads.send({
    file_upload_id: upload.id,
    file: { filename: 'notes.txt', data: new Blob([uploadedBytes], { type: 'text/plain' }) },
  })

  const a = await notion.pages.create({
    parent: { page_id: ids.home },
    properties: { title: { title: rt('Nested A') } },
    icon: { type: 'emoji', emoji: '📘' },
  })
  ids.a = a.id
  const b = await notion.pages.create({ parent: { page_id: a.id }, properties: { title: { title: rt('Nested B') } } })
  ids.b = b.id
  const c = await notion.pages.create({ parent: { page_id: b.id }, properties: { title: { title: rt('Nested C') } } })
  ids.c = c.id
  await notion.blocks.children.append({
    block_id: b.id,
    children: [{ type: 'paragraph', paragraph: { rich_text: rt('B body') } }],
  })
  await notion.blocks.children.append({
    block_id: c.id,
    children: [{ type: 'quote', quote: { rich_text: rt('C body') } }],
  })

  // Every common block type on page A (children appended after the child page B, so B sits first).
  const people = await notion.users.list({})
  const ada = people.results.find((u) => u.type === 'person' && u.name === 'Ada Owner')!
  const appended = await notion.blocks.children.append({
    block_id: a.id,
    children: [
      { type: 'heading_1', heading_1: { rich_text: rt('Heading one') } },
      { type: 'heading_2', heading_2: { rich_text: rt('Heading two'), color: 'blue' } },
      {
        type: 'heading_3',
        heading_3: {
          rich_text: rt('Heading three'),
          is_toggleable: true,
          children: [{ type: 'paragraph', paragraph: { rich_text: rt('inside heading') } }],
        },
      },
      {
        type: 'paragraph',
        paragraph: {
          rich_text: [
            ...rt('bold ', { annotations: { bold: true } }),
            ...rt('link', { text: { content: 'link', link: { url: 'https://example.com/' } } }),
            { type: 'mention', mention: { user: { id: ada.id } } },
            { type: 'mention', mention: { page: { id: ids.home } } },
            { type: 'equation', equation: { expression: 'e=mc^2' } },
          ],
        },
      },
      {
        type: 'bulleted_list_item',
        bulleted_list_item: {
          rich_text: rt('bullet'),
          children: [{ type: 'bulleted_list_item', bulleted_list_item: { rich_text: rt('sub bullet') } }],
        },
      },
      { type: 'numbered_list_item', numbered_list_item: { rich_text: rt('number one') } },
      { type: 'to_do', to_do: { rich_text: rt('todo'), checked: true } },
      {
        type: 'toggle',
        toggle: { rich_text: rt('toggle'), children: [{ type: 'paragraph', paragraph: { rich_text: rt('hidden in toggle') } }] },
      },
      { type: 'quote', quote: { rich_text: rt('a quote') } },
      { type: 'callout', callout: { rich_text: rt('callout'), icon: { type: 'emoji', emoji: '💡' } } },
      { type: 'code', code: { rich_text: rt('const x = 1'), language: 'typescript' } },
      { type: 'equation', equation: { expression: 'a^2+b^2=c^2' } },
      { type: 'divider', divider: {} },
      { type: 'table_of_contents', table_of_contents: {} },
      { type: 'bookmark', bookmark: { url: 'https://example.com/bookmark' } },
      { type: 'embed', embed: { url: 'https://example.com/embed' } },
      { type: 'image', image: { type: 'external', external: { url: 'https://example.com/cat.png' } } },
      { type: 'file', file: { type: 'file_upload', file_upload: { id: upload.id }, caption: rt('the file') } },
      {
        type: 'table',
        table: {
          table_width: 2,
          has_column_header: true,
          children: [
            { type: 'table_row', table_row: { cells: [rt('k'), rt('v')] } },
            { type: 'table_row', table_row: { cells: [rt('one'), rt('1')] } },
          ],
        },
      },
      {
        type: 'column_list',
        column_list: {
          children: [
            { type: 'column', column: { children: [{ type: 'paragraph', paragraph: { rich_text: rt('left') } }] } },
            { type: 'column', column: { children: [{ type: 'paragraph', paragraph: { rich_text: rt('right') } }] } },
          ],
        },
      } as any,
      { type: 'link_to_page', link_to_page: { type: 'page_id', page_id: ids.home } },
      {
        type: 'synced_block',
        synced_block: { synced_from: null, children: [{ type: 'paragraph', paragraph: { rich_text: rt('synced') } }] },
      },
    ],
  })
  ids.firstBlock = appended.results[0]!.id

  // Two databases, Tasks related to Projects (two-way), with rows.
  const projects = (await notion.databases.create({
    parent: { type: 'page_id', page_id: ids.home },
    title: rt('Projects'),
    initial_data_source: {
      properties: {
        Name: { type: 'title', title: {} },
        Notes: { type: 'rich_text', rich_text: {} },
        Count: { type: 'number', number: { format: 'number' } },
        Tag: {
          type: 'select',
          select: {
            options: [
              { name: 'red', color: 'red' },
              { name: 'blue', color: 'blue' },
            ],
          },
        },
        Labels: { type: 'multi_select', multi_select: { options: [{ name: 'x' }, { name: 'y' }] } },
        Due: { type: 'date', date: {} },
        Done: { type: 'checkbox', checkbox: {} },
        Site: { type: 'url', url: {} },
        Lead: { type: 'people', people: {} },
        Stage: { type: 'status', status: {} },
        Double: { type: 'formula', formula: { expression: 'prop("Count") * 2' } },
        Attachments: { type: 'files', files: {} },
      } as any,
    },
  })) as any
  ids.projects = projects.id
  ids.projectsDs = projects.data_sources[0].id
  const tasks = (await notion.databases.create({
    parent: { type: 'page_id', page_id: ids.home },
    title: rt('Tasks'),
    initial_data_source: {
      properties: {
        Task: { type: 'title', title: {} },
        Project: { type: 'relation', relation: { data_source_id: ids.projectsDs, type: 'dual_property', dual_property: {} } },
      },
    },
  })) as any
  ids.tasks = tasks.id
  ids.tasksDs = tasks.data_sources[0].id
  await notion.dataSources.update({
    data_source_id: ids.tasksDs,
    properties: {
      Total: { type: 'rollup', rollup: { relation_property_name: 'Project', rollup_property_name: 'Count', function: 'sum' } },
    } as any,
  })
  const sheet = await notion.fileUploads.create({ filename: 'sheet.csv', content_type: 'text/csv' })
  await notion.fileUploads.send({
    file_upload_id: sheet.id,
    file: { filename: 'sheet.csv', data: new Blob(['a,b\n1,2\n'], { type: 'text/csv' }) },
  })
  const p1 = await notion.pages.create({
    parent: { type: 'data_source_id', data_source_id: ids.projectsDs },
    properties: {
      Name: { title: rt('P1') },
      Notes: { rich_text: rt('first') },
      Count: { number: 3 },
      Tag: { select: { name: 'red' } },
      Labels: { multi_select: [{ name: 'x' }, { name: 'y' }] },
      Due: { date: { start: '2026-12-24' } },
      Done: { checkbox: true },
      Site: { url: 'https://example.com/p1' },
      Lead: { people: [{ id: ada.id }] },
      Stage: { status: { name: 'In progress' } },
      Attachments: {
        files: [
          { name: 'sheet.csv', type: 'file_upload', file_upload: { id: sheet.id } },
          { name: 'spec', type: 'external', external: { url: 'https://example.com/spec.pdf' } },
        ],
      },
    } as any,
  })
  const p2 = await notion.pages.create({
    parent: { type: 'data_source_id', data_source_id: ids.projectsDs },
    properties: { Name: { title: rt('P2') } },
  })
  ids.p1 = p1.id
  await notion.pages.create({
    parent: { type: 'data_source_id', data_source_id: ids.tasksDs },
    properties: { Task: { title: rt('T1') }, Project: { relation: [{ id: p1.id }] } },
    children: [{ type: 'paragraph', paragraph: { rich_text: rt('task body') } }],
  })
  await notion.pages.create({
    parent: { type: 'data_source_id', data_source_id: ids.tasksDs },
    properties: { Task: { title: rt('T2') }, Project: { relation: [{ id: p1.id }, { id: p2.id }] } },
  })

  // Comments: on page A and on a block of it.
  const picture = await notion.fileUploads.create({ filename: 'dot.png', content_type: 'image/png' })
  await notion.fileUploads.send({
    file_upload_id: picture.id,
    file: { filename: 'dot.png', data: new Blob([pngBytes], { type: 'image/png' }) },
  })
  await notion.comments.create({
    parent: { page_id: a.id },
    rich_text: rt('Looks good'),
    attachments: [{ file_upload_id: picture.id }],
  } as any)
  await notion.comments.create({ parent: { block_id: ids.firstBlock } as any, rich_text: rt('On the heading') })
  // Something in the corner page (shared with Limited only, and visible to Integration through Home).
  await notion.blocks.children.append({
    block_id: ids.corner,
    children: [{ type: 'paragraph', paragraph: { rich_text: rt('corner text') } }],
  })
}, 60_000)

afterAll(async () => {
  await source?.close()
})

/** Runs the import through the CLI code path into `target`. */
async function runImport(target: TestServer, token: string, extra: string[] = []): Promise<any> {
  const out = await runCliInProcess(
    [importNotionCommand],
    ['--data-dir', target.dataDir, '--json', 'import-notion', '--token', token, '--base-url', source.url, '--quiet', ...extra],
    { databaseUrl: target.config.databaseUrl },
  )
  return JSON.parse(out)
}

/** A target-side client: a new connection shared with the import's roots, as the command tells. */
async function targetClient(target: TestServer, result: any): Promise<Client> {
  const deps = target.deps
  const owner = (await import('../../src/storage/repositories/workspaces.repository.js')).listMembers
  const members = await owner(deps.store.db, result.workspace.id)
  const ownerId = members.find((m) => m.role === 'owner')!.id
  const made = await createConnection(deps, {
    workspaceId: result.workspace.id,
    actorId: ownerId,
    name: result.connections[0].name,
    capabilities: { readContent: true, readComments: true, userInfo: 'with_email' },
  })
  for (const p of result.connections[0].share) await shareWithConnection(deps, made.connection.id, p.id, ownerId)
  return target.client(made.token, '2025-09-03')
}

const VOLATILE = new Set(['created_time', 'last_edited_time', 'created_by', 'last_edited_by', 'request_id'])

/** Drops what differs by nature between two servers (times, authors, signed file URLs). */
function normal(v: any): any {
  if (Array.isArray(v)) return v.map(normal)
  // Page URLs carry the server's own origin.
  if (typeof v === 'string') return v.replace(/^http:\/\/127\.0\.0\.1:\d+\//, '/')
  if (v === null || typeof v !== 'object') return v
  if (typeof v.url === 'string' && 'expiry_time' in v) return { hosted_file: true }
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) if (!VOLATILE.has(k)) out[k] = normal(x)
  return out
}

async function list(fn: (cursor?: string) => Promise<any>): Promise<any[]> {
  const out: any[] = []
  let cursor: string | undefined
  do {
    const r = await fn(cursor)
    out.push(...r.results)
    cursor = r.has_more ? r.next_cursor : undefined
  } while (cursor)
  return out
}

/** The whole block tree under `id`, with the files' bytes hashed. */
async function tree(client: Client, id: string): Promise<any[]> {
  const blocks = await list((c) => client.blocks.children.list({ block_id: id, ...(c ? { start_cursor: c } : {}) }))
  const out = []
  for (const b of blocks) {
    const item: any = normal(b)
    const media = (b as any)[(b as any).type]
    if (media?.type === 'file')
      item.bytes = createHash('sha256')
        .update(new Uint8Array(await (await fetch(media.file.url)).arrayBuffer()))
        .digest('hex')
    if ((b as any).has_children && (b as any).type !== 'child_database') item.children = await tree(client, b.id)
    out.push(item)
  }
  return out
}

/** A data source's rows, by id, with the bytes of hosted files in `files` values hashed. */
async function rows(client: Client, dsId: string) {
  const r = await list((c) => client.dataSources.query({ data_source_id: dsId, ...(c ? { start_cursor: c } : {}) }))
  const out = normal(r).sort((x: any, y: any) => x.id.localeCompare(y.id))
  for (const row of r as any[])
    for (const [name, v] of Object.entries<any>(row.properties))
      if (v.type === 'files')
        for (const [i, f] of (v.files as any[]).entries())
          if (f.type === 'file')
            out.find((o: any) => o.id === row.id).properties[name].files[i].bytes = createHash('sha256')
              .update(new Uint8Array(await (await fetch(f.file.url)).arrayBuffer()))
              .digest('hex')
  return out
}

async function comments(client: Client, blockId: string) {
  const list = (await client.comments.list({ block_id: blockId })).results as any[]
  const bytes = []
  for (const c of list)
    for (const a of c.attachments ?? [])
      bytes.push(
        createHash('sha256')
          .update(new Uint8Array(await (await fetch(a.file.url)).arrayBuffer()))
          .digest('hex'),
      )
  return { comments: normal(list), bytes }
}

describe('octavo import-notion', () => {
  let target: TestServer
  let result: any
  let copy: Client

  beforeAll(async () => {
    target = await startTestServer()
    result = await runImport(target, source.tokens.Integration!, ['--new-workspace', 'Imported', '--owner', 'Ada Owner <ada@acme.test>'])
    copy = await targetClient(target, result)
  }, 120_000)
  afterAll(async () => {
    await target?.stop()
  })

  it('copies pages, blocks, databases, rows, comments, users and files, keeping ids', async () => {
    expect(result.counts).toMatchObject({ databases: 2, data_sources: 2, rows: 4, files: 3, comments: 2 })
    expect(result.skipped).toEqual([])
    expect(result.connections[0]).toMatchObject({ name: 'Integration', share: [{ id: ids.home, title: 'Home' }] })

    for (const id of [ids.home, ids.a, ids.b, ids.c, ids.corner]) {
      expect(normal(await copy.pages.retrieve({ page_id: id }))).toEqual(normal(await notion.pages.retrieve({ page_id: id })))
      expect(await tree(copy, id)).toEqual(await tree(notion, id))
    }
    const withFile = (await tree(copy, ids.a)).find((b) => b.type === 'file')
    expect(withFile.bytes).toBe(createHash('sha256').update(uploadedBytes).digest('hex'))

    for (const db of [ids.projects, ids.tasks])
      expect(normal(await copy.databases.retrieve({ database_id: db }))).toEqual(
        normal(await notion.databases.retrieve({ database_id: db })),
      )
    for (const ds of [ids.projectsDs, ids.tasksDs]) {
      expect(normal(await copy.dataSources.retrieve({ data_source_id: ds }))).toEqual(
        normal(await notion.dataSources.retrieve({ data_source_id: ds })),
      )
      expect(await rows(copy, ds)).toEqual(await rows(notion, ds))
    }
    const p1 = (await rows(copy, ids.projectsDs)).find((r: any) => r.id === ids.p1)
    expect(p1.properties.Attachments.files[0].bytes).toBe(createHash('sha256').update('a,b\n1,2\n').digest('hex'))
    expect(p1.properties.Double.formula.number).toBe(6)
    const onA = await comments(copy, ids.a)
    expect(onA).toEqual(await comments(notion, ids.a))
    expect(onA.bytes).toEqual([createHash('sha256').update(pngBytes).digest('hex')])
    expect(await comments(copy, ids.firstBlock)).toEqual(await comments(notion, ids.firstBlock))

    // Every object went through its write path: its change event is there.
    const { listEvents } = await import('../../src/storage/repositories/events.repository.js')
    const events = await listEvents(target.deps.store.db, { workspaceId: result.workspace.id, limit: 10_000 })
    const created = (type: string) => events.filter((e) => e.type === type).map((e) => e.objectId)
    expect(created('page.created')).toEqual(expect.arrayContaining([ids.home, ids.a, ids.b, ids.c, ids.corner, ids.p1]))
    expect(created('database.created').sort()).toEqual([ids.projects, ids.tasks].sort())
    expect(created('data_source.created').sort()).toEqual([ids.projectsDs, ids.tasksDs].sort())
    expect(created('block.appended')).toContain(ids.firstBlock)
    expect(created('comment.created')).toHaveLength(2)
    expect(created('file_upload.attached')).toHaveLength(3)

    const people = (await list((c) => copy.users.list({ ...(c ? { start_cursor: c } : {}) }))).filter((u) => u.type === 'person')
    expect(people.map((u: any) => u.person.email).sort()).toEqual(['ada@acme.test', 'bob@acme.test'])
  })

  it('a second run copies nothing again', async () => {
    const again = await runImport(target, source.tokens.Integration!, ['--workspace', result.workspace.id])
    expect(again.counts).toMatchObject({ pages: 0, databases: 0, rows: 0, blocks: 0, comments: 0, files: 0, users: 0 })
    expect(again.already_present).toBeGreaterThan(0)
    expect(await tree(copy, ids.a)).toEqual(await tree(notion, ids.a))
  })
})

describe('importing the same source twice into one store', () => {
  let target: TestServer
  afterAll(async () => {
    await target?.stop()
  })

  it('gives the second copy derived ids, the same on a re-run', async () => {
    target = await startTestServer()
    const owner = ['--owner', 'Ada Owner <ada@acme.test>']
    const first = await runImport(target, source.tokens.Integration!, ['--new-workspace', 'First', ...owner])
    expect(first.remapped).toEqual({})
    const second = await runImport(target, source.tokens.Integration!, ['--new-workspace', 'Second', ...owner])
    const home2 = second.remapped[ids.home]
    expect(home2).toMatch(/^[0-9a-f-]{36}$/)
    expect(second.connections[0].share).toEqual([{ id: home2, title: 'Home' }])
    expect(second.counts).toMatchObject(first.counts)

    const copy = await targetClient(target, second)
    const a2 = second.remapped[ids.a]
    const strip = (t: any[]): any[] =>
      t.map(({ id: _id, parent: _p, children, ...rest }) => ({ ...rest, ...(children ? { children: strip(children) } : {}) }))
    const got = await tree(copy, a2)
    expect(
      got
        .map((b) => b.id)
        .every((id: string) => second.remapped[Object.keys(second.remapped).find((k) => second.remapped[k] === id)!] === id),
    ).toBe(true)
    // The same tree, with every remapped id (dashed or compact, as in mention hrefs) replaced.
    let expected = JSON.stringify(strip(await tree(notion, ids.a)))
    for (const [from, to] of Object.entries<string>(second.remapped))
      expected = expected.replaceAll(from, to).replaceAll(from.replace(/-/g, ''), to.replace(/-/g, ''))
    expect(strip(got)).toEqual(JSON.parse(expected))
    const t2 = await rows(copy, second.remapped[ids.tasksDs])
    expect(t2.flatMap((r: any) => r.properties.Project.relation.map((x: any) => x.id)).sort()).toEqual(
      (await rows(notion, ids.tasksDs)).flatMap((r: any) => r.properties.Project.relation.map((x: any) => second.remapped[x.id])).sort(),
    )

    const again = await runImport(target, source.tokens.Integration!, ['--workspace', second.workspace.id])
    expect(again.counts).toMatchObject({ pages: 0, rows: 0, blocks: 0, comments: 0 })
    expect(again.remapped).toEqual(second.remapped)
  })
})

describe('an interrupted import', () => {
  let target: TestServer
  afterAll(async () => {
    source.faults.clear()
    await target?.stop()
  })

  it('fails half-way on a source error, then continues without duplicates', async () => {
    target = await startTestServer()
    // Page B's content cannot be read: pages Home and A are copied, then the run stops.
    source.faults.add({ path: `/v1/blocks/${ids.b}/children`, error: 'conflict_error' })
    const failed = await runImport(target, source.tokens.Integration!, [
      '--new-workspace',
      'Imported',
      '--owner',
      'Ada Owner <ada@acme.test>',
    ]).then(
      () => null,
      (e: unknown) => e,
    )
    expect(failed).toBeInstanceOf(APIResponseError)
    expect((failed as APIResponseError).code).toBe('conflict_error')
    source.faults.clear()
    const { listWorkspaceNodes, listWorkspaces } = await import('../../src/storage/repositories/workspaces.repository.js')
    const [workspace] = await listWorkspaces(target.deps.store.db)
    const nodeIds = async () => (await listWorkspaceNodes(target.deps.store.db, workspace!.id)).map((n) => n.id).sort()
    expect(await nodeIds()).toEqual([ids.home, ids.corner, ids.a].sort())

    // The second run also meets a rate limit; the SDK waits Retry-After and retries.
    source.faults.add({ endpoint: 'blocks.children.list', error: 'rate_limited', retry_after: 1, times: 1 })
    const result = await runImport(target, source.tokens.Integration!)
    expect(source.faults.list()).toEqual([])
    expect(source.journal({ endpoint: 'blocks.children.list', status: '429' }).length).toBeGreaterThanOrEqual(1)
    expect(result.already_present).toBe(3)
    const rowIds = async (ds: string) => (await rows(notion, ds)).map((r: any) => r.id)
    expect(await nodeIds()).toEqual(
      [
        ids.home,
        ids.corner,
        ids.a,
        ids.b,
        ids.c,
        ids.projects,
        ids.tasks,
        ...(await rowIds(ids.projectsDs)),
        ...(await rowIds(ids.tasksDs)),
      ].sort(),
    )
    const copy = await targetClient(target, result)
    for (const id of [ids.home, ids.a, ids.b, ids.c]) expect(await tree(copy, id)).toEqual(await tree(notion, id))
    for (const ds of [ids.projectsDs, ids.tasksDs]) expect(await rows(copy, ds)).toEqual(await rows(notion, ds))
    expect(await comments(copy, ids.a)).toEqual(await comments(notion, ids.a))
  })
})

describe('a token with less access', () => {
  let target: TestServer
  afterAll(async () => {
    await target?.stop()
  })

  it('copies only what is shared with it', async () => {
    target = await startTestServer()
    const result = await runImport(target, source.tokens.Limited!, [
      '--new-workspace',
      'Corner only',
      '--owner',
      'Ada Owner <ada@acme.test>',
    ])
    expect(result.counts).toMatchObject({ pages: 1, databases: 0, rows: 0 })
    expect(result.connections[0]).toMatchObject({ name: 'Limited', share: [{ id: ids.corner, title: 'Corner' }] })
    // No user information capability: the source refuses users.list, people are not copied (reported).
    expect(result.skipped.map((s: any) => s.what)).toEqual(['users'])
    const copy = await targetClient(target, result)
    expect(await tree(copy, ids.corner)).toEqual(await tree(source.client('Limited'), ids.corner))
    for (const hidden of [ids.home, ids.hidden, ids.a]) {
      const err = await copy.pages.retrieve({ page_id: hidden }).then(
        () => null,
        (e: unknown) => e,
      )
      expect((err as APIResponseError).code).toBe('object_not_found')
    }
    // Nothing else exists in the target workspace either.
    const { listWorkspaceNodes } = await import('../../src/storage/repositories/workspaces.repository.js')
    const nodes = await listWorkspaceNodes(target.deps.store.db, result.workspace.id)
    expect(nodes.map((n: any) => n.id)).toEqual([ids.corner])
  })
})

describe('refusals', () => {
  let target: TestServer
  afterAll(async () => {
    await target?.stop()
  })

  it('a bad token, a missing owner, an unknown workspace and a bad URL are refused before anything is written', async () => {
    target = await startTestServer()
    const refused = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => e as { code?: string; message: string },
      )
    const badToken = await refused(
      runImport(target, 'ntn_000000000000000000000000000000000000000000000000000', ['--new-workspace', 'X', '--owner', 'A <a@a.test>']),
    )
    expect(badToken).toBeInstanceOf(APIResponseError)
    expect(badToken!.code).toBe('unauthorized')
    const noOwner = await refused(runImport(target, source.tokens.Integration!, ['--new-workspace', 'X']))
    expect(noOwner).toMatchObject({ code: 'invalid_input', message: '--new-workspace needs --owner "Name <email>".' })
    const unknown = await refused(runImport(target, source.tokens.Integration!, ['--workspace', '00000000-0000-4000-8000-000000000000']))
    expect(unknown).toMatchObject({ code: 'not_found' })
    const noWorkspace = await refused(runImport(target, source.tokens.Integration!))
    expect(noWorkspace).toMatchObject({ code: 'invalid_input' })
    expect((noWorkspace as Error).message).toContain('--new-workspace')
    const badUrl = await refused(
      runCliInProcess(
        [importNotionCommand],
        ['--data-dir', target.dataDir, 'import-notion', '--token', 'ntn_x', '--base-url', 'not a url'],
        {
          databaseUrl: target.config.databaseUrl,
        },
      ),
    )
    expect(badUrl).toMatchObject({ code: 'invalid_input' })
    // The token may come from NOTION_TOKEN instead of the command line (it is then what is sent).
    const fromEnv = (token: string | undefined) => {
      const before = process.env.NOTION_TOKEN
      if (token === undefined) delete process.env.NOTION_TOKEN
      else process.env.NOTION_TOKEN = token
      return refused(
        runCliInProcess(
          [importNotionCommand],
          ['--data-dir', target.dataDir, 'import-notion', '--base-url', source.url, '--new-workspace', 'X', '--owner', 'A <a@a.test>'],
          { databaseUrl: target.config.databaseUrl },
        ),
      ).finally(() => {
        if (before === undefined) delete process.env.NOTION_TOKEN
        else process.env.NOTION_TOKEN = before
      })
    }
    expect(await fromEnv(undefined)).toMatchObject({
      code: 'invalid_input',
      message: 'Give the source token as --token or in NOTION_TOKEN.',
    })
    const badEnvToken = await fromEnv('ntn_000000000000000000000000000000000000000000000000000')
    expect(badEnvToken).toBeInstanceOf(APIResponseError)
    expect(badEnvToken!.code).toBe('unauthorized')
    const { listWorkspaces } = await import('../../src/storage/repositories/workspaces.repository.js')
    expect(await listWorkspaces(target.deps.store.db)).toEqual([])
  })
})
