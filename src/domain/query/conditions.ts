import { parseId } from '../ids.js'
import type { PropertyConfig } from '../properties.js'
import {
  dateBounds,
  dateMs,
  dateOfValue,
  idsOfValue,
  inBounds,
  lower,
  numberOfValue,
  optionsOfValue,
  rowValue,
  textOfValue,
} from './evaluate.js'
import { CONST_FALSE, CONST_TRUE } from './plan.js'
import type { Compiled, Cond, DateBounds, Path, Predicate, QueryContext, QueryRow, SqlFilter } from './types.js'
import { bad, EXISTENCE, NUMBER, oneCondition, stringList, TEXT } from './validate.js'

/**
 * Condition families of the filter grammar (docs/reference/notion-api.md §2.13): each validates one
 * condition object and compiles it into a JS test and, for stored properties, its storage plan; and
 * the filters over computed values (formula, rollup, verification), which have no plan.
 */

/** A text condition (SDK `TextPropertyFilter`), case-insensitive. @throws NotionApiError validation_error */
export function textCond(raw: unknown, at: Path): Cond<string> {
  const [op, v] = oneCondition(raw, at, [...TEXT, ...EXISTENCE])
  if (TEXT.includes(op) && typeof v !== 'string') bad([...at, op], 'should be a string', v)
  const needle = typeof v === 'string' ? lower(v) : ''
  const has =
    (negate: boolean) =>
    (pid: string): SqlFilter => ({ k: 'has', pid, negate })
  const text =
    (o: 'eq' | 'contains' | 'starts' | 'ends', negate: boolean) =>
    (pid: string): SqlFilter =>
      needle === ''
        ? o === 'eq'
          ? { k: 'has', pid, negate: !negate }
          : negate
            ? CONST_FALSE
            : CONST_TRUE
        : { k: 'text', pid, op: o, needle, negate }
  switch (op) {
    case 'equals':
      return { test: (s) => lower(s) === needle, plan: text('eq', false) }
    case 'does_not_equal':
      return { test: (s) => lower(s) !== needle, plan: text('eq', true) }
    case 'contains':
      return { test: (s) => lower(s).includes(needle), plan: text('contains', false) }
    case 'does_not_contain':
      return { test: (s) => !lower(s).includes(needle), plan: text('contains', true) }
    case 'starts_with':
      return { test: (s) => lower(s).startsWith(needle), plan: text('starts', false) }
    case 'ends_with':
      return { test: (s) => lower(s).endsWith(needle), plan: text('ends', false) }
    case 'is_empty':
      return { test: (s) => s === '', plan: has(true) }
    default:
      return { test: (s) => s !== '', plan: has(false) }
  }
}

/** A number condition (SDK `NumberPropertyFilter`). @throws NotionApiError validation_error */
export function numberCond(raw: unknown, at: Path): Cond<number | null> {
  const [op, v] = oneCondition(raw, at, [...NUMBER, ...EXISTENCE])
  if (NUMBER.includes(op) && (typeof v !== 'number' || !Number.isFinite(v))) bad([...at, op], 'should be a number', v)
  const x = v as number
  switch (op) {
    case 'equals':
      return { test: (n) => n === x, plan: (pid) => ({ k: 'num', pid, lo: x, loIncl: true, hi: x, hiIncl: true, negate: false }) }
    case 'does_not_equal':
      return { test: (n) => n !== x, plan: (pid) => ({ k: 'num', pid, lo: x, loIncl: true, hi: x, hiIncl: true, negate: true }) }
    case 'greater_than':
      return { test: (n) => n !== null && n > x, plan: (pid) => ({ k: 'num', pid, lo: x, loIncl: false, negate: false }) }
    case 'less_than':
      return { test: (n) => n !== null && n < x, plan: (pid) => ({ k: 'num', pid, hi: x, hiIncl: false, negate: false }) }
    case 'greater_than_or_equal_to':
      return { test: (n) => n !== null && n >= x, plan: (pid) => ({ k: 'num', pid, lo: x, loIncl: true, negate: false }) }
    case 'less_than_or_equal_to':
      return { test: (n) => n !== null && n <= x, plan: (pid) => ({ k: 'num', pid, hi: x, hiIncl: true, negate: false }) }
    case 'is_empty':
      return { test: (n) => n === null, plan: (pid) => ({ k: 'has', pid, negate: true }) }
    default:
      return { test: (n) => n !== null, plan: (pid) => ({ k: 'has', pid, negate: false }) }
  }
}

