import type { Schema } from '../../domain/properties.js'
import type { DataSourceTable } from '../database.js'
import type { Db } from '../store.js'
import { compiledOnce } from './compiled.js'
import type { BlockRow, ContentAt } from './blocks.repository.js'
import { indexSignature, reindexDataSource } from './data-source-values.repository.js'
import { appendEvents, type Actor, type NewChangeEvent } from './events.repository.js'

/**
 * Reads and writes of the `data_source` table (schemas keyed by property id) and of the rows of a
 * data source (pages whose `parent_type` is `data_source_id`).
 */

export type DataSourceRow = DataSourceTable

/** One data source by id (any workspace; callers check the workspace). */
export async function findDataSource(db: Db, id: string): Promise<DataSourceRow | undefined> {
  return (await dataSourceById(db, id))[0]
}

/** `findDataSource`'s statement, compiled once: every data-source request and row create reads it. */
const dataSourceById = compiledOnce(1, (db, id) => db.selectFrom('data_source').selectAll().where('id', '=', id))

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

/** Property ids added, removed and changed (config, name or type) between two schemas. */
function schemaDiff(before: Schema, after: Schema): { added: string[]; removed: string[]; changed: string[] } {
  const added = Object.keys(after).filter((id) => !(id in before))
  const removed = Object.keys(before).filter((id) => !(id in after))
  const changed = Object.keys(after).filter((id) => id in before && JSON.stringify(before[id]) !== JSON.stringify(after[id]))
  return { added, removed, changed }
}

/**
 * Replaces a data source's schema and marks it edited (`at.by`, `at.time`). When a property was
 * added, removed or retyped, the rows' query value index is rebuilt (ADR 8). Appends
 * `data_source.schema_changed` with `data: {added, removed, changed}` (property ids), also when the
 * change is a side effect (a select option added by a row write, the synced side of a two-way
 * relation, a rename followed elsewhere).
 */
export async function saveSchema(db: Db, id: string, schema: Schema, at: ContentAt): Promise<void> {
  const before = await db.selectFrom('data_source').select(['properties', 'workspace_id']).where('id', '=', id).executeTakeFirst()
  const previous = before ? (JSON.parse(before.properties) as Schema) : {}
  const reindex = !before || indexSignature(previous) !== indexSignature(schema)
  await db
    .updateTable('data_source')
    .set({ properties: JSON.stringify(schema), last_edited_time: at.time, last_edited_by: at.by })
    .where('id', '=', id)
    .execute()
  if (reindex) await reindexDataSource(db, id, schema)
  if (before) {
    await appendEvents(db, [
      {
        workspaceId: before.workspace_id,
        type: 'data_source.schema_changed',
        objectId: id,
        actor: at.actor,
        time: at.time,
        data: schemaDiff(previous, schema),
      },
    ])
  }
}

/** Stores one data source row and appends `data_source.created` (`data: {database_id}`) by `actor`. */
export async function insertDataSource(db: Db, row: DataSourceRow, actor: Actor): Promise<void> {
  await db.insertInto('data_source').values(row).execute()
  await appendEvents(db, [
    {
      workspaceId: row.workspace_id,
      type: 'data_source.created',
      objectId: row.id,
      actor,
      time: row.created_time,
      data: { database_id: row.database_id },
    },
  ])
}

/** The columns of a data source `updateDataSource` may change (the schema goes through `saveSchema`). */
export type DataSourcePatch = Partial<Pick<DataSourceRow, 'title' | 'description' | 'icon' | 'in_trash'>>

/**
 * Updates a data source (`ds`, as read before the change), marks it edited from `at`, and appends
 * `data_source.trashed` / `data_source.restored` when `in_trash` changes and `data_source.updated`
 * with `data.fields` (of `title`, `description`, `icon`) when any of those changes.
 */
export async function updateDataSource(db: Db, ds: DataSourceRow, patch: DataSourcePatch, at: ContentAt): Promise<void> {
  await db
    .updateTable('data_source')
    .set({ ...patch, last_edited_time: at.time, last_edited_by: at.by })
    .where('id', '=', ds.id)
    .execute()
  const fields = (['title', 'description', 'icon'] as const).filter((k) => patch[k] !== undefined && patch[k] !== ds[k])
  const base = { workspaceId: ds.workspace_id, objectId: ds.id, actor: at.actor, time: at.time }
  const events: NewChangeEvent[] = []
  if (patch.in_trash !== undefined && patch.in_trash !== ds.in_trash)
    events.push({ ...base, type: `data_source.${patch.in_trash ? 'trashed' : 'restored'}` })
  if (fields.length > 0) events.push({ ...base, type: 'data_source.updated', data: { fields } })
  await appendEvents(db, events)
}

/**
 * The other data sources of a workspace whose schema mentions `dataSourceId` (relations to it,
 * rollups through them): candidates for following a rename (relations.service.ts).
 */
export async function dataSourcesMentioning(db: Db, workspaceId: string, dataSourceId: string): Promise<DataSourceRow[]> {
  return db
    .selectFrom('data_source')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '!=', dataSourceId)
    .where('properties', 'like', `%${dataSourceId}%`)
    .execute()
}

/**
 * Whether data source `id` and its database are both live (neither in the trash); false when
 * either is missing.
 */
export async function dataSourceIsLive(db: Db, id: string): Promise<boolean> {
  const ds = await db.selectFrom('data_source').select(['in_trash', 'database_id']).where('id', '=', id).executeTakeFirst()
  if (!ds || ds.in_trash !== 0) return false
  const database = await db.selectFrom('block').select('in_trash').where('id', '=', ds.database_id).executeTakeFirst()
  return database?.in_trash === 0
}

/** The rows (pages) of a data source; trashed rows only when `includeTrashed`. */
export async function rowsOf(db: Db, dataSourceId: string, opts: { includeTrashed?: boolean } = {}): Promise<BlockRow[]> {
  let q = db.selectFrom('block').selectAll().where('parent_id', '=', dataSourceId).where('parent_type', '=', 'data_source_id')
  if (!opts.includeTrashed) q = q.where('in_trash', '=', 0)
  return q.execute()
}
