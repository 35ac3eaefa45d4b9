import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '@notionhq/client'
import { lastEventSeq, listEvents, type ChangeEvent } from '../../src/storage/repositories/events.repository.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Change events of the Markdown and comment-edit writes (ADR 15): `POST /v1/pages` with `markdown`,
 * `PATCH /v1/pages/{id}/markdown`, `PATCH` and `DELETE /v1/comments/{id}` append exactly their events
 * through the repositories' write functions, with the caller as actor; a refused write appends none.
 */

const rt = (content: string) => [{ type: 'text' as const, text: { content } }]

describe('markdown and comment-edit change events', () => {
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
  afterAll(async () => server.stop())

  async function eventsOf(fn: () => Promise<unknown>): Promise<ChangeEvent[]> {
    const after = await lastEventSeq(server.deps.store.db)
    await fn()
    return listEvents(server.deps.store.db, { afterSeq: after })
  }
  const types = (events: ChangeEvent[]) => events.map((e) => e.type)

  it('POST /v1/pages with markdown: page.created then block.appended per block (nested too)', async () => {
    let id = ''
    const events = await eventsOf(async () => {
      id = (
        await notion.pages.create({
          parent: { page_id: s.pages.root.id },
          properties: { title: { title: rt('M') } },
          markdown: '- a\n\t- b\nc',
        })
      ).id
    })
    expect(types(events)).toEqual(['page.created', 'block.appended', 'block.appended', 'block.appended'])
    expect(events[0]?.objectId).toBe(id)
    expect(new Set(events.map((e) => e.actor))).toEqual(new Set([bot]))
  })

  it('PATCH markdown replace_content: block.deleted per old top-level block, block.appended per new block; refusal appends none', async () => {
    const id = (
      await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('R') } }, markdown: 'x\ny' })
    ).id
    const old = (await notion.blocks.children.list({ block_id: id })).results.map((b) => b.id)
    const events = await eventsOf(() =>
      notion.pages.updateMarkdown({ page_id: id, type: 'replace_content', replace_content: { new_str: 'y\nz' } }),
    )
    const now = (await notion.blocks.children.list({ block_id: id })).results.map((b) => b.id)
    expect(events.map((e) => [e.type, e.objectId])).toEqual([
      ['block.deleted', old[0]],
      ['block.appended', now[1]],
    ])
    expect(now[0]).toBe(old[1])
    const none = await eventsOf(() =>
      apiError(
        notion.pages.updateMarkdown({
          page_id: id,
          type: 'replace_content_range',
          replace_content_range: { content: 'q', content_range: 'nope' },
        }),
      ),
    )
    expect(none).toEqual([])
  })

  it('comments: update → comment.updated, delete → comment.deleted; a refused edit appends none', async () => {
    const c = await notion.comments.create({ parent: { page_id: s.pages.root.id }, rich_text: rt('c') })
    const up = await eventsOf(() => notion.comments.update({ comment_id: c.id, markdown: '*d*' }))
    expect(up.map((e) => [e.type, e.objectId, e.actor])).toEqual([['comment.updated', c.id, bot]])
    const refused = await eventsOf(() => apiError(notion.comments.update({ comment_id: c.id } as never)))
    expect(refused).toEqual([])
    const del = await eventsOf(() => notion.comments.delete({ comment_id: c.id }))
    expect(del.map((e) => [e.type, e.objectId, e.actor])).toEqual([['comment.deleted', c.id, bot]])
  })
})
