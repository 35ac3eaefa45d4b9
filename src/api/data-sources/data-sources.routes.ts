import { readJsonBody } from '../../http/body.js'
import { requireId } from '../../domain/ids.js'
import { parseWith } from '../../domain/validation.js'
import type { Deps } from '../../services/deps.js'
import { pagePropertyRoutes } from '../pages/page-properties.js'
import { filterPropertiesOf } from '../pages/pages.routes.js'
import type { RouteSpec } from '../router.js'
import { CreateDataSourceBody, ListTemplatesQuery, QueryDataSourceBody, UpdateDataSourceBody } from './data-sources.schemas.js'
import { createDataSource, getDataSource, listTemplates, queryDataSource, updateDataSource } from './data-sources.service.js'

/** Data-source endpoints (SDK `dataSources.*`, 2025-09-03 and later), and the page property item endpoint. */
export function dataSourcesRoutes(deps: Deps): RouteSpec[] {
  return [
    {
      method: 'post',
      path: '/data_sources',
      versions: 'data_sources',
      endpoint: 'dataSources.create',
      schemas: { body: CreateDataSourceBody },
      handler: async (c, ctx) => createDataSource(deps, ctx, parseWith(CreateDataSourceBody, await readJsonBody(c), 'body')),
    },
    {
      method: 'get',
      path: '/data_sources/:data_source_id',
      versions: 'data_sources',
      endpoint: 'dataSources.retrieve',
      handler: async (c, ctx) => getDataSource(deps, ctx, requireId(c.req.param('data_source_id'), 'data_source_id')),
    },
    {
      method: 'patch',
      path: '/data_sources/:data_source_id',
      versions: 'data_sources',
      endpoint: 'dataSources.update',
      schemas: { body: UpdateDataSourceBody },
      handler: async (c, ctx) => {
        const id = requireId(c.req.param('data_source_id'), 'data_source_id')
        return updateDataSource(deps, ctx, id, parseWith(UpdateDataSourceBody, await readJsonBody(c), 'body'))
      },
    },
    {
      method: 'post',
      path: '/data_sources/:data_source_id/query',
      versions: 'data_sources',
      endpoint: 'dataSources.query',
      schemas: { body: QueryDataSourceBody },
      handler: async (c, ctx) => {
        const id = requireId(c.req.param('data_source_id'), 'data_source_id')
        return queryDataSource(deps, ctx, id, parseWith(QueryDataSourceBody, await readJsonBody(c), 'body'), filterPropertiesOf(c))
      },
    },
    {
      method: 'get',
      path: '/data_sources/:data_source_id/templates',
      versions: 'data_sources',
      endpoint: 'dataSources.listTemplates',
      schemas: { query: ListTemplatesQuery },
      handler: async (c, ctx) => {
        const id = requireId(c.req.param('data_source_id'), 'data_source_id')
        return listTemplates(deps, ctx, id, parseWith(ListTemplatesQuery, c.req.query(), 'query'))
      },
    },
    ...pagePropertyRoutes(deps),
  ]
}
