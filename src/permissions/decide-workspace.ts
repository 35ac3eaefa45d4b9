import type { MemberRole } from '../domain/workspace.js'
import { DomainError } from '../errors/domain-error.js'

/**
 * Workspace-level rules about people (docs/reference/permissions-and-tokens.md §2.2,
 * docs/adr/0009-people-permissions.md): who may act as an owner, who manages people and groups, and
 * the limits on membership admins and on the last owner. Pure: the services load the roles and pass
 * them in; the refusal messages here are the ones the API, the admin API, the CLI and the portal show.
 *
 * Notion's Settings → People and Groups:
 * - owners change any role, add and remove anyone, manage groups, and alone see or change the
 *   workspace's connections, personal access tokens, PAT policy and audit log;
 * - membership admins manage people below them (members, restricted members, guests) and groups with
 *   their members, nothing about owners or membership admins;
 * - anyone may leave a workspace (remove themselves); a workspace keeps at least one owner.
 */

/** Why a refusal: `forbidden` (403) by default; `conflict` (409) for the last owner; `invalid_input` (400). */
export type RefusalCode = 'forbidden' | 'conflict' | 'invalid_input'

/** A rule's outcome: allowed, or refused with the message shown to the person and its code. */
export type Decision = { allowed: true } | { allowed: false; message: string; code?: RefusalCode }

export const ALLOWED: Decision = { allowed: true }

/** A refusal (`code` defaults to forbidden). */
export function refuse(message: string, code?: RefusalCode): Decision {
  return code ? { allowed: false, message, code } : { allowed: false, message }
}

/**
 * Throws the refusal of `decision` as a DomainError (its `code`, default `forbidden`), or returns.
 * @throws DomainError forbidden | conflict | invalid_input
 */
export function enforce(decision: Decision): void {
  if (!decision.allowed) throw new DomainError(decision.code ?? 'forbidden', decision.message)
}

/** Roles that count as full members: they hold the `members:<workspace>` principal. */
export const FULL_MEMBER_ROLES: readonly MemberRole[] = ['owner', 'membership_admin', 'member']

/** Roles that manage people and groups. */
export const PEOPLE_ADMIN_ROLES: readonly MemberRole[] = ['owner', 'membership_admin']

/** Whether a role is a full member (owner, membership admin or member): not a guest, not restricted. */
export function isFullMember(role: MemberRole): boolean {
  return FULL_MEMBER_ROLES.includes(role)
}

/** `a member`, `a membership admin`, `not a member of this workspace`: how refusals name a role. */
export function describeRole(role: MemberRole | null | undefined): string {
  return role ? `a ${role.replace('_', ' ')}` : 'not a member of this workspace'
}

/** "Only workspace owners can <doing>. This user is <role>." */
export function ownersOnlyMessage(doing: string, role: MemberRole | null | undefined): string {
  return `Only workspace owners can ${doing}. This user is ${describeRole(role)}.`
}

/** "Only workspace owners and membership admins can <doing>." */
export function peopleAdminsOnlyMessage(doing: string): string {
  return `Only workspace owners and membership admins can ${doing}.`
}

export const LAST_OWNER_MESSAGE = 'A workspace needs at least one owner.'
export const ADMIN_ROLE_CHANGE_MESSAGE = 'Membership admins can only change roles among members, restricted members and guests.'
export const ADMIN_REMOVAL_MESSAGE = 'Membership admins cannot remove workspace owners or membership admins.'
export const ADMIN_ADD_MESSAGE = 'Membership admins can only add members, restricted members and guests.'

/**
 * An owner-only action (`doing`, e.g. "see the audit log", "create internal connections"): allowed
 * for owners; anyone else (`role` null = not a member) gets "Only workspace owners can <doing>. This
 * user is <role>." — the single wording of every owner-only refusal.
 */
export function decideOwnerOnly(role: MemberRole | null | undefined, doing: string): Decision {
  return role === 'owner' ? ALLOWED : refuse(ownersOnlyMessage(doing, role))
}

/**
 * An action of the people administrators (`doing`, e.g. "manage groups"): allowed for owners and
 * membership admins; anyone else gets "Only workspace owners and membership admins can <doing>.".
 */
