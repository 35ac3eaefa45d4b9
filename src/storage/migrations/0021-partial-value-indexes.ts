import { sql, type Kysely } from 'kysely'

/**
 * 0021: the value index's two secondary indexes become partial (issue 19, docs/adr/0042-creating-a-row.md).
 *
 * Every entry of `data_source_value` (migration 0004) has exactly one of `txt` and `num` set (text,
 * option and person ids in `txt`; numbers, dates and checkboxes in `num`: storage/repositories/
 * data-source-values.repository.ts `valueEntries`), yet both `data_source_value_txt` and
 * `data_source_value_num` held every entry, the half with a null key sorted by page id, that is at
 * random. Creating a row with nine values therefore touched about nine random leaf pages per index
 * more than it needed; at 100,000 rows that was 57 of the 85 WAL pages each create wrote at commit
 * (bench/RESULTS.md, session 8). Now each index holds only the entries whose key is not null
 * (`where txt is not null`, `where num is not null`), on SQLite and PostgreSQL alike. The only
 * readers of these indexes are a query driven by its first sort's entries (which now names the
 * `is not null` term, storage/repositories/data-source-query.repository.ts) and the delete of a data
 * source's entries before a reindex (two deletes, one per index); both planners use a partial index
 * for a query whose terms imply its condition. A filter's per-row EXISTS probes and a sort's joins
 * read the primary key, as before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('data_source_value_txt').execute()
  await db.schema.dropIndex('data_source_value_num').execute()
  await db.schema
    .createIndex('data_source_value_txt')
    .on('data_source_value')
    .columns(['data_source_id', 'property_id', 'txt'])
    .where(sql.ref('txt'), 'is not', null)
    .execute()
  await db.schema
    .createIndex('data_source_value_num')
    .on('data_source_value')
    .columns(['data_source_id', 'property_id', 'num'])
    .where(sql.ref('num'), 'is not', null)
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('data_source_value_txt').execute()
  await db.schema.dropIndex('data_source_value_num').execute()
  await db.schema.createIndex('data_source_value_txt').on('data_source_value').columns(['data_source_id', 'property_id', 'txt']).execute()
  await db.schema.createIndex('data_source_value_num').on('data_source_value').columns(['data_source_id', 'property_id', 'num']).execute()
}
