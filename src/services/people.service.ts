import { isoNow } from '../domain/clock.js'
import { newId } from '../domain/ids.js'
import { DomainError } from '../errors/domain-error.js'
import { principalOf } from '../permissions/roles.js'
import type { MemberRole } from '../storage/database.js'
import { revokeOnPage } from '../storage/repositories/acl.repository.js'
import { audit } from '../storage/repositories/audit.repository.js'
import { findBlock } from '../storage/repositories/blocks.repository.js'
import { findWorkspace, memberRole } from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'
import type { Deps } from './deps.js'
import { removeInstallsOfDepartingMember } from './oauth.service.js'
import { revokePatsOfDepartingMember } from './pats.service.js'

/**
 * Workspace people: role changes, removal (leaving), and groups with their members
 * (permissions-and-tokens.md §2.2; docs/adr/0009-people-permissions.md).
 *
 * Who may do what (Notion's Settings → People and Groups):
 * - owners change any role, remove anyone and manage groups;
 * - membership admins manage people below them (members, restricted members, guests: role changes
 *   among those roles and removal) and groups with their members, nothing about owners or admins;
 * - anyone may leave a workspace (remove themselves);
 * - a workspace keeps at least one owner.
 * Group membership is resolved per request (people-access.ts), so none of this rewrites ACLs except
 * deleting a group or removing a person, which drop that group's or person's page grants.
 * Every change writes an audit entry (`member.role_changed`, `member.removed|left` with the
 * `pat.revoked` and `oauth.install_removed` entries of the tokens that end with it, `group.*`).
 */

export const MEMBER_ROLES: readonly MemberRole[] = ['owner', 'membership_admin', 'member', 'restricted_member', 'guest']
const ADMIN_ROLES: readonly MemberRole[] = ['owner', 'membership_admin']

/**
 * The actor's role, required to be one of `allowed`.
 * @throws DomainError forbidden
 */
async function requireRole(db: Db, workspaceId: string, actorId: string, allowed: readonly MemberRole[], what: string): Promise<MemberRole> {
  const role = await memberRole(db, workspaceId, actorId)
  if (!role || !allowed.includes(role)) throw new DomainError('forbidden', `Only ${allowed.includes('membership_admin') ? 'workspace owners and membership admins' : 'workspace owners'} can ${what}.`)
  return role
}

async function requireWorkspace(db: Db, workspaceId: string): Promise<void> {
  if (!(await findWorkspace(db, workspaceId))) throw new DomainError('not_found', `No workspace with id ${workspaceId}.`)
}

async function ownerCount(db: Db, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('workspace_member')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('role', '=', 'owner')
    .executeTakeFirst()
  return Number(row?.n ?? 0)
}

/** Drops `principal`'s page grants in a workspace, re-materialising the affected roots. */
async function dropGrantsOf(db: Db, workspaceId: string, principal: string): Promise<number> {
  const grants = await db
    .selectFrom('page_grant')
    .select('page_id')
    .where('workspace_id', '=', workspaceId)
    .where('principal', '=', principal)
    .execute()
  for (const g of grants) {
    const node = await findBlock(db, g.page_id)
    if (node) await revokeOnPage(db, node, principal)
    else await db.deleteFrom('page_grant').where('page_id', '=', g.page_id).where('principal', '=', principal).execute()
  }
  return grants.length
}

/**
 * Changes a member's workspace role. Becoming a guest drops the person's group memberships (guests
 * are not in groups). Takes effect from the next request: principals are resolved per request.
 * @throws DomainError not_found (workspace, member) | forbidden (actor's role) | conflict (last owner)
 */
export async function changeMemberRole(deps: Deps, input: { workspaceId: string; actorId: string; userId: string; role: MemberRole }) {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    await requireWorkspace(trx, input.workspaceId)
    const actorRole = await requireRole(trx, input.workspaceId, input.actorId, ADMIN_ROLES, 'change member roles')
    const from = await memberRole(trx, input.workspaceId, input.userId)
    if (!from) throw new DomainError('not_found', `User ${input.userId} is not a member of workspace ${input.workspaceId}.`)
    if (actorRole === 'membership_admin' && (ADMIN_ROLES.includes(from) || ADMIN_ROLES.includes(input.role))) {
      throw new DomainError('forbidden', 'Membership admins can only change roles among members, restricted members and guests.')
    }
    if (from === 'owner' && input.role !== 'owner' && (await ownerCount(trx, input.workspaceId)) <= 1) {
      throw new DomainError('conflict', 'A workspace needs at least one owner.')
    }
    await trx
      .updateTable('workspace_member')
      .set({ role: input.role })
      .where('workspace_id', '=', input.workspaceId)
      .where('user_id', '=', input.userId)
      .execute()
    let groupsLeft = 0
    if (input.role === 'guest') {
      const res = await trx.deleteFrom('group_member').where('workspace_id', '=', input.workspaceId).where('user_id', '=', input.userId).executeTakeFirst()
      groupsLeft = Number(res.numDeletedRows)
    }
    await audit(trx, {
      workspaceId: input.workspaceId,
      actor: principalOf.user(input.actorId),
      action: 'member.role_changed',
      target: input.userId,
      meta: { from, to: input.role, ...(groupsLeft > 0 && { groups_left: groupsLeft }) },
      time,
    })
    return { user_id: input.userId, role: input.role, previous_role: from }
  })
}

