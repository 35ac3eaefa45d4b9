import type { Db } from '../store.js'
import type { MemberRole, UserTable, WorkspaceTable } from '../database.js'
import type { At } from './at.js'
import { compiledOnce } from './compiled.js'
import { appendEvent } from './events.repository.js'

/** The columns of a workspace object (the storage quota is read on its own, `storageQuotaOf`). */
const WORKSPACE_COLUMNS = ['id', 'name', 'icon', 'plan', 'created_time'] as const

/** One workspace by id. */
export async function findWorkspace(db: Db, id: string): Promise<WorkspaceTable | undefined> {
  return db.selectFrom('workspace').select(WORKSPACE_COLUMNS).where('id', '=', id).executeTakeFirst()
}

/** Every workspace, oldest first. */
export async function listWorkspaces(db: Db): Promise<WorkspaceTable[]> {
  return db.selectFrom('workspace').select(WORKSPACE_COLUMNS).orderBy('created_time').execute()
}

/** One user (person or bot) by id. */
export async function findUser(db: Db, id: string): Promise<UserTable | undefined> {
  return (await userById(db, id))[0]
}

/**
 * `findUser`'s statement, compiled once: `GET /v1/users/me` reads the caller's bot with it on every
 * call (on PostgreSQL a named statement, planned once per connection instead of on every call).
 */
const userById = compiledOnce(1, (db, id) =>
  db
    .selectFrom('user')
    .selectAll()
    .where('id', '=', id as string),
)

/** Users (people or bots) by id, in no particular order; unknown ids are left out (500 ids per statement). */
export async function findUsers(db: Db, ids: string[]): Promise<UserTable[]> {
  const unique = [...new Set(ids)]
  const out: UserTable[] = []
  for (let i = 0; i < unique.length; i += 500)
    out.push(
      ...(await db
        .selectFrom('user')
        .selectAll()
        .where('id', 'in', unique.slice(i, i + 500))
        .execute()),
    )
  return out
}

/** One person by e-mail (stored lower-cased). */
export async function findUserByEmail(db: Db, email: string): Promise<UserTable | undefined> {
  return db.selectFrom('user').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst()
}

/** The member's role in a workspace, or undefined when not a member. */
export async function memberRole(db: Db, workspaceId: string, userId: string): Promise<MemberRole | undefined> {
  const row = await db
    .selectFrom('workspace_member')
    .select('role')
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return row?.role
}

/** Members (people) of a workspace with their role, in joining order. */
export async function listMembers(db: Db, workspaceId: string) {
  return db
    .selectFrom('workspace_member as m')
    .innerJoin('user as u', 'u.id', 'm.user_id')
    .selectAll('u')
    .select(['m.role', 'm.joined_time'])
    .where('m.workspace_id', '=', workspaceId)
    .orderBy('m.joined_time')
    .orderBy('u.id')
    .execute()
}

/** The workspace an internal connection belongs to, or undefined when there is no such connection. */
export async function workspaceOfConnection(db: Db, connectionId: string): Promise<string | undefined> {
  const row = await db.selectFrom('connection').select('workspace_id').where('id', '=', connectionId).executeTakeFirst()
  return row?.workspace_id
}

/** The names of the groups with the given ids, by id. */
export async function groupNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('workspace_group').select(['id', 'name']).where('id', 'in', ids).execute()
  return new Map(rows.map((r) => [r.id, r.name]))
}

/** The workspaces a person belongs to with their role, oldest membership first. */
export async function workspacesOfUser(db: Db, userId: string) {
  return db
    .selectFrom('workspace_member as m')
    .innerJoin('workspace as w', 'w.id', 'm.workspace_id')
    .select(['w.id', 'w.name', 'w.icon', 'w.plan', 'm.role'])
    .where('m.user_id', '=', userId)
    .orderBy('m.joined_time')
    .orderBy('w.id')
    .execute()
}

/**
 * Every page and database of a workspace (database rows and trashed nodes included), unordered, with
 * the columns tree listings need (`path` gives the parent; `position` the order among siblings).
 */
export async function listWorkspaceNodes(db: Db, workspaceId: string) {
  return db
    .selectFrom('block')
    .select([
      'id',
      'type',
      'parent_type',
      'parent_id',
      'path',
      'perm_root_id',
      'properties',
      'title_text',
      'icon',
      'position',
      'created_time',
      'in_trash',
    ])
    .where('workspace_id', '=', workspaceId)
    .where('type', 'in', ['child_page', 'child_database'])
    .execute()
}

/**
 * Creates a workspace with its first members (`members`: user id and role; a person listed twice
 * keeps the last role) and appends `workspace.created` (object id = the workspace).
 * @param at who creates it (`user:<first owner>`, …) and when.
 */
export async function createWorkspace(
  db: Db,
  workspace: WorkspaceTable,
  members: { userId: string; role: MemberRole }[],
  at: At,
): Promise<void> {
  await db.insertInto('workspace').values(workspace).execute()
  for (const m of members) {
    await db
      .insertInto('workspace_member')
      .values({ workspace_id: workspace.id, user_id: m.userId, role: m.role, joined_time: at.time })
      .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doUpdateSet({ role: m.role }))
      .execute()
  }
  await appendEvent(db, { workspaceId: workspace.id, type: 'workspace.created', objectId: workspace.id, actor: at.actor, time: at.time })
}

/** A workspace's file storage quota in bytes (migration 0013), or null when it has none (or does not exist). */
export async function storageQuotaOf(db: Db, workspaceId: string): Promise<number | null> {
  const row = await db.selectFrom('workspace').select('storage_quota_bytes').where('id', '=', workspaceId).executeTakeFirst()
  return row?.storage_quota_bytes === null || row?.storage_quota_bytes === undefined ? null : Number(row.storage_quota_bytes)
}

/**
 * Sets (bytes ≥ 0) or lifts (null) a workspace's file storage quota and appends
 * `workspace.storage_quota_set` (`data: {storage_quota_bytes}`).
 * @returns false when the workspace does not exist (nothing written).
 */
export async function setStorageQuota(db: Db, workspaceId: string, bytes: number | null, at: At): Promise<boolean> {
  const res = await db.updateTable('workspace').set({ storage_quota_bytes: bytes }).where('id', '=', workspaceId).executeTakeFirst()
  if (Number(res.numUpdatedRows) !== 1) return false
  await appendEvent(db, {
    workspaceId,
    type: 'workspace.storage_quota_set',
    objectId: workspaceId,
    actor: at.actor,
    time: at.time,
    data: { storage_quota_bytes: bytes },
  })
  return true
}
