/**
 * Who may manage public (OAuth) connections and their installs: the workspace-level rules of
 * docs/reference/permissions-and-tokens.md §2.1 and §4 and docs/adr/0014-oauth-public-connections.md, decided once
 * here and used by services/public-connections.service.ts and services/oauth/ for the admin API, the
 * CLI and the portal alike (the refusal messages are what each surface shows).
 *
 * - Registering one in a workspace: full members only (owner, membership admin, member); never a
 *   guest, a restricted member or someone outside the workspace.
 * - Seeing its settings, revealing or refreshing its client secret, changing it, deleting it: the
 *   person who registered it, or an owner of the workspace it was registered in.
 * - Installing it (the consent screen's "Allow"): any member of the chosen workspace (the pages they
 *   pick are then checked one by one by `decideConnectionShare`).
 * - Removing an install: the person who authorized it, or an owner of its workspace.
 * - Listing every install of a workspace: its owners.
 *
 * Pure: callers load the person's role in the workspace (null when not a member).
 */

/** A workspace role (same values as `workspace_member.role`), or null for someone outside the workspace. */
export type WorkspaceRoleOrNone = 'owner' | 'membership_admin' | 'member' | 'restricted_member' | 'guest' | null

/** Allowed, or refused with the message shown to the person. */
export type PublicConnectionDecision = { allowed: true } | { allowed: false; message: string }

const ALLOWED = { allowed: true } as const
const refuse = (message: string): PublicConnectionDecision => ({ allowed: false, message })

export const REGISTER_REFUSED_MESSAGE =
  'Only full members of a workspace (not guests or restricted members) can register public connections in it.'
export const INSTALL_NOT_A_MEMBER_MESSAGE = 'You are not a member of that workspace.'
export const REMOVE_INSTALL_REFUSED_MESSAGE = 'Only the person who authorized this connection, or a workspace owner, can remove it.'
export const LIST_INSTALLS_REFUSED_MESSAGE = 'Only workspace owners can see every public connection installed in the workspace.'

/** What a manager does to a public connection, and how the refusal names it. */
export const MANAGE_ACTIONS = {
  view: 'see its settings',
  reveal_secret: 'reveal its client secret',
  refresh_secret: 'refresh its client secret',
  update: 'change it',
  delete: 'delete it',
} as const
export type ManageAction = keyof typeof MANAGE_ACTIONS

/** The refusal message of `action` on a public connection one does not manage. */
export function manageRefusedMessage(action: ManageAction): string {
  return `Only the person who registered this public connection, or an owner of its workspace, can ${MANAGE_ACTIONS[action]}.`
}

/** Whether a person with `role` in a workspace may register a public connection there (full members). */
export function decideRegisterPublicConnection(role: WorkspaceRoleOrNone): PublicConnectionDecision {
  return role === 'owner' || role === 'membership_admin' || role === 'member' ? ALLOWED : refuse(REGISTER_REFUSED_MESSAGE)
}

/**
 * Whether a person may `action` a public connection: its registrant (`isRegistrant`), or an owner of
 * the workspace it was registered in (`role` there).
 */
export function decideManagePublicConnection(
  actor: { isRegistrant: boolean; role: WorkspaceRoleOrNone },
  action: ManageAction,
): PublicConnectionDecision {
  return actor.isRegistrant || actor.role === 'owner' ? ALLOWED : refuse(manageRefusedMessage(action))
}

/** Whether a person with `role` in the chosen workspace may install a public connection there (any member). */
export function decideInstall(role: WorkspaceRoleOrNone): PublicConnectionDecision {
  return role === null ? refuse(INSTALL_NOT_A_MEMBER_MESSAGE) : ALLOWED
}

/**
 * Whether a person may remove an install: the person who authorized it (`isAuthorizer`, even after a
 * role change), or an owner of the install's workspace (`role` there).
 */
export function decideRemoveInstall(actor: { isAuthorizer: boolean; role: WorkspaceRoleOrNone }): PublicConnectionDecision {
  return actor.isAuthorizer || actor.role === 'owner' ? ALLOWED : refuse(REMOVE_INSTALL_REFUSED_MESSAGE)
}

/** Whether a person with `role` may list every install of a workspace (owners; anyone lists their own). */
export function decideListWorkspaceInstalls(role: WorkspaceRoleOrNone): PublicConnectionDecision {
  return role === 'owner' ? ALLOWED : refuse(LIST_INSTALLS_REFUSED_MESSAGE)
}
