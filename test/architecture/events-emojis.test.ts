import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '@notionhq/client'
import { lastEventSeq, listEvents, type ChangeEvent } from '../../src/storage/repositories/events.repository.js'
import { adminCall, rt } from '../support/factories.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Change events of issue 15's second half (ADR 15, ADR 27): async tasks (`async_task.created`,
 * `.running`, `.succeeded` / `.failed`, with the work's own events between), meeting notes
 * (`block.appended` per block, `file_upload.attached`) and custom emojis (`custom_emoji.created` /
 * `.deleted`), each appended by its repository write function with the right actor; a refused write
 * appends none.
 */

describe('async task, meeting note and custom emoji change events', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  let notion: Client
  let bot: string
  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
    await s.share(s.pages.root.id)
    notion = server.client(s.token, '2026-03-11')
    bot = `bot:${s.connection.bot_id}`
  })
  afterAll(async () => server.stop())

  async function eventsOf(fn: () => Promise<unknown>): Promise<ChangeEvent[]> {
    const after = await lastEventSeq(server.deps.store.db)
    await fn()
    await server.deps.tasks?.drain()
    return listEvents(server.deps.store.db, { afterSeq: after })
  }
  const types = (events: ChangeEvent[]) => events.map((e) => e.type)

  it('POST /v1/pages with markdown and allow_async: async_task.created, .running, the page’s events, .succeeded', async () => {
    let taskId = ''
    const events = await eventsOf(async () => {
      taskId = ((await notion.pages.create({ parent: { page_id: s.pages.root.id }, markdown: '# T\nx', allow_async: true })) as any).id
    })
    expect(types(events)).toEqual(['async_task.created', 'async_task.running', 'page.created', 'block.appended', 'async_task.succeeded'])
    expect(events.filter((e) => e.type.startsWith('async_task.')).map((e) => [e.objectId, e.actor])).toEqual([
      [taskId, bot],
      [taskId, bot],
      [taskId, bot],
    ])
    expect(events[0]?.data).toEqual({ operation: 'POST /v1/pages' })
  })

  it('a task whose work fails: created, running, failed (with the code), no content event', async () => {
    const page = await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('P') } } })
    const events = await eventsOf(() =>
      notion.pages.updateMarkdown({
        page_id: page.id,
        type: 'update_content',
        update_content: { content_updates: [{ old_str: 'absent', new_str: 'x' }] },
        allow_async: true,
      }),
    )
    expect(types(events)).toEqual(['async_task.created', 'async_task.running', 'async_task.failed'])
    expect(events[2]?.data).toEqual({ code: 'validation_error' })
  })

  it('a refused async request (unshared page) appends nothing', async () => {
    const events = await eventsOf(() =>
      apiError(
        notion.pages.updateMarkdown({
          page_id: s.pages.secret.id,
          type: 'replace_content',
          replace_content: { new_str: 'z' },
          allow_async: true,
        }),
      ),
    )
    expect(events).toEqual([])
  })

  it('meeting note from an upload: block.appended per block (note, tab, three tabs, recording), file_upload.attached', async () => {
    const up = await notion.fileUploads.create({ filename: 'a.mp3', content_type: 'audio/mpeg' })
    await notion.fileUploads.send({ file_upload_id: up.id, file: { filename: 'a.mp3', data: new Blob(['x'], { type: 'audio/mpeg' }) } })
    let noteId = ''
    const events = await eventsOf(async () => {
      noteId = (
        await notion.blocks.meetingNotes.create({
          source: { type: 'file_upload', file_upload_id: up.id },
          parent: { type: 'page_id', page_id: s.pages.root.id },
        })
      ).id
    })
    expect(types(events)).toEqual([...Array(6).fill('block.appended'), 'file_upload.attached'])
    expect(events[0]?.objectId).toBe(noteId)
    expect(new Set(events.map((e) => e.actor))).toEqual(new Set([bot]))
    const refused = await eventsOf(() =>
      apiError(notion.blocks.meetingNotes.create({ source: { type: 'block', block_id: s.pages.secret.id } })),
    )
    expect(refused).toEqual([])
  })

  it('custom emojis: custom_emoji.created and .deleted by the acting person; a refused add appends none', async () => {
    const path = `/workspaces/${s.workspace.id}/custom-emojis`
    let id = ''
    const added = await eventsOf(async () => {
      id = (await adminCall(server, 'POST', path, { name: 'wave', url: 'https://example.com/wave.png' })).body.id
    })
    expect(added.map((e) => [e.type, e.objectId, e.actor, e.data])).toEqual([
      ['custom_emoji.created', id, `user:${s.owner.id}`, { name: 'wave' }],
    ])
    const refused = await eventsOf(() =>
      adminCall(server, 'POST', path, { name: 'nope', url: 'https://example.com/n.png', as: s.member.id }),
    )
    expect(refused).toEqual([])
    const removed = await eventsOf(() => adminCall(server, 'DELETE', `${path}/${id}`))
    expect(removed.map((e) => [e.type, e.objectId, e.actor])).toEqual([['custom_emoji.deleted', id, `user:${s.owner.id}`]])
  })
})
