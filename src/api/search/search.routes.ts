import { readJsonBody } from '../../http/body.js'
import type { Deps } from '../../services/deps.js'
import type { RouteSpec } from '../router.js'
import { parseSearchBody } from './search.schemas.js'
import { search } from './search.service.js'
import { filterPropertiesOf } from '../pages/pages.routes.js'

/** `POST /v1/search` (SDK `search`; docs/reference/notion-api.md §1.6, §2.14). No body, `{}`, or any valid body;
 * `filter_properties` (query, names or ids, repeatable) limits each page's properties (docs/reference/notion-api-2026.md §8.3). */
export function searchRoutes(deps: Deps): RouteSpec[] {
  return [
    {
      method: 'post',
      path: '/search',
      endpoint: 'search',
      handler: async (c, ctx) => search(deps, ctx, parseSearchBody(await readJsonBody(c), ctx.version), filterPropertiesOf(c)),
    },
  ]
}
