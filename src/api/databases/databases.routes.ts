import { hasDataSources } from '../../domain/versions.js'
import { readJsonBody } from '../../http/body.js'
import { requireId } from '../../domain/ids.js'
import { parseWith } from '../../domain/validation.js'
import type { Deps } from '../../services/deps.js'
import { filterPropertiesOf } from '../pages/pages.routes.js'
import type { RouteSpec } from '../router.js'
import {
  CreateDatabaseBody,
  LegacyCreateDatabaseBody,
  LegacyQueryBody,
  LegacyUpdateDatabaseBody,
  UpdateDatabaseBody,
} from './databases.schemas.js'
import { createDatabaseFromRequest, getDatabase, listDatabases, queryDatabase, updateDatabase } from './databases.service.js'
import { ListChildrenQuery as ListDatabasesQuery } from '../blocks/blocks.schemas.js'

/**
 * Databases endpoints (SDK `databases.*`, `POST /v1/databases/{id}/query` under 2022-06-28, and SDK
 * 2.x's `GET /v1/databases` before 2022-02-22).
 */
export function databasesRoutes(deps: Deps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/databases',
      versions: 'before_2022_02_22',
      endpoint: null,
      reason: 'SDK 2.x `databases.list` (deprecated; Notion-Version before 2022-02-22); search lists databases since',
      schemas: { query: ListDatabasesQuery },
      handler: async (c, ctx) =>
        listDatabases(
          deps,
          ctx,
          parseWith(ListDatabasesQuery, { start_cursor: c.req.query('start_cursor'), page_size: c.req.query('page_size') }, 'query'),
        ),
    },
    {
      method: 'post',
      path: '/databases',
      endpoint: 'databases.create',
      schemas: { body: CreateDatabaseBody, legacyBody: LegacyCreateDatabaseBody },
      handler: async (c, ctx) => {
        const raw = await readJsonBody(c)
        const body = hasDataSources(ctx.version)
          ? parseWith(CreateDatabaseBody, raw, 'body')
          : parseWith(LegacyCreateDatabaseBody, raw, 'body')
        return createDatabaseFromRequest(deps, ctx, body)
      },
    },
    {
      method: 'get',
      path: '/databases/:database_id',
      endpoint: 'databases.retrieve',
      handler: async (c, ctx) => getDatabase(deps, ctx, requireId(c.req.param('database_id'), 'database_id')),
    },
    {
      method: 'patch',
      path: '/databases/:database_id',
      endpoint: 'databases.update',
      schemas: { body: UpdateDatabaseBody, legacyBody: LegacyUpdateDatabaseBody },
      handler: async (c, ctx) => {
        const id = requireId(c.req.param('database_id'), 'database_id')
        const raw = await readJsonBody(c)
        const body = hasDataSources(ctx.version)
          ? parseWith(UpdateDatabaseBody, raw, 'body')
          : parseWith(LegacyUpdateDatabaseBody, raw, 'body')
        return updateDatabase(deps, ctx, id, body)
      },
    },
    {
      method: 'post',
      path: '/databases/:database_id/query',
      versions: 'legacy',
      endpoint: null,
      reason: 'SDK 4.x `databases.query` (Notion-Version 2022-06-28 and older); SDK 5 queries data sources instead',
      schemas: { body: LegacyQueryBody },
      handler: async (c, ctx) => {
        const id = requireId(c.req.param('database_id'), 'database_id')
        return queryDatabase(deps, ctx, id, parseWith(LegacyQueryBody, await readJsonBody(c), 'body'), filterPropertiesOf(c))
      },
    },
  ]
}
