import type { Deps } from '../services/deps.js'
import { blocksRoutes } from './blocks/blocks.routes.js'
import { commentsRoutes } from './comments/comments.routes.js'
import { dataSourcesRoutes } from './data-sources/data-sources.routes.js'
import { databasesRoutes } from './databases/databases.routes.js'
import { oauthApiRoutes } from './oauth.routes.js'
import { pagesRoutes } from './pages/pages.routes.js'
import { pageMarkdownRoutes } from './pages/page-markdown.routes.js'
import type { RouteData, RouteSpec } from './router.js'
import { searchRoutes } from './search/search.routes.js'
import { usersRoutes } from './users/users.routes.js'
import { viewsRoutes } from './views/views.routes.js'
import { fileUploadsRoutes } from './file-uploads/file-uploads.routes.js'
import { asyncTasksRoutes } from './async-tasks/async-tasks.routes.js'
import { meetingNotesRoutes } from './blocks/meeting-notes.routes.js'
import { customEmojisRoutes } from './custom-emojis/custom-emojis.routes.js'

/** Every `/v1` route, by resource (named like the SDK's `api-endpoints/*`). */
export function apiRoutes(deps: Deps): RouteSpec[] {
  return [
    ...usersRoutes(deps),
    ...pagesRoutes(deps),
    ...meetingNotesRoutes(deps),
    ...blocksRoutes(deps),
    ...searchRoutes(deps),
    ...commentsRoutes(deps),
    ...databasesRoutes(deps),
    ...dataSourcesRoutes(deps),
    ...viewsRoutes(deps),
    ...pageMarkdownRoutes(deps),
    ...fileUploadsRoutes(deps),
    ...asyncTasksRoutes(deps),
    ...customEmojisRoutes(deps),
  ]
}

/**
 * How a `/v1` route authenticates, which also decides its error shape:
 * - `bearer`: a connection token, PAT or OAuth access token (api/router.ts); Notion's error envelope;
 * - `client`: HTTP Basic client credentials (api/oauth.routes.ts); RFC 6749 `{error, error_description}`;
 * - `session`: the portal's sign-in cookie, a browser page (portal/oauth/consent.ts); HTML or redirects.
 */
export type RouteAuth = 'bearer' | 'client' | 'session'

/** A `/v1` route as data (`RouteData`, so no handler) with its authentication; `versions` always set. */
export type RouteInfo = RouteData & { versions: NonNullable<RouteData['versions']>; auth: RouteAuth }

/**
 * `/v1` routes that are not API endpoints: the OAuth consent page (Notion's
 * `https://api.notion.com/v1/oauth/authorize`), registered by portal/oauth/consent.ts.
 */
const browserRoutes: RouteData[] = (['get', 'post'] as const).map((method) => ({
  method,
  path: '/oauth/authorize',
  endpoint: null,
  reason: 'OAuth consent page for browsers (signed-in person, HTML form), not an API endpoint; served by portal/oauth/consent.ts',
}))

/**
 * Stand-in for `Deps` while only the route tables are read: any property read gives the stand-in
 * again, and calling it throws, so route builders that keep references (e.g. `deps.store.db`) work
 * while no handler can run.
 */
const inertDeps: Deps = new Proxy(() => {}, {
  get: (_target, key) => (key === 'then' ? undefined : inertDeps),
  apply: () => {
    throw new Error('listRoutes(): route handlers cannot run without real Deps')
  },
}) as unknown as Deps

/**
 * Every `/v1` route Octavo mounts, as data, without a server or store: the bearer routes of
 * `apiRoutes` (handlers dropped), the OAuth client endpoints and the OAuth consent page, in that
 * order. `versions` defaults to `'all'`. Used by scripts/api-coverage.ts (docs/api-coverage.md) and
 * by tests that enumerate routes; test/docs/api-coverage.test.ts checks it against the app's router.
 */
export function listRoutes(): RouteInfo[] {
  const strip = ({ handler: _h, ...data }: RouteSpec): RouteData => data
  return [
    ...apiRoutes(inertDeps).map((r) => ({ ...strip(r), versions: r.versions ?? 'all', auth: 'bearer' as const })),
    ...oauthApiRoutes.map(({ run: _run, ...r }) => ({ ...r, versions: r.versions ?? 'all', auth: 'client' as const })),
    ...browserRoutes.map((r) => ({ ...r, versions: r.versions ?? 'all', auth: 'session' as const })),
  ]
}
