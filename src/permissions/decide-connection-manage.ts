/**
 * Who may manage internal connections (developers.notion.com "Internal connections";
 * docs/reference/permissions-and-tokens.md §2.1): only **workspace owners** create one, see the
 * workspace's connections and their content access, reveal or refresh a token, change capabilities
 * and delete one. Every owner manages every connection of the workspace, whoever created it. Adding a
 * connection to a page or removing it is a separate rule (`decideConnectionShare`).
 *
 * The one source of the refusal message shown by the admin API, the CLI and the portal:
 * "Only workspace owners can <action>. This user is a member." (or "… not a member of this workspace.").
 */

/**
 * A workspace role (`MemberRole`: owner, membership_admin, member, restricted_member, guest), or null
 * for someone who is not a member. Typed as a string so this pure rule needs nothing from storage/.
 */
export type WorkspaceRole = string

/** What is done to an internal connection. */
export type ConnectionManageAction = 'create' | 'list' | 'reveal' | 'refresh' | 'configure' | 'delete' | 'see_content'

/** The outcome: allowed, or refused with the message shown to the person. */
export type ConnectionManageDecision = { allowed: true } | { allowed: false; message: string }

/** The words each action takes in the refusal message ("Only workspace owners can …"). */
export const CONNECTION_ACTION_WORDS: Record<ConnectionManageAction, string> = {
  create: 'create internal connections',
  list: 'see internal connections',
  reveal: 'reveal connection tokens',
  refresh: 'refresh connection tokens',
  configure: 'change connection capabilities',
  delete: 'delete internal connections',
  see_content: 'see connection content access',
}

/** "a member", "a restricted member", "a membership admin", or "not a member of this workspace". */
export function describeRole(role: WorkspaceRole | null): string {
  return role ? `a ${role.replaceAll('_', ' ')}` : 'not a member of this workspace'
}

/** The refusal message for someone who is not an owner: "Only workspace owners can <doing>. This user is <role>." */
export function ownersOnlyMessage(doing: string, role: WorkspaceRole | null): string {
  return `Only workspace owners can ${doing}. This user is ${describeRole(role)}.`
}

/**
 * Decides whether a person with workspace role `role` (null when not a member) may perform `action`
 * on the workspace's internal connections. Pure: the caller loads the role (`memberRole`).
 */
export function decideConnectionManage(input: { action: ConnectionManageAction; role: WorkspaceRole | null }): ConnectionManageDecision {
  if (input.role === 'owner') return { allowed: true }
  return { allowed: false, message: ownersOnlyMessage(CONNECTION_ACTION_WORDS[input.action], input.role) }
}
