import type { ApiCaller } from '../auth/principal.js'
import { changeActorOf } from './change-actor.js'
import { toMinute } from '../domain/clock.js'
import { newId } from '../domain/ids.js'
import { findProperty, type PropertyConfig, type Schema } from '../domain/properties.js'
import type { QueryRow } from '../domain/query.js'
import { plainText, type RichTextItem } from '../domain/rich-text.js'
import { newPropertyId, type PendingConfig } from '../domain/schema.js'
import { convertValue } from '../domain/convert.js'
import { checkChangedFormulas } from '../domain/formulas.js'
import { NotionApiError, objectNotFound, validationError } from '../errors/notion-error.js'
import type { RequiredCapability } from '../permissions/capabilities.js'
import type { PageAction } from '../permissions/roles.js'
import { findBlock, migrateRowValues, type BlockRow, type InsertAt } from '../storage/repositories/blocks.repository.js'
import {
  findDataSource,
  insertDataSource,
  liveDataSourcesOf,
  rowsOf,
  saveSchema,
  schemaOf,
  type DataSourceRow,
} from '../storage/repositories/data-sources.repository.js'
import { explainDataSourceNotVisible } from './explain-denials.js'
import type { Db } from '../storage/store.js'
import { loadAuthorized, requireCapability } from './access.js'
import { requireDualRelationAccess } from './relations.service.js'
import { createNode } from './tree.service.js'
import { insertView } from '../storage/repositories/views.repository.js'

/**
 * Databases and data sources: the operations shared by `/v1/databases`, `/v1/data_sources`, the
 * page property item endpoint and the demo seed (docs/reference/notion-api.md §1.4, §1.5, §2.7, §2.8).
 */

/**
 * Creates a database (a `child_database` node in the page tree) with its first data source.
 * Shared by `POST /v1/databases` and the demo seed. `schema` must already be normalised
 * (property ids assigned, exactly one title property). `databaseId` and `dataSourceId` let the
 * caller know the ids in advance (self-relations). The database gets one table view over that data
 * source (its first tab, as in Notion). Events: `database.created`, `data_source.created`,
 * `view.created` by `eventActor` (default `user:<actor>`).
 */
export async function createDatabase(
  db: Db,
  input: {
    workspaceId: string
    parent: { type: 'workspace' } | { type: 'page_id'; id: string }
    /** At the workspace level: the workspace section (default) or `private` (see `createNode`). */
    section?: 'workspace' | 'private'
    /** Whose private section (default: the actor). */
    privateOwner?: string
    title: RichTextItem[]
    description?: RichTextItem[]
    isInline?: boolean
    icon?: Record<string, unknown> | null
    cover?: Record<string, unknown> | null
    schema: Schema
    actor: string
    time: string
    /** The change events' actor (default `user:<actor>`). */
    eventActor?: string
    dataSourceId?: string
    databaseId?: string
    /** Where among the parent page's children (default: the end). */
    at?: InsertAt
    /** The default table view's name (default `DEFAULT_VIEW_NAME`). */
    defaultViewName?: string
  },
): Promise<{ database: BlockRow; dataSource: DataSourceRow }> {
  const database = await createNode(db, {
    ...(input.databaseId ? { id: input.databaseId } : {}),
    ...(input.at ? { at: input.at } : {}),
    workspaceId: input.workspaceId,
    parent: input.parent,
    ...(input.section ? { section: input.section } : {}),
    ...(input.privateOwner ? { privateOwner: input.privateOwner } : {}),
    kind: 'database',
    title: input.title,
    properties: { title: input.title, description: input.description ?? [] },
    icon: input.icon ?? null,
    cover: input.cover ?? null,
    isInline: input.isInline ?? false,
    actor: input.actor,
    time: input.time,
    ...(input.eventActor ? { eventActor: input.eventActor } : {}),
  })
  const dataSource = await addDataSource(db, {
    id: input.dataSourceId ?? newId(),
    workspaceId: input.workspaceId,
    databaseId: database.id,
    title: input.title,
    description: input.description ?? [],
    icon: input.icon ?? null,
    schema: input.schema,
    actor: input.actor,
    time: input.time,
    ...(input.eventActor ? { eventActor: input.eventActor } : {}),
  })
  // Notion gives every new database one table view over its first data source (its first tab).
  await insertView(
    db,
    {
      id: newId(),
      workspace_id: input.workspaceId,
      database_id: database.id,
      data_source_id: dataSource.id,
      dashboard_view_id: null,
      name: input.defaultViewName ?? DEFAULT_VIEW_NAME,
      type: 'table',
      filter: null,
      sorts: null,
      quick_filters: null,
      configuration: null,
      position: 1,
      created_by: input.actor,
      last_edited_by: input.actor,
      created_time: input.time,
      last_edited_time: input.time,
    },
    input.eventActor ?? `user:${input.actor}`,
  )
  return { database, dataSource }
}

