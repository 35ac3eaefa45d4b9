import type { Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addCustomEmoji, connectedWorkspace, rt, TINY_PNG, type Seed } from '../support/factories.js'
import { startTestServer, type TestServer } from '../support/harness.js'

/**
 * `GET /v1/blocks/{id}/children` signs every file and refreshes every custom emoji of the blocks it
 * lists: the router skips the walk over a list whose blocks cannot hold either (services/file-urls.ts
 * `markFileFree`, vouched for by api/blocks/blocks.service.ts `listBlockChildren`), and this checks it
 * never skips one that does — an image from a file upload, a custom-emoji mention, a callout with a
 * custom-emoji icon — on the first page, on a later page, and next to plain blocks; and that a list of
 * plain blocks answers as each block does alone. Sources: docs/file-uploads.md,
 * docs/reference/notion-api-2026.md §1.7, §5.1.
 */

type Block = { id: string; type: string; [k: string]: unknown }

describe('files and custom emojis in listed children', () => {
  let server: TestServer
  let s: Seed
  let notion: Client
  let party: { id: string; name: string; url: string }
  let withRefs: string
  let plainOnly: string

  beforeAll(async () => {
    server = await startTestServer()
    ;({ s } = await connectedWorkspace(server))
    notion = server.client(s.token, '2026-03-11')
    party = await addCustomEmoji(server, s.workspace.id, 'party')
    const page = async (title: string) =>
      (await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt(title) } } })).id
    withRefs = await page('With refs')
    plainOnly = await page('Plain only')
    const upload = await notion.fileUploads.create({ filename: 'a.png', content_type: 'image/png' })
    await notion.fileUploads.send({
      file_upload_id: upload.id,
      file: { filename: 'a.png', data: new Blob([TINY_PNG], { type: 'image/png' }) },
    })
    const plain = (n: number) => Array.from({ length: n }, (_, i) => ({ paragraph: { rich_text: rt(`plain ${i}`) } }))
    await notion.blocks.children.append({
      block_id: withRefs,
      children: [
        ...plain(2),
        { image: { type: 'file_upload', file_upload: { id: upload.id } } },
        { paragraph: { rich_text: [{ text: { content: 'emoji ' } }, { mention: { custom_emoji: { id: party.id } } }] } },
        { callout: { rich_text: rt('callout'), icon: { type: 'custom_emoji', custom_emoji: { id: party.id } } } },
        ...plain(2),
      ] as never,
    })
    await notion.blocks.children.append({
      block_id: plainOnly,
      children: [...plain(3), { bulleted_list_item: { rich_text: rt('bullet'), children: plain(1) } }, { divider: {} }] as never,
    })
  })
  afterAll(async () => server.stop())

  function check(blocks: Block[]) {
    expect(JSON.stringify(blocks)).not.toContain('file_upload_id')
    const image = blocks.find((b) => b.type === 'image')?.image as { type: string; file: { url: string; expiry_time: string } }
    expect(image.type).toBe('file')
    expect(image.file.url.startsWith(`${server.url}/_octavo/files/`)).toBe(true)
    const mention = (
      blocks.find((b) => b.type === 'paragraph' && JSON.stringify(b).includes('custom_emoji'))?.paragraph as {
        rich_text: { type: string; mention?: unknown }[]
      }
    ).rich_text[1]
    expect(mention).toMatchObject({ type: 'mention', mention: { type: 'custom_emoji', custom_emoji: party } })
    const callout = blocks.find((b) => b.type === 'callout')?.callout as { icon: unknown }
    expect(callout.icon).toEqual({ type: 'custom_emoji', custom_emoji: party })
  }

  for (const version of ['2025-09-03', '2026-03-11', '2026-12-01'] as const) {
    it(`signs files and refreshes custom emojis in one page and across pages under ${version}`, async () => {
      const n = server.client(s.token, version)
      const all = await n.blocks.children.list({ block_id: withRefs })
      expect(all.results).toHaveLength(7)
      check(all.results as unknown as Block[])
      // Page by page: the image alone on a page, then the emoji blocks with plain ones.
      const first = await n.blocks.children.list({ block_id: withRefs, page_size: 3 })
      const rest = await n.blocks.children.list({ block_id: withRefs, start_cursor: first.next_cursor as string })
      check([...first.results, ...rest.results] as unknown as Block[])
    })
  }

  it('a list of plain blocks answers as each block does alone', async () => {
    const list = await notion.blocks.children.list({ block_id: plainOnly })
    expect(list.results).toHaveLength(5)
    for (const block of list.results) {
      const { request_id: _id, ...alone } = (await notion.blocks.retrieve({ block_id: block.id })) as { request_id?: string }
      expect(alone).toEqual(block)
    }
    expect(list.results.map((b) => (b as { has_children: boolean }).has_children)).toEqual([false, false, false, true, false])
  })
})
