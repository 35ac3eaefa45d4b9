import { requireId } from '../../domain/ids.js'
import { parseWith } from '../../domain/validation.js'
import { readJsonBody } from '../../http/body.js'
import type { Deps } from '../../services/deps.js'
import type { RouteSpec } from '../router.js'
import { GetPageMarkdownQuery, UpdatePageMarkdownBody } from './page-markdown.schemas.js'
import { getPageMarkdown, updatePageMarkdown } from './page-markdown.service.js'
import { updatePageMarkdownAsync } from './page-async.js'

/** `GET|PATCH /v1/pages/{page_id}/markdown` (SDK `pages.retrieveMarkdown|updateMarkdown`); see page-markdown.service.ts. */
export function pageMarkdownRoutes(deps: Deps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/pages/:page_id/markdown',
      endpoint: 'pages.retrieveMarkdown',
      schemas: { query: GetPageMarkdownQuery },
      handler: async (c, ctx) => {
        const id = requireId(c.req.param('page_id'), 'page_id')
        const query = parseWith(GetPageMarkdownQuery, c.req.query(), 'query')
        return getPageMarkdown(deps, ctx, id, query)
      },
    },
    {
      method: 'patch',
      path: '/pages/:page_id/markdown',
      endpoint: 'pages.updateMarkdown',
      schemas: { body: UpdatePageMarkdownBody },
      handler: async (c, ctx) => {
        const id = requireId(c.req.param('page_id'), 'page_id')
        const body = parseWith(UpdatePageMarkdownBody, await readJsonBody(c), 'body')
        // `allow_async: true`: answered 202 with an async_task (page-async.ts, ADR 27).
        return body.allow_async === true ? updatePageMarkdownAsync(deps, ctx, id, body) : updatePageMarkdown(deps, ctx, id, body)
      },
    },
  ]
}
