import type { Generated } from 'kysely'
import type { MemberRole, PatPolicy, Plan, UserInfoLevel } from '../domain/workspace.js'

/**
 * Kysely table types: the whole storage schema. Columns are snake_case; timestamps are ISO-8601 UTC
 * text with milliseconds; booleans are 0/1 integers (portable to PostgreSQL `smallint`); JSON is text.
 * See docs/adr/0003-storage-kysely-sqlite.md and docs/adr/0004-permission-roots.md.
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
  change_event: ChangeEventTable
  webhook_subscription: WebhookSubscriptionTable
  webhook_delivery: WebhookDeliveryTable
  webhook_cursor: WebhookCursorTable
  webhook_dispatched: WebhookDispatchedTable
  workspace_group: WorkspaceGroupTable
  group_member: GroupMemberTable
  personal_access_token: PersonalAccessTokenTable
  workspace_pat_policy: WorkspacePatPolicyTable
  workspace_pat_policy_group: WorkspacePatPolicyGroupTable
  user_password: UserPasswordTable
  portal_session: PortalSessionTable
  public_connection: PublicConnectionTable
  oauth_install: OAuthInstallTable
  oauth_code: OAuthCodeTable
  oauth_token: OAuthTokenTable
  file_upload: FileUploadTable
  file_upload_part: FileUploadPartTable
  blob_chunk: BlobChunkTable
  view: ViewTable
  view_query: ViewQueryTable
  async_task: AsyncTaskTable
  custom_emoji: CustomEmojiTable
  legal_hold: LegalHoldTable
  legal_hold_user: LegalHoldUserTable
  legal_hold_preserved: LegalHoldPreservedTable
  workspace_export: WorkspaceExportTable
}

// Plans, roles, user-information levels and PAT policies are domain vocabulary (domain/workspace.ts).
export type { MemberRole, PatPolicy, Plan, UserInfoLevel } from '../domain/workspace.js'

export interface WorkspaceTable {
  id: string
  name: string
  icon: string | null
  plan: Plan
  created_time: string
  /** Bytes of uploaded files the workspace may hold; null or absent: no quota (migration 0013). */
  storage_quota_bytes?: number | string | null
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
  /** Tiebreak among comments created in the same millisecond (migration 0006). */
  seq: number
  /** JSON `[{category, file: <stored file marker>}]` of attached uploads (migration 0009-file-uploads); null/absent: none. */
  attachments?: string | null
}

/**
 * One change, appended by the write that made it, in the same transaction (migration 0008, ADR 15).
 * `seq` is store-wide and monotonic; `type` is `<object>.<change>` (`page.created`, `token.revoked`, …);
 * `actor` is `user:<id>`, `bot:<id>`, `admin` or `system`; `data` is JSON and never holds a secret.
 */
export interface ChangeEventTable {
  seq: Generated<number>
  id: string
  workspace_id: string | null
  type: string
  object_type: string | null
  object_id: string | null
  actor: string
  time: string
  data: string | null
}

/** A workspace group: a named set of members usable as a share target (`group:<id>`). */
export interface WorkspaceGroupTable {
  id: string
  workspace_id: string
  name: string
  created_by: string
  created_time: string
}

/** One person in one group. */
export interface GroupMemberTable {
  group_id: string
  workspace_id: string
  user_id: string
  added_by: string
  added_time: string
}

/**
 * A personal access token (docs/adr/0010-personal-access-tokens.md): its own bot user (`bot_id`)
 * acting as `creator_id`. Looked up by `digest` only; `sealed_secret` exists for the creator's reveal.
 */
export interface PersonalAccessTokenTable {
  id: string
  workspace_id: string
  bot_id: string
  creator_id: string
  name: string
  /** The "Notion API" capability bundle (0/1). */
  cap_notion_api: number
  /** The "Workers" capability (0/1). */
  cap_workers: number
  /** HMAC-SHA-256(pepper, token), hex. */
  digest: string
  /** AES-256-GCM of the token, AAD `<id>|<workspace id>`. */
  sealed_secret: string
  hint: string
  created_time: string
  expires_time: string
  revoked_time: string | null
  /** `user:<id>`, or `admin_api` for Notion's Admin API route. */
  revoked_by: string | null
  last_used_time: string | null
}

/** A workspace's chosen PAT creation policy; absent = the plan's default. */
export interface WorkspacePatPolicyTable {
  workspace_id: string
  policy: PatPolicy
  updated_by: string
  updated_time: string
}

/** The groups selected by the Enterprise "owners and selected groups" policy. */
export interface WorkspacePatPolicyGroupTable {
  workspace_id: string
  group_id: string
}

/** A person's portal password: an argon2id PHC string (migration 0005-portal). */
export interface UserPasswordTable {
  user_id: string
  hash: string
  updated_time: string
}

