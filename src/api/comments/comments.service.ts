import { actingUserId, type RequestContext } from '../../auth/principal.js'
import { preserveIfHeld } from '../../services/admin-api.service.js'
import { changeActorOf } from '../../services/change-actor.js'
import { isoNow } from '../../domain/clock.js'
import { newId } from '../../domain/ids.js'
import { commentMarkdownToRichText } from '../../domain/markdown/inline.js'
import { normalizeRichText, type RichTextItem } from '../../domain/rich-text.js'
import { v2Conflict } from '../../domain/markdown/v2.js'
import { markdownV1Refused } from '../../domain/versions.js'
import { NotionApiError, objectNotFound, restrictedResource, validationError } from '../../errors/notion-error.js'
import { listEnvelope, pageOf, PAGE_SIZE_MAX } from '../../http/pagination.js'
import { loadAuthorized, requireCapability } from '../../services/access.js'
import type { Deps } from '../../services/deps.js'
import { UploadClaims } from '../../services/file-attachments.js'
import { commentAttachmentCategory } from '../../domain/file-types.js'
import { requireWritableNode } from '../../services/trash.js'
import type { BlockRow } from '../../storage/repositories/blocks.repository.js'
import {
  connectionCreatorName,
  deleteComment as deleteCommentRow,
  findComment,
  findDiscussionHead,
  insertComment,
  listCommentsOf,
  updateComment as updateCommentRow,
  type CommentRow,
} from '../../storage/repositories/comments.repository.js'
import { findUser } from '../../storage/repositories/workspaces.repository.js'
import type { Db } from '../../storage/store.js'
import { presentComment } from './comments.presenter.js'
import {
  commentTargetOf,
  requireOneBody,
  type CreateCommentInput,
  type ListCommentsQuery,
  type UpdateCommentInput,
} from './comments.schemas.js'
import type * as z from 'zod'

/**
 * Comment operations behind `/v1/comments` (SDK `comments.create|list|retrieve`; docs/reference/notion-api.md §1.7,
 * §2.10). Order in each: capability (403 `restricted_resource`; both comment capabilities are off
 * by default), then visibility of the commented page or block (404, never 403), then level.
 */

/** Runs `fn`, turning its `object_not_found` into `replacement` (so a message names the right thing). */
async function mapNotFound<T>(fn: () => Promise<T>, replacement: () => NotionApiError): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (err instanceof NotionApiError && err.code === 'object_not_found') throw replacement()
    throw err
  }
}

/** 404 for a discussion that does not exist or whose page the caller cannot see. */
function discussionNotFound(id: string, connectionName: string): NotionApiError {
  return new NotionApiError(
    'object_not_found',
    `Could not find discussion with ID: ${id}. Make sure the relevant pages and databases are shared with your integration "${connectionName}".`,
  )
}

/** Loads a commentable node: a page, or a block (a page id is also a block id); databases are refused (403). */
async function commentable(
  db: Db,
  ctx: RequestContext,
  id: string,
  kind: 'page' | 'block',
  action: 'read' | 'comment',
  capability: 'insert_comments' | 'read_comments',
): Promise<BlockRow> {
  const node = await loadAuthorized(db, ctx.caller, id, { kind, action, capability })
  if (node.type === 'child_database') throw restrictedResource()
  return node
}

/**
 * The text of a new or edited comment: `rich_text` as given, or `markdown` read as inline enhanced
 * Markdown; in v2 (the default from 2026-12-01) only the syntax v1 and v2 share is read (src/domain/markdown/v2.ts).
 * @throws NotionApiError validation_error
 */
function richTextOf(ctx: RequestContext, body: { rich_text?: unknown; markdown?: string; markdown_version?: 'v1' | 'v2' }): RichTextItem[] {
  if (body.markdown === undefined) return normalizeRichText((body.rich_text ?? []) as never)
  if (body.markdown_version === 'v1' && markdownV1Refused(ctx.version)) {
    throw validationError('body.markdown_version should be `"v2"`, instead was `"v1"`. Markdown v1 is not available in this API version.')
  }
  if (body.markdown_version === 'v2' || (body.markdown_version === undefined && markdownV1Refused(ctx.version))) {
    const conflict = v2Conflict(body.markdown)
    if (conflict !== undefined) {
      throw validationError(
        `body.markdown uses ${conflict}, which Markdown v2 (Notion-flavored Markdown) reads differently from v1; this server reads only the v2 syntax shared with v1.`,
      )
    }
  }
  const items = commentMarkdownToRichText(body.markdown)
  if (items.length > 100)
    throw validationError(`body failed validation: body.markdown gives ${items.length} rich text items, more than 100.`)
  return items
}

