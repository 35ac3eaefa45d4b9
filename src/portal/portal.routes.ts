import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { csrf } from 'hono/csrf'
import { html } from 'hono/html'
import { HTTPException } from 'hono/http-exception'
import { DEMO_PEOPLE, DEMO_WORKSPACE_NAME } from '../demo/seed.js'
import { parseId } from '../domain/ids.js'
import { DomainError } from '../errors/domain-error.js'
import type { Capabilities } from '../permissions/capabilities.js'
import { NEEDS_FULL_ACCESS_MESSAGE } from '../permissions/decide-connection-share.js'
import {
  createConnection,
  getConnection,
  listConnectionShares,
  listConnections,
  refreshToken,
  revealToken,
  shareWithConnection,
  unshareFromConnection,
  updateCapabilities,
} from '../services/connections.service.js'
import type { Deps } from '../services/deps.js'
import { setInstallPageShare } from '../services/oauth.service.js'
import { createSession, endSession, hasPassword, verifyPassword } from '../services/portal-auth.service.js'
import {
  connectablePageTree,
  connectionsToAdd,
  pageConnections,
  readPage,
  visiblePageTree,
  workspacesOf,
} from '../services/portal.service.js'
import { findUser, listMembers, listWorkspaces } from '../storage/repositories/workspaces.repository.js'
import type { UserTable } from '../storage/database.js'
import { PORTAL_CSS, PORTAL_JS } from './assets.js'
import { registerSettingsRoutes } from './settings.routes.js'
import { registerShareRoutes, sharePanel } from './share.routes.js'
import { createHostPolicy, type HostPolicy } from '../http/allowed-hosts.js'
import { memoryAttempts, type AttemptLimiterFactory } from '../rate-limit/attempts.js'
import { clientAddressResolver } from '../rate-limit/client-address.js'
import {
  LoginThrottle,
  clearSessionCookie,
  sessionMiddleware,
  setSessionCookie,
  type PortalContext,
  type PortalEnv,
} from './session.js'
import { capabilitiesFromForm, many, one, readCheckedForm, readForm, type FormData } from './form.js'
import { bare, layout, type Html, type WorkspaceChoice } from './views/layout.js'
import { emptyWorkspaceBody, pageView, pagesSidebar, type Panel } from './views/pages.js'
import {
  configurationView,
  connectionsListView,
  contentAccessView,
  developersSidebar,
  errorBody,
  loginView,
  newConnectionView,
  pagePickerView,
  type DemoPerson,
  type Flash,
  type WorkspaceConnections,
} from './views/screens.js'

/**
 * The web portal (issue 5; docs/adr/0013-web-portal.md), served by the same process at `/`:
 * sign-in, the Developer portal's Internal connections (list, create, Configuration, Content access)
 * and Pages (tree, read-only view, ••• → Connections: internal connections and installs of public
 * connections). Server-rendered HTML; one stylesheet and one
 * small script from the app itself. Every action calls the same service functions as the API, the
 * admin API and the CLI, so the same rules apply and a refusal shows the service's own message.
 *
 * Routes are registered per path (never `*`), so `/v1` and `/_octavo` are untouched: unknown paths
 * outside the portal's prefixes still get the API's 400 `invalid_request_url`.
 */

export interface PortalOptions {
  /** `OCTAVO_DEMO`: offer "sign in as" for the demo people. */
  demo: boolean
  /** Base URL people use (`OCTAVO_PUBLIC_URL`); https makes the session cookie Secure. */
  publicUrl: string
  /** The server's origins for the Origin check of form posts (app.ts); absent → the public URL's. */
  hosts?: HostPolicy
  /** The client address sign-in throttling keys on (trusted proxies); absent → the socket peer. */
  clientAddress?: (c: Context) => string
  /** Where failed sign-ins are counted (Redis or memory, rate-limit/attempts.ts); absent → memory. */
  attempts?: AttemptLimiterFactory
}

