import type { BinaryOp, Node } from './ast.js'
import {
  addUnits,
  between,
  dayOf,
  fieldsOf,
  formatWith,
  isoDay,
  isoWeek,
  parseIso,
  parseUnit,
  resolveZone,
  zoneOf,
  type FDate,
  type Unit,
} from './dates.js'
import { at, children, parse } from './parser.js'
import { MAX_REGEX_INPUT, regexFor, regexMatchAll, regexProblem, regexReplace, regexTest, type CompiledRegex } from './regex.js'
import {
  compare,
  equals,
  fits,
  fromWire,
  isDate,
  isEmpty,
  isPage,
  isPerson,
  propTy,
  resultTypeOf,
  T,
  toText,
  tyName,
  unify,
  type Env,
  type Ty,
  type Value,
} from './values.js'
import {
  FormulaError,
  type CompiledFormula,
  type FormulaContext,
  type FormulaPropertyRef,
  type FormulaResultType,
  type FormulaWireValue,
} from './types.js'

/**
 * Compiles a checked syntax tree into closures. Every node is type-checked once, at compile time,
 * against Notion formula 2.0's types; evaluation then only walks closures. Values of static type
 * `any` (items of an empty list literal, formulas/rollups of unknown result type) are checked when
 * evaluated, and a mismatch then makes the whole result empty rather than wrong.
 */

/** A runtime failure (bad dynamic argument, size limit): the formula's result is empty. */
class Fail extends Error {}

const MAX_TEXT = 1_000_000
const MAX_LIST = 100_000
/**
 * Work budget of one evaluation: every character of text and every list item a function produces,
 * and every step of map()/filter()/… costs one unit. Past it the result is empty, so no formula can
 * hold the server (e.g. nested map() over a long split(), or repeat() inside map()).
 */
const MAX_WORK = 1_000_000
let work = 0
function charge(units: number): void {
  work += units
  if (work > MAX_WORK) throw new Fail()
}

interface Rt {
  env: Env
  ctx: FormulaContext
  slots: Value[]
  props: Map<string, Value>
}
type Run = (rt: Rt) => Value
interface C {
  ty: Ty
  run: Run
  node: Node
}
interface Var {
  ty: Ty
  slot: number
}
/**
 * The variables visible while compiling (let/lets names, `current`, `index`): one map for the whole
 * compilation, bindings added when compilation enters let()/lets()/map()/… and undone when it
 * leaves, so a binding costs O(1) whatever the number of variables already in scope (a copy of the
 * scope per binding made `lets(a0, 0, …, a3999, 3999, 1)` quadratic in time and memory).
 */
class Scope {
  private readonly vars = new Map<string, Var>()
  get(name: string): Var | undefined {
    return this.vars.get(name)
  }
  /** Binds `name` to `v`, shadowing any outer binding; returns the undo (call undos in reverse order). */
  bind(name: string, v: Var): () => void {
    const prev = this.vars.get(name)
    this.vars.set(name, v)
    return () => {
      if (prev) this.vars.set(name, prev)
      else this.vars.delete(name)
    }
  }
}
interface Unit_ {
  props: FormulaPropertyRef[]
  byName: Map<string, FormulaPropertyRef>
  byId: Map<string, FormulaPropertyRef>
  referenced: Set<string>
  slots: number
  /** Compile steps so far (nodes compiled and variables bound), bounded by MAX_COMPILE_STEPS. */
  steps: number
}

/**
 * Compile budget: nodes compiled plus variables bound. Compilation is linear in the expression, so
 * this (with the parser's length and nesting limits) bounds the time and memory one formula costs.
 */
export const MAX_COMPILE_STEPS = 10_000

function step(n: Node, u: Unit_): void {
  if (++u.steps > MAX_COMPILE_STEPS)
    throw new FormulaError(`Formula is too complex (more than ${MAX_COMPILE_STEPS} operations and variables)${at(n.pos)}.`, n.pos)
}

/** An error at a node: at its operator for binary operations, at the function name for calls. */
const err = (msg: string, node: Node): FormulaError => {
  const pos = node.kind === 'binary' ? node.opPos : node.kind === 'call' ? node.namePos : node.pos
  return new FormulaError(`${msg}${at(pos)}.`, pos)
}
const text = (s: string): string => {
  if (s.length > MAX_TEXT) throw new Fail()
  charge(s.length)
  return s
}
const list = <V>(l: V[]): V[] => {
  if (l.length > MAX_LIST) throw new Fail()
  charge(l.length)
  return l
}

// ---------------------------------------------------------------------------------------------
// Function signatures

type P = 'number' | 'string' | 'boolean' | 'date' | 'person' | 'page' | 'any' | 'list' | 'numbers' | 'textOrList' | 'personOrPage'

interface Sig {
  params: P[]
  /** How many of `params` may be left out (trailing). */
  optional?: number
  /** Type of any further arguments (variadic). */
  rest?: P
  ret: Ty | ((args: Ty[]) => Ty)
  fn: (v: Value[], rt: Rt, args: C[]) => Value
  /** Compile-time checks of literal arguments (units, regular expressions). */
  check?: (args: C[]) => void
  /** When false, a null number/date argument is passed through instead of making the result null. */
  propagateNull?: boolean
}

function paramFits(t: Ty, p: P): boolean {
  if (t.k === 'any' || p === 'any') return true
  switch (p) {
    case 'list':
      return t.k === 'list'
    case 'numbers':
      return t.k === 'number' || (t.k === 'list' && fits(t.of, T.number))
    case 'textOrList':
      return t.k === 'string' || t.k === 'list'
    case 'personOrPage':
      return t.k === 'person' || t.k === 'page'
    default:
      return t.k === p
  }
}

function valueFits(v: Value, p: P): boolean {
  switch (p) {
    case 'any':
      return true
    case 'number':
      return typeof v === 'number'
    case 'string':
      return typeof v === 'string'
    case 'boolean':
      return typeof v === 'boolean'
    case 'date':
      return isDate(v)
    case 'person':
      return isPerson(v)
    case 'page':
      return isPage(v)
    case 'list':
      return Array.isArray(v)
    case 'numbers':
      return typeof v === 'number' || Array.isArray(v)
    case 'textOrList':
      return typeof v === 'string' || Array.isArray(v)
    case 'personOrPage':
      return isPerson(v) || isPage(v)
  }
}

