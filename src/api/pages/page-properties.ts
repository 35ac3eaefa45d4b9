import * as z from 'zod'
import type { RequestContext } from '../../auth/principal.js'
import { toMinute } from '../../domain/clock.js'
import { findProperty, ownProperty, valueOf, type PropertyConfig, type RowMeta } from '../../domain/properties.js'
import { validationError } from '../../errors/notion-error.js'
import type { AppContext } from '../../http/context.js'
import { requireId } from '../../domain/ids.js'
import { listEnvelope, QueryPageSize, StartCursor } from '../../http/pagination.js'
import { parseWith } from '../../domain/validation.js'
import { loadAuthorized } from '../../services/access.js'
import type { Deps } from '../../services/deps.js'
import type { RouteSpec } from '../router.js'
import { dataSourceOfRow } from './pages.service.js'
import { computeOneRow, computeRowValues, type ComputeOptions, type RowSource, type RowValues } from '../../services/row-values.js'
import { rollup } from '../../domain/rollup.js'
import { presentLegacyPropertyItem } from '../../domain/legacy-shapes.js'
import { findDataSource, schemaOf } from '../../storage/repositories/data-sources.repository.js'
import { findBlocks } from '../../storage/repositories/blocks.repository.js'

/**
 * `GET /v1/pages/{page_id}/properties/{property_id}` (SDK `pages.properties.retrieve`; docs/reference/notion-api.md §1.2,
 * §2.6). The property id arrives URL-encoded (the SDK inserts it raw); names are accepted too.
 * - Simple types → one `{object:"property_item", id, type, <type>: value}`.
 * - title, rich_text, people, relation (and rollup) → a paginated list of property items, one per
 *   rich-text run / person / related page, with
 *   `property_item: {id, type, <type>: {}, next_url}` (`next_url` is this endpoint with the next
 *   `start_cursor`, or null on the last page).
 * - rollup → one property item per related page the caller can see (the rolled-up value), with
 *   `property_item.rollup` = the aggregate over the pages returned so far.
 * Relations and rollups only ever show related pages the caller may read (services/row-values.ts).
 * Unknown property → 400 validation_error "Could not find property with name or id: <id>.".
 * Before 2022-02-22 items have no `id` and lists no `property_item` (`presentLegacyPropertyItem`).
 */

const LIST_TYPES = new Set(['title', 'rich_text', 'people', 'relation', 'rollup'])

const PropertyQuery = z.object({ start_cursor: StartCursor, page_size: QueryPageSize }).strict()

function encodeCursor(index: number): string {
  return Buffer.from(`pi:${index}`).toString('base64url')
}

function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0
  const m = /^pi:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString())
  return m ? Number(m[1]) : Number.POSITIVE_INFINITY
}

/** The raw (still URL-encoded) `property_id` path segment. */
function rawPropertyId(c: AppContext): string {
  const path = new URL(c.req.url).pathname
  const i = path.indexOf('/properties/')
  return i === -1 ? (c.req.param('property_id') ?? '') : path.slice(i + '/properties/'.length).replace(/\/$/, '')
}

/**
 * Reads one property of a page. @throws NotionApiError validation_error | restricted_resource | object_not_found
 */
export async function getPageProperty(
  deps: Deps,
  ctx: RequestContext,
  pageId: string,
  propertyKey: string,
  query: { start_cursor?: string | undefined; page_size?: number | undefined },
  baseUrl: string,
): Promise<Record<string, unknown>> {
  // Older versions: no `id`, untyped lists, `text` for `rich_text` (domain/legacy-shapes.ts).
  return presentLegacyPropertyItem(await currentPropertyItem(deps, ctx, pageId, propertyKey, query, baseUrl), ctx.version)
}

