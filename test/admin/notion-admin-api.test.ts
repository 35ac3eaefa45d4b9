import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../support/harness.js'
import { seedPeople } from '../support/pats.js'
import { adminApiCall, eventsAppendedBy, expectAdminApiRefusal } from '../support/notion-admin-api.js'

/**
 * Notion's Admin API subset at `/admin/v1` (docs/reference/notion-api-2026.md §8.1–8.2, ADR 25) over
 * raw HTTP: each endpoint's shape, every refusal in the Admin API's envelope
 * `{type:"error", code, status, message}` (exactly those keys), and the change events of the writes.
 */
describe("Notion's Admin API (/admin/v1)", () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => server?.stop())

  const call = (method: string, path: string, init: Parameters<typeof adminApiCall>[3] = {}) => adminApiCall(server, method, path, init)
  const refused = expectAdminApiRefusal
  const eventsOf = (write: () => Promise<unknown>) => eventsAppendedBy(server, write)

  it('lists a space’s users with cursor pagination', async () => {
    const s = await seedPeople(server)
    const all = await call('GET', `/spaces/${s.workspace.id}/users`)
    expect(all.status).toBe(200)
    expect(all.body.next_cursor).toBeNull()
    // Joining order (ties by id): every member, guests included.
    const ids: string[] = all.body.users.map((u: any) => u.id)
    expect([...ids].sort()).toEqual([s.owner.id, s.admin.id, s.member.id, s.restricted.id, s.guest.id].sort())
    expect(all.body.users.find((u: any) => u.id === s.owner.id)).toEqual({
      object: 'user',
      id: s.owner.id,
      type: 'person',
      name: 'Olive Owner',
      avatar_url: null,
      person: { email: s.owner.email },
      role: 'owner',
    })
    const p1 = await call('GET', `/spaces/${s.workspace.id}/users?page_size=2`)
    expect(p1.body.users.map((u: any) => u.id)).toEqual(ids.slice(0, 2))
    expect(p1.body.next_cursor).toBe(ids[2])
    const p2 = await call('GET', `/spaces/${s.workspace.id}/users?page_size=2&start_cursor=${p1.body.next_cursor}`)
    expect(p2.body.users.map((u: any) => u.id)).toEqual(ids.slice(2, 4))
    const p3 = await call('GET', `/spaces/${s.workspace.id}/users?page_size=2&start_cursor=${p2.body.next_cursor}`)
    expect(p3.body).toEqual({ users: [expect.objectContaining({ id: ids[4] })], next_cursor: null })
    refused(await call('GET', `/spaces/${s.workspace.id}/users?start_cursor=nope`), 400, 'validation_error')
    refused(await call('GET', `/spaces/${s.workspace.id}/users?start_cursor=${s.workspace.id}`), 400, 'validation_error')
    refused(await call('GET', `/spaces/${s.workspace.id}/users?page_size=0`), 400, 'validation_error')
    refused(await call('GET', `/spaces/${s.workspace.id}/users?page_size=101`), 400, 'validation_error')
  })

  it('refuses in order: bearer (401), version (400), ids (400), unknown space (404), unknown path', async () => {
    const s = await seedPeople(server)
    const { token } = await s.pat(s.owner.id)
    const path = `/spaces/${s.workspace.id}/users`
    refused(await call('GET', path, { key: null }), 401, 'unauthorized')
    refused(await call('GET', path, { key: 'wrong' }), 401, 'unauthorized')
    refused(await call('GET', path, { key: token }), 401, 'unauthorized')
    // Auth comes before the version and the input.
    refused(await call('GET', '/spaces/nope/users', { key: null, version: null }), 401, 'unauthorized')
    const missing = await call('GET', path, { version: null })
    refused(missing, 400, 'validation_error')
    expect(missing.body.message).toBe(
      'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.',
    )
    for (const v of ['2026-03-11', '2022-06-28', '2026-12-01', '']) {
      const wrong = await call('GET', path, { version: v })
      refused(wrong, 400, 'validation_error')
      expect(wrong.body.message).toContain('"2026-06-01"')
    }
    refused(await call('GET', '/spaces/nope/users', { version: null }), 400, 'validation_error')
    const badId = await call('GET', '/spaces/nope/users')
    refused(badId, 400, 'validation_error')
    expect(badId.body.message).toBe('path failed validation: path.space_id should be a valid uuid, instead was `"nope"`.')
    for (const p of ['users', 'personal_access_tokens', 'groups'])
      refused(await call('GET', `/spaces/${s.owner.id}/${p}`), 404, 'object_not_found')
    refused(await call('GET', `/spaces/${s.workspace.id}/nothing`), 400, 'invalid_request_url')
    refused(await call('PUT', path), 400, 'invalid_request_url')
    refused(await call('GET', '/nothing', { key: null }), 401, 'unauthorized')
    refused(await call('GET', `/spaces/${s.workspace.id}%00/users`), 400, 'invalid_request_url')
    refused(
      await call('POST', `/spaces/${s.workspace.id}/groups`, { rawBody: `{"name":"${'x'.repeat(2_000_000)}"}` }),
      413,
      'validation_error',
    )
  })

  it('lists PATs (never the secret) and revokes one by bot id with a pat.revoked event', async () => {
    const s = await seedPeople(server, 'business')
    const a = await s.pat(s.owner.id, { name: 'one' })
    const b = await s.pat(s.owner.id, { name: 'two' })
    const path = `/spaces/${s.workspace.id}/personal_access_tokens`
    const all = await call('GET', path)
    expect(all.status).toBe(200)
    expect(all.body.next_cursor).toBeNull()
    expect(all.body.personal_access_tokens.map((p: any) => p.bot_id).sort()).toEqual([a.pat.bot_id, b.pat.bot_id].sort())
    const one = all.body.personal_access_tokens.find((p: any) => p.bot_id === a.pat.bot_id)
    expect(one).toEqual({
      bot_id: a.pat.bot_id,
      name: 'one',
      status: 'active',
      created_by: s.owner.id,
      created_time: Date.parse(a.pat.created_time),
      last_used_time: null,
      expires_time: Date.parse(a.pat.expires_time as string),
      revoked_time: null,
    })
    expect(JSON.stringify(all.body)).not.toContain(a.token)
    const p1 = await call('GET', `${path}?page_size=1`)
    expect(p1.body.personal_access_tokens).toHaveLength(1)
    const p2 = await call('GET', `${path}?page_size=1&start_cursor=${p1.body.next_cursor}`)
    expect(p2.body.next_cursor).toBeNull()
    expect([p1.body.personal_access_tokens[0].bot_id, p2.body.personal_access_tokens[0].bot_id].sort()).toEqual(
      [a.pat.bot_id, b.pat.bot_id].sort(),
    )

    const revoke = `${path}/${a.pat.bot_id}`
    const none = await eventsOf(async () => {
      refused(await call('DELETE', revoke, { key: 'wrong' }), 401, 'unauthorized')
      refused(await call('DELETE', revoke, { version: '2026-03-11' }), 400, 'validation_error')
      refused(await call('DELETE', `${path}/nope`), 400, 'validation_error')
      refused(await call('DELETE', `${path}/${s.owner.id}`), 404, 'object_not_found')
      refused(await call('DELETE', `/spaces/${s.owner.id}/personal_access_tokens/${a.pat.bot_id}`), 404, 'object_not_found')
    })
    expect(none).toEqual([])
    const events = await eventsOf(async () => {
      const r = await call('DELETE', revoke)
      expect([r.status, r.body]).toEqual([200, {}])
    })
    expect(events).toEqual([['pat.revoked', a.pat.id, 'admin_api']])
    const after = await call('GET', path)
    expect(after.body.personal_access_tokens.find((p: any) => p.bot_id === a.pat.bot_id)).toMatchObject({ status: 'revoked' })
    // Idempotent: revoking again succeeds and writes nothing.
    expect(await eventsOf(async () => expect((await call('DELETE', revoke)).status).toBe(200))).toEqual([])
  })

  it('creates, gets, renames, lists and deletes groups and their members, each with its change event', async () => {
    const s = await seedPeople(server)
    const ws = s.workspace.id
    const actor = `user:${s.owner.id}`
    let gid = ''
    const created = await eventsOf(async () => {
      const r = await call('POST', `/spaces/${ws}/groups`, { body: { name: 'Engineering' } })
      expect(r.status).toBe(200)
      expect(r.body).toEqual({
        id: expect.any(String),
        name: 'Engineering',
        created_by: s.owner.id,
        created_time: expect.any(Number),
        member_count: 0,
      })
      gid = r.body.id
    })
    expect(created).toEqual([['group.created', gid, actor]])
    const g = `/spaces/${ws}/groups/${gid}`
    expect((await call('GET', g)).body).toMatchObject({ id: gid, name: 'Engineering', member_count: 0 })
    expect(await eventsOf(async () => expect((await call('PATCH', g, { body: { name: 'Eng' } })).body.name).toBe('Eng'))).toEqual([
      ['group.renamed', gid, actor],
    ])
    const list = await call('GET', `/spaces/${ws}/groups`)
    expect(list.body).toEqual({ groups: [expect.objectContaining({ id: gid, name: 'Eng' })], next_cursor: null })

    const added = await eventsOf(async () => {
      const r = await call('POST', `${g}/members`, { body: { user_id: s.member.id } })
      expect(r.status).toBe(200)
      expect(r.body).toMatchObject({ id: gid, member_count: 1 })
    })
    expect(added).toEqual([['group.member_added', gid, actor]])
    const members = await call('GET', `${g}/members`)
    expect(members.body).toEqual({
      members: [{ id: s.member.id, name: 'Mia Member', email: s.member.email, role: 'member' }],
      next_cursor: null,
    })

    const other = await seedPeople(server)
    // Refusals write nothing.
    const none = await eventsOf(async () => {
      refused(await call('POST', `${g}/members`, { body: { user_id: s.member.id } }), 409, 'conflict_error')
      refused(await call('POST', `${g}/members`, { body: { user_id: s.guest.id } }), 400, 'validation_error')
      refused(await call('POST', `${g}/members`, { body: { user_id: 'nope' } }), 400, 'validation_error')
      refused(await call('POST', `${g}/members`, { body: {} }), 400, 'validation_error')
      refused(await call('POST', `${g}/members`, { rawBody: '{not json' }), 400, 'validation_error')
      refused(await call('POST', `${g}/members`, { body: { user_id: s.workspace.id } }), 404, 'object_not_found')
      refused(await call('POST', `/spaces/${ws}/groups`, { body: { name: '  ' } }), 400, 'validation_error')
      refused(await call('POST', `/spaces/${ws}/groups`, { body: { name: 'x', extra: 1 } }), 400, 'validation_error')
      refused(await call('PATCH', g, { body: { name: 5 } }), 400, 'validation_error')
      refused(await call('GET', `/spaces/${ws}/groups/${s.owner.id}`), 404, 'object_not_found')
      refused(await call('GET', `/spaces/${ws}/groups/nope`), 400, 'validation_error')
      refused(await call('DELETE', `${g}/members/${s.admin.id}`), 404, 'object_not_found')
      refused(await call('DELETE', g, { key: null }), 401, 'unauthorized')
      refused(await call('DELETE', g, { version: null }), 400, 'validation_error')
      // A group of another space is not found in this one.
      refused(await call('GET', `/spaces/${other.workspace.id}/groups/${gid}`), 404, 'object_not_found')
    })
    expect(none).toEqual([])

    expect(await eventsOf(async () => expect((await call('DELETE', `${g}/members/${s.member.id}`)).body).toEqual({}))).toEqual([
      ['group.member_removed', gid, actor],
    ])
    expect((await call('GET', `${g}/members`)).body.members).toEqual([])
    expect(await eventsOf(async () => expect((await call('DELETE', g)).body).toEqual({}))).toEqual([['group.deleted', gid, actor]])
    refused(await call('GET', g), 404, 'object_not_found')
  })
})
