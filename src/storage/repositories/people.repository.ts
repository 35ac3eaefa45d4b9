import type { MemberRole, UserTable, WorkspaceGroupTable } from '../database.js'
import type { Db } from '../store.js'
import type { At } from './at.js'
import { appendEvent } from './events.repository.js'

/**
 * Workspace people: memberships (`workspace_member`), groups (`workspace_group`) and their members
 * (`group_member`); docs/adr/0009-people-permissions.md. Every write appends its change event in the
 * caller's transaction (ADR 15): `member.added`, `member.role_changed`, `member.removed`,
 * `member.left`, `group.created`, `group.renamed`, `group.deleted`, `group.member_added`,
 * `group.member_removed`. The rules (who may) are in permissions/decide-workspace.ts.
 */

/** Stores a new person or bot user (people are global; membership is per workspace). No event: joining a workspace is one. */
export async function insertPerson(db: Db, user: UserTable): Promise<void> {
  await db.insertInto('user').values(user).execute()
}

/** How many owners a workspace has. */
export async function countOwners(db: Db, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('workspace_member')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('role', '=', 'owner')
    .executeTakeFirst()
  return Number(row?.n ?? 0)
}

/** The ids of the groups a person belongs to in a workspace. */
export async function groupIdsOfMember(db: Db, workspaceId: string, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('group_member')
    .select('group_id')
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .execute()
  return rows.map((r) => r.group_id)
}

/** Whether `userId` is a member of the workspace (any role). */
export async function isWorkspaceMember(db: Db, workspaceId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('workspace_member')
    .select('user_id')
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return Boolean(row)
}

/**
 * The users the `/v1/users` listing shows: the workspace's people except guests, in joining order,
 * then its internal connections' bots, in creation order (docs/reference/notion-api.md §1.1:
 * "Guests are not included").
 */
export async function listApiUsers(db: Db, workspaceId: string): Promise<UserTable[]> {
  const people = await db
    .selectFrom('workspace_member as m')
    .innerJoin('user as u', 'u.id', 'm.user_id')
    .selectAll('u')
    .where('m.workspace_id', '=', workspaceId)
    .where('m.role', '!=', 'guest')
    .orderBy('m.joined_time')
    .orderBy('u.id')
    .execute()
  const bots = await db
    .selectFrom('connection as c')
    .innerJoin('user as u', 'u.id', 'c.bot_id')
    .selectAll('u')
    .where('c.workspace_id', '=', workspaceId)
    .orderBy('c.created_time')
    .orderBy('u.id')
    .execute()
  return [...people, ...bots]
}

/** Whether `userId` is a person of the workspace (guests included) or one of its internal connections' bots. */
export async function isWorkspaceUser(db: Db, workspaceId: string, userId: string): Promise<boolean> {
  if (await isWorkspaceMember(db, workspaceId, userId)) return true
  const bot = await db
    .selectFrom('connection')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('bot_id', '=', userId)
    .executeTakeFirst()
  return Boolean(bot)
}

/**
 * Adds `userId` to a workspace with `role`, or changes their role when they are already a member
 * (their joining time stays); appends `member.added` (`data.role`).
 */
export async function addMember(db: Db, input: { workspaceId: string; userId: string; role: MemberRole }, at: At): Promise<void> {
  await db
    .insertInto('workspace_member')
    .values({ workspace_id: input.workspaceId, user_id: input.userId, role: input.role, joined_time: at.time })
    .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doUpdateSet({ role: input.role }))
    .execute()
  await appendEvent(db, {
    workspaceId: input.workspaceId,
    type: 'member.added',
    objectId: input.userId,
    actor: at.actor,
    time: at.time,
    data: { role: input.role },
  })
}

/**
 * Changes a member's role from `from` to `to`. Becoming a guest also drops their group memberships
 * (guests are not in groups). Appends `member.role_changed` (`data`: from, to, and `groups_left` when
 * some were dropped).
 * @returns how many group memberships were dropped.
 */
