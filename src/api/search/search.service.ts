import type { RequestContext } from '../../auth/principal.js'
import { parseId } from '../../domain/ids.js'
import { hasDataSources, behaves } from '../../domain/versions.js'
import { validationError } from '../../errors/notion-error.js'
import { listEnvelope } from '../../http/pagination.js'
import { requireCapability } from '../../services/access.js'
import { cachesFor } from '../../services/caches.js'
import type { Deps } from '../../services/deps.js'
import { rootsVisibleTo } from '../../storage/repositories/acl.repository.js'
import type { BlockRow } from '../../storage/repositories/blocks.repository.js'
import type { DataSourceRow } from '../../storage/repositories/data-sources.repository.js'
import {
  dataSourcesOfMany,
  trashedAmong,
  visibleKeys,
  visibleNodes,
  type KeysetPosition,
  type VisibleKeys,
} from '../../storage/repositories/search.repository.js'
import { presentPageFor } from '../pages/pages.service.js'
import { presentDataSource } from '../data-sources/data-sources.presenter.js'
import { presentDatabase } from '../databases/databases.presenter.js'
import type { SearchInput } from './search.schemas.js'

/**
 * `POST /v1/search` (SDK `search`; docs/reference/notion-api.md §1.6, §2.14; design: docs/reference/permissions-and-tokens.md §7.4).
 */

/** Rows fetched per round trip while filling a page (some rows may be dropped or expanded). */
const BATCH = 250
/** The smallest batch asked for, so a page that loses rows to the trash filter does not crawl. */
const MIN_BATCH = 25

/** Where the next page starts: a node by (last_edited_time, id), and how many of its results were already returned. */
interface Cursor {
  time: string
  id: string
  /** For a database under 2025-09-03+: the index of the first data source still to return. */
  skip: number
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/** Opaque cursor: base64url of `<last_edited_time>|<id>|<skip>`. */
export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.time}|${c.id}|${c.skip}`, 'utf8').toString('base64url')
}

/**
 * Decodes a cursor made by `encodeCursor`.
 * @throws NotionApiError validation_error for anything else
 */
export function decodeCursor(text: string): Cursor {
  const parts = Buffer.from(text, 'base64url').toString('utf8').split('|')
  const [time, id, skip] = parts
  if (parts.length === 3 && time && ISO.test(time) && id && parseId(id) === id && skip && /^\d{1,6}$/.test(skip)) {
    return { time, id, skip: Number(skip) }
  }
  throw validationError(
    `body failed validation: body.start_cursor should be a cursor returned by this endpoint, instead was \`${JSON.stringify(text)}\`.`,
  )
}

/** One search result before presentation: a page, a (legacy) database, or one data source of a database. */
interface Item {
  row: BlockRow
  dataSource?: DataSourceRow
  legacyFirstSource?: DataSourceRow
  index: number
}

/**
 * Which search of one set of principals, counted since the last change, first reads and keeps the keys of the
 * nodes under its roots (`visibleKeys`, ≈ 6 ms of CPU at size L for 10,000 nodes; a search through them
 * then costs ≈ 4 ms instead of ≈ 12 for `roadmap`, ≈ 0.6 instead of ≈ 2.5 for `roadmap budget`). Not the
 * first: a store written between every two or three searches never pays for keys it would not reuse.
 */
export const KEYS_FROM_SEARCH = 3

/**
 * The caller's readable roots and, from the `KEYS_FROM_SEARCH`-th search with no change in between, the keys
 * of the nodes under them (`visibleKeys`), kept per workspace and set of principals in the caches' `derived`
 * entries (docs/adr/0045-cached-visible-set.md): every new event and every local commit drops them (the rule
 * of ADR 44's rows), so they are only ever what the store would answer now. Without caches (turned off, or
 * in a transaction) the roots are read anew and no keys are used. Weighed as one unit per root and per key
 * (size L, the benchmark's search connection: 1,065 + 10,000).
 */
async function visibilityOf(deps: Deps, ctx: RequestContext): Promise<{ roots: string[]; keys?: VisibleKeys | null }> {
  const db = deps.store.db
  const { caller } = ctx
  const caches = cachesFor(db, caller)
  if (!caches) return { roots: await rootsVisibleTo(db, caller.principals) }
  const key = `${caller.workspaceId} ${caller.principals.join(' ')}`
  const seen = await caches.derived(
    db,
    `search roots ${key}`,
    async () => ({ roots: await rootsVisibleTo(db, caller.principals), searches: { count: 0 } }),
    (v) => v.roots.length,
  )
  // Counted on the kept entry: a new one (after any change) starts again from the first search.
  if (++seen.searches.count < KEYS_FROM_SEARCH) return { roots: seen.roots }
  const { keys } = await caches.derived(
    db,
    `search keys ${key}`,
    async () => ({ keys: await visibleKeys(db, seen.roots) }),
    (v) => v.keys?.ids.length ?? 1,
  )
  return { roots: seen.roots, keys }
}

/** Most pages, databases and data sources whose trash flag one workspace's memo holds (`trashedOf`). */
const TRASH_MEMO_MAX = 20_000

/**
 * Of `ids` (the containers of a batch's rows), the ones in the trash (`trashedAmong`), remembered per
 * workspace in the caches' `derived` entries under the same rule as the keys (dropped by every event and
 * every local commit, so a flag is what the store holds now; ADR 45): repeated searches read the flags of the
 * same containers once. At most `TRASH_MEMO_MAX` ids per workspace (weighed as that much); beyond it the
 * flags are read each time. Without caches, read each time.
 */
