import type { Kysely } from 'kysely'

/**
 * Personal access tokens (issue 4, docs/adr/0010-personal-access-tokens.md).
 *
 * - `personal_access_token`: one row per PAT. The PAT is its own bot user (`bot_id`, a `user` row of
 *   type bot) acting as `creator_id`. The secret is stored as an HMAC digest (lookup) and an AES-GCM
 *   sealed copy (reveal by the creator only), never in plain text (ADR 5).
 * - `workspace_pat_policy`: who may create PATs with the "Notion API" capability, when an owner chose
 *   something else than the plan's default; `workspace_pat_policy_group`: the selected groups of the
 *   Enterprise "owners and selected groups" policy.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('personal_access_token')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('bot_id', 'text', (c) => c.notNull().unique())
    .addColumn('creator_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('cap_notion_api', 'integer', (c) => c.notNull())
    .addColumn('cap_workers', 'integer', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull().unique())
    .addColumn('sealed_secret', 'text', (c) => c.notNull())
    .addColumn('hint', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('expires_time', 'text', (c) => c.notNull())
    .addColumn('revoked_time', 'text')
    .addColumn('revoked_by', 'text')
    .addColumn('last_used_time', 'text')
    .execute()
  // The admin view: a workspace's PATs newest first; a creator's own PATs.
  await db.schema.createIndex('pat_workspace_created').on('personal_access_token').columns(['workspace_id', 'created_time']).execute()
  await db.schema.createIndex('pat_creator').on('personal_access_token').columns(['workspace_id', 'creator_id']).execute()

  await db.schema
    .createTable('workspace_pat_policy')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspace.id').onDelete('cascade'))
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_time', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('workspace_pat_policy_group')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('group_id', 'text', (c) => c.notNull().references('workspace_group.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('workspace_pat_policy_group_pk', ['workspace_id', 'group_id'])
    .execute()
}