export async function changeMemberRole(
  db: Db,
  input: { workspaceId: string; userId: string; from: MemberRole; to: MemberRole },
  at: At,
): Promise<number> {
  await db
    .updateTable('workspace_member')
    .set({ role: input.to })
    .where('workspace_id', '=', input.workspaceId)
    .where('user_id', '=', input.userId)
    .execute()
  let groupsLeft = 0
  if (input.to === 'guest') {
    const res = await db
      .deleteFrom('group_member')
      .where('workspace_id', '=', input.workspaceId)
      .where('user_id', '=', input.userId)
      .executeTakeFirst()
    groupsLeft = Number(res.numDeletedRows)
  }
  await appendEvent(db, {
    workspaceId: input.workspaceId,
    type: 'member.role_changed',
    objectId: input.userId,
    actor: at.actor,
    time: at.time,
    data: { from: input.from, to: input.to, ...(groupsLeft > 0 && { groups_left: groupsLeft }) },
  })
  return groupsLeft
}

/**
 * Ends a person's membership of a workspace and their group memberships there, appending
 * `member.left` (when `left`) or `member.removed`, with `data` (the caller's summary: former role and
 * what ended with it — page grants dropped, PATs revoked, installs removed).
 */
export async function removeMember(
  db: Db,
  input: { workspaceId: string; userId: string; left: boolean; data: Record<string, unknown> },
  at: At,
): Promise<void> {
  await db.deleteFrom('workspace_member').where('workspace_id', '=', input.workspaceId).where('user_id', '=', input.userId).execute()
  await db.deleteFrom('group_member').where('workspace_id', '=', input.workspaceId).where('user_id', '=', input.userId).execute()
  await appendEvent(db, {
    workspaceId: input.workspaceId,
    type: input.left ? 'member.left' : 'member.removed',
    objectId: input.userId,
    actor: at.actor,
    time: at.time,
    data: input.data,
  })
}

/** One group by id (any workspace). */
export async function findGroup(db: Db, groupId: string): Promise<WorkspaceGroupTable | undefined> {
  return db.selectFrom('workspace_group').selectAll().where('id', '=', groupId).executeTakeFirst()
}

/** A workspace's groups, by name. */
export async function listGroups(db: Db, workspaceId: string): Promise<WorkspaceGroupTable[]> {
  return db.selectFrom('workspace_group').selectAll().where('workspace_id', '=', workspaceId).orderBy('name').orderBy('id').execute()
}

/** Groups by id (those that exist), by name, as `{id, name}`. */
export async function groupNames(db: Db, groupIds: readonly string[]): Promise<{ id: string; name: string }[]> {
  if (groupIds.length === 0) return []
  return db
    .selectFrom('workspace_group')
    .select(['id', 'name'])
    .where('id', 'in', [...groupIds])
    .orderBy('name')
    .execute()
}

/** Which of `groupIds` are groups of the workspace. */
export async function existingGroupIds(db: Db, workspaceId: string, groupIds: readonly string[]): Promise<string[]> {
  if (groupIds.length === 0) return []
  const rows = await db
    .selectFrom('workspace_group')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', [...groupIds])
    .execute()
  return rows.map((r) => r.id)
}

/** Every group membership of a workspace with the person (`id, name, email`) and their role, by name. */
export async function listGroupMemberships(db: Db, workspaceId: string) {
  return db
    .selectFrom('group_member as g')
    .innerJoin('user as u', 'u.id', 'g.user_id')
    .leftJoin('workspace_member as m', (j) => j.onRef('m.user_id', '=', 'g.user_id').onRef('m.workspace_id', '=', 'g.workspace_id'))
    .select(['g.group_id', 'u.id', 'u.name', 'u.email', 'm.role'])
    .where('g.workspace_id', '=', workspaceId)
    .orderBy('u.name')
    .execute()
}

/** Whether `userId` is in group `groupId`. */
export async function isGroupMember(db: Db, groupId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('group_member')
    .select('user_id')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return Boolean(row)
}

