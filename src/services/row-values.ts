import type { ApiCaller } from '../auth/principal.js'
import { toMinute } from '../domain/clock.js'
import { compileSchemaFormulas } from '../domain/formulas.js'
import { emptyValue, type PropertyConfig, type Schema } from '../domain/properties.js'
import { rollup } from '../domain/rollup.js'
import { ROLE } from '../permissions/roles.js'
import { levelOnRoot } from '../storage/repositories/acl.repository.js'
import { findBlocks, type BlockRow } from '../storage/repositories/blocks.repository.js'
import type { ListedRow } from '../storage/repositories/data-source-query.repository.js'
import { dataSourceIsLive, findDataSource, schemaOf } from '../storage/repositories/data-sources.repository.js'
import { findUsers } from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'

/**
 * A data-source row's property values in wire shape, with everything computed: the ONE place that
 * turns stored values into what a page object shows (docs/reference/notion-api.md §2.5).
 *
 * NOTE for the query engine (filters and sorts on formula, rollup, relation, created_by, …): call
 * `computeRowValues(db, {viewer: ctx.caller, now: new Date(deps.clock.now())}, source, rows)` and
 * read `result.get(row.id)[propertyId]` — the value under `<type>` in the page object, complete (not
 * cut at 25 references), e.g. a number, a RichText array, `{type:"number", number}` for a formula,
 * `{type:"number", number, function}` for a rollup, `[{id}]` for a relation (visible pages only).
 *
 * What is computed (keyed by property id, one entry per schema property):
 * - created_time / last_edited_time (rounded to the minute), created_by / last_edited_by
 *   (`{object:"user", id}`), unique_id (`{prefix, number}`), button (`{}`).
 * - relation → only the related pages the viewer may read and that are not in the trash (nor in a
 *   trashed data source or database), so a relation into pages the token cannot see leaks no ids
 *   (and no count).
 * - rollup → `domain/rollup.ts` over the rolled-up property of those visible related pages only
 *   (related rows' own formulas and rollups are computed too, up to 3 hops).
 * - formula → the formula engine (`domain/formulas.ts`), evaluated with `now`; a formula that does not
 *   compile or fails at run time reads `{type:"unsupported", unsupported:{}}`.
 * `viewer: null` means no visibility filter (internal callers such as the admin surface).
 */

export interface RowSource {
  id: string
  databaseId: string
  schema: Schema
}

export interface ComputeOptions {
  /** Whose visibility applies to relations and rollups; null = everything live. */
  viewer: (Pick<ApiCaller, 'principals'> & Partial<Pick<ApiCaller, 'capabilities'>>) | null
  /** "Now" for formulas (`now()`, relative dates): the deps clock's time. */
  now: Date
  timeZone?: string
}

/** Property id → wire value. */
export type RowValues = Record<string, unknown>

const MAX_DEPTH = 3
const CHUNK = 500

/** Visibility answers cached for one computation (roots → level, ids → live row). */
interface Scratch {
  roots: Map<string, boolean>
  rows: Map<string, BlockRow | null>
  sources: Map<string, RowSource | null>
  /** Data source id → whether it and its database are live (not in the trash). */
  liveSources: Map<string, boolean>
}

async function loadRows(db: Db, ids: string[], scratch: Scratch): Promise<void> {
  const missing = [...new Set(ids)].filter((id) => !scratch.rows.has(id))
  for (let i = 0; i < missing.length; i += CHUNK) {
    const part = missing.slice(i, i + CHUNK)
    const found = await findBlocks(db, part)
    const byId = new Map(found.map((r) => [r.id, r]))
    for (const id of part) scratch.rows.set(id, byId.get(id) ?? null)
  }
}

async function readable(db: Db, viewer: ComputeOptions['viewer'], row: BlockRow, scratch: Scratch): Promise<boolean> {
  if (row.in_trash === 1) return false
  if (row.parent_type === 'data_source_id' && row.parent_id) {
    // A row of a trashed data source or database is as gone as a trashed row.
    let live = scratch.liveSources.get(row.parent_id)
    if (live === undefined) {
      live = await dataSourceIsLive(db, row.parent_id)
      scratch.liveSources.set(row.parent_id, live)
    }
    if (!live) return false
  }
  if (!viewer) return true
  const root = row.perm_root_id
  if (!root) return false
  let ok = scratch.roots.get(root)
  if (ok === undefined) {
    ok = (await levelOnRoot(db, root, viewer.principals)) >= ROLE.view
    scratch.roots.set(root, ok)
  }
  return ok
}

/**
 * The related page ids of `ids` that `viewer` may read and that are live, in the given order.
 * Exposed for the page property item endpoint and relation writes.
 */