/** A checkbox condition (`equals`/`does_not_equal` a boolean). @throws NotionApiError validation_error */
export function checkboxCond(raw: unknown, at: Path): Cond<boolean> {
  const [op, v] = oneCondition(raw, at, ['equals', 'does_not_equal'])
  if (typeof v !== 'boolean') bad([...at, op], 'should be a boolean', v)
  const wantChecked = op === 'equals' ? v === true : v === false
  return { test: (b) => b === wantChecked, plan: (pid) => ({ k: 'has', pid, negate: !wantChecked }) }
}

/** Option ids of `prop` whose names match `names` (case-insensitive). */
function optionIds(prop: PropertyConfig | undefined, names: string[]): string[] {
  const wanted = names.map(lower)
  const options = (prop?.config.options as { id: string; name: string }[] | undefined) ?? []
  return options.filter((o) => wanted.includes(lower(o.name))).map((o) => o.id)
}

/**
 * An option condition: select / status (`equals`, `does_not_equal`, one name or several) and multi_select (`contains`,
 * `does_not_contain`): over the option ids of a value. Names resolve through the schema's options,
 * so a renamed option is found under its new name. `names` is used for computed values (rollups),
 * which carry names.
 */
export function optionCond(raw: unknown, at: Path, prop: PropertyConfig | undefined, multi: boolean): Cond<{ id: string; name: string }[]> {
  const ops = multi ? ['contains', 'does_not_contain'] : ['equals', 'does_not_equal']
  const [op, v] = oneCondition(raw, at, [...ops, ...EXISTENCE])
  if (op === 'is_empty') return { test: (xs) => xs.length === 0, plan: (pid) => ({ k: 'has', pid, negate: true }) }
  if (op === 'is_not_empty') return { test: (xs) => xs.length > 0, plan: (pid) => ({ k: 'has', pid, negate: false }) }
  const names = stringList(v, [...at, op])
  const ids = optionIds(prop, names)
  const wanted = names.map(lower)
  const hit = (xs: { id: string; name: string }[]) => xs.some((x) => (prop ? ids.includes(x.id) : wanted.includes(lower(x.name))))
  const negate = op === 'does_not_equal' || op === 'does_not_contain'
  return { test: negate ? (xs) => !hit(xs) : hit, plan: (pid) => ({ k: 'in', pid, values: ids, negate }) }
}

/**
 * A status condition. Before Notion-Version 2026-12-01 (`ctx.statusGroupFilters` false) it is an
 * option condition in which a value naming a status group (e.g. "In progress") also matches every
 * option of that group (docs/reference/notion-api-2026.md §4.3). With the new behaviour
 * (§6.1 row 2), `equals`/`does_not_equal` match option names only, and the group operators
 * `group_equals`/`group_does_not_equal` (one group name or several) match the options of those groups.
 * @throws NotionApiError validation_error
 */
export function statusCond(
  raw: unknown,
  at: Path,
  prop: PropertyConfig | undefined,
  ctx: QueryContext,
): Cond<{ id: string; name: string }[]> {
  const groups = (prop?.config.groups as { name: string; option_ids: string[] }[] | undefined) ?? []
  const groupOps = ctx.statusGroupFilters ? ['group_equals', 'group_does_not_equal'] : []
  const [op, v] = oneCondition(raw, at, ['equals', 'does_not_equal', ...groupOps, ...EXISTENCE])
  if (op === 'is_empty' || op === 'is_not_empty') return optionCond(raw, at, prop, false)
  const names = stringList(v, [...at, op])
  const wanted = names.map(lower)
  const inGroups = groups.filter((g) => wanted.includes(lower(g.name))).flatMap((g) => g.option_ids)
  let ids: string[]
  if (op === 'group_equals' || op === 'group_does_not_equal') ids = inGroups
  else ids = ctx.statusGroupFilters ? optionIds(prop, names) : [...new Set([...optionIds(prop, names), ...inGroups])]
  const hit = (xs: { id: string; name: string }[]) => xs.some((x) => (prop ? ids.includes(x.id) : wanted.includes(lower(x.name))))
  const negate = op === 'does_not_equal' || op === 'group_does_not_equal'
  return { test: negate ? (xs) => !hit(xs) : hit, plan: (pid) => ({ k: 'in', pid, values: ids, negate }) }
}

