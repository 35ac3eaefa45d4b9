import type { Deps } from '../../services/deps.js'
import type { RouteSpec } from '../router.js'

/** `POST /v1/search` (SDK `search`). */
export function searchRoutes(_deps: Deps): RouteSpec[] {
  return []
}
