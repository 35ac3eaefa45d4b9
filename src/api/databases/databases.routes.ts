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
import { createDatabaseFromRequest, getDatabase, queryDatabase, updateDatabase } from './databases.service.js'

/** Databases endpoints (SDK `databases.*`, and `POST /v1/databases/{id}/query` under 2022-06-28). */
export function databasesRoutes(deps: Deps): RouteSpec[] {
  return [
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