const pName = (p: P): string =>
  p === 'numbers'
    ? 'number or list of numbers'
    : p === 'textOrList'
      ? 'text or list'
      : p === 'personOrPage'
        ? 'person or page'
        : p === 'string'
          ? 'text'
          : p

const N = (v: Value | undefined): number => v as number
const S = (v: Value | undefined): string => v as string
const D = (v: Value | undefined): FDate => v as FDate
const L = (v: Value | undefined): Value[] => v as Value[]
const elem = (t: Ty | undefined): Ty => (t?.k === 'list' ? t.of : T.any)
const same =
  (i: number) =>
  (a: Ty[]): Ty =>
    a[i] ?? T.any

function literalString(c: C | undefined): string | undefined {
  return c?.node.kind === 'string' ? c.node.value : undefined
}
function checkUnit(i: number) {
  return (args: C[]): void => {
    const lit = literalString(args[i])
    if (lit !== undefined && parseUnit(lit) === null) {
      throw err(
        `Unknown date unit "${lit}"; use years, quarters, months, weeks, days, hours, minutes, seconds or milliseconds`,
        (args[i] as C).node,
      )
    }
  }
}
function checkRegex(i: number) {
  return (args: C[]): void => {
    const lit = literalString(args[i])
    const problem = lit === undefined ? null : regexProblem(lit)
    if (problem !== null) throw err(`The pattern "${lit}" ${problem}`, (args[i] as C).node)
  }
}
function unit(v: Value | undefined): Unit {
  const u = parseUnit(S(v))
  if (u === null) throw new Fail()
  return u
}
/**
 * Runs `f` with the RE2 pattern `pattern` over `input`, charging the match's cost to the work
 * budget. A refused dynamic pattern (invalid, backreference, lookaround) or an input over
 * MAX_REGEX_INPUT characters makes the result empty.
 */
function withRegex<R>(pattern: Value | undefined, input: string, f: (re: CompiledRegex, input: string) => R): R {
  if (input.length > MAX_REGEX_INPUT) throw new Fail()
  const r = regexFor(S(pattern ?? ''), input.length)
  if (r === null) throw new Fail()
  charge(r.cost)
  return f(r.re, input)
}

function flatNumbers(vals: Value[]): number[] {
  const out: number[] = []
  const walk = (v: Value): void => {
    if (v === null) return
    if (typeof v === 'number') {
      out.push(v)
      return
    }
    if (Array.isArray(v)) {
      v.forEach(walk)
      return
    }
    throw new Fail()
  }
  vals.forEach(walk)
  return out
}

const mkDate = (start: number, end: number | null, hasTime: boolean): FDate => {
  if (!Number.isFinite(start) || Math.abs(start) > 8.64e15 || (end !== null && (!Number.isFinite(end) || Math.abs(end) > 8.64e15)))
    throw new Fail()
  return { kind: 'date', start, end, hasTime }
}
function shift(d: FDate, amount: number, u: Unit, rt: Rt): FDate {
  const timeUnit = u === 'hours' || u === 'minutes' || u === 'seconds' || u === 'milliseconds'
  const tz = zoneOf(d, rt.env.tz)
  return mkDate(addUnits(d.start, amount, u, tz), d.end === null ? null : addUnits(d.end, amount, u, tz), d.hasTime || timeUnit)
}
function field(f: (d: FDate, rt: Rt) => number): Sig {
  return { params: ['date'], ret: T.number, fn: ([d], rt) => f(D(d), rt) }
}
const fieldsAt = (d: FDate, rt: Rt) => fieldsOf(d.start, zoneOf(d, rt.env.tz))

function math(f: (x: number) => number): Sig {
  return { params: ['number'], ret: T.number, fn: ([x]) => f(N(x)) }
}
function aggregate(f: (xs: number[]) => number | null): Sig {
  return { params: ['numbers'], rest: 'numbers', ret: T.number, propagateNull: false, fn: (v) => f(flatNumbers(v)) }
}

