import { SqliteAdapter, sql, type Kysely } from 'kysely'

/**
 * Comments of one parent are listed oldest first; ties on `created_time` (same millisecond) used to
 * fall back to SQLite's `rowid`, which PostgreSQL lacks. `comment.seq` is a portable tiebreak:
 * existing SQLite rows take their `rowid` (insertion order), new rows a monotonic per-process
 * sequence (see comments.repository.ts). Portable DDL only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('comment')
    .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute()
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await sql`update comment set seq = rowid`.execute(db)
  } else {
    await sql`update comment set seq = o.n from (select id, row_number() over (order by created_time, id) as n from comment) o where comment.id = o.id`.execute(
      db,
    )
  }
  await db.schema.createIndex('comment_parent_seq').on('comment').columns(['parent_id', 'created_time', 'seq']).execute()
}
