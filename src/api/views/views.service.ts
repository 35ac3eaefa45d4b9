import { viewFilterWithQuickFilters } from '../../domain/view-filter.js'
import type { RequestContext } from '../../auth/principal.js'
import { actingUserId } from '../../auth/principal.js'
import { isoNow } from '../../domain/clock.js'
import { newId, parseId } from '../../domain/ids.js'
import { behaves } from '../../domain/versions.js'
import { findProperty, ownProperty, type PropertyConfig, type Schema } from '../../domain/properties.js'
import { compileQueryFilter, compileQuerySorts } from '../../domain/query.js'
import { NotionApiError, restrictedResource, validationError } from '../../errors/notion-error.js'
import { PAGE_SIZE_MAX } from '../../http/pagination.js'
import { loadAuthorized } from '../../services/access.js'
import { changeActorOf } from '../../services/change-actor.js'
import { matchingRowIds, viewerOfRequest } from '../../services/data-source-query.service.js'
import { loadDataSource } from '../../services/databases-core.js'
import type { Deps } from '../../services/deps.js'
import type { PageAction } from '../../permissions/roles.js'
import type { RequiredCapability } from '../../permissions/capabilities.js'
import { findDataSource, schemaOf, type DataSourceRow } from '../../storage/repositories/data-sources.repository.js'
import {
  countTabViews,
  deleteViewQueryRow,
  deleteViewRow,
  findView,
  findViewQuery,
  insertView,
  insertViewQuery,
  updateViewRow,
  viewsOfDataSource,
  viewsOfDatabase,
  type ViewPatch,
  type ViewRow,
} from '../../storage/repositories/views.repository.js'
import type { Db } from '../../storage/store.js'
import { presentPartialView, presentView } from './views.presenter.js'
import type { CreateViewInput, UpdateViewInput, ViewConfigurationInput } from './views.schemas.js'

/**
 * View operations behind `/v1/views` (SDK 5.26 `views.*`; docs/reference/notion-api-2026.md §4;
 * docs/views-and-versions.md). Order in each: capability (403 `restricted_resource`), then access
 * to the view's database and to the database owning its data source (404 "Could not find view with
 * ID: …", never 403, so existence does not leak), then validation against the data source's schema
 * with the data-source query engine (domain/query: the same messages as `POST /v1/data_sources/{id}/query`).
 *
 * Capabilities (Octavo has no property-level capabilities, so "read property"/"update property"
 * count as their content twins): list, retrieve and the three query operations need read content;
 * create needs insert or update content; update and delete need update content.
 */

/** How long a view query's result is kept for paging (Notion: about 15 minutes). */
export const VIEW_QUERY_TTL_MS = 15 * 60 * 1000
/** Widgets per dashboard row (§4.3). */
const MAX_WIDGETS_PER_ROW = 4

type Caller = RequestContext['caller']

/** 404 for a view that does not exist or that the caller may not see. */
function viewNotFound(id: string, caller: Caller): NotionApiError {
  return new NotionApiError(
    'object_not_found',
    `Could not find view with ID: ${id}. Make sure the relevant pages and databases are shared with your integration "${caller.connectionName}".`,
  )
}

/** 404 for an unknown, expired or someone else's view query. */
function viewQueryNotFound(id: string): NotionApiError {
  return new NotionApiError('object_not_found', `Could not find view query with ID: ${id}. It may have expired; create a new query.`)
}

/** 403 unless the caller has one of `caps`. */
function requireAnyCapability(caller: Caller, caps: ('readContent' | 'insertContent' | 'updateContent')[]): RequiredCapability {
  const has = caps.find((c) => caller.capabilities[c])
  if (!has) throw restrictedResource()
  return has === 'readContent' ? 'read_content' : has === 'insertContent' ? 'insert_content' : 'update_content'
}

/**
 * Loads view `id` if the caller may `action` its database and read the database that owns its data
 * source (linked views need both).
 * @throws NotionApiError object_not_found | restricted_resource
 */
