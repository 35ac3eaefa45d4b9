import type { Deps } from '../../services/deps.js'
import type { RouteSpec } from '../router.js'

/** Comments endpoints (SDK `comments.*`). */
export function commentsRoutes(_deps: Deps): RouteSpec[] {
  return []
}
