import { APIErrorCode, collectPaginatedAPI, isFullBlock, iteratePaginatedAPI } from '@notionhq/client'
import type { BlockObjectResponse } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shareWithConnection } from '../../src/services/connections.service.js'
import { buildConnection, connectedWorkspace, seedDatabase } from '../support/factories.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * `GET /v1/blocks/{id}` and `GET /v1/blocks/{id}/children` through the official SDK
 * (docs/reference/notion-api.md §1.3, §2.9, §2.12).
 */

const para = (content: string) => ({ paragraph: { rich_text: [{ text: { content } }] } })

describe('blocks: retrieve and list children', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => {
    await server.stop()
  })

  it('retrieves a block as a full block object; 2026-03-11 drops `archived`', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const appended = await notion.blocks.children.append({ block_id: s.pages.child.id, children: [para('Hello')] })
    const id = (appended.results[0] as BlockObjectResponse).id
    const block = await notion.blocks.retrieve({ block_id: id })
    expect(isFullBlock(block)).toBe(true)
    expect(block).toMatchObject({
      object: 'block',
      id,
      parent: { type: 'page_id', page_id: s.pages.child.id },
      created_by: { object: 'user', id: s.connection.bot_id },
      last_edited_by: { object: 'user', id: s.connection.bot_id },
      has_children: false,
      archived: false,
      in_trash: false,
      type: 'paragraph',
      paragraph: {
        color: 'default',
        icon: null,
        rich_text: [{ type: 'text', plain_text: 'Hello', text: { content: 'Hello', link: null }, href: null }],
      },
    })
    expect((block as BlockObjectResponse).created_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/)
    const v26 = await server.client(s.token, '2026-03-11').blocks.retrieve({ block_id: id.replace(/-/g, '') })
    expect(v26).not.toHaveProperty('archived')
    expect(v26).toMatchObject({ id, in_trash: false })
    const v22 = await server.client(s.token, '2022-06-28').blocks.retrieve({ block_id: id })
    expect(v22).toMatchObject({ archived: false, in_trash: false })
  })

  it('a page id answers as a child_page block, a database id as child_database without children', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const db = await seedDatabase(server, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      parentId: s.pages.child.id,
      rowTitle: 'Write tests',
    })
    const page = await notion.blocks.retrieve({ block_id: s.pages.child.id })
    expect(page).toMatchObject({
      object: 'block',
      id: s.pages.child.id,
      type: 'child_page',
      child_page: { title: 'Child' },
      has_children: true,
      parent: { type: 'page_id', page_id: s.pages.root.id },
    })
    const grandchild = await notion.blocks.retrieve({ block_id: s.pages.grandchild.id })
    expect(grandchild).toMatchObject({ type: 'child_page', has_children: false })
    const database = await notion.blocks.retrieve({ block_id: db.database.id })
    expect(database).toMatchObject({ type: 'child_database', child_database: { title: 'Tasks' }, has_children: false })
    const children = await notion.blocks.children.list({ block_id: db.database.id })
    expect(children).toMatchObject({ object: 'list', results: [], next_cursor: null, has_more: false, type: 'block', block: {} })
  })

  it('a database row answers as a child_page with its title and a data-source (or database) parent', async () => {
    const s = await seedBasic(server)
    await s.share(s.pages.root.id)
    const db = await seedDatabase(server, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      parentId: s.pages.root.id,
      rowTitle: 'Write tests',
    })
    const row = await server.client(s.token).blocks.retrieve({ block_id: db.row.id })
    expect(row).toMatchObject({
      type: 'child_page',
      child_page: { title: 'Write tests' },
      parent: { type: 'data_source_id', data_source_id: db.dataSource.id, database_id: db.database.id },
    })
    const legacy = await server.client(s.token, '2022-06-28').blocks.retrieve({ block_id: db.row.id })
    expect(legacy).toMatchObject({ parent: { type: 'database_id', database_id: db.database.id } })
  })

  it('lists first-level children in order: blocks, child pages and databases, never database rows', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const db = await seedDatabase(server, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      parentId: s.pages.root.id,
      rowTitle: 'Write tests',
    })
    await notion.blocks.children.append({
      block_id: s.pages.root.id,
      children: [para('first'), { toggle: { rich_text: [{ text: { content: 'toggle' } }], children: [para('inside')] } }],
    })
    const list = await notion.blocks.children.list({ block_id: s.pages.root.id })
    expect(list).toMatchObject({ object: 'list', type: 'block', block: {}, has_more: false, next_cursor: null })
    const results = list.results.filter(isFullBlock)
    expect(results.map((b) => b.type)).toEqual(['child_page', 'child_database', 'paragraph', 'toggle'])
    expect(results.map((b) => b.id)).not.toContain(db.row.id)
    expect(results[0]).toMatchObject({ id: s.pages.child.id, child_page: { title: 'Child' }, has_children: true })
    expect(results[1]).toMatchObject({ id: db.database.id, child_database: { title: 'Tasks' }, has_children: false })
    expect(results[2]).toMatchObject({ has_children: false })
    expect(results[3]).toMatchObject({ has_children: true })
    const inner = await notion.blocks.children.list({ block_id: results[3]!.id })
    expect(inner.results.filter(isFullBlock).map((b) => b.type === 'paragraph' && b.paragraph.rich_text[0]?.plain_text)).toEqual(['inside'])
    expect(inner.results[0]).toMatchObject({ parent: { type: 'block_id', block_id: results[3]!.id } })
  })

  it('paginates with start_cursor/page_size; next_cursor is null on the last page', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const texts = Array.from({ length: 7 }, (_, i) => `p${i}`)
    await notion.blocks.children.append({ block_id: s.pages.grandchild.id, children: texts.map(para) })
    const first = await notion.blocks.children.list({ block_id: s.pages.grandchild.id, page_size: 3 })
    expect(first.results).toHaveLength(3)
    expect(first.has_more).toBe(true)
    expect(typeof first.next_cursor).toBe('string')
    const pages: number[] = []
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = await notion.blocks.children.list({
        block_id: s.pages.grandchild.id,
        page_size: 3,
        ...(cursor ? { start_cursor: cursor } : {}),
      })
      pages.push(page.results.length)
      for (const b of page.results.filter(isFullBlock)) if (b.type === 'paragraph') seen.push(b.paragraph.rich_text[0]!.plain_text)
      if (!page.has_more) expect(page.next_cursor).toBeNull()
      cursor = page.next_cursor ?? undefined
    } while (cursor)
    expect(pages).toEqual([3, 3, 1])
    expect(seen).toEqual(texts)
    const collected = await collectPaginatedAPI(notion.blocks.children.list, { block_id: s.pages.grandchild.id, page_size: 2 })
    expect(collected).toHaveLength(7)
    let n = 0
    for await (const block of iteratePaginatedAPI(notion.blocks.children.list, { block_id: s.pages.grandchild.id, page_size: 4 })) {
      expect(isFullBlock(block)).toBe(true)
      n++
    }
    expect(n).toBe(7)
    // An exact multiple of page_size still ends with next_cursor null.
    const exact = await notion.blocks.children.list({ block_id: s.pages.grandchild.id, page_size: 7 })
    expect(exact).toMatchObject({ has_more: false, next_cursor: null })
  })

  it('rejects page_size outside 1..100 with Notion messages', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const big = await apiError(notion.blocks.children.list({ block_id: s.pages.root.id, page_size: 101 }))
    expect(big.code).toBe(APIErrorCode.ValidationError)
    expect(big.status).toBe(400)
    expect(big.message).toBe('query failed validation: query.page_size should be ≤ `100`, instead was `101`.')
    const zero = await apiError(notion.blocks.children.list({ block_id: s.pages.root.id, page_size: 0 }))
    expect(zero.message).toBe('query failed validation: query.page_size should be ≥ `1`, instead was `0`.')
    const res = await server.raw(`/v1/blocks/${s.pages.root.id}/children?page_size=abc`, { token: s.token })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({
      code: 'validation_error',
      message: 'query failed validation: query.page_size should be a number, instead was `"abc"`.',
    })
  })

  it('answers 404 for unknown ids, unshared blocks and blocks under an unshared page; 400 for a bad id', async () => {
    const s = await seedBasic(server)
    await s.share(s.pages.child.id)
    // A block inside Secret (same workspace), written by a second connection that can see Secret.
    const second = await buildConnection(server, s, 'Other Bot', { shareWith: [s.pages.secret.id] })
    const hidden = await server.client(second.token).blocks.children.append({ block_id: s.pages.secret.id, children: [para('secret')] })
    const hiddenId = hidden.results[0]!.id
    // And a block of Root, which is not shared with Test Bot (only Child is).
    await shareWithConnection(server.deps, second.connection.id, s.pages.root.id, s.owner.id)
    const rootBlock = (await server.client(second.token).blocks.children.append({ block_id: s.pages.root.id, children: [para('r')] }))
      .results[0]!.id
    const other = await seedBasic(server)
    const notion = server.client(s.token)
    const notFound = (id: string) =>
      `Could not find block with ID: ${id}. Make sure the relevant pages and databases are shared with your integration "Test Bot".`
    for (const id of [s.pages.root.id, s.pages.secret.id, hiddenId, rootBlock, '00000000-0000-4000-8000-000000000000']) {
      const e = await apiError(notion.blocks.retrieve({ block_id: id }))
      expect(e.code).toBe(APIErrorCode.ObjectNotFound)
      expect(e.status).toBe(404)
      expect(e.message).toBe(notFound(id))
      const l = await apiError(notion.blocks.children.list({ block_id: id }))
      expect(l.code).toBe(APIErrorCode.ObjectNotFound)
      expect(l.message).toBe(notFound(id))
    }
    // A page of another workspace is as unknown as a missing one.
    const cross = await apiError(notion.blocks.retrieve({ block_id: other.pages.secret.id }))
    expect(cross.message).toBe(notFound(other.pages.secret.id))
    const bad = await apiError(notion.blocks.retrieve({ block_id: 'nope' }))
    expect(bad.code).toBe(APIErrorCode.ValidationError)
    expect(bad.message).toBe('path failed validation: path.id should be a valid uuid, instead was `"nope"`.')
  })

  it('needs the read content capability (403 restricted_resource)', async () => {
    const { s, notion } = await connectedWorkspace(server, { readContent: false })
    for (const call of [
      () => notion.blocks.retrieve({ block_id: s.pages.child.id }),
      () => notion.blocks.children.list({ block_id: s.pages.child.id }),
    ]) {
      const e = await apiError(call())
      expect(e.code).toBe(APIErrorCode.RestrictedResource)
      expect(e.status).toBe(403)
      expect(e.message).toBe('Insufficient permissions for this endpoint.')
    }
  })

  it('a trashed page still retrieves (in_trash true) but its children answer 404', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const made = await notion.blocks.children.append({ block_id: s.pages.child.id, children: [para('x')] })
    await notion.pages.update({ page_id: s.pages.child.id, in_trash: true })
    const page = await notion.blocks.retrieve({ block_id: s.pages.child.id })
    expect(page).toMatchObject({ type: 'child_page', in_trash: true, archived: true })
    for (const id of [s.pages.child.id, s.pages.grandchild.id, made.results[0]!.id]) {
      const e = await apiError(notion.blocks.children.list({ block_id: id }))
      expect(e.code).toBe(APIErrorCode.ObjectNotFound)
      expect(e.message).toBe(
        `Could not find block with ID: ${id}. Make sure the relevant pages and databases are shared with your integration "Test Bot".`,
      )
    }
    // The trashed page is no longer among its parent's children.
    const rootKids = await notion.blocks.children.list({ block_id: s.pages.root.id })
    expect(rootKids.results.map((b) => b.id)).not.toContain(s.pages.child.id)
  })
})
