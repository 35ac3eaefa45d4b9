import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedDemo } from '../../src/demo/seed.js'
import { getConnection } from '../../src/services/connections.service.js'
import { setPassword } from '../../src/services/portal-auth.service.js'
import { addMember } from '../../src/services/workspaces.service.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * The portal over plain HTTP (no browser): sign-in, sessions, CSRF, throttling, refusals, and that
 * `/v1` and `/_octavo/admin` are undisturbed. A tiny cookie-keeping client stands in for a browser;
 * it sends `Origin` as browsers do on form posts.
 */

class Agent {
  cookies = new Map<string, string>()
  constructor(
    private readonly base: string,
    private readonly origin = base,
  ) {}
  async req(
    path: string,
    init: { method?: string; form?: Record<string, string | string[]>; origin?: string | null; headers?: Record<string, string> } = {},
  ) {
    const headers = new Headers(init.headers)
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    let body: string | undefined
    if (init.form) {
      const p = new URLSearchParams()
      for (const [k, v] of Object.entries(init.form)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x)
      body = p.toString()
      headers.set('content-type', 'application/x-www-form-urlencoded')
      if (init.origin !== null) headers.set('origin', init.origin ?? this.origin)
    }
    const res = await fetch(`${this.base}${path}`, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
    })
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';')
      const [k, v] = (pair ?? '').split('=')
      if (!k) continue
      if (v === '' || /max-age=0/i.test(c)) this.cookies.delete(k)
      else this.cookies.set(k, v ?? '')
    }
    return { res, text: await res.text() }
  }
  async csrf(path: string): Promise<string> {
    const { text } = await this.req(path)
    const m = /name="_csrf" value="([^"]+)"/.exec(text)
    if (!m?.[1]) throw new Error(`no CSRF field on ${path}`)
    return m[1]
  }
  async signIn(email: string, password: string) {
    const r = await this.req('/login', { form: { email, password, next: '/' } })
    expect(r.res.status).toBe(303)
    return r
  }
}

