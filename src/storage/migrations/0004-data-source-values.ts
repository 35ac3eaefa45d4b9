import { SqliteAdapter, sql, type Kysely } from 'kysely'

/**
 * 0004: the typed index of database-row property values (ADR 8).
 *
 * `data_source_value` holds one row per (row page, property, list element) for every stored,
 * non-empty value of a data-source row: text-like values lower-cased in `txt`, numbers, unique ids
 * and dates (start, in epoch milliseconds) in `num`, checkboxes as `num = 1` (only when checked),
 * selects/statuses/multi-selects by option id, people and relations by id in `txt` (one row per
 * element, `ord` = position). Empty values have no row. The page's JSON in `block.properties` stays the
 * source of truth; this table is derived from it on every write (storage/repositories/
 * data-source-values.repository.ts) and only serves queries.
 *
 * On SQLite the table is `WITHOUT ROWID`: the primary key holds the values, so the per-row EXISTS
 * probes of a filter read one b-tree (measured 10–30 % faster; ADR 8). PostgreSQL keeps a heap with
 * the same primary key.
 *
 * `block_row_list` (parent_id, in_trash, created_time, id) lets a query without sorts walk a data
 * source's live rows newest first from the index alone (the wide `properties` column pushes later
 * columns onto overflow pages) and stop after one page.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('data_source_value')
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('property_id', 'text', (c) => c.notNull())
    .addColumn('ord', 'integer', (c) => c.notNull())
    .addColumn('data_source_id', 'text', (c) => c.notNull())
    .addColumn('txt', 'text')
    .addColumn('num', 'double precision')
    .addPrimaryKeyConstraint('data_source_value_pk', ['page_id', 'property_id', 'ord'])
    .$call((b) => (db.getExecutor().adapter instanceof SqliteAdapter ? b.modifyEnd(sql`without rowid`) : b))
    .execute()
  await db.schema.createIndex('data_source_value_txt').on('data_source_value').columns(['data_source_id', 'property_id', 'txt']).execute()
  await db.schema.createIndex('data_source_value_num').on('data_source_value').columns(['data_source_id', 'property_id', 'num']).execute()
  await db.schema
    .createIndex('block_row_list')
    .on('block')
    .columns(['parent_id', 'in_trash', 'created_time', 'id'])
    .where(sql.ref('parent_type'), '=', 'data_source_id')
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('block_row_list').execute()
  await db.schema.dropTable('data_source_value').execute()
}
