import { APIErrorCode } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminCall } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'
import { manualClock, seedPeople } from '../support/pats.js'

/**
 * PATs and the PAT policy on Octavo's admin API (`/_octavo/admin`), Notion's Admin API revoke route
 * (`/admin/v1/spaces/{space_id}/personal_access_tokens/{bot_id}`, docs/reference/peers.md §1.6), and the audit
 * listing with filters.
 */
describe('PATs on the admin APIs', () => {
  let server: TestServer
  const call = (method: string, path: string, body?: unknown) => adminCall(server, method, path, body)
  const notionAdmin = async (path: string, init: { key?: string | null; version?: string | null; method?: string } = {}) => {
    const headers = new Headers()
    if (init.key !== null) headers.set('authorization', `Bearer ${init.key ?? server.config.adminKey}`)
    if (init.version !== null) headers.set('notion-version', init.version ?? '2026-06-01')
    const res = await fetch(`${server.url}/admin/v1${path}`, { method: init.method ?? 'DELETE', headers })
    return { status: res.status, body: (await res.json()) as any, requestId: res.headers.get('x-notion-request-id') }
  }
  // Audit entries are ordered by time: a hand-moved clock keeps same-millisecond ties out.
  const clock = manualClock()
  const tick = () => clock.advance(1000)
  beforeAll(async () => {
    server = await startTestServer({ clock })
  })
  afterAll(async () => server.stop())

  it('creates, lists, reveals, changes and revokes PATs as the named person', async () => {
    const s = await seedPeople(server, 'business')
    const ws = s.workspace.id
    expect((await call('GET', `/workspaces/${ws}/pat-policy`)).body).toMatchObject({
      plan: 'business',
      policy: 'owners_only',
      configurable: true,
      is_default: true,
      choices: ['owners_only', 'all_members'],
    })
    const refused = await call('POST', `/workspaces/${ws}/personal-access-tokens`, { name: 'x', as: s.member.email })
    expect(refused.status).toBe(403)
    expect(refused.body).toMatchObject({ object: 'error', code: 'forbidden' })
    const policy = await call('PUT', `/workspaces/${ws}/pat-policy`, { policy: 'all_members' })
    expect(policy.body).toMatchObject({ policy: 'all_members', is_default: false })
    expect((await call('PUT', `/workspaces/${ws}/pat-policy`, { policy: 'all_members', as: s.member.email })).status).toBe(403)

    const created = await call('POST', `/workspaces/${ws}/personal-access-tokens`, {
      name: 'CI',
      expires_in_days: 30,
      capabilities: { notion_api: true, workers: true },
      as: s.member.email,
    })
    expect(created.status).toBe(201)
    const { token, pat } = created.body
    expect(pat).toMatchObject({
      name: 'CI',
      capabilities: { notion_api: true, workers: true },
      status: 'active',
      creator: { id: s.member.id },
    })
    expect(
      (await call('POST', `/workspaces/${ws}/personal-access-tokens`, { name: 'bad', expires_in_days: 10, as: s.member.email })).status,
    ).toBe(400)
    expect((await server.client(token).users.me({})).id).toBe(pat.bot_id)

    // Reveal: the creator yes, the owner (default actor) never.
    expect((await call('GET', `/personal-access-tokens/${pat.id}/token?as=${s.member.email}`)).body).toEqual({ token })
    const adminReveal = await call('GET', `/personal-access-tokens/${pat.id}/token`)
    expect(adminReveal.status).toBe(403)
    expect(JSON.stringify(adminReveal.body)).not.toContain(token)

    const patched = await call('PATCH', `/personal-access-tokens/${pat.id}/capabilities`, { workers: false, as: s.member.email })
    expect(patched.body.capabilities).toEqual({ notion_api: true, workers: false })

    const own = await call('GET', `/workspaces/${ws}/personal-access-tokens?scope=own&as=${s.member.email}`)
    expect(own.body.personal_access_tokens.map((p: any) => p.id)).toEqual([pat.id])
    const view = await call('GET', `/workspaces/${ws}/personal-access-tokens?q=ci&status=active&creator=${s.member.email}`)
    expect(view.body.personal_access_tokens.map((p: any) => p.id)).toEqual([pat.id])
    expect(JSON.stringify(view.body)).not.toContain(token)
    expect((await call('GET', `/workspaces/${ws}/personal-access-tokens?status=bogus`)).status).toBe(400)
    expect((await call('GET', `/workspaces/${ws}/personal-access-tokens?as=${s.member.email}`)).status).toBe(403)

    const revoked = await call('DELETE', `/personal-access-tokens/${pat.id}`)
    expect(revoked.body).toMatchObject({
      revoked: true,
      changed: true,
      personal_access_token: { status: 'revoked', revoked_by: { type: 'user', id: s.owner.id } },
    })
    expect((await apiError(server.client(token).users.me({}))).status).toBe(401)
    expect((await call('GET', `/workspaces/${ws}/personal-access-tokens?status=revoked`)).body.personal_access_tokens).toHaveLength(1)
  })

  it("Notion's Admin API route revokes a PAT by bot id, with the Admin API's checks, version and envelope", async () => {
    const s = await seedPeople(server, 'plus')
    const { token, pat } = await s.pat(s.member.id)
    const path = `/spaces/${s.workspace.id}/personal_access_tokens/${pat.bot_id}`

    const noKey = await notionAdmin(path, { key: null })
    expect(noKey.status).toBe(401)
    expect(noKey.body).toEqual({ type: 'error', status: 401, code: 'unauthorized', message: expect.any(String) })
    expect((await notionAdmin(path, { key: token })).body.code).toBe('unauthorized')
    expect((await notionAdmin(path, { version: null })).body).toMatchObject({ type: 'error', status: 400, code: 'validation_error' })
    expect((await notionAdmin(path, { version: '2026-03-11' })).body).toMatchObject({ status: 400, code: 'validation_error' })
    const badId = await notionAdmin(`/spaces/${s.workspace.id}/personal_access_tokens/nope`)
    expect(badId.body).toMatchObject({
      status: 400,
      code: 'validation_error',
      message: 'path failed validation: path.bot_id should be a valid uuid, instead was `"nope"`.',
    })
    const otherSpace = await notionAdmin(`/spaces/${pat.bot_id}/personal_access_tokens/${pat.bot_id}`)
    expect(otherSpace.body).toMatchObject({ status: 404, code: 'object_not_found' })
    expect((await notionAdmin(path, { method: 'GET' })).body).toMatchObject({ status: 400, code: 'invalid_request_url' })
    expect((await server.client(token).users.me({})).id).toBe(pat.bot_id)

    const ok = await notionAdmin(path)
    expect(ok.status).toBe(200)
    expect(ok.body).toEqual({})
    const e = await apiError(server.client(token).users.me({}))
    expect([e.status, e.code]).toEqual([401, APIErrorCode.Unauthorized])
    expect((await notionAdmin(path)).status).toBe(200)

    const shown = (await call('GET', `/personal-access-tokens/${pat.id}`)).body
    expect(shown).toMatchObject({ status: 'revoked', revoked_by: { type: 'admin_api' } })
    const audit = await call('GET', `/workspaces/${s.workspace.id}/audit?action=pat.revoked`)
    expect(audit.body.entries.map((x: any) => [x.action, x.actor, x.target])).toEqual([['pat.revoked', 'admin_api', pat.id]])
  })

  it('lists the audit log with filters: action (prefix), actor, target, time range, limit', async () => {
    const s = await seedPeople(server, 'plus')
    const ws = s.workspace.id
    tick()
    const a = await s.pat(s.member.id, { name: 'one' })
    tick()
    const b = await s.pat(s.owner.id, { name: 'two' })
    tick()
    await call('GET', `/personal-access-tokens/${a.pat.id}/token?as=${s.member.email}`)
    tick()
    await call('DELETE', `/personal-access-tokens/${b.pat.id}`)
    const q = async (query: string) => (await call('GET', `/workspaces/${ws}/audit?${query}`)).body.entries.map((e: any) => e.action)
    expect(await q('action=pat.*')).toEqual(['pat.revoked', 'pat.revealed', 'pat.created', 'pat.created'])
    expect(await q('action=pat.revealed,pat.revoked')).toEqual(['pat.revoked', 'pat.revealed'])
    expect(await q(`action=pat.*&actor=${s.member.email}`)).toEqual(['pat.revealed', 'pat.created'])
    expect(await q(`target=${b.pat.id}`)).toEqual(['pat.revoked', 'pat.created'])
    expect(await q('action=pat.*&limit=1')).toEqual(['pat.revoked'])
    expect(await q('action=pat.*&since=2999-01-01T00:00:00.000Z')).toEqual([])
    expect((await q('until=2999-01-01T00:00:00.000Z')).length).toBeGreaterThan(4)
    expect((await call('GET', `/workspaces/${ws}/audit?limit=0`)).status).toBe(400)
    const created = (await call('GET', `/workspaces/${ws}/audit?action=pat.created&actor=${s.member.id}`)).body.entries[0]
    expect(created.meta).toMatchObject({ name: 'one', bot_id: a.pat.bot_id, capabilities: { notion_api: true, workers: false } })
    expect(JSON.stringify(created)).not.toContain(a.token)
  })
})
