import type { CustomEmojiTable } from '../database.js'
import type { Db } from '../store.js'
import { appendEvent, type Actor } from './events.repository.js'

/**
 * Reads and writes of `custom_emoji` (migration 0014, ADR 27). Each write appends its change event
 * in the caller's transaction:
 * - `insertCustomEmoji` → `custom_emoji.created` (`data: {name}`);
 * - `deleteCustomEmoji` → `custom_emoji.deleted` (`data: {name}`).
 */

export type CustomEmojiRow = CustomEmojiTable

/** Stores a new emoji and appends `custom_emoji.created`. */
export async function insertCustomEmoji(db: Db, row: CustomEmojiRow, actor: Actor): Promise<void> {
  await db.insertInto('custom_emoji').values(row).execute()
  await appendEvent(db, {
    workspaceId: row.workspace_id,
    type: 'custom_emoji.created',
    objectId: row.id,
    actor,
    time: row.created_time,
    data: { name: row.name },
  })
}

/** Removes an emoji and appends `custom_emoji.deleted`. */
export async function deleteCustomEmoji(db: Db, row: CustomEmojiRow, time: string, actor: Actor): Promise<void> {
  await db.deleteFrom('custom_emoji').where('id', '=', row.id).execute()
  await appendEvent(db, {
    workspaceId: row.workspace_id,
    type: 'custom_emoji.deleted',
    objectId: row.id,
    actor,
    time,
    data: { name: row.name },
  })
}

/** An emoji by id within a workspace. */
export async function findCustomEmoji(db: Db, workspaceId: string, id: string): Promise<CustomEmojiRow | undefined> {
  return db.selectFrom('custom_emoji').selectAll().where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst()
}

/** An emoji by id in any workspace (its image URL carries no workspace). */
export async function findCustomEmojiAnywhere(db: Db, id: string): Promise<CustomEmojiRow | undefined> {
  return db.selectFrom('custom_emoji').selectAll().where('id', '=', id).executeTakeFirst()
}

/** An emoji by exact name within a workspace. */
export async function findCustomEmojiByName(db: Db, workspaceId: string, name: string): Promise<CustomEmojiRow | undefined> {
  return db.selectFrom('custom_emoji').selectAll().where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirst()
}

/**
 * A workspace's emojis by name (byte order), at most `limit`, from `fromName` on (inclusive)
 * (the cursor), optionally only the one named exactly `name`.
 */
export async function listCustomEmojis(
  db: Db,
  opts: { workspaceId: string; name?: string; fromName?: string; limit: number },
): Promise<CustomEmojiRow[]> {
  let q = db.selectFrom('custom_emoji').selectAll().where('workspace_id', '=', opts.workspaceId)
  if (opts.name !== undefined) q = q.where('name', '=', opts.name)
  if (opts.fromName !== undefined) q = q.where('name', '>=', opts.fromName)
  return q.orderBy('name').limit(opts.limit).execute()
}
