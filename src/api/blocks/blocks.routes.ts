import type { Deps } from '../../services/deps.js'
import type { RouteSpec } from '../router.js'

/** Blocks endpoints (SDK `blocks.*`). */
export function blocksRoutes(_deps: Deps): RouteSpec[] {
  return []
}
