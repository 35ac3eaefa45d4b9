import type { Kysely } from 'kysely'

/**
 * Notion's Admin API state (docs/notion-admin-api.md, docs/adr/0029-admin-api-holds-exports.md):
 *
 * - `legal_hold`: one row per legal hold (`/admin/v1/legal_holds`). `status` is `active` or
 *   `released`; `user_interaction_type` a JSON array of `page.created|page.edited|page.viewed`;
 *   dates are ISO-8601 text (answered as epoch milliseconds).
 * - `legal_hold_user`: the custodians of a hold.
 * - `legal_hold_preserved`: content a hold kept when someone deleted it permanently (a comment
 *   today): the object's JSON as it was, per hold.
 * - `workspace_export`: an export job of a workspace (`/admin/v1/exports`): its options (JSON), status
 *   `in_progress|completed|failed`, how many pages it wrote and the blob key of its ZIP.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('legal_hold')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .addColumn('description', 'text')
    .addColumn('icon', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('user_interaction_type', 'text', (c) => c.notNull())
    .addColumn('start_time', 'text', (c) => c.notNull())
    .addColumn('end_time', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('last_edited_time', 'text', (c) => c.notNull())
    .addColumn('released_time', 'text')
    .execute()
  await db.schema
    .createTable('legal_hold_user')
    .addColumn('hold_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('added_time', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('legal_hold_user_pk', ['hold_id', 'user_id'])
    .execute()
  await db.schema.createIndex('legal_hold_user_user').on('legal_hold_user').column('user_id').execute()
  await db.schema
    .createTable('legal_hold_preserved')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('hold_id', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('preserved_time', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('legal_hold_preserved_hold').on('legal_hold_preserved').column('hold_id').execute()
  await db.schema
    .createTable('workspace_export')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('export_format', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('pages_exported', 'integer', (c) => c.notNull())
    .addColumn('size_bytes', 'integer')
    .addColumn('blob_key', 'text')
    .addColumn('error_type', 'text')
    .addColumn('error_message', 'text')
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('updated_time', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('workspace_export_workspace').on('workspace_export').column('workspace_id').execute()
}