/**
 * The name of the table view every new database gets (Notion names the view of a database created
 * through the API "Default view"; unverified against a live probe).
 */
export const DEFAULT_VIEW_NAME = 'Default view'

/**
 * Inserts a data source into an existing database (`POST /v1/data_sources`); event
 * `data_source.created` by `eventActor` (default `user:<actor>`).
 */
export async function addDataSource(
  db: Db,
  input: {
    id: string
    workspaceId: string
    databaseId: string
    title: RichTextItem[]
    description?: RichTextItem[]
    icon?: Record<string, unknown> | null
    schema: Schema
    actor: string
    time: string
    eventActor?: string
  },
): Promise<DataSourceRow> {
  const row: DataSourceRow = {
    id: input.id,
    workspace_id: input.workspaceId,
    database_id: input.databaseId,
    title: JSON.stringify(input.title),
    description: JSON.stringify(input.description ?? []),
    properties: JSON.stringify(input.schema),
    icon: input.icon ? JSON.stringify(input.icon) : null,
    created_time: input.time,
    created_by: input.actor,
    last_edited_time: input.time,
    last_edited_by: input.actor,
    in_trash: 0,
  }
  await insertDataSource(db, row, input.eventActor ?? `user:${input.actor}`)
  return row
}

/**
 * Loads a data source and its database if the caller may perform `action` on the database.
 * Missing, in another workspace, or not shared: 404 "Could not find data_source with ID: <id>. …"
 * (a database id is not a data source id, docs/reference/notion-api.md §1.5). Capability missing: 403.
 * @throws NotionApiError restricted_resource | object_not_found
 */
export async function loadDataSource(
  db: Db,
  caller: ApiCaller,
  id: string,
  opts: { action: PageAction; capability: RequiredCapability },
): Promise<{ ds: DataSourceRow; database: BlockRow }> {
  const ds = await findDataSource(db, id)
  if (!ds || ds.workspace_id !== caller.workspaceId) {
    requireCapability(caller, opts.capability) // 403 before 404, as for every other object
    throw objectNotFound('data_source', id, caller.connectionName).explain(await explainDataSourceNotVisible(db, caller, id, ds))
  }
  try {
    const database = await loadAuthorized(db, caller, ds.database_id, { kind: 'database', ...opts, notFoundKind: 'data_source' })
    return { ds, database }
  } catch (err) {
    if (err instanceof NotionApiError && err.code === 'object_not_found')
      throw objectNotFound('data_source', id, caller.connectionName).explain(err.explanation)
    throw err
  }
}

/**
 * 400 for a database with several data sources under 2022-06-28 and older (docs/reference/notion-api.md §1.4):
 * "Databases with multiple data sources are not supported in this API version." with
 * `additional_data {error_type, database_id, child_data_source_ids, minimum_api_version}`.
 */
export function multipleDataSourcesError(databaseId: string, sources: Pick<DataSourceRow, 'id'>[]): NotionApiError {
  return validationError('Databases with multiple data sources are not supported in this API version.', {
    error_type: 'multiple_data_sources_for_database',
    database_id: databaseId,
    child_data_source_ids: sources.map((s) => s.id),
    minimum_api_version: '2025-09-03',
  })
}