/**
 * Removes a person from a workspace, or lets them leave (`actorId` = `userId`). Every grant ends at
 * once: their membership, their group memberships and their `user:` page grants are deleted, their
 * personal access tokens in the workspace are revoked and the public-connection installs they
 * authorized there are removed (audited `pat.revoked` / `oauth.install_removed`), all in one
 * transaction; adding them again restores none of it. Connections they created and shares they made with connections stay (a share outlives
 * its sharer, as Notion documents). Without `actorId` (the operator's admin key) no role check applies.
 * @throws DomainError not_found | forbidden | conflict (the last owner)
 */
export async function removeWorkspaceMember(deps: Deps, input: { workspaceId: string; userId: string; actorId?: string | undefined }) {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    await requireWorkspace(trx, input.workspaceId)
    const role = await memberRole(trx, input.workspaceId, input.userId)
    if (!role) throw new DomainError('not_found', `User ${input.userId} is not a member of workspace ${input.workspaceId}.`)
    if (input.actorId !== undefined && input.actorId !== input.userId) {
      const actorRole = await requireRole(trx, input.workspaceId, input.actorId, ADMIN_ROLES, 'remove people from the workspace')
      if (actorRole === 'membership_admin' && ADMIN_ROLES.includes(role)) {
        throw new DomainError('forbidden', 'Membership admins cannot remove workspace owners or membership admins.')
      }
    }
    if (role === 'owner' && (await ownerCount(trx, input.workspaceId)) <= 1) {
      throw new DomainError('conflict', 'A workspace needs at least one owner.')
    }
    await trx.deleteFrom('workspace_member').where('workspace_id', '=', input.workspaceId).where('user_id', '=', input.userId).execute()
    await trx.deleteFrom('group_member').where('workspace_id', '=', input.workspaceId).where('user_id', '=', input.userId).execute()
    const grants = await dropGrantsOf(trx, input.workspaceId, principalOf.user(input.userId))
    const actor = input.actorId ? principalOf.user(input.actorId) : 'admin'
    const left = input.actorId === input.userId
    // Their tokens end for good: being added again must not bring them back (ADR 14).
    const departing = { workspaceId: input.workspaceId, userId: input.userId, actor, reason: left ? ('member_left' as const) : ('member_removed' as const), time }
    const patsRevoked = await revokePatsOfDepartingMember(trx, departing)
    const installsRemoved = await removeInstallsOfDepartingMember(trx, departing)
    await audit(trx, {
      workspaceId: input.workspaceId,
      actor,
      action: left ? 'member.left' : 'member.removed',
      target: input.userId,
      meta: { role, page_grants_dropped: grants, pats_revoked: patsRevoked, installs_removed: installsRemoved },
      time,
    })
    return { user_id: input.userId, removed: true }
  })
}

async function loadGroup(db: Db, workspaceId: string, groupId: string) {
  const g = await db.selectFrom('workspace_group').selectAll().where('id', '=', groupId).executeTakeFirst()
  if (!g || g.workspace_id !== workspaceId) throw new DomainError('not_found', `No group with id ${groupId} in this workspace.`)
  return g
}

function validGroupName(name: string): string {
  const n = name.trim()
  if (!n) throw new DomainError('invalid_input', 'A group needs a name.')
  if (n.length > 200) throw new DomainError('invalid_input', 'A group name is at most 200 characters.')
  return n
}

/** The groups of a workspace, by name, each with its members `{id, name, email, role}`. @throws DomainError not_found */
export async function listGroups(deps: Deps, workspaceId: string) {
  const db = deps.store.db
  await requireWorkspace(db, workspaceId)
  const groups = await db.selectFrom('workspace_group').selectAll().where('workspace_id', '=', workspaceId).orderBy('name').orderBy('id').execute()
  const members = await db
    .selectFrom('group_member as g')
    .innerJoin('user as u', 'u.id', 'g.user_id')
    .leftJoin('workspace_member as m', (j) => j.onRef('m.user_id', '=', 'g.user_id').onRef('m.workspace_id', '=', 'g.workspace_id'))
    .select(['g.group_id', 'u.id', 'u.name', 'u.email', 'm.role'])
    .where('g.workspace_id', '=', workspaceId)
    .orderBy('u.name')
    .execute()
  return groups.map((g) => ({
    id: g.id,
    name: g.name,
    created_by: g.created_by,
    created_time: g.created_time,
    members: members.filter((m) => m.group_id === g.id).map((m) => ({ id: m.id, name: m.name, email: m.email, role: m.role })),
  }))
}