async function loadView(
  db: Db,
  caller: Caller,
  id: string,
  action: PageAction,
  capability: RequiredCapability,
): Promise<{ view: ViewRow; ds: DataSourceRow | undefined }> {
  const view = await findView(db, caller.workspaceId, id)
  if (!view) throw viewNotFound(id, caller)
  try {
    await loadAuthorized(db, caller, view.database_id, { kind: 'database', action, capability })
    const ds = view.data_source_id ? (await loadDataSource(db, caller, view.data_source_id, { action: 'read', capability })).ds : undefined
    return { view, ds }
  } catch (err) {
    if (err instanceof NotionApiError && err.code === 'object_not_found') throw viewNotFound(id, caller)
    throw err
  }
}

/** The rolled-up property of each rollup (option names in rollup filters), as the query engine needs. */
async function rolledOf(db: Db, schema: Schema): Promise<(p: PropertyConfig) => PropertyConfig | undefined> {
  const out = new Map<string, PropertyConfig>()
  for (const p of Object.values(schema)) {
    if (p.type !== 'rollup') continue
    const c = p.config as { relation_property_id?: string; rollup_property_id?: string }
    const rel = c.relation_property_id ? schema[c.relation_property_id] : undefined
    const target = rel?.type === 'relation' ? await findDataSource(db, String(rel.config.data_source_id)) : undefined
    const rolled = target && c.rollup_property_id ? findProperty(schemaOf(target), c.rollup_property_id) : undefined
    if (rolled) out.set(p.id, rolled)
  }
  return (p) => out.get(p.id)
}

/** A property by id (ids win on a clash) or name, or 400 naming the path. */
function resolveProperty(schema: Schema, key: string, at: string): PropertyConfig {
  const p = ownProperty(schema, key) ?? findProperty(schema, key)
  if (!p) throw validationError(`body failed validation: ${at}: Could not find property with name or id: ${key}.`)
  return p
}

/** The group-by `type` a property of `propertyType` takes. */
function groupTypeOf(propertyType: string): string {
  if (propertyType === 'rich_text') return 'text'
  if (propertyType === 'people') return 'person'
  return propertyType
}

/**
 * Resolves every property reference of a configuration to a property id, checking that group-bys
 * match their property's type and that calendar/timeline dates are date properties.
 * @throws NotionApiError validation_error
 */
function resolveConfiguration(config: Record<string, unknown>, schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config }
  const base = 'body.configuration'
  const idOf = (key: unknown, at: string) => resolveProperty(schema, String(key), at).id
  for (const key of ['properties', 'table_properties']) {
    const list = out[key]
    if (!Array.isArray(list)) continue
    out[key] = list.map((p: Record<string, unknown>, i) => ({ ...p, property_id: idOf(p.property_id, `${base}.${key}[${i}].property_id`) }))
  }
  for (const key of ['group_by', 'sub_group_by', 'x_axis', 'stack_by']) {
    const g = out[key] as Record<string, unknown> | null | undefined
    if (!g) continue
    const prop = resolveProperty(schema, String(g.property_id), `${base}.${key}.property_id`)
    const want = groupTypeOf(prop.type)
    if (g.type !== want) {
      throw validationError(
        `body failed validation: ${base}.${key}.type should be \`${JSON.stringify(want)}\`, instead was \`${JSON.stringify(g.type)}\`.`,
      )
    }
    out[key] = { ...g, property_id: prop.id }
  }
  for (const key of ['y_axis', 'value', 'cover', 'subtasks', 'arrows_by']) {
    const o = out[key] as Record<string, unknown> | null | undefined
    if (o && typeof o.property_id === 'string') out[key] = { ...o, property_id: idOf(o.property_id, `${base}.${key}.property_id`) }
  }
  for (const key of ['date_property_id', 'end_date_property_id']) {
    if (typeof out[key] !== 'string') continue
    const prop = resolveProperty(schema, out[key], `${base}.${key}`)
    if (!['date', 'created_time', 'last_edited_time', 'formula'].includes(prop.type)) {
      throw validationError(
        `body failed validation: ${base}.${key} should name a date property, instead was \`${JSON.stringify(out[key])}\`.`,
      )
    }
    out[key] = prop.id
  }
  for (const key of ['map_by', 'x_axis_property_id', 'y_axis_property_id']) {
    if (typeof out[key] === 'string') out[key] = idOf(out[key], `${base}.${key}`)
  }
  if (Array.isArray(out.reference_lines)) {
    out.reference_lines = (out.reference_lines as Record<string, unknown>[]).map((l) => ({ id: newId(), ...l }))
  }
  return out
}

