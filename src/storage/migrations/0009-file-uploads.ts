import { SqliteAdapter, type Kysely } from 'kysely'

/**
 * File uploads (issue 14, docs/adr/0018-file-uploads.md):
 * - `file_upload`: one row per `/v1/file_uploads` object, its mode, status, declared and resolved
 *   name and type, size, expiry, external import outcome and the object it is attached to;
 * - `file_upload_part`: the parts sent so far (single-part uploads have one part, number 1), each a
 *   blob of the blob store;
 * - `comment.attachments`: the uploads attached to a comment (JSON);
 * - `blob_chunk`: blob bytes in chunks, used by the database blob store (the default with
 *   PostgreSQL, so any node serves any file); empty with the local directory store.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter
  const big = sqlite ? 'integer' : 'bigint'
  await db.schema
    .createTable('file_upload')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_by_type', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('last_edited_time', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('filename', 'text')
    .addColumn('content_type', 'text')
    .addColumn('content_length', big)
    .addColumn('number_of_parts', 'integer')
    .addColumn('expiry_time', 'text')
    .addColumn('external_url', 'text')
    .addColumn('import_result', 'text')
    .addColumn('attached_type', 'text')
    .addColumn('attached_id', 'text')
    .addColumn('attached_time', 'text')
    .execute()
  await db.schema
    .createIndex('file_upload_workspace_creator')
    .on('file_upload')
    .columns(['workspace_id', 'created_by', 'created_time'])
    .execute()
  await db.schema
    .createTable('file_upload_part')
    .addColumn('upload_id', 'text', (c) => c.notNull())
    .addColumn('part_number', 'integer', (c) => c.notNull())
    .addColumn('size', big, (c) => c.notNull())
    .addColumn('blob_key', 'text', (c) => c.notNull())
    .addColumn('sent_time', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('file_upload_part_pk', ['upload_id', 'part_number'])
    .execute()
  await db.schema
    .createTable('blob_chunk')
    .addColumn('blob_key', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('data', sqlite ? 'blob' : 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('blob_chunk_pk', ['blob_key', 'seq'])
    .execute()
  // Comment attachments (`attachments` on comments.create): JSON, null when none.
  await db.schema.alterTable('comment').addColumn('attachments', 'text').execute()
}