/**
 * A people / relation condition (`contains`/`does_not_contain` an id — `"me"` when `allowMe` — or
 * existence) over a list of ids. @throws NotionApiError validation_error
 */
export function idListCond(
  raw: unknown,
  at: Path,
  ctx: QueryContext,
  allowMe: boolean,
): Cond<string[]> & { id?: string; negate?: boolean; op: string } {
  const [op, v] = oneCondition(raw, at, ['contains', 'does_not_contain', ...EXISTENCE])
  if (op === 'is_empty') return { op, test: (ids) => ids.length === 0, plan: (pid) => ({ k: 'has', pid, negate: true }) }
  if (op === 'is_not_empty') return { op, test: (ids) => ids.length > 0, plan: (pid) => ({ k: 'has', pid, negate: false }) }
  let id: string | undefined
  if (allowMe && v === 'me') id = ctx.me
  else if (typeof v === 'string') id = parseId(v)
  if (!id) return bad([...at, op], 'should be a valid uuid', v)
  const the = id
  const negate = op === 'does_not_contain'
  return {
    op,
    id: the,
    negate,
    test: negate ? (ids) => !ids.includes(the) : (ids) => ids.includes(the),
    plan: (pid) => ({ k: 'in', pid, values: [the], negate }),
  }
}

/** A files condition (existence only) over the number of files. @throws NotionApiError validation_error */
export function filesCond(raw: unknown, at: Path): Cond<number> {
  const [op] = oneCondition(raw, at, EXISTENCE)
  return op === 'is_empty'
    ? { test: (n) => n === 0, plan: (pid) => ({ k: 'has', pid, negate: true }) }
    : { test: (n) => n > 0, plan: (pid) => ({ k: 'has', pid, negate: false }) }
}

/** A date condition over milliseconds (see `dateBounds`), with its bounds. @throws NotionApiError validation_error */
export function dateCond(raw: unknown, at: Path, ctx: QueryContext): Cond<number | null> & { bounds: DateBounds } {
  const b = dateBounds(raw, at, ctx)
  return {
    bounds: b,
    test: (ms) => inBounds(b, ms),
    plan: (pid) => ('exists' in b ? { k: 'has', pid, negate: !b.exists } : { k: 'num', pid, ...b, negate: false }),
  }
}

/** The predicate for one value family applied to a value accessor. */
export function stored<T>(cond: Cond<T>, prop: PropertyConfig, get: (v: unknown) => T): Compiled {
  return { pred: (row) => cond.test(get(rowValue(prop, row))), plan: cond.plan(prop.id), computed: false }
}

/**
 * A condition of type `ftype` over plain values, for formula results and rollup elements
 * (`prop` is the property whose options apply, when known).
 */
function valueCondition(ftype: string, cond: unknown, at: Path, ctx: QueryContext, prop?: PropertyConfig): (v: unknown) => boolean {
  switch (ftype) {
    case 'title':
    case 'rich_text':
    case 'string':
    case 'url':
    case 'email':
    case 'phone_number': {
      const c = textCond(cond, at)
      return (v) => c.test(textOfValue(v))
    }
    case 'number':
    case 'unique_id': {
      const c = numberCond(cond, at)
      return (v) => c.test(numberOfValue(v))
    }
    case 'checkbox': {
      const c = checkboxCond(cond, at)
      return (v) => c.test(v === true)
    }
    case 'select':
    case 'status':
    case 'multi_select': {
      const c = optionCond(cond, at, prop, ftype === 'multi_select')
      return (v) => c.test(optionsOfValue(v))
    }
    case 'date': {
      const c = dateCond(cond, at, ctx)
      return (v) => c.test(dateOfValue(v))
    }
    case 'people':
    case 'relation': {
      const c = idListCond(cond, at, ctx, ftype === 'people')
      return (v) => c.test(idsOfValue(v))
    }
    case 'files': {
      const c = filesCond(cond, at)
      return (v) => c.test(Array.isArray(v) ? v.length : 0)
    }
    default:
      return bad(at, 'should be not present', cond)
  }
}

