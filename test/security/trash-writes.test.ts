import { APIErrorCode, type Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ARCHIVED_ANCESTOR_MESSAGE, ARCHIVED_MESSAGE } from '../../src/permissions/decide-trash.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Security issue, "trashed pages accept children, comments and moves": Notion refuses writes to and
 * under a trashed page with 400 validation_error. Every `/v1` write endpoint is driven (SDK) against
 * things in the trash ("Can't edit block that is archived. …") and things under them ("Can't edit page
 * on block with an archived ancestor. …"); the refused requests change nothing, and restoring still works.
 */
const rt = (content: string) => [{ type: 'text' as const, text: { content } }]
const para = (content: string) => ({ object: 'block' as const, type: 'paragraph' as const, paragraph: { rich_text: rt(content) } })

describe('writes to and under the trash are refused on every write endpoint', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  let notion: Client
  // Fixtures: T is a trashed page holding C (a page), bT (a paragraph), DT (a database: dsT, row rT) and
  // a discussion; DX is a trashed database (dsX, row rX); ds2 a trashed data source of a live database;
  // bZ a trashed toggle (with child bZc) on the live page L; L2 a live page; D2 a live database.
  const f: Record<string, string> = {}

  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server, { insertComments: true, readComments: true })
    await s.share(s.pages.root.id)
    notion = server.client(s.token)
    const page = async (parent: string, title: string) =>
      (await notion.pages.create({ parent: { page_id: parent }, properties: { title: { title: rt(title) } } })).id
    const database = async (parent: string, title: string) => {
      const db = (await notion.databases.create({
        parent: { type: 'page_id', page_id: parent },
        title: rt(title),
        initial_data_source: { properties: { Name: { title: {} } } },
      })) as any
      return { id: db.id as string, ds: db.data_sources[0].id as string }
    }
    const row = async (ds: string) =>
      (await notion.pages.create({ parent: { data_source_id: ds }, properties: { Name: { title: rt('Row') } } })).id
    f.T = await page(s.pages.root.id, 'Trashed')
    f.C = await page(f.T, 'Child of trashed')
    f.L = await page(s.pages.root.id, 'Live')
    f.L2 = await page(s.pages.root.id, 'Live 2')
    const [bT] = (await notion.blocks.children.append({ block_id: f.T, children: [para('on T')] })).results
    f.bT = bT!.id
    const [bC] = (await notion.blocks.children.append({ block_id: f.C, children: [para('on C')] })).results
    f.bC = bC!.id
    const dt = await database(f.T, 'Under T')
    ;[f.DT, f.dsT] = [dt.id, dt.ds]
    f.rT = await row(f.dsT)
    const dx = await database(s.pages.root.id, 'Trashed database')
    ;[f.DX, f.dsX] = [dx.id, dx.ds]
    f.rX = await row(f.dsX)
    const d2 = await database(s.pages.root.id, 'Live database')
    f.D2 = d2.id
    f.ds2 = (
      (await notion.dataSources.create({
        parent: { type: 'database_id', database_id: f.D2 },
        title: rt('Second source'),
        properties: { Name: { title: {} } },
      } as any)) as any
    ).id
    const [bZ] = (
      await notion.blocks.children.append({
        block_id: f.L,
        children: [{ object: 'block', type: 'toggle', toggle: { rich_text: rt('Z'), children: [para('inside Z')] } }],
      })
    ).results
    f.bZ = bZ!.id
    f.bZc = (await notion.blocks.children.list({ block_id: f.bZ })).results[0]!.id
    f.discussion = ((await notion.comments.create({ parent: { page_id: f.T }, rich_text: rt('Before the trash') })) as any).discussion_id
    // Into the trash.
    await notion.pages.update({ page_id: f.T, in_trash: true })
    await notion.databases.update({ database_id: f.DX, in_trash: true })
    await notion.dataSources.update({ data_source_id: f.ds2, in_trash: true } as any)
    await notion.blocks.delete({ block_id: f.bZ })
  })
  afterAll(async () => server?.stop())

  const A = ARCHIVED_MESSAGE
  const N = ARCHIVED_ANCESTOR_MESSAGE
  const cases: [string, string, () => Promise<unknown>][] = [
    // POST /v1/pages
    [
      'pages.create under a trashed page',
      A,
      () => notion.pages.create({ parent: { page_id: f.T! }, properties: { title: { title: rt('x') } } }),
    ],
    [
      'pages.create under a page under the trash',
      N,
      () => notion.pages.create({ parent: { page_id: f.C! }, properties: { title: { title: rt('x') } } }),
    ],
    [
      'pages.create in a trashed database (data_source_id)',
      A,
      () => notion.pages.create({ parent: { data_source_id: f.dsX! }, properties: { Name: { title: rt('x') } } }),
    ],
    [
      'pages.create in a trashed database (database_id)',
      A,
      () => notion.pages.create({ parent: { database_id: f.DX! }, properties: { Name: { title: rt('x') } } }),
    ],
    [
      'pages.create in a trashed data source',
      A,
      () => notion.pages.create({ parent: { data_source_id: f.ds2! }, properties: { Name: { title: rt('x') } } }),
    ],
    [
      'pages.create in a database under the trash',
      N,
      () => notion.pages.create({ parent: { data_source_id: f.dsT! }, properties: { Name: { title: rt('x') } } }),
    ],
    // PATCH /v1/pages/{id}
    ['pages.update of a trashed page', A, () => notion.pages.update({ page_id: f.T!, properties: { title: { title: rt('x') } } })],
    ['pages.update of a page under the trash', N, () => notion.pages.update({ page_id: f.C!, properties: { title: { title: rt('x') } } })],
    ['pages.update trashing a page under the trash', N, () => notion.pages.update({ page_id: f.C!, in_trash: true })],
    ['pages.update restoring a page under the trash', N, () => notion.pages.update({ page_id: f.C!, in_trash: false })],
    [
      'pages.update of a row of a database under the trash',
      N,
      () => notion.pages.update({ page_id: f.rT!, properties: { Name: { title: rt('x') } } }),
    ],
    [
      'pages.update of a row of a trashed database',
      N,
      () => notion.pages.update({ page_id: f.rX!, properties: { Name: { title: rt('x') } } }),
    ],
    // POST /v1/pages/{id}/move
    ['pages.move of a trashed page', A, () => notion.pages.move({ page_id: f.T!, parent: { page_id: f.L! } })],
    ['pages.move of a page from under the trash', N, () => notion.pages.move({ page_id: f.C!, parent: { page_id: f.L! } })],
    ['pages.move into a trashed page', A, () => notion.pages.move({ page_id: f.L2!, parent: { page_id: f.T! } })],
    ['pages.move under a page under the trash', N, () => notion.pages.move({ page_id: f.L2!, parent: { page_id: f.C! } })],
    ['pages.move into a trashed database', A, () => notion.pages.move({ page_id: f.L2!, parent: { data_source_id: f.dsX! } })],
    // PATCH /v1/blocks/{id}/children
    ['blocks.children.append to a trashed page', A, () => notion.blocks.children.append({ block_id: f.T!, children: [para('x')] })],
    [
      'blocks.children.append to a block of a trashed page',
      N,
      () => notion.blocks.children.append({ block_id: f.bT!, children: [para('x')] }),
    ],
    ['blocks.children.append to a page under the trash', N, () => notion.blocks.children.append({ block_id: f.C!, children: [para('x')] })],
    ['blocks.children.append to a trashed block', A, () => notion.blocks.children.append({ block_id: f.bZ!, children: [para('x')] })],
    [
      'blocks.children.append to a block under a trashed block',
      N,
      () => notion.blocks.children.append({ block_id: f.bZc!, children: [para('x')] }),
    ],
    // PATCH /v1/blocks/{id}
    ['blocks.update of a block of a trashed page', N, () => notion.blocks.update({ block_id: f.bT!, paragraph: { rich_text: rt('x') } })],
    ['blocks.update trashing a block of a trashed page', N, () => notion.blocks.update({ block_id: f.bT!, in_trash: true })],
    ['blocks.update of a trashed block', A, () => notion.blocks.update({ block_id: f.bZ!, toggle: { rich_text: rt('x') } })],
    [
      'blocks.update of a block under a trashed block',
      N,
      () => notion.blocks.update({ block_id: f.bZc!, paragraph: { rich_text: rt('x') } }),
    ],
    [
      'blocks.update of a block of a page under the trash',
      N,
      () => notion.blocks.update({ block_id: f.bC!, paragraph: { rich_text: rt('x') } }),
    ],
    ['blocks.update trashing a trashed page', A, () => notion.blocks.update({ block_id: f.T!, in_trash: true })],
    // DELETE /v1/blocks/{id}
    ['blocks.delete of a block of a trashed page', N, () => notion.blocks.delete({ block_id: f.bT! })],
    ['blocks.delete of a trashed page', A, () => notion.blocks.delete({ block_id: f.T! })],
    ['blocks.delete of a page under the trash', N, () => notion.blocks.delete({ block_id: f.C! })],
    // POST /v1/comments
    ['comments.create on a trashed page', A, () => notion.comments.create({ parent: { page_id: f.T! }, rich_text: rt('x') })],
    ['comments.create on a page under the trash', N, () => notion.comments.create({ parent: { page_id: f.C! }, rich_text: rt('x') })],
    [
      'comments.create on a block of a trashed page',
      N,
      () => notion.comments.create({ parent: { block_id: f.bT! }, rich_text: rt('x') } as any),
    ],
    [
      'comments.create in a discussion of a trashed page',
      A,
      () => notion.comments.create({ discussion_id: f.discussion!, rich_text: rt('x') }),
    ],
    // POST /v1/databases
    [
      'databases.create under a trashed page',
      A,
      () =>
        notion.databases.create({
          parent: { type: 'page_id', page_id: f.T! },
          title: rt('x'),
          initial_data_source: { properties: { Name: { title: {} } } },
        }),
    ],
    [
      'databases.create under a page under the trash',
      N,
      () =>
        notion.databases.create({
          parent: { type: 'page_id', page_id: f.C! },
          title: rt('x'),
          initial_data_source: { properties: { Name: { title: {} } } },
        }),
    ],
    // PATCH /v1/databases/{id}
    ['databases.update of a trashed database', A, () => notion.databases.update({ database_id: f.DX!, title: rt('x') })],
    ['databases.update of a database under the trash', N, () => notion.databases.update({ database_id: f.DT!, title: rt('x') })],
    [
      'databases.update moving a database into a trashed page',
      A,
      () => notion.databases.update({ database_id: f.D2!, parent: { type: 'page_id', page_id: f.T! } } as any),
    ],
    // POST /v1/data_sources
    [
      'dataSources.create in a trashed database',
      A,
      () => notion.dataSources.create({ parent: { type: 'database_id', database_id: f.DX! }, properties: { Name: { title: {} } } } as any),
    ],
    [
      'dataSources.create in a database under the trash',
      N,
      () => notion.dataSources.create({ parent: { type: 'database_id', database_id: f.DT! }, properties: { Name: { title: {} } } } as any),
    ],
    // PATCH /v1/data_sources/{id}
    ['dataSources.update of a trashed data source', A, () => notion.dataSources.update({ data_source_id: f.ds2!, title: rt('x') } as any)],
    [
      'dataSources.update of the data source of a trashed database',
      N,
      () => notion.dataSources.update({ data_source_id: f.dsX!, title: rt('x') } as any),
    ],
    [
      'dataSources.update of a data source under the trash',
      N,
      () => notion.dataSources.update({ data_source_id: f.dsT!, properties: { Extra: { number: {} } } } as any),
    ],
  ]

  it('refuses each with validation_error and Notion’s message, and the refusals change nothing', async () => {
    const db = server.deps.store.db
    const snapshot = async () => ({
      blocks: (await db.selectFrom('block').select(['id', 'parent_id', 'in_trash', 'last_edited_time']).orderBy('id').execute()).map((b) =>
        JSON.stringify(b),
      ),
      sources: (
        await db.selectFrom('data_source').select(['id', 'properties', 'title', 'in_trash', 'last_edited_time']).orderBy('id').execute()
      ).map((d) => JSON.stringify(d)),
      comments: Number(
        (
          await db
            .selectFrom('comment')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    })
    const before = await snapshot()
    const outcomes: [string, number, string, string][] = []
    for (const [name, , call] of cases) {
      // A write that goes through is recorded as such, so a failure lists every endpoint that accepted one.
      const outcome = await call().then(
        () => [name, 200, '', ''] as [string, number, string, string],
        async (e: unknown) => {
          const err = await apiError(Promise.reject(e))
          return [name, err.status, err.code, err.message] as [string, number, string, string]
        },
      )
      outcomes.push(outcome)
    }
    expect(outcomes).toEqual(cases.map(([name, message]) => [name, 400, APIErrorCode.ValidationError, message]))
    expect(await snapshot()).toEqual(before)
  })

  it('still restores: a trashed page, block, database and data source come back with in_trash:false (and archived:false before 2026-03-11)', async () => {
    expect(((await notion.blocks.update({ block_id: f.bZ!, in_trash: false })) as any).in_trash).toBe(false)
    expect(((await notion.dataSources.update({ data_source_id: f.ds2!, in_trash: false } as any)) as any).in_trash).toBe(false)
    expect(((await notion.databases.update({ database_id: f.DX!, in_trash: false })) as any).in_trash).toBe(false)
    const legacy = await server.raw(`/v1/pages/${f.T}`, {
      method: 'PATCH',
      token: s.token,
      version: '2022-06-28',
      body: JSON.stringify({ archived: false }),
    })
    expect(legacy.status).toBe(200)
    expect(((await legacy.json()) as { archived: boolean }).archived).toBe(false)
    // With the ancestors back, what was refused works.
    expect((await notion.blocks.children.append({ block_id: f.C!, children: [para('after restore')] })).results).toHaveLength(1)
    expect(((await notion.comments.create({ discussion_id: f.discussion!, rich_text: rt('After the trash') })) as any).discussion_id).toBe(
      f.discussion,
    )
    await notion.pages.move({ page_id: f.L2!, parent: { page_id: f.T! } })
    expect(((await notion.pages.retrieve({ page_id: f.L2! })) as any).parent.page_id).toBe(f.T)
  })
})
