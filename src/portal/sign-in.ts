import type { Hono } from 'hono'
import { DEMO_PEOPLE, DEMO_WORKSPACE_NAME } from '../demo/seed.js'
import { DomainError } from '../errors/domain-error.js'
import { memoryAttempts } from '../rate-limit/attempts.js'
import { clientAddressResolver } from '../rate-limit/client-address.js'
import { createSession, endSession, hasPassword, verifyPassword } from '../services/portal-auth.service.js'
import { workspacesOf } from '../services/portal.service.js'
import { listMembers, listWorkspaces } from '../storage/repositories/workspaces.repository.js'
import { one, readForm } from './form.js'
import { LoginThrottle, clearSessionCookie, setSessionCookie, type PortalEnv } from './session.js'
import type { PortalShell } from './shell.js'
import { bare } from './views/layout.js'
import { loginView, type DemoPerson, type Flash } from './views/screens.js'

/**
 * Sign in and out (docs/adr/0013-web-portal.md): `/` (to the person's first workspace, or sign-in),
 * `/login` (e-mail and password, throttled per e-mail and client address; in demo mode "sign in as"
 * for the seeded people who have no password yet), `/login/demo`, `/logout`. After signing in the
 * person returns to `next`, kept on this origin by `safeNext`.
 */

const NEXT_BASE = 'http://portal.octavo.invalid'

/**
 * A local path to return to after sign-in (never another origin): `next` resolved against a base with
 * the WHATWG URL parser, as the browser will resolve the `Location` (tabs and newlines dropped,
 * backslashes read as slashes, `scheme:` forms), kept only when it stays on the base's origin, and
 * returned as its normalised path and query. Anything else, or over 500 characters, is `/`.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next === '' || next.length > 2000) return '/'
  const base = new URL(NEXT_BASE)
  let url: URL
  try {
    url = new URL(next, base)
  } catch {
    return '/'
  }
  if (url.origin !== base.origin) return '/'
  const out = url.pathname + url.search
  // `/.//evil.test` normalises to the path `//evil.test`, which a browser reads as another host.
  if (!out.startsWith('/') || out.startsWith('//') || out.length > 500 || new URL(out, base).origin !== base.origin) return '/'
  return out
}

/** Registers `/`, `/login`, `/login/demo` and `/logout`. */
export function signIn(app: Hono<PortalEnv>, s: PortalShell): void {
  const { deps, opts, sessionOpts, form } = s
  const throttle = new LoginThrottle(opts.attempts ?? memoryAttempts)
  const clientAddress = opts.clientAddress ?? clientAddressResolver([])

  const demoPeople = async (): Promise<DemoPerson[] | null> => {
    if (!opts.demo) return null
    const ws = (await listWorkspaces(deps.store.db)).find((w) => w.name === DEMO_WORKSPACE_NAME)
    if (!ws) return null
    const emails = new Set<string>(DEMO_PEOPLE.map((p) => p.email))
    const out: DemoPerson[] = []
    for (const m of await listMembers(deps.store.db, ws.id)) {
      // Only the seeded people, and only while they have no password of their own.
      if (m.email && emails.has(m.email) && !(await hasPassword(deps, m.id)))
        out.push({ id: m.id, name: m.name ?? m.email, email: m.email, role: m.role })
    }
    const order = DEMO_PEOPLE.map((p) => p.email as string)
    out.sort((a, b) => order.indexOf(a.email) - order.indexOf(b.email))
    return out.length ? out : null
  }

  app.get('/', async (c) => {
    const u = c.get('user')
    if (!u) return c.redirect('/login', 303)
    const ws = (await workspacesOf(deps, u.id))[0]
    return c.redirect(ws ? `/w/${ws.id}` : '/developers/connections', 303)
  })

  app.get('/login', async (c) => {
    if (c.get('user')) return c.redirect(safeNext(c.req.query('next')), 303)
    return c.html(bare('Sign in', loginView({ email: '', next: safeNext(c.req.query('next')), demo: await demoPeople() })))
  })

  app.post('/login', async (c) => {
    const f = await readForm(c)
    const email = one(f, 'email').trim().toLowerCase()
    const next = safeNext(one(f, 'next'))
    const ip = clientAddress(c)
    const again = (status: number, flash: Flash) => c.html(bare('Sign in', loginView({ email, next, flash, demo: null })), status as 401)
    // Spent before the password check, so concurrent attempts cannot all pass a read-only check.
    const wait = await throttle.take(email, ip)
    if (wait > 0) {
      c.header('Retry-After', String(wait))
      return again(429, {
        kind: 'error',
        title: 'Too many failed attempts.',
        text: `Sign-in for this e-mail is paused for ${Math.ceil(wait / 60)} minute(s). Try again later, or ask an administrator to reset your password.`,
      })
    }
    try {
      const u = await verifyPassword(deps, email, one(f, 'password'))
      await throttle.succeeded(email, ip)
      const { sessionId } = await createSession(deps, u.id)
      setSessionCookie(c, sessionId, sessionOpts)
      return c.redirect(next, 303)
    } catch (e) {
      if (!(e instanceof DomainError)) throw e
      return again(401, { kind: 'error', text: e.message })
    }
  })

  app.post('/login/demo', async (c) => {
    const f = await readForm(c)
    const people = await demoPeople()
    const person = people?.find((p) => p.id === one(f, 'user_id'))
    if (!person) throw new DomainError('forbidden', 'Signing in without a password is only for the demo people, in demo mode.')
    const { sessionId } = await createSession(deps, person.id)
    setSessionCookie(c, sessionId, sessionOpts)
    return c.redirect(safeNext(one(f, 'next')), 303)
  })

  app.post('/logout', async (c) => {
    await form(c).catch(() => undefined) // signing out never needs more than the origin check
    await endSession(deps, c.get('sessionId'))
    clearSessionCookie(c, sessionOpts)
    return c.redirect('/login', 303)
  })
}
