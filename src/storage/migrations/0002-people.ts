import type { Kysely } from 'kysely'

/**
 * People and page permissions (issue 4, docs/adr/0009-people-permissions.md): workspace groups and
 * their members. Roles gain `membership_admin` and `restricted_member` (no schema change: `role` is text).
 * Group membership is resolved per request into `group:<id>` principals, so adding or removing a member
 * never rewrites `root_acl`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('workspace_group')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('workspace_group_workspace').on('workspace_group').columns(['workspace_id', 'name']).execute()

  await db.schema
    .createTable('group_member')
    .addColumn('group_id', 'text', (c) => c.notNull().references('workspace_group.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('added_time', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_member_pk', ['group_id', 'user_id'])
    .execute()
  // principalsForUser: the groups of one person in one workspace, one index range.
  await db.schema.createIndex('group_member_user').on('group_member').columns(['workspace_id', 'user_id', 'group_id']).execute()
}