/**
 * Checks a view's filter, sorts and quick filters with the data-source query engine (same messages:
 * "body.filter…", "Could not find sort property with name or id: …") and returns them as stored JSON.
 * @throws NotionApiError validation_error
 */
async function checkQueryParts(
  deps: Deps,
  ctx: RequestContext,
  schema: Schema,
  parts: { filter?: unknown; sorts?: unknown; quick_filters?: Record<string, unknown> | null },
): Promise<void> {
  const rolledProperty = await rolledOf(deps.store.db, schema)
  const qctx = {
    now: deps.clock.now(),
    me: actingUserId(ctx.caller),
    statusGroupFilters: behaves('statusGroupFilters', ctx.version, ctx.betas),
  }
  if (parts.filter !== undefined && parts.filter !== null) compileQueryFilter(parts.filter, schema, qctx, { rolledProperty })
  if (parts.sorts !== undefined && parts.sorts !== null) compileQuerySorts(parts.sorts, schema)
  for (const [key, cond] of Object.entries(parts.quick_filters ?? {})) {
    if (cond === null) continue
    resolveProperty(schema, key, `body.quick_filters.${key}`)
    if (typeof cond !== 'object' || Array.isArray(cond)) {
      throw validationError(
        `body failed validation: body.quick_filters.${key} should be an object, instead was \`${JSON.stringify(cond)}\`.`,
      )
    }
    if (Object.keys(cond).length === 0) continue
    compileQueryFilter({ ...cond, property: key }, schema, qctx, { at: ['quick_filters', key], rolledProperty })
  }
}

const stored = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v))

/** Dashboard layout rows as stored in a dashboard's configuration. */
interface DashboardRow {
  id: string
  widgets: { id: string; view_id: string; width: number; row_index: number }[]
  height?: number
}

/** Re-spreads widths over a row's widgets (12 columns) and renumbers `row_index`. */
function relayout(rows: DashboardRow[]): DashboardRow[] {
  return rows
    .filter((r) => r.widgets.length > 0)
    .map((r, i) => {
      const n = r.widgets.length
      return { ...r, widgets: r.widgets.map((w, j) => ({ ...w, width: Math.floor(12 / n) + (j < 12 % n ? 1 : 0), row_index: i })) }
    })
}

function dashboardRows(view: ViewRow): DashboardRow[] {
  const c = view.configuration ? (JSON.parse(view.configuration) as { rows?: DashboardRow[] }) : {}
  return c.rows ?? []
}

/**
 * `POST /v1/views`: a new view over `data_source_id`, as a tab of `database_id` (at `position`:
 * start, end — default — or after a view), or as a widget of the dashboard `view_id` (at
 * `placement`). `create_database` (a new linked database block) is refused: Octavo has no linked
 * database blocks. Events: `view.created`; a widget also `view.updated` on its dashboard.
 * @returns the full view object
 * @throws NotionApiError validation_error | restricted_resource | object_not_found
 */
