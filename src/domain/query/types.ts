import type { PropertyConfig, RowMeta, Schema } from '../properties.js'

/**
 * Types shared by the query engine (`domain/query.ts` documents the whole): rows and context, the
 * compiled forms, the storage plan (`SqlFilter`, `SqlSort`) and the internal building blocks.
 */

export interface QueryRow {
  id: string
  /** Stored values keyed by property id. */
  values: Record<string, unknown>
  /** Times as reported (rounded to the minute) and authors. */
  meta: RowMeta
  /** Full-precision creation time, for ordering. */
  createdExact: string
  /** Full-precision last edit time, for ordering. */
  editedExact: string
  /** Computed wire values keyed by property id (services/row-values.ts), when available. */
  computed?: Record<string, unknown> | undefined
}

export interface QueryContext {
  /** Milliseconds since the epoch (relative dates). */
  now: number
  /** The caller's user id (`"me"` in people filters). */
  me: string
  /**
   * Status filters under Notion-Version 2026-12-01 or the beta flag `status-group-filters-2026-10-06`
   * (domain/versions.ts `statusGroupFilters`): `equals`/`does_not_equal` match option names only and
   * `group_equals`/`group_does_not_equal` match groups. Otherwise (default) `equals` also takes group names.
   */
  statusGroupFilters?: boolean
}

export type Predicate = (row: QueryRow) => boolean
export type Comparator = (a: QueryRow, b: QueryRow) => number

// ---- Storage plan (executed by storage/repositories/data-source-query.repository.ts) -------------

/**
 * One condition over the value index (`data_source_value`, one row per non-empty value element):
 * - `text`: some element's lower-cased `txt` equals / contains / starts / ends with `needle` (non-empty).
 * - `has`: the property has a value (for checkboxes: is checked).
 * - `num`: the value's `num` lies within the bounds.
 * - `in`: some element's `txt` is one of `values` (option ids, user ids).
 * - `col`: the row's `created_time`/`last_edited_time` (exact ISO) within `[lo, hi)`.
 * - `colId`: the row's `created_by`/`last_edited_by` is `id`.
 * - `const`: always / never.
 * `negate` turns the condition into "no element matches".
 */
export type SqlLeaf =
  | { k: 'text'; pid: string; op: 'eq' | 'contains' | 'starts' | 'ends'; needle: string; negate: boolean }
  | { k: 'has'; pid: string; negate: boolean }
  | { k: 'num'; pid: string; lo?: number; loIncl?: boolean; hi?: number; hiIncl?: boolean; negate: boolean }
  | { k: 'in'; pid: string; values: string[]; negate: boolean }
  | { k: 'col'; col: 'created_time' | 'last_edited_time'; lo?: string; hi?: string }
  | { k: 'colId'; col: 'created_by' | 'last_edited_by'; id: string; negate: boolean }
  | { k: 'const'; value: boolean }

export type SqlFilter = { k: 'and' | 'or'; items: SqlFilter[] } | SqlLeaf

/**
 * One sort over stored values: `txt`/`num` of the property's index row (none = empty, last),
 * `bool` (checkbox: checked = 1, never empty), `option` (position of the option id in `options`),
 * `col` (a row column).
 */
export type SqlSort =
  | { k: 'txt' | 'num' | 'bool'; pid: string; desc: boolean }
  | { k: 'option'; pid: string; options: string[]; desc: boolean }
  | { k: 'col'; col: 'created_time' | 'last_edited_time'; desc: boolean }

export interface CompiledFilter {
  predicate: Predicate
  /** The whole filter as a storage plan, or null when some condition needs computed values. */
  plan: SqlFilter | null
  /** A storage plan every match satisfies (the whole plan, or its plannable top-level `and` parts). */
  prefilter: SqlFilter | null
  /** Whether the predicate reads computed values (`QueryRow.computed`). */
  needsComputed: boolean
}

export interface CompiledSorts {
  comparator: Comparator
  /** The sorts as a storage plan (empty: default order), or null when some sort needs computed values. */
  plan: SqlSort[] | null
  needsComputed: boolean
}

/** A request path (`['filter', 'and', 0]` ↔ `body.filter.and[0]`), for validation messages. */
export type Path = PropertyKey[]

/** A value-level condition: a predicate over a plain JS value and, for a stored property, its plan. */
export interface Cond<T> {
  test: (v: T) => boolean
  plan: (pid: string) => SqlFilter
}

/** A date condition as bounds over milliseconds: `{lo, loIncl, hi, hiIncl}` or existence. */
export type DateBounds = { exists: boolean } | { lo?: number; loIncl?: boolean; hi?: number; hiIncl?: boolean }

/** One compiled filter node: its predicate, its storage plan (null: needs computed values). */
export interface Compiled {
  pred: Predicate
  plan: SqlFilter | null
  computed: boolean
}

/** What compiling a property filter needs besides the filter. */
export interface FilterEnv {
  schema: Schema
  ctx: QueryContext
  /** The rolled-up property of a rollup (for option names), when known. */
  rolledProperty: (rollup: PropertyConfig) => PropertyConfig | undefined
}

/** A row's sort key for one sort (null: empty, sorts last). */
export type SortKey = string | number | null
