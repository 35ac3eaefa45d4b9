import type { Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lastEventSeq, listEvents, type ChangeEvent } from '../../src/storage/repositories/events.repository.js'
import { connectedWorkspace, type Seed } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Change events of file uploads (docs/adr/0015-change-events.md, docs/adr/0018-file-uploads.md):
 * create, send, complete and attach append exactly their events (file-uploads.repository.ts), in
 * the same transaction as the write they belong to, with the caller as actor; a refused write
 * appends none.
 */

describe('file upload change events', () => {
  let server: TestServer
  let s: Seed
  let notion: Client
  let bot: string
  beforeAll(async () => {
    server = await startTestServer()
    ;({ s, notion } = await connectedWorkspace(server))
    bot = `bot:${s.connection.bot_id}`
  })
  afterAll(async () => server.stop())

  async function eventsOf(fn: () => Promise<unknown>): Promise<ChangeEvent[]> {
    const after = await lastEventSeq(server.deps.store.db)
    await fn()
    return listEvents(server.deps.store.db, { afterSeq: after })
  }
  const pairs = (events: ChangeEvent[]) => events.map((e) => [e.type, e.objectId])

  it('single part: created, then part_sent + completed; attach: block.appended + file_upload.attached', async () => {
    let id = ''
    const created = await eventsOf(async () => {
      id = (await notion.fileUploads.create({ filename: 'e.png' })).id
    })
    expect(pairs(created)).toEqual([['file_upload.created', id]])
    expect(created[0]).toMatchObject({ actor: bot, workspaceId: s.workspace.id, data: { mode: 'single_part' } })
    const sent = await eventsOf(() =>
      notion.fileUploads.send({ file_upload_id: id, file: { data: new Blob([new Uint8Array(5)], { type: 'image/png' }) } }),
    )
    expect(pairs(sent)).toEqual([
      ['file_upload.part_sent', id],
      ['file_upload.completed', id],
    ])
    expect(sent[1]?.data).toEqual({ content_length: 5 })
    let block = ''
    const attached = await eventsOf(async () => {
      block = (await notion.blocks.children.append({ block_id: s.pages.root.id, children: [{ image: { file_upload: { id } } }] }))
        .results[0]?.id as string
    })
    expect(pairs(attached)).toEqual([
      ['block.appended', block],
      ['file_upload.attached', id],
    ])
    expect(attached[1]?.data).toEqual({ attached_type: 'block', attached_id: s.pages.root.id })
    expect(new Set(attached.map((e) => e.actor))).toEqual(new Set([bot]))
  })

  it('multi part: a part_sent per part, completed on complete', async () => {
    await server.deps.store.db.updateTable('workspace').set({ plan: 'plus' }).where('id', '=', s.workspace.id).execute()
    try {
      const id = (await notion.fileUploads.create({ mode: 'multi_part', filename: 'm.txt', number_of_parts: 1 })).id
      const part = await eventsOf(() =>
        notion.fileUploads.send({ file_upload_id: id, part_number: '1', file: { data: new Blob(['abc']) } }),
      )
      expect(pairs(part)).toEqual([['file_upload.part_sent', id]])
      expect(part[0]?.data).toEqual({ part_number: 1, size: 3 })
      expect(pairs(await eventsOf(() => notion.fileUploads.complete({ file_upload_id: id })))).toEqual([['file_upload.completed', id]])
    } finally {
      await server.deps.store.db.updateTable('workspace').set({ plan: 'free' }).where('id', '=', s.workspace.id).execute()
    }
  })

  it('refused writes append nothing: bad create, oversized send, early complete, failed attach', async () => {
    const id = (await notion.fileUploads.create({ filename: 'r.txt' })).id
    const none = await eventsOf(async () => {
      await apiError(notion.fileUploads.create({ filename: 'x.exe' }))
      await apiError(notion.fileUploads.send({ file_upload_id: id, file: { data: new Blob([new Uint8Array(5 * 1024 * 1024 + 1)]) } }))
      await apiError(notion.fileUploads.complete({ file_upload_id: id }))
      // The block would be written, but the upload is still pending: the whole append is refused.
      await apiError(
        notion.blocks.children.append({
          block_id: s.pages.root.id,
          children: [{ paragraph: { rich_text: [] } }, { file: { file_upload: { id } } }],
        }),
      )
    })
    expect(none).toEqual([])
  })
})
