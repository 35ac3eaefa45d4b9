import { actingUserId, type RequestContext } from '../auth/principal.js'
import { toQueryRow } from './databases-core.js'
import { parseId } from '../domain/ids.js'
import { behaves } from '../domain/versions.js'
import { findProperty, type PropertyConfig, type Schema } from '../domain/properties.js'
import { compileQueryFilter, compileQuerySorts, type QueryRow } from '../domain/query.js'
import { findBlock, type BlockRow } from '../storage/repositories/blocks.repository.js'
import {
  LISTED_COLUMNS,
  PRESENTED_COLUMNS,
  prefilteredRows,
  queryRows,
  type ListedRow,
  type PresentedRow,
  type RowAccess,
} from '../storage/repositories/data-source-query.repository.js'
import { findDataSource, schemaOf, type DataSourceRow } from '../storage/repositories/data-sources.repository.js'
import type { Db } from '../storage/store.js'
import { REQUIRED_LEVEL } from '../permissions/roles.js'
import { levelOn } from './access.js'
import type { Deps } from './deps.js'
import { computeRowValues, type RowSource, type RowValues } from './row-values.js'

/**
 * Runs `POST /v1/data_sources/{id}/query` and the legacy `POST /v1/databases/{id}/query` (docs/reference/notion-api.md §1.5,
 * §2.12, §2.13, §6) over the typed value index (ADR 8).
 *
 * - Filters and sorts that only read stored values run as one SQL statement (storage/repositories/
 *   data-source-query.repository.ts) that returns just the page asked for.
 * - Filters or sorts on computed values (formula, rollup, relation — evaluated over the pages the
 *   caller can see —, verification) load the rows that pass the SQL pre-filter (the plannable
 *   top-level `and` conditions), compute their values (services/row-values.ts) and finish in JS.
 * - Rows the caller cannot open (a restricted row: its own permission root without the caller) are
 *   not rows of the query at all: the SQL plan leaves them out before LIMIT, so pages stay full, the
 *   10,000-row cap counts only readable rows, and a cursor naming one yields an empty last page —
 *   the same answer `GET /v1/pages/{id}` gives them (404). Same engine: `root_acl` over the caller's
 *   principals.
 * - Pagination: `page_size` ≤ 100 (default 100); `next_cursor` is the id of the next row; a cursor
 *   that is not a row of the data source yields an empty last page.
 * - Notion's per-query cap (docs/reference/notion-api.md §1.5, §6; SDK `iterateAllDataSourceRows`): one query (filter and
 *   sorts) returns at most 10,000 rows over all its pages; the page that reaches the cap while more
 *   rows match says `has_more: false`, `next_cursor: null` and `request_status: {type:"incomplete",
 *   incomplete_reason:"query_result_limit_reached"}`. Every other page carries
 *   `request_status: {type:"complete"}`.
 */

/** Rows one query may return over all its pages (docs/reference/notion-api.md §6). */
export const QUERY_RESULT_LIMIT = 10_000

export interface RowQueryInput {
  filter?: unknown
  sorts?: unknown
  start_cursor?: string | null | undefined
  page_size?: number | undefined
  result_type?: 'page' | 'data_source' | undefined
}

/** A data-source row as the in-memory evaluator sees it, with its computed values when it has any. */
function toRow(row: BlockRow, computed?: RowValues): QueryRow {
  return { ...toQueryRow(row), computed }
}

/** The rolled-up properties of the schema's rollups (for option names in rollup filters). */
async function rolledProperties(deps: Deps, schema: Schema): Promise<Map<string, PropertyConfig>> {
  const out = new Map<string, PropertyConfig>()
  for (const p of Object.values(schema)) {
    if (p.type !== 'rollup') continue
    const c = p.config as { relation_property_id?: string; rollup_property_id?: string }
    const rel = c.relation_property_id ? schema[c.relation_property_id] : undefined
    const target = rel?.type === 'relation' ? await findDataSource(deps.store.db, String(rel.config.data_source_id)) : undefined
    const rolled = target && c.rollup_property_id ? findProperty(schemaOf(target), c.rollup_property_id) : undefined
    if (rolled) out.set(p.id, rolled)
  }
  return out
}

/**
 * Which rows the caller may read, as the retrieve check decides it (`levelOn`: the caller's highest
 * level on the row's permission root): rows inheriting the database's root are readable when the
 * database is (it always is here: the route loaded it for reading); a restricted row is its own root
 * and is probed in the query itself.
 */
async function rowAccess(db: Db, ctx: RequestContext, ds: DataSourceRow, loaded?: BlockRow): Promise<RowAccess> {
  const database = loaded?.id === ds.database_id ? loaded : await findBlock(db, ds.database_id)
  const known = database && (await levelOn(db, ctx.caller, database)) >= REQUIRED_LEVEL.read ? database.perm_root_id : null
  return { principals: ctx.caller.principals, readableRoot: known, minLevel: REQUIRED_LEVEL.read }
}