/** The single live data source of a database (≤ 2022-06-28 views of a database), or the 400 above. */
export async function singleDataSource(db: Db, databaseId: string): Promise<DataSourceRow | undefined> {
  const sources = await liveDataSourcesOf(db, databaseId)
  if (sources.length > 1) throw multipleDataSourcesError(databaseId, sources)
  return sources[0]
}

/** The plain title of a data source. */
export function dataSourceTitle(ds: Pick<DataSourceRow, 'title'>): string {
  return plainText(JSON.parse(ds.title) as RichTextItem[])
}

/**
 * Completes relation and rollup configs of `schema` (owned by data source `owner`) in place:
 * - relation → `{database_id, data_source_id, type, single_property:{}}` or `dual_property` with
 *   the synced property, which is added to the target data source (saved here unless it is the
 *   owner itself). The target must exist and be visible to the caller (404 data_source otherwise);
 *   a new two-way relation also needs the caller's edit access on both sides (403
 *   restricted_resource otherwise; relations.service.ts `requireDualRelationAccess`). Under
 *   2022-06-28 a `database_id` names its single data source.
 * - rollup → names and ids of the relation property and of the rolled-up property.
 * `previous` is the schema before the change: unchanged relations keep their config.
 * Finally, formulas added or changed must compile (domain/formulas.ts), else 400 validation_error
 * with the formula engine's message.
 * @throws NotionApiError validation_error | object_not_found | restricted_resource
 */
export async function resolvePendingConfigs(
  db: Db,
  caller: ApiCaller,
  owner: { id: string; databaseId: string; title: string },
  schema: Schema,
  pending: PendingConfig[],
  previous: Schema,
  time: string,
): Promise<void> {
  for (const p of pending) {
    if (p.kind !== 'relation') continue
    const prop = schema[p.propertyId] as PropertyConfig
    let target: DataSourceRow | undefined
    let targetDatabase: BlockRow | undefined
    if (p.dataSourceId) {
      if (p.dataSourceId !== owner.id)
        ({ ds: target, database: targetDatabase } = await loadDataSource(db, caller, p.dataSourceId, {
          action: 'read',
          capability: 'read_content',
        }))
    } else if (p.databaseId) {
      targetDatabase = await loadAuthorized(db, caller, p.databaseId, { kind: 'database', action: 'read', capability: 'read_content' })
      target = await singleDataSource(db, p.databaseId)
      if (!target) throw objectNotFound('database', p.databaseId, caller.connectionName)
      if (target.id === owner.id) target = undefined
    }
    const targetId = target?.id ?? owner.id
    const targetDb = target?.database_id ?? owner.databaseId
    const before = previous[prop.id]
    const beforeCfg = before?.type === 'relation' ? (before.config as { data_source_id?: string; type?: string }) : undefined
    if (beforeCfg && beforeCfg.data_source_id === targetId && beforeCfg.type === (p.dual ? 'dual_property' : 'single_property')) {
      prop.config = before?.config as Record<string, unknown>
      continue
    }
    if (!p.dual) {
      prop.config = { database_id: targetDb, data_source_id: targetId, type: 'single_property', single_property: {} }
      continue
    }
    // A new two-way relation adds a property to the other data source: edit access on both sides.
    if (target && targetDatabase) {
      const t = target
      await requireDualRelationAccess(db, caller, (await findBlock(db, owner.databaseId)) ?? null, targetDatabase, () =>
        objectNotFound('data_source', t.id, caller.connectionName),
      )
    }
    const targetSchema = target ? schemaOf(target) : schema
    let syncedName = p.dual.synced_property_name ?? `Related to ${owner.title || 'Untitled'} (${prop.name})`
    while (Object.values(targetSchema).some((x) => x.name === syncedName)) syncedName = `${syncedName} 1`
    const syncedId = newPropertyId(targetSchema)
    targetSchema[syncedId] = {
      id: syncedId,
      name: syncedName,
      type: 'relation',
      description: null,
      config: {
        database_id: owner.databaseId,
        data_source_id: owner.id,
        type: 'dual_property',
        dual_property: { synced_property_id: prop.id, synced_property_name: prop.name },
      },
    }
    prop.config = {
      database_id: targetDb,
      data_source_id: targetId,
      type: 'dual_property',
      dual_property: { synced_property_id: syncedId, synced_property_name: syncedName },
    }
    if (target) await saveSchema(db, target.id, targetSchema, { by: caller.botId, actor: changeActorOf(caller), time })
  }
  for (const p of pending) {
    if (p.kind !== 'rollup') continue
    const prop = schema[p.propertyId] as PropertyConfig
    const c = prop.config as {
      function: string
      relation_property_name?: string
      relation_property_id?: string
      rollup_property_name?: string
      rollup_property_id?: string
    }
    const relKey = (c.relation_property_name ?? c.relation_property_id) as string
    const relation = findProperty(schema, relKey)
    if (!relation || relation.type !== 'relation') throw validationError(`Could not find relation property with name or id: ${relKey}.`)
    const rc = relation.config as { data_source_id: string }
    const targetSchema =
      rc.data_source_id === owner.id ? schema : schemaOf((await findDataSource(db, rc.data_source_id)) ?? { properties: '{}' })
    const rollKey = (c.rollup_property_name ?? c.rollup_property_id) as string
    const rolled = findProperty(targetSchema, rollKey)
    if (!rolled) throw validationError(`Could not find rollup property with name or id: ${rollKey}.`)
    prop.config = {
      function: c.function,
      relation_property_name: relation.name,
      relation_property_id: relation.id,
      rollup_property_name: rolled.name,
      rollup_property_id: rolled.id,
    }
  }
  checkChangedFormulas(previous, schema)
}

