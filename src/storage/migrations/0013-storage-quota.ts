import { SqliteAdapter, type Kysely } from 'kysely'

/**
 * Workspace storage quota for file uploads (issue 14, docs/file-uploads.md): `workspace.storage_quota_bytes`,
 * the bytes of uploaded files a workspace may hold (null: no quota). Set by an admin
 * (`PUT /_octavo/admin/workspaces/{id}/storage`, `octavo workspace storage-quota`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter
  await db.schema
    .alterTable('workspace')
    .addColumn('storage_quota_bytes', sqlite ? 'integer' : 'bigint')
    .execute()
}