/** The portal's Origin check for form posts: hono/csrf with the server's allowed origins, never the request's Host. */
export function portalOriginCheck(opts: PortalOptions): MiddlewareHandler<PortalEnv> {
  const hosts = opts.hosts ?? createHostPolicy({ publicUrl: opts.publicUrl })
  const check = csrf({ origin: (o) => hosts.allowsOrigin(o) })
  return async (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : check(c, next))
}

const PORTAL_PATHS = ['/', '/login', '/login/*', '/logout', '/w', '/w/*', '/developers', '/developers/*', '/settings', '/settings/*']

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


/**
 * The portal's Hono app, mounted at `/` by createApp. Refusals are DomainErrors from the services,
 * rendered as HTML with their message (403 forbidden, 404 not found, 400 invalid input); a signed-out
 * visitor is redirected (303) to `/login?next=…`.
 */
export function portalRoutes(deps: Deps, opts: PortalOptions): Hono<PortalEnv> {
  const app = new Hono<PortalEnv>({ strict: false })
  const secure = opts.publicUrl.startsWith('https:')
  const sessionOpts = { secure }
  const throttle = new LoginThrottle(opts.attempts ?? memoryAttempts)
  const clientAddress = opts.clientAddress ?? clientAddressResolver([])

  const headers: MiddlewareHandler<PortalEnv> = async (c, next) => {
    await next()
    c.header('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
    c.header('X-Frame-Options', 'DENY')
    c.header('X-Content-Type-Options', 'nosniff')
    c.header('Referrer-Policy', 'same-origin')
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store')
  }
  const origin = portalOriginCheck(opts)
  const session = sessionMiddleware(deps, sessionOpts)
  for (const path of PORTAL_PATHS) {
    app.use(path, headers)
    app.use(path, origin)
    app.use(path, session)
  }

  app.get('/assets/portal.css', (c) => {
    c.header('Cache-Control', 'public, max-age=3600')
    c.header('X-Content-Type-Options', 'nosniff')
    return c.body(PORTAL_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' })
  })
  app.get('/assets/portal.js', (c) => {
    c.header('Cache-Control', 'public, max-age=3600')
    c.header('X-Content-Type-Options', 'nosniff')
    return c.body(PORTAL_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8' })
  })

  // ------------------------------------------------------------------------------------------
  // Helpers

  const user = (c: PortalContext): UserTable => {
    const u = c.get('user')
    if (!u) throw new DomainError('unauthorized', 'Sign in to continue.')
    return u
  }
  const choices = async (u: UserTable): Promise<WorkspaceChoice[]> => (await workspacesOf(deps, u.id)).map((w) => ({ id: w.id, name: w.name, role: w.role }))
  const render = async (c: PortalContext, status: number, title: string, section: 'pages' | 'developers' | 'settings', sidebar: Html, body: Html, workspaceId: string | null = null) => {
    const u = user(c)
    return c.html(layout({ title, user: u, csrf: c.get('csrf'), section, workspaces: await choices(u), workspaceId, sidebar, body }), status as 200)
  }
  /** Parses a form and checks its CSRF token. @throws DomainError forbidden */
  const form = async (c: PortalContext): Promise<FormData> => {
    user(c)
    return readCheckedForm(c)
  }
  const uuid = (value: string | undefined, what: string): string => {
    const id = parseId(value ?? '')
    if (!id) throw new DomainError('not_found', `No ${what} with that id.`)
    return id
  }
  const flashFromQuery = (c: PortalContext): Flash | null => {
    const ok = c.req.query('done')
    const messages: Record<string, Flash> = {
      created: { kind: 'ok', title: 'Connection created.', text: 'Copy its installation access token below. It can read nothing until pages are shared with it (Content access tab).' },
      caps: { kind: 'ok', text: 'Capabilities saved. The token did not change.' },
      shared: { kind: 'ok', text: 'Access saved.' },
      added: { kind: 'ok', text: 'Connection added. It can now access this page and all of its child pages.' },
      removed: { kind: 'ok', text: 'Connection removed.' },
      unchanged: { kind: 'ok', text: 'Nothing changed.' },
      restored: { kind: 'ok', text: 'This page inherits its parent’s access again.' },
    }
    return ok ? (messages[ok] ?? null) : null
  }

  /** Errors: signed-out visitors go to sign-in; refusals render with the service's message. */
  app.onError(async (err, c) => {
    if (err instanceof DomainError) {
      if (err.code === 'unauthorized' && !c.get('user')) {
        if (c.req.method === 'GET') return c.redirect(`/login?next=${encodeURIComponent(c.req.path + (new URL(c.req.url).search ?? ''))}`, 303)
        return c.redirect('/login', 303)
      }
      const title = err.code === 'not_found' ? 'Not found' : err.code === 'forbidden' ? 'Not allowed' : 'Something is wrong'
      const body = errorBody(err.status, title, err.message, c.req.header('referer') ? null : '/')
      if (c.get('user')) {
        const inPages = c.req.path.startsWith('/w')
        const inSettings = c.req.path.startsWith('/settings')
        const sidebar = inPages || inSettings ? html`<nav aria-label="Pages"><a class="item" href="/">← Back to your pages</a></nav>` : developersSidebar(c.req.path.startsWith('/developers/tokens') ? 'tokens' : 'connections')
        return render(c, err.status, title, inPages ? 'pages' : inSettings ? 'settings' : 'developers', sidebar, body)
      }
      return c.html(bare(title, body), err.status as 400)
    }
    if (err instanceof HTTPException && err.status === 403) {
      // hono/csrf: the form was posted from another origin.
      return c.html(bare('Not allowed', errorBody(403, 'Not allowed', 'This form was sent from another site, so Octavo refused it. Open the portal directly and try again.', '/')), 403)
    }
    deps.logger.error({ requestId: c.get('requestId'), err: { name: err.name, message: err.message, stack: err.stack } }, 'portal error')
    return c.html(bare('Error', errorBody(500, 'Something went wrong', 'Octavo could not complete this request. The error is in the server log.', '/')), 500)
  })

  // ------------------------------------------------------------------------------------------
  // Sign in and out

  const demoPeople = async (): Promise<DemoPerson[] | null> => {
    if (!opts.demo) return null
    const ws = (await listWorkspaces(deps.store.db)).find((w) => w.name === DEMO_WORKSPACE_NAME)
    if (!ws) return null
    const emails = new Set<string>(DEMO_PEOPLE.map((p) => p.email))
    const out: DemoPerson[] = []
    for (const m of await listMembers(deps.store.db, ws.id)) {
      // Only the seeded people, and only while they have no password of their own.
      if (m.email && emails.has(m.email) && !(await hasPassword(deps, m.id))) out.push({ id: m.id, name: m.name ?? m.email, email: m.email, role: m.role })
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
      return again(429, { kind: 'error', title: 'Too many failed attempts.', text: `Sign-in for this e-mail is paused for ${Math.ceil(wait / 60)} minute(s). Try again later, or ask an administrator to reset your password.` })
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

  // ------------------------------------------------------------------------------------------
  // Developer portal → Build → Internal connections

  app.get('/developers', (c) => c.redirect('/developers/connections', 303))

  app.get('/developers/connections', async (c) => {
    const u = user(c)
    const workspaces: WorkspaceConnections[] = []
    for (const w of await workspacesOf(deps, u.id)) {
      try {
        const list = await listConnections(deps, w.id, u.id)
        const creators = new Map<string, string | null>()
        for (const conn of list) if (!creators.has(conn.created_by)) creators.set(conn.created_by, (await findUser(deps.store.db, conn.created_by))?.name ?? null)
        workspaces.push({ id: w.id, name: w.name, role: w.role, refusal: null, connections: list.map((x) => ({ ...x, creator: creators.get(x.created_by) ?? null })) })
      } catch (e) {
        if (!(e instanceof DomainError) || e.code !== 'forbidden') throw e
        workspaces.push({ id: w.id, name: w.name, role: w.role, connections: null, refusal: e.message })
      }
    }
    return render(c, 200, 'Internal connections', 'developers', developersSidebar('connections'), connectionsListView({ workspaces, flash: flashFromQuery(c) }))
  })

  const newForm = async (c: PortalContext, status: number, values: { selected: string; name: string; icon: string }, flash: Flash | null) => {
    const u = user(c)
    const workspaces = await workspacesOf(deps, u.id)
    const selected = values.selected || workspaces.find((w) => w.role === 'owner')?.id || workspaces[0]?.id || ''
    return render(c, status, 'New connection', 'developers', developersSidebar('connections'), newConnectionView({ workspaces, ...values, selected, csrf: c.get('csrf'), flash }))
  }
  app.get('/developers/connections/new', (c) => newForm(c, 200, { selected: c.req.query('workspace') ?? '', name: '', icon: '' }, null))

  app.post('/developers/connections', async (c) => {
    const u = user(c)
    const f = await form(c)
    const values = { selected: one(f, 'workspace_id'), name: one(f, 'name'), icon: one(f, 'icon').trim() }
    try {
      const ws = uuid(values.selected, 'workspace')
      if (!(await workspacesOf(deps, u.id)).some((w) => w.id === ws)) throw new DomainError('not_found', 'You are not a member of that workspace.')
      const created = await createConnection(deps, { workspaceId: ws, actorId: u.id, name: values.name, icon: values.icon || null })
      return c.redirect(`/developers/connections/${created.connection.id}?done=created`, 303)
    } catch (e) {
      if (!(e instanceof DomainError)) throw e
      return newForm(c, e.status, values, { kind: 'error', title: 'The connection was not created.', text: e.message })
    }
  })

  /** A connection and its workspace name, for an owner (getConnection enforces it). */
  const loadConnection = async (c: PortalContext) => {
    const u = user(c)
    const id = uuid(c.req.param('id'), 'connection')
    const conn = await getConnection(deps, id, u.id)
    const ws = (await workspacesOf(deps, u.id)).find((w) => w.id === conn.workspace_id)
    return { u, conn, header: { id: conn.id, name: conn.name, icon: conn.icon, workspaceName: ws?.name ?? '' } }
  }

  const configuration = async (c: PortalContext, status: number, token: string | null, flash: Flash | null) => {
    const { conn, header } = await loadConnection(c)
    const body = configurationView({
      connection: header,
      capabilities: conn.capabilities,
      tokenHint: conn.token_hint,
      token,
      confirmRefresh: c.req.method === 'GET' && c.req.query('confirm') === 'refresh',
      csrf: c.get('csrf'),
      flash,
    })
    return render(c, status, conn.name, 'developers', developersSidebar('connections'), body)
  }
  app.get('/developers/connections/:id', (c) => configuration(c, 200, null, flashFromQuery(c)))

  app.post('/developers/connections/:id/token/reveal', async (c) => {
    const f = await form(c)
    const { u, conn } = await loadConnection(c)
    const token = await revealToken(deps, conn.id, u.id)
    if (c.req.header('accept')?.includes('application/json')) return c.json({ token })
    return configuration(c, 200, token, one(f, 'then') === 'copy' ? { kind: 'ok', text: 'Select the token and copy it.' } : null)
  })

  app.post('/developers/connections/:id/token/refresh', async (c) => {
    await form(c)
    const { u, conn } = await loadConnection(c)
    const token = await refreshToken(deps, conn.id, u.id)
    return configuration(c, 200, token, { kind: 'warn', title: 'New token issued.', text: 'The previous token stopped working. Give this one to every script that used the old one.' })
  })

  app.post('/developers/connections/:id/capabilities', async (c) => {
    const f = await form(c)
    const { u, conn } = await loadConnection(c)
    const patch = capabilitiesFromForm(f)
    await updateCapabilities(deps, conn.id, u.id, patch)
    return c.redirect(`/developers/connections/${conn.id}?done=caps`, 303)
  })

  const sharesWithNames = async (connectionId: string, actorId: string) => {
    const shares = await listConnectionShares(deps, connectionId, actorId)
    const names = new Map<string, string | null>()
    for (const s of shares) if (!names.has(s.granted_by)) names.set(s.granted_by, (await findUser(deps.store.db, s.granted_by))?.name ?? null)
    return shares.map((s) => ({ ...s, granted_by_name: names.get(s.granted_by) ?? null }))
  }

  app.get('/developers/connections/:id/content', async (c) => {
    const { u, conn, header } = await loadConnection(c)
    const shares = await sharesWithNames(conn.id, u.id)
    const body = contentAccessView({ connection: header, workspaceId: conn.workspace_id, shares, csrf: c.get('csrf'), flash: flashFromQuery(c) })
    return render(c, 200, `${conn.name} · Content access`, 'developers', developersSidebar('connections'), body)
  })

  // Edit access lists only the pages the owner may add the connection to (full access: Notion's page
  // menu rule, decideConnectionShare); "included through" still names any shared ancestor they can see.
  const picker = async (c: PortalContext, status: number, flash: Flash | null) => {
    const { u, conn, header } = await loadConnection(c)
    const tree = await connectablePageTree(deps, conn.workspace_id, u.id)
    const seen = await visiblePageTree(deps, conn.workspace_id, u.id)
    const shares = await listConnectionShares(deps, conn.id, u.id)
    const direct = new Set(shares.map((s) => s.page_id))
    const byId = new Map(seen.map((n) => [n.id, n]))
    const coveredBy = new Map<string, string>()
    for (const n of tree) {
      for (let p = n.parent_id; p; p = byId.get(p)?.parent_id ?? null) {
        if (direct.has(p)) {
          coveredBy.set(n.id, byId.get(p)?.title || 'Untitled')
          break
        }
      }
    }
    const body = pagePickerView({ connection: header, tree, direct, coveredBy, q: c.req.query('q') ?? '', csrf: c.get('csrf'), flash })
    return render(c, status, `${conn.name} · Edit access`, 'developers', developersSidebar('connections'), body)
  }
  app.get('/developers/connections/:id/content/edit', (c) => picker(c, 200, null))

  app.post('/developers/connections/:id/content', async (c) => {
    const f = await form(c)
    const { u, conn } = await loadConnection(c)
    const listed = new Set(many(f, 'listed').map((id) => uuid(id, 'page')))
    const wanted = new Set(many(f, 'page').map((id) => uuid(id, 'page')).filter((id) => listed.has(id)))
    const current = new Set((await listConnectionShares(deps, conn.id, u.id)).map((s) => s.page_id))
    let changes = 0
    try {
      // The form may name any page id: refuse the whole change, before any write, unless every listed
      // page is one the picker offers (the services check each page again).
      const offered = new Set((await connectablePageTree(deps, conn.workspace_id, u.id)).map((n) => n.id))
      if ([...listed].some((id) => !offered.has(id))) throw new DomainError('forbidden', NEEDS_FULL_ACCESS_MESSAGE)
      for (const id of wanted) if (!current.has(id)) (await shareWithConnection(deps, conn.id, id, u.id), changes++)
      for (const id of listed) if (current.has(id) && !wanted.has(id)) ((await unshareFromConnection(deps, conn.id, id, u.id)).removed && changes++)
    } catch (e) {
      if (!(e instanceof DomainError)) throw e
      return picker(c, e.status, { kind: 'error', title: changes ? 'Some changes were saved, then one was refused.' : 'Access was not changed.', text: e.message })
    }
    return c.redirect(`/developers/connections/${conn.id}/content?done=${changes ? 'shared' : 'unchanged'}`, 303)
  })

  app.post('/developers/connections/:id/content/:page/remove', async (c) => {
    await form(c)
    const { u, conn } = await loadConnection(c)
    await unshareFromConnection(deps, conn.id, uuid(c.req.param('page'), 'page'), u.id)
    return c.redirect(`/developers/connections/${conn.id}/content?done=removed`, 303)
  })

  // ------------------------------------------------------------------------------------------
  // Pages

  app.get('/w', async (c) => {
    user(c)
    return c.redirect(`/w/${uuid(c.req.query('workspace'), 'workspace')}`, 303)
  })

  app.get('/w/:ws', async (c) => {
    const u = user(c)
    const ws = uuid(c.req.param('ws'), 'workspace')
    const workspaces = await choices(u)
    const current = workspaces.find((w) => w.id === ws)
    if (!current) throw new DomainError('not_found', 'This workspace does not exist, or you are not a member of it.')
    const tree = await visiblePageTree(deps, ws, u.id)
    if (tree[0]) return c.redirect(`/w/${ws}/pages/${tree[0].id}`, 303)
    return render(c, 200, current.name, 'pages', pagesSidebar({ workspaces, workspaceId: ws, tree, current: null }), emptyWorkspaceBody(current.name), ws)
  })

  const showPage = async (c: PortalContext, status: number, panelOverride: Panel | null, flash: Flash | null) => {
    const u = user(c)
    const ws = uuid(c.req.param('ws'), 'workspace')
    const pageId = uuid(c.req.param('id'), 'page')
    const page = await readPage(deps, u.id, pageId)
    if (page.node.workspace_id !== ws) return c.redirect(`/w/${page.node.workspace_id}/pages/${pageId}`, 303)
    let panel: Panel = panelOverride ?? { type: 'none' }
    if (!panelOverride) {
      const which = c.req.query('panel')
      if (which === 'connections') panel = { type: 'connections', list: await pageConnections(deps, u.id, pageId) }
      else if (which === 'share') panel = { type: 'share', share: await sharePanel(deps, u.id, pageId) }
      else if (which === 'add') {
        // Only someone who may add connections to this page sees the workspace's connections.
        const q = c.req.query('q') ?? ''
        try {
          const candidates = await connectionsToAdd(deps, u.id, pageId, q)
          const connected = new Set((await pageConnections(deps, u.id, pageId)).map((x) => x.install_id ?? x.connection_id))
          panel = { type: 'add', q, candidates, connected }
        } catch (e) {
          if (!(e instanceof DomainError) || e.code !== 'forbidden') throw e
          return showPage(c, e.status, { type: 'connections', list: await pageConnections(deps, u.id, pageId) }, { kind: 'error', title: 'You cannot add connections to this page.', text: e.message })
        }
      } else if (which === 'confirm') {
        // `connection=<id>` (internal) or `install=<id>` (an install of a public connection).
        const kind = c.req.query('install') !== undefined ? 'public' : 'internal'
        const cid = kind === 'public' ? uuid(c.req.query('install'), 'install') : uuid(c.req.query('connection'), 'connection')
        const found = (await connectionsToAdd(deps, u.id, pageId)).find((x) => x.kind === kind && x.id === cid)
        if (!found) throw new DomainError('not_found', 'No such connection in this workspace.')
        panel = { type: 'confirm', connection: found }
      }
    }
    const workspaces = await choices(u)
    const tree = await visiblePageTree(deps, ws, u.id)
    const body = pageView({
      workspaceId: ws,
      workspaceName: workspaces.find((w) => w.id === ws)?.name ?? '',
      page: { id: pageId, title: page.title, emoji: page.emoji, object: page.node.type === 'child_database' ? 'database' : 'page', blocks: page.blocks, truncated: page.truncated, ancestors: page.ancestors, rows: page.rows },
      panel,
      csrf: c.get('csrf'),
      flash,
    })
    return render(c, status, page.title || 'Untitled', 'pages', pagesSidebar({ workspaces, workspaceId: ws, tree, current: pageId }), body, ws)
  }
  app.get('/w/:ws/pages/:id', (c) => showPage(c, 200, null, flashFromQuery(c)))

  // The page's Share panel: people, group and workspace access (share.routes.ts).
  registerShareRoutes(app, deps, { user, form, uuid, showPage })

  /** A refused page action re-renders the Connections panel with the service's message. */
  const refusedOnPage = async (c: PortalContext, e: unknown, title: string) => {
    if (!(e instanceof DomainError) || e.code === 'not_found') throw e
    const u = user(c)
    const list = await pageConnections(deps, u.id, uuid(c.req.param('id'), 'page'))
    return showPage(c, e.status, { type: 'connections', list }, { kind: 'error', title, text: e.message })
  }

  app.post('/w/:ws/pages/:id/connections', async (c) => {
    const u = user(c)
    const f = await form(c)
    const pageId = uuid(c.req.param('id'), 'page')
    const cid = uuid(one(f, 'connection_id'), 'connection')
    try {
      const inWs = (await connectionsToAdd(deps, u.id, pageId)).some((x) => x.kind === 'internal' && x.id === cid)
      if (!inWs) throw new DomainError('not_found', 'No such connection in this workspace.')
      await shareWithConnection(deps, cid, pageId, u.id)
    } catch (e) {
      return refusedOnPage(c, e, 'The connection was not added.')
    }
    return c.redirect(`/w/${c.req.param('ws')}/pages/${pageId}?panel=connections&done=added#connections`, 303)
  })

  app.post('/w/:ws/pages/:id/connections/:cid/remove', async (c) => {
    const u = user(c)
    const f = await form(c)
    const pageId = uuid(c.req.param('id'), 'page')
    const cid = uuid(c.req.param('cid'), 'connection')
    const source = uuid(one(f, 'source_page_id'), 'page')
    try {
      // The person must see this page; the share is removed where it was granted (this page or an ancestor).
      const entry = (await pageConnections(deps, u.id, pageId)).find((x) => x.kind === 'internal' && x.connection_id === cid && x.source_page_id === source)
      if (!entry) throw new DomainError('not_found', 'That connection has no access to this page through that page any more.')
      await unshareFromConnection(deps, cid, source, u.id)
    } catch (e) {
      return refusedOnPage(c, e, 'The connection was not removed.')
    }
    return c.redirect(`/w/${c.req.param('ws')}/pages/${pageId}?panel=connections&done=removed#connections`, 303)
  })

  // An install of a public connection (OAuth) on a page: the same bot share as an internal connection,
  // through oauth.service.ts's setInstallPageShare (full access on the page needed; audited
  // oauth.page_shared|page_unshared).
  app.post('/w/:ws/pages/:id/installs', async (c) => {
    const u = user(c)
    const f = await form(c)
    const pageId = uuid(c.req.param('id'), 'page')
    const iid = uuid(one(f, 'install_id'), 'install')
    try {
      const inWs = (await connectionsToAdd(deps, u.id, pageId)).some((x) => x.kind === 'public' && x.id === iid)
      if (!inWs) throw new DomainError('not_found', 'No such connection in this workspace.')
      await setInstallPageShare(deps, iid, pageId, u.id, true)
    } catch (e) {
      return refusedOnPage(c, e, 'The connection was not added.')
    }
    return c.redirect(`/w/${c.req.param('ws')}/pages/${pageId}?panel=connections&done=added#connections`, 303)
  })

  app.post('/w/:ws/pages/:id/installs/:iid/remove', async (c) => {
    const u = user(c)
    const f = await form(c)
    const pageId = uuid(c.req.param('id'), 'page')
    const iid = uuid(c.req.param('iid'), 'install')
    const source = uuid(one(f, 'source_page_id'), 'page')
    try {
      // As for internal connections: the share is removed where it was granted (this page or an ancestor).
      const entry = (await pageConnections(deps, u.id, pageId)).find((x) => x.kind === 'public' && x.install_id === iid && x.source_page_id === source)
      if (!entry) throw new DomainError('not_found', 'That connection has no access to this page through that page any more.')
      await setInstallPageShare(deps, iid, source, u.id, false)
    } catch (e) {
      return refusedOnPage(c, e, 'The connection was not removed.')
    }
    return c.redirect(`/w/${c.req.param('ws')}/pages/${pageId}?panel=connections&done=removed#connections`, 303)
  })

  // Personal access tokens (Developer portal) and Settings & members: settings.routes.ts.
  registerSettingsRoutes(app, deps, { user, choices, render, form, uuid })

  // Unknown portal paths: a portal 404, not the API's invalid_request_url.
  for (const prefix of ['/w/*', '/developers/*', '/login/*', '/settings/*']) {
    app.all(prefix, () => {
      throw new DomainError('not_found', 'There is no such page in the portal.')
    })
  }

  return app
}