export async function createView(deps: Deps, ctx: RequestContext, body: CreateViewInput) {
  const { caller } = ctx
  const capability = requireAnyCapability(caller, ['insertContent', 'updateContent'])
  const targets = [body.database_id, body.view_id, body.create_database].filter((x) => x !== undefined).length
  if (targets !== 1) {
    throw validationError(
      'body failed validation: exactly one of body.database_id, body.view_id or body.create_database should be present.',
    )
  }
  if (body.create_database) {
    throw validationError('body failed validation: body.create_database is not supported: Octavo has no linked database blocks.')
  }
  if (body.configuration && body.configuration.type !== body.type) {
    throw validationError(
      `body failed validation: body.configuration.type should be \`${JSON.stringify(body.type)}\`, instead was \`${JSON.stringify(body.configuration.type)}\`.`,
    )
  }
  if (body.position && !body.database_id)
    throw validationError('body failed validation: body.position is only allowed with body.database_id.')
  if (body.placement && !body.view_id) throw validationError('body failed validation: body.placement is only allowed with body.view_id.')
  if (body.view_id && body.type === 'dashboard')
    throw validationError('body failed validation: a dashboard cannot be a widget of a dashboard.')
  const time = isoNow(deps.clock)
  const id = newId()
  const actor = changeActorOf(caller)
  const row = await deps.store.transaction(async (trx) => {
    const { ds } = await loadDataSource(trx, caller, body.data_source_id, { action: 'read', capability })
    const schema = schemaOf(ds)
    await checkQueryParts(deps, ctx, schema, body)
    const configuration = body.configuration && body.type !== 'dashboard' ? resolveConfiguration(body.configuration, schema) : null
    let databaseId: string
    let position: number
    let dashboard: ViewRow | undefined
    if (body.database_id) {
      await loadAuthorized(trx, caller, body.database_id, { kind: 'database', action: 'edit', capability })
      databaseId = body.database_id
      const tabs = (await viewsOfDatabase(trx, databaseId)).filter((v) => v.dashboard_view_id === null)
      position = positionFor(tabs, body.position)
    } else {
      dashboard = (await loadView(trx, caller, body.view_id as string, 'edit', capability)).view
      if (dashboard.type !== 'dashboard')
        throw validationError('body failed validation: body.view_id should be the id of a dashboard view.')
      databaseId = ds.database_id
      position = 0
    }
    const row: ViewRow = {
      id,
      workspace_id: caller.workspaceId,
      database_id: databaseId,
      data_source_id: body.type === 'dashboard' ? null : ds.id,
      dashboard_view_id: dashboard?.id ?? null,
      name: body.name,
      type: body.type,
      filter: stored(body.filter),
      sorts: stored(body.sorts),
      quick_filters: stored(body.quick_filters),
      configuration: body.type === 'dashboard' ? JSON.stringify({ type: 'dashboard', rows: [] }) : stored(configuration),
      position,
      created_by: caller.botId,
      last_edited_by: caller.botId,
      created_time: time,
      last_edited_time: time,
    }
    await insertView(trx, row, actor)
    if (dashboard) {
      const rows = dashboardRows(dashboard)
      const widget = { id: newId(), view_id: id, width: 12, row_index: 0 }
      const p = body.placement ?? { type: 'new_row' as const }
      if (p.type === 'existing_row') {
        const target = rows[p.row_index]
        if (!target)
          throw validationError(
            `body failed validation: body.placement.row_index should be < \`${rows.length}\`, instead was \`${p.row_index}\`.`,
          )
        if (target.widgets.length >= MAX_WIDGETS_PER_ROW)
          throw validationError(`body failed validation: a dashboard row holds at most ${MAX_WIDGETS_PER_ROW} widgets.`)
        target.widgets.push(widget)
      } else {
        const at = p.row_index === undefined ? rows.length : Math.min(p.row_index, rows.length)
        rows.splice(at, 0, { id: newId(), widgets: [widget] })
      }
      await updateViewRow(
        trx,
        dashboard,
        { configuration: JSON.stringify({ type: 'dashboard', rows: relayout(rows) }) },
        { by: caller.botId, actor, time },
      )
    }
    return { row, schema }
  })
  return presentView(row.row, row.schema, deps.publicUrl)
}

/** The position of a new tab among `tabs` (sorted by position). */
function positionFor(tabs: ViewRow[], position: CreateViewInput['position']): number {
  const first = tabs[0]?.position ?? 0
  const last = tabs[tabs.length - 1]?.position ?? 0
  if (!position || position.type === 'end') return tabs.length === 0 ? 1 : last + 1
  if (position.type === 'start') return tabs.length === 0 ? 1 : first - 1
  const i = tabs.findIndex((v) => v.id === position.view_id)
  if (i === -1)
    throw validationError(
      `body failed validation: body.position.view_id should be a view of this database, instead was \`"${position.view_id}"\`.`,
    )
  const here = (tabs[i] as ViewRow).position
  const next = tabs[i + 1]?.position
  return next === undefined ? here + 1 : (here + next) / 2
}

/**
 * `GET /v1/views/{id}`.
 * @throws NotionApiError restricted_resource | object_not_found
 */
export async function getView(deps: Deps, ctx: RequestContext, id: string) {
  const { view, ds } = await loadView(deps.store.db, ctx.caller, id, 'read', requireAnyCapability(ctx.caller, ['readContent']))
  return presentView(view, ds ? schemaOf(ds) : {}, deps.publicUrl)
}