export async function visibleRelated(db: Db, viewer: ComputeOptions['viewer'], ids: string[], scratch?: Scratch): Promise<string[]> {
  const s = scratch ?? newScratch()
  await loadRows(db, ids, s)
  const out: string[] = []
  for (const id of ids) {
    const row = s.rows.get(id)
    if (row && (await readable(db, viewer, row, s))) out.push(id)
  }
  return out
}

function newScratch(): Scratch {
  return { roots: new Map(), rows: new Map(), sources: new Map(), liveSources: new Map() }
}

async function sourceOf(db: Db, id: string, scratch: Scratch): Promise<RowSource | null> {
  if (scratch.sources.has(id)) return scratch.sources.get(id) ?? null
  const ds = await findDataSource(db, id)
  const src = ds ? { id: ds.id, databaseId: ds.database_id, schema: schemaOf(ds) } : null
  scratch.sources.set(id, src)
  return src
}

/** The stored (non-computed) value, or the type's empty value. */
function storedValue(prop: PropertyConfig, values: Record<string, unknown>): unknown {
  const v = values[prop.id]
  return v === undefined ? emptyValue(prop.type) : v
}

const UNSUPPORTED_FORMULA = { type: 'unsupported', unsupported: {} }

/**
 * Computes every property value of `rows` (all rows of data source `source`). See the module
 * comment for the shapes. Reads only; never throws for bad stored data (it reads as empty).
 */
export async function computeRowValues(
  db: Db,
  opts: ComputeOptions,
  source: RowSource,
  rows: ListedRow[],
): Promise<Map<string, RowValues>> {
  return compute(db, opts, source, rows, 0, newScratch())
}

async function compute(
  db: Db,
  opts: ComputeOptions,
  source: RowSource,
  rows: ListedRow[],
  depth: number,
  scratch: Scratch,
): Promise<Map<string, RowValues>> {
  const schema = source.schema
  const props = Object.values(schema)
  const out = new Map<string, RowValues>()
  const stored = new Map(rows.map((r) => [r.id, JSON.parse(r.properties ?? '{}') as Record<string, unknown>]))

  // 1. Plain and row-derived values; relations filtered to visible pages.
  const relationProps = props.filter((p) => p.type === 'relation')
  const allRelated = rows.flatMap((r) =>
    relationProps.flatMap((p) => ((stored.get(r.id)?.[p.id] as { id: string }[] | undefined) ?? []).map((x) => x.id)),
  )
  await loadRows(db, allRelated, scratch)
  for (const row of rows) {
    const values = stored.get(row.id) as Record<string, unknown>
    const v: RowValues = {}
    for (const p of props) {
      switch (p.type) {
        case 'created_time':
          v[p.id] = toMinute(row.created_time)
          break
        case 'last_edited_time':
          v[p.id] = toMinute(row.last_edited_time)
          break
        case 'created_by':
          v[p.id] = { object: 'user', id: row.created_by }
          break
        case 'last_edited_by':
          v[p.id] = { object: 'user', id: row.last_edited_by }
          break
        case 'unique_id': {
          const n = values[p.id]
          v[p.id] = { prefix: (p.config.prefix as string | null | undefined) ?? null, number: typeof n === 'number' ? n : null }
          break
        }
        case 'button':
          v[p.id] = {}
          break
        case 'relation': {
          const ids = ((values[p.id] as { id: string }[] | undefined) ?? []).map((x) => x.id)
          v[p.id] = (await visibleRelated(db, opts.viewer, ids, scratch)).map((id) => ({ id }))
          break
        }
        case 'formula':
        case 'rollup':
          break
        case 'verification':
          v[p.id] = values[p.id] ?? { state: 'unverified', date: null, verified_by: null }
          break
        default:
          v[p.id] = storedValue(p, values)
      }
    }
    out.set(row.id, v)
  }

  // 2. Rollups over the visible related pages.
  for (const p of props.filter((x) => x.type === 'rollup')) {
    const c = p.config as { function?: string; relation_property_id?: string; rollup_property_id?: string }
    const fn = c.function ?? 'show_original'
    const relation = c.relation_property_id ? schema[c.relation_property_id] : undefined
    const target = relation?.type === 'relation' ? await sourceOf(db, String(relation.config.data_source_id), scratch) : null
    const rolled = target && c.rollup_property_id ? target.schema[c.rollup_property_id] : undefined
    if (!relation || !target || !rolled || depth >= MAX_DEPTH) {
      for (const row of rows) (out.get(row.id) as RowValues)[p.id] = { type: 'unsupported', unsupported: {}, function: fn }
      continue
    }
    const relatedIds = [...new Set(rows.flatMap((r) => ((out.get(r.id) as RowValues)[relation.id] as { id: string }[]).map((x) => x.id)))]
    const relatedRows = relatedIds.map((id) => scratch.rows.get(id)).filter((r): r is BlockRow => !!r && r.parent_id === target.id)
    const relatedValues =
      target.id === source.id && depth > 0 ? new Map<string, RowValues>() : await compute(db, opts, target, relatedRows, depth + 1, scratch)
    for (const row of rows) {
      const ids = ((out.get(row.id) as RowValues)[relation.id] as { id: string }[]).map((x) => x.id)
      const vals = ids.filter((id) => relatedValues.has(id)).map((id) => (relatedValues.get(id) as RowValues)[rolled.id])
      ;(out.get(row.id) as RowValues)[p.id] = rollup(fn, rolled.type, vals)
    }
  }

  // 3. Formulas, lazily so one formula may use another.
  const formulas = props.filter((p) => p.type === 'formula')
  if (formulas.length > 0) {
    const compiled = compileSchemaFormulas(schema)
    const pageTitle = await titlesForFormulas(db, rows, out, props, scratch)
    const person = await peopleForFormulas(db, opts.viewer, rows, out, props)
    for (const row of rows) {
      const v = out.get(row.id) as RowValues
      const evaluating = new Set<string>()
      const evalFormula = (id: string): unknown => {
        if (id in v) return v[id]
        const c = compiled.get(id)
        if (!c && String(schema[id]?.config.expression ?? '') === '') return (v[id] = { type: 'string', string: null })
        if (!c || c instanceof Error || evaluating.has(id)) return UNSUPPORTED_FORMULA
        evaluating.add(id)
        let result: unknown
        try {
          result = c.evaluate({
            property: (pid: string) => (schema[pid]?.type === 'formula' ? evalFormula(pid) : v[pid]),
            now: opts.now,
            ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
            pageTitle,
            person,
          })
        } catch {
          result = { type: c.resultType, [c.resultType]: null }
        }
        evaluating.delete(id)
        v[id] = result
        return result
      }
      for (const f of formulas) evalFormula(f.id)
    }
  }
  return out
}

