import { sql, type RawBuilder } from 'kysely'
import type { SqlFilter, SqlSort } from '../../domain/query.js'
import type { Db } from '../store.js'
import type { BlockRow } from './blocks.repository.js'
import { textEquals, textMatches } from './text-match.js'

/**
 * Data-source queries over the typed value index (ADR 8): a `SqlFilter` / `SqlSort[]` plan from
 * domain/query.ts becomes one portable SQL statement (standard SQL through Kysely's `sql` tag: EXISTS,
 * LIKE … ESCAPE, CASE, COALESCE — nothing dialect-specific), with keyset pagination on the sort keys
 * and the final tie-break (created_time descending, id ascending).
 *
 * Plan choice: when the first sort is on a stored value and the filter's top level requires that
 * property to have a value, the statement walks that property's index in sort order (`FROM
 * data_source_value s0 JOIN block b`), so a first page reads about one page of index entries (plus
 * the rows the other conditions reject). Otherwise it walks the data source's rows (newest first
 * for the default order) and checks each condition with an indexed EXISTS on the row's entries.
 *
 * Row access is part of the WHERE clause of every plan (see `RowAccess`), so a page is never short
 * because hidden rows were dropped after the LIMIT, `before` counts only readable rows, and a cursor
 * naming a row the caller cannot read is not a row of the data source.
 */

/**
 * Whose rows: only rows the caller may read come back, decided per row on its permission root exactly as
 * a retrieve decides (`root_acl`, the highest level over `principals`). Most rows inherit the
 * database's root (`readableRoot`, already checked by the caller: no probe); a restricted row is its
 * own root and is kept only when one of `principals` holds at least `minLevel` there (one point read of
 * the `root_acl` primary key).
 */
export interface RowAccess {
  principals: string[]
  /** A root the caller is known to read (the database's), or null to probe every row. */
  readableRoot: string | null
  /** The level a row needs: view (1). */
  minLevel: number
}

export interface RowQuery {
  dataSourceId: string
  includeTrashed: boolean
  filter: SqlFilter | null
  sorts: SqlSort[]
  access: RowAccess
}

const T = sql.table('data_source_value')

function join(parts: RawBuilder<unknown>[], sep: 'AND' | 'OR'): RawBuilder<unknown> {
  if (parts.length === 0) return sep === 'AND' ? sql`1 = 1` : sql`1 = 0`
  return sql`(${sql.join(parts, sql.raw(` ${sep} `))})`
}

/** The condition of a leaf on one index entry aliased `v`. */
function entryCondition(f: SqlFilter, v: string): RawBuilder<unknown> | null {
  const a = sql.ref(`${v}.txt`)
  const n = sql.ref(`${v}.num`)
  switch (f.k) {
    case 'text':
      if (f.op === 'eq') return textEquals(a, f.needle)
      return textMatches(a, f.op, f.needle)
    case 'num': {
      const parts: RawBuilder<unknown>[] = []
      if (f.lo !== undefined) parts.push(f.loIncl ? sql`${n} >= ${f.lo}` : sql`${n} > ${f.lo}`)
      if (f.hi !== undefined) parts.push(f.hiIncl ? sql`${n} <= ${f.hi}` : sql`${n} < ${f.hi}`)
      return join(parts, 'AND')
    }
    case 'in':
      return f.values.length === 0 ? sql`1 = 0` : sql`${a} IN (${sql.join(f.values)})`
    case 'has':
      return sql`1 = 1`
    default:
      return null
  }
}

function filterSql(f: SqlFilter): RawBuilder<unknown> {
  switch (f.k) {
    case 'and':
    case 'or':
      return join(f.items.map(filterSql), f.k === 'and' ? 'AND' : 'OR')
    case 'const':
      return f.value ? sql`1 = 1` : sql`1 = 0`
    case 'col': {
      const c = sql.ref(`b.${f.col}`)
      const parts: RawBuilder<unknown>[] = []
      if (f.lo !== undefined) parts.push(sql`${c} >= ${f.lo}`)
      if (f.hi !== undefined) parts.push(sql`${c} < ${f.hi}`)
      return join(parts, 'AND')
    }
    case 'colId':
      return f.negate ? sql`${sql.ref(`b.${f.col}`)} <> ${f.id}` : sql`${sql.ref(`b.${f.col}`)} = ${f.id}`
    default: {
      if (f.k === 'in' && f.values.length === 0) return f.negate ? sql`1 = 1` : sql`1 = 0`
      const cond = entryCondition(f, 'v') as RawBuilder<unknown>
      const exists = sql`EXISTS (SELECT 1 FROM ${T} v WHERE v.page_id = b.id AND v.property_id = ${f.pid} AND ${cond})`
      return f.negate ? sql`NOT ${exists}` : exists
    }
  }
}

