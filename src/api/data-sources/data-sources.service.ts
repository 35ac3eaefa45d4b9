import type * as z from 'zod'
import type { RequestContext } from '../../auth/principal.js'
import { changeActorOf } from '../../services/change-actor.js'
import { normalizeIcon } from '../../domain/blocks.js'
import { isoNow } from '../../domain/clock.js'
import { newId } from '../../domain/ids.js'
import { normalizeRichText, plainText, type RichTextItem } from '../../domain/rich-text.js'
import { applySchemaUpdate, parseNewSchema } from '../../domain/schema.js'
import { behaves, dropsArchived, hasDataSources, type NotionVersion } from '../../domain/versions.js'
import { validationError } from '../../errors/notion-error.js'
import { findProperty } from '../../domain/properties.js'
import { listEnvelope, type ListType } from '../../http/pagination.js'
import { loadAuthorized, requireCapability } from '../../services/access.js'
import { addDataSource, loadDataSource, migrateRows, resolvePendingConfigs } from '../../services/databases-core.js'
import type { Deps } from '../../services/deps.js'
import { dataSourceTrashState, requireNotInTrash, requireWritableNode } from '../../services/trash.js'
import { queryDataSourceRows } from '../../services/data-source-query.service.js'
import { dropSyncedProperties, followRenamesElsewhere } from '../../services/relations.service.js'
import { listTemplatePage } from '../../services/templates.service.js'
import { followRenames } from '../../domain/formulas.js'
import { findBlock, touchPage, updateNode, type BlockRow, type ContentAt } from '../../storage/repositories/blocks.repository.js'
import {
  findDataSource,
  liveDataSourcesOf,
  saveSchema,
  schemaOf,
  updateDataSource as updateDataSourceRow,
  type DataSourcePatch,
  type DataSourceRow,
} from '../../storage/repositories/data-sources.repository.js'
import { presentPage, presentsFileFree, presentTitleOnlyPagesText } from '../pages/pages.presenter.js'
import { JsonText } from '../../http/json-text.js'
import { markFileFree } from '../../services/file-urls.js'
import type { Db } from '../../storage/store.js'
import { presentDataSource, presentPartialDataSource } from './data-sources.presenter.js'
import type * as S from './data-sources.schemas.js'

/**
 * Data-source operations behind `/v1/data_sources` (SDK `dataSources.*`, 2025-09-03+), and the
 * query engine shared with the legacy `POST /v1/databases/{id}/query`. Each checks capability, then
 * access on the data source's database (404 "Could not find data_source with ID: …" when it is not
 * shared), then writes. Sources: docs/reference/notion-api.md §1.5, §2.8, §2.12, §2.13.
 */

/**
 * The trash flag of an update body: `in_trash`, or `archived` (not accepted from 2026-03-11 on;
 * both present must agree).
 * @throws NotionApiError validation_error
 */
export function trashFlagOf(
  version: NotionVersion,
  body: { in_trash?: boolean | undefined; archived?: boolean | undefined },
): boolean | undefined {
  if (dropsArchived(version) && body.archived !== undefined) {
    throw validationError(`body failed validation: body.archived should be not present, instead was \`${JSON.stringify(body.archived)}\`.`)
  }
  if (body.archived !== undefined && body.in_trash !== undefined && body.archived !== body.in_trash) {
    throw validationError('body failed validation: body.archived and body.in_trash must agree when both are present.')
  }
  return body.in_trash ?? body.archived
}

async function present(deps: Deps, ctx: RequestContext, id: string) {
  const ds = (await findDataSource(deps.store.db, id)) as DataSourceRow
  if (!ctx.caller.capabilities.readContent) return presentPartialDataSource(ds)
  const database = (await findBlock(deps.store.db, ds.database_id)) as BlockRow
  return presentDataSource(ds, database, { version: ctx.version, publicUrl: deps.publicUrl })
}

/**
 * `POST /v1/data_sources`: adds a data source to an existing database (needs edit access on it; not
 * in the trash nor under it, services/trash.ts). Event: `data_source.created`.
 * @throws NotionApiError validation_error | restricted_resource | object_not_found
 */
export async function createDataSource(deps: Deps, ctx: RequestContext, body: z.output<typeof S.CreateDataSourceBody>) {
  const { caller } = ctx
  requireCapability(caller, 'insert_content')
  const time = isoNow(deps.clock)
  const id = newId()
  await deps.store.transaction(async (trx) => {
    const database = await loadAuthorized(trx, caller, body.parent.database_id, {
      kind: 'database',
      action: 'edit',
      capability: 'insert_content',
    })
    await requireWritableNode(trx, database)
    const title = normalizeRichText(body.title ?? [])
    const { schema, pending } = parseNewSchema(body.properties, ['properties'], { legacy: false })
    await resolvePendingConfigs(trx, caller, { id, databaseId: database.id, title: plainText(title) }, schema, pending, {}, time)
    await addDataSource(trx, {
      id,
      workspaceId: caller.workspaceId,
      databaseId: database.id,
      title,
      icon: body.icon ? normalizeIcon(body.icon) : null,
      schema,
      actor: caller.botId,
      time,
      eventActor: changeActorOf(caller),
    })
    await touchPage(trx, database.id, caller.botId, time)
  })
  return present(deps, ctx, id)
}

