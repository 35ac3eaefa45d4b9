import { isoNow } from '../domain/clock.js'
import { newId } from '../domain/ids.js'
import { MEMBER_ROLES as ROLES, type MemberRole } from '../domain/workspace.js'
import { DomainError } from '../errors/domain-error.js'
import {
  decideGroupChange,
  decideMemberRemoval,
  decideRoleChange,
  decideRoleChanger,
  enforce,
  type GroupAction,
} from '../permissions/decide-workspace.js'
import { principalOf } from '../permissions/roles.js'
import { revokeEveryGrantOf } from '../storage/repositories/acl.repository.js'
import type { At } from '../storage/repositories/at.js'
import * as people from '../storage/repositories/people.repository.js'
import { findWorkspace, memberRole } from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'
import type { Deps } from './deps.js'
import { removeInstallsOfDepartingMember } from './oauth/installs.js'
import { revokePatsOfDepartingMember } from './pats.service.js'

/**
 * Workspace people: role changes, removal (leaving), and groups with their members
 * (docs/reference/permissions-and-tokens.md §2.2; docs/adr/0009-people-permissions.md).
 *
 * Who may do what (Notion's Settings → People and Groups) is decided by permissions/decide-workspace.ts
 * (decideRoleChange, decideMemberRemoval, decideGroupChange); the writes and their change events are
 * storage/repositories/people.repository.ts and acl.repository.ts (`revokeEveryGrantOf`).
 * Group membership is resolved per request (people-access.ts), so none of this rewrites ACLs except
 * deleting a group or removing a person, which drop that group's or person's page grants.
 * Every change appends its change events (`member.role_changed`, `member.removed|left` with the
 * `grant.changed`, `pat.revoked` and `oauth.install_removed` events of what ends with it, `group.*`).
 */

/** Every workspace role (domain/workspace.ts), re-exported for the admin API, the CLI and the portal. */
export const MEMBER_ROLES: readonly MemberRole[] = ROLES

/**
 * Requires `actorId` to manage groups (`manage`) or their members (`members`): decideGroupChange.
 * @throws DomainError forbidden
 */
async function requireGroupAdmin(db: Db, workspaceId: string, actorId: string, action: GroupAction): Promise<void> {
  enforce(decideGroupChange(await memberRole(db, workspaceId, actorId), action))
}

/** The change-event stamp of a person's write. */
function byUser(userId: string, time: string): At {
  return { actor: principalOf.user(userId), time }
}

async function requireWorkspace(db: Db, workspaceId: string): Promise<void> {
  if (!(await findWorkspace(db, workspaceId))) throw new DomainError('not_found', `No workspace with id ${workspaceId}.`)
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
    const actorRole = await memberRole(trx, input.workspaceId, input.actorId)
    // The actor's role first: someone who may not change roles learns nothing about the target.
    enforce(decideRoleChanger(actorRole))
    const from = await memberRole(trx, input.workspaceId, input.userId)
    if (!from) throw new DomainError('not_found', `User ${input.userId} is not a member of workspace ${input.workspaceId}.`)
    const owners = from === 'owner' ? await people.countOwners(trx, input.workspaceId) : 0
    enforce(decideRoleChange({ actorRole, from, to: input.role, owners }))
    await people.changeMemberRole(
      trx,
      { workspaceId: input.workspaceId, userId: input.userId, from, to: input.role },
      byUser(input.actorId, time),
    )
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
    const actor =
      input.actorId === undefined
        ? ({ kind: 'operator' } as const)
        : input.actorId === input.userId
          ? ({ kind: 'self' } as const)
          : { kind: 'person' as const, role: await memberRole(trx, input.workspaceId, input.actorId) }
    const owners = role === 'owner' ? await people.countOwners(trx, input.workspaceId) : 0
    enforce(decideMemberRemoval({ actor, target: role, owners }))
    const at: At = { actor: input.actorId ? principalOf.user(input.actorId) : 'admin', time }
    const left = input.actorId === input.userId
    const reason = left ? ('member_left' as const) : ('member_removed' as const)
    const grants = await revokeEveryGrantOf(trx, principalOf.user(input.userId), at, { workspaceId: input.workspaceId })
    // Their tokens end for good: being added again must not bring them back (ADR 14).
    const departing = { workspaceId: input.workspaceId, userId: input.userId, actor: at.actor, reason, time }
    const patsRevoked = await revokePatsOfDepartingMember(trx, departing)
    const installsRemoved = await removeInstallsOfDepartingMember(trx, departing)
    await people.removeMember(
      trx,
      {
        workspaceId: input.workspaceId,
        userId: input.userId,
        left,
        data: { role, page_grants_dropped: grants, pats_revoked: patsRevoked, installs_removed: installsRemoved },
      },
      at,
    )
    return { user_id: input.userId, removed: true }
  })
}

