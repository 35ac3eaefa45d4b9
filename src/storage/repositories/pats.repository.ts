import type { Db } from '../store.js'
import type { PatPolicy, PersonalAccessTokenTable, Plan } from '../database.js'
import type { At } from './at.js'
import { appendEvent } from './events.repository.js'

/**
 * Personal access tokens (`personal_access_token`) and the workspace's PAT creation policy
 * (`workspace_pat_policy`, `workspace_pat_policy_group`). Every write appends its change event in the
 * caller's transaction (ADR 15): `pat.created`, `pat.revealed`, `pat.revoked`,
 * `pat.capabilities_changed`, `pat_policy.changed`. Use is recorded by token-use.repository.ts.
 */

/** `{notion_api, workers}`: a PAT's bundles as events and the admin view show them. */
function capsData(p: Pick<PersonalAccessTokenTable, 'cap_notion_api' | 'cap_workers'>) {
  return { notion_api: p.cap_notion_api === 1, workers: p.cap_workers === 1 }
}

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

/**
 * Creates a PAT: its bot user (named like the token) and its row (digest and sealed secret only,
 * never the token), and appends `pat.created` (`data`: name, bot id, capabilities, expiry).
 */
export async function createPat(db: Db, row: PersonalAccessTokenTable, at: At): Promise<void> {
  await db
    .insertInto('user')
    .values({ id: row.bot_id, type: 'bot', name: row.name, avatar_url: null, email: null, created_time: row.created_time })
    .execute()
  await db.insertInto('personal_access_token').values(row).execute()
  await appendEvent(db, {
    workspaceId: row.workspace_id,
    type: 'pat.created',
    objectId: row.id,
    actor: at.actor,
    time: at.time,
    data: { name: row.name, bot_id: row.bot_id, capabilities: capsData(row), expires_time: row.expires_time },
  })
}

/**
 * Revokes a PAT unless it already is (`revoked_by` = `at.actor`), appending `pat.revoked` (`data`:
 * name, bot id, creator id, and `reason` when given, e.g. `member_removed`).
 * @returns false when it was already revoked (then nothing is written).
 */
export async function revokePat(
  db: Db,
  p: Pick<PersonalAccessTokenTable, 'id' | 'workspace_id' | 'name' | 'bot_id' | 'creator_id'>,
  at: At,
  reason?: string,
): Promise<boolean> {
  const res = await db
    .updateTable('personal_access_token')
    .set({ revoked_time: at.time, revoked_by: at.actor })
    .where('id', '=', p.id)
    .where('revoked_time', 'is', null)
    .executeTakeFirst()
  if (Number(res.numUpdatedRows) === 0) return false
  await appendEvent(db, {
    workspaceId: p.workspace_id,
    type: 'pat.revoked',
    objectId: p.id,
    actor: at.actor,
    time: at.time,
    data: { name: p.name, bot_id: p.bot_id, creator_id: p.creator_id, ...(reason ? { reason } : {}) },
  })
  return true
}

/** Records that a PAT's secret was revealed to its creator (`pat.revealed`; nothing else changes). */
export async function recordPatReveal(db: Db, p: Pick<PersonalAccessTokenTable, 'id' | 'workspace_id'>, at: At): Promise<void> {
  await appendEvent(db, { workspaceId: p.workspace_id, type: 'pat.revealed', objectId: p.id, actor: at.actor, time: at.time })
}

/** Sets a PAT's capability bundles and appends `pat.capabilities_changed` (`data`: from, to). */
export async function setPatCapabilities(
  db: Db,
  p: Pick<PersonalAccessTokenTable, 'id' | 'workspace_id' | 'cap_notion_api' | 'cap_workers'>,
  to: { notionApi: boolean; workers: boolean },
  at: At,
): Promise<void> {
  const next = { cap_notion_api: to.notionApi ? 1 : 0, cap_workers: to.workers ? 1 : 0 }
  await db.updateTable('personal_access_token').set(next).where('id', '=', p.id).execute()
  await appendEvent(db, {
    workspaceId: p.workspace_id,
    type: 'pat.capabilities_changed',
    objectId: p.id,
    actor: at.actor,
    time: at.time,
    data: { from: capsData(p), to: capsData(next) },
  })
}

/** How many live (unrevoked) PATs with the "Notion API" bundle each creator has in a workspace. */
export async function liveNotionApiPatCounts(db: Db, workspaceId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('personal_access_token')
    .select('creator_id')
    .where('workspace_id', '=', workspaceId)
    .where('revoked_time', 'is', null)
    .where('cap_notion_api', '=', 1)
    .execute()
  const counts = new Map<string, number>()
  for (const r of rows) counts.set(r.creator_id, (counts.get(r.creator_id) ?? 0) + 1)
  return counts
}

/** The workspace's chosen PAT policy, or undefined when none was chosen (the plan's default applies). */
export async function findPatPolicyChoice(db: Db, workspaceId: string): Promise<PatPolicy | undefined> {
  const row = await db.selectFrom('workspace_pat_policy').select('policy').where('workspace_id', '=', workspaceId).executeTakeFirst()
  return row?.policy
}

/** The groups selected by the workspace's PAT policy, by id. */
export async function patPolicyGroupIds(db: Db, workspaceId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('workspace_pat_policy_group')
    .select('group_id')
    .where('workspace_id', '=', workspaceId)
    .orderBy('group_id')
    .execute()
  return rows.map((r) => r.group_id)
}

/**
 * Stores the workspace's PAT policy choice and, when `groupIds` is given, the exact set of selected
 * groups (deduplicated); appends `pat_policy.changed` with `data` (the caller's summary: from, to,
 * suspended and restored token counts).
 */
export async function savePatPolicy(
  db: Db,
  input: { workspaceId: string; policy: PatPolicy; groupIds?: readonly string[]; updatedBy: string },
  at: At,
  data: Record<string, unknown>,
): Promise<void> {
  const values = { policy: input.policy, updated_by: input.updatedBy, updated_time: at.time }
  await db
    .insertInto('workspace_pat_policy')
    .values({ workspace_id: input.workspaceId, ...values })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet(values))
    .execute()
  if (input.groupIds) {
    await db.deleteFrom('workspace_pat_policy_group').where('workspace_id', '=', input.workspaceId).execute()
    const unique = [...new Set(input.groupIds)]
    if (unique.length)
      await db
        .insertInto('workspace_pat_policy_group')
        .values(unique.map((g) => ({ workspace_id: input.workspaceId, group_id: g })))
        .execute()
  }
  await appendEvent(db, {
    workspaceId: input.workspaceId,
    type: 'pat_policy.changed',
    objectId: input.workspaceId,
    actor: at.actor,
    time: at.time,
    data,
  })
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
