/**
 * Workspace vocabulary shared by every layer (permissions, auth, storage, services): plans, member
 * roles, user-information levels and the PAT creation policies. Pure types and constant lists; the
 * store's table types (storage/database.ts) use these, so the rules in permissions/ and auth/ need
 * nothing from storage.
 */

/** A workspace's plan (Notion's Free, Plus, Business and Enterprise). */
export type Plan = 'free' | 'plus' | 'business' | 'enterprise'

/**
 * Workspace roles (docs/reference/permissions-and-tokens.md §2.2): owners, membership admins and
 * members are full members; restricted members hold only what is shared with them; guests are
 * invited page by page.
 */
export type MemberRole = 'owner' | 'membership_admin' | 'member' | 'restricted_member' | 'guest'

/** Every workspace role, highest first. */
export const MEMBER_ROLES: readonly MemberRole[] = ['owner', 'membership_admin', 'member', 'restricted_member', 'guest']

/** What a connection may read of people: nothing, names without e-mail, or with e-mail. */
export type UserInfoLevel = 'none' | 'without_email' | 'with_email'

/** Who may create PATs with the "Notion API" capability (Notion's "PAT creators" setting). */
export type PatPolicy = 'owners_only' | 'owners_and_selected_groups' | 'all_members'

/** Every PAT creation policy. */
export const PAT_POLICIES: readonly PatPolicy[] = ['owners_only', 'owners_and_selected_groups', 'all_members']
