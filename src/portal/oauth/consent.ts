import type { Hono } from 'hono'
import { parseId } from '../../domain/ids.js'
import { DomainError } from '../../errors/domain-error.js'
import { capabilitiesOf } from '../../permissions/capabilities.js'
import { approve, checkAuthorizeRequest, denyRedirect, templateAvailable, type AuthorizeRequest } from '../../services/oauth/authorize.js'
import { connectablePageTree, workspacesOf } from '../../services/portal.service.js'
import { describeCapabilities } from '../../services/public-connections.service.js'
import { findWorkspace } from '../../storage/repositories/workspaces.repository.js'
import { many, one } from '../form.js'
import type { PortalContext, PortalEnv } from '../session.js'
import type { PortalShell } from '../shell.js'
import { bare } from '../views/layout.js'
import { consentView, type OAuthFlash } from '../views/oauth.js'

/**
 * The OAuth consent screen (issue 8; docs/adr/0014-oauth-public-connections.md), a portal page at the
 * API's address:
 *
 * - `GET /v1/oauth/authorize` — docs/reference/notion-api.md §7.1. Validates the request (a bad
 *   `client_id`, `redirect_uri` or `response_type` is a plain 400 page, never a redirect: the shell's
 *   error page shows the AuthorizePageError), sends a signed-out visitor to `/login` and back, then
 *   shows the consent screen.
 * - `POST /v1/oauth/authorize` (CSRF token + Origin check) is Allow (303 to `redirect_uri?code&state`)
 *   or Cancel (303 to `redirect_uri?error=access_denied&state`). The CSP's `form-action` admits the
 *   redirect URI's origin (the context's `formAction`, read by the shell's headers), so the browser
 *   follows that 303.
 */

/** Registers `GET|POST /v1/oauth/authorize`. */
export function oauthConsent(app: Hono<PortalEnv>, s: PortalShell): void {
  const { deps, user, form } = s

  const AUTHORIZE_PARAMS = [
    'client_id',
    'redirect_uri',
    'response_type',
    'owner',
    'state',
    'code_challenge',
    'code_challenge_method',
  ] as const
  const paramsOf = (src: Record<string, string | undefined>) => {
    const out: Record<string, string> = {}
    for (const k of AUTHORIZE_PARAMS) if (src[k] !== undefined) out[k] = src[k] as string
    return out
  }
  const allowRedirectTo = (c: PortalContext, uri: string) => c.set('formAction' as never, new URL(uri).origin as never)

  const consent = async (
    c: PortalContext,
    status: number,
    request: AuthorizeRequest,
    params: Record<string, string>,
    wanted: string | undefined,
    flash: OAuthFlash | null,
  ) => {
    const u = user(c)
    const workspaces = await workspacesOf(deps, u.id)
    if (workspaces.length === 0)
      throw new DomainError('forbidden', 'You are not a member of any workspace, so there is nothing to connect.')
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
    const pageIds = many(f, 'page')
      .map((p) => parseId(p))
      .filter((p): p is string => p !== undefined)
    try {
      const to = await approve(deps, {
        request: check.request,
        userId: u.id,
        workspaceId,
        pageIds,
        duplicateTemplate: one(f, 'template') === 'on',
      })
      return c.redirect(to, 303)
    } catch (e) {
      if (!(e instanceof DomainError) || e.code === 'unauthorized') throw e
      return consent(c, e.status, check.request, params, workspaceId, { kind: 'error', title: 'Nothing was shared.', text: e.message })
    }
  })
}
