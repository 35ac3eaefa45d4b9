import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { settleAdminExports } from '../../src/admin/notion-admin-api.routes.js'
import { legalHoldPreserved } from '../../src/services/admin-api.service.js'
import { createSession, sessionUser } from '../../src/services/portal-auth.service.js'
import { unzipSync } from 'fflate'
import { startTestServer, type TestServer } from '../support/harness.js'
import { seedPeople } from '../support/pats.js'
import { adminApiCall, expectAdminApiRefusal } from '../support/notion-admin-api.js'

/**
 * Notion's Admin API at `/admin/v1` beyond users, PATs and groups (docs/notion-admin-api.md, ADR 29),
 * over raw HTTP: workspaces, revoking a managed user's sessions (the person's portal sessions), legal
 * holds (stored; a held author's permanently deleted comment is kept) and workspace exports (a job,
 * status polling, a signed download). Every refusal answers the Admin API's envelope.
 */
describe("Notion's Admin API: spaces, sessions, legal holds, exports", () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => {
    await settleAdminExports()
    await server?.stop()
  })

  const call = (method: string, path: string, init: Parameters<typeof adminApiCall>[3] = {}) => adminApiCall(server, method, path, init)
  const refused = expectAdminApiRefusal

  it('lists the workspaces ordered by id, with pagination', async () => {
    const a = await seedPeople(server)
    const b = await seedPeople(server)
    const all = await call('GET', '/spaces')
    expect(all.status).toBe(200)
    const ids: string[] = all.body.spaces.map((w: any) => w.id)
    expect(ids).toEqual([...ids].sort())
    expect(all.body.spaces).toEqual(
      expect.arrayContaining([
        { id: a.workspace.id, name: a.workspace.name },
        { id: b.workspace.id, name: b.workspace.name },
      ]),
    )
    const p1 = await call('GET', '/spaces?page_size=1')
    expect(p1.body).toEqual({ spaces: [all.body.spaces[0]], next_cursor: ids[1] })
    refused(await call('GET', '/spaces', { key: 'nope' }), 401, 'unauthorized')
    refused(await call('GET', '/spaces', { version: '2026-03-11' }), 400, 'validation_error')
    refused(await call('GET', '/spaces?page_size=500'), 400, 'validation_error')
  })

  it("revokes a managed user's portal sessions (by e-mail or id)", async () => {
    const s = await seedPeople(server)
    const one = await createSession(server.deps, s.member.id)
    const two = await createSession(server.deps, s.member.id)
    const other = await createSession(server.deps, s.owner.id)
    expect((await sessionUser(server.deps, one.sessionId))?.id).toBe(s.member.id)
    const r = await call('POST', '/managed_users/revoke_session', { body: { user: { type: 'email', email: s.member.email } } })
    expect(r).toEqual({ status: 200, body: { status: 'revoked' } })
    expect(await sessionUser(server.deps, one.sessionId)).toBeNull()
    expect(await sessionUser(server.deps, two.sessionId)).toBeNull()
    expect((await sessionUser(server.deps, other.sessionId))?.id).toBe(s.owner.id)
    const byId = await call('POST', '/managed_users/revoke_session', { body: { user: { type: 'id', id: s.owner.id } } })
    expect(byId.body).toEqual({ status: 'revoked' })
    expect(await sessionUser(server.deps, other.sessionId)).toBeNull()

    refused(
      await call('POST', '/managed_users/revoke_session', { body: { user: { type: 'email', email: 'nobody@x.test' } } }),
      404,
      'object_not_found',
    )
    refused(await call('POST', '/managed_users/revoke_session', { body: { user: { type: 'id', id: 'x' } } }), 400, 'validation_error')
    refused(await call('POST', '/managed_users/revoke_session', { body: { user: { type: 'phone', phone: '1' } } }), 400, 'validation_error')
    refused(await call('POST', '/managed_users/revoke_session', { body: {} }), 400, 'validation_error')
    refused(
      await call('POST', '/managed_users/revoke_session', { key: null, body: { user: { type: 'email', email: s.member.email } } }),
      401,
      'unauthorized',
    )
  })

  it('creates, reads, changes and releases legal holds', async () => {
    const s = await seedPeople(server)
    const created = await call('POST', '/legal_holds', {
      body: { name: 'Matter 12', description: 'Contract dispute', user_ids: [s.owner.id, s.member.id] },
    })
    expect(created.status).toBe(200)
    const hold = created.body
    expect(hold).toEqual({
      created_by: expect.any(String),
      created_time: expect.any(Number),
      id: expect.any(String),
      start_date: expect.any(Number),
      status: 'active',
      user_interaction_type: ['page.created', 'page.edited', 'page.viewed'],
      users: { ids: [s.owner.id, s.member.id].sort(), total: 2 },
      workspaces: { ids: [s.workspace.id], total: 1 },
      description: 'Contract dispute',
      name: 'Matter 12',
    })
    expect((await call('GET', `/legal_holds/${hold.id}`)).body).toEqual(hold)
    const listed = await call('GET', `/legal_holds?user_id=${s.member.id}`)
    expect(listed.body).toEqual({ legal_holds: [hold], next_cursor: null })
    expect((await call('GET', `/legal_holds?user_id=${s.guest.id}`)).body).toEqual({ legal_holds: [], next_cursor: null })

    const patched = await call('PATCH', `/legal_holds/${hold.id}`, { body: { name: 'Matter 12b', end_date: hold.start_date + 86_400_000 } })
    expect(patched.body).toMatchObject({ name: 'Matter 12b', end_date: hold.start_date + 86_400_000 })
    const added = await call('POST', `/legal_holds/${hold.id}/users`, { body: { user_ids: [s.guest.id, s.member.id] } })
    expect(added.body.users).toEqual({ ids: [...[s.owner.id, s.member.id].sort(), s.guest.id], total: 3 })
    const users = await call('GET', `/legal_holds/${hold.id}/users`)
    expect(users.body.users.map((u: any) => [u.id, u.person.email])).toEqual([
      ...[
        [s.owner.id, s.owner.email],
        [s.member.id, s.member.email],
      ].sort((a, b) => (a[0] as string).localeCompare(b[0] as string)),
      [s.guest.id, s.guest.email],
    ])
    const removed = await call('DELETE', `/legal_holds/${hold.id}/users/${s.guest.id}`)
    expect(removed.body.users).toEqual({ ids: [s.owner.id, s.member.id].sort(), total: 2 })
    expect((await call('GET', `/legal_holds/${hold.id}/workspaces`)).body).toEqual({
      workspaces: [{ id: s.workspace.id, name: s.workspace.name }],
      next_cursor: null,
    })
    // The owner created every seeded page: all four are under the hold.
    const pages = await call('GET', `/legal_holds/${hold.id}/spaces/${s.workspace.id}/pages`)
    expect(pages.body.pages.map((p: any) => p.id).sort()).toEqual(
      Object.values(s.pages)
        .map((p) => p.id)
        .sort(),
    )
    expect(pages.body.pages[0]).toEqual({
      id: expect.any(String),
      created_by: s.owner.id,
      created_time: expect.any(Number),
      last_edited_by: expect.any(String),
      last_edited_time: expect.any(Number),
      in_trash: false,
    })

    // Refusals: unknown hold, unknown person, bad ids and bodies, dates, a space not under the hold.
    const other = await seedPeople(server)
    refused(await call('GET', `/legal_holds/${other.workspace.id}`), 404, 'object_not_found')
    refused(await call('GET', `/legal_holds/${hold.id}/spaces/${other.workspace.id}/pages`), 404, 'object_not_found')
    refused(await call('POST', '/legal_holds', { body: { user_ids: [other.workspace.id] } }), 400, 'validation_error')
    refused(await call('POST', '/legal_holds', { body: { user_ids: ['nope'] } }), 400, 'validation_error')
    refused(await call('POST', '/legal_holds', { body: { user_ids: [] } }), 400, 'validation_error')
    refused(await call('POST', '/legal_holds', { body: { user_ids: [s.owner.id], extra: 1 } }), 400, 'validation_error')
    refused(
      await call('POST', '/legal_holds', { body: { user_ids: [s.owner.id], start_date: 1000, end_date: 10 } }),
      400,
      'validation_error',
    )
    refused(
      await call('POST', '/legal_holds', { body: { user_ids: [s.owner.id], user_interaction_type: ['page.deleted'] } }),
      400,
      'validation_error',
    )
    refused(await call('DELETE', `/legal_holds/${hold.id}/users/${s.guest.id}`), 404, 'object_not_found')
    refused(await call('GET', '/legal_holds?user_id=x'), 400, 'validation_error')

    const released = await call('POST', `/legal_holds/${hold.id}/release`)
    expect(released.body).toMatchObject({ id: hold.id, status: 'released' })
    refused(await call('POST', `/legal_holds/${hold.id}/release`), 400, 'validation_error')
    refused(await call('PATCH', `/legal_holds/${hold.id}`, { body: { name: 'x' } }), 400, 'validation_error')
    refused(await call('POST', `/legal_holds/${hold.id}/users`, { body: { user_ids: [s.guest.id] } }), 400, 'validation_error')
    refused(await call('POST', '/legal_holds', { key: 'wrong', body: { user_ids: [s.owner.id] } }), 401, 'unauthorized')
  })

  it("keeps a held author's comment when it is deleted permanently; a released hold keeps nothing", async () => {
    const s = await seedPeople(server)
    const { token } = await s.pat(s.owner.id)
    const notion = server.client(token)
    const kept = await notion.comments.create({ parent: { page_id: s.pages.root.id }, rich_text: [{ text: { content: 'Keep me' } }] })
    const gone = await notion.comments.create({ parent: { page_id: s.pages.root.id }, rich_text: [{ text: { content: 'Not held' } }] })
    const hold = (await call('POST', '/legal_holds', { body: { name: 'H', user_ids: [s.owner.id] } })).body
    await notion.comments.delete({ comment_id: kept.id })
    // The person sees Notion's behaviour (the comment is gone); the hold kept a copy.
    await expect(notion.comments.retrieve({ comment_id: kept.id })).rejects.toMatchObject({ status: 404 })
    const preserved = await legalHoldPreserved(server.deps, hold.id)
    expect(preserved).toEqual([
      {
        object_type: 'comment',
        object_id: kept.id,
        workspace_id: s.workspace.id,
        preserved_time: expect.any(String),
        content: expect.objectContaining({ id: kept.id, rich_text: [expect.objectContaining({ plain_text: 'Keep me' })] }),
      },
    ])
    await call('POST', `/legal_holds/${hold.id}/release`)
    await notion.comments.delete({ comment_id: gone.id })
    expect(await legalHoldPreserved(server.deps, hold.id)).toHaveLength(1)
  })

  it('exports a workspace as Markdown or HTML: a job, status polling and a signed ZIP download', async () => {
    const s = await seedPeople(server)
    const job = await call('POST', '/exports', {
      body: { export_type: 'markdown', on_behalf_of_user_email: s.owner.email, space_id: s.workspace.id, include_comments: true },
    })
    expect(job.status).toBe(200)
    expect(job.body).toEqual({ status: 'in_progress', task_id: expect.any(String) })
    await settleAdminExports()
    const status = await call('GET', `/exports/${job.body.task_id}?space_id=${s.workspace.id}`)
    expect(status.body).toEqual({
      created_at: expect.any(Number),
      download_available: true,
      export_format: 'markdown',
      export_job_id: job.body.task_id,
      export_type: 'space',
      pages_exported: 4,
      status: 'completed',
      updated_at: expect.any(Number),
      download_urls: [expect.stringContaining(`/admin/v1/exports/${job.body.task_id}/download?expires=`)],
      url_expires_at: expect.any(Number),
      final_zip_file_size_bytes: expect.any(Number),
    })
    // The download needs no token: the signed URL is the secret.
    const res = await fetch(status.body.download_urls[0])
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/zip')
    const zip = Buffer.from(await res.arrayBuffer())
    expect(zip.length).toBe(status.body.final_zip_file_size_bytes)
    const files = Object.entries(unzipSync(zip)).map(([name, data]) => ({ name, data: Buffer.from(data) }))
    expect(files.map((f) => f.name.replace(/ [0-9a-f]{32}\.md$/, '')).sort()).toEqual(['Child', 'Grandchild', 'Other', 'Root'])
    expect(files.find((f) => f.name.startsWith('Root'))?.data.toString()).toContain('# Root')
    const bad = await fetch(
      // Flip the signature's first hex digit, so the tampered URL always differs from the signed one.
      status.body.download_urls[0].replace(/signature=([0-9a-f])/, (_m: string, c: string) => `signature=${c === '0' ? '1' : '0'}`),
    )
    expect(bad.status).toBe(401)
    expect(await bad.json()).toEqual({ type: 'error', code: 'unauthorized', status: 401, message: expect.any(String) })

    const html = await call('POST', '/exports', {
      body: { export_type: 'html', on_behalf_of_user_email: s.owner.email, space_id: s.workspace.id },
    })
    await settleAdminExports()
    const htmlStatus = await call('GET', `/exports/${html.body.task_id}?space_id=${s.workspace.id}`)
    expect(htmlStatus.body).toMatchObject({ status: 'completed', export_format: 'html', pages_exported: 4 })

    const pdf = await call('POST', '/exports', {
      body: { export_type: 'pdf', on_behalf_of_user_email: s.owner.email, space_id: s.workspace.id },
    })
    await settleAdminExports()
    const pdfStatus = await call('GET', `/exports/${pdf.body.task_id}?space_id=${s.workspace.id}`)
    expect(pdfStatus.body).toMatchObject({ status: 'failed', download_available: false, error_type: 'unsupported_export_type' })
    expect(pdfStatus.body.download_urls).toBeUndefined()

    // Refusals: not an owner, not a member, unknown space, bad body, wrong space on status, no space_id.
    const other = await seedPeople(server)
    const body = (over: object) => ({ export_type: 'markdown', on_behalf_of_user_email: s.owner.email, space_id: s.workspace.id, ...over })
    refused(await call('POST', '/exports', { body: body({ on_behalf_of_user_email: s.member.email }) }), 400, 'validation_error')
    refused(await call('POST', '/exports', { body: body({ on_behalf_of_user_email: other.owner.email }) }), 400, 'validation_error')
    refused(await call('POST', '/exports', { body: body({ space_id: job.body.task_id }) }), 404, 'object_not_found')
    refused(await call('POST', '/exports', { body: body({ export_type: 'docx' }) }), 400, 'validation_error')
    refused(await call('POST', '/exports', { body: body({ space_id: 'x' }) }), 400, 'validation_error')
    refused(await call('GET', `/exports/${job.body.task_id}?space_id=${other.workspace.id}`), 404, 'object_not_found')
    refused(await call('GET', `/exports/${job.body.task_id}`), 400, 'validation_error')
    refused(await call('POST', '/exports', { version: null, body: body({}) }), 400, 'validation_error')
  })
})
