import { requireId } from '../../domain/ids.js'
import { readJsonBody } from '../../http/body.js'
import { parseWith } from '../../domain/validation.js'
import type { AppContext } from '../../http/context.js'
import type { Deps } from '../../services/deps.js'
import type { RouteSpec } from '../router.js'
import { CreatePageBody, MovePageBody, UpdatePageBody } from './pages.schemas.js'
import { createPage, getPage, movePage, updatePage } from './pages.service.js'
import { createPageAsync } from './page-async.js'

/** `filter_properties`, repeated (`?filter_properties=a&filter_properties=b`, what the SDK sends) or bracketed. */
export function filterPropertiesOf(c: AppContext): string[] | undefined {
  // Most reads carry no query string: parsing it twice would cost more than the page's presenter.
  if (!c.req.url.includes('?')) return undefined
  const list = [...(c.req.queries('filter_properties') ?? []), ...(c.req.queries('filter_properties[]') ?? [])]
  return list.length > 0 ? list : undefined
}

/** `/v1/pages` routes (SDK `pages.create|retrieve|update|move`); see pages.service.ts for the rules. */
export function pagesRoutes(deps: Deps): RouteSpec[] {
  return [
    {
      method: 'post',
      path: '/pages',
      endpoint: 'pages.create',
      schemas: { body: CreatePageBody },
      handler: async (c, ctx) => {
        const body = parseWith(CreatePageBody, await readJsonBody(c), 'body')
        // `allow_async` with `markdown`: answered 202 with an async_task (page-async.ts, ADR 27).
        return body.allow_async === true && body.markdown !== undefined ? createPageAsync(deps, ctx, body) : createPage(deps, ctx, body)
      },
    },
    {
      method: 'get',
      path: '/pages/:page_id',
      endpoint: 'pages.retrieve',
      handler: async (c, ctx) => getPage(deps, ctx, requireId(c.req.param('page_id'), 'page_id'), filterPropertiesOf(c)),
    },
    {
      method: 'patch',
      path: '/pages/:page_id',
      endpoint: 'pages.update',
      schemas: { body: UpdatePageBody },
      handler: async (c, ctx) => {
        const id = requireId(c.req.param('page_id'), 'page_id')
        return updatePage(deps, ctx, id, parseWith(UpdatePageBody, await readJsonBody(c), 'body'))
      },
    },
    {
      method: 'post',
      path: '/pages/:page_id/move',
      endpoint: 'pages.move',
      schemas: { body: MovePageBody },
      handler: async (c, ctx) => {
        const id = requireId(c.req.param('page_id'), 'page_id')
        return movePage(deps, ctx, id, parseWith(MovePageBody, await readJsonBody(c), 'body'))
      },
    },
  ]
}
