import type { RequestContext } from '../../auth/principal.js'
import { validationError } from '../../errors/notion-error.js'
import { loadAuthorized, requireCapability } from '../../services/access.js'
import { startTask } from '../../services/async-tasks.js'
import { loadDataSource } from '../../services/databases-core.js'
import type { Deps } from '../../services/deps.js'
import { WithStatus } from '../router.js'
import { checkMarkdownOptions, markdownVersionOf, updatePageMarkdown } from './page-markdown.service.js'
import type { UpdatePageMarkdownBody } from './page-markdown.schemas.js'
import { createPage } from './pages.service.js'
import type * as S from './pages.schemas.js'
import type * as z from 'zod'

/**
 * The `allow_async: true` forms of `POST /v1/pages` (with `markdown`) and `PATCH
 * /v1/pages/{id}/markdown` (docs/reference/notion-api-2026.md §2.6; ADR 27). Octavo answers every
 * opted-in request asynchronously: the initial checks run here (body shape, `markdown_version`,
 * capability, the target's visibility and level: 400/403/404 as the synchronous call), then 202 with
 * an `async_task`; the synchronous operation runs in full after the answer (services/async-tasks.ts),
 * so Markdown parsing, matching and size limits fail inside the task, as Notion documents.
 */

/** `POST /v1/pages` with `markdown` and `allow_async: true`. @throws NotionApiError validation_error | restricted_resource | object_not_found */
export async function createPageAsync(deps: Deps, ctx: RequestContext, body: z.output<typeof S.CreatePageBody>): Promise<WithStatus> {
  const { caller } = ctx
  requireCapability(caller, 'insert_content')
  if (body.children || body.content) {
    throw validationError(
      `body failed validation: body.${body.children ? 'children' : 'content'} should be not present when body.markdown is present.`,
    )
  }
  checkMarkdownOptions(ctx, body)
  const db = deps.store.db
  const p = body.parent
  if ('page_id' in p) await loadAuthorized(db, caller, p.page_id, { kind: 'page', action: 'edit', capability: 'insert_content' })
  else if ('database_id' in p)
    await loadAuthorized(db, caller, p.database_id, { kind: 'database', action: 'edit', capability: 'insert_content' })
  else if ('data_source_id' in p) await loadDataSource(db, caller, p.data_source_id, { action: 'edit', capability: 'insert_content' })
  const task = await startTask(deps, caller, 'POST /v1/pages', () => createPage(deps, ctx, body))
  return new WithStatus(202, task)
}

/** `PATCH /v1/pages/{id}/markdown` with `allow_async: true`. @throws NotionApiError validation_error | restricted_resource | object_not_found */
export async function updatePageMarkdownAsync(
  deps: Deps,
  ctx: RequestContext,
  id: string,
  body: UpdatePageMarkdownBody,
): Promise<WithStatus> {
  markdownVersionOf(ctx, body.markdown_version, 'body.markdown_version')
  const page = await loadAuthorized(deps.store.db, ctx.caller, id, {
    kind: 'block',
    action: 'edit',
    capability: 'update_content',
    notFoundKind: 'page',
  })
  if (page.type !== 'child_page') throw validationError(`Block ${page.id} is not a page: only pages can be updated with markdown.`)
  const task = await startTask(deps, ctx.caller, 'PATCH /v1/pages/:page_id/markdown', () => updatePageMarkdown(deps, ctx, page.id, body))
  return new WithStatus(202, task)
}