/**
 * `PATCH /v1/views/{id}`: `name`; `filter`, `sorts` (null clears); `quick_filters` (null clears all,
 * `{key: null}` removes one key, other keys kept); `configuration` (shallow merge: omitted fields kept,
 * `null` clears a field; its `type` must be the view's). Dashboards' layout is read-only.
 * Event: `view.updated` with `updated_fields`.
 * @throws NotionApiError validation_error | restricted_resource | object_not_found
 */
export async function updateView(deps: Deps, ctx: RequestContext, id: string, body: UpdateViewInput) {
  const { caller } = ctx
  const capability = requireAnyCapability(caller, ['updateContent'])
  const time = isoNow(deps.clock)
  const out = await deps.store.transaction(async (trx) => {
    const { view, ds } = await loadView(trx, caller, id, 'edit', capability)
    const schema = ds ? schemaOf(ds) : {}
    if (body.configuration && body.configuration.type !== view.type) {
      throw validationError(
        `body failed validation: body.configuration.type should be \`${JSON.stringify(view.type)}\`, instead was \`${JSON.stringify(body.configuration.type)}\`.`,
      )
    }
    let quick: Record<string, unknown> | null | undefined
    if (body.quick_filters === null) quick = null
    else if (body.quick_filters !== undefined) {
      const before = view.quick_filters ? (JSON.parse(view.quick_filters) as Record<string, unknown>) : {}
      quick = { ...before }
      for (const [k, v] of Object.entries(body.quick_filters)) {
        if (v === null) delete quick[k]
        else quick[k] = v
      }
    }
    await checkQueryParts(deps, ctx, schema, { filter: body.filter, sorts: body.sorts, quick_filters: quick })
    const patch: ViewPatch = {}
    if (body.name !== undefined) patch.name = body.name
    if (body.filter !== undefined) patch.filter = stored(body.filter)
    if (body.sorts !== undefined) patch.sorts = stored(body.sorts)
    if (quick !== undefined) patch.quick_filters = quick === null || Object.keys(quick).length === 0 ? null : JSON.stringify(quick)
    if (body.configuration !== undefined && view.type !== 'dashboard') {
      patch.configuration = JSON.stringify(mergeConfiguration(view, body.configuration, schema))
    }
    await updateViewRow(trx, view, patch, { by: caller.botId, actor: changeActorOf(caller), time })
    return { view: { ...view, ...patch, last_edited_by: caller.botId, last_edited_time: time }, schema }
  })
  return presentView(out.view, out.schema, deps.publicUrl)
}

/** Shallow merge of a configuration update (null clears a field). */
function mergeConfiguration(view: ViewRow, update: ViewConfigurationInput, schema: Schema): Record<string, unknown> {
  const before = view.configuration ? (JSON.parse(view.configuration) as Record<string, unknown>) : { type: view.type }
  const resolved = resolveConfiguration(update as Record<string, unknown>, schema)
  const merged: Record<string, unknown> = { ...before }
  for (const [k, v] of Object.entries(resolved)) {
    if (v === null) delete merged[k]
    else merged[k] = v
  }
  return merged
}

/**
 * `DELETE /v1/views/{id}`: permanent. The last tab of a database cannot go (400). A widget leaves
 * its dashboard's layout (`view.updated` on the dashboard); a dashboard takes its widgets with it.
 * Events: `view.deleted` for each view removed.
 * @returns the partial view `{object, id, parent, type}`
 * @throws NotionApiError validation_error | restricted_resource | object_not_found
 */