/**
 * Titles of the related pages formulas may format (`format(prop("Relation"))`): only pages already
 * in the visible relation values, so a formula never names a page the viewer cannot see.
 */
async function titlesForFormulas(db: Db, rows: ListedRow[], out: Map<string, RowValues>, props: PropertyConfig[], scratch: Scratch) {
  const relationIds = new Set<string>()
  for (const row of rows) {
    const v = out.get(row.id) as RowValues
    for (const p of props) if (p.type === 'relation') for (const r of v[p.id] as { id: string }[]) relationIds.add(r.id)
  }
  const titles = new Map<string, string>()
  for (const id of relationIds) {
    const row = scratch.rows.get(id)
    if (row?.parent_id) {
      const src = await sourceOf(db, row.parent_id, scratch)
      const titleProp = src ? Object.values(src.schema).find((p) => p.type === 'title') : undefined
      const title = titleProp ? (JSON.parse(row.properties ?? '{}') as Record<string, { plain_text: string }[]>)[titleProp.id] : undefined
      titles.set(id, (title ?? []).map((t) => t.plain_text).join(''))
    }
  }
  return (pageId: string) => titles.get(pageId) ?? null
}

/**
 * Names (and e-mails) of people formulas may format, as far as the viewer's user-information
 * capability allows: none → no names; without email → names; with email → names and e-mails.
 */
async function peopleForFormulas(
  db: Db,
  viewer: ComputeOptions['viewer'],
  rows: ListedRow[],
  out: Map<string, RowValues>,
  props: PropertyConfig[],
) {
  const level = viewer ? (viewer.capabilities?.userInfo ?? 'none') : 'with_email'
  if (level === 'none') return () => null
  const ids = new Set<string>()
  for (const row of rows) {
    const v = out.get(row.id) as RowValues
    for (const p of props) {
      const value = v[p.id]
      if (p.type === 'people') for (const u of value as { id: string }[]) ids.add(u.id)
      if (p.type === 'created_by' || p.type === 'last_edited_by') ids.add((value as { id: string }).id)
    }
  }
  if (ids.size === 0) return () => null
  const users = await findUsers(db, [...ids])
  const byId = new Map(users.map((u) => [u.id, { name: u.name, ...(level === 'with_email' ? { email: u.email } : {}) }]))
  return (userId: string) => byId.get(userId) ?? null
}

/** Convenience for one row. */
export async function computeOneRow(db: Db, opts: ComputeOptions, source: RowSource, row: ListedRow): Promise<RowValues> {
  return (await computeRowValues(db, opts, source, [row])).get(row.id) as RowValues
}
