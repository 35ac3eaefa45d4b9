import { Hono } from 'hono'
import { html } from 'hono/html'
import { DomainError } from '../errors/domain-error.js'
import type { Deps } from '../services/deps.js'
import { internalConnections } from './developer-portal/internal-connections.js'
import { connectionWebhooks, publicConnectionWebhooks } from './developer-portal/webhooks.js'
import { personalAccessTokens } from './developer-portal/personal-access-tokens.js'
import { publicConnections } from './developer-portal/public-connections.js'
import { oauthConsent } from './oauth/consent.js'
import { pageConnectionsPanel } from './pages/connections.js'
import { page } from './pages/page.js'
import { pageShare } from './pages/share.js'
import type { PortalEnv } from './session.js'
import { settingsAuditLog } from './settings/audit-log.js'
import { settingsConnections } from './settings/connections.js'
import { settingsGroups } from './settings/groups.js'
import { settingsEmojis } from './settings/emojis.js'
import { settingsMembers } from './settings/members.js'
import { workspaceSettings } from './settings/workspace-settings.js'
import { createShell, portalArea, portalAssets, type PortalArea, type PortalOptions } from './shell.js'
import { signIn } from './sign-in.js'
import { developersSidebarWithPublic } from './views/oauth.js'
import { developersSidebar } from './views/screens.js'

export type { PortalOptions } from './shell.js'

/**
 * The web portal (issue 5; docs/adr/0013-web-portal.md), served by the same process at `/`: one shell
 * (shell.ts: headers, Origin check, session, CSRF, error page, layout) and one file per screen or
 * family of screens, named after what the person sees. Server-rendered HTML; one stylesheet and one
 * small script from the app itself. Every action calls the same service functions as the API, the
 * admin API and the CLI, so the same rules apply and a refusal shows the service's own message.
 *
 * Routes are registered per path (never `*`), so `/v1` and `/_octavo` are untouched: unknown paths
 * outside the portal's prefixes still get the API's 400 `invalid_request_url`.
 */

/**
 * The OAuth browser side (ADR 14): the consent screen at `/v1/oauth/authorize` and Developer portal →
 * Public connections. Mounted first; its error page links back to Public connections and shows a
 * refusal on the consent screen without the layout.
 */
const OAUTH_AREA: PortalArea = {
  paths: ['/v1/oauth/authorize', '/developers/public-connections', '/developers/public-connections/*', '/developers/installs/*'],
  errors: {
    back: () => '/developers/public-connections',
    chrome: (c) => (c.req.path.startsWith('/v1/') ? null : { section: 'developers', sidebar: developersSidebarWithPublic('public') }),
    crossSite: 'This form was sent from another site, so Octavo refused it. Open the page directly and try again.',
    logMessage: 'oauth portal error',
  },
}

/** Everything else: sign-in, Pages, the Developer portal's internal connections and tokens, Settings. */
const PORTAL_AREA: PortalArea = {
  paths: ['/', '/login', '/login/*', '/logout', '/w', '/w/*', '/developers', '/developers/*', '/settings', '/settings/*'],
  errors: {
    back: (c) => (c.req.header('referer') ? null : '/'),
    chrome: (c) => {
      const inPages = c.req.path.startsWith('/w')
      const inSettings = c.req.path.startsWith('/settings')
      const sidebar =
        inPages || inSettings
          ? html`<nav aria-label="Pages"><a class="item" href="/">← Back to your pages</a></nav>`
          : developersSidebar(c.req.path.startsWith('/developers/tokens') ? 'tokens' : 'connections')
      return { section: inPages ? 'pages' : inSettings ? 'settings' : 'developers', sidebar }
    },
    crossSite: 'This form was sent from another site, so Octavo refused it. Open the portal directly and try again.',
    logMessage: 'portal error',
  },
}

/** Unknown portal paths: a portal 404, not the API's invalid_request_url. */
function unknownPortalPaths(app: Hono<PortalEnv>): void {
  for (const prefix of ['/w/*', '/developers/*', '/login/*', '/settings/*']) {
    app.all(prefix, () => {
      throw new DomainError('not_found', 'There is no such page in the portal.')
    })
  }
}

/**
 * The portal's Hono app, mounted at `/` by createApp (app.ts): its two areas, each with the shell's
 * middleware on its paths and its error page, and the screens in registration order (a static path
 * like `/developers/connections/new` before `/developers/connections/:id`; the 404 fallbacks last).
 */
export function portalApp(deps: Deps, opts: PortalOptions): Hono<PortalEnv> {
  const shell = createShell(deps, opts)
  const oauth = portalArea(shell, OAUTH_AREA, (app) => {
    oauthConsent(app, shell)
    publicConnections(app, shell)
    publicConnectionWebhooks(app, shell)
  })
  const portal = portalArea(shell, PORTAL_AREA, (app) => {
    portalAssets(app)
    signIn(app, shell)
    internalConnections(app, shell)
    connectionWebhooks(app, shell)
    const showPage = page(app, shell)
    pageShare(app, shell, showPage)
    pageConnectionsPanel(app, shell, showPage)
    personalAccessTokens(app, shell)
    const settings = workspaceSettings(app, shell)
    settingsConnections(app, shell, settings)
    settingsMembers(app, shell, settings)
    settingsGroups(app, shell, settings)
    settingsAuditLog(app, shell, settings)
    settingsEmojis(app, shell, settings)
    unknownPortalPaths(app)
  })
  return new Hono<PortalEnv>({ strict: false }).route('/', oauth).route('/', portal)
}
