import type { Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addCustomEmoji, buildDatabase, connectedWorkspace, rt, TINY_PNG, type Seed } from '../support/factories.js'
import { startTestServer, type TestServer } from '../support/harness.js'

/**
 * Data-source queries and search sign every file and refresh every custom emoji of the pages they
 * list, under each list shape (every property under 2026-03-11, the title only under 2026-12-01):
 * the router skips the walk over lists whose pages cannot hold either (services/file-urls.ts
 * `markFileFree`), and this checks it never skips one that does — a file icon, a `files` value, a
 * custom-emoji icon and a custom-emoji mention inside the title. Sources: docs/file-uploads.md,
 * docs/reference/notion-api-2026.md §1.7, §5.1.
 */

type Page = { id: string; icon: unknown; properties: Record<string, { type: string; [k: string]: unknown }> }

describe('files and custom emojis in listed pages', () => {
  let server: TestServer
  let s: Seed
  let notion: Client
  let dataSourceId: string
  let party: { id: string; name: string; url: string }
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    server = await startTestServer()
    ;({ s } = await connectedWorkspace(server))
    notion = server.client(s.token, '2026-03-11')
    party = await addCustomEmoji(server, s.workspace.id, 'party')
    ;({ dataSourceId } = await buildDatabase(notion, s.pages.root.id, {
      title: 'Refs',
      properties: { Name: { title: {} }, Attachments: { files: {} } },
    }))
    const upload = async (filename: string) => {
      const created = await notion.fileUploads.create({ filename, content_type: 'image/png' })
      await notion.fileUploads.send({ file_upload_id: created.id, file: { filename, data: new Blob([TINY_PNG], { type: 'image/png' }) } })
      return created.id
    }
    const row = async (name: string, extra: Record<string, unknown>, title: unknown[] = rt(`Ref ${name}`)) =>
      (await notion.pages.create({ parent: { data_source_id: dataSourceId }, properties: { Name: { title } }, ...extra } as never)).id
    ids.plain = await row('plain', {})
    ids.fileIcon = await row('file icon', { icon: { type: 'file_upload', file_upload: { id: await upload('icon.png') } } })
    ids.files = await row('files', {
      properties: { Name: { title: rt('Ref files') }, Attachments: { files: [{ file_upload: { id: await upload('a.png') } }] } },
    })
    ids.emojiIcon = await row('emoji icon', { icon: { type: 'custom_emoji', custom_emoji: { id: party.id } } })
    ids.emojiTitle = await row('emoji title', {}, [{ text: { content: 'Ref ' } }, { mention: { custom_emoji: { id: party.id } } }])
  })
  afterAll(async () => server.stop())

  function check(pages: Page[], titleOnly: boolean) {
    const byId = new Map(pages.map((p) => [p.id, p]))
    expect(pages).toHaveLength(5)
    expect(JSON.stringify(pages)).not.toContain('file_upload_id')
    const fileIcon = byId.get(ids.fileIcon as string)?.icon as { type: string; file: { url: string; expiry_time: string } }
    expect(fileIcon.type).toBe('file')
    expect(fileIcon.file.url.startsWith(`${server.url}/_octavo/files/`)).toBe(true)
    expect(byId.get(ids.emojiIcon as string)?.icon).toEqual({ type: 'custom_emoji', custom_emoji: party })
    const title = byId.get(ids.emojiTitle as string)?.properties.Name?.title as { type: string; mention?: unknown }[]
    expect(title[1]).toMatchObject({ type: 'mention', mention: { type: 'custom_emoji', custom_emoji: party } })
    expect(byId.get(ids.plain as string)?.properties.Name?.title).toMatchObject([{ plain_text: 'Ref plain' }])
    const files = byId.get(ids.files as string)?.properties.Attachments
    if (titleOnly) {
      expect(files).toBeUndefined()
    } else {
      const [file] = files?.files as { type: string; file: { url: string } }[]
      expect(file?.type).toBe('file')
      expect(file?.file.url.startsWith(`${server.url}/_octavo/files/`)).toBe(true)
    }
  }

  for (const [version, titleOnly] of [
    ['2026-03-11', false],
    ['2026-12-01', true],
  ] as const) {
    it(`data-source query under ${version}`, async () => {
      const res = await server.client(s.token, version).dataSources.query({ data_source_id: dataSourceId })
      check(res.results as unknown as Page[], titleOnly)
    })

    it(`search under ${version}`, async () => {
      const res = await server.client(s.token, version).search({ query: 'Ref', filter: { property: 'object', value: 'page' } })
      check(res.results as unknown as Page[], titleOnly)
    })
  }

  it('filter_properties naming the files property signs it under 2026-12-01', async () => {
    const res = await server.client(s.token, '2026-12-01').dataSources.query({
      data_source_id: dataSourceId,
      filter_properties: ['Name', 'Attachments'],
    })
    const row = (res.results as unknown as Page[]).find((p) => p.id === ids.files)
    const [file] = row?.properties.Attachments?.files as { type: string; file: { url: string } }[]
    expect(file?.file.url.startsWith(`${server.url}/_octavo/files/`)).toBe(true)
    expect(JSON.stringify(res)).not.toContain('file_upload_id')
  })
})