const SIGS: Record<string, Sig[]> = {
  // logic (Notion 1.0 function forms of the operators are still accepted by 2.0)
  and: [{ params: ['boolean', 'boolean'], rest: 'boolean', ret: T.boolean, fn: (v) => v.every((x) => x === true) }],
  or: [{ params: ['boolean', 'boolean'], rest: 'boolean', ret: T.boolean, fn: (v) => v.some((x) => x === true) }],
  not: [{ params: ['boolean'], ret: T.boolean, fn: ([x]) => x !== true }],
  empty: [{ params: ['any'], ret: T.boolean, propagateNull: false, fn: ([x]) => isEmpty(x ?? null) }],

  // math
  unaryMinus: [math((x) => -x)],
  unaryPlus: [{ params: ['any'], ret: T.number, propagateNull: false, fn: ([x]) => toNumber(x ?? null) }],
  abs: [math(Math.abs)],
  ceil: [math(Math.ceil)],
  floor: [math(Math.floor)],
  round: [
    {
      params: ['number', 'number'],
      optional: 1,
      ret: T.number,
      fn: ([x, places]) => {
        const p = places === undefined ? 0 : Math.trunc(N(places))
        if (p === 0) return Math.round(N(x))
        const f = 10 ** Math.min(Math.max(p, -300), 300)
        return Math.round(N(x) * f) / f
      },
    },
  ],
  sqrt: [math(Math.sqrt)],
  cbrt: [math(Math.cbrt)],
  exp: [math(Math.exp)],
  ln: [math(Math.log)],
  log10: [math(Math.log10)],
  log2: [math(Math.log2)],
  sign: [math((x) => Math.sign(x))],
  pi: [{ params: [], ret: T.number, fn: () => Math.PI }],
  e: [{ params: [], ret: T.number, fn: () => Math.E }],
  max: [aggregate((xs) => (xs.length === 0 ? null : xs.reduce((a, b) => Math.max(a, b))))],
  min: [aggregate((xs) => (xs.length === 0 ? null : xs.reduce((a, b) => Math.min(a, b))))],
  sum: [aggregate((xs) => xs.reduce((a, b) => a + b, 0))],
  mean: [aggregate((xs) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length))],
  median: [
    aggregate((xs) => {
      if (xs.length === 0) return null
      const s = [...xs].sort((a, b) => a - b)
      const mid = s.length >> 1
      return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
    }),
  ],
  toNumber: [{ params: ['any'], ret: T.number, propagateNull: false, fn: ([x]) => toNumber(x ?? null) }],

  // text
  length: [{ params: ['textOrList'], ret: T.number, fn: ([x]) => (typeof x === 'string' ? x.length : L(x).length) }],
  format: [{ params: ['any'], ret: T.string, propagateNull: false, fn: ([x], rt) => text(toText(x ?? null, rt.env)) }],
  substring: [
    {
      params: ['string', 'number', 'number'],
      optional: 1,
      ret: T.string,
      fn: ([s, a, b]) => S(s).substring(N(a), b === undefined ? undefined : N(b)),
    },
  ],
  contains: [
    {
      params: ['textOrList', 'any'],
      ret: T.boolean,
      propagateNull: false,
      fn: ([s, x], rt) =>
        Array.isArray(s)
          ? s.some((i) => equals(i, x ?? null)) || toText(s, rt.env).includes(toText(x ?? null, rt.env))
          : S(s).includes(toText(x ?? null, rt.env)),
    },
  ],
  test: [
    {
      params: ['any', 'string'],
      ret: T.boolean,
      propagateNull: false,
      check: checkRegex(1),
      fn: ([s, p], rt) => withRegex(p, toText(s ?? null, rt.env), regexTest),
    },
  ],
  match: [
    {
      params: ['string', 'string'],
      ret: T.list(T.string),
      check: checkRegex(1),
      fn: ([s, p]) => list(withRegex(p, S(s ?? ''), regexMatchAll)),
    },
  ],
  replace: [
    {
      params: ['any', 'string', 'string'],
      ret: T.string,
      propagateNull: false,
      check: checkRegex(1),
      fn: ([s, p, r], rt) => text(withRegex(p, toText(s ?? null, rt.env), (re, i) => regexReplace(re, i, S(r ?? ''), false))),
    },
  ],
  replaceAll: [
    {
      params: ['any', 'string', 'string'],
      ret: T.string,
      propagateNull: false,
      check: checkRegex(1),
      fn: ([s, p, r], rt) => text(withRegex(p, toText(s ?? null, rt.env), (re, i) => regexReplace(re, i, S(r ?? ''), true))),
    },
  ],
  lower: [{ params: ['string'], ret: T.string, fn: ([s]) => S(s).toLowerCase() }],
  upper: [{ params: ['string'], ret: T.string, fn: ([s]) => S(s).toUpperCase() }],
  trim: [{ params: ['string'], ret: T.string, fn: ([s]) => S(s).trim() }],
  repeat: [
    {
      params: ['string', 'number'],
      ret: T.string,
      fn: ([s, n]) => {
        const k = Math.max(0, Math.trunc(N(n)))
        if (S(s).length * k > MAX_TEXT) throw new Fail()
        return S(s).repeat(k)
      },
    },
  ],
  padStart: [
    {
      params: ['string', 'number', 'string'],
      optional: 1,
      ret: T.string,
      fn: ([s, n, p]) => pad(S(s), N(n), p === undefined ? ' ' : S(p), 'start'),
    },
  ],
  padEnd: [
    {
      params: ['string', 'number', 'string'],
      optional: 1,
      ret: T.string,
      fn: ([s, n, p]) => pad(S(s), N(n), p === undefined ? ' ' : S(p), 'end'),
    },
  ],
  link: [{ params: ['string', 'string'], ret: T.string, fn: ([label]) => S(label) }],
  style: [{ params: ['string'], rest: 'string', ret: T.string, fn: ([s]) => S(s) }],
  unstyle: [{ params: ['string'], rest: 'string', ret: T.string, fn: ([s]) => S(s) }],
  split: [
    {
      params: ['string', 'string'],
      optional: 1,
      ret: T.list(T.string),
      fn: ([s, sep]) => list(S(s).split(sep === undefined ? ' ' : S(sep))),
    },
  ],
  join: [
    {
      params: ['list', 'string'],
      ret: T.string,
      fn: ([l, sep], rt) =>
        text(
          L(l)
            .map((x) => toText(x, rt.env))
            .join(S(sep)),
        ),
    },
  ],
  concat: [
    {
      params: ['list'],
      rest: 'list',
      ret: (a) => a.reduce((x, y) => unify(x, y) ?? T.list(T.any)),
      fn: (v) => list(v.flatMap((l) => L(l ?? []))),
    },
    { params: ['string'], rest: 'string', ret: T.string, fn: (v) => text(v.map((s) => S(s ?? '')).join('')) },
  ],

  // people and pages
  name: [{ params: ['person'], ret: T.string, fn: ([p = null]) => (isPerson(p) ? p.name : '') }],
  email: [{ params: ['person'], ret: T.string, fn: ([p = null]) => (isPerson(p) ? p.email : '') }],
  id: [{ params: ['personOrPage'], ret: T.string, fn: ([p = null]) => (isPerson(p) || isPage(p) ? p.id : '') }],

  // dates
  now: [{ params: [], ret: T.date, fn: (_, rt) => mkDate(rt.env.now, null, true) }],
  today: [{ params: [], ret: T.date, fn: (_, rt) => mkDate(dayOf(rt.env.now, rt.env.tz), null, false) }],
  minute: [field((d, rt) => fieldsAt(d, rt).mi)],
  hour: [field((d, rt) => fieldsAt(d, rt).h)],
  day: [field((d, rt) => fieldsAt(d, rt).dow || 7)],
  date: [field((d, rt) => fieldsAt(d, rt).d)],
  week: [
    field((d, rt) => {
      const f = fieldsAt(d, rt)
      return isoWeek(f.y, f.mo, f.d).week
    }),
  ],
  month: [field((d, rt) => fieldsAt(d, rt).mo)],
  year: [field((d, rt) => fieldsAt(d, rt).y)],
  dateAdd: [
    { params: ['date', 'number', 'string'], ret: T.date, check: checkUnit(2), fn: ([d, n, u], rt) => shift(D(d), N(n), unit(u ?? ''), rt) },
  ],
  dateSubtract: [
    {
      params: ['date', 'number', 'string'],
      ret: T.date,
      check: checkUnit(2),
      fn: ([d, n, u], rt) => shift(D(d), -N(n), unit(u ?? ''), rt),
    },
  ],
  dateBetween: [
    {
      params: ['date', 'date', 'string'],
      ret: T.number,
      check: checkUnit(2),
      fn: ([a, b, u], rt) => between(D(a).start, zoneOf(D(a), rt.env.tz), D(b).start, zoneOf(D(b), rt.env.tz), unit(u ?? '')),
    },
  ],
  dateRange: [
    {
      params: ['date', 'date'],
      ret: T.date,
      fn: ([a, b]) => mkDate(D(a).start, D(b).end ?? D(b).start, D(a).hasTime || D(b).hasTime),
    },
  ],
  dateStart: [{ params: ['date'], ret: T.date, fn: ([d]) => mkDate(D(d).start, null, D(d).hasTime) }],
  dateEnd: [{ params: ['date'], ret: T.date, fn: ([d]) => mkDate(D(d).end ?? D(d).start, null, D(d).hasTime) }],
  timestamp: [{ params: ['date'], ret: T.number, fn: ([d]) => D(d).start }],
  fromTimestamp: [{ params: ['number'], ret: T.date, fn: ([n]) => mkDate(N(n), null, true) }],
  formatDate: [
    {
      // formatDate(date, pattern, [time zone]): the optional zone overrides the evaluation zone.
      params: ['date', 'string', 'string'],
      optional: 1,
      ret: T.string,
      check: (args) => {
        const lit = literalString(args[2])
        if (lit !== undefined && resolveZone(lit) === null) throw err(`Unknown time zone "${lit}"`, (args[2] as C).node)
      },
      fn: ([d, f, tzName], rt) => {
        const explicit = tzName === undefined ? null : resolveZone(S(tzName))
        if (tzName !== undefined && explicit === null) throw new Fail()
        const zone = zoneOf(D(d), explicit ?? rt.env.tz)
        const start = formatWith(D(d).start, zone, S(f ?? ''))
        return text(D(d).end === null ? start : `${start} → ${formatWith(D(d).end as number, zone, S(f ?? ''))}`)
      },
    },
  ],
  parseDate: [
    {
      params: ['string'],
      ret: T.date,
      fn: ([s], rt) => {
        const p = parseIso(S(s), rt.env.tz)
        return p === null ? null : mkDate(p.ms, null, p.hasTime)
      },
    },
  ],

  // lists
  at: [{ params: ['list', 'number'], ret: (a) => elem(a[0]), fn: ([l, i]) => L(l).at(Math.trunc(N(i))) ?? null }],
  first: [{ params: ['list'], ret: (a) => elem(a[0]), fn: ([l]) => L(l)[0] ?? null }],
  last: [{ params: ['list'], ret: (a) => elem(a[0]), fn: ([l]) => L(l).at(-1) ?? null }],
  slice: [
    {
      params: ['list', 'number', 'number'],
      optional: 1,
      ret: same(0),
      fn: ([l, a, b]) => L(l).slice(N(a), b === undefined ? undefined : N(b)),
    },
    {
      params: ['string', 'number', 'number'],
      optional: 1,
      ret: T.string,
      fn: ([s, a, b]) => S(s).slice(N(a), b === undefined ? undefined : N(b)),
    },
  ],
  reverse: [{ params: ['list'], ret: same(0), fn: ([l]) => [...L(l)].reverse() }],
  unique: [
    {
      params: ['list'],
      ret: same(0),
      fn: ([l]) => {
        const seen = new Set<string>()
        return L(l).filter((x) => {
          const k = identity(x)
          return !seen.has(k) && !!seen.add(k)
        })
      },
    },
  ],
  includes: [
    { params: ['list', 'any'], ret: T.boolean, propagateNull: false, fn: ([l, x]) => L(l).some((y) => equals(y, x ?? null)) },
    { params: ['string', 'string'], ret: T.boolean, fn: ([s, x]) => S(s).includes(S(x)) },
  ],
  flat: [
    {
      params: ['list'],
      ret: (a) => {
        const e = elem(a[0])
        return e.k === 'list' ? e : e.k === 'any' ? T.list(T.any) : (a[0] ?? T.any)
      },
      fn: ([l]) => list(L(l).flatMap((x) => (Array.isArray(x) ? x : [x]))),
    },
  ],
}