/** `{formula: {string|checkbox|number|date: condition}}` over the formula's `{type, <type>}` result. */
export function formulaFilter(cond: unknown, at: Path, ctx: QueryContext, prop: PropertyConfig): Compiled {
  const [kind, inner] = oneCondition(cond, at, ['string', 'checkbox', 'number', 'date'])
  const wire = kind === 'checkbox' ? 'boolean' : kind
  const test = valueCondition(kind === 'string' ? 'string' : kind, inner, [...at, kind], ctx)
  return {
    pred: (row) => {
      const v = rowValue(prop, row) as { type?: string; [k: string]: unknown } | null
      const inner = v && v.type === wire ? v[wire] : null
      return test(kind === 'checkbox' ? inner === true : (inner ?? null))
    },
    plan: null,
    computed: true,
  }
}

const ROLLUP_ELEMENT_TYPES = ['rich_text', 'number', 'checkbox', 'select', 'multi_select', 'relation', 'date', 'people', 'files', 'status']

/**
 * Rollup filters (SDK `RollupPropertyFilter`): `{any|every|none: {<type>: condition}}` over the
 * elements of an `array` result, `{number: condition}` over a number result, `{date: condition}` over
 * a date result.
 */
export function rollupFilter(
  cond: unknown,
  at: Path,
  ctx: QueryContext,
  prop: PropertyConfig,
  schemaOfTarget: (id: string) => PropertyConfig | undefined,
): Compiled {
  const [kind, inner] = oneCondition(cond, at, ['any', 'every', 'none', 'number', 'date'])
  const get = (row: QueryRow) => rowValue(prop, row) as { type?: string; [k: string]: unknown } | null
  if (kind === 'number' || kind === 'date') {
    const test = valueCondition(kind, inner, [...at, kind], ctx)
    return {
      pred: (row) => {
        const v = get(row)
        return test(v && v.type === kind ? (v[kind] ?? null) : null)
      },
      plan: null,
      computed: true,
    }
  }
  const [etype, econd] = oneCondition(inner, [...at, kind], ROLLUP_ELEMENT_TYPES)
  const rolled = schemaOfTarget(String((prop.config as { rollup_property_id?: string }).rollup_property_id ?? ''))
  const test = valueCondition(
    etype,
    econd,
    [...at, kind, etype],
    ctx,
    rolled && (rolled.type === etype || (etype === 'rich_text' && rolled.type === 'title')) ? rolled : undefined,
  )
  const elements = (row: QueryRow): unknown[] => {
    const v = get(row)
    if (!v || v.type !== 'array' || !Array.isArray(v.array)) return []
    return (v.array as { type: string; [k: string]: unknown }[]).map((e) => e[e.type])
  }
  const pred: Predicate =
    kind === 'any'
      ? (row) => elements(row).some(test)
      : kind === 'every'
        ? (row) => elements(row).every(test)
        : (row) => !elements(row).some(test)
  return { pred, plan: null, computed: true }
}

/** `{verification: {status: "verified"|"expired"|"none"}}` over `{state, date, verified_by}`. */
export function verificationFilter(cond: unknown, at: Path, ctx: QueryContext, prop: PropertyConfig): Compiled {
  const [, v] = oneCondition(cond, at, ['status'])
  if (v !== 'verified' && v !== 'expired' && v !== 'none') bad([...at, 'status'], 'should be `"verified"`, `"expired"` or `"none"`', v)
  const statusOf = (row: QueryRow): string => {
    const x = rowValue(prop, row) as { state?: string; date?: { end?: string | null } | null } | null
    if (!x || x.state !== 'verified') return x?.state === 'expired' ? 'expired' : 'none'
    const end = x.date?.end ? dateMs(x.date.end) : null
    return end !== null && end < ctx.now ? 'expired' : 'verified'
  }
  return { pred: (row) => statusOf(row) === v, plan: null, computed: true }
}
