import type { Deps } from '../services/deps.js'
import { pagesRoutes } from './pages/pages.routes.js'
import type { RouteSpec } from './router.js'
import { usersRoutes } from './users/users.routes.js'

/** Every `/v1` route, by resource (named like the SDK's `api-endpoints/*`). */
export function apiRoutes(deps: Deps): RouteSpec[] {
  return [...usersRoutes(deps), ...pagesRoutes(deps)]
}