export async function deleteView(deps: Deps, ctx: RequestContext, id: string) {
  const { caller } = ctx
  const capability = requireAnyCapability(caller, ['updateContent'])
  const time = isoNow(deps.clock)
  const actor = changeActorOf(caller)
  const view = await deps.store.transaction(async (trx) => {
    const { view } = await loadView(trx, caller, id, 'edit', capability)
    if (view.dashboard_view_id === null && (await countTabViews(trx, view.database_id)) <= 1) {
      throw validationError('Cannot delete the last view of a database.')
    }
    if (view.dashboard_view_id) {
      const dashboard = await findView(trx, caller.workspaceId, view.dashboard_view_id)
      if (dashboard) {
        const rows = dashboardRows(dashboard).map((r) => ({ ...r, widgets: r.widgets.filter((w) => w.view_id !== view.id) }))
        await updateViewRow(
          trx,
          dashboard,
          { configuration: JSON.stringify({ type: 'dashboard', rows: relayout(rows) }) },
          { by: caller.botId, actor, time },
        )
      }
    }
    if (view.type === 'dashboard') {
      const widgets = (await viewsOfDatabase(trx, view.database_id)).filter((v) => v.dashboard_view_id === view.id)
      for (const w of widgets) await deleteViewRow(trx, w, actor, time)
    }
    await deleteViewRow(trx, view, actor, time)
    return view
  })
  return presentPartialView(view)
}

/**
 * `GET /v1/views?database_id=…|data_source_id=…`: references `{object:"view", id}` of the views of
 * a database (tabs in order, then widgets) and/or of every view over a data source wherever it lives,
 * keeping only views whose databases the caller can read. At least one id is required (400).
 * Pagination: `page_size` ≤ 100; the cursor is the next view's id.
 * @throws NotionApiError validation_error | restricted_resource | object_not_found
 */
export async function listViews(
  deps: Deps,
  ctx: RequestContext,
  query: {
    database_id?: string | undefined
    data_source_id?: string | undefined
    start_cursor?: string | undefined
    page_size?: number | undefined
  },
) {
  const { caller } = ctx
  const db = deps.store.db
  const capability = requireAnyCapability(caller, ['readContent'])
  if (!query.database_id && !query.data_source_id) {
    throw validationError('query failed validation: query.database_id or query.data_source_id should be defined, instead was `undefined`.')
  }
  let views: ViewRow[]
  if (query.database_id) {
    await loadAuthorized(db, caller, query.database_id, { kind: 'database', action: 'read', capability })
    views = await viewsOfDatabase(db, query.database_id)
    if (query.data_source_id) {
      await loadDataSource(db, caller, query.data_source_id, { action: 'read', capability })
      views = views.filter((v) => v.data_source_id === query.data_source_id)
    }
  } else {
    await loadDataSource(db, caller, query.data_source_id as string, { action: 'read', capability })
    const all = await viewsOfDataSource(db, query.data_source_id as string)
    const readable = new Map<string, boolean>()
    views = []
    for (const v of all) {
      if (!readable.has(v.database_id)) {
        const ok = await loadAuthorized(db, caller, v.database_id, { kind: 'database', action: 'read', capability }).then(
          () => true,
          () => false,
        )
        readable.set(v.database_id, ok)
      }
      if (readable.get(v.database_id)) views.push(v)
    }
  }
  views = [...views.filter((v) => v.dashboard_view_id === null), ...views.filter((v) => v.dashboard_view_id !== null)]
  const size = query.page_size ?? PAGE_SIZE_MAX
  const cursor = query.start_cursor ? (parseId(query.start_cursor) ?? query.start_cursor) : undefined
  const start = cursor ? views.findIndex((v) => v.id === cursor) : 0
  const from = start === -1 ? views.length : start
  const page = views.slice(from, from + size)
  const next = views[from + size]?.id ?? null
  return {
    object: 'list' as const,
    results: page.map((v) => ({ object: 'view' as const, id: v.id })),
    next_cursor: next,
    has_more: next !== null,
    type: 'view' as const,
    view: {},
  }
}

/** One page of a cached result: page references from `cursor` (a row id; unknown → empty last page). */
function resultPage(ids: string[], cursor: string | undefined, size: number) {
  const start = cursor ? ids.indexOf(parseId(cursor) ?? cursor) : 0
  const from = start === -1 ? ids.length : start
  const next = ids[from + size] ?? null
  return {
    results: ids.slice(from, from + size).map((id) => ({ object: 'page' as const, id })),
    next_cursor: next,
    has_more: next !== null,
  }
}

const requestStatus = (complete: boolean) =>
  complete ? { type: 'complete' as const } : { type: 'incomplete' as const, incomplete_reason: 'query_result_limit_reached' as const }

