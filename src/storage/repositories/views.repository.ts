import type { ViewQueryTable, ViewTable } from '../database.js'
import type { Db } from '../store.js'
import { appendEvent, type Actor } from './events.repository.js'

/**
 * Reads and writes of the `view` and `view_query` tables (migration 0011; docs/adr/0020-views-and-versions.md).
 * Views are written only here: `insertView` (`view.created`), `updateViewRow` (`view.updated`) and
 * `deleteViewRow` (`view.deleted`), each appending its event in the caller's transaction. View queries
 * are per-token result caches, not workspace content: they append no events.
 */

export type ViewRow = ViewTable
export type ViewQueryRow = ViewQueryTable

/** The fields of a view an update may change (JSON columns as stored text). */
export type ViewPatch = Partial<Pick<ViewRow, 'name' | 'filter' | 'sorts' | 'quick_filters' | 'configuration'>>

/**
 * Stores a new view and appends `view.created` with `data: {view_type, database_id, data_source_id}`
 * (Notion's webhook carries `view_type`; docs/reference/notion-api-2026.md §4.6).
 */
export async function insertView(db: Db, row: ViewRow, actor: Actor): Promise<void> {
  await db.insertInto('view').values(row).execute()
  await appendEvent(db, {
    workspaceId: row.workspace_id,
    type: 'view.created',
    objectId: row.id,
    actor,
    time: row.created_time,
    data: { view_type: row.type, database_id: row.database_id, data_source_id: row.data_source_id },
  })
}

/**
 * Applies `patch` to view `view` (stamping `last_edited_*`) and appends `view.updated` with
 * `data: {updated_fields}` — the keys of `patch` (a subset of name|filter|sorts|quick_filters|configuration).
 * An empty patch still stamps and records the edit (Notion answers an empty update with the view).
 */
export async function updateViewRow(
  db: Db,
  view: Pick<ViewRow, 'id' | 'workspace_id'>,
  patch: ViewPatch,
  at: { by: string; actor: Actor; time: string },
): Promise<void> {
  await db
    .updateTable('view')
    .set({ ...patch, last_edited_by: at.by, last_edited_time: at.time })
    .where('id', '=', view.id)
    .execute()
  await appendEvent(db, {
    workspaceId: view.workspace_id,
    type: 'view.updated',
    objectId: view.id,
    actor: at.actor,
    time: at.time,
    data: { updated_fields: Object.keys(patch) },
  })
}

/** Deletes view `view` (and its cached queries) and appends `view.deleted` with `data: {view_type, database_id}`. */
export async function deleteViewRow(
  db: Db,
  view: Pick<ViewRow, 'id' | 'workspace_id' | 'type' | 'database_id'>,
  actor: Actor,
  time: string,
) {
  await db.deleteFrom('view_query').where('view_id', '=', view.id).execute()
  await db.deleteFrom('view').where('id', '=', view.id).execute()
  await appendEvent(db, {
    workspaceId: view.workspace_id,
    type: 'view.deleted',
    objectId: view.id,
    actor,
    time,
    data: { view_type: view.type, database_id: view.database_id },
  })
}

/** A view by id within a workspace. */
export async function findView(db: Db, workspaceId: string, id: string): Promise<ViewRow | undefined> {
  return db.selectFrom('view').selectAll().where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst()
}

/** The views of a database (tabs and widgets), in tab order. */
export async function viewsOfDatabase(db: Db, databaseId: string): Promise<ViewRow[]> {
  return db.selectFrom('view').selectAll().where('database_id', '=', databaseId).orderBy('position').orderBy('id').execute()
}

/** Every view over a data source, wherever it lives, in tab order then id. */
export async function viewsOfDataSource(db: Db, dataSourceId: string): Promise<ViewRow[]> {
  return db.selectFrom('view').selectAll().where('data_source_id', '=', dataSourceId).orderBy('position').orderBy('id').execute()
}

/** How many views (widgets excluded) a database has. */
export async function countTabViews(db: Db, databaseId: string): Promise<number> {
  const r = await db
    .selectFrom('view')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('database_id', '=', databaseId)
    .where('dashboard_view_id', 'is', null)
    .executeTakeFirst()
  return Number(r?.n ?? 0)
}

/** Stores a view query's cached result. Drops expired queries first (at most 1,000 per call), so the cache stays bounded by use. */
export async function insertViewQuery(db: Db, row: ViewQueryRow): Promise<void> {
  const stale = await db.selectFrom('view_query').select('id').where('expires_at', '<=', row.created_time).limit(1000).execute()
  if (stale.length > 0)
    await db
      .deleteFrom('view_query')
      .where(
        'id',
        'in',
        stale.map((r) => r.id),
      )
      .execute()
  await db.insertInto('view_query').values(row).execute()
}

/** A cached view query by id, of view `viewId` in a workspace (expired ones included; the caller checks `expires_at`). */
export async function findViewQuery(db: Db, workspaceId: string, viewId: string, id: string): Promise<ViewQueryRow | undefined> {
  return db
    .selectFrom('view_query')
    .selectAll()
    .where('id', '=', id)
    .where('view_id', '=', viewId)
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst()
}

/** Deletes a cached view query of `owner` (idempotent: nothing to delete is fine). */
export async function deleteViewQueryRow(db: Db, workspaceId: string, viewId: string, id: string, owner: string): Promise<void> {
  await db
    .deleteFrom('view_query')
    .where('id', '=', id)
    .where('view_id', '=', viewId)
    .where('workspace_id', '=', workspaceId)
    .where('owner', '=', owner)
    .execute()
}
