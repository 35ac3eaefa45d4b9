import { validationError } from '../../errors/notion-error.js'
import { findProperty, type PropertyConfig, type Schema } from '../properties.js'
import {
  checkboxCond,
  dateCond,
  filesCond,
  formulaFilter,
  idListCond,
  numberCond,
  optionCond,
  statusCond,
  rollupFilter,
  stored,
  textCond,
  verificationFilter,
} from './conditions.js'
import {
  compareKeys,
  dateMs,
  defaultOrder,
  idsOfValue,
  numberOfValue,
  optionsOfValue,
  dateOfValue,
  rowValue,
  sortKey,
  textOfValue,
} from './evaluate.js'
import { CONST_FALSE, CONST_TRUE, sortPlan, timestampPlan } from './plan.js'
import type {
  Comparator,
  Compiled,
  CompiledFilter,
  CompiledSorts,
  FilterEnv,
  Path,
  Predicate,
  QueryContext,
  QueryRow,
  SqlFilter,
  SqlLeaf,
  SqlSort,
} from './types.js'
import { accepts, bad, FILTER_TYPES, isObject, pathText, render } from './validate.js'

/**
 * The query engine's entry points: a whole `filter` (compound `and`/`or` nested at most two levels,
 * property and timestamp filters) and `sorts`, validated against a schema and compiled into a JS
 * predicate / comparator and, when every part is stored, a storage plan (docs/reference/notion-api.md
 * §2.13); and `runQuery`, which filters and sorts rows in memory.
 */

function compilePropertyFilter(raw: Record<string, unknown>, at: Path, env: FilterEnv): Compiled {
  const { schema, ctx } = env
  if (typeof raw.property !== 'string')
    bad([...at, 'property'], raw.property === undefined ? 'should be defined' : 'should be a string', raw.property)
  const allowed = new Set<string>(['property', 'type', ...FILTER_TYPES])
  for (const k of Object.keys(raw)) if (!allowed.has(k)) bad([...at, k], 'should be not present', raw[k])
  const present = FILTER_TYPES.filter((t) => t in raw)
  let ftype: string
  if (raw.type !== undefined) {
    if (typeof raw.type !== 'string' || !(FILTER_TYPES as readonly string[]).includes(raw.type))
      bad([...at, 'type'], 'should be a property filter type', raw.type)
    ftype = raw.type as string
    if (!(ftype in raw)) bad([...at, ftype], 'should be defined', undefined)
    const other = present.find((t) => t !== ftype)
    if (other) bad([...at, other], 'should be not present', raw[other])
  } else {
    if (present.length === 0) {
      throw validationError(
        `body failed validation: ${pathText(at)} should have a filter condition keyed by the property type (e.g. \`"rich_text": {…}\`), instead was ${render(raw)}.`,
      )
    }
    if (present.length > 1) bad([...at, present[1] as string], 'should be not present', raw[present[1] as string])
    ftype = present[0] as string
  }
  const name = raw.property as string
  const prop = findProperty(schema, name)
  if (!prop) throw validationError(`Could not find property with name or id: ${name}.`)
  if (!accepts(prop.type, ftype)) {
    throw validationError(`body failed validation: ${pathText(at)}: database property ${prop.type} does not match filter ${ftype}.`)
  }
  const cond = raw[ftype]
  const cat = [...at, ftype]
  switch (ftype) {
    case 'title':
    case 'rich_text':
    case 'url':
    case 'email':
    case 'phone_number':
      return stored(textCond(cond, cat), prop, textOfValue)
    case 'number':
    case 'unique_id':
      return stored(numberCond(cond, cat), prop, numberOfValue)
    case 'checkbox':
      return stored(checkboxCond(cond, cat), prop, (v) => v === true)
    case 'status':
      return stored(statusCond(cond, cat, prop, ctx), prop, optionsOfValue)
    case 'select':
    case 'multi_select':
      return stored(optionCond(cond, cat, prop, ftype === 'multi_select'), prop, optionsOfValue)
    case 'date':
    case 'created_time':
    case 'last_edited_time': {
      const c = dateCond(cond, cat, ctx)
      if (prop.type === 'created_time' || prop.type === 'last_edited_time') {
        const col = prop.type
        return { pred: (row) => c.test(dateMs(row.meta[col])), plan: timestampPlan(col, c.bounds), computed: false }
      }
      return stored(c, prop, dateOfValue)
    }
    case 'people':
    case 'created_by':
    case 'last_edited_by': {
      const c = idListCond(cond, cat, ctx, true)
      if (prop.type === 'created_by' || prop.type === 'last_edited_by') {
        const col = prop.type
        const plan: SqlLeaf =
          c.op === 'is_empty'
            ? CONST_FALSE
            : c.op === 'is_not_empty'
              ? CONST_TRUE
              : { k: 'colId', col, id: c.id as string, negate: c.negate === true }
        return { pred: (row) => c.test([row.meta[col]]), plan, computed: false }
      }
      return stored(c, prop, idsOfValue)
    }
    case 'relation': {
      // Relations are evaluated over the pages the caller can see (computed values), never in SQL.
      const c = idListCond(cond, cat, ctx, false)
      return { pred: (row) => c.test(idsOfValue(rowValue(prop, row))), plan: null, computed: true }
    }
    case 'files':
      return stored(filesCond(cond, cat), prop, (v) => (Array.isArray(v) ? v.length : 0))
    case 'formula':
      return formulaFilter(cond, cat, ctx, prop)
    case 'rollup':
      return rollupFilter(cond, cat, ctx, prop, () => env.rolledProperty(prop))
    default:
      return verificationFilter(cond, cat, ctx, prop)
  }
}