async function trashedOf(deps: Deps, ctx: RequestContext, ids: string[]): Promise<Set<string>> {
  const db = deps.store.db
  const caches = cachesFor(db, ctx.caller)
  if (!caches) return trashedAmong(db, ids)
  const memo = await caches.derived(
    db,
    `search trash ${ctx.caller.workspaceId}`,
    async () => ({ flags: new Map<string, boolean>() }),
    () => TRASH_MEMO_MAX,
  )
  const unknown = ids.filter((id) => !memo.flags.has(id))
  const found = unknown.length === 0 ? new Set<string>() : await trashedAmong(db, unknown)
  if (memo.flags.size + unknown.length <= TRASH_MEMO_MAX) for (const id of unknown) memo.flags.set(id, found.has(id))
  const out = new Set<string>()
  for (const id of ids) if (memo.flags.get(id) ?? found.has(id)) out.add(id)
  return out
}

/** Whether a row sits under a trashed page/database, or in a trashed data source. */
function underTrash(row: BlockRow, trashed: Set<string>): boolean {
  if (row.parent_type === 'data_source_id' && row.parent_id && trashed.has(row.parent_id)) return true
  return (row.path ?? '/').split('/').some((id) => id !== '' && trashed.has(id))
}

/**
 * Searches the pages and databases the caller can see: titles containing `query`
 * (case-insensitive), optionally only pages or only databases, by `last_edited_time` (most recent
 * first by default), trashed items excluded (or, with `filter.in_trash: true`, only them).
 * Under 2025-09-03+ each database yields one result per data source (`object: "data_source"`,
 * matched by the database title); under 2022-06-28 and older databases are `object: "database"`
 * with `properties`. Database rows are pages and are included; data-source templates are not.
 * @returns list envelope of type `page_or_data_source` (2025+) / `page_or_database` (≤ 2022)
 * @throws NotionApiError restricted_resource (no read-content capability) | validation_error (bad cursor)
 */
export async function search(deps: Deps, ctx: RequestContext, input: SearchInput, filterProperties?: string[]) {
  const { caller } = ctx
  requireCapability(caller, 'read_content')
  const db = deps.store.db
  const v25 = hasDataSources(ctx.version)
  const cursor = input.startCursor === undefined ? undefined : decodeCursor(input.startCursor)
  const { roots, keys } = await visibilityOf(deps, ctx)
  const types =
    input.objectFilter === 'page'
      ? ['child_page']
      : input.objectFilter === 'database'
        ? ['child_database']
        : ['child_page', 'child_database']
  const want = input.pageSize + 1
  const items: Item[] = []
  let after: KeysetPosition | undefined = cursor ? { time: cursor.time, id: cursor.id, inclusive: true } : undefined

  fill: while (items.length < want) {
    // Ask for what the page still needs (rows may be dropped or expanded, so the loop may go on).
    const limit = Math.min(BATCH, Math.max(MIN_BATCH, want - items.length))
    const batch = await visibleNodes(db, {
      workspaceId: caller.workspaceId,
      roots,
      keys,
      types,
      titleContains: input.query?.toLowerCase(),
      inTrash: input.inTrash,
      direction: input.direction,
      after,
      limit,
    })
    if (batch.length === 0) break
    const containers = new Set<string>()
    for (const row of batch) {
      for (const id of (row.path ?? '/').split('/')) if (id) containers.add(id)
      if (row.parent_type === 'data_source_id' && row.parent_id) containers.add(row.parent_id)
    }
    const trashed = input.inTrash ? new Set<string>() : await trashedOf(deps, ctx, [...containers])
    const sources = await dataSourcesOfMany(
      db,
      batch.filter((r) => r.type === 'child_database').map((r) => r.id),
    )
    for (const row of batch) {
      if (underTrash(row, trashed)) continue
      // Data-source templates are pages but not content: Notion's search never returns them.
      if (row.parent_type === 'template') continue
      const skip = cursor && row.id === cursor.id && row.last_edited_time === cursor.time ? cursor.skip : 0
      if (row.type === 'child_database') {
        const all = sources.get(row.id) ?? []
        if (v25) {
          const live = input.inTrash ? all : all.filter((ds) => ds.in_trash === 0)
          live.forEach((ds, index) => {
            if (index >= skip) items.push({ row, dataSource: ds, index })
          })
        } else if (skip === 0) {
          items.push({ row, ...(all[0] ? { legacyFirstSource: all[0] } : {}), index: 0 })
        }
      } else if (skip === 0) {
        items.push({ row, index: 0 })
      }
      if (items.length >= want) break fill
    }
    if (batch.length < limit) break
    const last = batch[batch.length - 1] as BlockRow
    after = { time: last.last_edited_time, id: last.id, inclusive: false }
  }

  const page = items.slice(0, input.pageSize)
  const next = items[input.pageSize]
  const nextCursor = next ? encodeCursor({ time: next.row.last_edited_time, id: next.row.id, skip: next.index }) : null
  const results: unknown[] = []
  const sources = new Map()
  // `filter_properties` limits each page's properties; without it, 2026-12-01 returns the title only.
  const pageProperties = filterProperties ?? (behaves('titleOnlyLists', ctx.version) ? ('title' as const) : undefined)
  for (const item of page) {
    if (item.row.type === 'child_page') results.push(await presentPageFor(deps, ctx, item.row, pageProperties, sources))
    else if (item.dataSource)
      results.push(presentDataSource(item.dataSource, item.row, { version: ctx.version, publicUrl: deps.publicUrl }))
    else
      results.push(
        presentDatabase(item.row, item.legacyFirstSource ? [item.legacyFirstSource] : [], {
          version: ctx.version,
          publicUrl: deps.publicUrl,
          source: item.legacyFirstSource,
        }),
      )
  }
  return listEnvelope(v25 ? 'page_or_data_source' : 'page_or_database', results, nextCursor)
}