/** A signed-in portal browser; `id_digest` = SHA-256 hex of the cookie's session id (migration 0005-portal). */
export interface PortalSessionTable {
  id_digest: string
  user_id: string
  created_time: string
  expires_time: string
  last_seen_time: string
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

/**
 * A public (OAuth) connection (migration 0007-public-connections): `id` is its `client_id`. Registered
 * in `workspace_id` by `created_by`; installable in any workspace.
 */
export interface PublicConnectionTable {
  id: string
  workspace_id: string
  name: string
  icon: string | null
  /** JSON array of redirect URIs, compared by exact string match. */
  redirect_uris: string
  template_page_id: string | null
  /** HMAC-SHA-256(pepper, client secret), hex. */
  secret_digest: string
  /** AES-256-GCM of the client secret, AAD `client|<id>`. */
  secret_sealed: string
  secret_hint: string
  created_by: string
  created_time: string
  cap_read_content: number
  cap_update_content: number
  cap_insert_content: number
  cap_read_comments: number
  cap_insert_comments: number
  cap_user_info: UserInfoLevel
}

/** One authorization (install) of a public connection by `user_id` in `workspace_id`: its own bot. */
export interface OAuthInstallTable {
  id: string
  connection_id: string
  workspace_id: string
  user_id: string
  bot_id: string
  duplicated_template_id: string | null
  created_time: string
  removed_time: string | null
  /** `user:<id>` or `admin`. */
  removed_by: string | null
}

/** An authorization code, by digest; single use. */
export interface OAuthCodeTable {
  digest: string
  install_id: string
  connection_id: string
  /** The redirect URI the code was issued for. */
  redirect_uri: string
  /** 1 when the authorize URL carried `redirect_uri`. */
  redirect_uri_given: number
  /** PKCE S256 challenge (base64url), or null. */
  code_challenge: string | null
  grant_id: string
  created_time: string
  expires_time: string
  used_time: string | null
}

/** An OAuth access or refresh token, by digest only. */
export interface OAuthTokenTable {
  id: string
  install_id: string
  grant_id: string
  kind: 'access' | 'refresh'
  digest: string
  hint: string
  created_time: string
  /** Refresh tokens: when it was exchanged (rotation); reuse after that is refused. */
  used_time: string | null
  revoked_time: string | null
  revoked_by: string | null
  last_used_time: string | null
}

/** A `/v1/file_uploads` object (migration 0009-file-uploads, ADR 18). */
export interface FileUploadTable {
  id: string
  workspace_id: string
  /** The acting user: a connection's bot, or a PAT's person. */
  created_by: string
  created_by_type: 'person' | 'bot'
  created_time: string
  last_edited_time: string
  mode: 'single_part' | 'multi_part' | 'external_url'
  /** Stored status; `expired` is also derived on read from `expiry_time` while unattached. */
  status: 'pending' | 'uploaded' | 'failed' | 'expired'
  filename: string | null
  content_type: string | null
  /** Bytes; PostgreSQL bigint (read back as text by some drivers: convert with Number). */
  content_length: number | string | null
  number_of_parts: number | null
  /** ISO time after which an unattached upload is expired; null once attached. */
  expiry_time: string | null
  external_url: string | null
  /** JSON `file_import_result` of an external_url import. */
  import_result: string | null
  /** What the upload is attached to: `block`, `page`, `database`, `comment`; null while unattached. */
  attached_type: string | null
  attached_id: string | null
  attached_time: string | null
}

/** One part of a file upload (single-part uploads have part 1), stored as one blob. */
export interface FileUploadPartTable {
  upload_id: string
  part_number: number
  size: number | string
  blob_key: string
  sent_time: string
}

/** A chunk of a blob in the database blob store (storage/blobs/database-blob-store.ts). */
export interface BlobChunkTable {
  blob_key: string
  seq: number
  data: Uint8Array
}

/** A saved view of a database (migration 0011; docs/adr/0020-views-and-versions.md). JSON columns are stored text. */
export interface ViewTable {
  id: string
  workspace_id: string
  database_id: string
  /** Null for dashboards. */
  data_source_id: string | null
  /** Set on a dashboard's widget views. */
  dashboard_view_id: string | null
  name: string
  type: string
  filter: string | null
  sorts: string | null
  quick_filters: string | null
  configuration: string | null
  position: number
  created_by: string | null
  last_edited_by: string | null
  created_time: string
  last_edited_time: string
}

/** A cached view query result (migration 0011): ordered row ids as a JSON array, until `expires_at`. */
export interface ViewQueryTable {
  id: string
  workspace_id: string
  view_id: string
  /** Who may read it: the change actor of the token that ran it (`bot:<id>`, `user:<id>`). */
  owner: string
  row_ids: string
  total_count: number
  /** 0 when the 10,000-row cap cut the result. */
  complete: number
  created_time: string
  expires_at: string
}

/**
 * A webhook subscription of an internal or public connection (migration 0012-webhooks, ADR 21).
 * `event_types` is a JSON array; `token_sealed` the AES-GCM sealed verification token (AAD
 * `webhook|<id>`); `start_seq` the last change-event `seq` before the subscription existed.
 */
export interface WebhookSubscriptionTable {
  id: string
  workspace_id: string
  connection_kind: 'internal' | 'public'
  connection_id: string
  url: string
  event_types: string
  api_version: string
  status: 'pending_verification' | 'active' | 'paused'
  auto_verify: number
  token_sealed: string
  start_seq: number
  created_by: string
  created_time: string
  verified_time: string | null
}

/**
 * One webhook delivery (outbox row and log entry): an event or aggregate of events, a verification
 * handshake or a test event for one subscription. `authors` and `data` are JSON; `last_payload` is
 * the body last sent (never for a handshake, whose body is the token).
 */
export interface WebhookDeliveryTable {
  id: string
  subscription_id: string
  kind: 'event' | 'verification' | 'test'
  type: string
  workspace_id: string | null
  entity_id: string | null
  entity_type: string | null
  /** The page or database whose ACL decides who may receive the event (null: handshakes, tests). */
  access_id: string | null
  timestamp: string
  authors: string
  data: string | null
  status: 'pending' | 'delivering' | 'delivered' | 'failed' | 'skipped'
  attempts: number
  next_attempt_time: string
  lease_until: string | null
  last_attempt_time: string | null
  last_status_code: number | null
  last_error: string | null
  last_duration_ms: number | null
  last_payload: string | null
  created_time: string
}

/** How far a reader of the outbox has read (`name` = `dispatcher` for webhooks). */
export interface WebhookCursorTable {
  name: string
  seq: number
}

/** A change-event `seq` already fanned out to webhook deliveries (kept for the re-read window only). */
export interface WebhookDispatchedTable {
  seq: number
}

/** An `async_task` (migration 0014, ADR 27): a background Markdown write answered with 202. */
export interface AsyncTaskTable {
  /** `task_` + 32 hex digits. */
  id: string
  workspace_id: string
  /** Who may read it: the starting caller's key (`conn:<id>`, `user:<id>` for a PAT, `install:<id>`). */
  owner: string
  surface: 'rest' | 'mcp'
  /** Notion's operation name, e.g. `POST /v1/pages`, `PATCH /v1/pages/:page_id/markdown`. */
  operation: string
  status: 'queued' | 'running' | 'succeeded' | 'failed'
  created_time: string
  updated_time: string
  /** JSON of the synchronous answer, when `succeeded`. */
  result: string | null
  /** JSON `{object:"error", status, code, message, additional_data?}`, when `failed`. */
  error: string | null
}

/** A workspace's custom emoji (migration 0014, ADR 27). Exactly one of `source_url` and `blob_key`. */
export interface CustomEmojiTable {
  id: string
  workspace_id: string
  /** Unique in the workspace: lowercase letters, digits, `_` and `-` (used as `:name:`). */
  name: string
  /** An external image URL, or null when the image is in the blob store. */
  source_url: string | null
  blob_key: string | null
  content_type: string | null
  size: number | null
  /** `user:<id>` (portal, CLI, admin API acting as a person) or `admin`. */
  created_by: string
  created_time: string
}

/** A legal hold of Notion's Admin API (migration 0016): `status` active|released; `user_interaction_type` JSON array. */
export interface LegalHoldTable {
  id: string
  name: string | null
  description: string | null
  icon: string | null
  status: 'active' | 'released'
  user_interaction_type: string
  start_time: string
  end_time: string | null
  /** Octavo's stand-in for the organization bot (ADMIN_BOT_ID) or a person id. */
  created_by: string
  created_time: string
  last_edited_time: string
  released_time: string | null
}

/** A custodian of a legal hold (migration 0016). */
export interface LegalHoldUserTable {
  hold_id: string
  user_id: string
  added_time: string
}

/** Content a legal hold kept when it was deleted permanently (migration 0016): the object's JSON as it was. */
export interface LegalHoldPreservedTable {
  id: string
  hold_id: string
  workspace_id: string
  object_type: string
  object_id: string
  content: string
  preserved_time: string
}

/** A workspace export job (migration 0016, `/admin/v1/exports`); `options` JSON; the ZIP under `blob_key`. */
export interface WorkspaceExportTable {
  id: string
  workspace_id: string
  export_format: 'html' | 'markdown' | 'pdf'
  /** The person the export runs as (`on_behalf_of_user_email`). */
  requested_by: string
  options: string
  status: 'in_progress' | 'completed' | 'failed'
  pages_exported: number
  size_bytes: number | null
  blob_key: string | null
  error_type: string | null
  error_message: string | null
  created_time: string
  updated_time: string
}