/**
 * Row values after a schema change (Notion's behaviour on a column edit):
 * - a property whose type changed has its values converted (domain/convert.ts; select targets may
 *   gain options, so `after` is updated in place);
 * - a removed property's values are deleted from every row;
 * - newly added `unique_id` properties number the existing rows, oldest first.
 */
export async function migrateRows(db: Db, dataSourceId: string, before: Schema, after: Schema, newUniqueIds: string[]): Promise<void> {
  const changed = Object.values(after).filter((p) => before[p.id] && (before[p.id] as PropertyConfig).type !== p.type)
  const removed = Object.keys(before).filter((id) => !(id in after))
  if (changed.length === 0 && newUniqueIds.length === 0 && removed.length === 0) return
  const rows = (await rowsOf(db, dataSourceId, { includeTrashed: true })).sort((a, b) =>
    a.created_time < b.created_time ? -1 : a.created_time > b.created_time ? 1 : a.id < b.id ? -1 : 1,
  )
  for (const id of newUniqueIds) (after[id] as PropertyConfig).seq = 0
  for (const row of rows) {
    const values = JSON.parse(row.properties ?? '{}') as Record<string, unknown>
    for (const prop of changed) {
      const converted = convertValue(before[prop.id] as PropertyConfig, prop, values[prop.id])
      if (converted === undefined) delete values[prop.id]
      else values[prop.id] = converted
    }
    for (const id of removed) delete values[id]
    for (const id of newUniqueIds) {
      const prop = after[id] as PropertyConfig
      prop.seq = (prop.seq ?? 0) + 1
      values[id] = prop.seq
    }
    const patch: { properties: string; title_text?: string } = { properties: JSON.stringify(values) }
    const titleProp = changed.find((p) => p.type === 'title')
    if (titleProp) patch.title_text = plainText(values[titleProp.id] as RichTextItem[] | undefined).toLowerCase()
    // The caller saves the schema next (`saveSchema`), which re-indexes the rows when types changed.
    await migrateRowValues(db, row.id, patch, { reindex: false })
  }
}

/** A data-source row as the query engine sees it. */
export function toQueryRow(row: BlockRow): QueryRow {
  return {
    id: row.id,
    values: JSON.parse(row.properties ?? '{}') as Record<string, unknown>,
    meta: {
      created_time: toMinute(row.created_time),
      last_edited_time: toMinute(row.last_edited_time),
      created_by: row.created_by,
      last_edited_by: row.last_edited_by,
    },
    createdExact: row.created_time,
    editedExact: row.last_edited_time,
  }
}
