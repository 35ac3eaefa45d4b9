import type { Schema } from '../../domain/properties.js'
import type { DataSourceTable } from '../database.js'
import type { Db } from '../store.js'

export type DataSourceRow = DataSourceTable

export async function findDataSource(db: Db, id: string): Promise<DataSourceRow | undefined> {
  return db.selectFrom('data_source').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The data sources of a database, oldest first. */
export async function dataSourcesOf(db: Db, databaseId: string): Promise<DataSourceRow[]> {
  return db.selectFrom('data_source').selectAll().where('database_id', '=', databaseId).orderBy('created_time').orderBy('id').execute()
}

export function schemaOf(ds: Pick<DataSourceRow, 'properties'>): Schema {
  return JSON.parse(ds.properties) as Schema
}

export async function saveSchema(db: Db, id: string, schema: Schema, actor: string, time: string): Promise<void> {
  await db
    .updateTable('data_source')
    .set({ properties: JSON.stringify(schema), last_edited_time: time, last_edited_by: actor })
    .where('id', '=', id)
    .execute()
}
