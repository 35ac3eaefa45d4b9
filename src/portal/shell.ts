import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { csrf } from 'hono/csrf'
import { HTTPException } from 'hono/http-exception'
import { parseId } from '../domain/ids.js'
import { DomainError } from '../errors/domain-error.js'
import { createHostPolicy, type HostPolicy } from '../http/allowed-hosts.js'
import type { TooLarge } from '../http/middleware/body-limit.js'
import type { AttemptLimiterFactory } from '../rate-limit/attempts.js'
import type { Journal } from '../http/emulator/journal.js'
import type { FaultRule } from '../http/emulator/faults.js'
import type { Deps } from '../services/deps.js'
import { AuthorizePageError } from '../services/oauth/authorize.js'
import { workspacesOf } from '../services/portal.service.js'
import type { UserTable } from '../storage/database.js'
import { PORTAL_CSS, PORTAL_JS } from './assets.js'
import { readCheckedForm, type FormData } from './form.js'
import { sessionMiddleware, type PortalContext, type PortalEnv, type SessionOptions } from './session.js'
import { bare, layout, type Html, type WorkspaceChoice } from './views/layout.js'
import { authorizeErrorBody } from './views/oauth.js'
import { errorBody } from './views/screens.js'

/**
 * The portal's shell (docs/adr/0013-web-portal.md): everything a screen does not write itself.
 *
 * - Security headers on every portal response: CSP `'self'` (plus, on the consent screen, the redirect
 *   URI's origin in `form-action`), `frame-ancestors 'none'`, `X-Frame-Options: DENY`, `nosniff`,
 *   `Referrer-Policy: same-origin`, `Cache-Control: no-store` unless the handler set one; and the 413
 *   page (and its headers) of a form over the size limit, answered before the app (`portalTooLarge`).
 * - The Origin check of form posts: hono/csrf against the server's allowed origins
 *   (http/allowed-hosts.ts), never the request's Host.
 * - The session (cookie → person, and the person's CSRF token; session.ts) and the per-form CSRF check
 *   (`form`).
 * - The error page: a signed-out visitor is sent to `/login?next=…`; a refusal (DomainError) is shown
 *   with the service's message, inside the layout when someone is signed in; a cross-site form is a
 *   403 page; anything else is logged and a 500 page.
 * - The layout (`render`: header, workspace switcher, sidebar) and its stylesheet and script.
 *
 * Screens (sign-in.ts, pages/, developer-portal/, settings/, oauth/) register their routes on an area
 * the shell built (`portalArea`), with the shell's helpers; portal-app.ts lists the areas and screens.
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
  /** The request journal, for a connection's Requests tab (docs/emulator.md); absent → the tab is empty. */
  journal?: Journal
  /** The active fault rules, shown on the Requests tab. */
  faults?: () => FaultRule[]
}

/** The portal's Origin check for form posts: hono/csrf with the server's allowed origins, never the request's Host. */
export function portalOriginCheck(opts: PortalOptions): MiddlewareHandler<PortalEnv> {
  const hosts = opts.hosts ?? createHostPolicy({ publicUrl: opts.publicUrl })
  const check = csrf({ origin: (o) => hosts.allowsOrigin(o) })
  return async (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : check(c, next))
}

/**
 * The portal's security headers, set after the handler ran. `form-action` also admits the origin a
 * handler put in the context's `formAction` (the consent screen's redirect URI, so the browser follows
 * its 303); `Cache-Control` is `no-store` unless the handler chose one.
 */
export const portalHeaders: MiddlewareHandler<PortalEnv> = async (c, next) => {
  await next()
  const formAction = c.get('formAction' as never) as string | undefined
  c.header(
    'Content-Security-Policy',
    `default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'${formAction ? ` ${formAction}` : ''}; base-uri 'none'; object-src 'none'`,
  )
  c.header('X-Frame-Options', 'DENY')
  c.header('X-Content-Type-Options', 'nosniff')
  c.header('Referrer-Policy', 'same-origin')
  if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store')
}

/**
 * The portal's answer to a form over its size limit (`bodyLimiter`, run by the front door): its HTML error page,
 * status 413. Nothing of the form is read or kept.
 */
/**
 * The portal's answer to an address holding the NUL character (`%00`; `refuseNulInUrl` in app.ts, run by the front door): its
 * HTML error page, status 400.
 */