/**
 * `source` with its schema cut down to the properties `keep` (ids) when none of them is a formula or
 * a rollup (which may read other properties): values are then computed — and pages presented — for
 * those properties only, so a title-only list (Notion-Version 2026-12-01) computes no formula,
 * rollup or relation. Otherwise `source` unchanged.
 */
/** Property types whose page value is the stored value as is (domain/properties.ts `valueOf`). */
const STORED_TYPES: ReadonlySet<string> = new Set([
  'title',
  'rich_text',
  'number',
  'select',
  'multi_select',
  'status',
  'date',
  'checkbox',
  'url',
  'email',
  'phone_number',
])

function narrowed(source: RowSource, keep: string[] | undefined): RowSource {
  if (!keep) return source
  const props = keep.map((id) => source.schema[id]).filter((p): p is PropertyConfig => p !== undefined)
  if (props.some((p) => p.type === 'formula' || p.type === 'rollup')) return source
  return { ...source, schema: Object.fromEntries(props.map((p) => [p.id, p])) }
}

/** One page of a query's rows, with their computed values, for the route to present. */
export interface RowQueryPage {
  /** The data source the rows belong to (id, database id, schema). */
  source: RowSource
  /** The rows of this page, in order (`PRESENTED_COLUMNS` at least: enough to present them). */
  rows: PresentedRow[]
  /** Each row's values in wire shape (services/row-values.ts), keyed by row id. */
  values: Map<string, RowValues>
  /** The id of the next row (the next page's cursor), or null on the last page. */
  nextCursor: string | null
  /** False when this page reached the 10,000-row cap with more rows matching (`request_status: incomplete`). */
  complete: boolean
}

/**
 * One page of a data source's rows for `body` (the route presents them as a list envelope).
 * `includeTrashed`: trashed rows too (`in_trash: true` in the body); `properties`: the ids of the
 * properties presented (values are computed for those only); `database`: the data source's database
 * row when the caller already loaded it (saves reading it again).
 * @throws NotionApiError validation_error (filter, sorts; domain/query.ts)
 */
export async function queryDataSourceRows(
  deps: Deps,
  ctx: RequestContext,
  ds: DataSourceRow,
  body: RowQueryInput,
  opts: { includeTrashed: boolean; properties?: string[] | undefined; database?: BlockRow | undefined },
): Promise<RowQueryPage> {
  const db = deps.store.db
  const schema = schemaOf(ds)
  const now = deps.clock.now()
  const source = { id: ds.id, databaseId: ds.database_id, schema }
  // Rollup targets matter only to a filter (a rollup's condition is checked against its target type).
  const rolled =
    body.filter === undefined || body.filter === null ? new Map<string, PropertyConfig>() : await rolledProperties(deps, schema)
  const filter = compileQueryFilter(
    body.filter,
    schema,
    { now, me: actingUserId(ctx.caller), statusGroupFilters: behaves('statusGroupFilters', ctx.version, ctx.betas) },
    { rolledProperty: (p) => rolled.get(p.id) },
  )
  const sorts = compileQuerySorts(body.sorts, schema)
  const size = body.page_size ?? 100
  const cursor = body.start_cursor ? (parseId(body.start_cursor) ?? body.start_cursor) : undefined
  const computeOpts = { viewer: ctx.caller, now: new Date(now) }
  const access = await rowAccess(db, ctx, ds, opts.database)
  const out = narrowed(source, opts.properties)
  // Values read straight from storage (the title of 2026-12-01's title-only lists, …) need no
  // computation: the presenter reads them from the row, and the SQL plan reads only the columns it
  // presents. Formulas, rollups, relations (visibility) and row-derived values go through
  // computeRowValues, which reads `LISTED_COLUMNS`.
  const storedOnly = Object.values(out.schema).every((p) => STORED_TYPES.has(p.type))

  let matches: PresentedRow[] = [] // up to one row past the page
  let before = 0
  let take = 0
  let computed: Map<string, RowValues> | undefined
  if (body.result_type !== 'data_source') {
    const sqlOnly = (body.filter === undefined || body.filter === null || filter.plan !== null) && sorts.plan !== null
    if (sqlOnly) {
      const q = { dataSourceId: ds.id, includeTrashed: opts.includeTrashed, filter: filter.plan, sorts: sorts.plan ?? [], access }
      const takeAfter = (n: number) => Math.max(0, Math.min(size, QUERY_RESULT_LIMIT - n))
      const res = await queryRows(db, q, {
        cursorId: cursor,
        limit: (n) => (takeAfter(n) > 0 ? takeAfter(n) + 1 : 0),
        countCap: QUERY_RESULT_LIMIT,
        columns: storedOnly ? PRESENTED_COLUMNS : LISTED_COLUMNS,
      })
      if (res) {
        before = res.before
        take = takeAfter(before)
        matches = res.rows
      }
    } else {
      const candidates = await prefilteredRows(db, {
        dataSourceId: ds.id,
        includeTrashed: opts.includeTrashed,
        filter: filter.prefilter,
        access,
      })
      computed = filter.needsComputed || sorts.needsComputed ? await computeRowValues(db, computeOpts, source, candidates) : undefined
      const byId = new Map(candidates.map((r) => [r.id, r]))
      const sorted = candidates
        .map((r) => toRow(r, computed?.get(r.id)))
        .filter(filter.predicate)
        .sort(sorts.comparator)
      let start = 0
      if (cursor) {
        const i = sorted.findIndex((r) => r.id === cursor)
        start = i === -1 ? sorted.length : i
      }
      before = Math.min(start, QUERY_RESULT_LIMIT)
      take = Math.max(0, Math.min(size, QUERY_RESULT_LIMIT - before))
      matches = sorted.slice(start, start + take + 1).map((r) => byId.get(r.id) as ListedRow)
    }
  }
  const capped = before + take >= QUERY_RESULT_LIMIT && (matches.length > take || take === 0) && body.result_type !== 'data_source'
  const page = matches.slice(0, take)
  const next = !capped && matches.length > take ? (matches[take] as PresentedRow).id : null
  // Not storedOnly: the rows were read with LISTED_COLUMNS (SQL plan) or whole (in-memory plan).
  const values = storedOnly ? new Map<string, RowValues>() : await computeRowValues(db, computeOpts, out, page as ListedRow[])
  return { source: out, rows: page, values, nextCursor: next, complete: !capped }
}

