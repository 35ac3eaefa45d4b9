import type { Kysely } from 'kysely'

/**
 * Public connections (issue 8, docs/adr/0014-oauth-public-connections.md). Dialect-neutral DDL.
 *
 * - `public_connection`: an OAuth client registered by a full member of `workspace_id` (its developer
 *   workspace), usable by people of every workspace. `id` is the `client_id`. The client secret is
 *   stored as an HMAC digest (authentication) and an AES-GCM sealed copy (reveal), never in plain text.
 *   `redirect_uris` is a JSON array of exact strings.
 * - `oauth_install`: one authorization of a connection by a person in a workspace: its own bot user
 *   (`bot_id`, the `bot_id` of the token response), alive until `removed_time`.
 * - `oauth_code`: an authorization code, by digest only; single use (`used_time`), ~10 minutes.
 * - `oauth_token`: access (`kind` 'access') and refresh ('refresh') tokens by digest only. `grant_id`
 *   ties every token minted from one code (and its refresh rotations) together, so a replayed code or
 *   refresh token revokes the whole grant.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('public_connection')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('icon', 'text')
    .addColumn('redirect_uris', 'text', (c) => c.notNull())
    .addColumn('template_page_id', 'text')
    .addColumn('secret_digest', 'text', (c) => c.notNull().unique())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('secret_hint', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('cap_read_content', 'integer', (c) => c.notNull())
    .addColumn('cap_update_content', 'integer', (c) => c.notNull())
    .addColumn('cap_insert_content', 'integer', (c) => c.notNull())
    .addColumn('cap_read_comments', 'integer', (c) => c.notNull())
    .addColumn('cap_insert_comments', 'integer', (c) => c.notNull())
    .addColumn('cap_user_info', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('public_connection_creator').on('public_connection').column('created_by').execute()

  await db.schema
    .createTable('oauth_install')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('connection_id', 'text', (c) => c.notNull().references('public_connection.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('bot_id', 'text', (c) => c.notNull().unique())
    .addColumn('duplicated_template_id', 'text')
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('removed_time', 'text')
    .addColumn('removed_by', 'text')
    .execute()
  await db.schema.createIndex('oauth_install_workspace').on('oauth_install').columns(['workspace_id', 'created_time']).execute()
  await db.schema.createIndex('oauth_install_user').on('oauth_install').columns(['user_id', 'connection_id']).execute()

  await db.schema
    .createTable('oauth_code')
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('install_id', 'text', (c) => c.notNull().references('oauth_install.id').onDelete('cascade'))
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('redirect_uri_given', 'integer', (c) => c.notNull())
    .addColumn('code_challenge', 'text')
    .addColumn('grant_id', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('expires_time', 'text', (c) => c.notNull())
    .addColumn('used_time', 'text')
    .execute()

  await db.schema
    .createTable('oauth_token')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('install_id', 'text', (c) => c.notNull().references('oauth_install.id').onDelete('cascade'))
    .addColumn('grant_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull().unique())
    .addColumn('hint', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('used_time', 'text')
    .addColumn('revoked_time', 'text')
    .addColumn('revoked_by', 'text')
    .addColumn('last_used_time', 'text')
    .execute()
  await db.schema.createIndex('oauth_token_grant').on('oauth_token').column('grant_id').execute()
  await db.schema.createIndex('oauth_token_install').on('oauth_token').column('install_id').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('oauth_token').execute()
  await db.schema.dropTable('oauth_code').execute()
  await db.schema.dropTable('oauth_install').execute()
  await db.schema.dropTable('public_connection').execute()
}
