import type { Deps } from '../../services/deps.js'
import type { RouteSpec } from '../router.js'

/** Data-source endpoints (SDK `dataSources.*`, 2025-09-03 and later), and the page property item endpoint. */
export function dataSourcesRoutes(_deps: Deps): RouteSpec[] {
  return []
}