/** Creates a group and appends `group.created` (`data.name`). */
export async function createGroup(db: Db, group: WorkspaceGroupTable, at: At): Promise<void> {
  await db.insertInto('workspace_group').values(group).execute()
  await appendEvent(db, {
    workspaceId: group.workspace_id,
    type: 'group.created',
    objectId: group.id,
    actor: at.actor,
    time: at.time,
    data: { name: group.name },
  })
}

/** Renames a group and appends `group.renamed` (`data`: from, to). */
export async function renameGroup(
  db: Db,
  group: Pick<WorkspaceGroupTable, 'id' | 'workspace_id' | 'name'>,
  name: string,
  at: At,
): Promise<void> {
  await db.updateTable('workspace_group').set({ name }).where('id', '=', group.id).execute()
  await appendEvent(db, {
    workspaceId: group.workspace_id,
    type: 'group.renamed',
    objectId: group.id,
    actor: at.actor,
    time: at.time,
    data: { from: group.name, to: name },
  })
}

/**
 * Deletes a group and its memberships, appending `group.deleted` (`data`: name, and how many page
 * grants the caller dropped with it — acl.repository.ts `revokeEveryGrantOf`).
 */
export async function deleteGroup(
  db: Db,
  group: Pick<WorkspaceGroupTable, 'id' | 'workspace_id' | 'name'>,
  pageGrantsDropped: number,
  at: At,
): Promise<void> {
  await db.deleteFrom('group_member').where('group_id', '=', group.id).execute()
  await db.deleteFrom('workspace_group').where('id', '=', group.id).execute()
  await appendEvent(db, {
    workspaceId: group.workspace_id,
    type: 'group.deleted',
    objectId: group.id,
    actor: at.actor,
    time: at.time,
    data: { name: group.name, page_grants_dropped: pageGrantsDropped },
  })
}

/** Adds `userId` to a group (`addedBy`: a user id) and appends `group.member_added` (`data.user_id`). */
export async function addGroupMember(
  db: Db,
  input: { workspaceId: string; groupId: string; userId: string; addedBy: string },
  at: At,
): Promise<void> {
  await db
    .insertInto('group_member')
    .values({
      group_id: input.groupId,
      workspace_id: input.workspaceId,
      user_id: input.userId,
      added_by: input.addedBy,
      added_time: at.time,
    })
    .execute()
  await appendEvent(db, {
    workspaceId: input.workspaceId,
    type: 'group.member_added',
    objectId: input.groupId,
    actor: at.actor,
    time: at.time,
    data: { user_id: input.userId },
  })
}

/**
 * Removes `userId` from a group and appends `group.member_removed` (`data.user_id`).
 * @returns false when they were not in it (then nothing is written).
 */
export async function removeGroupMember(db: Db, input: { workspaceId: string; groupId: string; userId: string }, at: At): Promise<boolean> {
  const res = await db
    .deleteFrom('group_member')
    .where('group_id', '=', input.groupId)
    .where('user_id', '=', input.userId)
    .executeTakeFirst()
  if (Number(res.numDeletedRows) === 0) return false
  await appendEvent(db, {
    workspaceId: input.workspaceId,
    type: 'group.member_removed',
    objectId: input.groupId,
    actor: at.actor,
    time: at.time,
    data: { user_id: input.userId },
  })
  return true
}

/**
 * Which of `userIds` are users of the workspace: its people (members of any role, guests included)
 * and its internal connections' bots (as `isWorkspaceUser`).
 */
export async function existingWorkspaceUserIds(db: Db, workspaceId: string, userIds: readonly string[]): Promise<string[]> {
  if (userIds.length === 0) return []
  const people = await db
    .selectFrom('workspace_member')
    .select('user_id')
    .where('workspace_id', '=', workspaceId)
    .where('user_id', 'in', [...userIds])
    .execute()
  const bots = await db
    .selectFrom('connection')
    .select('bot_id')
    .where('workspace_id', '=', workspaceId)
    .where('bot_id', 'in', [...userIds])
    .execute()
  return [...people.map((r) => r.user_id), ...bots.map((r) => r.bot_id)]
}
