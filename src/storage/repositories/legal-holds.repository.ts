import { randomUUID } from 'node:crypto'
import type { LegalHoldTable } from '../database.js'
import type { Db } from '../store.js'
import type { At } from './at.js'
import { appendEvent } from './events.repository.js'

/**
 * Reads and writes of `legal_hold`, `legal_hold_user` and `legal_hold_preserved` (migration 0016;
 * Notion's Admin API legal holds, docs/notion-admin-api.md). Legal holds belong to the organization,
 * not to one workspace, so their events carry no workspace: `legal_hold.created`, `legal_hold.updated`
 * (`data.updated_fields`), `legal_hold.released`, `legal_hold.users_added` (`data.user_ids`),
 * `legal_hold.user_removed` (`data.user_id`). `legal_hold.content_preserved` carries the workspace of
 * the kept object.
 */

export type LegalHoldRow = LegalHoldTable

/** Every legal hold, oldest first (ties by id), optionally only those holding `userId`. */
export async function listLegalHolds(db: Db, userId?: string): Promise<LegalHoldRow[]> {
  let q = db.selectFrom('legal_hold').selectAll('legal_hold')
  if (userId !== undefined) q = q.where('id', 'in', db.selectFrom('legal_hold_user').select('hold_id').where('user_id', '=', userId))
  return q.orderBy('created_time').orderBy('id').execute()
}

