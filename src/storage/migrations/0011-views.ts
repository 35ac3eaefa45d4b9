import type { Kysely } from 'kysely'

/**
 * Views (`/v1/views`, docs/adr/0020-views-and-versions.md; docs/reference/notion-api-2026.md §4).
 *
 * - `view`: one row per saved view of a database. `filter`, `sorts`, `quick_filters` and
 *   `configuration` are stored JSON (validated when written, property ids resolved); `position`
 *   orders a database's tabs (a fraction, so inserting between two views never renumbers).
 *   `dashboard_view_id` is set on a dashboard's widget views.
 * - `view_query`: the cached result of one view query (`POST /v1/views/{id}/queries`): the ordered
 *   row ids (JSON array, at most 10,000), kept until `expires_at` (15 minutes) for stable paging,
 *   readable only by the token (`owner`) that ran it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('view')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('database_id', 'text', (c) => c.notNull())
    .addColumn('data_source_id', 'text')
    .addColumn('dashboard_view_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('filter', 'text')
    .addColumn('sorts', 'text')
    .addColumn('quick_filters', 'text')
    .addColumn('configuration', 'text')
    .addColumn('position', 'double precision', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('last_edited_by', 'text')
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('last_edited_time', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('view_database').on('view').columns(['database_id', 'position']).execute()
  await db.schema.createIndex('view_data_source').on('view').columns(['data_source_id', 'position']).execute()
  await db.schema
    .createTable('view_query')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('view_id', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('row_ids', 'text', (c) => c.notNull())
    .addColumn('total_count', 'integer', (c) => c.notNull())
    .addColumn('complete', 'integer', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('view_query_expires').on('view_query').column('expires_at').execute()
}
