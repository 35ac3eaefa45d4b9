import { APIErrorCode, type Client } from '@notionhq/client'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildConnection, connectedWorkspace, type Seed } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Meeting notes through the official SDK 5.26 (`blocks.meetingNotes.create|query`; docs/reference/
 * notion-api-2026.md §5.2–5.4; docs/custom-emojis-and-meeting-notes.md): creation from an uploaded
 * audio file and from an audio block, the block's shape (`transcription` before 2026-03-11), its tabs,
 * the query's attendee rule, filters, sort and limit, Markdown rendering, and refusals.
 */

describe('meeting notes', () => {
  let server: TestServer
  let s: Seed
  let notion: Client
  let fromUpload: any
  let fromBlock: any
  let audioBlockId: string
  beforeAll(async () => {
    server = await startTestServer()
    ;({ s } = await connectedWorkspace(server))
    notion = server.client(s.token, '2026-03-11')
    const up = await notion.fileUploads.create({ filename: 'standup.mp3', content_type: 'audio/mpeg' })
    await notion.fileUploads.send({
      file_upload_id: up.id,
      file: { filename: 'standup.mp3', data: new Blob(['ID3 fake'], { type: 'audio/mpeg' }) },
    })
    fromUpload = await notion.blocks.meetingNotes.create({
      source: { type: 'file_upload', file_upload_id: up.id },
      parent: { type: 'page_id', page_id: s.pages.child.id },
      title: 'Daily standup',
      language: 'en',
    })
    const appended = await notion.blocks.children.append({
      block_id: s.pages.root.id,
      children: [{ audio: { external: { url: 'https://example.com/retro.mp3' } } }],
    })
    audioBlockId = appended.results[0]!.id
    fromBlock = await notion.blocks.meetingNotes.create({
      source: { type: 'block', block_id: audioBlockId },
      title: 'Retro',
      options: { kickoff_summary: false },
    })
  })
  afterAll(async () => server.stop())

  it('creates a meeting_notes block from an uploaded audio file: shape, tabs, recording under Transcript', async () => {
    expect(fromUpload).toMatchObject({ object: 'block', type: 'meeting_notes', has_children: true, in_trash: false })
    const mn = fromUpload.meeting_notes
    expect(mn.title.map((t: any) => t.plain_text).join('')).toBe('Daily standup')
    expect(mn.status).toBe('notes_ready')
    expect(Object.keys(mn.children).sort()).toEqual(['notes_block_id', 'summary_block_id', 'transcript_block_id'])
    expect(mn.calendar_event.attendees).toEqual([s.owner.id])
    expect(typeof mn.recording.start_time).toBe('string')
    const [tab] = (await notion.blocks.children.list({ block_id: fromUpload.id })).results as any[]
    expect(tab.type).toBe('tab')
    const tabs = (await notion.blocks.children.list({ block_id: tab.id })).results as any[]
    expect(tabs.map((t) => t.paragraph.rich_text[0].plain_text)).toEqual(['Summary', 'Notes', 'Transcript'])
    expect(tabs.map((t) => t.id)).toEqual([mn.children.summary_block_id, mn.children.notes_block_id, mn.children.transcript_block_id])
    const [audio] = (await notion.blocks.children.list({ block_id: mn.children.transcript_block_id })).results as any[]
    expect(audio.type).toBe('audio')
    expect(audio.audio.type).toBe('file')
    const bytes = await (await fetch(audio.audio.file.url)).text()
    expect(bytes).toBe('ID3 fake')
    // The note is the last block of its parent page.
    const siblings = (await notion.blocks.children.list({ block_id: s.pages.child.id })).results
    expect(siblings[siblings.length - 1]!.id).toBe(fromUpload.id)
  })

  it('creates one from an audio block: inserted right after it, no summary tab when kickoff_summary is false', async () => {
    expect(fromBlock.meeting_notes.children.summary_block_id).toBeUndefined()
    const ids = (await notion.blocks.children.list({ block_id: s.pages.root.id })).results.map((b) => b.id)
    expect(ids.indexOf(fromBlock.id)).toBe(ids.indexOf(audioBlockId) + 1)
  })

  it('is a transcription block before 2026-03-11 (same payload)', async () => {
    const old = (await server.client(s.token, '2025-09-03').blocks.retrieve({ block_id: fromUpload.id })) as any
    expect(old.type).toBe('transcription')
    expect(old.transcription).toEqual(fromUpload.meeting_notes)
    expect(old.meeting_notes).toBeUndefined()
  })

  it('renders in page Markdown as a read-only <meeting-notes> tag that survives an edit', async () => {
    const md = await notion.pages.retrieveMarkdown({ page_id: s.pages.child.id })
    expect(md.markdown).toContain(`<meeting-notes url="${server.url}/${fromUpload.id.replace(/-/g, '')}">Daily standup</meeting-notes>`)
    await notion.pages.updateMarkdown({ page_id: s.pages.child.id, type: 'insert_content', insert_content: { content: 'After' } })
    const again = await notion.pages.retrieveMarkdown({ page_id: s.pages.child.id })
    expect(again.markdown).toContain('Daily standup</meeting-notes>\nAfter')
    expect((await notion.blocks.retrieve({ block_id: fromUpload.id })).id).toBe(fromUpload.id)
  })

  it('query: the notes the tied person attends, newest first; filters, sort and limit', async () => {
    const all = await notion.blocks.meetingNotes.query({})
    expect(all.results.map((r) => r.id)).toEqual([fromBlock.id, fromUpload.id])
    expect(all.has_more).toBe(false)
    expect(all).not.toHaveProperty('next_cursor')
    const byTitle = await notion.blocks.meetingNotes.query({
      filter: {
        operator: 'and',
        filters: [{ property: 'title', filter: { operator: 'string_contains', value: { type: 'exact', value: 'stand' } } }],
      },
    })
    expect(byTitle.results.map((r) => r.id)).toEqual([fromUpload.id])
    const sorted = await notion.blocks.meetingNotes.query({ sort: [{ property: 'title', direction: 'ascending' }], limit: 1 })
    expect(sorted.results.map((r) => r.id)).toEqual([fromUpload.id])
    expect(sorted.has_more).toBe(true)
    const attendee = await notion.blocks.meetingNotes.query({
      filter: {
        operator: 'or',
        filters: [
          {
            property: 'attendees',
            filter: { operator: 'person_contains', value: { type: 'exact', value: { table: 'notion_user', id: s.member.id } } },
          },
          { property: 'created_time', filter: { operator: 'date_is', value: { type: 'relative', value: 'yesterday' } } },
        ],
      },
    })
    expect(attendee.results).toEqual([])
    const today = await notion.blocks.meetingNotes.query({
      filter: {
        operator: 'and',
        filters: [{ property: 'created_time', filter: { operator: 'date_is', value: { type: 'relative', value: 'today' } } }],
      },
    })
    expect(today.results).toHaveLength(2)
  })

  it('query: a connection whose creator attends nothing, or that cannot see the pages, gets none', async () => {
    const unshared = await buildConnection(server, s, 'Elsewhere', {})
    expect((await unshared.notion.blocks.meetingNotes.query({})).results).toEqual([])
  })

  it('refusals: bad limit and filter 400, missing parent 400, unknown block 404, non-media source 400, no capability 403', async () => {
    expect((await apiError(notion.blocks.meetingNotes.query({ limit: 51 }))).code).toBe(APIErrorCode.ValidationError)
    expect((await apiError(notion.blocks.meetingNotes.query({ filter: { operator: 'xor' as never, filters: [] } }))).code).toBe(
      APIErrorCode.ValidationError,
    )
    const noParent = await apiError(
      notion.request({
        path: 'blocks/meeting_notes',
        method: 'post',
        body: { source: { type: 'file_upload', file_upload_id: s.pages.root.id } },
      }),
    )
    expect(noParent.code).toBe(APIErrorCode.ValidationError)
    const unknown = await apiError(notion.blocks.meetingNotes.create({ source: { type: 'block', block_id: s.pages.secret.id } }))
    expect(unknown.code).toBe(APIErrorCode.ObjectNotFound)
    const para = await notion.blocks.children.append({ block_id: s.pages.root.id, children: [{ paragraph: { rich_text: [] } }] })
    const notMedia = await apiError(notion.blocks.meetingNotes.create({ source: { type: 'block', block_id: para.results[0]!.id } }))
    expect(notMedia.code).toBe(APIErrorCode.ValidationError)
    const badUpload = await apiError(
      notion.blocks.meetingNotes.create({
        source: { type: 'file_upload', file_upload_id: s.pages.root.id },
        parent: { type: 'page_id', page_id: s.pages.root.id },
      }),
    )
    expect(badUpload.code).toBe(APIErrorCode.ValidationError)
    const reader = await buildConnection(server, s, 'Reader only', {
      capabilities: { readContent: true, insertContent: false, updateContent: false },
      shareWith: [s.pages.root.id],
    })
    const denied = await apiError(reader.notion.blocks.meetingNotes.create({ source: { type: 'block', block_id: audioBlockId } }))
    expect(denied.code).toBe(APIErrorCode.RestrictedResource)
    const writer = await buildConnection(server, s, 'Insert only', {
      capabilities: { readContent: false, insertContent: true, updateContent: false },
      shareWith: [s.pages.root.id],
    })
    expect((await apiError(writer.notion.blocks.meetingNotes.query({}))).code).toBe(APIErrorCode.RestrictedResource)
  })

  it('malformed bodies and queries never answer 5xx (meeting notes, custom emojis, async tasks)', async () => {
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await server.raw(path, {
        token: s.token,
        version: '2026-03-11',
        method,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      })
      return res.status
    }
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), fc.string({ maxLength: 40 }), async (junk, text) => {
        for (const status of [
          await call('POST', '/v1/blocks/meeting_notes', junk),
          await call('POST', '/v1/blocks/meeting_notes', { source: junk, parent: junk, title: junk }),
          await call('POST', '/v1/blocks/meeting_notes/query', junk),
          await call('POST', '/v1/blocks/meeting_notes/query', { filter: junk, sort: junk, limit: junk }),
          await call('POST', '/v1/blocks/meeting_notes/query', {
            filter: { property: 'created_time', filter: { operator: 'date_is_within', value: { type: 'relative', value: text } } },
          }),
          await call('GET', `/v1/custom_emojis?name=${encodeURIComponent(text)}&start_cursor=${encodeURIComponent(text)}`),
          await call('GET', `/v1/async_tasks/${encodeURIComponent(text) || 'x'}`),
        ]) {
          expect(status).toBeGreaterThanOrEqual(200)
          expect(status).toBeLessThan(500)
        }
      }),
      { numRuns: 40, seed: 15 },
    )
  })
})
