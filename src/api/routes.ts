import type { Deps } from '../services/deps.js'
import { blocksRoutes } from './blocks/blocks.routes.js'
import { commentsRoutes } from './comments/comments.routes.js'
import { dataSourcesRoutes } from './data-sources/data-sources.routes.js'
import { databasesRoutes } from './databases/databases.routes.js'
import { pagesRoutes } from './pages/pages.routes.js'
import type { RouteSpec } from './router.js'
import { searchRoutes } from './search/search.routes.js'
import { usersRoutes } from './users/users.routes.js'

/** Every `/v1` route, by resource (named like the SDK's `api-endpoints/*`). */
export function apiRoutes(deps: Deps): RouteSpec[] {
  return [
    ...usersRoutes(deps),
    ...pagesRoutes(deps),
    ...blocksRoutes(deps),
    ...searchRoutes(deps),
    ...commentsRoutes(deps),
    ...databasesRoutes(deps),
    ...dataSourcesRoutes(deps),
  ]
}