async function currentPropertyItem(
  deps: Deps,
  ctx: RequestContext,
  pageId: string,
  propertyKey: string,
  query: { start_cursor?: string | undefined; page_size?: number | undefined },
  baseUrl: string,
) {
  const row = await loadAuthorized(deps.store.db, ctx.caller, pageId, { kind: 'page', action: 'read', capability: 'read_content' })
  const source = await dataSourceOfRow(deps.store.db, row)
  const values = JSON.parse(row.properties ?? '{}') as Record<string, unknown>
  const titleOnly: PropertyConfig = { id: 'title', name: 'title', type: 'title', config: {} }
  const prop = source
    ? (findProperty(source.schema, propertyKey) ?? findProperty(source.schema, safeDecode(propertyKey)))
    : propertyKey === 'title'
      ? titleOnly
      : undefined
  if (!prop) throw validationError(`Could not find property with name or id: ${safeDecode(propertyKey)}.`)
  const meta: RowMeta = {
    created_time: toMinute(row.created_time),
    last_edited_time: toMinute(row.last_edited_time),
    created_by: row.created_by,
    last_edited_by: row.last_edited_by,
  }
  const opts = { viewer: ctx.caller, now: new Date(deps.clock.now()) }
  const computed = source ? await computeOneRow(deps.store.db, opts, source, row) : undefined
  const value = computed && Object.hasOwn(computed, prop.id) ? computed[prop.id] : valueOf(prop, values, meta)
  if (!LIST_TYPES.has(prop.type)) return { object: 'property_item', id: prop.id, type: prop.type, [prop.type]: value }
  const start = decodeCursor(query.start_cursor)
  const size = query.page_size ?? 100
  const nextUrlOf = (cursor: string | null) =>
    cursor ? `${baseUrl}/v1/pages/${row.id}/properties/${prop.id}?start_cursor=${cursor}` : null
  if (prop.type === 'rollup') {
    // One property item per visible related page (the rolled-up value), and the aggregate over the
    // pages returned so far (docs/reference/notion-api.md §2.6).
    const related = await rollupItems(deps, opts, source as RowSource, prop, computed as RowValues)
    const fn = (prop.config.function as string | undefined) ?? 'show_original'
    if (!related)
      return listEnvelope('property_item', [], null, { property_item: { id: prop.id, type: 'rollup', rollup: value, next_url: null } })
    const page = related.values.slice(start, start + size)
    const nextCursor = start + size < related.values.length ? encodeCursor(start + size) : null
    const results = page.map((v) => ({ object: 'property_item', id: related.propertyId, type: related.type, [related.type]: v }))
    const soFar = rollup(fn, related.type, related.values.slice(0, Math.min(start + size, related.values.length)))
    return listEnvelope('property_item', results, nextCursor, {
      property_item: { id: prop.id, type: 'rollup', rollup: soFar, next_url: nextUrlOf(nextCursor) },
    })
  }
  const items = (value as unknown[]) ?? []
  const page = items.slice(start, start + size)
  const nextCursor = start + size < items.length ? encodeCursor(start + size) : null
  const results = page.map((item) => ({ object: 'property_item', id: prop.id, type: prop.type, [prop.type]: item }))
  return listEnvelope('property_item', results, nextCursor, {
    property_item: { id: prop.id, type: prop.type, [prop.type]: {}, next_url: nextUrlOf(nextCursor) },
  })
}

/** The rolled-up values of the visible related pages of a rollup property, in relation order. */
async function rollupItems(deps: Deps, opts: ComputeOptions, source: RowSource, prop: PropertyConfig, computed: RowValues) {
  const c = prop.config as { relation_property_id?: string; rollup_property_id?: string }
  const relation = c.relation_property_id ? ownProperty(source.schema, c.relation_property_id) : undefined
  if (relation?.type !== 'relation') return null
  const ds = await findDataSource(deps.store.db, String(relation.config.data_source_id))
  if (!ds) return null
  const target: RowSource = { id: ds.id, databaseId: ds.database_id, schema: schemaOf(ds) }
  const rolled = c.rollup_property_id ? ownProperty(target.schema, c.rollup_property_id) : undefined
  if (!rolled) return null
  const ids = ((computed[relation.id] as { id: string }[] | undefined) ?? []).map((x) => x.id)
  const rows = await findBlocks(deps.store.db, ids)
  const values = await computeRowValues(deps.store.db, opts, target, rows)
  return {
    type: rolled.type,
    propertyId: rolled.id,
    values: ids.filter((id) => values.has(id)).map((id) => (values.get(id) as RowValues)[rolled.id]),
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** The route, registered from data-sources.routes.ts (all versions). */
export function pagePropertyRoutes(deps: Deps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/pages/:page_id/properties/:property_id',
      endpoint: 'pages.properties.retrieve',
      schemas: { query: PropertyQuery },
      handler: async (c, ctx) => {
        const pageId = requireId(c.req.param('page_id'), 'page_id')
        const query = parseWith(PropertyQuery, c.req.query(), 'query')
        return getPageProperty(deps, ctx, pageId, rawPropertyId(c), query, new URL(c.req.url).origin)
      },
    },
  ]
}
