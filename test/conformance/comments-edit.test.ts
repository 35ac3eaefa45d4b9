import { APIErrorCode, isFullComment, type Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lastEventSeq, listEvents, type ChangeEvent } from '../../src/storage/repositories/events.repository.js'
import { buildConnection, connectedWorkspace, type Seed } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'

/**
 * `PATCH` and `DELETE /v1/comments/{id}` and `markdown` on comments, through the official SDK 5.26
 * (`comments.update`, `comments.delete`, `comments.create({markdown})`; docs/reference/notion-api-2026.md
 * §3): only the author may edit or delete (others get 404), exactly one of rich_text and markdown,
 * events `comment.updated` / `comment.deleted` and none on refusal.
 */

const text = (content: string) => [{ text: { content } }]
const ALL = { readComments: true, insertComments: true }

describe('comment update and delete', () => {
  let server: TestServer
  let s: Seed
  let notion: Client
  beforeAll(async () => {
    server = await startTestServer()
    ;({ s, notion } = await connectedWorkspace(server, ALL))
  })
  afterAll(async () => server.stop())

  async function eventsOf(fn: () => Promise<unknown>): Promise<ChangeEvent[]> {
    const after = await lastEventSeq(server.deps.store.db)
    await fn()
    return listEvents(server.deps.store.db, { afterSeq: after })
  }

  it('creates a comment from markdown: inline formatting, links, equations and mentions; structure stays text', async () => {
    const me = await notion.users.me({})
    const c = await notion.comments.create({
      parent: { page_id: s.pages.root.id },
      markdown: `**Bold** *it* ~~gone~~ \`code\` [site](https://example.com) $x$ <mention-user url="user://${me.id}"/>\n# not a heading`,
    })
    expect(isFullComment(c)).toBe(true)
    if (!isFullComment(c)) return
    const rt = c.rich_text as any[]
    expect(rt[0]).toMatchObject({ type: 'text', plain_text: 'Bold', annotations: { bold: true } })
    expect(rt.find((r) => r.plain_text === 'it').annotations.italic).toBe(true)
    expect(rt.find((r) => r.plain_text === 'gone').annotations.strikethrough).toBe(true)
    expect(rt.find((r) => r.plain_text === 'code').annotations.code).toBe(true)
    expect(rt.find((r) => r.plain_text === 'site').href).toBe('https://example.com')
    expect(rt.find((r) => r.type === 'equation').equation.expression).toBe('x')
    expect(rt.find((r) => r.type === 'mention').mention).toEqual({ type: 'user', user: { object: 'user', id: me.id } })
    expect(rt.map((r) => r.plain_text).join('')).toContain('\n# not a heading')
  })

  it('Notion-Version 2026-12-01: comment markdown is v2 by default (shared syntax read, differing refused, v1 refused)', async () => {
    const post = async (body: unknown) => {
      const res = await server.raw('/v1/comments', { token: s.token, version: '2026-12-01', method: 'POST', body: JSON.stringify(body) })
      return { status: res.status, body: (await res.json()) as any }
    }
    const ok = await post({ parent: { page_id: s.pages.root.id }, markdown: '**Bold** and [site](https://example.com)' })
    expect(ok.status).toBe(200)
    expect(ok.body.rich_text[0]).toMatchObject({ plain_text: 'Bold', annotations: { bold: true } })
    for (const body of [
      { parent: { page_id: s.pages.root.id }, markdown: '<span underline="true">u</span>' },
      { parent: { page_id: s.pages.root.id }, markdown: 'x', markdown_version: 'v1' },
    ]) {
      const r = await post(body)
      expect(r.status).toBe(400)
      expect(r.body.code).toBe(APIErrorCode.ValidationError)
    }
  })

  it('update: rich_text or markdown replaces the text; last_edited_time moves; event comment.updated', async () => {
    const c = await notion.comments.create({ parent: { page_id: s.pages.root.id }, rich_text: text('first') })
    let updated: Awaited<ReturnType<Client['comments']['update']>> | undefined
    const events = await eventsOf(async () => {
      updated = await notion.comments.update({ comment_id: c.id, rich_text: text('second') })
    })
    expect(isFullComment(updated!)).toBe(true)
    expect((updated as any).rich_text[0].plain_text).toBe('second')
    expect((updated as any).discussion_id).toBe((c as any).discussion_id)
    expect(events.map((e) => [e.type, e.objectId, e.actor])).toEqual([['comment.updated', c.id, `bot:${s.connection.bot_id}`]])
    const md = (await notion.comments.update({ comment_id: c.id, markdown: '**third**' })) as any
    expect(md.rich_text).toMatchObject([{ plain_text: 'third', annotations: { bold: true } }])
    expect(((await notion.comments.retrieve({ comment_id: c.id })) as any).rich_text[0].plain_text).toBe('third')
  })

  it('update: both or neither of rich_text and markdown → 400; no event', async () => {
    const c = await notion.comments.create({ parent: { page_id: s.pages.root.id }, rich_text: text('x') })
    const events = await eventsOf(async () => {
      for (const body of [{}, { rich_text: text('a'), markdown: 'b' }]) {
        const e = await apiError(notion.comments.update({ comment_id: c.id, ...body } as any))
        expect([e.status, e.code]).toEqual([400, APIErrorCode.ValidationError])
      }
    })
    expect(events).toEqual([])
  })

  it('delete: answers the deleted comment; it is gone; the discussion goes with its last comment; event comment.deleted', async () => {
    const c = await notion.comments.create({ parent: { page_id: s.pages.root.id }, rich_text: text('bye') })
    let deleted: unknown
    const events = await eventsOf(async () => {
      deleted = await notion.comments.delete({ comment_id: c.id })
    })
    expect(deleted).toMatchObject({ object: 'comment', id: c.id, rich_text: [{ plain_text: 'bye' }] })
    expect(events.map((e) => [e.type, e.objectId])).toEqual([['comment.deleted', c.id]])
    const gone = await apiError(notion.comments.retrieve({ comment_id: c.id }))
    expect([gone.status, gone.code]).toEqual([404, APIErrorCode.ObjectNotFound])
    const reply = await apiError(notion.comments.create({ discussion_id: (c as any).discussion_id, rich_text: text('late') }))
    expect([reply.status, reply.code]).toEqual([404, APIErrorCode.ObjectNotFound])
    const again = await apiError(notion.comments.delete({ comment_id: c.id }))
    expect([again.status, again.code]).toEqual([404, APIErrorCode.ObjectNotFound])
  })

  it("another connection's comment: update and delete answer 404 and change nothing", async () => {
    const mine = await notion.comments.create({ parent: { page_id: s.pages.root.id }, rich_text: text('mine') })
    const other = await buildConnection(server, s, 'Other Bot', { capabilities: ALL, shareWith: [s.pages.root.id] })
    const events = await eventsOf(async () => {
      const u = await apiError(other.notion.comments.update({ comment_id: mine.id, rich_text: text('hijack') }))
      expect([u.status, u.code]).toEqual([404, APIErrorCode.ObjectNotFound])
      expect(u.message).toContain(`Could not find comment with ID: ${mine.id}.`)
      const d = await apiError(other.notion.comments.delete({ comment_id: mine.id }))
      expect([d.status, d.code]).toEqual([404, APIErrorCode.ObjectNotFound])
    })
    expect(events).toEqual([])
    expect(((await notion.comments.retrieve({ comment_id: mine.id })) as any).rich_text[0].plain_text).toBe('mine')
  })

  it('capabilities: without insert comments → 403; without read comments → partial object', async () => {
    const c = await notion.comments.create({ parent: { page_id: s.pages.root.id }, rich_text: text('cap') })
    const readOnly = await buildConnection(server, s, 'Reader', {
      capabilities: { readComments: true, insertComments: false },
      shareWith: [s.pages.root.id],
    })
    const e = await apiError(readOnly.notion.comments.delete({ comment_id: c.id }))
    expect([e.status, e.code]).toEqual([403, APIErrorCode.RestrictedResource])
    const { s: s2, notion: writer } = await connectedWorkspace(server, { readComments: false, insertComments: true })
    const w = await writer.comments.create({ parent: { page_id: s2.pages.root.id }, rich_text: text('w') })
    expect(await writer.comments.update({ comment_id: w.id, rich_text: text('w2') })).toEqual({
      object: 'comment',
      id: w.id,
      request_id: expect.any(String),
    })
  })
})
