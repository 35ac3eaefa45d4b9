import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGroup } from '../../src/services/people.service.js'
import { startTestServer, type TestServer } from '../support/harness.js'
import { seedPeople } from '../support/pats.js'
import { adminApiCall, eventsAppendedBy, expectAdminApiRefusal } from '../support/notion-admin-api.js'

/**
 * Permission groups in Notion's Admin API (`/admin/v1`) as its reference documents them
 * (developers.notion.com/reference/admin: create-permission-group, add-permission-group-member,
 * remove-permission-group-member; docs/notion-admin-api.md), over raw HTTP: the documented member
 * body `{member: {type: "user", user_id}}`, the documented removal path `…/members/users/{user_id}`,
 * and 409 `conflict_error` for a second group with the exact same name. Octavo's earlier forms
 * (`{user_id}`, `…/members/{user_id}`) keep working (test/admin/notion-admin-api.test.ts).
 */
describe("Notion's Admin API: permission groups as documented", () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => server?.stop())

  const call = (method: string, path: string, body?: unknown) => adminApiCall(server, method, path, { body })
  const refused = expectAdminApiRefusal
  const eventsOf = (write: () => Promise<unknown>) => eventsAppendedBy(server, write)

  it('adds a member with {member: {type: "user", user_id}} and removes it at …/members/users/{user_id}', async () => {
    const s = await seedPeople(server)
    const ws = s.workspace.id
    const actor = `user:${s.owner.id}`
    const g = await call('POST', `/spaces/${ws}/groups`, { name: 'Design' })
    expect(g.status).toBe(200)
    const path = `/spaces/${ws}/groups/${g.body.id}`

    expect(
      await eventsOf(async () => {
        const r = await call('POST', `${path}/members`, { member: { type: 'user', user_id: s.member.id } })
        expect(r.status).toBe(200)
        expect(r.body).toMatchObject({ id: g.body.id, name: 'Design', member_count: 1 })
      }),
    ).toEqual([['group.member_added', g.body.id, actor]])
    expect((await call('GET', `${path}/members`)).body.members.map((m: any) => m.id)).toEqual([s.member.id])

    // Refusals write nothing.
    expect(
      await eventsOf(async () => {
        refused(await call('POST', `${path}/members`, { member: { type: 'user', user_id: s.member.id } }), 409, 'conflict_error')
        refused(await call('POST', `${path}/members`, { member: { type: 'group', user_id: s.admin.id } }), 400, 'validation_error')
        refused(await call('POST', `${path}/members`, { member: { type: 'user' } }), 400, 'validation_error')
        refused(await call('POST', `${path}/members`, { member: { user_id: s.admin.id } }), 400, 'validation_error')
        refused(
          await call('POST', `${path}/members`, { member: { type: 'user', user_id: s.admin.id }, user_id: s.admin.id }),
          400,
          'validation_error',
        )
        refused(await call('POST', `${path}/members`, { member: { type: 'user', user_id: s.guest.id } }), 400, 'validation_error')
        refused(await call('POST', `${path}/members`, { member: { type: 'user', user_id: s.workspace.id } }), 404, 'object_not_found')
        refused(await call('DELETE', `${path}/members/users/${s.admin.id}`), 404, 'object_not_found')
        refused(await call('DELETE', `${path}/members/users/nope`), 400, 'validation_error')
      }),
    ).toEqual([])
    const bad = await call('POST', `${path}/members`, { member: { type: 'user', user_id: 'nope' } })
    refused(bad, 400, 'validation_error')
    expect(bad.body.message).toBe('body failed validation: body.member.user_id should be a valid uuid, instead was `"nope"`.')

    expect(
      await eventsOf(async () => {
        const r = await call('DELETE', `${path}/members/users/${s.member.id}`)
        expect(r).toEqual({ status: 200, body: {} })
      }),
    ).toEqual([['group.member_removed', g.body.id, actor]])
    expect((await call('GET', `${path}/members`)).body).toEqual({ members: [], next_cursor: null })
    refused(await call('DELETE', `${path}/members/users/${s.member.id}`), 404, 'object_not_found')
  })

  it('refuses a second group with the exact same name (409 conflict_error); another case is another name', async () => {
    const s = await seedPeople(server)
    const ws = s.workspace.id
    expect((await call('POST', `/spaces/${ws}/groups`, { name: 'Finance' })).status).toBe(200)
    expect(
      await eventsOf(async () => {
        refused(await call('POST', `/spaces/${ws}/groups`, { name: 'Finance' }), 409, 'conflict_error')
        // Names are trimmed before they are compared, as they are stored.
        refused(await call('POST', `/spaces/${ws}/groups`, { name: '  Finance ' }), 409, 'conflict_error')
      }),
    ).toEqual([])
    const lower = await call('POST', `/spaces/${ws}/groups`, { name: 'finance' })
    expect(lower.status).toBe(200)
    expect(lower.body.name).toBe('finance')
    // Another space may use the name.
    const other = await seedPeople(server)
    expect((await call('POST', `/spaces/${other.workspace.id}/groups`, { name: 'Finance' })).status).toBe(200)
    // The portal and the CLI (the same service without `uniqueName`) still allow a duplicate, as before.
    await createGroup(server.deps, { workspaceId: ws, actorId: s.owner.id, name: 'Finance' })
    const names: string[] = (await call('GET', `/spaces/${ws}/groups`)).body.groups.map((g: any) => g.name)
    expect(names.sort()).toEqual(['Finance', 'Finance', 'finance'])
  })
})
