import { APIErrorCode, isFullBlock, isFullPage } from '@notionhq/client'
import type { BlockObjectRequest, BlockObjectResponse, Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectedWorkspace } from '../support/factories.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * `PATCH /v1/blocks/{id}/children` through the official SDK: every block type, placement with
 * `position` / `after`, limits, versions, capabilities (docs/reference/notion-api.md §1.3, §2.9, §3.3, §6).
 */

const rt = (content: string) => [{ text: { content } }]
const para = (content: string) => ({ paragraph: { rich_text: rt(content) } })

async function texts(notion: Client, blockId: string): Promise<string[]> {
  const list = await notion.blocks.children.list({ block_id: blockId })
  return list.results
    .filter(isFullBlock)
    .map((b) => (b.type === 'paragraph' ? b.paragraph.rich_text.map((r) => r.plain_text).join('') : b.type))
}

describe('blocks: append children', () => {
  let server: TestServer
  let now = Date.parse('2026-01-05T10:00:00.000Z')
  beforeAll(async () => {
    server = await startTestServer({ clock: { now: () => now } })
  })
  afterAll(async () => {
    await server.stop()
  })

  it('creates every supported block type and returns the new first-level blocks in full', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const children: BlockObjectRequest[] = [
      {
        paragraph: {
          rich_text: [{ text: { content: 'Bold', link: { url: 'https://example.com' } }, annotations: { bold: true } }],
          color: 'blue',
        },
      },
      { heading_1: { rich_text: rt('H1') } },
      { heading_2: { rich_text: rt('H2'), is_toggleable: true, children: [para('under h2')] } },
      { heading_3: { rich_text: rt('H3'), color: 'red_background' } },
      { bulleted_list_item: { rich_text: rt('bullet'), children: [{ bulleted_list_item: { rich_text: rt('nested') } }] } },
      { numbered_list_item: { rich_text: rt('one') } },
      { to_do: { rich_text: rt('task'), checked: true } },
      { toggle: { rich_text: rt('toggle') } },
      { code: { rich_text: rt('const x = 1'), language: 'typescript' } },
      { quote: { rich_text: rt('quote') } },
      { callout: { rich_text: rt('note'), icon: { emoji: '🚀' } } },
      { divider: {} },
      { bookmark: { url: 'https://example.com/b' } },
      { image: { external: { url: 'https://example.com/i.png' } } },
      { file: { external: { url: 'https://example.com/files/report.pdf' }, caption: rt('cap') } },
      { video: { external: { url: 'https://example.com/v.mp4' } } },
      { pdf: { external: { url: 'https://example.com/d.pdf' } } },
      {
        table: {
          table_width: 2,
          has_column_header: true,
          children: [{ table_row: { cells: [rt('a'), rt('b')] } }, { table_row: { cells: [rt('c'), rt('d')] } }],
        },
      },
      {
        column_list: {
          children: [{ column: { children: [para('left')] } }, { column: { children: [para('right')] } }],
        },
      },
      { equation: { expression: 'e=mc^2' } },
      { link_to_page: { page_id: s.pages.grandchild.id.replace(/-/g, '') } },
      { table_of_contents: {} },
      { breadcrumb: {} },
      { embed: { url: 'https://example.com/embed' } },
    ]
    const res = await notion.blocks.children.append({ block_id: s.pages.child.id, children })
    expect(res).toMatchObject({ object: 'list', type: 'block', block: {}, has_more: false, next_cursor: null })
    expect(res.results).toHaveLength(children.length)
    const blocks = res.results.filter(isFullBlock)
    expect(blocks).toHaveLength(children.length)
    const byType = Object.fromEntries(blocks.map((b) => [b.type, b])) as Record<string, BlockObjectResponse & Record<string, unknown>>
    expect(byType.paragraph).toMatchObject({
      parent: { type: 'page_id', page_id: s.pages.child.id },
      has_children: false,
      paragraph: {
        color: 'blue',
        icon: null,
        rich_text: [
          {
            type: 'text',
            text: { content: 'Bold', link: { url: 'https://example.com' } },
            annotations: { bold: true, italic: false, strikethrough: false, underline: false, code: false, color: 'default' },
            plain_text: 'Bold',
            href: 'https://example.com',
          },
        ],
      },
    })
    expect(byType.heading_1!.heading_1).toEqual({ rich_text: expect.any(Array), is_toggleable: false, color: 'default' })
    expect(byType.heading_2).toMatchObject({ has_children: true, heading_2: { is_toggleable: true } })
    expect(byType.heading_3).toMatchObject({ heading_3: { color: 'red_background' } })
    expect(byType.bulleted_list_item).toMatchObject({ has_children: true })
    expect(byType.to_do).toMatchObject({ to_do: { checked: true, color: 'default' } })
    expect(byType.code).toMatchObject({ code: { language: 'typescript', caption: [] } })
    expect(byType.callout).toMatchObject({ callout: { icon: { type: 'emoji', emoji: '🚀' } } })
    expect(byType.divider!.divider).toEqual({})
    expect(byType.bookmark!.bookmark).toEqual({ caption: [], url: 'https://example.com/b' })
    expect(byType.image!.image).toEqual({ caption: [], type: 'external', external: { url: 'https://example.com/i.png' } })
    expect(byType.file).toMatchObject({ file: { type: 'external', name: 'report.pdf', caption: [{ plain_text: 'cap' }] } })
    expect(byType.video).toMatchObject({ video: { type: 'external', external: { url: 'https://example.com/v.mp4' } } })
    expect(byType.pdf).toMatchObject({ pdf: { type: 'external' } })
    expect(byType.table).toMatchObject({ has_children: true, table: { table_width: 2, has_column_header: true, has_row_header: false } })
    expect(byType.column_list).toMatchObject({ has_children: true, column_list: {} })
    expect(byType.equation!.equation).toEqual({ expression: 'e=mc^2' })
    expect(byType.link_to_page!.link_to_page).toEqual({ type: 'page_id', page_id: s.pages.grandchild.id })
    expect(byType.table_of_contents!.table_of_contents).toEqual({ color: 'default' })
    expect(byType.breadcrumb!.breadcrumb).toEqual({})
    expect(byType.embed!.embed).toEqual({ caption: [], url: 'https://example.com/embed' })

    // Only first-level blocks are returned; nested ones are listed under their parents.
    const rows = (await notion.blocks.children.list({ block_id: byType.table!.id })).results.filter(isFullBlock)
    expect(rows.map((r) => r.type)).toEqual(['table_row', 'table_row'])
    expect(rows[0]).toMatchObject({
      table_row: { cells: [[{ plain_text: 'a' }], [{ plain_text: 'b' }]] },
      parent: { type: 'block_id', block_id: byType.table!.id },
    })
    const columns = (await notion.blocks.children.list({ block_id: byType.column_list!.id })).results.filter(isFullBlock)
    expect(columns.map((c) => [c.type, c.has_children])).toEqual([
      ['column', true],
      ['column', true],
    ])
    expect(await texts(notion, columns[1]!.id)).toEqual(['right'])
    // The page lists exactly the appended blocks, in order, after its existing child page.
    const listed = (await notion.blocks.children.list({ block_id: s.pages.child.id })).results.filter(isFullBlock)
    expect(listed.map((b) => b.type)).toEqual(['child_page', ...blocks.map((b) => b.type)])
  })

  it('places blocks with position start / end / after_block, and `after` before 2026-03-11', async () => {
    const s = await seedBasic(server)
    await s.share(s.pages.root.id)
    const page = s.pages.grandchild.id
    const notion = server.client(s.token)
    const first = await notion.blocks.children.append({ block_id: page, children: [para('b'), para('d')] })
    const [b, d] = first.results.map((r) => r.id) as [string, string]
    await notion.blocks.children.append({ block_id: page, children: [para('a')], position: { type: 'start' } })
    await notion.blocks.children.append({
      block_id: page,
      children: [para('c')],
      position: { type: 'after_block', after_block: { id: b } },
    })
    await notion.blocks.children.append({ block_id: page, children: [para('e')], position: { type: 'end' } })
    expect(await texts(notion, page)).toEqual(['a', 'b', 'c', 'd', 'e'])
    // Deprecated `after` (2025-09-03 and 2022-06-28), with a dash-less id.
    await notion.blocks.children.append({ block_id: page, children: [para('d2'), para('d3')], after: d.replace(/-/g, '') })
    await server.client(s.token, '2022-06-28').blocks.children.append({ block_id: page, children: [para('b2')], after: b })
    expect(await texts(notion, page)).toEqual(['a', 'b', 'b2', 'c', 'd', 'd2', 'd3', 'e'])
    // 2026-03-11: position works, after is gone.
    const v26 = server.client(s.token, '2026-03-11')
    await v26.blocks.children.append({ block_id: page, children: [para('z')], position: { type: 'after_block', after_block: { id: d } } })
    expect((await texts(notion, page)).slice(4, 6)).toEqual(['d', 'z'])
    const gone = await apiError(v26.blocks.children.append({ block_id: page, children: [para('x')], after: b }))
    expect(gone.code).toBe(APIErrorCode.ValidationError)
    expect(gone.status).toBe(400)
    expect(gone.message).toBe(`body failed validation: body.after should be not present, instead was \`"${b}"\`.`)
    const both = await apiError(
      notion.blocks.children.append({ block_id: page, children: [para('x')], after: b, position: { type: 'end' } }),
    )
    expect(both.code).toBe(APIErrorCode.ValidationError)
    expect(both.message).toBe('You cannot specify both `after` and `position`.')
  })

  it('refuses an after-block that is not a child of the parent', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const elsewhere = (await notion.blocks.children.append({ block_id: s.pages.child.id, children: [para('x')] })).results[0]!.id
    const e = await apiError(
      notion.blocks.children.append({
        block_id: s.pages.grandchild.id,
        children: [para('y')],
        position: { type: 'after_block', after_block: { id: elsewhere } },
      }),
    )
    expect(e.code).toBe(APIErrorCode.ValidationError)
    expect(e.message).toBe(`body.position.after_block.id ${elsewhere} is not a child of block ${s.pages.grandchild.id}.`)
    const legacy = await apiError(
      notion.blocks.children.append({ block_id: s.pages.grandchild.id, children: [para('y')], after: elsewhere }),
    )
    expect(legacy.message).toBe(`body.after ${elsewhere} is not a child of block ${s.pages.grandchild.id}.`)
    const badPos = await apiError(
      server.client(s.token).request({
        path: `blocks/${s.pages.grandchild.id}/children`,
        method: 'patch',
        body: { children: [], position: { type: 'middle' } },
      }),
    )
    expect(badPos.code).toBe(APIErrorCode.ValidationError)
    expect(badPos.message).toContain('body failed validation. Fix one:\n')
    expect(await texts(notion, s.pages.grandchild.id)).toEqual([])
  })

  it('enforces limits: 100 children, 2 nesting levels, 2000-character text, 1000 blocks, required children', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const page = s.pages.grandchild.id
    const many = await apiError(notion.blocks.children.append({ block_id: page, children: Array.from({ length: 101 }, () => para('x')) }))
    expect(many.code).toBe(APIErrorCode.ValidationError)
    expect(many.status).toBe(400)
    expect(many.message).toBe('body failed validation: body.children.length should be ≤ `100`, instead was `101`.')
    const nestedMany = await apiError(
      notion.blocks.children.append({
        block_id: page,
        children: [{ toggle: { rich_text: [], children: Array.from({ length: 101 }, () => para('x')) } }],
      }),
    )
    expect(nestedMany.message).toBe('body failed validation: body.children[0].toggle.children.length should be ≤ `100`, instead was `101`.')
    // Two levels of nesting pass; a third level's `children` should be not present.
    const two = await notion.blocks.children.append({
      block_id: page,
      children: [
        {
          bulleted_list_item: {
            rich_text: rt('1'),
            children: [{ bulleted_list_item: { rich_text: rt('2'), children: [{ bulleted_list_item: { rich_text: rt('3') } }] } }],
          },
        },
      ],
    })
    expect(two.results).toHaveLength(1)
    const three = await apiError(
      server.client(s.token).request({
        path: `blocks/${page}/children`,
        method: 'patch',
        body: {
          children: [
            {
              bulleted_list_item: {
                rich_text: rt('1'),
                children: [
                  {
                    bulleted_list_item: {
                      rich_text: rt('2'),
                      children: [{ bulleted_list_item: { rich_text: rt('3'), children: [para('4')] } }],
                    },
                  },
                ],
              },
            },
          ],
        },
      }),
    )
    expect(three.code).toBe(APIErrorCode.ValidationError)
    expect(three.message).toBe(
      'body failed validation: body.children[0].bulleted_list_item.children[0].bulleted_list_item.children[0].bulleted_list_item.children should be not present, instead was `[{"paragraph":{"rich_text":[{"text":{"content":"4"}}]}}]`.',
    )
    const long = await apiError(notion.blocks.children.append({ block_id: page, children: [para('x'.repeat(2001))] }))
    expect(long.code).toBe(APIErrorCode.ValidationError)
    expect(long.message).toBe(
      'body failed validation: body.children[0].paragraph.rich_text[0].text.content.length should be ≤ `2000`, instead was `2001`.',
    )
    await notion.blocks.children.append({ block_id: page, children: [para('x'.repeat(2000))] })
    const huge = await apiError(
      notion.blocks.children.append({
        block_id: page,
        children: Array.from({ length: 11 }, () => ({
          toggle: { rich_text: [], children: Array.from({ length: 100 }, () => ({ divider: {} })) },
        })),
      }),
    )
    expect(huge.code).toBe(APIErrorCode.ValidationError)
    expect(huge.message).toBe('body failed validation: the request may contain at most 1000 blocks.')
    const missing = await apiError(server.client(s.token).request({ path: `blocks/${page}/children`, method: 'patch', body: {} }))
    expect(missing.message).toBe('body failed validation: body.children should be defined, instead was `undefined`.')
    const unknownType = await apiError(
      server
        .client(s.token)
        .request({ path: `blocks/${page}/children`, method: 'patch', body: { children: [{ child_page: { title: 'x' } }] } }),
    )
    expect(unknownType.message).toBe(
      'body failed validation: body.children[0].child_page should be not present, instead was `{"title":"x"}`.',
    )
    const nullItem = await apiError(
      server.client(s.token).request({ path: `blocks/${page}/children`, method: 'patch', body: { children: [null] } }),
    )
    expect(nullItem.message).toBe('body failed validation: body.children[0] should be an object, instead was `null`.')
    const noType = await apiError(
      server.client(s.token).request({ path: `blocks/${page}/children`, method: 'patch', body: { children: [{}] } }),
    )
    expect(noType.message).toBe('body failed validation: body.children[0].type should be a supported block type, instead was `undefined`.')
    const stray = await apiError(
      server.client(s.token).request({ path: `blocks/${page}/children`, method: 'patch', body: { children: [], foo: 1 } }),
    )
    expect(stray.message).toBe('body failed validation: body.foo should be not present, instead was `1`.')
  })

  it('POST instead of PATCH is an invalid request URL', async () => {
    const s = await seedBasic(server)
    const res = await server.raw(`/v1/blocks/${s.pages.root.id}/children`, {
      method: 'POST',
      token: s.token,
      body: JSON.stringify({ children: [] }),
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ object: 'error', code: 'invalid_request_url', message: 'Invalid request URL.' })
  })

  it('refuses to append to a trashed parent, to a block type without children, and to a database', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const made = await notion.blocks.children.append({
      block_id: s.pages.child.id,
      children: [{ divider: {} }, { toggle: { rich_text: [] } }],
    })
    const [divider, toggle] = made.results.map((r) => r.id) as [string, string]
    const noKids = await apiError(notion.blocks.children.append({ block_id: divider, children: [para('x')] }))
    expect(noKids.code).toBe(APIErrorCode.ValidationError)
    expect(noKids.message).toBe('Block type divider does not support children.')
    await notion.blocks.delete({ block_id: toggle })
    const trashed = await apiError(notion.blocks.children.append({ block_id: toggle, children: [para('x')] }))
    expect(trashed.code).toBe(APIErrorCode.ValidationError)
    expect(trashed.message).toBe("Can't edit block that is archived. You must unarchive the block before editing.")
    await notion.pages.update({ page_id: s.pages.grandchild.id, in_trash: true })
    const trashedPage = await apiError(notion.blocks.children.append({ block_id: s.pages.grandchild.id, children: [para('x')] }))
    expect(trashedPage.message).toBe("Can't edit block that is archived. You must unarchive the block before editing.")
  })

  it('bumps the last_edited_time of the page that owns the new blocks', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const before = await notion.pages.retrieve({ page_id: s.pages.child.id })
    now += 5 * 60_000
    const toggle = (await notion.blocks.children.append({ block_id: s.pages.child.id, children: [{ toggle: { rich_text: [] } }] }))
      .results[0]!.id
    const after = await notion.pages.retrieve({ page_id: s.pages.child.id })
    expect(isFullPage(before) && isFullPage(after)).toBe(true)
    expect(Date.parse((after as { last_edited_time: string }).last_edited_time)).toBeGreaterThan(
      Date.parse((before as { last_edited_time: string }).last_edited_time),
    )
    expect(after).toMatchObject({ last_edited_by: { id: s.connection.bot_id } })
    now += 5 * 60_000
    await notion.blocks.children.append({ block_id: toggle, children: [para('inside')] })
    const again = (await notion.pages.retrieve({ page_id: s.pages.child.id })) as { last_edited_time: string }
    expect(again.last_edited_time).toBe(new Date(now).toISOString())
    const toggleBlock = (await notion.blocks.retrieve({ block_id: toggle })) as BlockObjectResponse
    expect(toggleBlock.has_children).toBe(true)
    expect(toggleBlock.last_edited_time).toBe(new Date(now).toISOString())
  })

  it('needs insert content (403); insert-only connections get partial blocks; unshared parents are 404', async () => {
    const noInsert = await seedBasic(server, { insertContent: false })
    await noInsert.share(noInsert.pages.root.id)
    const e = await apiError(
      server.client(noInsert.token).blocks.children.append({ block_id: noInsert.pages.root.id, children: [para('x')] }),
    )
    expect(e.code).toBe(APIErrorCode.RestrictedResource)
    expect(e.status).toBe(403)
    expect(e.message).toBe('Insufficient permissions for this endpoint.')

    const insertOnly = await seedBasic(server, { readContent: false, updateContent: false })
    await insertOnly.share(insertOnly.pages.root.id)
    const res = await server
      .client(insertOnly.token)
      .blocks.children.append({ block_id: insertOnly.pages.root.id, children: [para('x'), para('y')] })
    expect(res.results).toHaveLength(2)
    for (const r of res.results) {
      expect(Object.keys(r).sort()).toEqual(['id', 'object'])
      expect(isFullBlock(r)).toBe(false)
    }

    const s = await seedBasic(server)
    await s.share(s.pages.child.id)
    const hidden = await apiError(server.client(s.token).blocks.children.append({ block_id: s.pages.secret.id, children: [para('x')] }))
    expect(hidden.code).toBe(APIErrorCode.ObjectNotFound)
    expect(hidden.status).toBe(404)
    expect(hidden.message).toBe(
      `Could not find block with ID: ${s.pages.secret.id}. Make sure the relevant pages and databases are shared with your integration "Test Bot".`,
    )
  })
})