/**
 * `POST /v1/views/{id}/queries`: runs the view's saved filter and sorts over its data source with
 * the caller's permissions (restricted rows are not rows of the result) and keeps the ordered row ids
 * for `VIEW_QUERY_TTL_MS` (stable paging), at most 10,000 (`request_status: incomplete` beyond).
 * Only the token that ran it can page it. Dashboards have no rows (400).
 * @returns `{object:"view_query", id, view_id, expires_at, total_count, results, next_cursor, has_more, request_status}`
 * @throws NotionApiError validation_error | restricted_resource | object_not_found
 */
export async function createViewQuery(deps: Deps, ctx: RequestContext, viewId: string, body: { page_size?: number | undefined }) {
  const { caller } = ctx
  const { view, ds } = await loadView(deps.store.db, caller, viewId, 'read', requireAnyCapability(caller, ['readContent']))
  if (!ds) throw validationError('A dashboard view has no rows to query; query its widget views.')
  // The saved filter AND the view's set quick filters (domain/view-filter.ts).
  const effective = viewFilterWithQuickFilters(
    view.filter ? JSON.parse(view.filter) : undefined,
    view.quick_filters ? (JSON.parse(view.quick_filters) as Record<string, unknown>) : null,
  )
  const { ids, complete } = await matchingRowIds(deps, viewerOfRequest(ctx), ds, {
    filter: effective.filter,
    sorts: view.sorts ? JSON.parse(view.sorts) : undefined,
    extraLevel: effective.wrapped,
  })
  const now = deps.clock.now()
  const expires = new Date(now + VIEW_QUERY_TTL_MS).toISOString()
  const id = newId()
  await deps.store.transaction((trx) =>
    insertViewQuery(trx, {
      id,
      workspace_id: caller.workspaceId,
      view_id: view.id,
      owner: changeActorOf(caller) + `:${caller.tokenId}`,
      row_ids: JSON.stringify(ids),
      total_count: ids.length,
      complete: complete ? 1 : 0,
      created_time: new Date(now).toISOString(),
      expires_at: expires,
    }),
  )
  return {
    object: 'view_query' as const,
    id,
    view_id: view.id,
    expires_at: expires,
    total_count: ids.length,
    ...resultPage(ids, undefined, body.page_size ?? PAGE_SIZE_MAX),
    request_status: requestStatus(complete),
  }
}

/**
 * `GET /v1/views/{id}/queries/{query_id}`: a page of a kept result, as a list envelope of page
 * references (`type:"page"`). Unknown, expired or another token's query → 404.
 * @throws NotionApiError restricted_resource | object_not_found
 */
export async function viewQueryResults(
  deps: Deps,
  ctx: RequestContext,
  viewId: string,
  queryId: string,
  query: { start_cursor?: string | undefined; page_size?: number | undefined },
) {
  const { caller } = ctx
  const db = deps.store.db
  await loadView(db, caller, viewId, 'read', requireAnyCapability(caller, ['readContent']))
  const row = await findViewQuery(db, caller.workspaceId, viewId, queryId)
  if (!row || row.owner !== changeActorOf(caller) + `:${caller.tokenId}` || row.expires_at <= new Date(deps.clock.now()).toISOString()) {
    throw viewQueryNotFound(queryId)
  }
  const ids = JSON.parse(row.row_ids) as string[]
  return {
    object: 'list' as const,
    ...resultPage(ids, query.start_cursor, query.page_size ?? PAGE_SIZE_MAX),
    type: 'page' as const,
    page: {},
    request_status: requestStatus(row.complete === 1),
  }
}

/**
 * `DELETE /v1/views/{id}/queries/{query_id}`: frees a kept result; idempotent (already deleted,
 * expired or unknown still succeeds), but the view must be visible.
 * @returns `{object:"view_query", id, deleted:true}`
 * @throws NotionApiError restricted_resource | object_not_found
 */
export async function deleteViewQuery(deps: Deps, ctx: RequestContext, viewId: string, queryId: string) {
  const { caller } = ctx
  await loadView(deps.store.db, caller, viewId, 'read', requireAnyCapability(caller, ['readContent']))
  await deps.store.transaction((trx) =>
    deleteViewQueryRow(trx, caller.workspaceId, viewId, queryId, changeActorOf(caller) + `:${caller.tokenId}`),
  )
  return { object: 'view_query' as const, id: queryId, deleted: true }
}
