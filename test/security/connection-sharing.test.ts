import { APIErrorCode, type Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listAudit } from '../../src/storage/repositories/audit.repository.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import { installApp, sessionCookie } from '../support/oauth.js'

/**
 * Who may add a connection to a page or remove it (security issue: "Owners give their connections pages
 * they cannot open"): full access to the page for everyone, owners included, and never a guest — over
 * the admin API (`as` a person; the operator without `as`), the portal's Content access → Edit access
 * form, the page's ••• → Connections panel, and installs of public connections. Each refusal is checked
 * with the connection's own token (the SDK): it still cannot read the page. And a guest no longer sees
 * the workspace's connection names in a page's "+ Add connection" list.
 */
describe('sharing pages with connections needs full access, and never a guest', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  let diary: string // Mia's private page, shared with Olive (owner) at "can view"
  let guestPage: string // shared with Gus (guest) at full access
  let bot: Client
  const REDIRECT = 'http://127.0.0.1:9999/cb'
  let installId: string
  let installBot: Client

  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/_octavo/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${server.config.adminKey}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    return { status: res.status, body: (await res.json()) as { code?: string; message?: string; removed?: boolean; changed?: boolean } }
  }
  const session = async (userId: string) => {
    const cookie = await sessionCookie(server, userId)
    const get = async (path: string) => {
      const res = await fetch(`${server.url}${path}`, { headers: { cookie }, redirect: 'manual' })
      return { status: res.status, text: await res.text() }
    }
    const csrf = async (path: string) => /name="_csrf" value="([^"]+)"/.exec((await get(path)).text)?.[1] as string
    const post = async (path: string, form: [string, string][]) => {
      const res = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { cookie, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
        redirect: 'manual',
      })
      return { status: res.status, text: await res.text() }
    }
    return { get, csrf, post }
  }
  const page = (id: string) => `/w/${s.workspace.id}/pages/${id}`
  const hidden = async (client: Client, id: string) =>
    expect((await apiError(client.pages.retrieve({ page_id: id }))).code).toBe(APIErrorCode.ObjectNotFound)

  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
    bot = server.client(s.token)
    const created = await admin('POST', `/workspaces/${s.workspace.id}/pages`, { title: 'Mia diary', private: true, as: s.member.email })
    diary = (created.body as unknown as { id: string }).id
    expect((await admin('PUT', `/pages/${diary}/permissions/users/${s.owner.id}`, { level: 'view', as: s.member.email })).status).toBe(200)
    const gp = await admin('POST', `/workspaces/${s.workspace.id}/pages`, { title: 'Guest corner', parent_id: s.pages.secret.id })
    guestPage = (gp.body as unknown as { id: string }).id
    expect((await admin('PUT', `/pages/${guestPage}/permissions/users/${s.guest.id}`, { level: 'full' })).status).toBe(200)
    // Mia installs a public connection on Child.
    const { token: res } = await installApp(server, {
      workspaceId: s.workspace.id,
      ownerId: s.owner.id,
      userId: s.member.id,
      pageIds: [s.pages.child.id],
      name: 'Calendar Sync',
      redirectUri: REDIRECT,
    })
    installBot = server.client(res.access_token)
    const installs = (await admin('GET', `/workspaces/${s.workspace.id}/installs`)).body as unknown as { installs: { id: string }[] }
    installId = (installs.installs[0] as { id: string }).id
  })
  afterAll(async () => server?.stop())

  it('admin API: an owner acting as themself cannot give a connection a page they can only view, or cannot see', async () => {
    const asOwner = await admin('PUT', `/connections/${s.connection.id}/pages/${diary}`, { as: s.owner.email })
    expect(asOwner.status).toBe(403)
    expect(asOwner.body).toMatchObject({
      code: 'forbidden',
      message: 'Only people with full access to this page can add or remove connections on it.',
    })
    await hidden(bot, diary)
    // A page the owner cannot see at all: the same refusal, nothing shared.
    const other = await admin('POST', `/workspaces/${s.workspace.id}/pages`, { title: 'Closed', private: true, as: s.member.email })
    const closed = (other.body as unknown as { id: string }).id
    expect((await admin('PUT', `/connections/${s.connection.id}/pages/${closed}`, { as: s.owner.id })).status).toBe(403)
    await hidden(bot, closed)
    // The same for installs of public connections.
    expect((await admin('PUT', `/installs/${installId}/pages/${diary}`, { as: s.owner.email })).status).toBe(403)
    await hidden(installBot, diary)
    // Mia (full access on her diary) may; so may the operator (admin key without `as`), audited as `admin`.
    expect((await admin('PUT', `/connections/${s.connection.id}/pages/${diary}`, { as: s.member.email })).status).toBe(200)
    expect((await bot.pages.retrieve({ page_id: diary })).id).toBe(diary)
    // Removing needs the same: the owner (view only) cannot take it away again.
    expect(
      (await admin('DELETE', `/connections/${s.connection.id}/pages/${diary}?as=${encodeURIComponent(s.owner.email as string)}`)).status,
    ).toBe(403)
    expect((await bot.pages.retrieve({ page_id: diary })).id).toBe(diary)
    expect((await admin('DELETE', `/connections/${s.connection.id}/pages/${diary}`)).body.removed).toBe(true)
    await hidden(bot, diary)
    expect((await admin('PUT', `/connections/${s.connection.id}/pages/${closed}`)).status).toBe(200)
    expect((await bot.pages.retrieve({ page_id: closed })).id).toBe(closed)
    expect((await admin('DELETE', `/connections/${s.connection.id}/pages/${closed}`)).body.removed).toBe(true)
    const entries = await listAudit(server.deps.store.db, s.workspace.id, { actions: ['page.connection_added'] })
    expect(entries.filter((e) => e.target === closed).map((e) => e.actor)).toEqual(['admin'])
  })

  it('a guest with full access can neither add nor remove a connection (admin API, page panel, installs)', async () => {
    const add = await admin('PUT', `/connections/${s.connection.id}/pages/${guestPage}`, { as: s.guest.email })
    expect(add.status).toBe(403)
    expect(add.body.message).toBe('Guests cannot add or remove connections on pages.')
    await hidden(bot, guestPage)
    expect((await admin('PUT', `/installs/${installId}/pages/${guestPage}`, { as: s.guest.email })).status).toBe(403)
    await hidden(installBot, guestPage)
    // An owner (full access through the workspace) shares it; the guest cannot take it away.
    expect((await admin('PUT', `/connections/${s.connection.id}/pages/${guestPage}`, { as: s.owner.email })).status).toBe(200)
    expect(
      (await admin('DELETE', `/connections/${s.connection.id}/pages/${guestPage}?as=${encodeURIComponent(s.guest.email as string)}`))
        .status,
    ).toBe(403)
    const gus = await session(s.guest.id)
    const token = await gus.csrf(page(guestPage))
    const removed = await gus.post(`${page(guestPage)}/connections/${s.connection.id}/remove`, [
      ['_csrf', token],
      ['source_page_id', guestPage],
    ])
    expect(removed.status).toBe(403)
    expect(removed.text).toContain('Guests cannot add or remove connections on pages.')
    const added = await gus.post(`${page(guestPage)}/installs`, [
      ['_csrf', token],
      ['install_id', installId],
    ])
    expect(added.status).toBe(403)
    await hidden(installBot, guestPage)
    expect((await bot.pages.retrieve({ page_id: guestPage })).id).toBe(guestPage)
    expect(
      (await admin('DELETE', `/connections/${s.connection.id}/pages/${guestPage}?as=${encodeURIComponent(s.owner.email as string)}`)).body
        .removed,
    ).toBe(true)
  })

  it('the Content access picker lists and accepts only pages where the owner has full access', async () => {
    const olive = await session(s.owner.id)
    const base = `/developers/connections/${s.connection.id}`
    const picker = await olive.get(`${base}/content/edit`)
    expect(picker.status).toBe(200)
    expect(picker.text).toContain('Root')
    expect(picker.text).not.toContain('Mia diary')
    expect(picker.text).not.toContain(`value="${diary}"`)
    // A crafted form naming the diary: refused as a whole, before any write (Root is not shared either).
    const token = await olive.csrf(`${base}/content/edit`)
    const crafted = await olive.post(`${base}/content`, [
      ['_csrf', token],
      ['listed', s.pages.root.id],
      ['page', s.pages.root.id],
      ['listed', diary],
      ['page', diary],
    ])
    expect(crafted.status).toBe(403)
    expect(crafted.text).toContain('Only people with full access to this page can add or remove connections on it.')
    await hidden(bot, diary)
    await hidden(bot, s.pages.root.id)
    // An ordinary pick still works.
    const ok = await olive.post(`${base}/content`, [
      ['_csrf', token],
      ['listed', s.pages.secret.id],
      ['page', s.pages.secret.id],
    ])
    expect(ok.status).toBe(303)
    expect((await bot.pages.retrieve({ page_id: s.pages.secret.id })).id).toBe(s.pages.secret.id)
    expect((await admin('DELETE', `/connections/${s.connection.id}/pages/${s.pages.secret.id}`)).body.removed).toBe(true)
  })

  it("a page's ••• → Connections: the owner cannot add a connection to a page they only view", async () => {
    const olive = await session(s.owner.id)
    const token = await olive.csrf(page(diary))
    const added = await olive.post(`${page(diary)}/connections`, [
      ['_csrf', token],
      ['connection_id', s.connection.id],
    ])
    expect(added.status).toBe(403)
    expect(added.text).toContain('Only people with full access to this page can add or remove connections on it.')
    await hidden(bot, diary)
  })

  it('"+ Add connection" lists the connections only to people who may add them to that page', async () => {
    const gus = await session(s.guest.id)
    const refused = await gus.get(`${page(guestPage)}?panel=add`)
    expect(refused.status).toBe(403)
    expect(refused.text).toContain('Guests cannot add or remove connections on pages.')
    expect(refused.text).not.toContain('Test Bot')
    expect(refused.text).not.toContain('Calendar Sync')
    const confirm = await gus.get(`${page(guestPage)}?panel=confirm&connection=${s.connection.id}`)
    expect(confirm.status).toBe(403)
    expect(confirm.text).not.toContain('Test Bot')
    // The owner viewing Mia's diary may not add connections there either.
    const olive = await session(s.owner.id)
    const viewer = await olive.get(`${page(diary)}?panel=add`)
    expect(viewer.status).toBe(403)
    expect(viewer.text).not.toContain('Test Bot')
    // Someone with full access sees the list.
    const mia = await session(s.member.id)
    const listed = await mia.get(`${page(s.pages.root.id)}?panel=add`)
    expect(listed.status).toBe(200)
    expect(listed.text).toContain('Test Bot')
    expect(listed.text).toContain('Calendar Sync')
  })
})