/** "The caller may read row `b`" (see `RowAccess`), as part of the WHERE clause, so LIMIT counts only readable rows. */
function readable(a: RowAccess): RawBuilder<unknown> {
  const probe =
    a.principals.length === 0
      ? sql`1 = 0`
      : sql`EXISTS (SELECT 1 FROM ${sql.table('root_acl')} acl WHERE acl.root_id = b.perm_root_id AND acl.principal IN (${sql.join(a.principals)}) AND acl.role >= ${a.minLevel})`
  return a.readableRoot === null ? probe : sql`(b.perm_root_id = ${a.readableRoot} OR ${probe})`
}

interface SortKey {
  expr: RawBuilder<unknown>
  desc: boolean
  nullable: boolean
}

function sortKeys(sorts: SqlSort[]): { joins: RawBuilder<unknown>[]; keys: SortKey[] } {
  const joins: RawBuilder<unknown>[] = []
  const keys: SortKey[] = sorts.map((s, i) => {
    if (s.k === 'col') return { expr: sql.ref(`b.${s.col}`), desc: s.desc, nullable: false }
    const alias = `s${i}`
    joins.push(
      sql`LEFT JOIN ${T} ${sql.raw(alias)} ON ${sql.ref(`${alias}.page_id`)} = b.id AND ${sql.ref(`${alias}.property_id`)} = ${s.pid} AND ${sql.ref(`${alias}.ord`)} = 0`,
    )
    const txt = sql.ref(`${alias}.txt`)
    const num = sql.ref(`${alias}.num`)
    switch (s.k) {
      case 'txt':
        return { expr: txt, desc: s.desc, nullable: true }
      case 'num':
        return { expr: num, desc: s.desc, nullable: true }
      case 'bool':
        return { expr: sql`COALESCE(${num}, 0)`, desc: s.desc, nullable: false }
      default: {
        const whens = s.options.map((id, j) => sql`WHEN ${txt} = ${id} THEN ${sql.lit(j)}`)
        const expr = sql`(CASE WHEN ${txt} IS NULL THEN NULL ${whens.length ? sql.join(whens, sql` `) : sql``} ELSE ${sql.lit(s.options.length)} END)`
        return { expr, desc: s.desc, nullable: true }
      }
    }
  })
  return { joins, keys }
}

function orderBy(keys: SortKey[], driven: boolean): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = []
  keys.forEach((k, i) => {
    if (k.nullable && !(driven && i === 0)) parts.push(sql`CASE WHEN ${k.expr} IS NULL THEN 1 ELSE 0 END`)
    parts.push(k.desc ? sql`${k.expr} DESC` : sql`${k.expr} ASC`)
  })
  parts.push(sql`b.created_time DESC`, sql`b.id ASC`)
  return sql.join(parts)
}

/** "At or after the cursor row" in the query's order (cursor values `c`, created_time, id). */
function atOrAfter(keys: SortKey[], c: unknown[], cCreated: string, cId: string): RawBuilder<unknown> {
  let acc: RawBuilder<unknown> = sql`(b.created_time < ${cCreated} OR (b.created_time = ${cCreated} AND b.id >= ${cId}))`
  for (let i = keys.length - 1; i >= 0; i--) {
    const k = keys[i] as SortKey
    const cv = c[i]
    if (cv === null || cv === undefined) {
      acc = sql`(${k.expr} IS NULL AND ${acc})`
      continue
    }
    const after = k.desc ? sql`${k.expr} < ${cv}` : sql`${k.expr} > ${cv}`
    acc = k.nullable
      ? sql`(${after} OR ${k.expr} IS NULL OR (${k.expr} = ${cv} AND ${acc}))`
      : sql`(${after} OR (${k.expr} = ${cv} AND ${acc}))`
  }
  return acc
}

/** The top-level `and` leaves of a filter. */
function topLeaves(f: SqlFilter | null): SqlFilter[] {
  if (!f) return []
  return f.k === 'and' ? f.items : [f]
}

interface Built {
  from: RawBuilder<unknown>
  where: RawBuilder<unknown>[]
  keys: SortKey[]
  driven: boolean
}

