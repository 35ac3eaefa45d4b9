import { APIErrorCode, isFullPage, type PageObjectResponse } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { updateCapabilities } from '../../src/services/connections.service.js'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { connectedWorkspace } from '../support/factories.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'

const titleOf = (p: PageObjectResponse) =>
  (p.properties.title as { title: { plain_text: string }[] }).title.map((t) => t.plain_text).join('')

describe('pages', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => server.stop())

  it('creates a page under a shared page, with children, and reads it back', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const page = await notion.pages.create({
      parent: { page_id: s.pages.root.id },
      properties: { title: { title: [{ text: { content: 'Meeting notes' } }] } },
      icon: { emoji: '📝' },
      cover: { external: { url: 'https://example.com/cover.png' } },
      children: [{ paragraph: { rich_text: [{ text: { content: 'Agenda' } }] } }],
    })
    expect(isFullPage(page)).toBe(true)
    const full = page as PageObjectResponse
    expect(full.parent).toEqual({ type: 'page_id', page_id: s.pages.root.id })
    expect(full.created_by).toEqual({ object: 'user', id: s.connection.bot_id })
    expect(full.icon).toEqual({ type: 'emoji', emoji: '📝' })
    expect(full.cover).toEqual({ type: 'external', external: { url: 'https://example.com/cover.png' } })
    expect(titleOf(full)).toBe('Meeting notes')
    expect(full.url).toMatch(/\/Meeting-notes-[0-9a-f]{32}$/)
    expect(full.created_time).toMatch(/:00\.000Z$/)
    const again = (await notion.pages.retrieve({ page_id: page.id })) as PageObjectResponse
    expect(titleOf(again)).toBe('Meeting notes')
  })

  it('refuses workspace-level pages for internal connections and unshared parents', async () => {
    const s = await seedBasic(server)
    const notion = server.client(s.token)
    const ws = await apiError(notion.pages.create({ parent: { workspace: true, type: 'workspace' }, properties: {} }))
    expect(ws.code).toBe(APIErrorCode.ValidationError)
    const hidden = await apiError(notion.pages.create({ parent: { page_id: s.pages.secret.id }, properties: {} }))
    expect(hidden.code).toBe(APIErrorCode.ObjectNotFound)
    expect(hidden.message).toContain(`Could not find page with ID: ${s.pages.secret.id}.`)
  })

  it('updates title, icon and lock; trashes and restores', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const updated = (await notion.pages.update({
      page_id: s.pages.child.id,
      properties: { title: { title: [{ text: { content: 'Renamed' } }] } },
      icon: { type: 'emoji', emoji: '🚀' },
      is_locked: true,
    })) as PageObjectResponse
    expect(titleOf(updated)).toBe('Renamed')
    expect(updated.icon).toEqual({ type: 'emoji', emoji: '🚀' })
    expect(updated.is_locked).toBe(true)
    expect(updated.last_edited_by).toEqual({ object: 'user', id: s.connection.bot_id })

    const trashed = (await notion.pages.update({ page_id: s.pages.child.id, in_trash: true })) as PageObjectResponse
    expect(trashed.in_trash).toBe(true)
    expect(trashed.archived).toBe(true)
    const edit = await apiError(notion.pages.update({ page_id: s.pages.child.id, icon: null }))
    expect(edit.code).toBe(APIErrorCode.ValidationError)
    expect(edit.message).toBe("Can't edit block that is archived. You must unarchive the block before editing.")
    const restored = (await notion.pages.update({ page_id: s.pages.child.id, archived: false })) as PageObjectResponse
    expect(restored.in_trash).toBe(false)
  })

  it('drops `archived` under 2026-03-11, in responses and requests', async () => {
    const s = await seedBasic(server)
    await s.share(s.pages.root.id)
    const v26 = server.client(s.token, '2026-03-11')
    const page = await v26.pages.retrieve({ page_id: s.pages.child.id })
    expect(page).not.toHaveProperty('archived')
    expect(page).toHaveProperty('in_trash', false)
    const err = await apiError(v26.pages.update({ page_id: s.pages.child.id, archived: true }))
    expect(err.code).toBe(APIErrorCode.ValidationError)
    expect(err.message).toBe('body failed validation: body.archived should be not present, instead was `true`.')
    const old = await server.client(s.token, '2022-06-28').pages.retrieve({ page_id: s.pages.child.id })
    expect(old).toHaveProperty('archived', false)
  })

  it('checks capabilities before content, and they change without a new token', async () => {
    const { s, notion } = await connectedWorkspace(server)
    await updateCapabilities(server.deps, s.connection.id, s.owner.id, { updateContent: false })
    const upd = await apiError(notion.pages.update({ page_id: s.pages.child.id, icon: null }))
    expect(upd.code).toBe(APIErrorCode.RestrictedResource)
    expect(upd.status).toBe(403)
    // Even an unshared page answers 403 for a missing capability: capability is checked first.
    expect((await apiError(notion.pages.update({ page_id: s.pages.secret.id, icon: null }))).code).toBe(APIErrorCode.RestrictedResource)
    await updateCapabilities(server.deps, s.connection.id, s.owner.id, { readContent: false, updateContent: true })
    expect((await apiError(notion.pages.retrieve({ page_id: s.pages.child.id }))).code).toBe(APIErrorCode.RestrictedResource)
    await updateCapabilities(server.deps, s.connection.id, s.owner.id, { insertContent: false })
    expect((await apiError(notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: {} }))).code).toBe(
      APIErrorCode.RestrictedResource,
    )
  })

  it('gives insert-only connections partial objects', async () => {
    const s = await seedBasic(server, { readContent: false, updateContent: false, insertContent: true })
    await s.share(s.pages.root.id)
    const page = await server.client(s.token).pages.create({ parent: { page_id: s.pages.root.id }, properties: {} })
    expect(page).toEqual({ object: 'page', id: expect.any(String), request_id: expect.any(String) })
    expect(isFullPage(page)).toBe(false)
  })

  it('shares descendants created later, and access follows a page when it moves', async () => {
    const s = await seedBasic(server)
    await s.share(s.pages.child.id)
    const notion = server.client(s.token)
    const later = await createPageAsUser(server.deps, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      title: 'Later',
      parentId: s.pages.grandchild.id,
    })
    expect((await notion.pages.retrieve({ page_id: later.id })).id).toBe(later.id)

    // Move an unshared top-level page's child into the shared subtree: it becomes visible.
    const outside = await createPageAsUser(server.deps, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      title: 'Outside',
      parentId: s.pages.secret.id,
    })
    expect((await apiError(notion.pages.retrieve({ page_id: outside.id }))).code).toBe(APIErrorCode.ObjectNotFound)
    const { moveNode } = await import('../../src/services/tree.service.js')
    const { findBlock } = await import('../../src/storage/repositories/blocks.repository.js')
    await server.deps.store.transaction(async (trx) => {
      const node = (await findBlock(trx, outside.id))!
      const parent = (await findBlock(trx, s.pages.grandchild.id))!
      await moveNode(trx, node, { type: 'page_id', parent }, s.owner.id, new Date().toISOString())
    })
    const moved = (await notion.pages.retrieve({ page_id: outside.id })) as PageObjectResponse
    expect(moved.parent).toEqual({ type: 'page_id', page_id: s.pages.grandchild.id })

    // Move it back out through the API: the bot cannot, since it cannot see the target (404).
    const out = await apiError(notion.pages.move({ page_id: outside.id, parent: { page_id: s.pages.secret.id } }))
    expect(out.code).toBe(APIErrorCode.ObjectNotFound)
  })

  it('moves a page through the API and keeps inheritance consistent', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const a = await notion.pages.create({
      parent: { page_id: s.pages.root.id },
      properties: { title: { title: [{ text: { content: 'A' } }] } },
    })
    const b = await notion.pages.create({ parent: { page_id: a.id }, properties: { title: { title: [{ text: { content: 'B' } }] } } })
    const moved = (await notion.pages.move({ page_id: a.id, parent: { page_id: s.pages.grandchild.id } })) as PageObjectResponse
    expect(moved.parent).toEqual({ type: 'page_id', page_id: s.pages.grandchild.id })
    expect((await notion.pages.retrieve({ page_id: b.id })).id).toBe(b.id)
    const cycle = await apiError(notion.pages.move({ page_id: s.pages.child.id, parent: { page_id: s.pages.grandchild.id } }))
    expect(cycle.code).toBe(APIErrorCode.ValidationError)
    // Unsharing the root hides the moved subtree too.
    const { unshareFromConnection } = await import('../../src/services/connections.service.js')
    await unshareFromConnection(server.deps, s.connection.id, s.pages.root.id, s.owner.id)
    expect((await apiError(notion.pages.retrieve({ page_id: b.id }))).code).toBe(APIErrorCode.ObjectNotFound)
  })

  it('filters properties with filter_properties', async () => {
    const s = await seedBasic(server)
    await s.share(s.pages.root.id)
    const page = await server.client(s.token).pages.retrieve({ page_id: s.pages.root.id, filter_properties: ['nothing'] })
    expect((page as PageObjectResponse).properties).toEqual({})
  })
})
