import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectionCommands } from '../../src/cli/commands.js'
import { lastEventSeq, listEvents, type ChangeEvent } from '../../src/storage/repositories/events.repository.js'
import { runCliInProcess } from '../support/cli-in-process.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import { sessionCookie } from '../support/oauth.js'

/**
 * Change events of the access room (ADR 15; docs/architecture.md "Writes and change events"): each
 * write on internal connections, their tokens, connection shares and people's page grants — through
 * the admin API over HTTP, the CLI in-process and the portal over HTTP — appends exactly its events
 * in its transaction, with the existing audit names; a refused write appends none.
 */
describe('change events: connections, tokens, shares and page grants', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>

  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
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
  const cli = (args: string[]) =>
    runCliInProcess([connectionCommands], ['--data-dir', server.dataDir, '--json', ...args], { databaseUrl: server.config.databaseUrl })

  /** Runs `write` and returns the events it appended, as [type, object id] pairs plus the raw events. */
  const eventsOf = async (write: () => Promise<unknown>): Promise<{ list: [string, string | null][]; raw: ChangeEvent[] }> => {
    const afterSeq = await lastEventSeq(server.deps.store.db)
    await write()
    const raw = await listEvents(server.deps.store.db, { afterSeq })
    return { list: raw.map((e) => [e.type, e.objectId]), raw }
  }

  const portal = async (userId: string) => {
    const cookie = await sessionCookie(server, userId)
    const get = async (path: string) => (await fetch(`${server.url}${path}`, { headers: { cookie }, redirect: 'manual' })).text()
    const csrf = async (path: string) => /name="_csrf" value="([^"]+)"/.exec(await get(path))?.[1] as string
    const post = async (path: string, form: Record<string, string>) => {
      const res = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { cookie, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
        redirect: 'manual',
      })
      return res.status
    }
    return { csrf, post }
  }

  it('admin API: a workspace, a connection and its token, capabilities, reveal, delete', async () => {
    let ws = ''
    const created = await eventsOf(async () => {
      const r = await admin('POST', '/workspaces', { name: 'Events', members: [{ name: 'Ola', email: 'ola@events.test', role: 'owner' }] })
      expect(r.status).toBe(201)
      ws = r.body.workspace.id
    })
    expect(created.list).toEqual([['workspace.created', ws]])

    let cid = ''
    const conn = await eventsOf(async () => {
      const r = await admin('POST', `/workspaces/${ws}/connections`, { name: 'Ev Bot' })
      expect(r.status).toBe(201)
      cid = r.body.connection.id
    })
    expect(conn.list.map(([t]) => t)).toEqual(['connection.created', 'token.created'])
    expect(conn.list[0]?.[1]).toBe(cid)
    expect(conn.raw[0]).toMatchObject({ workspaceId: ws, actor: expect.stringMatching(/^user:/), data: { name: 'Ev Bot' } })
    expect(conn.raw[1]?.data).toEqual({ connection_id: cid })
    const firstToken = conn.list[1]?.[1]

    const refreshed = await eventsOf(async () => expect((await admin('POST', `/connections/${cid}/token/refresh`, {})).status).toBe(200))
    expect(refreshed.list.map(([t]) => t)).toEqual(['token.revoked', 'token.created', 'connection.token_refreshed'])
    expect(refreshed.list[0]?.[1]).toBe(firstToken)
    expect(refreshed.list[1]?.[1]).not.toBe(firstToken)
    expect(refreshed.list[2]?.[1]).toBe(cid)

    const revealed = await eventsOf(async () => expect((await admin('GET', `/connections/${cid}/token`)).status).toBe(200))
    expect(revealed.list).toEqual([['connection.token_revealed', cid]])
    expect(JSON.stringify(revealed.raw)).not.toContain('ntn_')

    const caps = await eventsOf(async () =>
      expect((await admin('PATCH', `/connections/${cid}/capabilities`, { insert_content: false })).status).toBe(200),
    )
    expect(caps.list).toEqual([['connection.capabilities_changed', cid]])
    expect(caps.raw[0]?.data).toMatchObject({ from: { insertContent: true }, to: { insertContent: false } })

    const deleted = await eventsOf(async () => expect((await admin('DELETE', `/connections/${cid}`)).status).toBe(200))
    expect(deleted.list.map(([t]) => t)).toEqual(['token.revoked', 'connection.deleted'])
    expect(deleted.list[1]?.[1]).toBe(cid)
  })

  it('admin API: sharing and unsharing a page with a connection; deleting a connection drops its shares', async () => {
    const cid = s.connection.id
    const root = s.pages.root.id
    const bot = `bot:${s.connection.bot_id}`
    const shared = await eventsOf(async () => expect((await admin('PUT', `/connections/${cid}/pages/${root}`, {})).status).toBe(200))
    expect(shared.list).toEqual([
      ['grant.changed', root],
      ['page.connection_added', root],
    ])
    expect(shared.raw[0]?.data).toEqual({ principal: bot, level: 'edit' })
    expect(shared.raw[1]).toMatchObject({ actor: 'admin', data: { connection_id: cid } })

    const unshared = await eventsOf(async () => expect((await admin('DELETE', `/connections/${cid}/pages/${root}`)).status).toBe(200))
    expect(unshared.list).toEqual([
      ['grant.changed', root],
      ['page.connection_removed', root],
    ])
    expect(unshared.raw[0]?.data).toEqual({ principal: bot, level: 'none' })
    // Nothing to remove: no write, no event.
    expect(
      (await eventsOf(async () => expect((await admin('DELETE', `/connections/${cid}/pages/${root}`)).body.removed).toBe(false))).list,
    ).toEqual([])

    const made = await admin('POST', `/workspaces/${s.workspace.id}/connections`, { name: 'Doomed' })
    const doomed = made.body.connection.id as string
    await admin('PUT', `/connections/${doomed}/pages/${root}`, {})
    await admin('PUT', `/connections/${doomed}/pages/${s.pages.secret.id}`, {})
    const deleted = await eventsOf(async () => expect((await admin('DELETE', `/connections/${doomed}`)).status).toBe(200))
    expect(deleted.list.map(([t]) => t)).toEqual(['grant.changed', 'grant.changed', 'token.revoked', 'connection.deleted'])
    expect(new Set(deleted.list.slice(0, 2).map(([, id]) => id))).toEqual(new Set([root, s.pages.secret.id]))
  })

  it('refused writes append nothing (admin API)', async () => {
    const cid = s.connection.id
    const none = async (write: () => Promise<number>, status: number) => {
      const { list } = await eventsOf(async () => expect(await write()).toBe(status))
      expect(list).toEqual([])
    }
    await none(
      async () => (await admin('POST', `/workspaces/${s.workspace.id}/connections`, { name: 'Nope', as: s.member.id })).status,
      403,
    )
    await none(async () => (await admin('POST', `/connections/${cid}/token/refresh`, { as: s.member.id })).status, 403)
    await none(async () => (await admin('GET', `/connections/${cid}/token?as=${s.member.id}`)).status, 403)
    await none(async () => (await admin('PATCH', `/connections/${cid}/capabilities`, { read_content: false, as: s.guest.id })).status, 403)
    await none(async () => (await admin('DELETE', `/connections/${cid}?as=${s.member.id}`)).status, 403)
    await none(async () => (await admin('PUT', `/connections/${cid}/pages/${s.pages.root.id}`, { as: s.guest.id })).status, 403)
    await none(
      async () =>
        (await admin('PUT', `/pages/${s.pages.root.id}/permissions/users/${s.member.id}`, { level: 'edit', as: s.guest.id })).status,
      404,
    )
  })

  it('CLI: share and unshare, refresh and capabilities; a refused command appends nothing', async () => {
    const cid = s.connection.id
    const child = s.pages.child.id
    const shared = await eventsOf(() => cli(['connection', 'share', cid, child]))
    expect(shared.list).toEqual([
      ['grant.changed', child],
      ['page.connection_added', child],
    ])
    const unshared = await eventsOf(() => cli(['connection', 'unshare', cid, child]))
    expect(unshared.list).toEqual([
      ['grant.changed', child],
      ['page.connection_removed', child],
    ])
    const refreshed = await eventsOf(() => cli(['connection', 'refresh', cid]))
    expect(refreshed.list.map(([t]) => t)).toEqual(['token.revoked', 'token.created', 'connection.token_refreshed'])
    const caps = await eventsOf(() => cli(['connection', 'capabilities', cid, '--user-info', 'without_email']))
    expect(caps.list).toEqual([['connection.capabilities_changed', cid]])
    const refused = await eventsOf(() => expect(cli(['connection', 'share', cid, child, '--as', s.guest.id])).rejects.toThrow())
    expect(refused.list).toEqual([])
    const refusedRefresh = await eventsOf(() => expect(cli(['connection', 'refresh', cid, '--as', s.member.id])).rejects.toThrow())
    expect(refusedRefresh.list).toEqual([])
  })

  it('portal: adding and removing a connection on a page, changing capabilities; refusals append nothing', async () => {
    const cid = s.connection.id
    const secret = s.pages.secret.id
    const olive = await portal(s.owner.id)
    const page = `/w/${s.workspace.id}/pages/${secret}`
    const token = await olive.csrf(page)
    const added = await eventsOf(async () =>
      expect(await olive.post(`${page}/connections`, { _csrf: token, connection_id: cid })).toBe(303),
    )
    expect(added.list).toEqual([
      ['grant.changed', secret],
      ['page.connection_added', secret],
    ])
    expect(added.raw[1]?.actor).toBe(`user:${s.owner.id}`)
    const removed = await eventsOf(async () =>
      expect(await olive.post(`${page}/connections/${cid}/remove`, { _csrf: token, source_page_id: secret })).toBe(303),
    )
    expect(removed.list).toEqual([
      ['grant.changed', secret],
      ['page.connection_removed', secret],
    ])

    const config = `/developers/connections/${cid}`
    const caps = await eventsOf(async () =>
      expect(
        await olive.post(`${config}/capabilities`, {
          _csrf: await olive.csrf(config),
          read_content: 'on',
          update_content: 'on',
          insert_content: 'on',
          user_info: 'none',
        }),
      ).toBe(303),
    )
    expect(caps.list).toEqual([['connection.capabilities_changed', cid]])

    // Mia (a member, full access on nothing of Olive's) is refused: no event.
    const mia = await portal(s.member.id)
    const miaToken = await mia.csrf('/developers/connections/new')
    const refused = await eventsOf(async () => expect(await mia.post(`${config}/token/refresh`, { _csrf: miaToken })).toBe(403))
    expect(refused.list).toEqual([])
    const refusedCreate = await eventsOf(async () =>
      expect(await mia.post('/developers/connections', { _csrf: miaToken, workspace_id: s.workspace.id, name: 'Mine' })).toBe(403),
    )
    expect(refusedCreate.list).toEqual([])
  })

  it('page grants: give, lower an inherited level (copy on break), remove, restore', async () => {
    const { root, child } = s.pages
    const mia = `user:${s.member.id}`
    const gave = await eventsOf(async () =>
      expect((await admin('PUT', `/pages/${root.id}/permissions/users/${s.member.id}`, { level: 'edit' })).status).toBe(200),
    )
    expect(gave.list).toEqual([
      ['grant.changed', root.id],
      ['page.share', root.id],
    ])
    expect(gave.raw[0]?.data).toEqual({ principal: mia, level: 'edit' })
    expect(gave.raw[1]?.data).toEqual({ principal: mia, level: 'edit', previous: 'none' })

    // Lowering Mia's inherited level on Child copies Child's inherited people entries first.
    const inheritedPeople = (await admin('GET', `/pages/${child.id}/permissions`)).body.entries
      .filter((e: any) => e.type !== 'connection')
      .map((e: any) => e.principal)
    const lowered = await eventsOf(async () =>
      expect((await admin('PUT', `/pages/${child.id}/permissions/users/${s.member.id}`, { level: 'view' })).status).toBe(200),
    )
    expect(lowered.list.map(([t]) => t)).toEqual([...inheritedPeople.map(() => 'grant.changed'), 'grant.changed', 'page.share'])
    expect(lowered.list.every(([, id]) => id === child.id)).toBe(true)
    expect(new Set(lowered.raw.slice(0, -2).map((e) => e.data?.principal))).toEqual(new Set(inheritedPeople))
    expect(lowered.raw.at(-2)?.data).toEqual({ principal: mia, level: 'view' })
    expect(lowered.raw.at(-1)?.data).toMatchObject({ level: 'view', previous: 'edit', access_changed: true })

    const removedGrant = await eventsOf(async () =>
      expect((await admin('DELETE', `/pages/${root.id}/permissions/users/${s.member.id}`)).status).toBe(200),
    )
    expect(removedGrant.list).toEqual([
      ['grant.changed', root.id],
      ['page.unshare', root.id],
    ])
    expect(removedGrant.raw[0]?.data).toEqual({ principal: mia, level: 'none' })

    const restored = await eventsOf(async () =>
      expect((await admin('POST', `/pages/${child.id}/permissions/restore`, {})).status).toBe(200),
    )
    expect(restored.list.map(([t]) => t)).toEqual([...inheritedPeople.map(() => 'grant.changed'), 'page.access_restored'])
    expect(restored.raw.slice(0, -1).every((e) => e.data?.level === 'none')).toBe(true)

    // Refused: the guest cannot see Root (404), nothing appended; restoring again conflicts (409), nothing.
    const refused = await eventsOf(async () => expect((await admin('POST', `/pages/${child.id}/permissions/restore`, {})).status).toBe(409))
    expect(refused.list).toEqual([])
  })
})