function build(q: RowQuery): Built {
  const { joins, keys } = sortKeys(q.sorts)
  const first = q.sorts[0]
  let driven = false
  const where: RawBuilder<unknown>[] = []
  let leaves = topLeaves(q.filter)
  if (first && (first.k === 'txt' || first.k === 'num')) {
    // Drive from the first sort key's index when the filter requires it to be non-empty.
    const i = leaves.findIndex(
      (l) =>
        (l.k === 'num' || l.k === 'text' || l.k === 'has') &&
        l.pid === first.pid &&
        !l.negate &&
        (l.k !== 'text' || l.op === 'eq' || l.op === 'starts'),
    )
    if (i !== -1) {
      driven = true
      const leaf = leaves[i] as SqlFilter
      const cond = entryCondition(leaf, 's0')
      if (cond) where.push(cond)
      leaves = leaves.filter((_, j) => j !== i)
    }
  }
  // In the driven plan the index entry already names the data source (entries follow moves).
  if (!driven) where.push(sql`b.parent_id = ${q.dataSourceId}`, sql`b.parent_type = 'data_source_id'`)
  if (!q.includeTrashed) where.push(sql`b.in_trash = 0`)
  where.push(readable(q.access))
  for (const l of leaves) where.push(filterSql(l))
  let from: RawBuilder<unknown>
  if (driven) {
    const first0 = first as { pid: string; k: 'txt' | 'num' }
    // `is not null` names the condition of the partial index on the sort's column (migration 0021):
    // true of every entry of a property sorted by that column, and what lets the planner walk it.
    where.unshift(
      sql`s0.data_source_id = ${q.dataSourceId}`,
      sql`s0.property_id = ${first0.pid}`,
      first0.k === 'txt' ? sql`s0.txt IS NOT NULL` : sql`s0.num IS NOT NULL`,
    )
    from = sql`${T} s0 JOIN ${sql.table('block')} b ON b.id = s0.page_id ${joins.length > 1 ? sql.join(joins.slice(1), sql` `) : sql``}`
  } else {
    from = sql`${sql.table('block')} b ${joins.length ? sql.join(joins, sql` `) : sql``}`
  }
  return { from, where, keys, driven }
}

/** The cursor row's sort key values, or undefined when it is not a row of this data source that the caller may read. */
async function cursorValues(db: Db, q: RowQuery, cursorId: string): Promise<{ values: unknown[]; created: string } | undefined> {
  const { joins, keys } = sortKeys(q.sorts)
  const cols = keys.map((k, i) => sql`${k.expr} AS ${sql.ref(`k${i}`)}`)
  const r = await sql<
    Record<string, unknown>
  >`SELECT ${sql.join([...cols, sql`b.created_time AS created`])} FROM ${sql.table('block')} b ${joins.length ? sql.join(joins, sql` `) : sql``} WHERE b.id = ${cursorId} AND b.parent_id = ${q.dataSourceId} AND b.parent_type = 'data_source_id' AND ${readable(q.access)}`.execute(
    db,
  )
  const row = r.rows[0]
  if (!row) return undefined
  return { values: keys.map((_, i) => row[`k${i}`] ?? null), created: row.created as string }
}

/** The columns of a row as data-source queries list it (presented, and computed from). */
export const LISTED_COLUMNS = [
  'id',
  'workspace_id',
  'type',
  'parent_type',
  'parent_id',
  'perm_root_id',
  'properties',
  'icon',
  'cover',
  'is_locked',
  'created_time',
  'created_by',
  'last_edited_time',
  'last_edited_by',
  'in_trash',
] as const satisfies readonly (keyof BlockRow)[]

/** A row as `queryRows` returns it by default: `LISTED_COLUMNS` only. */
export type ListedRow = Pick<BlockRow, (typeof LISTED_COLUMNS)[number]>

/** The listed columns only computed values read (a rollup's or relation's reach, the row's type). */
const COMPUTED_ONLY_COLUMNS = ['workspace_id', 'type', 'perm_root_id'] as const

/**
 * The columns a listed row is presented from (api/pages/pages.presenter.ts `presentPage`), when
 * nothing is computed for it: `LISTED_COLUMNS` without the workspace, type and permission root that
 * only computed values read (a title-only list of Notion-Version 2026-12-01 reads these).
 */
export const PRESENTED_COLUMNS = LISTED_COLUMNS.filter(
  (c): c is Exclude<(typeof LISTED_COLUMNS)[number], (typeof COMPUTED_ONLY_COLUMNS)[number]> =>
    !(COMPUTED_ONLY_COLUMNS as readonly string[]).includes(c),
)

/** A row read with `PRESENTED_COLUMNS` only. */
export type PresentedRow = Pick<BlockRow, (typeof PRESENTED_COLUMNS)[number]>

/** Select lists of the row aliased `b`, by column list. */
const SELECTS = new Map<readonly string[], RawBuilder<unknown>>(
  [LISTED_COLUMNS, PRESENTED_COLUMNS].map((cols) => [cols, sql.join(cols.map((c) => sql.ref(`b.${c}`)))]),
)

