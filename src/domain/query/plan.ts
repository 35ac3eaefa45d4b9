import type { PropertyConfig } from '../properties.js'
import { MINUTE } from './evaluate.js'
import type { DateBounds, SqlLeaf, SqlSort } from './types.js'

/**
 * The storage plan: filters and sorts over the typed value index (ADR 8), which
 * `storage/repositories/data-source-query.repository.ts` executes (the `SqlFilter`/`SqlSort` types are
 * in `types.ts`; the per-condition plans are built next to their predicates in `conditions.ts`).
 */

/** The plans "always" and "never". */
export const CONST_TRUE: SqlLeaf = { k: 'const', value: true }
export const CONST_FALSE: SqlLeaf = { k: 'const', value: false }

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * Bounds over a minute-rounded timestamp as bounds over the exact one (`[lo, hi)` as ISO text):
 * floor(t) ≥ lo ⟺ t ≥ ceil(lo); floor(t) > lo ⟺ t ≥ floor(lo)+1min; floor(t) < hi ⟺ t < ceil(hi);
 * floor(t) ≤ hi ⟺ t < floor(hi)+1min.
 */
export function timestampPlan(col: 'created_time' | 'last_edited_time', b: DateBounds): SqlLeaf {
  if ('exists' in b) return b.exists ? CONST_TRUE : CONST_FALSE
  const leaf: SqlLeaf = { k: 'col', col }
  if (b.lo !== undefined) leaf.lo = iso(b.loIncl ? Math.ceil(b.lo / MINUTE) * MINUTE : Math.floor(b.lo / MINUTE) * MINUTE + MINUTE)
  if (b.hi !== undefined) leaf.hi = iso(b.hiIncl ? Math.floor(b.hi / MINUTE) * MINUTE + MINUTE : Math.ceil(b.hi / MINUTE) * MINUTE)
  return leaf
}

/** The storage plan of a sort on `prop`, when its key is a stored value. */
export function sortPlan(prop: PropertyConfig, desc: boolean): SqlSort | null {
  switch (prop.type) {
    case 'title':
    case 'rich_text':
    case 'url':
    case 'email':
    case 'phone_number':
      return { k: 'txt', pid: prop.id, desc }
    case 'number':
    case 'unique_id':
    case 'date':
      return { k: 'num', pid: prop.id, desc }
    case 'checkbox':
      return { k: 'bool', pid: prop.id, desc }
    case 'select':
    case 'status':
      return { k: 'option', pid: prop.id, desc, options: ((prop.config.options as { id: string }[] | undefined) ?? []).map((o) => o.id) }
    case 'created_time':
    case 'last_edited_time':
      return { k: 'col', col: prop.type, desc }
    default:
      return null
  }
}
