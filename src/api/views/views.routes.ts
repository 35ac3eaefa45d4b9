import { readJsonBody } from '../../http/body.js'
import { requireId } from '../../domain/ids.js'
import { parseWith } from '../../domain/validation.js'
import type { Deps } from '../../services/deps.js'
import type { RouteSpec } from '../router.js'
import { CreateViewBody, CreateViewQueryBody, ListViewsQuery, UpdateViewBody, ViewQueryResultsQuery } from './views.schemas.js'
import {
  createView,
  createViewQuery,
  deleteView,
  deleteViewQuery,
  getView,
  listViews,
  updateView,
  viewQueryResults,
} from './views.service.js'

/**
 * The eight `/v1/views` endpoints (SDK 5.26 `views.*`, Notion-Version 2025-09-03 and later;
 * docs/reference/notion-api-2026.md §4); rules in views.service.ts.
 */
export function viewsRoutes(deps: Deps): RouteSpec[] {
  const viewId = (c: Parameters<RouteSpec['handler']>[0]) => requireId(c.req.param('view_id'), 'view_id')
  return [
    {
      method: 'get',
      path: '/views',
      versions: 'data_sources',
      endpoint: 'views.list',
      schemas: { query: ListViewsQuery },
      handler: async (c, ctx) => listViews(deps, ctx, parseWith(ListViewsQuery, c.req.query(), 'query')),
    },
    {
      method: 'post',
      path: '/views',
      versions: 'data_sources',
      endpoint: 'views.create',
      schemas: { body: CreateViewBody },
      handler: async (c, ctx) => createView(deps, ctx, parseWith(CreateViewBody, await readJsonBody(c), 'body')),
    },
    {
      method: 'get',
      path: '/views/:view_id',
      versions: 'data_sources',
      endpoint: 'views.retrieve',
      handler: async (c, ctx) => getView(deps, ctx, viewId(c)),
    },
    {
      method: 'patch',
      path: '/views/:view_id',
      versions: 'data_sources',
      endpoint: 'views.update',
      schemas: { body: UpdateViewBody },
      handler: async (c, ctx) => {
        const id = viewId(c)
        return updateView(deps, ctx, id, parseWith(UpdateViewBody, await readJsonBody(c), 'body'))
      },
    },
    {
      method: 'delete',
      path: '/views/:view_id',
      versions: 'data_sources',
      endpoint: 'views.delete',
      handler: async (c, ctx) => deleteView(deps, ctx, viewId(c)),
    },
    {
      method: 'post',
      path: '/views/:view_id/queries',
      versions: 'data_sources',
      endpoint: 'views.queries.create',
      schemas: { body: CreateViewQueryBody },
      handler: async (c, ctx) => {
        const id = viewId(c)
        return createViewQuery(deps, ctx, id, parseWith(CreateViewQueryBody, await readJsonBody(c), 'body'))
      },
    },
    {
      method: 'get',
      path: '/views/:view_id/queries/:query_id',
      versions: 'data_sources',
      endpoint: 'views.queries.results',
      schemas: { query: ViewQueryResultsQuery },
      handler: async (c, ctx) => {
        const id = viewId(c)
        const queryId = requireId(c.req.param('query_id'), 'query_id')
        return viewQueryResults(deps, ctx, id, queryId, parseWith(ViewQueryResultsQuery, c.req.query(), 'query'))
      },
    },
    {
      method: 'delete',
      path: '/views/:view_id/queries/:query_id',
      versions: 'data_sources',
      endpoint: 'views.queries.delete',
      handler: async (c, ctx) => deleteViewQuery(deps, ctx, viewId(c), requireId(c.req.param('query_id'), 'query_id')),
    },
  ]
}