/**
 * One page of matching rows the caller may read (`q.access`), in query order, starting at row
 * `cursorId` (inclusive) when given;
 * `before` = how many matching rows precede that cursor, counted up to `countCap`; the page holds
 * `limit(before)` rows at most. Returns
 * undefined when the cursor is not a row of the data source. Rows carry `page.columns` only
 * (`LISTED_COLUMNS` by default, or `PRESENTED_COLUMNS`).
 */
export async function queryRows<C extends typeof LISTED_COLUMNS | typeof PRESENTED_COLUMNS = typeof LISTED_COLUMNS>(
  db: Db,
  q: RowQuery,
  page: { cursorId?: string | undefined; limit: (before: number) => number; countCap: number; columns?: C },
): Promise<{ rows: Pick<BlockRow, C[number]>[]; before: number } | undefined> {
  type Row = Pick<BlockRow, C[number]>
  const columns: typeof LISTED_COLUMNS | typeof PRESENTED_COLUMNS = page.columns ?? LISTED_COLUMNS
  const built = build(q)
  const where = [...built.where]
  let before = 0
  if (page.cursorId) {
    const c = await cursorValues(db, q, page.cursorId)
    if (!c) return undefined
    const ge = atOrAfter(built.keys, c.values, c.created, page.cursorId)
    const r = await sql<{
      n: number | string
    }>`SELECT COUNT(*) AS n FROM (SELECT b.id FROM ${built.from} WHERE ${sql.join([...where, sql`NOT ${ge}`], sql` AND `)} LIMIT ${page.countCap}) t`.execute(
      db,
    )
    before = Number(r.rows[0]?.n ?? 0)
    where.push(ge)
  }
  const limit = page.limit(before)
  if (limit <= 0) return { rows: [], before }
  const order = orderBy(built.keys, built.driven)
  if (q.sorts.length === 0) {
    // The default order (newest first) walks the `block_row_list` index in order and stops at the
    // limit, so the listed columns are read for this page's rows only: one statement.
    const r =
      await sql<Row>`SELECT ${SELECTS.get(columns) as RawBuilder<unknown>} FROM ${built.from} WHERE ${sql.join(where, sql` AND `)} ORDER BY ${order} LIMIT ${limit}`.execute(
        db,
      )
    return { rows: r.rows, before }
  }
  // A sort on a property's value orders every matching row: ids first (indexes only, so the sort
  // carries no wide rows), then the listed columns of just this page.
  const r = await sql<{
    id: string
  }>`SELECT b.id FROM ${built.from} WHERE ${sql.join(where, sql` AND `)} ORDER BY ${order} LIMIT ${limit}`.execute(db)
  const ids = r.rows.map((x) => x.id)
  if (ids.length === 0) return { rows: [], before }
  // Only the columns a listed row is presented and computed from (not its content, path or search
  // text): materialising fewer columns is most of this query's cost.
  const full = new Map(
    (await db.selectFrom('block').select(columns).where('id', 'in', ids).execute()).map((x) => [x.id, x as unknown as Row]),
  )
  return { rows: ids.map((id) => full.get(id)).filter((x): x is Row => x !== undefined), before }
}

/**
 * The rows (full) matching a storage pre-filter that the caller may read (`q.access`), in no
 * particular order (for queries finished in memory).
 */
export async function prefilteredRows(db: Db, q: Omit<RowQuery, 'sorts'>): Promise<BlockRow[]> {
  const built = build({ ...q, sorts: [] })
  const r = await sql<BlockRow>`SELECT b.* FROM ${built.from} WHERE ${sql.join(built.where, sql` AND `)}`.execute(db)
  return r.rows
}

/**
 * The live rows of every data source of a database (rows whose `path` is `rowPath`, the database's
 * subtree prefix) that the caller may read (`access`), oldest first, at most `limit`: the portal's
 * database view. Access is in the WHERE clause, so `limit` counts readable rows only.
 */
export async function readableRowsUnder(
  db: Db,
  rowPath: string,
  access: RowAccess,
  limit: number,
): Promise<Pick<BlockRow, 'id' | 'properties' | 'title_text'>[]> {
  const r = await sql<
    Pick<BlockRow, 'id' | 'properties' | 'title_text'>
  >`SELECT b.id, b.properties, b.title_text FROM ${sql.table('block')} b WHERE b.parent_type = 'data_source_id' AND b.path = ${rowPath} AND b.in_trash = 0 AND ${readable(access)} ORDER BY b.created_time ASC, b.id ASC LIMIT ${limit}`.execute(
    db,
  )
  return r.rows
}