/** The person behind the token, for `display_name: {type:"user"}`: a connection's creator, or a PAT's. */
async function authorizingUserName(db: Db, caller: RequestContext['caller']): Promise<string | null> {
  if (caller.kind === 'internal') return connectionCreatorName(db, caller.connectionId)
  return (await findUser(db, caller.userId))?.name ?? null
}

/**
 * `POST /v1/comments`: a comment on a page or block starts a new discussion; with `discussion_id`
 * it joins that discussion (same parent). The author is the connection's bot; `display_name`
 * defaults to the integration's name. Refused (400 validation_error) when the commented page or block
 * is in the trash or under a trashed one (services/trash.ts). Event: `comment.created`.
 * @returns SDK `CommentObjectResponse`
 * @throws NotionApiError validation_error | restricted_resource (no insert-comments capability, or
 *   a database id) | object_not_found (page, block or discussion unknown or not shared)
 */
export async function createComment(deps: Deps, ctx: RequestContext, body: CreateCommentInput) {
  const { caller } = ctx
  const target = commentTargetOf(body)
  requireCapability(caller, 'insert_comments')
  const time = isoNow(deps.clock)
  const row = await deps.store.transaction(async (trx) => {
    let parentType: CommentRow['parent_type']
    let parentId: string
    let pageId: string
    let discussionId: string
    if (target.type === 'discussion') {
      const head = await findDiscussionHead(trx, caller.workspaceId, target.id)
      if (!head) throw discussionNotFound(target.id, caller.connectionName)
      const node = await mapNotFound(
        () => commentable(trx, ctx, head.parent_id, 'block', 'comment', 'insert_comments'),
        () => discussionNotFound(target.id, caller.connectionName),
      )
      await requireWritableNode(trx, node)
      parentType = head.parent_type
      parentId = head.parent_id
      pageId = head.page_id
      discussionId = head.discussion_id
    } else {
      const node = await commentable(trx, ctx, target.id, target.type === 'page_id' ? 'page' : 'block', 'comment', 'insert_comments')
      await requireWritableNode(trx, node)
      parentType = target.type
      parentId = node.id
      pageId = node.page_id
      discussionId = newId()
    }
    const dn = body.display_name ?? { type: 'integration' as const }
    const resolved =
      dn.type === 'custom'
        ? dn.custom.name
        : dn.type === 'user'
          ? ((await authorizingUserName(trx, caller)) ?? caller.connectionName)
          : caller.connectionName
    const comment: Omit<CommentRow, 'seq'> = {
      id: newId(),
      workspace_id: caller.workspaceId,
      discussion_id: discussionId,
      parent_type: parentType,
      parent_id: parentId,
      page_id: pageId,
      rich_text: JSON.stringify(richTextOf(ctx, body)),
      display_name: JSON.stringify({ type: dn.type, resolved_name: resolved }),
      created_by: caller.botId,
      created_time: time,
      last_edited_time: time,
    }
    // Attachments (≤ 3 uploads): checked, stored as file markers, attached to the new comment.
    if (body.attachments?.length) {
      const claims = new UploadClaims(trx, deps, ctx)
      const items = []
      for (const a of body.attachments) {
        const { marker, upload } = await claims.claim(a.file_upload_id, 'comment')
        items.push({ category: commentAttachmentCategory(upload.content_type ?? ''), file: marker.file })
      }
      comment.attachments = JSON.stringify(items)
      await claims.attachAll({ type: 'comment', id: comment.id })
    }
    await insertComment(trx, comment, changeActorOf(caller))
    return comment
  })
  return presentComment(row)
}

/**
 * `GET /v1/comments?block_id=…`: the comments whose parent is exactly that page or block (not
 * those on its child blocks), oldest first, paginated. Unknown or unshared ids answer
 * "Could not find block with ID: <id>." without the sharing hint; a database id → 403 (docs/reference/notion-api.md §1.7,
 * measured live).
 * @returns list envelope of type `comment`
 * @throws NotionApiError restricted_resource | object_not_found
 */
