import { APIErrorCode, isFullBlock } from '@notionhq/client'
import type { BlockObjectResponse } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shareWithConnection } from '../../src/services/connections.service.js'
import { buildConnection } from '../support/factories.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * `PATCH /v1/blocks/{id}` and `DELETE /v1/blocks/{id}` through the official SDK: partial content
 * updates, no type changes, trash and restore, versions, capabilities (docs/reference/notion-api.md §1.3, §2.9, §10).
 */

const rt = (content: string) => [{ text: { content } }]
const para = (content: string) => ({ paragraph: { rich_text: rt(content) } })
const ARCHIVED = "Can't edit block that is archived. You must unarchive the block before editing."

describe('blocks: update and delete', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => {
    await server.stop()
  })

  async function setup(caps = {}) {
    const s = await seedBasic(server, caps)
    await s.share(s.pages.root.id)
    // Blocks are written by a full-capability connection so that restricted ones can be tested.
    const writer = await buildConnection(server, s, 'Writer', { shareWith: [s.pages.root.id] })
    const res = await server.client(writer.token).blocks.children.append({
      block_id: s.pages.child.id,
      children: [
        { paragraph: { rich_text: rt('hello'), color: 'blue' } },
        { to_do: { rich_text: rt('task'), checked: false, color: 'red' } },
        { heading_2: { rich_text: rt('Title') } },
        { image: { external: { url: 'https://example.com/a.png' }, caption: rt('a') } },
        { table: { table_width: 2, children: [{ table_row: { cells: [rt('a'), rt('b')] } }] } },
        { link_to_page: { page_id: s.pages.grandchild.id } },
        { code: { rich_text: rt('x'), language: 'python' } },
      ],
    })
    const [p, todo, heading, image, table, link, code] = res.results.map((r) => r.id) as string[]
    return {
      s,
      notion: server.client(s.token),
      writer,
      ids: { p: p!, todo: todo!, heading: heading!, image: image!, table: table!, link: link!, code: code! },
    }
  }

  it('updates only the fields given and keeps the others', async () => {
    const { s, notion, ids } = await setup()
    const p = (await notion.blocks.update({ block_id: ids.p, paragraph: { rich_text: rt('changed') } })) as BlockObjectResponse
    expect(isFullBlock(p)).toBe(true)
    expect(p).toMatchObject({
      id: ids.p,
      type: 'paragraph',
      paragraph: { color: 'blue', icon: null, rich_text: [{ plain_text: 'changed' }] },
      last_edited_by: { id: s.connection.bot_id },
    })
    const todo = await notion.blocks.update({ block_id: ids.todo, to_do: { checked: true } })
    expect(todo).toMatchObject({ to_do: { checked: true, color: 'red', rich_text: [{ plain_text: 'task' }] } })
    const heading = await notion.blocks.update({
      block_id: ids.heading,
      type: 'heading_2',
      heading_2: { rich_text: rt('New'), is_toggleable: true },
    })
    expect(heading).toMatchObject({ heading_2: { is_toggleable: true, color: 'default', rich_text: [{ plain_text: 'New' }] } })
    const image = await notion.blocks.update({ block_id: ids.image, image: { external: { url: 'https://example.com/b.png' } } })
    expect((image as BlockObjectResponse & { image: unknown }).image).toEqual({
      caption: [expect.objectContaining({ plain_text: 'a' })],
      type: 'external',
      external: { url: 'https://example.com/b.png' },
    })
    const code = await notion.blocks.update({ block_id: ids.code, code: { language: 'rust' } })
    expect(code).toMatchObject({ code: { language: 'rust', rich_text: [{ plain_text: 'x' }] } })
    const table = await notion.blocks.update({ block_id: ids.table, table: { has_row_header: true } })
    expect(table).toMatchObject({ has_children: true, table: { table_width: 2, has_row_header: true, has_column_header: false } })
    const row = (await notion.blocks.children.list({ block_id: ids.table })).results[0]!.id
    const updatedRow = await notion.blocks.update({ block_id: row, table_row: { cells: [rt('x'), rt('y')] } })
    expect(updatedRow).toMatchObject({ table_row: { cells: [[{ plain_text: 'x' }], [{ plain_text: 'y' }]] } })
    const link = await notion.blocks.update({ block_id: ids.link, link_to_page: { page_id: s.pages.root.id } })
    expect((link as BlockObjectResponse & { link_to_page: unknown }).link_to_page).toEqual({ type: 'page_id', page_id: s.pages.root.id })
    // The change is stored.
    const again = await notion.blocks.retrieve({ block_id: ids.p })
    expect(again).toMatchObject({ paragraph: { rich_text: [{ plain_text: 'changed' }] } })
    // The 2026-03-11 shape has no `archived`.
    const v26 = await server.client(s.token, '2026-03-11').blocks.update({ block_id: ids.p, paragraph: { color: 'green' } })
    expect(v26).not.toHaveProperty('archived')
    expect(v26).toMatchObject({ in_trash: false, paragraph: { color: 'green' } })
  })

  it('validates the content with the type schema and refuses a type change', async () => {
    const { s, notion, ids } = await setup()
    const typeChange = await apiError(notion.blocks.update({ block_id: ids.p, heading_1: { rich_text: rt('x') } }))
    expect(typeChange.code).toBe(APIErrorCode.ValidationError)
    expect(typeChange.status).toBe(400)
    expect(typeChange.message).toBe(`Block type cannot be changed: block ${ids.p} is a paragraph block, the request gives heading_1.`)
    const long = await apiError(notion.blocks.update({ block_id: ids.p, paragraph: { rich_text: rt('x'.repeat(2001)) } }))
    expect(long.message).toBe(
      'body failed validation: body.paragraph.rich_text[0].text.content.length should be ≤ `2000`, instead was `2001`.',
    )
    const badColor = await apiError(notion.blocks.update({ block_id: ids.p, paragraph: { color: 'teal' as never } }))
    expect(badColor.message).toMatch(/^body failed validation: body\.paragraph\.color should be `"default"`, .*instead was `"teal"`\.$/)
    const two = await apiError(
      notion.request({ path: `blocks/${ids.p}`, method: 'patch', body: { paragraph: { rich_text: [] }, quote: { rich_text: [] } } }),
    )
    expect(two.message).toBe('body failed validation: body.quote should be not present, instead was `{"rich_text":[]}`.')
    const mismatch = await apiError(
      notion.request({ path: `blocks/${ids.p}`, method: 'patch', body: { type: 'quote', paragraph: { rich_text: [] } } }),
    )
    expect(mismatch.message).toBe('body failed validation: body.type should be `"paragraph"`, instead was `"quote"`.')
    const children = await apiError(
      notion.request({ path: `blocks/${ids.p}`, method: 'patch', body: { paragraph: { rich_text: [], children: [] } } }),
    )
    expect(children.message).toBe('body failed validation: body.paragraph.children should be not present, instead was `[]`.')
    const width = await apiError(notion.request({ path: `blocks/${ids.table}`, method: 'patch', body: { table: { table_width: 3 } } }))
    expect(width.message).toBe('body failed validation: body.table.table_width should be not present, instead was `3`.')
    const page = await apiError(notion.request({ path: `blocks/${ids.p}`, method: 'patch', body: { child_page: { title: 'x' } } }))
    expect(page.message).toBe('body failed validation: body.child_page should be not present, instead was `{"title":"x"}`.')
    const notObject = await server.raw(`/v1/blocks/${ids.p}`, { method: 'PATCH', token: s.token, body: '[]' })
    expect(notObject.status).toBe(400)
    expect(await notObject.json()).toMatchObject({
      code: 'validation_error',
      message: 'body failed validation: body should be an object, instead was `[]`.',
    })
    const typeOnly = await apiError(notion.request({ path: `blocks/${ids.p}`, method: 'patch', body: { type: 'paragraph' } }))
    expect(typeOnly.message).toBe('body failed validation: body.paragraph should be defined, instead was `undefined`.')
    const trash = await apiError(notion.request({ path: `blocks/${ids.p}`, method: 'patch', body: { in_trash: 'yes' } }))
    expect(trash.message).toBe('body failed validation: body.in_trash should be a boolean, instead was `"yes"`.')
  })

  it('pages are edited through pages.update: a child_page title cannot be set here', async () => {
    const { s, notion } = await setup()
    const e = await apiError(
      notion.request({ path: `blocks/${s.pages.child.id}`, method: 'patch', body: { child_page: { title: 'New' } } }),
    )
    expect(e.code).toBe(APIErrorCode.ValidationError)
    expect(e.message).toBe('body failed validation: body.child_page should be not present, instead was `{"title":"New"}`.')
    const wrong = await apiError(notion.blocks.update({ block_id: s.pages.child.id, paragraph: { rich_text: [] } }))
    expect(wrong.message).toBe(
      `Block type cannot be changed: block ${s.pages.child.id} is a child_page block, the request gives paragraph.`,
    )
  })

  it('trashes with DELETE (returning the block), refuses edits while trashed, restores with in_trash false', async () => {
    const { notion, ids } = await setup()
    const deleted = await notion.blocks.delete({ block_id: ids.p })
    expect(isFullBlock(deleted)).toBe(true)
    expect(deleted).toMatchObject({ object: 'block', id: ids.p, type: 'paragraph', in_trash: true, archived: true })
    const retrieved = await notion.blocks.retrieve({ block_id: ids.p })
    expect(retrieved).toMatchObject({ in_trash: true })
    const parentList = await notion.blocks.children.list({
      block_id:
        (retrieved as BlockObjectResponse).parent.type === 'page_id'
          ? ((retrieved as BlockObjectResponse).parent as { page_id: string }).page_id
          : '',
    })
    expect(parentList.results.map((b) => b.id)).not.toContain(ids.p)
    for (const call of [
      () => notion.blocks.update({ block_id: ids.p, paragraph: { rich_text: rt('no') } }),
      () => notion.blocks.update({ block_id: ids.p, in_trash: true }),
      () => notion.blocks.delete({ block_id: ids.p }),
    ]) {
      const e = await apiError(call())
      expect(e.code).toBe(APIErrorCode.ValidationError)
      expect(e.status).toBe(400)
      expect(e.message).toBe(ARCHIVED)
    }
    const restored = await notion.blocks.update({ block_id: ids.p, in_trash: false })
    expect(restored).toMatchObject({ in_trash: false, archived: false })
    // Restoring and editing in one request is allowed.
    await notion.blocks.delete({ block_id: ids.todo })
    const both = await notion.blocks.update({ block_id: ids.todo, in_trash: false, to_do: { checked: true } })
    expect(both).toMatchObject({ in_trash: false, to_do: { checked: true } })
  })

  it('trashes with in_trash, or archived before 2026-03-11; 2026-03-11 refuses archived', async () => {
    const { s, notion, ids } = await setup()
    const v22 = server.client(s.token, '2022-06-28')
    expect(await v22.blocks.update({ block_id: ids.p, archived: true })).toMatchObject({ archived: true, in_trash: true })
    expect(await v22.blocks.update({ block_id: ids.p, archived: false })).toMatchObject({ archived: false, in_trash: false })
    expect(await notion.blocks.update({ block_id: ids.p, in_trash: true })).toMatchObject({ archived: true, in_trash: true })
    const v26 = server.client(s.token, '2026-03-11')
    const refused = await apiError(v26.blocks.update({ block_id: ids.p, archived: false }))
    expect(refused.code).toBe(APIErrorCode.ValidationError)
    expect(refused.message).toBe('body failed validation: body.archived should be not present, instead was `false`.')
    const restored = await v26.blocks.update({ block_id: ids.p, in_trash: false })
    expect(restored).toEqual(expect.objectContaining({ in_trash: false }))
    expect(restored).not.toHaveProperty('archived')
    const disagree = await apiError(notion.blocks.update({ block_id: ids.p, in_trash: true, archived: false }))
    expect(disagree.message).toBe('body failed validation: body.archived and body.in_trash must agree when both are present.')
  })

  it('deleting a page through blocks.delete trashes the page', async () => {
    const { s, notion } = await setup()
    const res = await notion.blocks.delete({ block_id: s.pages.grandchild.id })
    expect(res).toMatchObject({ id: s.pages.grandchild.id, type: 'child_page', child_page: { title: 'Grandchild' }, in_trash: true })
    const page = await notion.pages.retrieve({ page_id: s.pages.grandchild.id })
    expect(page).toMatchObject({ in_trash: true })
    const restored = await notion.blocks.update({ block_id: s.pages.grandchild.id, in_trash: false })
    expect(restored).toMatchObject({ type: 'child_page', in_trash: false })
    expect(await notion.pages.retrieve({ page_id: s.pages.grandchild.id })).toMatchObject({ in_trash: false })
  })

  it('needs update content (403); read-less connections get partial blocks; unshared blocks are 404', async () => {
    const noUpdate = await setup({ updateContent: false })
    for (const call of [
      () => noUpdate.notion.blocks.update({ block_id: noUpdate.ids.p, paragraph: { rich_text: [] } }),
      () => noUpdate.notion.blocks.delete({ block_id: noUpdate.ids.p }),
    ]) {
      const e = await apiError(call())
      expect(e.code).toBe(APIErrorCode.RestrictedResource)
      expect(e.status).toBe(403)
      expect(e.message).toBe('Insufficient permissions for this endpoint.')
    }
    const noRead = await setup({ readContent: false })
    const partial = await noRead.notion.blocks.update({ block_id: noRead.ids.p, paragraph: { rich_text: rt('blind') } })
    expect(partial).toEqual({ object: 'block', id: noRead.ids.p, request_id: expect.any(String) })
    expect(isFullBlock(partial)).toBe(false)
    const partialDelete = await noRead.notion.blocks.delete({ block_id: noRead.ids.todo })
    expect(Object.keys(partialDelete).sort()).toEqual(['id', 'object', 'request_id'])

    const { s, writer } = await setup()
    await shareWithConnection(server.deps, writer.connection.id, s.pages.secret.id, s.owner.id)
    const secretBlock = (await server.client(writer.token).blocks.children.append({ block_id: s.pages.secret.id, children: [para('s')] }))
      .results[0]!.id
    const notion = server.client(s.token)
    const msg = (id: string) =>
      `Could not find block with ID: ${id}. Make sure the relevant pages and databases are shared with your integration "Test Bot".`
    for (const call of [
      () => notion.blocks.update({ block_id: secretBlock, paragraph: { rich_text: [] } }),
      () => notion.blocks.delete({ block_id: secretBlock }),
    ]) {
      const e = await apiError(call())
      expect(e.code).toBe(APIErrorCode.ObjectNotFound)
      expect(e.status).toBe(404)
      expect(e.message).toBe(msg(secretBlock))
    }
    const unknown = '11111111-2222-4333-8444-555555555555'
    expect((await apiError(notion.blocks.delete({ block_id: unknown }))).message).toBe(msg(unknown))
  })
})
