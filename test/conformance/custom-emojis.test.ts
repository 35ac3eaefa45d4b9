import { APIErrorCode, type Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emojiCommands } from '../../src/cli/emoji-commands.js'
import { adminCall, connectedWorkspace, rt, type Seed } from '../support/factories.js'
import { runCliInProcess } from '../support/cli-in-process.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Custom emojis (docs/custom-emojis-and-meeting-notes.md; docs/reference/notion-api-2026.md §5.1):
 * managed by owners through the admin API and the CLI (members refused), listed through the SDK's
 * `customEmojis.list` (pagination, exact `name`), served as images, and used as page and callout
 * icons and in mentions (rendered `:name:` in Markdown), with refusals for unknown ids.
 */

// A 1×1 transparent PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64')

describe('custom emojis', () => {
  let server: TestServer
  let s: Seed
  let notion: Client
  let party: { id: string; name: string; url: string }
  let ship: { id: string; name: string; url: string }
  const path = () => `/workspaces/${s.workspace.id}/custom-emojis`
  async function octavo(args: string[]): Promise<string> {
    return runCliInProcess([emojiCommands], ['--data-dir', server.dataDir, ...args], { databaseUrl: server.config.databaseUrl })
  }
  beforeAll(async () => {
    server = await startTestServer()
    ;({ s } = await connectedWorkspace(server))
    notion = server.client(s.token, '2026-03-11')
    const a = await adminCall(server, 'POST', path(), { name: 'party', image_base64: PNG.toString('base64'), content_type: 'image/png' })
    expect(a.status).toBe(201)
    party = a.body
    const b = await adminCall(server, 'POST', path(), { name: 'ship-it', url: 'https://example.com/ship.png' })
    expect(b.status).toBe(201)
    ship = b.body
  })
  afterAll(async () => server.stop())

  it('owners add emojis (image or URL); the stored image is served without a token', async () => {
    expect(party).toEqual({ id: expect.any(String), name: 'party', url: `${server.url}/_octavo/emojis/${party.id}` })
    expect(ship.url).toBe('https://example.com/ship.png')
    const img = await fetch(party.url)
    expect(img.status).toBe(200)
    expect(img.headers.get('content-type')).toBe('image/png')
    expect(img.headers.get('x-content-type-options')).toBe('nosniff')
    expect(Buffer.from(await img.arrayBuffer()).equals(PNG)).toBe(true)
    expect((await fetch(`${server.url}/_octavo/emojis/${ship.id}`)).status).toBe(404)
  })

  it('GET /v1/custom_emojis through the SDK: by name, paginated, exact name lookup', async () => {
    const all = await notion.customEmojis.list()
    expect(all).toMatchObject({ object: 'list', type: 'custom_emoji', has_more: false, next_cursor: null })
    expect(all.results).toEqual([party, ship])
    const first = await notion.customEmojis.list({ page_size: 1 })
    expect(first.results).toEqual([party])
    expect(first.has_more).toBe(true)
    expect(first.next_cursor).toBe(ship.id)
    const second = await notion.customEmojis.list({ page_size: 1, start_cursor: first.next_cursor as string })
    expect(second.results).toEqual([ship])
    expect(second.has_more).toBe(false)
    expect((await notion.customEmojis.list({ name: 'ship-it' })).results).toEqual([ship])
    expect((await notion.customEmojis.list({ name: 'ship' })).results).toEqual([])
    const badCursor = await apiError(notion.customEmojis.list({ start_cursor: s.pages.root.id }))
    expect(badCursor.code).toBe(APIErrorCode.ValidationError)
    const badSize = await apiError(notion.customEmojis.list({ page_size: 101 }))
    expect(badSize.code).toBe(APIErrorCode.ValidationError)
  })

  it('a custom emoji as a page icon and a callout icon; an unknown id is refused', async () => {
    const page = (await notion.pages.create({
      parent: { page_id: s.pages.root.id },
      properties: { title: { title: rt('Party page') } },
      icon: { type: 'custom_emoji', custom_emoji: { id: party.id } },
      children: [{ callout: { rich_text: rt('hi'), icon: { custom_emoji: { id: ship.id } } } }],
    })) as any
    expect(page.icon).toEqual({ type: 'custom_emoji', custom_emoji: party })
    const [callout] = (await notion.blocks.children.list({ block_id: page.id })).results as any[]
    expect(callout.callout.icon).toEqual({ type: 'custom_emoji', custom_emoji: ship })
    const unknown = await apiError(
      notion.pages.update({ page_id: page.id, icon: { type: 'custom_emoji', custom_emoji: { id: s.pages.root.id } } }),
    )
    expect(unknown.code).toBe(APIErrorCode.ValidationError)
    expect(unknown.message).toContain('custom emoji')
  })

  it('a custom emoji mention in rich text answers the current name and URL and renders as :name: in Markdown', async () => {
    const page = await notion.pages.create({
      parent: { page_id: s.pages.root.id },
      properties: { title: { title: rt('Mentions') } },
      children: [
        {
          paragraph: {
            rich_text: [{ text: { content: 'Go ' } }, { mention: { custom_emoji: { id: party.id, name: 'party' } } }],
          },
        },
      ],
    })
    const [p] = (await notion.blocks.children.list({ block_id: page.id })).results as any[]
    expect(p.paragraph.rich_text[1]).toMatchObject({ type: 'mention', mention: { type: 'custom_emoji', custom_emoji: party } })
    expect((await notion.pages.retrieveMarkdown({ page_id: page.id })).markdown).toBe('Go :party:')
  })

  it('Markdown `:name:` becomes a custom-emoji mention on write (known names only) and reads back as `:name:`', async () => {
    const page = await notion.pages.create({
      parent: { page_id: s.pages.root.id },
      properties: { title: { title: rt('Emoji markdown') } },
      markdown: 'Hi :party: and :nope:\nsecond',
    })
    const [first] = (await notion.blocks.children.list({ block_id: page.id })).results as any[]
    expect(first.paragraph.rich_text.map((r: any) => [r.type, r.plain_text])).toEqual([
      ['text', 'Hi '],
      ['mention', ':party:'],
      ['text', ' and :nope:'],
    ])
    expect(first.paragraph.rich_text[1].mention).toEqual({ type: 'custom_emoji', custom_emoji: party })
    expect((await notion.pages.retrieveMarkdown({ page_id: page.id })).markdown).toBe('Hi :party: and :nope:\nsecond')
    await notion.pages.updateMarkdown({
      page_id: page.id,
      type: 'update_content',
      update_content: { content_updates: [{ old_str: 'second', new_str: 'third :ship-it:' }] },
    })
    const after = (await notion.blocks.children.list({ block_id: page.id })).results as any[]
    expect(after[0].id).toBe(first.id)
    expect(after[1].paragraph.rich_text[1].mention.custom_emoji).toEqual(ship)
  })

  it('the CLI adds, lists and removes; removing an unknown emoji is not_found', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'octavo-emoji-'))
    const file = join(dir, 'rocket.png')
    await writeFile(file, PNG)
    const added = JSON.parse(await octavo(['--json', 'emojis', 'add', s.workspace.id, 'rocket', '--file', file]))
    expect(added.name).toBe('rocket')
    // The CLI prints URLs under its own configured public URL; the server answers under its own.
    expect((await notion.customEmojis.list({ name: 'rocket' })).results).toEqual([
      { ...added, url: `${server.url}/_octavo/emojis/${added.id}` },
    ])
    const listed = await octavo(['emojis', 'list', s.workspace.id])
    expect(listed).toContain(':rocket:')
    expect(await octavo(['emojis', 'remove', s.workspace.id, 'rocket'])).toContain('Removed :rocket:')
    expect((await notion.customEmojis.list({ name: 'rocket' })).results).toEqual([])
    await expect(octavo(['emojis', 'remove', s.workspace.id, 'rocket'])).rejects.toThrow(/No custom emoji rocket/)
  })

  it('refusals: members may not add or remove, bad names and types, taken names, unknown ids', async () => {
    const asMember = await adminCall(server, 'POST', path(), { name: 'nope', url: 'https://example.com/n.png', as: s.member.id })
    expect(asMember.status).toBe(403)
    expect(asMember.body.message).toBe('Only workspace owners can add custom emojis. This user is a member.')
    const rmMember = await adminCall(server, 'DELETE', `${path()}/${party.id}?as=${s.member.id}`)
    expect(rmMember.status).toBe(403)
    const guestList = await adminCall(server, 'GET', `${path()}?as=${s.guest.id}`)
    expect(guestList.status).toBe(403)
    expect((await adminCall(server, 'GET', `${path()}?as=${s.member.id}`)).body.emojis).toHaveLength(2)
    expect((await adminCall(server, 'POST', path(), { name: 'Bad Name', url: 'https://example.com/x.png' })).status).toBe(400)
    expect((await adminCall(server, 'POST', path(), { name: 'party', url: 'https://example.com/x.png' })).status).toBe(409)
    expect((await adminCall(server, 'POST', path(), { name: 'svg', image_base64: 'PHN2Zz4=', content_type: 'image/svg+xml' })).status).toBe(
      400,
    )
    expect(
      (
        await adminCall(server, 'POST', path(), {
          name: 'both',
          url: 'https://e.com/a.png',
          image_base64: 'AA==',
          content_type: 'image/png',
        })
      ).status,
    ).toBe(400)
    expect((await adminCall(server, 'POST', path(), { name: 'ftp', url: 'ftp://example.com/a.png' })).status).toBe(400)
    expect((await adminCall(server, 'DELETE', `${path()}/${s.pages.root.id}`)).status).toBe(404)
    expect((await notion.customEmojis.list()).results).toEqual([party, ship])
  })
})