/** A key equal for values `equals()` considers equal (for unique()). */
function identity(v: Value): string {
  if (v === null) return 'n'
  if (typeof v === 'number') return `N${Object.is(v, -0) ? 0 : v}`
  if (typeof v === 'string') return `S${v}`
  if (typeof v === 'boolean') return v ? 'T' : 'F'
  if (Array.isArray(v)) return `L${v.length}[${v.map(identity).join('\u0000')}]`
  return v.kind === 'date' ? `D${v.start}/${v.end}` : `${v.kind === 'person' ? 'P' : 'G'}${v.id}`
}

function toNumber(v: Value): number | null {
  if (v === null) return null
  if (typeof v === 'number') return v
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'string') {
    const n = Number.parseFloat(v.trim())
    return Number.isNaN(n) ? null : n
  }
  if (isDate(v)) return v.start
  throw new Fail()
}

function pad(s: string, n: number, p: string, side: 'start' | 'end'): string {
  if (n > MAX_TEXT) throw new Fail()
  return side === 'start' ? s.padStart(n, p) : s.padEnd(n, p)
}

/** Functions Notion has but Octavo does not evaluate: a clear compile-time error instead of a wrong value. */
const UNSUPPORTED: Record<string, string> = {
  id: "id() without an argument (the current page's id) is not supported in Octavo formulas",
}

/** Function forms of the operators (Notion 1.0 names, still accepted): same typing as the operator. */
const OPERATOR_FUNCS: Record<string, BinaryOp> = {
  add: '+',
  subtract: '-',
  multiply: '*',
  divide: '/',
  mod: '%',
  pow: '^',
  equal: '==',
  unequal: '!=',
  larger: '>',
  largerEq: '>=',
  smaller: '<',
  smallerEq: '<=',
}
/** Notion 1.0 names that formula 2.0 renamed. */
const ALIASES: Record<string, string> = { start: 'dateStart', end: 'dateEnd' }

