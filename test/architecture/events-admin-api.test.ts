import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { settleAdminExports } from '../../src/admin/notion-admin-api.routes.js'
import { createSession } from '../../src/services/portal-auth.service.js'
import { lastEventSeq, listEvents, type ChangeEvent } from '../../src/storage/repositories/events.repository.js'
import { startTestServer, type TestServer } from '../support/harness.js'
import { seedPeople } from '../support/pats.js'

/**
 * Change events (ADR 15) of the writes of Notion's Admin API added by ADR 29: managed-user session
 * revocation, legal holds, the copy a hold keeps of a deleted comment, and workspace exports. Each
 * asserts the exact new events (type, object, actor, data) and that a refused call appends none.
 */
describe("change events of Notion's Admin API (sessions, legal holds, exports)", () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => {
    await settleAdminExports()
    await server?.stop()
  })

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/admin/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${server.config.adminKey}`,
        'notion-version': '2026-06-01',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
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

  it('revoking a managed user’s sessions: user.sessions_revoked (even with none open); refused: none', async () => {
    const s = await seedPeople(server)
    await createSession(server.deps, s.member.id)
    await createSession(server.deps, s.member.id)
    const r = await eventsOf(() => call('POST', '/managed_users/revoke_session', { user: { type: 'email', email: s.member.email } }))
    expect(r.list).toEqual([['user.sessions_revoked', s.member.id]])
    expect(r.raw[0]).toMatchObject({ workspaceId: null, actor: 'admin_api', data: { sessions: 2 } })
    const again = await eventsOf(() => call('POST', '/managed_users/revoke_session', { user: { type: 'id', id: s.member.id } }))
    expect(again.raw.map((e) => [e.type, e.data])).toEqual([['user.sessions_revoked', { sessions: 0 }]])
    const refused = await eventsOf(async () => {
      expect((await call('POST', '/managed_users/revoke_session', { user: { type: 'email', email: 'no@x.test' } })).status).toBe(404)
    })
    expect(refused.list).toEqual([])
  })

  it('legal holds: created, updated, users_added, user_removed, released; no-ops and refusals: none', async () => {
    const s = await seedPeople(server)
    let id = ''
    const created = await eventsOf(async () => {
      id = (await call('POST', '/legal_holds', { name: 'M', user_ids: [s.owner.id] })).body.id
    })
    expect(created.list).toEqual([['legal_hold.created', id]])
    expect(created.raw[0]).toMatchObject({
      workspaceId: null,
      objectType: 'legal_hold',
      actor: 'admin_api',
      data: { user_ids: [s.owner.id] },
    })
    const updated = await eventsOf(() => call('PATCH', `/legal_holds/${id}`, { name: 'M2', description: 'd' }))
    expect(updated.raw.map((e) => [e.type, e.objectId, e.data])).toEqual([
      ['legal_hold.updated', id, { updated_fields: ['name', 'description'] }],
    ])
    const added = await eventsOf(() => call('POST', `/legal_holds/${id}/users`, { user_ids: [s.owner.id, s.member.id] }))
    expect(added.raw.map((e) => [e.type, e.objectId, e.data])).toEqual([['legal_hold.users_added', id, { user_ids: [s.member.id] }]])
    const noop = await eventsOf(() => call('POST', `/legal_holds/${id}/users`, { user_ids: [s.member.id] }))
    expect(noop.list).toEqual([])
    const removed = await eventsOf(() => call('DELETE', `/legal_holds/${id}/users/${s.member.id}`))
    expect(removed.raw.map((e) => [e.type, e.objectId, e.data])).toEqual([['legal_hold.user_removed', id, { user_id: s.member.id }]])
    const released = await eventsOf(() => call('POST', `/legal_holds/${id}/release`))
    expect(released.list).toEqual([['legal_hold.released', id]])
    const refused = await eventsOf(async () => {
      expect((await call('PATCH', `/legal_holds/${id}`, { name: 'x' })).status).toBe(400)
      expect((await call('POST', '/legal_holds', { user_ids: [s.workspace.id] })).status).toBe(400)
      expect((await call('DELETE', `/legal_holds/${id}/users/${s.member.id}`)).status).toBe(400)
    })
    expect(refused.list).toEqual([])
  })

  it('a held author deleting a comment: legal_hold.content_preserved then comment.deleted', async () => {
    const s = await seedPeople(server)
    const notion = server.client((await s.pat(s.owner.id)).token)
    const c = await notion.comments.create({ parent: { page_id: s.pages.root.id }, rich_text: [{ text: { content: 'x' } }] })
    const hold = (await call('POST', '/legal_holds', { user_ids: [s.owner.id] })).body.id as string
    const del = await eventsOf(() => notion.comments.delete({ comment_id: c.id }))
    expect(del.list).toEqual([
      ['legal_hold.content_preserved', hold],
      ['comment.deleted', c.id],
    ])
    expect(del.raw[0]).toMatchObject({
      workspaceId: s.workspace.id,
      objectType: 'legal_hold',
      data: { object_type: 'comment', object_id: c.id },
    })
    expect(del.raw[0]?.actor).toBe(del.raw[1]?.actor)
  })

  it('exports: export.created then export.completed (or export.failed for PDF); refused: none', async () => {
    const s = await seedPeople(server)
    let id = ''
    const ok = await eventsOf(async () => {
      id = (await call('POST', '/exports', { export_type: 'markdown', on_behalf_of_user_email: s.owner.email, space_id: s.workspace.id }))
        .body.task_id
      await settleAdminExports()
    })
    expect(ok.list).toEqual([
      ['export.created', id],
      ['export.completed', id],
    ])
    expect(ok.raw[0]).toMatchObject({
      workspaceId: s.workspace.id,
      actor: 'admin_api',
      data: { export_format: 'markdown', requested_by: s.owner.id },
    })
    expect(ok.raw[1]?.data).toEqual({ pages_exported: 4, size_bytes: expect.any(Number) })
    const pdf = await eventsOf(async () => {
      id = (await call('POST', '/exports', { export_type: 'pdf', on_behalf_of_user_email: s.owner.email, space_id: s.workspace.id })).body
        .task_id
      await settleAdminExports()
    })
    expect(pdf.raw.map((e) => [e.type, e.objectId, e.data])).toEqual([
      ['export.created', id, { export_format: 'pdf', requested_by: s.owner.id }],
      ['export.failed', id, { error_type: 'unsupported_export_type' }],
    ])
    const refused = await eventsOf(async () => {
      expect(
        (await call('POST', '/exports', { export_type: 'markdown', on_behalf_of_user_email: s.member.email, space_id: s.workspace.id }))
          .status,
      ).toBe(400)
    })
    expect(refused.list).toEqual([])
  })
})