describe('portal over HTTP', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  const PW = 'correct horse battery'
  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
    for (const p of [s.owner, s.member, s.guest]) await setPassword(server.deps, p.id, PW)
  })
  afterAll(async () => server.stop())

  it('leaves /v1 and /_octavo/admin alone', async () => {
    const unknown = await server.raw('/v1/nope', { token: s.token })
    expect(unknown.status).toBe(400)
    expect(((await unknown.json()) as { code: string }).code).toBe('invalid_request_url')
    const outside = await fetch(`${server.url}/nothing-here`)
    expect(outside.status).toBe(400)
    expect(((await outside.json()) as { code: string }).code).toBe('invalid_request_url')
    expect((await fetch(`${server.url}/_octavo/admin/workspaces`)).status).toBe(401)
    expect((await server.client(s.token).users.me({})).type).toBe('bot')
  })

  it('stores argon2id hashes and session digests, never the secrets; cookies are HttpOnly and SameSite=Lax', async () => {
    const row = await server.deps.store.db
      .selectFrom('user_password')
      .selectAll()
      .where('user_id', '=', s.owner.id)
      .executeTakeFirstOrThrow()
    expect(row.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect(row.hash).not.toContain(PW)

    const a = new Agent(server.url)
    const { res } = await a.signIn(s.owner.email as string, PW)
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('octavo_session=')) ?? ''
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Lax/i)
    expect(cookie).toMatch(/Path=\//)
    expect(cookie).not.toMatch(/Secure/i) // plain http here; see the https test below
    const sid = a.cookies.get('octavo_session') as string
    const sessions = await server.deps.store.db.selectFrom('portal_session').selectAll().where('user_id', '=', s.owner.id).execute()
    expect(sessions.map((x) => x.id_digest)).toContain(createHash('sha256').update(sid).digest('hex'))
    expect(JSON.stringify(sessions)).not.toContain(sid)

    const page = await a.req('/developers/connections')
    expect(page.res.status).toBe(200)
    expect(page.res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect(page.res.headers.get('cache-control')).toBe('no-store')
  })

  it('refuses wrong passwords and unknown e-mails with the same message, and signs out', async () => {
    const a = new Agent(server.url)
    const wrong = await a.req('/login', { form: { email: s.owner.email as string, password: 'nope nope nope' } })
    const unknown = await a.req('/login', { form: { email: 'nobody@example.com', password: 'nope nope nope' } })
    expect(wrong.res.status).toBe(401)
    expect(unknown.res.status).toBe(401)
    expect(wrong.text).toContain('Wrong e-mail or password.')
    expect(unknown.text).toContain('Wrong e-mail or password.')
    expect(a.cookies.size).toBe(0)

    await a.signIn(s.member.email as string, PW)
    expect((await a.req('/developers/connections')).res.status).toBe(200)
    const token = await a.csrf('/developers/connections')
    const out = await a.req('/logout', { form: { _csrf: token } })
    expect(out.res.status).toBe(303)
    const after = await a.req('/developers/connections')
    expect(after.res.status).toBe(303)
    expect(after.res.headers.get('location')).toBe('/login?next=%2Fdevelopers%2Fconnections')
  })

  it('throttles sign-in: after 5 failures for an e-mail, even the right password waits (429, Retry-After)', async () => {
    const email = 'throttled@example.com'
    const person = await addMember(server.deps, s.workspace.id, { name: 'Theo Throttled', email, role: 'member' })
    await setPassword(server.deps, person.id, PW)
    const a = new Agent(server.url)
    for (let i = 0; i < 5; i++) expect((await a.req('/login', { form: { email, password: `wrong-${i}-xxxx` } })).res.status).toBe(401)
    const blocked = await a.req('/login', { form: { email, password: PW } })
    expect(blocked.res.status).toBe(429)
    expect(Number(blocked.res.headers.get('retry-after'))).toBeGreaterThan(800)
    expect(blocked.text).toContain('Too many failed attempts.')
    expect(a.cookies.size).toBe(0)
    // Another account from the same address is not blocked.
    await new Agent(server.url).signIn(s.member.email as string, PW)
  })

  it('refuses state-changing forms without the session’s CSRF token or from another origin', async () => {
    const a = new Agent(server.url)
    await a.signIn(s.owner.email as string, PW)
    const token = await a.csrf(`/developers/connections/${s.connection.id}`)
    const form = { _csrf: token, read_content: 'on', user_info: 'none' }

    const noToken = await a.req(`/developers/connections/${s.connection.id}/capabilities`, { form: { ...form, _csrf: 'forged' } })
    expect(noToken.res.status).toBe(403)
    expect(noToken.text).toContain('This form has expired or came from another site.')
    const crossSite = await a.req(`/developers/connections/${s.connection.id}/capabilities`, { form, origin: 'https://evil.example' })
    expect(crossSite.res.status).toBe(403)
    const noOrigin = await a.req(`/developers/connections/${s.connection.id}/token/reveal`, { form: { _csrf: token }, origin: null })
    expect(noOrigin.res.status).toBe(403)
    expect(noOrigin.text).not.toContain('ntn_')
    // The refused posts changed nothing (the form would have turned update/insert content off).
    expect((await getConnection(server.deps, s.connection.id, s.owner.id)).capabilities).toMatchObject({
      updateContent: true,
      insertContent: true,
    })
    const ok = await a.req(`/developers/connections/${s.connection.id}/capabilities`, { form })
    expect(ok.res.status).toBe(303)
    expect((await getConnection(server.deps, s.connection.id, s.owner.id)).capabilities).toMatchObject({
      updateContent: false,
      insertContent: false,
    })
  })

  it('a member’s refusals read like the service’s: creating a connection, opening one', async () => {
    const a = new Agent(server.url)
    await a.signIn(s.member.email as string, PW)
    const token = await a.csrf('/developers/connections/new')
    const created = await a.req('/developers/connections', {
      form: { _csrf: token, name: 'Sneaky', workspace_id: s.workspace.id, icon: '' },
    })
    expect(created.res.status).toBe(403)
    expect(created.text).toContain('Only workspace owners can create internal connections. This user is a member.')
    const open = await a.req(`/developers/connections/${s.connection.id}`)
    expect(open.res.status).toBe(403)
    expect(open.text).toContain('Only workspace owners can see internal connections. This user is a member.')
    const reveal = await a.req(`/developers/connections/${s.connection.id}/token/reveal`, {
      form: { _csrf: token },
      headers: { accept: 'application/json' },
    })
    expect(reveal.res.status).toBe(403)
    expect(reveal.text).not.toContain(s.token)
  })

  it('a guest sees no page (404, existence not revealed) and cannot add a connection', async () => {
    const a = new Agent(server.url)
    await a.signIn(s.guest.email as string, PW)
    const home = await a.req(`/w/${s.workspace.id}`)
    expect(home.res.status).toBe(200)
    expect(home.text).toContain('There are no pages you can see in this workspace yet.')
    const page = await a.req(`/w/${s.workspace.id}/pages/${s.pages.root.id}`)
    expect(page.res.status).toBe(404)
    expect(page.text).toContain('This page does not exist, or you do not have access to it.')
    const token = await a.csrf(`/w/${s.workspace.id}`)
    const add = await a.req(`/w/${s.workspace.id}/pages/${s.pages.root.id}/connections`, {
      form: { _csrf: token, connection_id: s.connection.id },
    })
    expect(add.res.status).toBe(404)
    expect((await server.client(s.token).search({})).results).toHaveLength(0)
  })

  it('the page’s Connections menu: a member adds a connection, sees it inherited on the child, and removes it', async () => {
    const a = new Agent(server.url)
    await a.signIn(s.member.email as string, PW)
    const base = `/w/${s.workspace.id}/pages`
    const confirm = await a.req(`${base}/${s.pages.child.id}?panel=confirm&connection=${s.connection.id}`)
    expect(confirm.text).toContain('Test Bot will access this page and all of its child pages')
    const token = await a.csrf(`${base}/${s.pages.child.id}`)
    const added = await a.req(`${base}/${s.pages.child.id}/connections`, { form: { _csrf: token, connection_id: s.connection.id } })
    expect(added.res.status).toBe(303)
    expect((await server.client(s.token).pages.retrieve({ page_id: s.pages.grandchild.id })).id).toBe(s.pages.grandchild.id)

    const grand = await a.req(`${base}/${s.pages.grandchild.id}?panel=connections`)
    expect(grand.text).toContain('Inherited from <a href="' + `${base}/${s.pages.child.id}` + '">Child</a>')
    expect(grand.text).toContain('Because “Child” is shared with Test Bot, and “Grandchild” is inside it')

    const removed = await a.req(`${base}/${s.pages.grandchild.id}/connections/${s.connection.id}/remove`, {
      form: { _csrf: token, source_page_id: s.pages.child.id },
    })
    expect(removed.res.status).toBe(303)
    expect((await server.client(s.token).search({})).results).toHaveLength(0)
  })
})