const LAMBDA_FUNCS = new Set(['map', 'filter', 'find', 'findIndex', 'some', 'every'])

// ---------------------------------------------------------------------------------------------
// The compiler

function compileNode(n: Node, scope: Scope, u: Unit_): C {
  step(n, u)
  switch (n.kind) {
    case 'number': {
      const v = n.value
      return { ty: T.number, run: () => v, node: n }
    }
    case 'string': {
      const v = n.value
      return { ty: T.string, run: () => v, node: n }
    }
    case 'boolean': {
      const v = n.value
      return { ty: T.boolean, run: () => v, node: n }
    }
    case 'list': {
      const items = n.items.map((i) => compileNode(i, scope, u))
      let ty: Ty = T.any
      for (const i of items) ty = unify(ty, i.ty) ?? T.any
      // Items of different types make a list of mixed values, checked where they are used.
      return { ty: T.list(ty), run: (rt) => items.map((i) => i.run(rt)), node: n }
    }
    case 'ident': {
      const v = scope.get(n.name)
      if (v) {
        const slot = v.slot
        return { ty: v.ty, run: (rt) => rt.slots[slot] ?? null, node: n }
      }
      if (n.name === 'pi') return { ty: T.number, run: () => Math.PI, node: n }
      if (n.name === 'e') return { ty: T.number, run: () => Math.E, node: n }
      if (n.name === 'current' || n.name === 'index')
        throw err(`"${n.name}" can only be used inside map(), filter(), find(), findIndex(), some(), every() or sort()`, n)
      if (n.name === 'null')
        throw err(
          'There is no null literal in Notion formulas; an empty value comes from an empty property or a function such as first([])',
          n,
        )
      throw err(`Unknown variable "${n.name}"`, n)
    }
    case 'propRef': {
      const ref = u.byId.get(n.id) ?? u.byId.get(safeDecode(n.id))
      if (!ref) throw err(`The referenced property "${n.id}" does not exist`, n)
      return propNode(ref, n, u)
    }
    case 'unary': {
      const o = compileNode(n.operand, scope, u)
      if (n.op === 'not') {
        expectTy(o, T.boolean, `the operand of "not"`)
        return {
          ty: T.boolean,
          run: (rt) => {
            const v = o.run(rt)
            checkRt(v, 'boolean')
            return v !== true
          },
          node: n,
        }
      }
      if (n.op === '+') {
        if (!(o.ty.k === 'number' || o.ty.k === 'any' || o.ty.k === 'string' || o.ty.k === 'boolean'))
          throw err(`Unary "+" cannot be applied to ${tyName(o.ty)}`, n)
        return { ty: T.number, run: (rt) => toNumber(o.run(rt)), node: n }
      }
      expectTy(o, T.number, `the operand of "-"`)
      return {
        ty: T.number,
        run: (rt) => {
          const v = o.run(rt)
          checkRt(v, 'number')
          return v === null ? null : -N(v)
        },
        node: n,
      }
    }
    case 'binary':
      return binary(n.op, compileNode(n.left, scope, u), compileNode(n.right, scope, u), n)
    case 'conditional': {
      const c = compileNode(n.test, scope, u)
      expectTy(c, T.boolean, 'the condition of "? :"')
      const a = compileNode(n.then, scope, u)
      const b = compileNode(n.otherwise, scope, u)
      const ty = unify(a.ty, b.ty)
      if (ty === null) throw err(`Both branches of "? :" must have the same type, but they are ${tyName(a.ty)} and ${tyName(b.ty)}`, n)
      return { ty, run: (rt) => (truthy(c.run(rt)) ? a.run(rt) : b.run(rt)), node: n }
    }
    case 'call':
      return call(n, scope, u)
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

function propNode(ref: FormulaPropertyRef, n: Node, u: Unit_): C {
  if (ref.type === 'formula' && ref.resultType === undefined) {
    // Type-checking needs the other formula's type; the caller compiles formulas in dependency order.
    throw err(
      `Formula property "${ref.name}" has no known result type: it refers back to this formula (a circular reference) or does not compile itself`,
      n,
    )
  }
  const ty = propTy(ref.type, ref.resultType)
  if (ty === null) throw err(`Property "${ref.name}" is of type ${ref.type}, which formulas cannot read`, n)
  u.referenced.add(ref.id)
  const id = ref.id
  const type = ref.type
  return {
    ty,
    run: (rt) => {
      let v = rt.props.get(id)
      if (v === undefined) {
        v = fromWire(type, rt.ctx.property(id), rt.env)
        rt.props.set(id, v)
      }
      return v
    },
    node: n,
  }
}

function truthy(v: Value): boolean {
  checkRt(v, 'boolean')
  return v === true
}

/** At evaluation, a value of static type `any` must still have the type the operation needs. */
function checkRt(v: Value, p: P): void {
  if (v !== null && !valueFits(v, p)) throw new Fail()
}

function expectTy(c: C, want: Ty, what: string): void {
  if (!fits(c.ty, want)) throw err(`Expected ${tyName(want)} for ${what}, but got ${tyName(c.ty)}`, c.node)
}

function binary(op: BinaryOp, a: C, b: C, n: Node): C {
  const both = (k: Ty['k']): boolean => fits(a.ty, { k } as Ty) && fits(b.ty, { k } as Ty)
  const mismatch = (): FormulaError => err(`Operator "${op}" cannot be applied to ${tyName(a.ty)} and ${tyName(b.ty)}`, n)
  switch (op) {
    case '+': {
      if (a.ty.k === 'string' || b.ty.k === 'string') {
        return { ty: T.string, run: (rt) => text(toText(a.run(rt), rt.env) + toText(b.run(rt), rt.env)), node: n }
      }
      if (!both('number')) throw mismatch()
      const ty = a.ty.k === 'number' && b.ty.k === 'number' ? T.number : T.any
      return {
        ty,
        run: (rt) => {
          const x = a.run(rt)
          const y = b.run(rt)
          if (typeof x === 'string' || typeof y === 'string') return text(toText(x, rt.env) + toText(y, rt.env))
          checkRt(x, 'number')
          checkRt(y, 'number')
          return x === null || y === null ? null : N(x) + N(y)
        },
        node: n,
      }
    }
    case '-':
    case '*':
    case '/':
    case '%':
    case '^': {
      if (!both('number')) throw mismatch()
      const f =
        op === '-'
          ? (x: number, y: number) => x - y
          : op === '*'
            ? (x: number, y: number) => x * y
            : op === '/'
              ? (x: number, y: number) => x / y
              : op === '%'
                ? (x: number, y: number) => x % y
                : (x: number, y: number) => x ** y
      return {
        ty: T.number,
        run: (rt) => {
          const x = a.run(rt)
          const y = b.run(rt)
          checkRt(x, 'number')
          checkRt(y, 'number')
          return x === null || y === null ? null : f(N(x), N(y))
        },
        node: n,
      }
    }
    case '>':
    case '>=':
    case '<':
    case '<=': {
      const k = [a.ty.k, b.ty.k].find((x) => x !== 'any') ?? 'any'
      if (!(k === 'number' || k === 'string' || k === 'date' || k === 'boolean' || k === 'any') || unify(a.ty, b.ty) === null)
        throw mismatch()
      const test =
        op === '>' ? (c: number) => c > 0 : op === '>=' ? (c: number) => c >= 0 : op === '<' ? (c: number) => c < 0 : (c: number) => c <= 0
      return {
        ty: T.boolean,
        run: (rt) => {
          const x = a.run(rt)
          const y = b.run(rt)
          if (x === null || y === null) return false
          const tx = typeof x === 'object' ? (isDate(x) ? 'date' : 'other') : typeof x
          const ty = typeof y === 'object' ? (isDate(y) ? 'date' : 'other') : typeof y
          if (tx !== ty || tx === 'other') throw new Fail()
          return test(compare(x, y, rt.env))
        },
        node: n,
      }
    }
    case '==':
    case '!=': {
      if (unify(a.ty, b.ty) === null) throw err(`Cannot compare ${tyName(a.ty)} with ${tyName(b.ty)} using "${op}"`, n)
      const negate = op === '!='
      return { ty: T.boolean, run: (rt) => equals(a.run(rt), b.run(rt)) !== negate, node: n }
    }
    case 'and':
    case 'or': {
      expectTy(a, T.boolean, `the left side of "${op}"`)
      expectTy(b, T.boolean, `the right side of "${op}"`)
      const isAnd = op === 'and'
      return {
        ty: T.boolean,
        run: (rt) => {
          const x = truthy(a.run(rt))
          if (isAnd ? !x : x) return x
          return truthy(b.run(rt))
        },
        node: n,
      }
    }
  }
}

function call(n: Extract<Node, { kind: 'call' }>, scope: Scope, u: Unit_): C {
  const name = n.name
  const argc = n.args.length
  switch (name) {
    case 'prop': {
      if (n.method) throw err('Reading a property of another page (….prop()) is not supported in Octavo formulas', n)
      const arg = n.args[0]
      if (argc !== 1 || arg?.kind !== 'string') throw err('prop() takes one argument: the property name in quotes, like prop("Name")', n)
      const ref = u.byName.get(arg.value)
      if (!ref) throw err(`Property "${arg.value}" does not exist`, arg)
      return propNode(ref, n, u)
    }
    case 'if': {
      if (argc !== 3) throw err(`if() takes 3 arguments (condition, value if true, value if false) but got ${argc}`, n)
      const [c, a, b] = n.args.map((x) => compileNode(x, scope, u)) as [C, C, C]
      expectTy(c, T.boolean, 'the condition of if()')
      const ty = unify(a.ty, b.ty)
      if (ty === null) throw err(`Both branches of if() must have the same type, but they are ${tyName(a.ty)} and ${tyName(b.ty)}`, n)
      return { ty, run: (rt) => (truthy(c.run(rt)) ? a.run(rt) : b.run(rt)), node: n }
    }
    case 'ifs': {
      if (argc < 3)
        throw err(`ifs() takes pairs of condition and value, then a default value, but got ${argc} argument${argc === 1 ? '' : 's'}`, n)
      const args = n.args.map((x) => compileNode(x, scope, u))
      const pairs: [C, C][] = []
      for (let i = 0; i + 1 < args.length; i += 2) {
        const c = args[i] as C
        expectTy(c, T.boolean, `condition ${i / 2 + 1} of ifs()`)
        pairs.push([c, args[i + 1] as C])
      }
      const fallback = argc % 2 === 1 ? (args[argc - 1] as C) : undefined
      let ty: Ty = T.any
      for (const v of [...pairs.map((p) => p[1]), ...(fallback ? [fallback] : [])]) {
        const next = unify(ty, v.ty)
        if (next === null) throw err(`All values of ifs() must have the same type, but ${tyName(ty)} and ${tyName(v.ty)} differ`, v.node)
        ty = next
      }
      return {
        ty,
        run: (rt) => {
          for (const [c, v] of pairs) if (truthy(c.run(rt))) return v.run(rt)
          return fallback ? fallback.run(rt) : null
        },
        node: n,
      }
    }
    case 'let':
    case 'lets': {
      if (argc < 3 || argc % 2 === 0 || (name === 'let' && argc !== 3)) {
        throw err(
          name === 'let'
            ? 'let() takes 3 arguments: a variable name, its value, and an expression'
            : 'lets() takes pairs of variable name and value, then an expression',
          n,
        )
      }
      const binds: [number, C][] = []
      const undo: (() => void)[] = []
      let body: C
      try {
        for (let i = 0; i + 1 < argc; i += 2) {
          const id = n.args[i] as Node
          if (id.kind !== 'ident') throw err(`Expected a variable name as argument ${i + 1} of ${name}()`, id)
          if (id.name === 'current' || id.name === 'index' || id.name === 'true' || id.name === 'false')
            throw err(`"${id.name}" cannot be used as a variable name`, id)
          step(id, u)
          const value = compileNode(n.args[i + 1] as Node, scope, u)
          const slot = u.slots++
          binds.push([slot, value])
          undo.push(scope.bind(id.name, { ty: value.ty, slot }))
        }
        body = compileNode(n.args[argc - 1] as Node, scope, u)
      } finally {
        for (let i = undo.length - 1; i >= 0; i--) (undo[i] as () => void)()
      }
      return {
        ty: body.ty,
        run: (rt) => {
          for (const [slot, v] of binds) rt.slots[slot] = v.run(rt)
          return body.run(rt)
        },
        node: n,
      }
    }
    case 'sort':
      return sortCall(n, scope, u)
  }
  if (LAMBDA_FUNCS.has(name)) return lambdaCall(n, scope, u)
  const op = OPERATOR_FUNCS[name]
  if (op !== undefined) {
    if (argc !== 2) throw err(`${name}() takes 2 arguments but got ${argc}`, n)
    return binary(op, compileNode(n.args[0] as Node, scope, u), compileNode(n.args[1] as Node, scope, u), n)
  }
  const alias = ALIASES[name]
  if (alias !== undefined) return call({ ...n, name: alias }, scope, u)
  if (argc === 0 && Object.hasOwn(UNSUPPORTED, name)) throw err(UNSUPPORTED[name] as string, n)
  const sigs = SIGS[name]
  if (!sigs) throw err(`Unknown function "${name}"`, n)
  const args = n.args.map((x) => compileNode(x, scope, u))
  const tys = args.map((a) => a.ty)
  const arity = (s: Sig): boolean => argc >= s.params.length - (s.optional ?? 0) && (s.rest !== undefined || argc <= s.params.length)
  const paramAt = (s: Sig, i: number): P => s.params[i] ?? (s.rest as P)
  const sig = sigs.find((s) => arity(s) && tys.every((t, i) => paramFits(t, paramAt(s, i))))
  if (!sig) {
    const s = sigs[0] as Sig
    if (sigs.every((x) => !arity(x))) {
      const min = s.params.length - (s.optional ?? 0)
      const expected = s.rest !== undefined ? `at least ${min}` : min === s.params.length ? `${min}` : `${min} to ${s.params.length}`
      throw err(`${name}() takes ${expected} argument${expected === '1' ? '' : 's'} but got ${argc}`, n)
    }
    const cand = sigs.find(arity) as Sig
    const i = tys.findIndex((t, k) => !paramFits(t, paramAt(cand, k)))
    // Notion's wording: "Argument of type text does not satisfy function dateAdd."
    const what = n.method && i === 0 ? `the value before .${name}()` : `argument ${n.method ? i : i + 1}`
    const expected = sigs
      .filter(arity)
      .map((x) => pName(paramAt(x, i)))
      .join(' or ')
    throw err(
      `Argument of type ${tyName(tys[i] as Ty)} does not satisfy function ${name}(): ${what} must be ${expected}`,
      (args[i] as C).node,
    )
  }
  sig.check?.(args)
  const ret = typeof sig.ret === 'function' ? sig.ret(tys) : sig.ret
  const propagate = sig.propagateNull !== false
  const params = args.map((_, i) => paramAt(sig, i))
  return {
    ty: ret,
    run: (rt) => {
      const vals: Value[] = []
      for (let i = 0; i < args.length; i++) {
        let v = (args[i] as C).run(rt)
        const p = params[i] as P
        if (v === null) {
          if (propagate && (p === 'number' || p === 'date' || p === 'person' || p === 'page' || p === 'personOrPage')) return null
          if (p === 'string') v = ''
          else if (p === 'boolean') v = false
          else if (p === 'list' || p === 'textOrList') v = []
        } else if (!valueFits(v, p)) {
          throw new Fail()
        }
        vals.push(v)
      }
      const r = sig.fn(vals, rt, args)
      if (typeof r === 'string') charge(r.length)
      else if (Array.isArray(r)) charge(r.length)
      return r
    },
    node: n,
  }
}

/** map/filter/find/findIndex/some/every(list, expression): the expression sees `current` and `index`. */
function lambdaCall(n: Extract<Node, { kind: 'call' }>, scope: Scope, u: Unit_): C {
  const name = n.name
  if (n.args.length !== 2) throw err(`${name}() takes 2 arguments: a list and an expression using current`, n)
  const l = compileNode(n.args[0] as Node, scope, u)
  if (!fits(l.ty, T.list(T.any)))
    throw err(
      `Expected a list for ${n.method ? `the value before .${name}()` : `argument 1 of ${name}()`}, but got ${tyName(l.ty)}`,
      l.node,
    )
  const cur = u.slots++
  const idx = u.slots++
  const { c: f, size } = withItemVars(n.args[1] as Node, elem(l.ty), cur, idx, scope, u)
  if (name !== 'map') expectTy(f, T.boolean, `the condition of ${name}()`)
  const items = (rt: Rt): Value[] => {
    const v = l.run(rt)
    checkRt(v, 'list')
    return (v ?? []) as Value[]
  }
  // One step evaluates the expression once: at most `size` nodes (lambdas inside charge their own steps).
  const each = (rt: Rt, x: Value, i: number): Value => {
    charge(size)
    rt.slots[cur] = x
    rt.slots[idx] = i
    return f.run(rt)
  }
  const run: Run = (() => {
    switch (name) {
      case 'map':
        return (rt) => items(rt).map((x, i) => each(rt, x, i))
      case 'filter':
        return (rt) => items(rt).filter((x, i) => truthy(each(rt, x, i)))
      case 'find':
        return (rt) => items(rt).find((x, i) => truthy(each(rt, x, i))) ?? null
      case 'findIndex':
        return (rt) => items(rt).findIndex((x, i) => truthy(each(rt, x, i)))
      case 'some':
        return (rt) => items(rt).some((x, i) => truthy(each(rt, x, i)))
      default:
        return (rt) => items(rt).every((x, i) => truthy(each(rt, x, i)))
    }
  })()
  const ty =
    name === 'map' ? T.list(f.ty) : name === 'find' ? elem(l.ty) : name === 'findIndex' ? T.number : name === 'filter' ? l.ty : T.boolean
  return { ty, run, node: n }
}

/** sort(list) and sort(list, key expression using current). */
function sortCall(n: Extract<Node, { kind: 'call' }>, scope: Scope, u: Unit_): C {
  if (n.args.length < 1 || n.args.length > 2) throw err(`sort() takes 1 or 2 arguments but got ${n.args.length}`, n)
  const l = compileNode(n.args[0] as Node, scope, u)
  if (!fits(l.ty, T.list(T.any)))
    throw err(`Expected a list for ${n.method ? 'the value before .sort()' : 'argument 1 of sort()'}, but got ${tyName(l.ty)}`, l.node)
  let key: ((rt: Rt, x: Value, i: number) => Value) | undefined
  if (n.args.length === 2) {
    const cur = u.slots++
    const idx = u.slots++
    const { c: f, size } = withItemVars(n.args[1] as Node, elem(l.ty), cur, idx, scope, u)
    key = (rt, x, i) => {
      charge(size)
      rt.slots[cur] = x
      rt.slots[idx] = i
      return f.run(rt)
    }
  }
  return {
    ty: l.ty,
    run: (rt) => {
      const v = l.run(rt)
      checkRt(v, 'list')
      const items = (v ?? []) as Value[]
      charge(items.length * Math.max(1, Math.ceil(Math.log2(items.length + 1)))) // comparisons
      const keyed = items.map((x, i) => ({ x, k: key ? key(rt, x, i) : x }))
      keyed.sort((p, q) => compare(p.k, q.k, rt.env))
      return keyed.map((p) => p.x)
    },
    node: n,
  }
}

/**
 * Compiles the expression of map()/filter()/…/sort() with `current` and `index` bound to slots
 * `cur` and `idx`; `size` is the number of compile steps it took, which bounds the nodes one
 * evaluation of it runs (the work one step of the function is charged).
 */
function withItemVars(body: Node, itemTy: Ty, cur: number, idx: number, scope: Scope, u: Unit_): { c: C; size: number } {
  const before = u.steps
  const undoCurrent = scope.bind('current', { ty: itemTy, slot: cur })
  const undoIndex = scope.bind('index', { ty: T.number, slot: idx })
  try {
    const c = compileNode(body, scope, u)
    return { c, size: u.steps - before }
  } finally {
    undoIndex()
    undoCurrent()
  }
}

// ---------------------------------------------------------------------------------------------
// Results

function toWire(resultType: FormulaResultType, v: Value, env: Env): FormulaWireValue {
  switch (resultType) {
    case 'number':
      return { type: 'number', number: typeof v === 'number' && Number.isFinite(v) ? (Object.is(v, -0) ? 0 : v) : null }
    case 'boolean':
      return { type: 'boolean', boolean: typeof v === 'boolean' ? v : null }
    case 'date': {
      if (!isDate(v)) return { type: 'date', date: null }
      const iso = (ms: number): string => (v.hasTime ? new Date(ms).toISOString() : isoDay(ms))
      return { type: 'date', date: { start: iso(v.start), end: v.end === null ? null : iso(v.end), time_zone: null } }
    }
    case 'string': {
      const s = toText(v, env)
      return { type: 'string', string: s === '' ? null : s }
    }
  }
}

function empty(resultType: FormulaResultType): FormulaWireValue {
  switch (resultType) {
    case 'number':
      return { type: 'number', number: null }
    case 'boolean':
      return { type: 'boolean', boolean: null }
    case 'date':
      return { type: 'date', date: null }
    case 'string':
      return { type: 'string', string: null }
  }
}

/**
 * Parses and type-checks a Notion formula 2.0 expression against a schema's properties
 * (referenced as `prop("Name")` or `{{notion:block_property:<id>:…}}`).
 *
 * The result type follows Notion: number, text (`string`), checkbox (`boolean`) or date; lists,
 * people and pages are reported as text (items comma-joined), as the API reports them.
 * @throws FormulaError for syntax errors, unknown functions/properties/variables, type errors and
 *   unsupported features, with a message naming the construct and its position.
 */
export function compileFormula(expression: string, properties: FormulaPropertyRef[]): CompiledFormula {
  const ast = parse(expression)
  const u: Unit_ = {
    props: properties,
    byName: new Map(properties.map((p) => [p.name, p])),
    byId: new Map(properties.map((p) => [p.id, p])),
    referenced: new Set(),
    slots: 0,
    steps: 0,
  }
  const root = compileNode(ast, new Scope(), u)
  const resultType = resultTypeOf(root.ty)
  const slotCount = u.slots
  return {
    resultType,
    referencedPropertyIds: [...u.referenced],
    size: u.steps,
    evaluate(ctx: FormulaContext): FormulaWireValue {
      const env: Env = {
        now: ctx.now.getTime(),
        tz: validZone(ctx.timeZone),
        pageTitle: ctx.pageTitle?.bind(ctx),
        person: ctx.person?.bind(ctx),
      }
      const rt: Rt = { env, ctx, slots: new Array<Value>(slotCount).fill(null), props: new Map() }
      const outer = work // evaluate() may be re-entered from a pageTitle callback
      work = 0
      try {
        return toWire(resultType, root.run(rt), env)
      } catch {
        return empty(resultType)
      } finally {
        work = outer
      }
    },
  }
}

/**
 * The properties an expression may read, without compiling it: the names in `prop("Name")` and the
 * ids in `{{notion:block_property:<id>:…}}` references (each id also URL-decoded). Compiling the
 * expression consults only these among the properties it is given, so they (with their types) are
 * all a compiled formula depends on.
 * @throws FormulaError when the expression does not parse (syntax, length, nesting).
 */
export function formulaReferences(expression: string): { names: string[]; ids: string[] } {
  const names = new Set<string>()
  const ids = new Set<string>()
  const stack: Node[] = [parse(expression)]
  while (stack.length > 0) {
    const n = stack.pop() as Node
    if (n.kind === 'call' && n.name === 'prop' && n.args[0]?.kind === 'string') names.add(n.args[0].value)
    if (n.kind === 'propRef') ids.add(n.id).add(safeDecode(n.id))
    for (const c of children(n)) stack.push(c)
  }
  return { names: [...names], ids: [...ids] }
}

/** The evaluation zone: the context's zone when Intl knows it, else UTC. */
function validZone(tz: string | undefined): string {
  return tz === undefined || tz === '' ? 'UTC' : (resolveZone(tz) ?? 'UTC')
}
