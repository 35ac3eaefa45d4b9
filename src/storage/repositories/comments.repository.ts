import type { CommentTable } from '../database.js'
import type { Db } from '../store.js'
import { appendEvent, type Actor } from './events.repository.js'

/**
 * Reads and writes of the `comment` table. Comments of one parent are listed oldest first; ties
 * on `created_time` (same millisecond) fall back to `seq`, insertion order (migration 0006), the
 * same on SQLite and PostgreSQL.
 */

export type CommentRow = CommentTable

let lastSeq = 0
/**
 * A sequence number greater than any this process handed out before, close to the wall clock in
 * microseconds (so rows from several nodes interleave roughly by time; below 2^53 until year 2255).
 */
function nextSeq(): number {
  lastSeq = Math.max(lastSeq + 1, Date.now() * 1000)
  return lastSeq
}

/**
 * Stores one comment row (`seq` assigned here) and appends `comment.created` by `actor`, with
 * `data: {discussion_id, parent_id, page_id}`.
 */
export async function insertComment(db: Db, row: Omit<CommentRow, 'seq'>, actor: Actor): Promise<void> {
  await db
    .insertInto('comment')
    .values({ ...row, seq: nextSeq() })
    .execute()
  await appendEvent(db, {
    workspaceId: row.workspace_id,
    type: 'comment.created',
    objectId: row.id,
    actor,
    time: row.created_time,
    data: { discussion_id: row.discussion_id, parent_id: row.parent_id, page_id: row.page_id },
  })
}

/** The workspace of comment `id`, in any workspace (the Notion import's id-collision check), or undefined. */
export async function commentWorkspace(db: Db, id: string): Promise<string | undefined> {
  return (await db.selectFrom('comment').select('workspace_id').where('id', '=', id).executeTakeFirst())?.workspace_id
}

/** A comment by id, within a workspace. */
export async function findComment(db: Db, workspaceId: string, id: string): Promise<CommentRow | undefined> {
  return db.selectFrom('comment').selectAll().where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst()
}

/** The first comment of a discussion (it carries the discussion's parent), within a workspace. */
export async function findDiscussionHead(db: Db, workspaceId: string, discussionId: string): Promise<CommentRow | undefined> {
  return db
    .selectFrom('comment')
    .selectAll()
    .where('discussion_id', '=', discussionId)
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_time')
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst()
}

/**
 * The comments whose parent is exactly `parentId` (comments on its child blocks are not included),
 * oldest first, at most `limit`, starting at the comment whose id is `cursor` (inclusive). An
 * unknown cursor, or one that belongs to another parent, yields an empty page.
 */
export async function listCommentsOf(
  db: Db,
  workspaceId: string,
  parentId: string,
  cursor: string | undefined,
  limit: number,
): Promise<CommentRow[]> {
  let q = db
    .selectFrom('comment')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('parent_id', '=', parentId)
    .orderBy('created_time')
    .orderBy('seq')
    .limit(limit)
  if (cursor) {
    const at = await db
      .selectFrom('comment')
      .select(['created_time', 'seq'])
      .where('id', '=', cursor)
      .where('parent_id', '=', parentId)
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst()
    if (!at) return []
    q = q.where((eb) =>
      eb.or([eb('created_time', '>', at.created_time), eb.and([eb('created_time', '=', at.created_time), eb('seq', '>=', at.seq)])]),
    )
  }
  return q.execute()
}

/** The name of the person who created a connection (for `display_name: {type:"user"}`), or null. */
export async function connectionCreatorName(db: Db, connectionId: string): Promise<string | null> {
  const row = await db
    .selectFrom('connection as c')
    .innerJoin('user as u', 'u.id', 'c.created_by')
    .select('u.name')
    .where('c.id', '=', connectionId)
    .executeTakeFirst()
  return row?.name ?? null
}

/**
 * Replaces a comment's text (and display name when given) and `last_edited_time`, and appends
 * `comment.updated` by `actor` with `data: {discussion_id, parent_id, page_id}`.
 */
export async function updateComment(
  db: Db,
  row: Pick<CommentRow, 'id' | 'workspace_id' | 'discussion_id' | 'parent_id' | 'page_id'>,
  patch: { rich_text: string; display_name?: string; last_edited_time: string },
  actor: Actor,
): Promise<void> {
  await db.updateTable('comment').set(patch).where('id', '=', row.id).execute()
  await appendEvent(db, {
    workspaceId: row.workspace_id,
    type: 'comment.updated',
    objectId: row.id,
    actor,
    time: patch.last_edited_time,
    data: { discussion_id: row.discussion_id, parent_id: row.parent_id, page_id: row.page_id },
  })
}

/**
 * Deletes a comment (a discussion whose last comment goes is gone with it: discussions have no row
 * of their own) and appends `comment.deleted` by `actor` at `time` with `data: {discussion_id,
 * parent_id, page_id}`.
 */
export async function deleteComment(
  db: Db,
  row: Pick<CommentRow, 'id' | 'workspace_id' | 'discussion_id' | 'parent_id' | 'page_id'>,
  actor: Actor,
  time: string,
): Promise<void> {
  await db.deleteFrom('comment').where('id', '=', row.id).execute()
  await appendEvent(db, {
    workspaceId: row.workspace_id,
    type: 'comment.deleted',
    objectId: row.id,
    actor,
    time,
    data: { discussion_id: row.discussion_id, parent_id: row.parent_id, page_id: row.page_id },
  })
}
