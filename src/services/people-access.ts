import { principalOf } from '../permissions/roles.js'
import type { MemberRole } from '../storage/database.js'
import type { Db } from '../storage/store.js'

/**
 * Who a person acts as when they (or a token acting as them, such as a PAT) reach pages:
 * docs/adr/0009-people-permissions.md, permissions-and-tokens.md §2.2 and §7.3 step 3.
 */

/** A workspace role (permissions-and-tokens.md §2.2). Same values as `workspace_member.role`. */
export type WorkspaceRole = MemberRole

/** Roles that count as full members: they hold the `members:<workspace>` principal. */
export const FULL_MEMBER_ROLES: readonly WorkspaceRole[] = ['owner', 'membership_admin', 'member']

/** Whether a role is a full member (owner, membership admin or member): not a guest, not restricted. */
export function isFullMember(role: WorkspaceRole): boolean {
  return FULL_MEMBER_ROLES.includes(role)
}

/**
 * The principals a person acts as in a workspace, or null when they are not (or no longer) a member.
 *
 * - every member: `user:<id>`;
 * - full members (owner, membership admin, member): also `members:<workspace>`;
 * - owners, membership admins, members and restricted members: also `group:<id>` for each group they
 *   belong to (guests are never in groups);
 * - guests: only `user:<id>`, so they see exactly the pages shared with them.
 *
 * Read per request with no cache, so a role change, a group change or leaving the workspace applies
 * from the next request. Costs two indexed reads (membership, then the person's groups).
 */
export async function principalsForUser(
  db: Db,
  workspaceId: string,
  userId: string,
): Promise<{ role: WorkspaceRole; principals: string[] } | null> {
  const member = await db
    .selectFrom('workspace_member')
    .select('role')
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  if (!member) return null
  const role = member.role
  const principals = [principalOf.user(userId)]
  if (isFullMember(role)) principals.push(principalOf.members(workspaceId))
  if (role !== 'guest') {
    const groups = await db
      .selectFrom('group_member')
      .select('group_id')
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .execute()
    for (const g of groups) principals.push(principalOf.group(g.group_id))
  }
  return { role, principals }
}