/**
 * Who a `matchingRowIds` runs for: the ACL principals whose rows it may read, the person `"me"` means,
 * and whether status filters follow 2026-12-01 (`statusGroupFilters`). An API caller
 * (`viewerOfRequest`) or a signed-in person in the portal.
 */
export interface RowViewer {
  principals: string[]
  me: string
  statusGroupFilters: boolean
}

/** The `RowViewer` of a `/v1` request. */
export function viewerOfRequest(ctx: RequestContext): RowViewer {
  return {
    principals: ctx.caller.principals,
    me: actingUserId(ctx.caller),
    statusGroupFilters: behaves('statusGroupFilters', ctx.version, ctx.betas),
  }
}

/**
 * Every row of `ds` matching `filter` and `sorts` that `viewer` may read, in query order, up to
 * `cap` (default the 10,000-row query cap): the ids only, for view queries (api/views/views.service.ts)
 * that keep a result for paging, and the portal's view tabs. Same engine, same validation and
 * messages, same row access as `queryDataSourceRows` (restricted rows are never part of it).
 * Trashed rows are left out.
 * @returns `ids` in order and `complete: false` when more rows matched than `cap`.
 * @throws NotionApiError validation_error (filter, sorts)
 */
export async function matchingRowIds(
  deps: Deps,
  viewer: RowViewer,
  ds: DataSourceRow,
  query: { filter?: unknown; sorts?: unknown; extraLevel?: boolean },
  cap = QUERY_RESULT_LIMIT,
): Promise<{ ids: string[]; complete: boolean }> {
  const db = deps.store.db
  const schema = schemaOf(ds)
  const now = deps.clock.now()
  const source = { id: ds.id, databaseId: ds.database_id, schema }
  const rolled = await rolledProperties(deps, schema)
  const filter = compileQueryFilter(
    query.filter,
    schema,
    { now, me: viewer.me, statusGroupFilters: viewer.statusGroupFilters },
    { rolledProperty: (p) => rolled.get(p.id), ...(query.extraLevel ? { extraLevel: true } : {}) },
  )
  const sorts = compileQuerySorts(query.sorts, schema)
  const database = await findBlock(db, ds.database_id)
  const readable = database && (await levelOn(db, viewer, database)) >= REQUIRED_LEVEL.read ? database.perm_root_id : null
  const access: RowAccess = { principals: viewer.principals, readableRoot: readable, minLevel: REQUIRED_LEVEL.read }
  let ids: string[]
  if ((query.filter === undefined || query.filter === null || filter.plan !== null) && sorts.plan !== null) {
    const q = { dataSourceId: ds.id, includeTrashed: false, filter: filter.plan, sorts: sorts.plan ?? [], access }
    const res = await queryRows(db, q, { limit: () => cap + 1, countCap: cap })
    ids = (res?.rows ?? []).map((r) => r.id)
  } else {
    const candidates = await prefilteredRows(db, { dataSourceId: ds.id, includeTrashed: false, filter: filter.prefilter, access })
    const computed =
      filter.needsComputed || sorts.needsComputed
        ? await computeRowValues(db, { viewer: { principals: viewer.principals }, now: new Date(now) }, source, candidates)
        : undefined
    ids = candidates
      .map((r) => toRow(r, computed?.get(r.id)))
      .filter(filter.predicate)
      .sort(sorts.comparator)
      .map((r) => r.id)
  }
  return { ids: ids.slice(0, cap), complete: ids.length <= cap }
}
