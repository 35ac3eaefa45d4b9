/**
 * Kysely table types: the whole storage schema. Columns are snake_case; timestamps are ISO-8601 UTC
 * text with milliseconds; booleans are 0/1 integers (portable to PostgreSQL `smallint`); JSON is text.
 * See docs/adr/0003-storage.md and docs/adr/0004-permission-roots.md.
 */
export interface Database {
  workspace: WorkspaceTable
  user: UserTable
  workspace_member: WorkspaceMemberTable
  connection: ConnectionTable
  token: TokenTable
  block: BlockTable
  data_source: DataSourceTable
  data_source_value: DataSourceValueTable
  page_grant: PageGrantTable
  root_acl: RootAclTable
  comment: CommentTable
  audit_log: AuditLogTable
}

export type Plan = 'free' | 'plus' | 'business' | 'enterprise'
export type MemberRole = 'owner' | 'member' | 'guest'
export type UserInfoLevel = 'none' | 'without_email' | 'with_email'

export interface WorkspaceTable {
  id: string
  name: string
  icon: string | null
  plan: Plan
  created_time: string
}

export interface UserTable {
  id: string
  type: 'person' | 'bot'
  name: string | null
  avatar_url: string | null
  /** Persons only; unique when present. */
  email: string | null
  created_time: string
}

export interface WorkspaceMemberTable {
  workspace_id: string
  user_id: string
  role: MemberRole
  joined_time: string
}

/** An internal connection (and, later, other kinds): a bot user with capabilities. */
export interface ConnectionTable {
  id: string
  workspace_id: string
  /** The connection's bot user (`user.id`). */
  bot_id: string
  kind: 'internal'
  name: string
  icon: string | null
  created_by: string
  created_time: string
  cap_read_content: number
  cap_update_content: number
  cap_insert_content: number
  cap_read_comments: number
  cap_insert_comments: number
  cap_user_info: UserInfoLevel
}

/** A bearer credential. Looked up by `digest` only; `sealed_secret` exists for reveal. */
export interface TokenTable {
  id: string
  workspace_id: string
  bot_id: string
  connection_id: string | null
  kind: 'internal'
  /** HMAC-SHA-256(pepper, token), hex. */
  digest: string
  /** AES-256-GCM of the token (revealable kinds only). */
  sealed_secret: string | null
  hint: string
  created_by: string
  created_time: string
  revoked_time: string | null
  revoked_by: string | null
  last_used_time: string | null
}

/**
 * Every content node: pages, databases and blocks, as in Notion's own model where a page is a block.
 * - `type` is the block type; pages are `child_page`, databases `child_database`.
 * - `parent_type`/`parent_id` is the Notion parent (`workspace`, `page_id`, `block_id`,
 *   `data_source_id`). For database rows `parent_id` is the data source; data-source templates
 *   are `template`, with the data source as `parent_id` (services/templates.service.ts).
 * - `page_id` is the nearest page or database that owns the node (itself for pages/databases);
 *   permission checks on a block go through it in one lookup.
 * - `perm_root_id` (pages/databases only) is the permission root whose ACL applies.
 * - `path` (pages/databases only) is `/<ancestor page ids>/`, root first, for subtree work.
 */
export interface BlockTable {
  id: string
  workspace_id: string
  type: string
  parent_type: 'workspace' | 'page_id' | 'block_id' | 'data_source_id' | 'template'
  parent_id: string | null
  page_id: string
  position: number
  /** Type-specific content (the `<type>` object in Notion's block JSON). */
  content: string
  perm_root_id: string | null
  path: string | null
  /** 1 while the page inherits its parent's access (Notion's default). */
  inherits: number
  /** Lower-case plain title, for search. */
  title_text: string | null
  /** Page property values keyed by property id, or a database's `{title, description}`. */
  properties: string | null
  icon: string | null
  cover: string | null
  is_locked: number
  is_inline: number
  created_time: string
  created_by: string
  last_edited_time: string
  last_edited_by: string
  in_trash: number
}

export interface DataSourceTable {
  id: string
  workspace_id: string
  database_id: string
  title: string
  description: string
  /** Schema: property configs keyed by property id. */
  properties: string
  icon: string | null
  created_time: string
  created_by: string
  last_edited_time: string
  last_edited_by: string
  in_trash: number
}

/** An explicit grant on a page: a share with a connection, or a grant to people. */
export interface PageGrantTable {
  page_id: string
  workspace_id: string
  /** `bot:<id>`, `user:<id>`, `members:<workspace id>`, `group:<id>`. */
  principal: string
  role: number
  granted_by: string
  granted_time: string
}

/** The materialised effective ACL of a permission root. */
export interface RootAclTable {
  root_id: string
  principal: string
  role: number
  /** The page whose explicit grant this entry comes from. */
  source_page_id: string
}

export interface CommentTable {
  id: string
  workspace_id: string
  discussion_id: string
  parent_type: 'page_id' | 'block_id'
  parent_id: string
  /** The page or database that owns the commented node, for permission checks. */
  page_id: string
  rich_text: string
  display_name: string
  created_by: string
  created_time: string
  last_edited_time: string
}

export interface AuditLogTable {
  id: string
  workspace_id: string | null
  actor: string
  action: string
  target: string | null
  meta: string | null
  time: string
}

/**
 * The query index of database-row values (migration 0004, ADR 8): derived from `block.properties`,
 * one row per (page, property, list element); empty values have no row.
 */
export interface DataSourceValueTable {
  page_id: string
  property_id: string
  /** Position within a list value (multi_select, people, relation, files); 0 otherwise. */
  ord: number
  data_source_id: string
  /** Lower-cased text, option id, user id or page id. */
  txt: string | null
  /** Number, unique id, date start (epoch ms) or checkbox (1). */
  num: number | null
}
