import type { Db } from '../store.js'
import type { PersonalAccessTokenTable, Plan } from '../database.js'

/** A PAT found by its digest, with its workspace: everything authentication needs, in one read. */
export interface PatContext {
  pat: PersonalAccessTokenTable
  workspace: { id: string; name: string; icon: string | null; plan: Plan }
}

/** Finds a PAT by the HMAC digest of its secret, joined with its workspace. */
export async function findPatByDigest(db: Db, digest: string): Promise<PatContext | undefined> {
  const row = await db
    .selectFrom('personal_access_token as p')
    .innerJoin('workspace as w', 'w.id', 'p.workspace_id')
    .selectAll('p')
    .select(['w.name as w_name', 'w.icon as w_icon', 'w.plan as w_plan'])
    .where('p.digest', '=', digest)
    .executeTakeFirst()
  if (!row) return undefined
  const { w_name, w_icon, w_plan, ...pat } = row
  return { pat, workspace: { id: pat.workspace_id, name: w_name, icon: w_icon, plan: w_plan } }
}

/** One PAT by id. */
export async function findPat(db: Db, id: string): Promise<PersonalAccessTokenTable | undefined> {
  return db.selectFrom('personal_access_token').selectAll().where('id', '=', id).executeTakeFirst()
}

/** One PAT by its bot user id (Notion's Admin API addresses PATs by `bot_id`). */
export async function findPatByBotId(db: Db, botId: string): Promise<PersonalAccessTokenTable | undefined> {
  return db.selectFrom('personal_access_token').selectAll().where('bot_id', '=', botId).executeTakeFirst()
}

/** The PATs `creatorId` created in `workspaceId` that are not revoked (expired ones included). */
export async function unrevokedPatsOfCreator(db: Db, workspaceId: string, creatorId: string): Promise<PersonalAccessTokenTable[]> {
  return db
    .selectFrom('personal_access_token')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('creator_id', '=', creatorId)
    .where('revoked_time', 'is', null)
    .orderBy('created_time')
    .orderBy('id')
    .execute()
}

/** Stores one PAT row (digest and sealed secret only, never the token). */
export async function insertPat(db: Db, row: PersonalAccessTokenTable): Promise<void> {
  await db.insertInto('personal_access_token').values(row).execute()
}

/** Marks a PAT revoked unless it already is. Returns false when it was already revoked. */
export async function markPatRevoked(db: Db, id: string, by: string, time: string): Promise<boolean> {
  const res = await db
    .updateTable('personal_access_token')
    .set({ revoked_time: time, revoked_by: by })
    .where('id', '=', id)
    .where('revoked_time', 'is', null)
    .executeTakeFirst()
  return Number(res.numUpdatedRows) > 0
}

/** Records use (the caller throttles to once a minute per token, write-behind granularity). */
export async function touchPat(db: Db, id: string, time: string): Promise<void> {
  await db.updateTable('personal_access_token').set({ last_used_time: time }).where('id', '=', id).execute()
}

/** Filters of the admin listing. `query` matches the name case-insensitively, anywhere. */
export interface PatListFilter {
  workspaceId: string
  creatorId?: string
  query?: string
}

/** A workspace's PATs, newest first, with their creator's and revoker's names. */
export async function listPats(db: Db, f: PatListFilter) {
  let q = db
    .selectFrom('personal_access_token as p')
    .leftJoin('user as c', 'c.id', 'p.creator_id')
    .selectAll('p')
    .select(['c.name as creator_name', 'c.email as creator_email'])
    .where('p.workspace_id', '=', f.workspaceId)
  if (f.creatorId) q = q.where('p.creator_id', '=', f.creatorId)
  const rows = await q.orderBy('p.created_time', 'desc').orderBy('p.id', 'desc').execute()
  // Name search in JS: portable (no dialect-specific case folding) and the list is per workspace.
  const needle = f.query?.trim().toLowerCase()
  return needle ? rows.filter((r) => r.name.toLowerCase().includes(needle)) : rows
}