/** `GET /v1/data_sources/{id}`. @throws NotionApiError restricted_resource | object_not_found */
export async function getDataSource(deps: Deps, ctx: RequestContext, id: string) {
  await loadDataSource(deps.store.db, ctx.caller, id, { action: 'read', capability: 'read_content' })
  return present(deps, ctx, id)
}

/**
 * Applies a schema update to data source `ds` inside a transaction: parse, resolve relations and
 * rollups, migrate rows, save. Shared with `PATCH /v1/databases/{id}` under 2022-06-28. Creating,
 * changing or removing a two-way relation needs edit access on both data sources (relations.service.ts).
 * @throws NotionApiError validation_error | object_not_found | restricted_resource
 */
export async function changeSchema(
  trx: Db,
  ctx: RequestContext,
  ds: DataSourceRow,
  properties: Record<string, unknown>,
  at: PropertyKey[],
  time: string,
): Promise<void> {
  const write: ContentAt = { by: ctx.caller.botId, actor: changeActorOf(ctx.caller), time }
  const before = schemaOf(ds)
  const { schema, pending, newUniqueIds } = applySchemaUpdate(before, properties, at, { legacy: !hasDataSources(ctx.version) })
  const title = plainText(JSON.parse(ds.title) as RichTextItem[])
  followRenames(before, schema)
  await resolvePendingConfigs(trx, ctx.caller, { id: ds.id, databaseId: ds.database_id, title }, schema, pending, before, time)
  await dropSyncedProperties(trx, ctx.caller, (await findBlock(trx, ds.database_id)) ?? null, ds.id, before, schema, time)
  await followRenamesElsewhere(trx, ds.id, ds.workspace_id, before, schema, write)
  await migrateRows(trx, ds.id, before, schema, newUniqueIds)
  await saveSchema(trx, ds.id, schema, write)
}

/**
 * `PATCH /v1/data_sources/{id}`: title, icon, schema (add, rename with `{name}`, remove with
 * `null`; keys are names or ids), trash and restore. Moving to another database is refused.
 * Events: `data_source.updated` (`data.fields`), `data_source.trashed|restored`,
 * `data_source.schema_changed` (this one and any other whose schema follows), `database.updated` when
 * the database takes the title of its only data source.
 * @throws NotionApiError validation_error | restricted_resource | object_not_found
 */
export async function updateDataSource(deps: Deps, ctx: RequestContext, id: string, body: z.output<typeof S.UpdateDataSourceBody>) {
  const { caller } = ctx
  const trash = trashFlagOf(ctx.version, body)
  const time = isoNow(deps.clock)
  const at: ContentAt = { by: caller.botId, actor: changeActorOf(caller), time }
  await deps.store.transaction(async (trx) => {
    const { ds, database } = await loadDataSource(trx, caller, id, { action: 'edit', capability: 'update_content' })
    // A trashed data source accepts only its restore; none under a trashed database or page changes.
    requireNotInTrash(await dataSourceTrashState(trx, ds, database), { restoresSelf: trash === false })
    if (body.parent && body.parent.database_id !== ds.database_id) {
      throw validationError('body failed validation: body.parent: moving a data source to another database is not supported.')
    }
    const patch: DataSourcePatch = {}
    if (trash !== undefined) patch.in_trash = trash ? 1 : 0
    if (body.icon !== undefined) patch.icon = body.icon === null ? null : JSON.stringify(normalizeIcon(body.icon))
    if (body.title !== undefined) {
      const title = normalizeRichText(body.title)
      patch.title = JSON.stringify(title)
      // A database with one data source shows that source's name as its own title.
      const live = await liveDataSourcesOf(trx, ds.database_id)
      if (live.length === 1 && live[0]?.id === ds.id) {
        const texts = JSON.parse(database.properties ?? '{}') as Record<string, unknown>
        await updateNode(trx, database, { properties: JSON.stringify({ ...texts, title }), title_text: plainText(title).toLowerCase() }, at)
      }
    }
    if (body.properties && Object.keys(body.properties).length > 0) await changeSchema(trx, ctx, ds, body.properties, ['properties'], time)
    await updateDataSourceRow(trx, ds, patch, at)
  })
  return present(deps, ctx, id)
}

/** What a query asks for, after body validation. */
export interface QueryInput {
  filter?: unknown
  sorts?: unknown
  start_cursor?: string | null | undefined
  page_size?: number | undefined
  in_trash?: boolean | undefined
  archived?: boolean | undefined
  result_type?: 'page' | 'data_source' | undefined
}

/**
 * The list answer of `runDataSourceQuery` as JSON text (`JsonText`, http/json-text.ts) when every row
 * is presented with its title property alone, nothing computed, and no presented text may hold a
 * file marker or custom emoji (2026-12-01's title-only lists): the pages' text from
 * `presentTitleOnlyPagesText`, which skips building and serializing page objects. Undefined
 * otherwise (the caller presents objects, which the router signs).
 */