export function portalBadAddress(c: Context): Response | Promise<Response> {
  c.header('Content-Security-Policy', "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
  c.header('X-Content-Type-Options', 'nosniff')
  c.header('Cache-Control', 'no-store')
  return c.html(bare('Bad address', errorBody(400, 'Bad address', 'This address holds a character Octavo does not accept.', '/')), 400)
}

export const portalTooLarge: TooLarge = (c, maxBytes) => {
  c.header('Content-Security-Policy', "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
  c.header('X-Content-Type-Options', 'nosniff')
  c.header('Cache-Control', 'no-store')
  return c.html(
    bare(
      'Too large',
      errorBody(
        413,
        'Too large',
        `This form is larger than Octavo accepts (${Math.round(maxBytes / 1024)} KB). Go back and send less.`,
        '/',
      ),
    ),
    413,
  )
}

/** The top-level section a screen belongs to (the layout's header marks it). */
export type Section = 'pages' | 'developers' | 'settings'

/** What every screen gets from the shell. */
export interface PortalShell {
  deps: Deps
  opts: PortalOptions
  /** The session cookie's attributes (Secure and `__Host-` when the public URL is https). */
  sessionOpts: SessionOptions
  /** The signed-in person. @throws DomainError unauthorized (the error page sends them to sign-in) */
  user(c: PortalContext): UserTable
  /** The person's workspaces, for the switcher. */
  choices(u: UserTable): Promise<WorkspaceChoice[]>
  /** A page inside the layout, for the signed-in person. @throws DomainError unauthorized */
  render(
    c: PortalContext,
    status: number,
    title: string,
    section: Section,
    sidebar: Html,
    body: Html,
    workspaceId?: string | null,
  ): Promise<Response>
  /** Parses a form and checks its CSRF token. @throws DomainError unauthorized, forbidden */
  form(c: PortalContext): Promise<FormData>
  /** A path or form id as a UUID. @throws DomainError not_found (`No <what> with that id.`) */
  uuid(value: string | undefined, what: string): string
}

/** The shell's helpers for one portal (no I/O until a request comes). */
export function createShell(deps: Deps, opts: PortalOptions): PortalShell {
  const user = (c: PortalContext): UserTable => {
    const u = c.get('user')
    if (!u) throw new DomainError('unauthorized', 'Sign in to continue.')
    return u
  }
  const choices = async (u: UserTable): Promise<WorkspaceChoice[]> =>
    (await workspacesOf(deps, u.id)).map((w) => ({ id: w.id, name: w.name, role: w.role }))
  const render = async (
    c: PortalContext,
    status: number,
    title: string,
    section: Section,
    sidebar: Html,
    body: Html,
    workspaceId: string | null = null,
  ) => {
    const u = user(c)
    return c.html(
      layout({ title, user: u, csrf: c.get('csrf'), section, workspaces: await choices(u), workspaceId, sidebar, body }),
      status as 200,
    )
  }
  const form = async (c: PortalContext): Promise<FormData> => {
    user(c)
    return readCheckedForm(c)
  }
  const uuid = (value: string | undefined, what: string): string => {
    const id = parseId(value ?? '')
    if (!id) throw new DomainError('not_found', `No ${what} with that id.`)
    return id
  }
  return { deps, opts, sessionOpts: { secure: opts.publicUrl.startsWith('https:') }, user, choices, render, form, uuid }
}

/** How an area's error page looks (the areas differ only in these). */
export interface ErrorPageStyle {
  /** The error page's "back" link; null → the browser's history. */
  back(c: PortalContext): string | null
  /** The layout's section and sidebar around a refusal shown to a signed-in person; null → a bare page. */
  chrome(c: PortalContext): { section: Section; sidebar: Html } | null
  /** The text of the 403 page for a form posted from another origin. */
  crossSite: string
  /** The log line's message for an unexpected error. */
  logMessage: string
}

/** One area of the portal: the paths its headers, Origin check and session cover, and its error page. */
export interface PortalArea {
  paths: readonly string[]
  errors: ErrorPageStyle
}

/**
 * The error page. A signed-out visitor meeting `unauthorized` is redirected (303) to
 * `/login?next=<path and query>` (GET) or `/login`; another DomainError is a page with its status and
 * message (403 forbidden "Not allowed", 404 not_found "Not found", else "Something is wrong"); a bad
 * authorize link (AuthorizePageError) is a 400 page; hono/csrf's refusal of a cross-site form is a 403
 * page; anything else is logged (name, message, stack; never the request) and a 500 page.
 */
function errorPage(shell: PortalShell, style: ErrorPageStyle) {
  return async (err: Error, c: PortalContext): Promise<Response> => {
    if (err instanceof AuthorizePageError) return c.html(bare('Connection link error', authorizeErrorBody(err.message)), 400)
    if (err instanceof DomainError) {
      if (err.code === 'unauthorized' && !c.get('user')) {
        if (c.req.method === 'GET')
          return c.redirect(`/login?next=${encodeURIComponent(c.req.path + (new URL(c.req.url).search ?? ''))}`, 303)
        return c.redirect('/login', 303)
      }
      const title = err.code === 'not_found' ? 'Not found' : err.code === 'forbidden' ? 'Not allowed' : 'Something is wrong'
      const body = errorBody(err.status, title, err.message, style.back(c))
      const chrome = c.get('user') ? style.chrome(c) : null
      if (chrome) return shell.render(c, err.status, title, chrome.section, chrome.sidebar, body)
      return c.html(bare(title, body), err.status as 400)
    }
    if (err instanceof HTTPException && err.status === 403) {
      // hono/csrf: the form was posted from another origin.
      return c.html(bare('Not allowed', errorBody(403, 'Not allowed', style.crossSite, '/')), 403)
    }
    shell.deps.logger.error(
      { requestId: c.get('requestId'), err: { name: err.name, message: err.message, stack: err.stack } },
      style.logMessage,
    )
    return c.html(
      bare('Error', errorBody(500, 'Something went wrong', 'Octavo could not complete this request. The error is in the server log.', '/')),
      500,
    )
  }
}

/**
 * A Hono app for one area of the portal: the shell's headers, Origin check and session on each of
 * `area.paths` (registered per path, never `*`, so `/v1` and `/_octavo` stay untouched), its error
 * page, then the screens `register` adds, in that order.
 */
export function portalArea(shell: PortalShell, area: PortalArea, register: (app: Hono<PortalEnv>) => void): Hono<PortalEnv> {
  const app = new Hono<PortalEnv>({ strict: false })
  const origin = portalOriginCheck(shell.opts)
  const session = sessionMiddleware(shell.deps, shell.sessionOpts)
  for (const path of area.paths) {
    app.use(path, portalHeaders)
    app.use(path, origin)
    app.use(path, session)
  }
  app.onError(errorPage(shell, area.errors))
  register(app)
  return app
}

/** The layout's stylesheet and script (`/assets/portal.css|js`): cached an hour, outside the session. */
export function portalAssets(app: Hono<PortalEnv>): void {
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
}
