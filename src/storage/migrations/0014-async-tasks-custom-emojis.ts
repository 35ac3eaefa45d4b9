import type { Kysely } from 'kysely'

/**
 * Async tasks and custom emojis (issue 15, docs/adr/0027-async-tasks-custom-emojis.md):
 * - `async_task`: one row per `async_task` answered with 202 (`POST /v1/pages` with `markdown` and
 *   `PATCH /v1/pages/{id}/markdown` under `allow_async: true`): who started it (`owner`, the caller's
 *   rate-limit key, the only one who may read it), the operation, its status (`queued`, `running`,
 *   `succeeded`, `failed`) and, once finished, its result or Notion error (JSON).
 * - `custom_emoji`: a workspace's custom emojis (`GET /v1/custom_emojis`), by unique name per
 *   workspace; the image is an external URL (`source_url`) or bytes in the blob store (`blob_key`,
 *   `content_type`, `size`), served at `/_octavo/emojis/{id}`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('async_task')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('surface', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('updated_time', 'text', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .execute()
  await db.schema.createIndex('async_task_workspace').on('async_task').columns(['workspace_id', 'created_time']).execute()
  await db.schema
    .createTable('custom_emoji')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('source_url', 'text')
    .addColumn('blob_key', 'text')
    .addColumn('content_type', 'text')
    .addColumn('size', 'integer')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addUniqueConstraint('custom_emoji_workspace_name', ['workspace_id', 'name'])
    .execute()
}
