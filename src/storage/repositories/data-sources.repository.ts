import type { Schema } from '../../domain/properties.js'
import type { DataSourceTable } from '../database.js'
import type { Db } from '../store.js'
import type { BlockRow } from './blocks.repository.js'
import { indexSignature, reindexDataSource } from './data-source-values.repository.js'

/**
 * Reads and writes of the `data_source` table (schemas keyed by property id) and of the rows of a
 * data source (pages whose `parent_type` is `data_source_id`).
 */

export type DataSourceRow = DataSourceTable

/** One data source by id (any workspace; callers check the workspace). */
export async function findDataSource(db: Db, id: string): Promise<DataSourceRow | undefined> {
  return db.selectFrom('data_source').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The data sources of a database, oldest first. */
export async function dataSourcesOf(db: Db, databaseId: string): Promise<DataSourceRow[]> {
  return db.selectFrom('data_source').selectAll().where('database_id', '=', databaseId).orderBy('created_time').orderBy('id').execute()
}

/** The data sources of a database that are not in the trash, oldest first. */
export async function liveDataSourcesOf(db: Db, databaseId: string): Promise<DataSourceRow[]> {
  return (await dataSourcesOf(db, databaseId)).filter((ds) => ds.in_trash === 0)
}

/** A data source's schema, parsed: property configs keyed by property id. */
export function schemaOf(ds: Pick<DataSourceRow, 'properties'>): Schema {
  return JSON.parse(ds.properties) as Schema
}

/**
 * Replaces a data source's schema and marks it edited by `actor` at `time`. When a property was
 * added, removed or retyped, the rows' query value index is rebuilt (ADR 8).
 */
export async function saveSchema(db: Db, id: string, schema: Schema, actor: string, time: string): Promise<void> {
  const before = await db.selectFrom('data_source').select('properties').where('id', '=', id).executeTakeFirst()
  const reindex = !before || indexSignature(JSON.parse(before.properties) as Schema) !== indexSignature(schema)
  await db
    .updateTable('data_source')
    .set({ properties: JSON.stringify(schema), last_edited_time: time, last_edited_by: actor })
    .where('id', '=', id)
    .execute()
  if (reindex) await reindexDataSource(db, id, schema)
}

/** Stores one data source row. */
export async function insertDataSource(db: Db, row: DataSourceRow): Promise<void> {
  await db.insertInto('data_source').values(row).execute()
}

/** Updates columns of one data source. */
export async function updateDataSource(db: Db, id: string, patch: Partial<DataSourceRow>): Promise<void> {
  await db.updateTable('data_source').set(patch).where('id', '=', id).execute()
}

/** The rows (pages) of a data source; trashed rows only when `includeTrashed`. */
export async function rowsOf(db: Db, dataSourceId: string, opts: { includeTrashed?: boolean } = {}): Promise<BlockRow[]> {
  let q = db.selectFrom('block').selectAll().where('parent_id', '=', dataSourceId).where('parent_type', '=', 'data_source_id')
  if (!opts.includeTrashed) q = q.where('in_trash', '=', 0)
  return q.execute()
}
