import type { MemberRole } from '../domain/workspace.js'
import { decideOwnerOnly, type Decision } from './decide-workspace.js'

/**
 * Who may manage internal connections (developers.notion.com "Internal connections";
 * docs/reference/permissions-and-tokens.md §2.1): only **workspace owners** create one, see the
 * workspace's connections and their content access, reveal or refresh a token, change capabilities
 * and delete one. Every owner manages every connection of the workspace, whoever created it. Adding a
 * connection to a page or removing it is a separate rule (`decideConnectionShare`).
 *
 * The refusal is `decideOwnerOnly`'s (decide-workspace.ts), the one wording of owner-only refusals
 * shown by the admin API, the CLI and the portal: "Only workspace owners can <action>. This user is a
 * member." (or "… not a member of this workspace.").
 */

/** What is done to an internal connection. */
export type ConnectionManageAction = 'create' | 'list' | 'reveal' | 'refresh' | 'configure' | 'delete' | 'see_content'

/** The outcome: allowed, or refused with the message shown to the person. */
export type ConnectionManageDecision = Decision

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

/**
 * Decides whether a person with workspace role `role` (null when not a member) may perform `action`
 * on the workspace's internal connections. Pure: the caller loads the role (`memberRole`).
 */
export function decideConnectionManage(input: { action: ConnectionManageAction; role: MemberRole | null }): ConnectionManageDecision {
  return decideOwnerOnly(input.role, CONNECTION_ACTION_WORDS[input.action])
}