describe('portal behind an https public URL', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ env: { OCTAVO_PUBLIC_URL: 'https://octavo.example.com' } })
  })
  afterAll(async () => server.stop())

  it('sets a Secure, __Host- prefixed session cookie and accepts the public origin', async () => {
    const s = await seedBasic(server)
    await setPassword(server.deps, s.owner.id, 'long enough password')
    const a = new Agent(server.url, 'https://octavo.example.com')
    const { res } = await a.signIn(s.owner.email as string, 'long enough password')
    const cookie = res.headers.getSetCookie()[0] ?? ''
    expect(cookie).toMatch(/^__Host-octavo_session=/)
    expect(cookie).toMatch(/; Secure/i)
  })
})

describe('portal in demo mode', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ env: { OCTAVO_DEMO: 'on' } })
  })
  afterAll(async () => server.stop())

  it('offers "sign in as" for the demo people only, until they have a password', async () => {
    const demo = await seedDemo(server.deps)
    const outsider = await seedBasic(server)
    const a = new Agent(server.url)
    const login = await a.req('/login')
    for (const p of demo.people) expect(login.text).toContain(`value="${p.id}"`)
    expect(login.text).not.toContain(outsider.owner.id)

    const refused = await a.req('/login/demo', { form: { user_id: outsider.owner.id } })
    expect(refused.res.status).toBe(403)
    expect(a.cookies.size).toBe(0)

    const grace = demo.people.find((p) => p.email === 'grace@octavo.test') as { id: string }
    const ok = await a.req('/login/demo', { form: { user_id: grace.id, next: '/developers/connections' } })
    expect(ok.res.status).toBe(303)
    expect(ok.res.headers.get('location')).toBe('/developers/connections')
    expect((await a.req('/developers/connections')).text).toContain('This user is a member.')

    await setPassword(server.deps, grace.id, 'grace has a password now')
    expect((await new Agent(server.url).req('/login')).text).not.toContain(grace.id)
    expect((await a.req('/developers/connections')).res.status).toBe(303) // setting a password ended her sessions
  })
})

describe('portal sessions expire', () => {
  let server: TestServer
  let now = Date.UTC(2026, 0, 1)
  beforeAll(async () => {
    server = await startTestServer({ clock: { now: () => now } })
  })
  afterAll(async () => server.stop())

  it('ends a session 7 days after sign-in and deletes its row', async () => {
    const s = await seedBasic(server)
    await setPassword(server.deps, s.owner.id, 'seven days later')
    const a = new Agent(server.url)
    await a.signIn(s.owner.email as string, 'seven days later')
    now += 7 * 24 * 3600 * 1000 - 1000
    expect((await a.req('/developers/connections')).res.status).toBe(200)
    now += 2000
    const expired = await a.req('/developers/connections')
    expect(expired.res.status).toBe(303)
    expect(expired.res.headers.get('location')).toMatch(/^\/login\?next=/)
    expect(await server.deps.store.db.selectFrom('portal_session').selectAll().where('user_id', '=', s.owner.id).execute()).toHaveLength(0)
  })
})
