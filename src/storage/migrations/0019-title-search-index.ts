import { SqliteAdapter, sql, type Kysely } from 'kysely'

/**
 * 0019: a full-text index over node titles for `POST /v1/search` (issue 19, docs/adr/0032-title-search-index.md).
 *
 * Notion's search matches a title that *contains* the query (a substring, case-insensitive), so the
 * index is a trigram index, which answers substring queries of three characters or more, not a
 * word index (`tsvector` would match whole words and stems, not substrings):
 * - **SQLite**: `block_title_fts`, a contentless FTS5 table with the `trigram` tokenizer
 *   (`contentless_delete=1`, SQLite ≥ 3.43), whose rowid is the `block` row's rowid. Triggers on
 *   `block` keep it current in the same statement as every write of `title_text` (insert, title
 *   change, delete), whatever the write path (repositories, import, the benchmark generator). It holds no
 *   text of its own (contentless): it is an index, never read as a source of truth, never exported.
 *   Existing titles are indexed here.
 * - **PostgreSQL**: a GIN index `block_title_trgm` on `title_text gin_trgm_ops` (extension
 *   `pg_trgm`, trusted since PostgreSQL 13, so the database owner may create it), which PostgreSQL
 *   keeps current itself and uses for `title_text LIKE '%…%'`. When the extension cannot be created
 *   (no privilege), the migration goes on without the index and search stays correct, only slower.
 * Queries (storage/repositories/search.repository.ts) always re-check the match on `block.title_text`,
 * so the index only narrows the candidates and the results are exactly the unindexed ones.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await sql`create virtual table block_title_fts using fts5(title_text, content='', contentless_delete=1, tokenize='trigram')`.execute(db)
    await sql`create trigger block_title_fts_insert after insert on block when new.title_text is not null begin
      insert into block_title_fts(rowid, title_text) values (new.rowid, new.title_text);
    end`.execute(db)
    await sql`create trigger block_title_fts_update after update of title_text on block when old.title_text is not new.title_text begin
      delete from block_title_fts where rowid = old.rowid;
      insert into block_title_fts(rowid, title_text) select new.rowid, new.title_text where new.title_text is not null;
    end`.execute(db)
    await sql`create trigger block_title_fts_delete after delete on block when old.title_text is not null begin
      delete from block_title_fts where rowid = old.rowid;
    end`.execute(db)
    await sql`insert into block_title_fts(rowid, title_text) select rowid, title_text from block where title_text is not null`.execute(db)
    return
  }
  // A failed CREATE EXTENSION must not abort the migration's transaction: try it in a savepoint.
  await sql`savepoint pg_trgm_0019`.execute(db)
  try {
    // In `public`, not the store's own schema: one installation serves every schema of the database
    // and does not go when a schema is dropped.
    await sql`create extension if not exists pg_trgm schema public`.execute(db)
    await sql`release savepoint pg_trgm_0019`.execute(db)
  } catch {
    await sql`rollback to savepoint pg_trgm_0019`.execute(db)
    return
  }
  // Wherever the extension was installed, name its operator class by that schema.
  const { rows } = await sql<{
    schema: string
  }>`select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`.execute(db)
  const schema = rows[0]?.schema ?? 'public'
  await sql`create index block_title_trgm on block using gin (title_text ${sql.id(schema)}.gin_trgm_ops)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    for (const t of ['block_title_fts_insert', 'block_title_fts_update', 'block_title_fts_delete'])
      await sql`drop trigger if exists ${sql.id(t)}`.execute(db)
    await sql`drop table if exists block_title_fts`.execute(db)
    return
  }
  await sql`drop index if exists block_title_trgm`.execute(db)
}
