/**
 * Data-source query compilation: Notion's filter grammar and sorts (docs/reference/notion-api.md
 * §2.13), validated against a schema and compiled twice:
 * - into a JS predicate / comparator over rows in memory (`QueryRow`, with computed values such as
 *   formulas, rollups and visibility-filtered relations when the caller supplies them), and
 * - into a storage plan (`SqlFilter`, `SqlSort[]`) over the typed value index (ADR 8) when every
 *   condition can be answered from stored values. Conditions on computed properties (formula,
 *   rollup, relation — visibility-dependent —, verification) have no plan: the caller pre-filters
 *   in SQL with `prefilter` (a superset) and finishes in JS.
 * Both compilations share one semantics; `test/conformance/query-property.test.ts` checks the
 * whole pipeline against an independent reference.
 *
 * Filters: property filters `{property, <type>: condition}` (property by name or id; `type` key
 * optional), timestamp filters `{timestamp, created_time|last_edited_time: condition}`, and compound
 * `{and:[…]}` / `{or:[…]}` nested at most two levels ("Nesting is supported up to two levels deep",
 * docs/reference/notion-api.md §2.13, §10.13); a third level's compound key "should be not present".
 * An unknown property → "Could not find property with name or id: <x>."; a condition type that does
 * not fit the property → "body failed validation: <path>: database property <type> does not match
 * filter <type>." (Notion's exact wording for the last one is not in docs/reference/notion-api.md; it
 * follows its `body failed validation` grammar).
 * Text comparisons are case-insensitive. Dates compare by day when the condition is a date, at
 * millisecond precision when it is a date-time; a condition without zone is UTC
 * (docs/reference/notion-api.md §2.13); a stored date-time without offset is read in its `time_zone`
 * (UTC when none). `created_time` and `last_edited_time` compare as reported, i.e. rounded down to the
 * minute (docs/reference/notion-api.md §0).
 *
 * Sorts: `{property, direction}` or `{timestamp, direction}`, earlier ones first; empty values sort
 * last whatever the direction; text compares lower-cased by code point; select and status by option
 * order; ties (and no sorts) fall back to newest created first, then id.
 *
 * The code lives in `domain/query/`: `validate.ts` (grammar, Notion's validation texts),
 * `conditions.ts` (condition families: each validated into a JS test and a plan), `evaluate.ts` (dates,
 * time zones, relative dates, value accessors, sort keys), `plan.ts` (the storage plan), `compile.ts`
 * (the entry points) and `types.ts`. This module is their public API.
 */

export type {
  Comparator,
  CompiledFilter,
  CompiledSorts,
  Predicate,
  QueryContext,
  QueryRow,
  SqlFilter,
  SqlLeaf,
  SqlSort,
} from './query/types.js'
export { compileFilter, compileQueryFilter, compileQuerySorts, compileSorts, runQuery } from './query/compile.js'
export { dateMs, defaultOrder, lower } from './query/evaluate.js'