function titleOnlyListText(
  deps: Deps,
  ctx: RequestContext,
  result: Awaited<ReturnType<typeof queryDataSourceRows>>,
  listType: ListType,
  requestStatus: object,
): JsonText | undefined {
  if (result.values.size > 0) return undefined
  const presentation = { version: ctx.version, publicUrl: deps.publicUrl, dataSource: result.source }
  const pages = presentTitleOnlyPagesText(result.rows, presentation)
  if (pages === undefined) return undefined
  // The envelope serialized with no result, then the pages spliced into its `results` array.
  const envelope = JSON.stringify(listEnvelope(listType, [], result.nextCursor, { request_status: requestStatus }))
  const at = envelope.indexOf('"results":[]') + '"results":['.length
  return JsonText.of(`${envelope.slice(0, at)}${pages.join(',')}${envelope.slice(at, -1)}`)
}

/**
 * Runs a query over the rows of `ds` (services/data-source-query.service.ts) and presents the list
 * envelope (`type` = `page_or_data_source` for 2025+, `page_or_database` for 2022) with
 * `request_status`. Trashed rows only with `in_trash` (or `archived`) true. Pagination: `page_size`
 * ≤ 100, the cursor is the id of the next row; `next_cursor` is null on the last page.
 * `filterProperties` limits each page's `properties` to those names or ids. `database`: the data
 * source's database row when the caller loaded it already.
 * @throws NotionApiError validation_error (filter, sorts)
 */
export async function runDataSourceQuery(
  deps: Deps,
  ctx: RequestContext,
  ds: DataSourceRow,
  body: QueryInput,
  filterProperties: string[] | undefined,
  listType: ListType,
  database?: BlockRow,
) {
  const trash = trashFlagOf(ctx.version, body)
  const schema = schemaOf(ds)
  // 2026-12-01: without filter_properties, only the title (docs/reference/notion-api-2026.md §6.1 row 1).
  const keep =
    filterProperties?.map((k) => findProperty(schema, k)?.id).filter((x): x is string => x !== undefined) ??
    (behaves('titleOnlyLists', ctx.version)
      ? Object.values(schema)
          .filter((p) => p.type === 'title')
          .map((p) => p.id)
      : undefined)
  const result = await queryDataSourceRows(deps, ctx, ds, body, { includeTrashed: trash === true, properties: keep, database })
  // The rows come presented with the kept properties only when the service narrowed the schema to them.
  const narrowedToKeep = keep !== undefined && Object.keys(result.source.schema).every((id) => keep.includes(id))
  const requestStatus = result.complete ? { type: 'complete' } : { type: 'incomplete', incomplete_reason: 'query_result_limit_reached' }
  if (keep === undefined || narrowedToKeep) {
    const text = titleOnlyListText(deps, ctx, result, listType, requestStatus)
    if (text) return text
  }
  let fileFree = true
  const pages = result.rows.map((row) => {
    const presentation = { version: ctx.version, publicUrl: deps.publicUrl, dataSource: result.source, computed: result.values.get(row.id) }
    const out = presentPage(row, presentation)
    if (fileFree) fileFree = presentsFileFree(row, presentation)
    if (keep && !narrowedToKeep) {
      const props = out.properties as Record<string, { id: string }>
      out.properties = Object.fromEntries(Object.entries(props).filter(([, v]) => keep.includes(v.id)))
    }
    return out
  })
  const list = listEnvelope(listType, pages, result.nextCursor, { request_status: requestStatus })
  // No page holds a file or a custom emoji: the router's signFileRefs skips the list whole.
  return fileFree ? markFileFree(list) : list
}

/**
 * `POST /v1/data_sources/{id}/query` (docs/reference/notion-api.md §1.5, §2.13).
 * @throws NotionApiError validation_error | restricted_resource | object_not_found
 */
export async function queryDataSource(
  deps: Deps,
  ctx: RequestContext,
  id: string,
  body: z.output<typeof S.QueryDataSourceBody>,
  filterProperties?: string[],
) {
  const { ds, database } = await loadDataSource(deps.store.db, ctx.caller, id, { action: 'read', capability: 'read_content' })
  return runDataSourceQuery(deps, ctx, ds, body, filterProperties, 'page_or_data_source', database)
}

/**
 * `GET /v1/data_sources/{id}/templates`: `{templates:[{id, name, is_default}], has_more,
 * next_cursor}` (not a `list` object; SDK data-sources.ts), filtered by `name` (case-insensitive
 * substring); see services/templates.service.ts.
 * @throws NotionApiError restricted_resource | object_not_found
 */
export async function listTemplates(
  deps: Deps,
  ctx: RequestContext,
  id: string,
  query: { name?: string | undefined; start_cursor?: string | undefined; page_size?: number | undefined } = {},
) {
  await loadDataSource(deps.store.db, ctx.caller, id, { action: 'read', capability: 'read_content' })
  return listTemplatePage(deps.store.db, id, query)
}
