import { APIErrorCode, collectPaginatedAPI, isFullComment } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isoNow } from '../../src/domain/clock.js'
import { normalizeContent } from '../../src/domain/blocks.js'
import { insertBlocks } from '../../src/storage/repositories/blocks.repository.js'
import { createDatabase } from '../../src/services/databases-core.js'
import { textRun } from '../../src/domain/rich-text.js'
import { connectedWorkspace } from '../support/factories.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * `/v1/comments` through the official SDK (docs/reference/notion-api.md §1.7, §2.10): create on a page, on a block and in
 * an existing discussion; list per block, oldest first, paginated; retrieve; and every denial.
 */

const text = (content: string) => [{ text: { content } }]
const ALL = { readComments: true, insertComments: true }

describe('comments', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => server.stop())

  /** Appends a paragraph under a page through the repository (the blocks API is another module). */
  async function paragraph(pageId: string, content: string): Promise<string> {
    const [id] = await insertBlocks(server.deps.store.db, {
      workspaceId: (
        await server.deps.store.db.selectFrom('block').select('workspace_id').where('id', '=', pageId).executeTakeFirstOrThrow()
      ).workspace_id,
      parentType: 'page_id',
      parentId: pageId,
      pageId,
      blocks: [{ type: 'paragraph', content: normalizeContent('paragraph', { rich_text: text(content) }), children: [] }],
      at: { type: 'end' },
      actor: 'seed',
      time: isoNow(server.deps.clock),
    })
    return id as string
  }

  it('creates a comment on a page: a new discussion, authored by the bot, full comment object', async () => {
    const { s, notion } = await connectedWorkspace(server, ALL)
    const me = await notion.users.me({})
    const c = await notion.comments.create({ parent: { page_id: s.pages.child.id }, rich_text: text('Looks good') })
    expect(isFullComment(c)).toBe(true)
    expect(Object.keys(c)).toEqual([
      'object',
      'id',
      'parent',
      'discussion_id',
      'created_time',
      'last_edited_time',
      'created_by',
      'rich_text',
      'display_name',
      'attachments',
      'request_id',
    ])
    expect(c).toMatchObject({
      object: 'comment',
      parent: { type: 'page_id', page_id: s.pages.child.id },
      created_by: { object: 'user', id: me.id },
      display_name: { type: 'integration', resolved_name: 'Test Bot' },
      attachments: [],
      rich_text: [
        {
          type: 'text',
          text: { content: 'Looks good', link: null },
          annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' },
          plain_text: 'Looks good',
          href: null,
        },
      ],
    })
    const again = await notion.comments.create({
      parent: { type: 'page_id', page_id: s.pages.child.id.replace(/-/g, '') },
      rich_text: text('Second thought'),
    })
    if (!isFullComment(c) || !isFullComment(again)) throw new Error('full comments expected')
    expect(c.created_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/)
    expect(c.last_edited_time).toBe(c.created_time)
    expect(again.discussion_id).not.toBe(c.discussion_id)
  })

  it('creates a comment on a block, and joins an existing discussion', async () => {
    const s = await seedBasic(server, ALL)
    await s.share(s.pages.root.id)
    const block = await paragraph(s.pages.child.id, 'Some paragraph')
    const notion = server.client(s.token)
    const first = await notion.comments.create({ parent: { block_id: block }, rich_text: text('On the block') })
    if (!isFullComment(first)) throw new Error('full comment expected')
    expect(first.parent).toEqual({ type: 'block_id', block_id: block })
    const reply = await notion.comments.create({ discussion_id: first.discussion_id, rich_text: text('A reply') })
    if (!isFullComment(reply)) throw new Error('full comment expected')
    expect(reply.discussion_id).toBe(first.discussion_id)
    expect(reply.parent).toEqual({ type: 'block_id', block_id: block })
    const list = await notion.comments.list({ block_id: block })
    expect(list.results.map((r) => r.id)).toEqual([first.id, reply.id])
  })

  it('honours display_name: custom, integration and user', async () => {
    const { s, notion } = await connectedWorkspace(server, ALL)
    const custom = await notion.comments.create({
      parent: { page_id: s.pages.root.id },
      rich_text: text('x'),
      display_name: { type: 'custom', custom: { name: 'Release Robot' } },
    })
    const integration = await notion.comments.create({
      parent: { page_id: s.pages.root.id },
      rich_text: text('x'),
      display_name: { type: 'integration' },
    })
    const user = await notion.comments.create({
      parent: { page_id: s.pages.root.id },
      rich_text: text('x'),
      display_name: { type: 'user' },
    })
    expect((custom as { display_name: unknown }).display_name).toEqual({ type: 'custom', resolved_name: 'Release Robot' })
    expect((integration as { display_name: unknown }).display_name).toEqual({ type: 'integration', resolved_name: 'Test Bot' })
    expect((user as { display_name: unknown }).display_name).toEqual({ type: 'user', resolved_name: 'Olive Owner' })
  })

  it('display_name with markdown, and its refusals: an empty custom name, an unknown type, custom without its name', async () => {
    const { s, notion } = await connectedWorkspace(server, ALL)
    const md = await notion.comments.create({
      parent: { page_id: s.pages.root.id },
      markdown: '**bold** note',
      display_name: { type: 'custom', custom: { name: 'Markdown Bot' } },
    })
    expect((md as { display_name: unknown }).display_name).toEqual({ type: 'custom', resolved_name: 'Markdown Bot' })
    for (const display_name of [
      { type: 'custom', custom: { name: '' } },
      { type: 'robot' },
      { type: 'custom' },
      { type: 'integration', custom: { name: 'x' } },
    ]) {
      const e = await apiError(
        notion.comments.create({ parent: { page_id: s.pages.root.id }, rich_text: text('x'), display_name: display_name as never }),
      )
      expect(e.code).toBe(APIErrorCode.ValidationError)
    }
  })

  it('lists per block: comments on a child block are not in the page list; oldest first', async () => {
    const s = await seedBasic(server, ALL)
    await s.share(s.pages.root.id)
    const block = await paragraph(s.pages.root.id, 'Para')
    const notion = server.client(s.token)
    const a = await notion.comments.create({ parent: { page_id: s.pages.root.id }, rich_text: text('a') })
    await notion.comments.create({ parent: { block_id: block }, rich_text: text('on block') })
    const b = await notion.comments.create({ parent: { page_id: s.pages.root.id }, rich_text: text('b') })
    const list = await notion.comments.list({ block_id: s.pages.root.id })
    expect(list).toMatchObject({ object: 'list', type: 'comment', comment: {}, has_more: false, next_cursor: null })
    expect(list.results.map((r) => r.id)).toEqual([a.id, b.id])
    const onBlock = await notion.comments.list({ block_id: block.replace(/-/g, '') })
    expect(onBlock.results.map((r) => r.rich_text[0]?.plain_text)).toEqual(['on block'])
    const empty = await notion.comments.list({ block_id: s.pages.child.id })
    expect(empty.results).toEqual([])
  })

  it('paginates with start_cursor and page_size', async () => {
    const { s, notion } = await connectedWorkspace(server, ALL)
    const ids: string[] = []
    for (let i = 0; i < 7; i++)
      ids.push((await notion.comments.create({ parent: { page_id: s.pages.child.id }, rich_text: text(`c${i}`) })).id)
    const first = await notion.comments.list({ block_id: s.pages.child.id, page_size: 3 })
    expect(first.results.map((r) => r.id)).toEqual(ids.slice(0, 3))
    expect(first.has_more).toBe(true)
    expect(first.next_cursor).toBe(ids[3])
    const second = await notion.comments.list({ block_id: s.pages.child.id, page_size: 3, start_cursor: first.next_cursor as string })
    expect(second.results.map((r) => r.id)).toEqual(ids.slice(3, 6))
    const all = await collectPaginatedAPI(notion.comments.list, { block_id: s.pages.child.id, page_size: 2 })
    expect(all.map((r) => r.id)).toEqual(ids)
  })

  it('retrieves one comment', async () => {
    const { s, notion } = await connectedWorkspace(server, ALL)
    const c = await notion.comments.create({ parent: { page_id: s.pages.grandchild.id }, rich_text: text('hello') })
    const got = await notion.comments.retrieve({ comment_id: c.id })
    const { request_id: _a, ...created } = c as typeof c & { request_id: string }
    const { request_id: _b, ...retrieved } = got as typeof got & { request_id: string }
    expect(retrieved).toEqual(created)
  })

  describe('denials', () => {
    it('403 without the insert-comments capability (off by default)', async () => {
      const s = await seedBasic(server, { readComments: true })
      await s.share(s.pages.root.id)
      const err = await apiError(server.client(s.token).comments.create({ parent: { page_id: s.pages.root.id }, rich_text: text('x') }))
      expect([err.status, err.code, err.message]).toEqual([
        403,
        APIErrorCode.RestrictedResource,
        'Insufficient permissions for this endpoint.',
      ])
    })

    it('403 without the read-comments capability, on list and retrieve', async () => {
      const { s, notion } = await connectedWorkspace(server, { insertComments: true })
      const c = await notion.comments.create({ parent: { page_id: s.pages.root.id }, rich_text: text('x') })
      for (const call of [
        () => notion.comments.list({ block_id: s.pages.root.id }),
        () => notion.comments.retrieve({ comment_id: c.id }),
      ]) {
        const err = await apiError(call())
        expect([err.status, err.code, err.message]).toEqual([
          403,
          APIErrorCode.RestrictedResource,
          'Insufficient permissions for this endpoint.',
        ])
      }
    })

    it('404 when commenting on an unshared page or an unknown block; never 403', async () => {
      const { s, notion } = await connectedWorkspace(server, ALL)
      const unshared = await apiError(notion.comments.create({ parent: { page_id: s.pages.secret.id }, rich_text: text('x') }))
      expect([unshared.status, unshared.code, unshared.message]).toEqual([
        404,
        APIErrorCode.ObjectNotFound,
        `Could not find page with ID: ${s.pages.secret.id}. Make sure the relevant pages and databases are shared with your integration "Test Bot".`,
      ])
      const unknown = '0b1e6a1c-51f4-4d2a-9c84-3f2d5e7a9b10'
      const block = await apiError(notion.comments.create({ parent: { block_id: unknown }, rich_text: text('x') }))
      expect([block.status, block.code, block.message]).toEqual([
        404,
        APIErrorCode.ObjectNotFound,
        `Could not find block with ID: ${unknown}. Make sure the relevant pages and databases are shared with your integration "Test Bot".`,
      ])
      const hidden = await paragraph(s.pages.secret.id, 'hidden')
      const onHidden = await apiError(notion.comments.create({ parent: { block_id: hidden }, rich_text: text('x') }))
      expect([onHidden.status, onHidden.code]).toEqual([404, APIErrorCode.ObjectNotFound])
    })

    it('404 for an unknown discussion, and for a discussion on a page the bot cannot see', async () => {
      const s = await seedBasic(server, ALL)
      await s.share(s.pages.root.id)
      await s.share(s.pages.secret.id)
      const notion = server.client(s.token)
      const unknown = 'c0ffee00-51f4-4d2a-9c84-3f2d5e7a9b10'
      const err = await apiError(notion.comments.create({ discussion_id: unknown, rich_text: text('x') }))
      expect([err.status, err.code, err.message]).toEqual([
        404,
        APIErrorCode.ObjectNotFound,
        `Could not find discussion with ID: ${unknown}. Make sure the relevant pages and databases are shared with your integration "Test Bot".`,
      ])
      const c = await notion.comments.create({ parent: { page_id: s.pages.secret.id }, rich_text: text('x') })
      if (!isFullComment(c)) throw new Error('full comment expected')
      const { unshareFromConnection } = await import('../../src/services/connections.service.js')
      await unshareFromConnection(server.deps, s.connection.id, s.pages.secret.id, s.owner.id)
      const gone = await apiError(notion.comments.create({ discussion_id: c.discussion_id, rich_text: text('x') }))
      expect([gone.status, gone.code, gone.message]).toEqual([
        404,
        APIErrorCode.ObjectNotFound,
        `Could not find discussion with ID: ${c.discussion_id}. Make sure the relevant pages and databases are shared with your integration "Test Bot".`,
      ])
      const retrieve = await apiError(notion.comments.retrieve({ comment_id: c.id }))
      expect([retrieve.status, retrieve.code, retrieve.message]).toEqual([
        404,
        APIErrorCode.ObjectNotFound,
        `Could not find comment with ID: ${c.id}. Make sure the relevant pages and databases are shared with your integration "Test Bot".`,
      ])
    })

    it('list: 404 "Could not find block" without the sharing hint for unknown and unshared ids', async () => {
      const { s, notion } = await connectedWorkspace(server, ALL)
      for (const id of ['0b1e6a1c-51f4-4d2a-9c84-3f2d5e7a9b10', s.pages.secret.id]) {
        const err = await apiError(notion.comments.list({ block_id: id }))
        expect([err.status, err.code, err.message]).toEqual([404, APIErrorCode.ObjectNotFound, `Could not find block with ID: ${id}.`])
      }
    })

    it('list and create on a database id: 403 restricted_resource', async () => {
      const s = await seedBasic(server, ALL)
      await s.share(s.pages.root.id)
      const { database } = await server.deps.store.transaction((trx) =>
        createDatabase(trx, {
          workspaceId: s.workspace.id,
          parent: { type: 'page_id', id: s.pages.root.id },
          title: [textRun('Tasks')],
          schema: { title: { id: 'title', name: 'Name', type: 'title', config: {} } },
          actor: s.owner.id,
          time: isoNow(server.deps.clock),
        }),
      )
      const notion = server.client(s.token)
      // One call at a time: a second promise made up front could reject before it is awaited.
      for (const call of [
        () => notion.comments.list({ block_id: database.id }),
        () => notion.comments.create({ parent: { block_id: database.id }, rich_text: text('x') }),
      ]) {
        const err = await apiError(call())
        expect([err.status, err.code, err.message]).toEqual([
          403,
          APIErrorCode.RestrictedResource,
          'Insufficient permissions for this endpoint.',
        ])
      }
    })
  })

  describe('validation', () => {
    let s: Awaited<ReturnType<typeof seedBasic>>
    beforeAll(async () => {
      s = await seedBasic(server, ALL)
      await s.share(s.pages.root.id)
    })
    const call = async (path: string, init: { method?: string; body?: unknown } = {}) => {
      const res = await server.raw(path, {
        token: s.token,
        method: init.method ?? 'GET',
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      })
      return { status: res.status, body: (await res.json()) as { code: string; message: string } }
    }

    it('list: block_id is required and must be a uuid', async () => {
      expect(await call('/v1/comments')).toMatchObject({
        status: 400,
        body: { code: 'validation_error', message: 'query failed validation: query.block_id should be defined, instead was `undefined`.' },
      })
      expect(await call('/v1/comments?block_id=nope')).toMatchObject({
        status: 400,
        body: {
          code: 'validation_error',
          message: 'query failed validation: query.block_id should be a valid uuid, instead was `"nope"`.',
        },
      })
      expect(await call(`/v1/comments?block_id=${s.pages.root.id}&page_size=101`)).toMatchObject({
        status: 400,
        body: { code: 'validation_error', message: 'query failed validation: query.page_size should be ≤ `100`, instead was `101`.' },
      })
      expect(await call(`/v1/comments?block_id=${s.pages.root.id}&page_size=0`)).toMatchObject({
        status: 400,
        body: { code: 'validation_error', message: 'query failed validation: query.page_size should be ≥ `1`, instead was `0`.' },
      })
    })

    it('retrieve: comment_id must be a uuid', async () => {
      expect(await call('/v1/comments/nope')).toMatchObject({
        status: 400,
        body: {
          code: 'validation_error',
          message: 'path failed validation: path.comment_id should be a valid uuid, instead was `"nope"`.',
        },
      })
    })

    it('create: parent xor discussion_id, rich_text xor markdown, attachments must be uploads', async () => {
      const parent = { page_id: s.pages.root.id }
      const rt = text('x')
      const cases: [unknown, string][] = [
        [
          { rich_text: rt },
          'body failed validation. Fix one:\nbody.parent should be defined, instead was `undefined`.\nbody.discussion_id should be defined, instead was `undefined`.',
        ],
        [
          { parent, discussion_id: s.pages.root.id, rich_text: rt },
          `body failed validation. Fix one:\nbody.parent should be not present, instead was \`${JSON.stringify({ page_id: s.pages.root.id })}\`.\nbody.discussion_id should be not present, instead was \`"${s.pages.root.id}"\`.`,
        ],
        [
          { parent },
          'body failed validation. Fix one:\nbody.rich_text should be defined, instead was `undefined`.\nbody.markdown should be defined, instead was `undefined`.',
        ],
        [
          { parent, rich_text: rt, markdown: '**hi**' },
          `body failed validation. Fix one:\nbody.rich_text should be not present, instead was \`${JSON.stringify(rt)}\`.\nbody.markdown should be not present, instead was \`"**hi**"\`.`,
        ],
        [
          { parent, rich_text: rt, attachments: [{ file_upload_id: s.pages.root.id }] },
          `Could not find file upload with ID: ${s.pages.root.id}.`,
        ],
        [{ parent, rich_text: rt, colour: 'red' }, 'body failed validation: body.colour should be not present, instead was `"red"`.'],
        [
          { parent: { page_id: 'nope' }, rich_text: rt },
          'body failed validation: body.parent.page_id should be a valid uuid, instead was `"nope"`.',
        ],
        [{ parent, rich_text: 'hi' }, 'body failed validation: body.rich_text should be an array, instead was `"hi"`.'],
      ]
      for (const [body, message] of cases) {
        expect(await call('/v1/comments', { method: 'POST', body }), JSON.stringify(body)).toMatchObject({
          status: 400,
          body: { code: 'validation_error', message },
        })
      }
    })
  })
})
