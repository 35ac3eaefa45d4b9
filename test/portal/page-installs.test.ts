import { APIErrorCode, type Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setPageAccess } from '../../src/services/page-permissions.service.js'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { removeMember } from '../../src/services/workspaces.service.js'
import { listAudit } from '../../src/storage/repositories/audit.repository.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import { installApp, sessionCookie } from '../support/oauth.js'

/**
 * A page's ••• → Connections panel for public connections (issue 8: "pages shared with it later"),
 * over HTTP with real portal sessions, checked with the official SDK holding the install's OAuth
 * access token: the panel lists the workspace's installs, a person with full access adds one (the page
 * and its descendants become readable by that token) and removes it (404 again), the "why" answer and
 * inheritance read as for internal connections, refusals, and the audit entries.
 */
describe('portal: installs of public connections in a page’s Connections panel', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  let bot: Client
  let botId: string
  let installId: string
  let inside: { id: string }
  const REDIRECT = 'http://127.0.0.1:9999/cb'

  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
    inside = await createPageAsUser(server.deps, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      title: 'Inside secret',
      parentId: s.pages.secret.id,
    })
    // Mia installs "Calendar Sync" and picks only Child at consent.
    const { token: res } = await installApp(server, {
      workspaceId: s.workspace.id,
      ownerId: s.owner.id,
      userId: s.member.id,
      pageIds: [s.pages.child.id],
      name: 'Calendar Sync',
      redirectUri: REDIRECT,
    })
    bot = server.client(res.access_token)
    botId = res.bot_id
  })
  afterAll(async () => server?.stop())

  const session = async (userId: string) => {
    const cookie = await sessionCookie(server, userId)
    const get = async (path: string) => {
      const res = await fetch(`${server.url}${path}`, { headers: { cookie }, redirect: 'manual' })
      return { status: res.status, text: await res.text(), location: res.headers.get('location') }
    }
    const csrf = async (path: string) => /name="_csrf" value="([^"]+)"/.exec((await get(path)).text)?.[1] as string
    const post = async (path: string, form: Record<string, string>) => {
      const res = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { cookie, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
        redirect: 'manual',
      })
      return { status: res.status, text: await res.text(), location: res.headers.get('location') }
    }
    return { get, csrf, post }
  }
  const page = (id: string) => `/w/${s.workspace.id}/pages/${id}`

  it('lists the install where consent shared it, inherited below, with the why answer', async () => {
    const olive = await session(s.owner.id)
    const grand = await olive.get(`${page(s.pages.grandchild.id)}?panel=connections`)
    expect(grand.status).toBe(200)
    expect(grand.text).toContain('<span class="title">Calendar Sync</span>')
    expect(grand.text).toContain('Public connection · installed by Mia Member')
    expect(grand.text).toContain(`Inherited from <a href="${page(s.pages.child.id)}">Child</a> by Mia Member`)
    expect(grand.text).toContain('Because “Child” is shared with Calendar Sync (installed by Mia Member), and “Grandchild” is inside it')
    // Root is not reachable by the install: it is not listed there.
    expect((await olive.get(`${page(s.pages.root.id)}?panel=connections`)).text).not.toContain('Calendar Sync')
  })

  it('a person with full access adds the install from the page; its token then reads the page and its descendants', async () => {
    expect((await apiError(bot.pages.retrieve({ page_id: s.pages.secret.id }))).code).toBe(APIErrorCode.ObjectNotFound)
    const olive = await session(s.owner.id)
    const search = await olive.get(`${page(s.pages.secret.id)}?panel=add&q=calendar`)
    expect(search.text).toContain('Public connection · installed by Mia Member')
    expect(search.text).not.toContain('Test Bot') // filtered by the search
    installId = /panel=confirm&amp;install=([0-9a-f-]{36})/.exec(search.text)?.[1] as string
    expect(installId).toMatch(/^[0-9a-f-]{36}$/)
    const confirm = await olive.get(`${page(s.pages.secret.id)}?panel=confirm&install=${installId}`)
    expect(confirm.text).toContain('Allow Calendar Sync to access “Secret”?')
    expect(confirm.text).toContain(`action="${page(s.pages.secret.id)}/installs"`)
    const token = await olive.csrf(page(s.pages.secret.id))
    expect((await olive.post(`${page(s.pages.secret.id)}/installs`, { _csrf: 'forged', install_id: installId })).status).toBe(403)
    const added = await olive.post(`${page(s.pages.secret.id)}/installs`, { _csrf: token, install_id: installId })
    expect(added.status).toBe(303)
    expect(added.location).toBe(`${page(s.pages.secret.id)}?panel=connections&done=added#connections`)

    expect((await bot.pages.retrieve({ page_id: s.pages.secret.id })).id).toBe(s.pages.secret.id)
    expect((await bot.pages.retrieve({ page_id: inside.id })).id).toBe(inside.id)
    expect((await bot.search({ query: 'secret' })).results.map((r) => r.id).sort()).toEqual([s.pages.secret.id, inside.id].sort())

    const list = await olive.get(`${page(s.pages.secret.id)}?panel=connections`)
    expect(list.text).toContain('Added to this page by Olive Owner')
    expect((await olive.get(`${page(s.pages.secret.id)}?panel=add`)).text).toMatch(
      /Calendar Sync<\/span> <span class="pill">Public connection · installed by Mia Member<\/span><\/div>\s*<span class="pill blue">Has access<\/span>/,
    )
    const entries = await listAudit(server.deps.store.db, s.workspace.id, { actions: ['oauth.page_shared'] })
    expect(entries.map((e) => ({ actor: e.actor, target: e.target, meta: e.meta }))).toContainEqual({
      actor: `user:${s.owner.id}`,
      target: s.pages.secret.id,
      meta: { install_id: installId, bot_id: botId },
    })
  })

  it('refuses people without full access (forbidden) and people who cannot see the page (404)', async () => {
    // Gus (guest) can view Secret but has no full access: the panel re-renders with the refusal.
    await setPageAccess(server.deps, { pageId: inside.id, actorId: s.owner.id, target: { type: 'user', id: s.guest.id }, level: 'view' })
    const gus = await session(s.guest.id)
    const token = await gus.csrf(page(inside.id))
    const refused = await gus.post(`${page(inside.id)}/installs`, { _csrf: token, install_id: installId })
    expect(refused.status).toBe(403)
    expect(refused.text).toContain('The connection was not added.')
    expect(refused.text).toContain('Only people with full access to this page can add or remove connections on it.')
    const removeRefused = await gus.post(`${page(inside.id)}/installs/${installId}/remove`, {
      _csrf: token,
      source_page_id: s.pages.secret.id,
    })
    expect(removeRefused.status).toBe(403)
    expect((await bot.pages.retrieve({ page_id: inside.id })).id).toBe(inside.id)
    // Root is invisible to Gus: 404, existence not revealed.
    const hidden = await gus.post(`${page(s.pages.root.id)}/installs`, { _csrf: token, install_id: installId })
    expect(hidden.status).toBe(404)
    expect((await apiError(bot.pages.retrieve({ page_id: s.pages.root.id }))).status).toBe(404)
    // An unknown install id is a 404 too.
    const olive = await session(s.owner.id)
    const unknown = await olive.post(`${page(s.pages.root.id)}/installs`, {
      _csrf: await olive.csrf(page(s.pages.root.id)),
      install_id: '00000000-0000-4000-8000-000000000000',
    })
    expect(unknown.status).toBe(404)
  })

  it('removing it where it was granted makes the page 404 for the token again', async () => {
    const olive = await session(s.owner.id)
    const inherited = await olive.get(`${page(inside.id)}?panel=connections`)
    expect(inherited.text).toContain(`action="${page(inside.id)}/installs/${installId}/remove"`)
    expect(inherited.text).toContain('Remove from “Secret”')
    const token = await olive.csrf(page(inside.id))
    // The wrong source page is refused without touching the share.
    expect((await olive.post(`${page(inside.id)}/installs/${installId}/remove`, { _csrf: token, source_page_id: inside.id })).status).toBe(
      404,
    )
    const removed = await olive.post(`${page(inside.id)}/installs/${installId}/remove`, { _csrf: token, source_page_id: s.pages.secret.id })
    expect(removed.status).toBe(303)
    expect((await apiError(bot.pages.retrieve({ page_id: s.pages.secret.id }))).code).toBe(APIErrorCode.ObjectNotFound)
    expect((await apiError(bot.pages.retrieve({ page_id: inside.id }))).code).toBe(APIErrorCode.ObjectNotFound)
    // Consent's share is untouched.
    expect((await bot.pages.retrieve({ page_id: s.pages.child.id })).id).toBe(s.pages.child.id)
    expect((await olive.get(`${page(s.pages.secret.id)}?panel=connections`)).text).not.toContain('Calendar Sync')
    const entries = await listAudit(server.deps.store.db, s.workspace.id, { actions: ['oauth.page_unshared'] })
    expect(entries.map((e) => ({ actor: e.actor, target: e.target }))).toContainEqual({
      actor: `user:${s.owner.id}`,
      target: s.pages.secret.id,
    })
  })

  it('an install whose person was removed is removed with them: no longer listed nor offered', async () => {
    await removeMember(server.deps, s.workspace.id, s.member.id, s.owner.id)
    const olive = await session(s.owner.id)
    const list = await olive.get(`${page(s.pages.child.id)}?panel=connections`)
    expect(list.text).not.toContain('Calendar Sync')
    const add = await olive.get(`${page(s.pages.secret.id)}?panel=add`)
    expect(add.text).not.toContain('Calendar Sync')
    expect(add.text).toContain('Test Bot')
    const refused = await olive.post(`${page(s.pages.secret.id)}/installs`, {
      _csrf: await olive.csrf(page(s.pages.secret.id)),
      install_id: installId,
    })
    expect(refused.status).toBe(404)
  })
})