function compileTimestampFilter(raw: Record<string, unknown>, at: Path, ctx: QueryContext): Compiled {
  const ts = raw.timestamp
  if (ts !== 'created_time' && ts !== 'last_edited_time')
    bad([...at, 'timestamp'], 'should be `"created_time"` or `"last_edited_time"`', ts)
  const key = ts as 'created_time' | 'last_edited_time'
  for (const k of Object.keys(raw)) {
    if (k !== 'timestamp' && k !== 'type' && k !== key) bad([...at, k], 'should be not present', raw[k])
  }
  if (raw.type !== undefined && raw.type !== key) bad([...at, 'type'], `should be \`"${key}"\``, raw.type)
  if (!(key in raw)) bad([...at, key], 'should be defined', undefined)
  const c = dateCond(raw[key], [...at, key], ctx)
  return { pred: (row) => c.test(dateMs(row.meta[key])), plan: timestampPlan(key, c.bounds), computed: false }
}

function compileFilterAt(raw: unknown, at: Path, level: number, env: FilterEnv): Compiled {
  if (!isObject(raw)) return bad(at, 'should be an object', raw)
  const op = 'and' in raw ? 'and' : 'or' in raw ? 'or' : undefined
  if (op) {
    if (level >= 2) bad([...at, op], 'should be not present', raw[op])
    for (const k of Object.keys(raw)) if (k !== op) bad([...at, k], 'should be not present', raw[k])
    const list = raw[op]
    if (!Array.isArray(list)) return bad([...at, op], 'should be an array', list)
    if (list.length > 100)
      throw validationError(`body failed validation: ${pathText([...at, op])}.length should be ≤ \`100\`, instead was \`${list.length}\`.`)
    const parts = list.map((item, i) => compileFilterAt(item, [...at, op, i], level + 1, env))
    const preds = parts.map((p) => p.pred)
    const plans = parts.map((p) => p.plan)
    return {
      pred: op === 'and' ? (row) => preds.every((p) => p(row)) : (row) => preds.some((p) => p(row)),
      plan: plans.every((p) => p !== null) ? { k: op, items: plans as SqlFilter[] } : null,
      computed: parts.some((p) => p.computed),
    }
  }
  if ('timestamp' in raw) {
    if ('property' in raw) bad([...at, 'property'], 'should be not present', raw.property)
    return compileTimestampFilter(raw, at, env.ctx)
  }
  return compilePropertyFilter(raw, at, env)
}

/**
 * Compiles a `filter` against `schema`: a JS predicate, the storage plan when there is one, and a
 * storage pre-filter. `rolledProperty` names a rollup's rolled-up property (its options resolve
 * option names in `any/every/none` conditions). `at` is the request path of the filter (default
 * `filter`, i.e. `body.filter`).
 * @throws NotionApiError validation_error
 */
export function compileQueryFilter(
  filter: unknown,
  schema: Schema,
  ctx: QueryContext,
  opts: { at?: Path; rolledProperty?: (rollup: PropertyConfig) => PropertyConfig | undefined; extraLevel?: boolean } = {},
): CompiledFilter {
  if (filter === undefined || filter === null) return { predicate: () => true, plan: null, prefilter: null, needsComputed: false }
  const env: FilterEnv = { schema, ctx, rolledProperty: opts.rolledProperty ?? (() => undefined) }
  const raw = filter
  // `extraLevel`: a view's saved filter wrapped under a top-level `and` with its quick filters
  // (domain/view-filter.ts) keeps the two levels it was allowed on its own.
  const c = compileFilterAt(raw, opts.at ?? ['filter'], opts.extraLevel ? -1 : 0, env)
  let prefilter = c.plan
  if (!prefilter && isObject(raw) && Array.isArray(raw.and)) {
    // The plannable parts of a top-level `and` still narrow the rows to load.
    const parts = raw.and
      .map((item, i) => compileFilterAt(item, [...(opts.at ?? ['filter']), 'and', i], 1, env).plan)
      .filter((p): p is SqlFilter => p !== null)
    prefilter = parts.length > 0 ? { k: 'and', items: parts } : null
  }
  return { predicate: c.pred, plan: c.plan, prefilter, needsComputed: c.computed }
}

