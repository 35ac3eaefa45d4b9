import type { Deps } from '../../services/deps.js'
import type { RouteSpec } from '../router.js'

/** Databases endpoints (SDK `databases.*`, and `POST /v1/databases/{id}/query` under 2022-06-28). */
export function databasesRoutes(_deps: Deps): RouteSpec[] {
  return []
}