/** Creates a group. @throws DomainError not_found | forbidden | invalid_input */
export async function createGroup(deps: Deps, input: { workspaceId: string; actorId: string; name: string }) {
  const time = isoNow(deps.clock)
  const name = validGroupName(input.name)
  return deps.store.transaction(async (trx) => {
    await requireWorkspace(trx, input.workspaceId)
    await requireRole(trx, input.workspaceId, input.actorId, ADMIN_ROLES, 'manage groups')
    const group = { id: newId(), workspace_id: input.workspaceId, name, created_by: input.actorId, created_time: time }
    await trx.insertInto('workspace_group').values(group).execute()
    await audit(trx, { workspaceId: input.workspaceId, actor: principalOf.user(input.actorId), action: 'group.created', target: group.id, meta: { name }, time })
    return { ...group, members: [] as { id: string }[] }
  })
}

/** Renames a group. @throws DomainError not_found | forbidden | invalid_input */
export async function renameGroup(deps: Deps, input: { workspaceId: string; actorId: string; groupId: string; name: string }) {
  const time = isoNow(deps.clock)
  const name = validGroupName(input.name)
  return deps.store.transaction(async (trx) => {
    await requireWorkspace(trx, input.workspaceId)
    await requireRole(trx, input.workspaceId, input.actorId, ADMIN_ROLES, 'manage groups')
    const g = await loadGroup(trx, input.workspaceId, input.groupId)
    await trx.updateTable('workspace_group').set({ name }).where('id', '=', g.id).execute()
    await audit(trx, { workspaceId: input.workspaceId, actor: principalOf.user(input.actorId), action: 'group.renamed', target: g.id, meta: { from: g.name, to: name }, time })
    return { ...g, name }
  })
}

/**
 * Deletes a group: its members lose what the group gave them from the next request, and its page
 * grants are removed (the affected roots re-materialised).
 * @throws DomainError not_found | forbidden
 */
export async function deleteGroup(deps: Deps, input: { workspaceId: string; actorId: string; groupId: string }) {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    await requireWorkspace(trx, input.workspaceId)
    await requireRole(trx, input.workspaceId, input.actorId, ADMIN_ROLES, 'manage groups')
    const g = await loadGroup(trx, input.workspaceId, input.groupId)
    const grants = await dropGrantsOf(trx, input.workspaceId, principalOf.group(g.id))
    await trx.deleteFrom('group_member').where('group_id', '=', g.id).execute()
    await trx.deleteFrom('workspace_group').where('id', '=', g.id).execute()
    await audit(trx, { workspaceId: input.workspaceId, actor: principalOf.user(input.actorId), action: 'group.deleted', target: g.id, meta: { name: g.name, page_grants_dropped: grants }, time })
    return { id: g.id, deleted: true }
  })
}

/**
 * Adds a member to a group. Guests cannot be in groups (Notion: groups are sets of workspace members).
 * No ACL is rewritten: the `group:<id>` principal is resolved per request.
 * @throws DomainError not_found | forbidden | invalid_input (guest) | conflict (already a member)
 */
export async function addGroupMember(deps: Deps, input: { workspaceId: string; actorId: string; groupId: string; userId: string }) {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    await requireWorkspace(trx, input.workspaceId)
    await requireRole(trx, input.workspaceId, input.actorId, ADMIN_ROLES, 'manage group members')
    const g = await loadGroup(trx, input.workspaceId, input.groupId)
    const role = await memberRole(trx, input.workspaceId, input.userId)
    if (!role) throw new DomainError('not_found', `User ${input.userId} is not a member of workspace ${input.workspaceId}.`)
    if (role === 'guest') throw new DomainError('invalid_input', 'Guests cannot be added to groups.')
    const existing = await trx.selectFrom('group_member').select('user_id').where('group_id', '=', g.id).where('user_id', '=', input.userId).executeTakeFirst()
    if (existing) throw new DomainError('conflict', `User ${input.userId} is already in group ${g.name}.`)
    await trx
      .insertInto('group_member')
      .values({ group_id: g.id, workspace_id: input.workspaceId, user_id: input.userId, added_by: input.actorId, added_time: time })
      .execute()
    await audit(trx, { workspaceId: input.workspaceId, actor: principalOf.user(input.actorId), action: 'group.member_added', target: g.id, meta: { user_id: input.userId }, time })
    return { group_id: g.id, user_id: input.userId }
  })
}

/** Removes a member from a group, effective from the next request. @throws DomainError not_found | forbidden */
export async function removeGroupMember(deps: Deps, input: { workspaceId: string; actorId: string; groupId: string; userId: string }) {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    await requireWorkspace(trx, input.workspaceId)
    await requireRole(trx, input.workspaceId, input.actorId, ADMIN_ROLES, 'manage group members')
    const g = await loadGroup(trx, input.workspaceId, input.groupId)
    const res = await trx.deleteFrom('group_member').where('group_id', '=', g.id).where('user_id', '=', input.userId).executeTakeFirst()
    if (Number(res.numDeletedRows) === 0) throw new DomainError('not_found', `User ${input.userId} is not in group ${g.name}.`)
    await audit(trx, { workspaceId: input.workspaceId, actor: principalOf.user(input.actorId), action: 'group.member_removed', target: g.id, meta: { user_id: input.userId }, time })
    return { group_id: g.id, user_id: input.userId, removed: true }
  })
}
