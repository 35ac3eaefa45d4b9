/**
 * Page access levels, ordered: a higher level includes every lower one. Notion's levels are
 * "Full access", "Can edit", "Can edit content", "Can comment", "Can view" and "No access"
 * (docs/reference/permissions-and-tokens.md §2.2). The highest level granted through any path wins.
 */
export const ROLE = {
  none: 0,
  view: 1,
  comment: 2,
  edit_content: 3,
  edit: 4,
  full: 5,
} as const

export type RoleName = keyof typeof ROLE
export type RoleLevel = (typeof ROLE)[RoleName]

/** What an operation does to a page, and so which level it needs. */
export type PageAction = 'read' | 'comment' | 'edit' | 'share'

/** The minimum level each action needs: read → can view, comment → can comment, edit → can edit, share → full access. */
export const REQUIRED_LEVEL: Record<PageAction, number> = {
  read: ROLE.view,
  comment: ROLE.comment,
  edit: ROLE.edit,
  share: ROLE.full,
}

/** The level an internal connection gets on the pages shared with it; capabilities then clamp it. */
export const CONNECTION_SHARE_LEVEL = ROLE.edit

/** Principal strings used in grants and ACLs. */
export const principalOf = {
  bot: (botId: string) => `bot:${botId}`,
  user: (userId: string) => `user:${userId}`,
  members: (workspaceId: string) => `members:${workspaceId}`,
  group: (groupId: string) => `group:${groupId}`,
}

/** Level number → name (`full`, `edit`, …, `none`); an unknown number is `none`. */
export function levelName(level: number): RoleName {
  return (Object.entries(ROLE).find(([, v]) => v === level)?.[0] ?? 'none') as RoleName
}