export function decidePeopleAdmin(role: MemberRole | null | undefined, doing: string): Decision {
  return role && PEOPLE_ADMIN_ROLES.includes(role) ? ALLOWED : refuse(peopleAdminsOnlyMessage(doing))
}

/** Whether a person with `actorRole` may change roles at all (checked before the target is looked up). */
export function decideRoleChanger(actorRole: MemberRole | null | undefined): Decision {
  return decidePeopleAdmin(actorRole, 'change member roles')
}

/**
 * Changing a member's role from `from` to `to` by a person with `actorRole`. `owners` is the
 * workspace's number of owners (read only when `from` is owner). Order: the actor's role, the limits
 * of membership admins (nothing about owners or admins), then the last owner (409 conflict).
 */
export function decideRoleChange(input: {
  actorRole: MemberRole | null | undefined
  from: MemberRole
  to: MemberRole
  owners: number
}): Decision {
  const asAdmin = decideRoleChanger(input.actorRole)
  if (!asAdmin.allowed) return asAdmin
  if (input.actorRole === 'membership_admin' && (PEOPLE_ADMIN_ROLES.includes(input.from) || PEOPLE_ADMIN_ROLES.includes(input.to))) {
    return refuse(ADMIN_ROLE_CHANGE_MESSAGE)
  }
  if (input.from === 'owner' && input.to !== 'owner' && input.owners <= 1) return refuse(LAST_OWNER_MESSAGE, 'conflict')
  return ALLOWED
}

/** Who removes a person: the operator (admin key, CLI without `--as`), the person themselves (leaving), or another person with their role. */
export type RemovalActor = { kind: 'operator' } | { kind: 'self' } | { kind: 'person'; role: MemberRole | null | undefined }

/**
 * Removing a member whose role is `target` (`owners`: the workspace's number of owners, read only when
 * the target is an owner). The operator and the person leaving pass the role checks; another person
 * must manage people, and a membership admin cannot remove owners or admins. Nobody removes the last
 * owner (409 conflict), not even by leaving.
 */
export function decideMemberRemoval(input: { actor: RemovalActor; target: MemberRole; owners: number }): Decision {
  if (input.actor.kind === 'person') {
    const asAdmin = decidePeopleAdmin(input.actor.role, 'remove people from the workspace')
    if (!asAdmin.allowed) return asAdmin
    if (input.actor.role === 'membership_admin' && PEOPLE_ADMIN_ROLES.includes(input.target)) return refuse(ADMIN_REMOVAL_MESSAGE)
  }
  if (input.target === 'owner' && input.owners <= 1) return refuse(LAST_OWNER_MESSAGE, 'conflict')
  return ALLOWED
}

/** Whether a person with `role` may add people at all (checked before the person added is looked up). */
export function decideMemberAdder(role: MemberRole | null | undefined): Decision {
  return decidePeopleAdmin(role, 'add people to the workspace')
}

/**
 * Adding a person with role `role` (or re-roling them when they are already a member with `current`)
 * by `actor`: the operator always may; a person must manage people, and a membership admin adds and
 * re-roles only people below admin level.
 */
export function decideMemberAdd(input: {
  actor: { kind: 'operator' } | { kind: 'person'; role: MemberRole | null | undefined }
  role: MemberRole
  current: MemberRole | null | undefined
}): Decision {
  if (input.actor.kind === 'operator') return ALLOWED
  const asAdmin = decideMemberAdder(input.actor.role)
  if (!asAdmin.allowed) return asAdmin
  if (
    input.actor.role === 'membership_admin' &&
    (PEOPLE_ADMIN_ROLES.includes(input.role) || (input.current && PEOPLE_ADMIN_ROLES.includes(input.current)))
  ) {
    return refuse(ADMIN_ADD_MESSAGE)
  }
  return ALLOWED
}

/** The group actions and how refusals name them. */
export type GroupAction = 'manage' | 'members'

/** Creating, renaming or deleting groups (`manage`), or adding and removing their members (`members`): people administrators only. */
export function decideGroupChange(role: MemberRole | null | undefined, action: GroupAction): Decision {
  return decidePeopleAdmin(role, action === 'manage' ? 'manage groups' : 'manage group members')
}