/** Compiles a `filter` into a predicate over rows (see `compileQueryFilter`). @throws NotionApiError validation_error */
export function compileFilter(filter: unknown, schema: Schema, ctx: QueryContext, at: Path = ['filter']): Predicate {
  return compileQueryFilter(filter, schema, ctx, { at }).predicate
}

// ---- Sorts -----------------------------------------------------------------------------------

/**
 * Compiles `sorts` against `schema`: a comparator and, when every key is stored, the storage plan.
 * Unknown property → "Could not find sort property with name or id: <x>.".
 * @throws NotionApiError validation_error
 */
export function compileQuerySorts(sorts: unknown, schema: Schema, at: Path = ['sorts']): CompiledSorts {
  if (sorts === undefined || sorts === null) return { comparator: defaultOrder, plan: [], needsComputed: false }
  if (!Array.isArray(sorts)) return bad(at, 'should be an array', sorts)
  if (sorts.length > 100)
    throw validationError(`body failed validation: ${pathText(at)}.length should be ≤ \`100\`, instead was \`${sorts.length}\`.`)
  const plans: (SqlSort | null)[] = []
  let needsComputed = false
  const parts: Comparator[] = sorts.map((s, i) => {
    const sat = [...at, i]
    if (!isObject(s)) return bad(sat, 'should be an object', s)
    if (s.direction !== 'ascending' && s.direction !== 'descending') {
      bad([...sat, 'direction'], s.direction === undefined ? 'should be defined' : 'should be `"ascending"` or `"descending"`', s.direction)
    }
    const desc = s.direction === 'descending'
    if ('timestamp' in s) {
      for (const k of Object.keys(s)) if (k !== 'timestamp' && k !== 'direction') bad([...sat, k], 'should be not present', s[k])
      if (s.timestamp !== 'created_time' && s.timestamp !== 'last_edited_time')
        bad([...sat, 'timestamp'], 'should be `"created_time"` or `"last_edited_time"`', s.timestamp)
      const col = s.timestamp as 'created_time' | 'last_edited_time'
      plans.push({ k: 'col', col, desc })
      const field = col === 'created_time' ? 'createdExact' : 'editedExact'
      return (a, b) => compareKeys(a[field], b[field], desc)
    }
    for (const k of Object.keys(s)) if (k !== 'property' && k !== 'direction') bad([...sat, k], 'should be not present', s[k])
    if (typeof s.property !== 'string')
      return bad([...sat, 'property'], s.property === undefined ? 'should be defined' : 'should be a string', s.property)
    const prop = findProperty(schema, s.property)
    if (!prop) throw validationError(`Could not find sort property with name or id: ${s.property}.`)
    const plan = sortPlan(prop, desc)
    plans.push(plan)
    if (!plan && (prop.type === 'formula' || prop.type === 'rollup' || prop.type === 'relation')) needsComputed = true
    if (prop.type === 'created_time' || prop.type === 'last_edited_time') {
      const field = prop.type === 'created_time' ? 'createdExact' : 'editedExact'
      return (a, b) => compareKeys(a[field], b[field], desc)
    }
    return (a, b) => compareKeys(sortKey(prop, a), sortKey(prop, b), desc)
  })
  return {
    comparator: (a, b) => {
      for (const p of parts) {
        const c = p(a, b)
        if (c !== 0) return c
      }
      return defaultOrder(a, b)
    },
    plan: plans.every((p) => p !== null) ? (plans as SqlSort[]) : null,
    needsComputed,
  }
}

/** Compiles `sorts` into a comparator (see `compileQuerySorts`). @throws NotionApiError validation_error */
export function compileSorts(sorts: unknown, schema: Schema, at: Path = ['sorts']): Comparator {
  return compileQuerySorts(sorts, schema, at).comparator
}

/**
 * Filters and sorts `rows` in memory (a new array; the input is not changed).
 * @throws NotionApiError validation_error when the filter or sorts are invalid.
 */
export function runQuery(rows: QueryRow[], schema: Schema, query: { filter?: unknown; sorts?: unknown }, ctx: QueryContext): QueryRow[] {
  const matches = compileFilter(query.filter, schema, ctx)
  const order = compileSorts(query.sorts, schema)
  return rows.filter(matches).sort(order)
}
