import { Hono, type MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { parseId } from '../domain/ids.js'
import { DomainError } from '../errors/domain-error.js'
import { capabilitiesOf } from '../permissions/capabilities.js'
import type { Deps } from '../services/deps.js'
import {
  AuthorizePageError,
  approve,
  checkAuthorizeRequest,
  denyRedirect,
  listOwnInstalls,
  listWorkspaceInstalls,
  removeInstall,
  templateAvailable,
  type AuthorizeRequest,
} from '../services/oauth.service.js'
import { connectablePageTree, workspacesOf } from '../services/portal.service.js'
import {
  deletePublicConnection,
  describeCapabilities,
  getPublicConnection,
  listPublicConnections,
  refreshClientSecret,
  registerPublicConnection,
  revealClientSecret,
} from '../services/public-connections.service.js'
import { findWorkspace } from '../storage/repositories/workspaces.repository.js'
import { portalOriginCheck, type PortalOptions } from './portal.routes.js'
import { sessionMiddleware, type PortalContext, type PortalEnv } from './session.js'
import { bare, layout, type Html } from './views/layout.js'
import {
  authorizeErrorBody,
  consentView,
  developersSidebarWithPublic,
  newPublicConnectionView,
  publicConnectionView,
  publicConnectionsView,
  type OAuthFlash,
} from './views/oauth.js'
import { errorBody } from './views/screens.js'
import { capabilitiesFromForm, many, one, readCheckedForm } from './form.js'

/**
 * The browser side of public connections (issue 8; docs/adr/0014-oauth-public-connections.md), mounted
 * next to the portal (same session cookie, CSRF token and security headers):
 *
 * - `GET /v1/oauth/authorize` — digest §7.1. Validates the request (a bad `client_id`, `redirect_uri` or
 *   `response_type` is a plain 400 page, never a redirect), sends a signed-out visitor to `/login` and
 *   back, then shows the consent screen. `POST /v1/oauth/authorize` (CSRF token + Origin check) is
 *   Allow (303 to `redirect_uri?code&state`) or Cancel (303 to `redirect_uri?error=access_denied&state`).
 *   The CSP's `form-action` admits the redirect URI's origin, so the browser follows that 303.
 * - `/developers/public-connections[/new|/:id]` — register, configure, reveal and refresh the client
 *   secret, delete; and the installs: the person's own, and every install of the workspaces they own,
 *   each removable (`POST /developers/installs/:id/remove`).
 */
export function oauthPortalRoutes(deps: Deps, opts: PortalOptions): Hono<PortalEnv> {
  const app = new Hono<PortalEnv>({ strict: false })
  const paths = ['/v1/oauth/authorize', '/developers/public-connections', '/developers/public-connections/*', '/developers/installs/*']
  const headers: MiddlewareHandler<PortalEnv> = async (c, next) => {
    await next()
    const formAction = c.get('formAction' as never) as string | undefined
    c.header('Content-Security-Policy', `default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'${formAction ? ` ${formAction}` : ''}; base-uri 'none'; object-src 'none'`)
    c.header('X-Frame-Options', 'DENY')
    c.header('X-Content-Type-Options', 'nosniff')
    c.header('Referrer-Policy', 'same-origin')
    c.header('Cache-Control', 'no-store')
  }
  const origin = portalOriginCheck(opts)
  const session = sessionMiddleware(deps, { secure: opts.publicUrl.startsWith('https:') })
  for (const path of paths) {
    app.use(path, headers)
    app.use(path, origin)
    app.use(path, session)
  }

  const user = (c: PortalContext) => {
    const u = c.get('user')
    if (!u) throw new DomainError('unauthorized', 'Sign in to continue.')
    return u
  }
  const form = async (c: PortalContext): Promise<Record<string, string | string[]>> => {
    user(c)
    return readCheckedForm(c)
  }
  const render = async (c: PortalContext, status: number, title: string, body: Html) => {
    const u = user(c)
    const workspaces = (await workspacesOf(deps, u.id)).map((w) => ({ id: w.id, name: w.name, role: w.role }))
    return c.html(layout({ title, user: u, csrf: c.get('csrf'), section: 'developers', workspaces, workspaceId: null, sidebar: developersSidebarWithPublic('public'), body }), status as 200)
  }

  app.onError(async (err, c) => {
    if (err instanceof AuthorizePageError) return c.html(bare('Connection link error', authorizeErrorBody(err.message)), 400)
    if (err instanceof DomainError) {
      if (err.code === 'unauthorized' && !c.get('user')) {
        if (c.req.method === 'GET') return c.redirect(`/login?next=${encodeURIComponent(c.req.path + (new URL(c.req.url).search ?? ''))}`, 303)
        return c.redirect('/login', 303)
      }
      const title = err.code === 'not_found' ? 'Not found' : err.code === 'forbidden' ? 'Not allowed' : 'Something is wrong'
      const body = errorBody(err.status, title, err.message, '/developers/public-connections')
      if (c.get('user') && !c.req.path.startsWith('/v1/')) return render(c, err.status, title, body)
      return c.html(bare(title, body), err.status as 400)
    }
    if (err instanceof HTTPException && err.status === 403) {
      return c.html(bare('Not allowed', errorBody(403, 'Not allowed', 'This form was sent from another site, so Octavo refused it. Open the page directly and try again.', '/')), 403)
    }
    deps.logger.error({ requestId: c.get('requestId'), err: { name: err.name, message: err.message, stack: err.stack } }, 'oauth portal error')
    return c.html(bare('Error', errorBody(500, 'Something went wrong', 'Octavo could not complete this request. The error is in the server log.', '/')), 500)
  })

  // ------------------------------------------------------------------------------------------
  // Authorize and consent

  const AUTHORIZE_PARAMS = ['client_id', 'redirect_uri', 'response_type', 'owner', 'state', 'code_challenge', 'code_challenge_method'] as const
  const paramsOf = (src: Record<string, string | undefined>) => {
    const out: Record<string, string> = {}
    for (const k of AUTHORIZE_PARAMS) if (src[k] !== undefined) out[k] = src[k] as string
    return out
  }
  const allowRedirectTo = (c: PortalContext, uri: string) => c.set('formAction' as never, new URL(uri).origin as never)

  const consent = async (c: PortalContext, status: number, request: AuthorizeRequest, params: Record<string, string>, wanted: string | undefined, flash: OAuthFlash | null) => {
    const u = user(c)
    const workspaces = await workspacesOf(deps, u.id)
    if (workspaces.length === 0) throw new DomainError('forbidden', 'You are not a member of any workspace, so there is nothing to connect.')
    const ws = workspaces.find((w) => w.id === wanted) ?? workspaces[0]
    if (!ws) throw new DomainError('forbidden', 'You are not a member of any workspace.')
    const tree = await connectablePageTree(deps, ws.id, u.id)
    const dev = await findWorkspace(deps.store.db, request.connection.workspace_id)
    allowRedirectTo(c, request.redirectUri)
    const body = consentView({
      connection: {
        name: request.connection.name,
        icon: request.connection.icon,
        capabilities: describeCapabilities(capabilitiesOf(request.connection)),
        developerWorkspace: dev?.name ?? 'another workspace',
        hasTemplate: request.connection.template_page_id !== null,
        templateAvailable: await templateAvailable(deps.store.db, request.connection),
      },
      user: { name: u.name, email: u.email },
      params,
      workspaces: workspaces.map((w) => ({ id: w.id, name: w.name })),
      workspaceId: ws.id,
      tree,
      csrf: c.get('csrf'),
      flash,
    })
    return c.html(bare(`Connect ${request.connection.name}`, body), status as 200)
  }

  app.get('/v1/oauth/authorize', async (c) => {
    const q = c.req.query()
    const check = await checkAuthorizeRequest(deps, q)
    if (!check.ok) return c.redirect(check.redirect, 302)
    user(c) // signed-out visitors go to /login?next=<this URL> (onError)
    return consent(c, 200, check.request, paramsOf(q), q.workspace, null)
  })

  app.post('/v1/oauth/authorize', async (c) => {
    const f = await form(c)
    const params = paramsOf(Object.fromEntries(AUTHORIZE_PARAMS.filter((k) => f[k] !== undefined).map((k) => [k, one(f, k)])))
    const check = await checkAuthorizeRequest(deps, params)
    if (!check.ok) return c.redirect(check.redirect, 303)
    allowRedirectTo(c, check.request.redirectUri)
    if (one(f, 'decision') !== 'allow') return c.redirect(denyRedirect(check.request), 303)
    const u = user(c)
    const workspaceId = parseId(one(f, 'workspace_id')) ?? ''
    const pageIds = many(f, 'page').map((p) => parseId(p)).filter((p): p is string => p !== undefined)
    try {
      const to = await approve(deps, { request: check.request, userId: u.id, workspaceId, pageIds, duplicateTemplate: one(f, 'template') === 'on' })
      return c.redirect(to, 303)
    } catch (e) {
      if (!(e instanceof DomainError) || e.code === 'unauthorized') throw e
      return consent(c, e.status, check.request, params, workspaceId, { kind: 'error', title: 'Nothing was shared.', text: e.message })
    }
  })

  // ------------------------------------------------------------------------------------------
  // Developer portal → Public connections

  const flashes: Record<string, OAuthFlash> = {
    removed: { kind: 'ok', text: 'Install removed. Its tokens stopped working and its bot lost access to every page.' },
    deleted: { kind: 'ok', text: 'Public connection deleted, with every install.' },
  }

  app.get('/developers/public-connections', async (c) => {
    const u = user(c)
    const workspaces = await workspacesOf(deps, u.id)
    const workspaceInstalls = []
    for (const w of workspaces.filter((x) => x.role === 'owner')) workspaceInstalls.push({ id: w.id, name: w.name, installs: await listWorkspaceInstalls(deps, w.id, u.id) })
    const body = publicConnectionsView({
      connections: await listPublicConnections(deps, u.id),
      ownInstalls: await listOwnInstalls(deps, u.id),
      workspaceInstalls,
      csrf: c.get('csrf'),
      flash: flashes[c.req.query('done') ?? ''] ?? null,
    })
    return render(c, 200, 'Public connections', body)
  })

  const newForm = async (c: PortalContext, status: number, values: { workspace: string; name: string; icon: string; redirect_uris: string; template: string }, flash: OAuthFlash | null) => {
    const u = user(c)
    const workspaces = (await workspacesOf(deps, u.id)).map((w) => ({ id: w.id, name: w.name, role: w.role }))
    return render(c, status, 'Register a public connection', newPublicConnectionView({ workspaces, values, csrf: c.get('csrf'), flash }))
  }
  app.get('/developers/public-connections/new', (c) => newForm(c, 200, { workspace: '', name: '', icon: '', redirect_uris: '', template: '' }, null))

  app.post('/developers/public-connections', async (c) => {
    const u = user(c)
    const f = await form(c)
    const values = { workspace: one(f, 'workspace_id'), name: one(f, 'name'), icon: one(f, 'icon').trim(), redirect_uris: one(f, 'redirect_uris'), template: one(f, 'template_page_id').trim() }
    try {
      const capabilities = capabilitiesFromForm(f, 'none')
      const ws = parseId(values.workspace)
      if (!ws || !(await workspacesOf(deps, u.id)).some((w) => w.id === ws)) throw new DomainError('not_found', 'You are not a member of that workspace.')
      let template: string | null = null
      if (values.template) {
        template = parseId(values.template) ?? null
        if (!template) throw new DomainError('invalid_input', 'The template page id is not a page id.')
      }
      const created = await registerPublicConnection(deps, { workspaceId: ws, actorId: u.id, name: values.name, icon: values.icon || null, redirectUris: values.redirect_uris.split(/\r?\n/), capabilities, templatePageId: template })
      return configure(c, 200, created.connection.id, created.client_secret, { kind: 'ok', title: 'Public connection registered.', text: 'Copy its client secret now, or reveal it again later here.' })
    } catch (e) {
      if (!(e instanceof DomainError) || e.code === 'unauthorized') throw e
      return newForm(c, e.status, values, { kind: 'error', title: 'The connection was not registered.', text: e.message })
    }
  })

  const idParam = (c: PortalContext) => {
    const id = parseId(c.req.param('id') ?? '')
    if (!id) throw new DomainError('not_found', 'No public connection with that id.')
    return id
  }
  const configure = async (c: PortalContext, status: number, id: string, secret: string | null, flash: OAuthFlash | null) => {
    const u = user(c)
    const conn = await getPublicConnection(deps, id, u.id)
    return render(c, status, conn.name, publicConnectionView({ connection: conn, capabilities: describeCapabilities(conn.capabilities), publicUrl: opts.publicUrl.replace(/\/$/, ''), secret, csrf: c.get('csrf'), flash }))
  }
  app.get('/developers/public-connections/:id', (c) => configure(c, 200, idParam(c), null, null))
  app.post('/developers/public-connections/:id/secret/reveal', async (c) => {
    await form(c)
    const secret = await revealClientSecret(deps, idParam(c), user(c).id)
    return configure(c, 200, idParam(c), secret, null)
  })
  app.post('/developers/public-connections/:id/secret/refresh', async (c) => {
    await form(c)
    const secret = await refreshClientSecret(deps, idParam(c), user(c).id)
    return configure(c, 200, idParam(c), secret, { kind: 'warn', title: 'New client secret issued.', text: 'The previous secret stopped working. Issued tokens keep working.' })
  })
  app.post('/developers/public-connections/:id/delete', async (c) => {
    await form(c)
    await deletePublicConnection(deps, idParam(c), user(c).id)
    return c.redirect('/developers/public-connections?done=deleted', 303)
  })
  app.post('/developers/installs/:id/remove', async (c) => {
    await form(c)
    const id = parseId(c.req.param('id') ?? '')
    if (!id) throw new DomainError('not_found', 'No install with that id.')
    await removeInstall(deps, id, user(c).id)
    return c.redirect('/developers/public-connections?done=removed', 303)
  })

  return app
}
