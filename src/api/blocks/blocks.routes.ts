import { readJsonBody } from '../../http/body.js'
import { requireId } from '../../domain/ids.js'
import { parseWith } from '../../domain/validation.js'
import type { Deps } from '../../services/deps.js'
import type { RouteSpec } from '../router.js'
import { AppendChildrenBody, ListChildrenQuery, UpdateBlockEnvelope } from './blocks.schemas.js'
import { appendBlockChildren, deleteBlock, getBlock, listBlockChildren, updateBlockContent } from './blocks.service.js'

/**
 * Blocks endpoints (SDK `blocks.*`; docs/reference/notion-api.md §1.3). The path parameter is reported as `path.id` in
 * validation errors, as live Notion does for blocks (docs/reference/notion-api.md §3.3).
 */
export function blocksRoutes(deps: Deps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/blocks/:block_id',
      endpoint: 'blocks.retrieve',
      handler: async (c, ctx) => getBlock(deps, ctx, requireId(c.req.param('block_id'), 'id')),
    },
    {
      method: 'patch',
      path: '/blocks/:block_id',
      endpoint: 'blocks.update',
      schemas: { body: UpdateBlockEnvelope },
      handler: async (c, ctx) => {
        const id = requireId(c.req.param('block_id'), 'id')
        return updateBlockContent(deps, ctx, id, await readJsonBody(c))
      },
    },
    {
      method: 'delete',
      path: '/blocks/:block_id',
      endpoint: 'blocks.delete',
      handler: async (c, ctx) => deleteBlock(deps, ctx, requireId(c.req.param('block_id'), 'id')),
    },
    {
      method: 'get',
      path: '/blocks/:block_id/children',
      endpoint: 'blocks.children.list',
      schemas: { query: ListChildrenQuery },
      handler: async (c, ctx) => {
        const id = requireId(c.req.param('block_id'), 'id')
        const query = parseWith(
          ListChildrenQuery,
          { start_cursor: c.req.query('start_cursor'), page_size: c.req.query('page_size') },
          'query',
        )
        return listBlockChildren(deps, ctx, id, query)
      },
    },
    {
      method: 'patch',
      path: '/blocks/:block_id/children',
      endpoint: 'blocks.children.append',
      schemas: { body: AppendChildrenBody },
      handler: async (c, ctx) => {
        const id = requireId(c.req.param('block_id'), 'id')
        return appendBlockChildren(deps, ctx, id, await readJsonBody(c))
      },
    },
  ]
}