async function loadGroup(db: Db, workspaceId: string, groupId: string) {
  const g = await people.findGroup(db, groupId)
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
  const groups = await people.listGroups(db, workspaceId)
  const members = await people.listGroupMemberships(db, workspaceId)
  return groups.map((g) => ({
    id: g.id,
    name: g.name,
    created_by: g.created_by,
    created_time: g.created_time,
    members: members.filter((m) => m.group_id === g.id).map((m) => ({ id: m.id, name: m.name, email: m.email, role: m.role })),
  }))
}

/**
 * Creates a group. `uniqueName`: refuse a name another group of the workspace has exactly (case and
 * all, after trimming), as Notion's Admin API does (create-permission-group: 409 `conflict_error`);
 * the portal and the CLI allow duplicates, as they always have.
 * @throws DomainError not_found | forbidden | invalid_input | conflict (uniqueName)
 */
export async function createGroup(deps: Deps, input: { workspaceId: string; actorId: string; name: string; uniqueName?: boolean }) {
  const time = isoNow(deps.clock)
  const name = validGroupName(input.name)
  return deps.store.transaction(async (trx) => {
    await requireWorkspace(trx, input.workspaceId)
    await requireGroupAdmin(trx, input.workspaceId, input.actorId, 'manage')
    if (input.uniqueName && (await people.listGroups(trx, input.workspaceId)).some((g) => g.name === name))
      throw new DomainError('conflict', `A group named ${JSON.stringify(name)} already exists.`)
    const group = { id: newId(), workspace_id: input.workspaceId, name, created_by: input.actorId, created_time: time }
    await people.createGroup(trx, group, byUser(input.actorId, time))
    return { ...group, members: [] as { id: string }[] }
  })
}

/** Renames a group. @throws DomainError not_found | forbidden | invalid_input */
export async function renameGroup(deps: Deps, input: { workspaceId: string; actorId: string; groupId: string; name: string }) {
  const time = isoNow(deps.clock)
  const name = validGroupName(input.name)
  return deps.store.transaction(async (trx) => {
    await requireWorkspace(trx, input.workspaceId)
    await requireGroupAdmin(trx, input.workspaceId, input.actorId, 'manage')
    const g = await loadGroup(trx, input.workspaceId, input.groupId)
    await people.renameGroup(trx, g, name, byUser(input.actorId, time))
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
    await requireGroupAdmin(trx, input.workspaceId, input.actorId, 'manage')
    const g = await loadGroup(trx, input.workspaceId, input.groupId)
    const at = byUser(input.actorId, time)
    const grants = await revokeEveryGrantOf(trx, principalOf.group(g.id), at, { workspaceId: input.workspaceId })
    await people.deleteGroup(trx, g, grants, at)
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
    await requireGroupAdmin(trx, input.workspaceId, input.actorId, 'members')
    const g = await loadGroup(trx, input.workspaceId, input.groupId)
    const role = await memberRole(trx, input.workspaceId, input.userId)
    if (!role) throw new DomainError('not_found', `User ${input.userId} is not a member of workspace ${input.workspaceId}.`)
    if (role === 'guest') throw new DomainError('invalid_input', 'Guests cannot be added to groups.')
    if (await people.isGroupMember(trx, g.id, input.userId))
      throw new DomainError('conflict', `User ${input.userId} is already in group ${g.name}.`)
    await people.addGroupMember(
      trx,
      { workspaceId: input.workspaceId, groupId: g.id, userId: input.userId, addedBy: input.actorId },
      byUser(input.actorId, time),
    )
    return { group_id: g.id, user_id: input.userId }
  })
}

/** Removes a member from a group, effective from the next request. @throws DomainError not_found | forbidden */
export async function removeGroupMember(deps: Deps, input: { workspaceId: string; actorId: string; groupId: string; userId: string }) {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    await requireWorkspace(trx, input.workspaceId)
    await requireGroupAdmin(trx, input.workspaceId, input.actorId, 'members')
    const g = await loadGroup(trx, input.workspaceId, input.groupId)
    const removed = await people.removeGroupMember(
      trx,
      { workspaceId: input.workspaceId, groupId: g.id, userId: input.userId },
      byUser(input.actorId, time),
    )
    if (!removed) throw new DomainError('not_found', `User ${input.userId} is not in group ${g.name}.`)
    return { group_id: g.id, user_id: input.userId, removed: true }
  })
}