/** A legal hold by id. */
export async function findLegalHold(db: Db, id: string): Promise<LegalHoldRow | undefined> {
  return db.selectFrom('legal_hold').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The custodians of holds `holdIds`, as `hold id → user ids` (in the order they were added, ties by id). */
export async function legalHoldUsers(db: Db, holdIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(holdIds.map((id) => [id, []]))
  if (holdIds.length === 0) return out
  const rows = await db
    .selectFrom('legal_hold_user')
    .select(['hold_id', 'user_id'])
    .where('hold_id', 'in', [...holdIds])
    .orderBy('added_time')
    .orderBy('user_id')
    .execute()
  for (const r of rows) out.get(r.hold_id)?.push(r.user_id)
  return out
}

/** The active holds among those whose custodians include `userId`. */
export async function activeHoldsOnUser(db: Db, userId: string): Promise<LegalHoldRow[]> {
  return db
    .selectFrom('legal_hold')
    .selectAll('legal_hold')
    .where('status', '=', 'active')
    .where('id', 'in', db.selectFrom('legal_hold_user').select('hold_id').where('user_id', '=', userId))
    .orderBy('created_time')
    .orderBy('id')
    .execute()
}

/** Stores a new hold with its custodians and appends `legal_hold.created` (`data`: user_ids). */
export async function insertLegalHold(db: Db, row: LegalHoldRow, userIds: readonly string[], at: At): Promise<void> {
  await db.insertInto('legal_hold').values(row).execute()
  if (userIds.length)
    await db
      .insertInto('legal_hold_user')
      .values(userIds.map((user_id) => ({ hold_id: row.id, user_id, added_time: at.time })))
      .execute()
  await appendEvent(db, {
    workspaceId: null,
    type: 'legal_hold.created',
    objectId: row.id,
    actor: at.actor,
    time: at.time,
    data: { user_ids: [...userIds] },
  })
}

/** Changes a hold's editable fields and appends `legal_hold.updated` (`data.updated_fields`: the keys of `patch`). */
export async function updateLegalHold(
  db: Db,
  hold: Pick<LegalHoldRow, 'id'>,
  patch: Partial<Pick<LegalHoldRow, 'name' | 'description' | 'icon' | 'end_time' | 'user_interaction_type'>>,
  at: At,
): Promise<void> {
  await db
    .updateTable('legal_hold')
    .set({ ...patch, last_edited_time: at.time })
    .where('id', '=', hold.id)
    .execute()
  await appendEvent(db, {
    workspaceId: null,
    type: 'legal_hold.updated',
    objectId: hold.id,
    actor: at.actor,
    time: at.time,
    data: { updated_fields: Object.keys(patch) },
  })
}

/** Releases a hold (status `released`, `released_time`) and appends `legal_hold.released`. */
export async function releaseLegalHold(db: Db, hold: Pick<LegalHoldRow, 'id'>, at: At): Promise<void> {
  await db
    .updateTable('legal_hold')
    .set({ status: 'released', released_time: at.time, last_edited_time: at.time })
    .where('id', '=', hold.id)
    .execute()
  await appendEvent(db, { workspaceId: null, type: 'legal_hold.released', objectId: hold.id, actor: at.actor, time: at.time })
}

/**
 * Adds custodians not yet on the hold and appends `legal_hold.users_added` with the ids actually added
 * (none added: no event).
 * @returns the ids added
 */
export async function addLegalHoldUsers(db: Db, hold: Pick<LegalHoldRow, 'id'>, userIds: readonly string[], at: At): Promise<string[]> {
  const have = new Set((await legalHoldUsers(db, [hold.id])).get(hold.id))
  const added = [...new Set(userIds)].filter((id) => !have.has(id))
  if (added.length === 0) return []
  await db
    .insertInto('legal_hold_user')
    .values(added.map((user_id) => ({ hold_id: hold.id, user_id, added_time: at.time })))
    .execute()
  await db.updateTable('legal_hold').set({ last_edited_time: at.time }).where('id', '=', hold.id).execute()
  await appendEvent(db, {
    workspaceId: null,
    type: 'legal_hold.users_added',
    objectId: hold.id,
    actor: at.actor,
    time: at.time,
    data: { user_ids: added },
  })
  return added
}

/**
 * Removes one custodian and appends `legal_hold.user_removed` (`data.user_id`).
 * @returns false (and no event) when the person was not on the hold
 */
export async function removeLegalHoldUser(db: Db, hold: Pick<LegalHoldRow, 'id'>, userId: string, at: At): Promise<boolean> {
  const res = await db.deleteFrom('legal_hold_user').where('hold_id', '=', hold.id).where('user_id', '=', userId).executeTakeFirst()
  if (Number(res.numDeletedRows) === 0) return false
  await db.updateTable('legal_hold').set({ last_edited_time: at.time }).where('id', '=', hold.id).execute()
  await appendEvent(db, {
    workspaceId: null,
    type: 'legal_hold.user_removed',
    objectId: hold.id,
    actor: at.actor,
    time: at.time,
    data: { user_id: userId },
  })
  return true
}

/**
 * Keeps a copy of an object being deleted permanently, once per hold in `holdIds`, and appends one
 * `legal_hold.content_preserved` per hold (`data`: object_type, object_id), in the deleting transaction.
 */
export async function preserveHeldContent(
  db: Db,
  input: { holdIds: readonly string[]; workspaceId: string; objectType: string; objectId: string; content: unknown },
  at: At,
): Promise<void> {
  for (const holdId of input.holdIds) {
    await db
      .insertInto('legal_hold_preserved')
      .values({
        id: randomUUID(),
        hold_id: holdId,
        workspace_id: input.workspaceId,
        object_type: input.objectType,
        object_id: input.objectId,
        content: JSON.stringify(input.content),
        preserved_time: at.time,
      })
      .execute()
    await appendEvent(db, {
      workspaceId: input.workspaceId,
      type: 'legal_hold.content_preserved',
      objectType: 'legal_hold',
      objectId: holdId,
      actor: at.actor,
      time: at.time,
      data: { object_type: input.objectType, object_id: input.objectId },
    })
  }
}

/** What a hold kept, oldest first. */
export async function listPreservedContent(db: Db, holdId: string) {
  return db.selectFrom('legal_hold_preserved').selectAll().where('hold_id', '=', holdId).orderBy('preserved_time').orderBy('id').execute()
}

/**
 * Pages of `workspaceId` that `userIds` created (`created`) or last edited (`edited`), oldest first,
 * trashed ones included (a hold keeps them): the pages a legal hold covers in that workspace. At most
 * `LEGAL_HOLD_PAGES_LIMIT` (the list is paged in memory by the route).
 */
export async function pagesTouchedBy(
  db: Db,
  workspaceId: string,
  userIds: readonly string[],
  which: { created: boolean; edited: boolean },
): Promise<{ id: string; created_time: string; last_edited_time: string; created_by: string; last_edited_by: string; in_trash: number }[]> {
  if (userIds.length === 0 || (!which.created && !which.edited)) return []
  return db
    .selectFrom('block')
    .select(['id', 'created_time', 'last_edited_time', 'created_by', 'last_edited_by', 'in_trash'])
    .where('workspace_id', '=', workspaceId)
    .where('type', '=', 'child_page')
    .where((eb) =>
      eb.or([
        ...(which.created ? [eb('created_by', 'in', [...userIds])] : []),
        ...(which.edited ? [eb('last_edited_by', 'in', [...userIds])] : []),
      ]),
    )
    .orderBy('created_time')
    .orderBy('id')
    .limit(LEGAL_HOLD_PAGES_LIMIT)
    .execute()
}

/** The most pages `pagesTouchedBy` returns (bounds the memory of one listing). */
export const LEGAL_HOLD_PAGES_LIMIT = 10_000
