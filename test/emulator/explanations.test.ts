import { APIResponseError, type Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createConnection, refreshToken, updateCapabilities } from '../../src/services/connections.service.js'
import { setPageAccess } from '../../src/services/page-permissions.service.js'
import { setPatPolicy } from '../../src/services/pat-policy.js'
import { createPat, revokePat } from '../../src/services/pats.service.js'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { addMember, createWorkspace } from '../../src/services/workspaces.service.js'
import { changeMemberRole } from '../../src/services/people.service.js'
import { adminCall } from '../support/factories.js'
import { installApp } from '../support/oauth.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Explained denials (ADR 22, docs/emulator.md): every kind of refusal the permission engine decides
 * carries its reason and fix, set where it is decided. Through the real SDK and server: the body stays
 * Notion's exact envelope, `x-octavo-explain` carries the reason (OCTAVO_EXPLAIN=on), and the journal
 * records the same explanation with its kind, under the caller's name.
 */

const rt = (content: string) => [{ type: 'text' as const, text: { content } }]

/** A manual clock, so a PAT can expire without waiting. */
const clock = {
  t: Date.parse('2026-03-02T14:02:00.000Z'),
  now() {
    return (this.t += 1)
  },
}

describe('explained denials', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  let notion: Client

  beforeAll(async () => {
    server = await startTestServer({ clock, env: { OCTAVO_EXPLAIN: 'on' } })
    s = await seedBasic(server)
    await s.share(s.pages.root.id)
    notion = server.client(s.token)
  })
  afterAll(async () => {
    await server?.stop()
  })

  /** The refusal's status, the decoded header, and the journal entry of the same request. */
  async function explained(call: Promise<unknown>) {
    const err = await apiError(call)
    const header = (err.headers as Headers).get('x-octavo-explain')
    const journal = await adminCall(server, 'GET', '/requests?limit=1000')
    const entry = journal.body.requests.find((e: { request_id: string }) => e.request_id === err.request_id)
    expect(entry, 'the refusal is in the journal').toBeDefined()
    expect(entry.status).toBe(err.status)
    expect(entry.error_code).toBe(err.code)
    // The body is Notion's envelope, nothing more.
    expect(Object.keys(JSON.parse(err.body))).toEqual(['object', 'status', 'code', 'message', 'request_id'])
    const text = header === null ? null : decodeURIComponent(header)
    expect(text).toBe(`${entry.explanation.reason} Fix: ${entry.explanation.fix}`)
    return { err, kind: entry.explanation.kind as string, text: text as string, entry }
  }

  it('unshared page: names the page, the workspace, the connection and the ancestors to share', async () => {
    const deep = await createPageAsUser(server.deps, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      title: 'Roadmap',
      parentId: s.pages.secret.id,
    })
    const r = await explained(notion.pages.retrieve({ page_id: deep.id }))
    expect(r.err.status).toBe(404)
    expect(r.kind).toBe('unshared')
    expect(r.text).toBe(
      'Page "Roadmap" exists in workspace "Acme" but is not shared with connection "Test Bot". Fix: Share it, or one of its ancestors "Secret", with connection "Test Bot" from ••• → Connections.',
    )
    expect(r.entry.caller).toMatchObject({ type: 'connection', name: 'Test Bot' })
    expect(r.entry.endpoint).toBe('pages.retrieve')
  })

  it('another workspace: says where the object lives', async () => {
    const other = await createWorkspace(server.deps, {
      name: 'Globex',
      plan: 'free',
      members: [{ name: 'Hank', email: 'hank@example.com', role: 'owner' }],
    })
    const page = await createPageAsUser(server.deps, { workspaceId: other.workspace.id, actorId: other.members[0]!.id, title: 'Plans' })
    const r = await explained(notion.pages.retrieve({ page_id: page.id }))
    expect(r.kind).toBe('other_workspace')
    expect(r.text).toContain('is in workspace "Globex", but connection "Test Bot" belongs to workspace "Acme"')
  })

  it('nothing with this id, and a database id given as a data source id', async () => {
    const missing = await explained(notion.pages.retrieve({ page_id: '0b7c2f4e-1111-4222-8333-444455556666' }))
    expect(missing.kind).toBe('not_found')
    const db = (await notion.databases.create({
      parent: { type: 'page_id', page_id: s.pages.root.id },
      title: rt('Tasks'),
      initial_data_source: { properties: { Name: { title: {} } } },
    })) as { id: string }
    const wrong = await explained(notion.dataSources.retrieve({ data_source_id: db.id }))
    expect(wrong.kind).toBe('wrong_kind')
    expect(wrong.text).toContain('is a database, not a data source')
  })

  it('trashed: the page itself or the ancestor that is in the trash', async () => {
    const page = await notion.pages.create({ parent: { page_id: s.pages.child.id }, properties: { title: { title: rt('Old notes') } } })
    await notion.pages.update({ page_id: page.id, in_trash: true })
    const r = await explained(notion.blocks.children.list({ block_id: page.id }))
    expect(r.err.status).toBe(404)
    expect(r.kind).toBe('trashed')
    expect(r.text).toContain('Page "Old notes" is in the trash.')
  })

  it('missing capability: names the capability and where to turn it on', async () => {
    const { token } = await createConnection(server.deps, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      name: 'Reader',
      capabilities: {},
    })
    const conn = (await adminCall(server, 'GET', `/workspaces/${s.workspace.id}/connections`)).body
    const reader = (conn.connections ?? conn).find((c: { name: string }) => c.name === 'Reader')
    await updateCapabilities(server.deps, reader.id, s.owner.id, { updateContent: false })
    const r = await explained(server.client(token).pages.update({ page_id: s.pages.root.id, properties: {} }))
    expect(r.err.status).toBe(403)
    expect(r.kind).toBe('missing_capability')
    expect(r.text).toContain('Connection "Reader" lacks the "Update content" capability')
  })

  it('refreshed token: when and by whom; the new token works', async () => {
    const { connection, token } = await createConnection(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, name: 'Sync' })
    const fresh = await refreshToken(server.deps, connection.id, s.owner.id)
    const r = await explained(server.client(token).users.me({}))
    expect(r.err.status).toBe(401)
    expect(r.kind).toBe('refreshed')
    expect(r.text).toMatch(
      /^The token of connection "Sync" was refreshed at 2026-03-02T14:0\d:\d\d\.\d{3}Z by Olive Owner; this is the old token\. Fix: Use the new token/,
    )
    expect(r.entry.caller).toMatchObject({ type: 'connection', name: 'Sync' })
    expect(r.entry.workspace_id).toBe(s.workspace.id)
    await expect(server.client(fresh).users.me({})).resolves.toMatchObject({ object: 'user' })
  })

  it('malformed, unknown and badly sent tokens', async () => {
    const bad = await explained(server.client('ntn_not_a_real_token').users.me({}))
    expect(bad.kind).toBe('malformed_token')
    expect(bad.entry.caller).toBeNull()
    const res = await server.raw('/v1/users/me', { headers: { authorization: 'Basic abc' } })
    expect(res.status).toBe(401)
    expect(decodeURIComponent(res.headers.get('x-octavo-explain') ?? '')).toContain('is not of the form "Bearer <token>"')
  })

  it('OAuth: an access token replaced by a refresh, and a refresh token sent as a bearer', async () => {
    const { app, token } = await installApp(server, {
      workspaceId: s.workspace.id,
      ownerId: s.owner.id,
      userId: s.owner.id,
      pageIds: [s.pages.root.id],
      name: 'Acme app',
    })
    const sdk = server.client('')
    const refreshed = await sdk.oauth.token({
      client_id: app.clientId,
      client_secret: app.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: token.refresh_token as string,
    })
    await expect(server.client(refreshed.access_token).users.me({})).resolves.toMatchObject({ object: 'user' })
    const old = await explained(server.client(token.access_token).users.me({}))
    expect(old.kind).toBe('refreshed')
    expect(old.text).toMatch(
      /^The token of public connection "Acme app" was refreshed at .*; this is the old token\. Fix: Use the access token returned by the latest POST \/v1\/oauth\/token/,
    )
    expect(old.entry.caller).toMatchObject({ type: 'oauth_install', name: 'Acme app' })
    const asBearer = await explained(server.client(refreshed.refresh_token as string).users.me({}))
    expect(asBearer.kind).toBe('refresh_token_as_bearer')
  })

  it('insufficient level, and an endpoint closed to PATs', async () => {
    await server.deps.store.db.updateTable('workspace').set({ plan: 'plus' }).where('id', '=', s.workspace.id).execute()
    const plan = await createPageAsUser(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, title: 'Plan' })
    await setPageAccess(server.deps, { pageId: plan.id, actorId: s.owner.id, target: { type: 'user', id: s.owner.id }, level: 'full' })
    await setPageAccess(server.deps, { pageId: plan.id, actorId: s.owner.id, target: { type: 'workspace' }, level: 'none' })
    await setPageAccess(server.deps, { pageId: plan.id, actorId: s.owner.id, target: { type: 'user', id: s.member.id }, level: 'view' })
    const mia = server.client((await createPat(server.deps, { workspaceId: s.workspace.id, actorId: s.member.id, name: 'Mia view' })).token)
    await mia.pages.retrieve({ page_id: plan.id })
    const low = await explained(mia.pages.update({ page_id: plan.id, properties: { title: { title: rt('Mine now') } } }))
    expect(low.err.status).toBe(403)
    expect(low.kind).toBe('insufficient_level')
    expect(low.text).toContain('Personal access token "Mia view" can only view page "Plan", and this request would edit it.')
    const list = await explained(mia.users.list({}))
    expect(list.kind).toBe('pat_not_allowed')
  })

  describe('personal access tokens', () => {
    it('revoked: when and by whom', async () => {
      await server.deps.store.db.updateTable('workspace').set({ plan: 'business' }).where('id', '=', s.workspace.id).execute()
      const { pat, token } = await createPat(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, name: 'CI' })
      await revokePat(server.deps, pat.id, { type: 'user', userId: s.owner.id })
      const r = await explained(server.client(token).users.me({}))
      expect(r.kind).toBe('revoked')
      expect(r.text).toMatch(/^The token of personal access token "CI" was revoked at .* by Olive Owner\./)
      expect(r.entry.caller).toMatchObject({ type: 'personal_access_token', name: 'CI' })
    })

    it('expired: when', async () => {
      const { token } = await createPat(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, name: 'Short', expiresInDays: 7 })
      clock.t += 8 * 86_400_000
      const r = await explained(server.client(token).users.me({}))
      expect(r.kind).toBe('expired')
      expect(r.text).toMatch(/^Personal access token "Short" expired at 2026-03-\d\dT/)
    })

    it('policy: the Business policy allows owners only', async () => {
      await setPatPolicy(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, policy: 'all_members' })
      const { token } = await createPat(server.deps, { workspaceId: s.workspace.id, actorId: s.member.id, name: 'Mia script' })
      await expect(server.client(token).users.me({})).resolves.toMatchObject({ object: 'user' })
      await setPatPolicy(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, policy: 'owners_only' })
      const r = await explained(server.client(token).users.me({}))
      expect(r.kind).toBe('policy')
      expect(r.text).toContain("the Business workspace's personal access token policy allows workspace owners only")
      expect(r.text).toContain('Mia Member')
    })

    it('suspended: the creator is no longer a full member', async () => {
      await setPatPolicy(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, policy: 'all_members' })
      const temp = await addMember(server.deps, s.workspace.id, { name: 'Tom Temp', email: 'tom@example.com', role: 'member' })
      const { token } = await createPat(server.deps, { workspaceId: s.workspace.id, actorId: temp.id, name: 'Tom cron' })
      await changeMemberRole(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, userId: temp.id, role: 'guest' })
      const r = await explained(server.client(token).users.me({}))
      expect(r.kind).toBe('suspended')
      expect(r.text).toContain('Personal access token "Tom cron" is suspended: its creator Tom Temp is no longer a full member')
    })

    it('restricted row: the row has its own permissions without the caller', async () => {
      const owner = server.client((await createPat(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, name: 'olive' })).token)
      const member = server.client((await createPat(server.deps, { workspaceId: s.workspace.id, actorId: s.member.id, name: 'mia' })).token)
      const db = (await owner.databases.create({
        parent: { type: 'page_id', page_id: s.pages.root.id },
        title: rt('Salaries'),
        initial_data_source: { properties: { Name: { title: {} } } },
      })) as unknown as { data_sources: { id: string }[] }
      const row = await owner.pages.create({
        parent: { data_source_id: db.data_sources[0]!.id },
        properties: { Name: { title: rt('Ada pay') } } as never,
      })
      await member.pages.retrieve({ page_id: row.id })
      await setPageAccess(server.deps, { pageId: row.id, actorId: s.owner.id, target: { type: 'user', id: s.owner.id }, level: 'full' })
      await setPageAccess(server.deps, { pageId: row.id, actorId: s.owner.id, target: { type: 'workspace' }, level: 'none' })
      const r = await explained(member.pages.retrieve({ page_id: row.id }))
      expect(r.err.status).toBe(404)
      expect(r.kind).toBe('restricted_row')
      expect(r.text).toContain('Row "Ada pay" of database "Salaries" has its own restricted permissions')
    })
  })
})

describe('rate limit explanation, and explanations off', () => {
  let server: TestServer
  afterAll(async () => {
    await server?.stop()
  })

  it('429 names the budget and the window; without OCTAVO_EXPLAIN no header, the journal still explains', async () => {
    server = await startTestServer({ rateLimits: { enabled: true, connectionPerMinute: 2 } })
    const s = await seedBasic(server)
    const notion = server.client(s.token)
    await notion.users.me({})
    await notion.users.me({})
    const err = await apiError(notion.users.me({}))
    expect(err).toBeInstanceOf(APIResponseError)
    expect(err.status).toBe(429)
    expect((err.headers as Headers).get('x-octavo-explain')).toBeNull()
    const journal = await adminCall(server, 'GET', `/requests?status=429&caller=${encodeURIComponent('test bot')}`)
    expect(journal.body.requests).toHaveLength(1)
    expect(journal.body.requests[0].explanation).toMatchObject({
      kind: 'rate_limited',
      reason: 'Rate limited: connection "Test Bot" spent its budget of 2 requests per 60 s per connection.',
    })
  })
})
