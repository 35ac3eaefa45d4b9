import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lastEventSeq, listEvents, type ChangeEvent } from '../../src/storage/repositories/events.repository.js'
import { buildDatabase, connectedWorkspace, type Seed } from '../support/factories.js'
import { startTestServer, type TestServer } from '../support/harness.js'
import { installApp } from '../support/oauth.js'
import { createPat } from '../../src/services/pats.service.js'
import type { Client } from '@notionhq/client'

/**
 * Change events (ADR 15) of the admin API's remaining writes, the ones the other events-*.test.ts
 * files do not make: a page created as a person, a data-source template, a PAT's capability bundles,
 * an install's removal, Notion's Admin API revoking a PAT, and the store reset (which leaves one
 * `store.reset` event and keeps `seq` monotonic). Each asserts the exact new events, and that a
 * refused call appends none.
 */
describe('change events of the remaining admin API writes', () => {
  let server: TestServer
  let s: Seed
  let notion: Client

  beforeAll(async () => {
    server = await startTestServer()
    ;({ s, notion } = await connectedWorkspace(server))
  })
  afterAll(async () => server?.stop())

  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/_octavo/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${server.config.adminKey}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    return { status: res.status, body: (await res.json()) as any }
  }
  const eventsOf = async (write: () => Promise<unknown>): Promise<{ list: [string, string | null][]; raw: ChangeEvent[] }> => {
    const afterSeq = await lastEventSeq(server.deps.store.db)
    await write()
    const raw = await listEvents(server.deps.store.db, { afterSeq })
    return { list: raw.map((e) => [e.type, e.objectId]), raw }
  }

  it('a page created as a person: page.created; refused: none', async () => {
    let pageId = ''
    const page = await eventsOf(async () => {
      const r = await admin('POST', `/workspaces/${s.workspace.id}/pages`, {
        title: 'Admin page',
        parent_id: s.pages.root.id,
        as: s.member.id,
      })
      expect(r.status).toBe(201)
      pageId = r.body.id
    })
    expect(page.list).toEqual([['page.created', pageId]])
    expect(page.raw[0]).toMatchObject({
      workspaceId: s.workspace.id,
      actor: `user:${s.member.id}`,
      data: { parent_type: 'page_id', parent_id: s.pages.root.id },
    })
    const refused = await eventsOf(async () => {
      const r = await admin('POST', `/workspaces/${s.workspace.id}/pages`, { title: 'x', parent_id: s.pages.secret.id, as: s.guest.id })
      expect(r.status).toBe(404)
    })
    expect(refused.list).toEqual([])
  })

  it('a data-source template: the row, its template flags and its paragraphs; refused: none', async () => {
    const { dataSourceId } = await buildDatabase(notion, s.pages.root.id, { title: 'Tasks', properties: { Name: { title: {} } } })
    let tplId = ''
    const tpl = await eventsOf(async () => {
      const r = await admin('POST', `/data-sources/${dataSourceId}/templates`, {
        title: 'Weekly',
        is_default: true,
        paragraphs: ['a', 'b'],
      })
      expect(r.status).toBe(201)
      tplId = r.body.id
    })
    expect(tpl.list.map(([t]) => t)).toEqual(['page.created', 'page.updated', 'block.appended', 'block.appended'])
    expect(tpl.list.slice(0, 2).map(([, id]) => id)).toEqual([tplId, tplId])
    expect(tpl.raw[0]?.data).toEqual({ parent_type: 'data_source_id', parent_id: dataSourceId })
    expect(tpl.raw[1]?.data).toEqual({ fields: ['parent', 'template'] })
    expect(tpl.raw.slice(2).map((e) => e.data)).toEqual([
      { parent_type: 'page_id', parent_id: tplId, page_id: tplId, type: 'paragraph' },
      { parent_type: 'page_id', parent_id: tplId, page_id: tplId, type: 'paragraph' },
    ])
    const refused = await eventsOf(async () => {
      const r = await admin('POST', `/data-sources/${dataSourceId}/templates`, { title: 'Weekly', as: s.guest.id })
      expect(r.status).toBe(403)
    })
    expect(refused.list).toEqual([])
  })

  it("a PAT's capability bundles, then Notion's Admin API revoking it; refused: none", async () => {
    const { pat } = await createPat(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, name: 'Script' })
    const caps = await eventsOf(async () =>
      expect((await admin('PATCH', `/personal-access-tokens/${pat.id}/capabilities`, { workers: true })).status).toBe(200),
    )
    expect(caps.list).toEqual([['pat.capabilities_changed', pat.id]])
    expect(caps.raw[0]).toMatchObject({
      actor: `user:${s.owner.id}`,
      data: { from: { notion_api: true, workers: false }, to: { notion_api: true, workers: true } },
    })
    const refused = await eventsOf(async () =>
      expect((await admin('PATCH', `/personal-access-tokens/${pat.id}/capabilities`, { workers: false, as: s.member.id })).status).toBe(
        403,
      ),
    )
    expect(refused.list).toEqual([])

    const notionAdmin = (botId: string, key = server.config.adminKey) =>
      fetch(`${server.url}/admin/v1/spaces/${s.workspace.id}/personal_access_tokens/${botId}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${key}`, 'notion-version': '2026-06-01' },
      })
    const badKey = await eventsOf(async () => expect((await notionAdmin(pat.bot_id, 'wrong')).status).toBe(401))
    expect(badKey.list).toEqual([])
    const revoked = await eventsOf(async () => expect((await notionAdmin(pat.bot_id)).status).toBe(200))
    expect(revoked.list).toEqual([['pat.revoked', pat.id]])
    expect(revoked.raw[0]).toMatchObject({
      actor: 'admin_api',
      workspaceId: s.workspace.id,
      data: { name: 'Script', bot_id: pat.bot_id, creator_id: s.owner.id },
    })
  })

  it('removing an install: its grants, then oauth.install_removed; an unknown install: none', async () => {
    const afterSeq = await lastEventSeq(server.deps.store.db)
    await installApp(server, { workspaceId: s.workspace.id, ownerId: s.owner.id, userId: s.owner.id, pageIds: [s.pages.child.id] })
    const authorized = (await listEvents(server.deps.store.db, { afterSeq, types: ['oauth.authorized'] }))[0]
    const installId = authorized?.objectId as string
    expect(installId).toBeTruthy()
    const unknown = await eventsOf(async () => expect((await admin('DELETE', `/installs/${s.pages.root.id}`)).status).toBe(404))
    expect(unknown.list).toEqual([])
    const removed = await eventsOf(async () => expect((await admin('DELETE', `/installs/${installId}`)).status).toBe(200))
    expect(removed.list).toEqual([
      ['grant.changed', s.pages.child.id],
      ['oauth.install_removed', installId],
    ])
  })

  it('reset: every event goes, one store.reset stays, and seq keeps rising', async () => {
    const before = await lastEventSeq(server.deps.store.db)
    expect(before).toBeGreaterThan(1)
    expect((await admin('POST', '/reset')).status).toBe(200)
    const left = await listEvents(server.deps.store.db)
    expect(left.map((e) => [e.type, e.seq, e.actor, e.workspaceId])).toEqual([['store.reset', before + 1, 'admin', null]])
    // The next write continues the sequence instead of starting again at 1 (SQLite's rowid would).
    const r = await admin('POST', '/workspaces', { name: 'After', members: [{ name: 'Ann', email: 'ann@after.test', role: 'owner' }] })
    expect(r.status).toBe(201)
    const next = await listEvents(server.deps.store.db, { afterSeq: before + 1 })
    expect(next.map((e) => [e.type, e.seq])).toEqual([['workspace.created', before + 2]])
  })
})
