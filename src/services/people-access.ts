import type { MemberRole } from '../domain/workspace.js'
import { FULL_MEMBER_ROLES, isFullMember } from '../permissions/decide-workspace.js'
import { principalOf } from '../permissions/roles.js'
import { groupIdsOfMember } from '../storage/repositories/people.repository.js'
import { memberRole } from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'

/**
 * Who a person acts as when they (or a token acting as them, such as a PAT) reach pages:
 * docs/adr/0009-people-permissions.md, docs/reference/permissions-and-tokens.md §2.2 and §7.3 step 3.
 */

/** A workspace role (docs/reference/permissions-and-tokens.md §2.2). Same values as `workspace_member.role`. */
export type WorkspaceRole = MemberRole

// Full membership is a rule of permissions/decide-workspace.ts; re-exported for existing callers.
export { FULL_MEMBER_ROLES, isFullMember }

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
  const role = await memberRole(db, workspaceId, userId)
  if (!role) return null
  const principals = [principalOf.user(userId)]
  if (isFullMember(role)) principals.push(principalOf.members(workspaceId))
  if (role !== 'guest') {
    for (const g of await groupIdsOfMember(db, workspaceId, userId)) principals.push(principalOf.group(g))
  }
  return { role, principals }
}