export async function listComments(deps: Deps, ctx: RequestContext, query: z.output<typeof ListCommentsQuery>) {
  const { caller } = ctx
  const db = deps.store.db
  const node = await mapNotFound(
    () => commentable(db, ctx, query.block_id, 'block', 'read', 'read_comments'),
    () => new NotionApiError('object_not_found', `Could not find block with ID: ${query.block_id}.`),
  )
  const limit = query.page_size ?? PAGE_SIZE_MAX
  const rows = await listCommentsOf(db, caller.workspaceId, node.id, query.start_cursor, limit + 1)
  const { page, nextCursor } = pageOf(rows, limit)
  return listEnvelope('comment', page.map(presentComment), nextCursor)
}

/**
 * `GET /v1/comments/{comment_id}`: one comment, if the caller can read comments and see its page.
 * @returns SDK `CommentObjectResponse`
 * @throws NotionApiError restricted_resource | object_not_found
 */
export async function getComment(deps: Deps, ctx: RequestContext, id: string) {
  const { caller } = ctx
  requireCapability(caller, 'read_comments')
  const db = deps.store.db
  const notFound = () => objectNotFound('comment', id, caller.connectionName)
  const row = await findComment(db, caller.workspaceId, id)
  if (!row) throw notFound()
  await mapNotFound(
    () => loadAuthorized(db, caller, row.parent_id, { kind: 'block', action: 'read', capability: 'read_comments' }),
    notFound,
  )
  return presentComment(row)
}

/**
 * Loads a comment the caller may change: capability `insert_comments` (403), the comment in the
 * caller's workspace on a page or block it can see (404), and written by the caller itself — "non-DLP
 * integrations can only modify or delete comments they created" — else 404 too, as Notion answers
 * (docs/reference/notion-api-2026.md §3). The commented page may not be in the trash.
 */
async function ownComment(db: Db, ctx: RequestContext, id: string): Promise<CommentRow> {
  const { caller } = ctx
  requireCapability(caller, 'insert_comments')
  const notFound = () => objectNotFound('comment', id, caller.connectionName)
  const row = await findComment(db, caller.workspaceId, id)
  if (!row) throw notFound()
  const node = await mapNotFound(
    () => loadAuthorized(db, caller, row.parent_id, { kind: 'block', action: 'comment', capability: 'insert_comments' }),
    notFound,
  )
  if (row.created_by !== caller.botId) throw notFound()
  await requireWritableNode(db, node)
  return row
}

/** The comment object, or `{object, id}` for a caller that may insert but not read comments (as on create). */
function presentFor(ctx: RequestContext, row: Omit<CommentRow, 'seq'>) {
  return ctx.caller.capabilities.readComments ? presentComment(row) : { object: 'comment' as const, id: row.id }
}

/**
 * `PATCH /v1/comments/{comment_id}` (SDK `comments.update`): replaces the text of a comment the
 * caller wrote, from exactly one of `rich_text` and `markdown`. Event: `comment.updated`.
 * @returns SDK `UpdateCommentResponse` (full, or partial without read comments)
 * @throws NotionApiError validation_error | restricted_resource | object_not_found (unknown, not
 *   shared, or written by someone else)
 */
export async function updateComment(deps: Deps, ctx: RequestContext, id: string, body: UpdateCommentInput) {
  requireOneBody(body)
  const richText = richTextOf(ctx, body)
  const time = isoNow(deps.clock)
  const row = await deps.store.transaction(async (trx) => {
    const row = await ownComment(trx, ctx, id)
    const patch = { rich_text: JSON.stringify(richText), last_edited_time: time }
    await updateCommentRow(trx, row, patch, changeActorOf(ctx.caller))
    return { ...row, ...patch }
  })
  return presentFor(ctx, row)
}

/**
 * `DELETE /v1/comments/{comment_id}` (SDK `comments.delete`): deletes a comment the caller wrote
 * and answers it as it was. Event: `comment.deleted`.
 * @throws NotionApiError restricted_resource | object_not_found
 */
export async function deleteComment(deps: Deps, ctx: RequestContext, id: string) {
  const time = isoNow(deps.clock)
  const row = await deps.store.transaction(async (trx) => {
    const row = await ownComment(trx, ctx, id)
    // A legal hold on its author (the bot, or the person a PAT or OAuth token acts as) keeps a copy.
    await preserveIfHeld(
      trx,
      {
        authors: [row.created_by, actingUserId(ctx.caller)],
        workspaceId: row.workspace_id,
        objectType: 'comment',
        objectId: row.id,
        content: presentComment(row),
      },
      { actor: changeActorOf(ctx.caller), time },
    )
    await deleteCommentRow(trx, row, changeActorOf(ctx.caller), time)
    return row
  })
  return presentFor(ctx, row)
}
