import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { portalApp } from '../../src/portal/portal-app.js'
import { setPassword } from '../../src/services/portal-auth.service.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * The portal's one shell (src/portal/shell.ts): every screen registers its routes through it and none
 * re-implements it. Statically: no screen file sets security headers, adds middleware, handles errors,
 * checks the Origin, loads the session, checks a CSRF token or renders the layout itself. Over HTTP:
 * every GET route the portal registers answers with the shell's headers, and every state-changing POST
 * route (sign-in aside) refuses a cross-site form (403, Origin check) and a form without its CSRF token
 * (403, the shell's message).
 */

const PORTAL = join(__dirname, '../../src/portal')
/** The shell and what it is made of; every other file outside views/ is a screen. */
const SHELL_FILES = new Set(['shell.ts', 'session.ts', 'form.ts', 'notices.ts', 'assets.ts', 'portal-app.ts'])

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

describe('the portal shell', () => {
  it('no screen file re-implements headers, middleware, Origin check, session, CSRF check, error page or layout', () => {
    const screens = tsFiles(PORTAL)
      .map((f) => relative(PORTAL, f))
      .filter((f) => !f.startsWith('views/') && !SHELL_FILES.has(f) && !f.endsWith('.test.ts'))
    expect(screens.length).toBeGreaterThanOrEqual(13)
    const forbidden: [RegExp, string][] = [
      [/Content-Security-Policy|X-Frame-Options|Referrer-Policy|Cache-Control/, 'sets security headers'],
      [/\.use\(/, 'adds middleware'],
      [/\.onError\(/, 'handles errors'],
      [/hono\/csrf|portalOriginCheck/, 'checks the Origin'],
      [/sessionMiddleware|getCookie/, 'loads the session'],
      [/readCheckedForm|csrfValid/, 'checks the CSRF token'],
      [/\blayout\(/, 'renders the layout'],
      [/new Hono\b/, 'builds its own app'],
    ]
    const found: string[] = []
    for (const f of screens) {
      const text = readFileSync(join(PORTAL, f), 'utf8')
      for (const [re, what] of forbidden) if (re.test(text)) found.push(`${f} ${what}`)
    }
    expect(found).toEqual([])
  })

  describe('over HTTP', () => {
    let server: TestServer
    let s: Awaited<ReturnType<typeof seedBasic>>
    let cookie = ''
    let csrf = ''
    const PW = 'correct horse battery'
    const BOGUS = '11111111-2222-4333-8444-555555555555'

    beforeAll(async () => {
      server = await startTestServer()
      s = await seedBasic(server)
      await setPassword(server.deps, s.owner.id, PW)
      const login = await fetch(`${server.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email: s.owner.email as string, password: PW, next: '/' }).toString(),
      })
      cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? ''
      const page = await (await fetch(`${server.url}/developers/connections/new`, { headers: { cookie } })).text()
      csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? ''
      expect(csrf).not.toBe('')
    })
    afterAll(async () => server.stop())

    /** The portal's routes of one method, parameters filled with the seeded workspace, page, connection. */
    const routes = (method: string) => {
      const app = portalApp(server.deps, { demo: false, publicUrl: server.url })
      const paths = new Set(app.routes.filter((r) => r.method === method).map((r) => r.path))
      return [...paths].map((p) =>
        p
          .replace(':ws', s.workspace.id)
          .replace(/^\/developers\/connections\/:id/, `/developers/connections/${s.connection.id}`)
          .replace(/\/pages\/:id/, `/pages/${s.pages.root.id}`)
          .replace(/:[a-z]+/g, BOGUS),
      )
    }

    it('every GET route answers with the shell headers', async () => {
      const gets = routes('GET').filter((p) => !p.startsWith('/assets/'))
      expect(gets.length).toBeGreaterThanOrEqual(20)
      for (const p of gets) {
        const res = await fetch(`${server.url}${p}`, { headers: { cookie }, redirect: 'manual' })
        expect(res.status, p).toBeLessThan(500)
        expect(res.headers.get('content-security-policy'), p).toMatch(
          /^default-src 'self'; .*frame-ancestors 'none'; form-action 'self'.*; base-uri 'none'; object-src 'none'$/,
        )
        expect(res.headers.get('x-frame-options'), p).toBe('DENY')
        expect(res.headers.get('x-content-type-options'), p).toBe('nosniff')
        expect(res.headers.get('referrer-policy'), p).toBe('same-origin')
        expect(res.headers.get('cache-control'), p).toBe('no-store')
      }
    })

    it('every state-changing POST refuses a cross-site form and a form without its CSRF token', async () => {
      const posts = routes('POST').filter((p) => !['/login', '/login/demo', '/logout'].includes(p))
      expect(posts.length).toBeGreaterThanOrEqual(25)
      const post = (p: string, origin: string, form: Record<string, string>) =>
        fetch(`${server.url}${p}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(form).toString(),
        })
      for (const p of posts) {
        const crossSite = await post(p, 'https://evil.example', { _csrf: csrf })
        expect(crossSite.status, p).toBe(403)
        expect(await crossSite.text(), p).toContain('This form was sent from another site, so Octavo refused it.')
        const noToken = await post(p, server.url, {})
        expect(noToken.status, p).toBe(403)
        expect(await noToken.text(), p).toContain('This form has expired or came from another site. Reload the page and try again.')
        expect(noToken.headers.get('x-frame-options'), p).toBe('DENY')
      }
    })
  })
})
