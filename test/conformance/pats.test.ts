import { APIErrorCode } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { removeMember } from '../../src/services/workspaces.service.js'
import { setPageAccess } from '../../src/services/page-permissions.service.js'
import { getPat, listWorkspacePats, revokePat } from '../../src/services/pats.service.js'
import { changeMemberRole } from '../../src/services/people.service.js'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { buildConnection, buildDatabase, buildRow, rt } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'
import { DAY_MS, manualClock, seedPeople } from '../support/pats.js'

/**
 * Personal access tokens on the wire, through the official SDK (seed 004; docs/reference/notion-api.md §1.1, §2.2, §5):
 * a PAT authenticates like any token, acts as its creator with the creator's current levels capped by
 * its capabilities, and fails with 401 once revoked, expired, or its creator leaves.
 */
describe('personal access tokens through the SDK', () => {
  let server: TestServer
  const clock = manualClock()
  beforeAll(async () => {
    server = await startTestServer({ clock })
  })
  afterAll(async () => server.stop())

  it('users.me is the PAT bot owned by its creator; users.retrieve reaches both; users.list is refused', async () => {
    const s = await seedPeople(server, 'plus')
    const { token, pat } = await s.pat(s.member.id, { name: 'Laptop script' })
    expect(token).toMatch(/^ntn_2[0-9]{10}[A-Za-z0-9]{35}$/)
    const notion = server.client(token)
    const me = (await notion.users.me({})) as any
    expect(me).toEqual({
      object: 'user',
      id: pat.bot_id,
      name: 'Laptop script',
      avatar_url: null,
      type: 'bot',
      bot: {
        owner: {
          type: 'user',
          user: {
            object: 'user',
            id: s.member.id,
            name: 'Mia Member',
            avatar_url: null,
            type: 'person',
            person: { email: s.member.email },
          },
        },
        workspace_id: s.workspace.id,
        workspace_limits: { max_file_upload_size_in_bytes: 5 * 1024 * 1024 * 1024 },
        workspace_name: null,
      },
      request_id: expect.any(String),
    })
    expect(await notion.users.retrieve({ user_id: pat.bot_id })).toMatchObject({
      id: pat.bot_id,
      type: 'bot',
      bot: { owner: { type: 'user' } },
    })
    expect(await notion.users.retrieve({ user_id: s.member.id })).toMatchObject({
      id: s.member.id,
      type: 'person',
      person: { email: s.member.email },
    })

    const refused = await apiError(notion.users.list({}))
    expect(refused.status).toBe(403)
    expect(refused.code).toBe(APIErrorCode.RestrictedResource)
    expect(refused.message).toBe('Insufficient permissions for this endpoint.')
  })

  it("reaches exactly what its creator can, with no sharing, at the creator's levels", async () => {
    const s = await seedPeople(server, 'plus')
    const bot = await buildConnection(server, s, 'Unshared bot')
    // An internal connection sees nothing until a page is shared with it; a PAT needs no sharing.
    expect((await apiError(bot.notion.pages.retrieve({ page_id: s.pages.root.id }))).status).toBe(404)
    const member = server.client((await s.pat(s.member.id)).token)
    for (const p of Object.values(s.pages)) expect((await member.pages.retrieve({ page_id: p.id })).id).toBe(p.id)

    // Restricted subpage: the owner keeps it to themselves; the member's PAT loses Child and below.
    await setPageAccess(server.deps, {
      pageId: s.pages.child.id,
      actorId: s.owner.id,
      target: { type: 'user', id: s.owner.id },
      level: 'full',
    })
    await setPageAccess(server.deps, { pageId: s.pages.child.id, actorId: s.owner.id, target: { type: 'workspace' }, level: 'none' })
    for (const p of [s.pages.child, s.pages.grandchild]) {
      const e = await apiError(member.pages.retrieve({ page_id: p.id }))
      expect(e.status).toBe(404)
      expect(e.code).toBe(APIErrorCode.ObjectNotFound)
    }
    expect((await member.pages.retrieve({ page_id: s.pages.root.id })).id).toBe(s.pages.root.id)
    const found = await member.search({})
    const ids = found.results.map((r) => r.id)
    expect(ids).toEqual(expect.arrayContaining([s.pages.root.id, s.pages.other.id]))
    expect(ids).not.toContain(s.pages.child.id)
    expect(ids).not.toContain(s.pages.grandchild.id)
    const owner = server.client((await s.pat(s.owner.id)).token)
    expect((await owner.pages.retrieve({ page_id: s.pages.grandchild.id })).id).toBe(s.pages.grandchild.id)

    // The owner lets the member view the restricted subtree: reads work, edits are 403.
    await setPageAccess(server.deps, {
      pageId: s.pages.child.id,
      actorId: s.owner.id,
      target: { type: 'user', id: s.member.id },
      level: 'view',
    })
    expect((await member.pages.retrieve({ page_id: s.pages.grandchild.id })).id).toBe(s.pages.grandchild.id)
    const viewOnly = await apiError(
      member.blocks.children.append({ block_id: s.pages.grandchild.id, children: [{ paragraph: { rich_text: rt('hi') } }] }),
    )
    expect([viewOnly.status, viewOnly.code]).toEqual([403, APIErrorCode.RestrictedResource])

    // "Can view" for the member on the owner's private page: the PAT reads but cannot edit (403).
    const diary = await createPageAsUser(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, title: 'Diary', private: true })
    expect((await apiError(member.pages.retrieve({ page_id: diary.id }))).status).toBe(404)
    await setPageAccess(server.deps, { pageId: diary.id, actorId: s.owner.id, target: { type: 'user', id: s.member.id }, level: 'view' })
    expect((await member.pages.retrieve({ page_id: diary.id })).id).toBe(diary.id)
    const edit = await apiError(member.pages.update({ page_id: diary.id, properties: { title: { title: rt('Renamed') } } }))
    expect(edit.status).toBe(403)
    expect(edit.code).toBe(APIErrorCode.RestrictedResource)
    // Edits the creator may make are attributed to the PAT's bot.
    const edited = (await member.pages.update({ page_id: s.pages.root.id, properties: { title: { title: rt('Root v2') } } })) as any
    expect(edited.last_edited_by.id).toBe((await member.users.me({})).id)
  })

  it('parent {workspace:true} creates a private page of the creator; connections still cannot', async () => {
    const s = await seedPeople(server, 'plus')
    const mine = server.client((await s.pat(s.member.id)).token)
    const page = (await mine.pages.create({
      parent: { workspace: true, type: 'workspace' },
      properties: { title: { title: rt('My notes') } },
    })) as any
    expect(page.parent).toEqual({ type: 'workspace', workspace: true })
    // The creator's other PATs see it; the owner does not (a private page).
    const again = server.client((await s.pat(s.member.id, { name: 'Second' })).token)
    expect((await again.pages.retrieve({ page_id: page.id })).id).toBe(page.id)
    const owner = server.client((await s.pat(s.owner.id)).token)
    expect((await apiError(owner.pages.retrieve({ page_id: page.id }))).status).toBe(404)
    expect((await owner.search({ query: 'My notes' })).results).toHaveLength(0)
    const bot = await buildConnection(server, s, 'Bot')
    const refused = await apiError(
      bot.notion.pages.create({ parent: { workspace: true, type: 'workspace' }, properties: { title: { title: rt('x') } } }),
    )
    expect(refused.code).toBe(APIErrorCode.ValidationError)
  })

  it('resolves "me" in people filters to the creator', async () => {
    const s = await seedPeople(server, 'plus')
    const notion = server.client((await s.pat(s.member.id)).token)
    const { dataSourceId: dsId } = await buildDatabase(notion, s.pages.root.id, {
      title: 'Tasks',
      properties: { Name: { title: {} }, Assignee: { people: {} } },
    })
    const add = (name: string, who: string) => buildRow(notion, dsId, name, { Assignee: { people: [{ id: who }] } })
    const mine = await add('Mine', s.member.id)
    await add('Theirs', s.owner.id)
    const res = await notion.dataSources.query({ data_source_id: dsId, filter: { property: 'Assignee', people: { contains: 'me' } } })
    expect(res.results.map((r) => r.id)).toEqual([mine])
  })

  it('comments as the PAT: the bot is the author, display names resolve to the PAT and its creator', async () => {
    const s = await seedPeople(server, 'plus')
    const { token, pat } = await s.pat(s.member.id, { name: 'Commenter' })
    const notion = server.client(token)
    const plain = (await notion.comments.create({ parent: { page_id: s.pages.root.id }, rich_text: rt('hello') })) as any
    expect(plain.created_by.id).toBe(pat.bot_id)
    expect(plain.display_name).toEqual({ type: 'integration', resolved_name: 'Commenter' })
    clock.advance(1000) // list order is by creation time
    const asUser = (await notion.comments.create({
      parent: { page_id: s.pages.root.id },
      rich_text: rt('hi'),
      display_name: { type: 'user' },
    })) as any
    expect(asUser.display_name).toEqual({ type: 'user', resolved_name: 'Mia Member' })
    const listed = await notion.comments.list({ block_id: s.pages.root.id })
    expect(listed.results.map((c) => c.id)).toEqual([plain.id, asUser.id])
  })

  it('a member demoted to guest loses their PATs; promoted back, they work again', async () => {
    const s = await seedPeople(server, 'plus')
    const notion = server.client((await s.pat(s.member.id)).token)
    await changeMemberRole(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, userId: s.member.id, role: 'guest' })
    expect((await apiError(notion.users.me({}))).status).toBe(401)
    await changeMemberRole(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, userId: s.member.id, role: 'member' })
    expect((await notion.users.me({})).type).toBe('bot')
  })

  it('a member who leaves takes their PATs down at once', async () => {
    const s = await seedPeople(server, 'plus')
    const notion = server.client((await s.pat(s.member.id)).token)
    expect((await notion.pages.retrieve({ page_id: s.pages.root.id })).id).toBe(s.pages.root.id)
    await removeMember(server.deps, s.workspace.id, s.member.id)
    // Each call is made when it is awaited: a second promise made up front could reject unhandled.
    for (const call of [() => notion.users.me({}), () => notion.pages.retrieve({ page_id: s.pages.root.id })]) {
      const e = await apiError(call())
      expect(e.status).toBe(401)
      expect(e.code).toBe(APIErrorCode.Unauthorized)
      expect(e.message).toBe('API token is invalid.')
    }
  })

  it('expires after the chosen number of days (injected clock); one year by default', async () => {
    const s = await seedPeople(server, 'plus')
    const start = clock.now()
    const week = await s.pat(s.member.id, { expiresInDays: 7 })
    const year = await s.pat(s.member.id)
    expect(Date.parse(week.pat.expires_time) - start).toBe(7 * DAY_MS)
    expect(Date.parse(year.pat.expires_time) - start).toBe(365 * DAY_MS)
    for (const days of [30, 90, 180]) {
      const p = await s.pat(s.member.id, { expiresInDays: days })
      expect(Date.parse(p.pat.expires_time) - start).toBe(days * DAY_MS)
    }
    await expect(s.pat(s.member.id, { expiresInDays: 14 })).rejects.toThrow(/Expiry must be one of 7, 30, 90, 180, 365 days/)
    try {
      clock.advance(7 * DAY_MS - 1)
      expect((await server.client(week.token).users.me({})).id).toBe(week.pat.bot_id)
      clock.advance(1)
      const e = await apiError(server.client(week.token).users.me({}))
      expect([e.status, e.code]).toEqual([401, APIErrorCode.Unauthorized])
      expect(await getPat(server.deps, week.pat.id, s.member.id)).toMatchObject({ status: 'expired', revoked_time: null })
      const expired = await listWorkspacePats(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, status: 'expired' })
      expect(expired.map((p) => p.id)).toEqual([week.pat.id])
      expect((await server.client(year.token).users.me({})).id).toBe(year.pat.bot_id)
      clock.advance(358 * DAY_MS)
      expect((await apiError(server.client(year.token).users.me({}))).status).toBe(401)
    } finally {
      clock.set(start)
    }
  })

  it('revocation by the creator and by an owner applies from the next request', async () => {
    const s = await seedPeople(server, 'plus')
    const a = await s.pat(s.member.id, { name: 'a' })
    const b = await s.pat(s.member.id, { name: 'b' })
    await server.client(a.token).users.me({})
    await revokePat(server.deps, a.pat.id, { type: 'user', userId: s.member.id })
    expect((await apiError(server.client(a.token).users.me({}))).status).toBe(401)
    expect((await server.client(b.token).users.me({})).id).toBe(b.pat.bot_id)
    // A member cannot revoke someone else's PAT; an owner can.
    const other = await s.pat(s.admin.id, { name: 'admin script' })
    await expect(revokePat(server.deps, other.pat.id, { type: 'user', userId: s.member.id })).rejects.toThrow(/Only workspace owners/)
    await revokePat(server.deps, b.pat.id, { type: 'user', userId: s.owner.id })
    expect((await apiError(server.client(b.token).pages.retrieve({ page_id: s.pages.root.id }))).status).toBe(401)
    expect((await server.client(other.token).users.me({})).id).toBe(other.pat.bot_id)
  })

  it('a Workers-only PAT answers users.me but has no Notion API access (403)', async () => {
    const s = await seedPeople(server, 'business')
    // Workers is open to full members even where the policy keeps Notion API access to owners.
    const w = await s.pat(s.member.id, { capabilities: { notionApi: false, workers: true } })
    const notion = server.client(w.token)
    expect((await notion.users.me({})).id).toBe(w.pat.bot_id)
    const e = await apiError(notion.pages.retrieve({ page_id: s.pages.root.id }))
    expect([e.status, e.code]).toEqual([403, APIErrorCode.RestrictedResource])
    await expect(s.pat(s.member.id, { capabilities: { notionApi: false, workers: false } })).rejects.toThrow(/at least one capability/)
  })

  it('works under every Notion-Version and authenticates with the raw header too', async () => {
    const s = await seedPeople(server, 'plus')
    const { token, pat } = await s.pat(s.owner.id)
    for (const v of ['2022-06-28', '2025-09-03', '2026-03-11']) {
      expect((await server.client(token, v).users.me({})).id).toBe(pat.bot_id)
    }
    const res = await server.raw('/v1/users/me', { token })
    expect(res.status).toBe(200)
    const tampered = `${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`
    expect((await server.raw('/v1/users/me', { token: tampered })).status).toBe(401)
  })
})
