import { readJsonBody } from '../../http/body.js'
import { requireId } from '../../domain/ids.js'
import { parseWith } from '../../domain/validation.js'
import type { Deps } from '../../services/deps.js'
import type { RouteSpec } from '../router.js'
import { CreateCommentBody, ListCommentsQuery, UpdateCommentBody } from './comments.schemas.js'
import { createComment, deleteComment, getComment, listComments, updateComment } from './comments.service.js'

/** Comments endpoints (SDK `comments.create|list|retrieve|update|delete`; docs/reference/notion-api.md §1.7). */
export function commentsRoutes(deps: Deps): RouteSpec[] {
  return [
    {
      method: 'post',
      path: '/comments',
      endpoint: 'comments.create',
      schemas: { body: CreateCommentBody },
      handler: async (c, ctx) => createComment(deps, ctx, parseWith(CreateCommentBody, await readJsonBody(c), 'body')),
    },
    {
      method: 'get',
      path: '/comments',
      endpoint: 'comments.list',
      schemas: { query: ListCommentsQuery },
      handler: async (c, ctx) => {
        const raw: Record<string, string> = {}
        for (const key of ['block_id', 'start_cursor', 'page_size'] as const) {
          const v = c.req.query(key)
          if (v !== undefined) raw[key] = v
        }
        return listComments(deps, ctx, parseWith(ListCommentsQuery, raw, 'query'))
      },
    },
    {
      method: 'get',
      path: '/comments/:comment_id',
      endpoint: 'comments.retrieve',
      handler: async (c, ctx) => getComment(deps, ctx, requireId(c.req.param('comment_id'), 'comment_id')),
    },
    {
      method: 'patch',
      path: '/comments/:comment_id',
      endpoint: 'comments.update',
      schemas: { body: UpdateCommentBody },
      handler: async (c, ctx) => {
        const id = requireId(c.req.param('comment_id'), 'comment_id')
        return updateComment(deps, ctx, id, parseWith(UpdateCommentBody, await readJsonBody(c), 'body'))
      },
    },
    {
      method: 'delete',
      path: '/comments/:comment_id',
      endpoint: 'comments.delete',
      handler: async (c, ctx) => deleteComment(deps, ctx, requireId(c.req.param('comment_id'), 'comment_id')),
    },
  ]
}
