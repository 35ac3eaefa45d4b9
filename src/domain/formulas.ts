import { validationError } from '../errors/notion-error.js'
import {
  compileFormula,
  FormulaError,
  formulaReferences,
  type CompiledFormula,
  type FormulaPropertyRef,
  type FormulaResultType,
} from './formula/index.js'
import type { PropertyConfig, Schema } from './properties.js'

/**
 * The formula properties of a schema, compiled with the formula engine (`domain/formula/`).
 *
 * A formula may reference other formulas (`prop("Other formula")`), whose result types must be known
 * to type it, so formulas compile in dependency order (a topological order of the formula → formula
 * references). A formula that does not compile (syntax error, unknown property, type error, over the
 * engine's size limits) keeps its error; one in a cycle, or using a formula that does not compile,
 * fails with the engine's "no known result type" error.
 *
 * Each formula is compiled once per (expression, the properties it references with their types and
 * result types): compiled formulas are kept in a bounded cache, so a schema save recompiles only the
 * formulas it changed (or whose referenced properties it changed), and reading rows never recompiles.
 * Errors are cached too, so a stored formula that no longer compiles costs one parse, not one per read.
 */

export type CompiledSchemaFormulas = Map<string, CompiledFormula | Error>

/**
 * The formulas of one data source hold at most this many characters in total (each formula at most
 * the engine's 20,000): compiling a whole schema, as its first read after a restart does, is then
 * bounded (~50,000 compile steps), however many formulas were added over time. Formulas past it, in
 * schema order, do not compile (they read as `unsupported`); a save that would go past it is refused.
 */
export const MAX_SCHEMA_FORMULA_CHARACTERS = 50_000
const OVER_SCHEMA_BUDGET = `The formulas of this data source would be longer than ${MAX_SCHEMA_FORMULA_CHARACTERS} characters in total.`

/**
 * A least-recently-used map bounded by a total weight (here: approximate bytes), so a few huge
 * formulas cannot hold more memory than many small ones.
 */
class WeightedLru<V> {
  private readonly entries = new Map<string, { value: V; weight: number }>()
  private total = 0
  constructor(private readonly maxWeight: number) {}
  get(key: string): V | undefined {
    const e = this.entries.get(key)
    if (!e) return undefined
    this.entries.delete(key)
    this.entries.set(key, e)
    return e.value
  }
  set(key: string, value: V, weight: number): void {
    const old = this.entries.get(key)
    if (old) {
      this.total -= old.weight
      this.entries.delete(key)
    }
    this.entries.set(key, { value, weight })
    this.total += weight
    for (const [k, e] of this.entries) {
      if (this.total <= this.maxWeight || k === key) break
      this.entries.delete(k)
      this.total -= e.weight
    }
  }
}

/**
 * Cache budgets in approximate bytes: a string costs 2 per character, a compiled formula about
 * BYTES_PER_STEP per compile step (measured: ~500 B per node on Node 20), every entry ENTRY_BYTES.
 * 64 MB holds thousands of everyday formulas or a dozen of the largest the engine accepts.
 */
const COMPILED_CACHE_BYTES = 64 * 1024 * 1024
const REFERENCES_CACHE_BYTES = 16 * 1024 * 1024
const BYTES_PER_STEP = 600
const ENTRY_BYTES = 512

type References = { names: string[]; ids: string[] } | Error
const referencesCache = new WeightedLru<References>(REFERENCES_CACHE_BYTES)
const compiledCache = new WeightedLru<CompiledFormula | Error>(COMPILED_CACHE_BYTES)

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)))

function referencesOf(expression: string): References {
  let r = referencesCache.get(expression)
  if (r === undefined) {
    try {
      r = formulaReferences(expression)
    } catch (err) {
      r = asError(err)
    }
    referencesCache.set(expression, r, 2 * expression.length + ENTRY_BYTES)
  }
  return r
}

/**
 * Compiles `expression` against `refs` (the schema properties it references, in schema order),
 * through the cache.
 */
function compileCached(expression: string, refs: FormulaPropertyRef[]): CompiledFormula | Error {
  const key = `${JSON.stringify(refs.map((r) => [r.id, r.name, r.type, r.resultType ?? null]))}\u0000${expression}`
  let c = compiledCache.get(key)
  if (c === undefined) {
    try {
      c = compileFormula(expression, refs)
    } catch (err) {
      c = asError(err)
    }
    compiledCache.set(key, c, 2 * key.length + ENTRY_BYTES + (c instanceof Error ? 0 : c.size * BYTES_PER_STEP))
  }
  return c
}

/** Compiles every formula property of `schema`; values are compiled formulas or the error each one hit. */
export function compileSchemaFormulas(schema: Schema): CompiledSchemaFormulas {
  const props = Object.values(schema)
  const formulas = props.filter((p) => p.type === 'formula' && String(p.config.expression ?? '') !== '')
  const result: CompiledSchemaFormulas = new Map()
  if (formulas.length === 0) return result
  const byName = new Map<string, PropertyConfig[]>()
  for (const p of props) byName.set(p.name, [...(byName.get(p.name) ?? []), p])
  const byId = new Map(props.map((p) => [p.id, p]))

  // The properties each formula references (resolved as the engine does: last property of a name wins; never itself).
  const uses = new Map<string, PropertyConfig[]>()
  let total = 0
  for (const f of formulas) {
    const expression = String(f.config.expression)
    total += expression.length
    if (total > MAX_SCHEMA_FORMULA_CHARACTERS) {
      result.set(f.id, new FormulaError(OVER_SCHEMA_BUDGET))
      continue
    }
    const refs = referencesOf(expression)
    if (refs instanceof Error) {
      result.set(f.id, refs)
      continue
    }
    const ids = new Set<string>()
    for (const name of refs.names) {
      const found = (byName.get(name) ?? []).filter((p) => p.id !== f.id).at(-1)
      if (found) ids.add(found.id)
    }
    for (const id of refs.ids) if (id !== f.id && byId.has(id)) ids.add(id)
    uses.set(
      f.id,
      props.filter((p) => ids.has(p.id)),
    )
  }

  // Dependency order (Kahn): a formula compiles once every formula it uses has; the rest are cycles.
  const known = new Map<string, FormulaResultType>()
  const compile = (f: PropertyConfig): void => {
    const refs = (uses.get(f.id) as PropertyConfig[]).map((p): FormulaPropertyRef => {
      const rt = known.get(p.id)
      return rt ? { id: p.id, name: p.name, type: p.type, resultType: rt } : { id: p.id, name: p.name, type: p.type }
    })
    const c = compileCached(String(f.config.expression), refs)
    result.set(f.id, c)
    if (!(c instanceof Error)) known.set(f.id, c.resultType)
  }
  const pending = formulas.filter((f) => uses.has(f.id))
  const waitingOn = new Map<string, number>()
  const usedBy = new Map<string, string[]>()
  for (const f of pending) {
    const deps = (uses.get(f.id) as PropertyConfig[]).filter((p) => uses.has(p.id))
    waitingOn.set(f.id, deps.length)
    for (const d of deps) usedBy.set(d.id, [...(usedBy.get(d.id) ?? []), f.id])
  }
  const ready = pending.filter((f) => waitingOn.get(f.id) === 0)
  while (ready.length > 0) {
    const f = ready.pop() as PropertyConfig
    compile(f)
    for (const id of usedBy.get(f.id) ?? []) {
      const left = (waitingOn.get(id) as number) - 1
      waitingOn.set(id, left)
      if (left === 0) ready.push(byId.get(id) as PropertyConfig)
    }
  }
  for (const f of pending) if (!result.has(f.id)) compile(f)
  return result
}

/**
 * Checks the formulas a schema change touched (`changedIds`): each must compile, else 400
 * validation_error whose message is the formula engine's, prefixed with the property name
 * ("Formula "<name>": <engine message>"). Formulas the change did not touch are not re-checked, so a
 * stored formula that stopped compiling (e.g. after a rename of what it used) never blocks other edits;
 * it reads as `unsupported` until fixed.
 * @throws NotionApiError validation_error
 */
export function checkFormulas(schema: Schema, changedIds: Iterable<string>): void {
  const compiled = compileSchemaFormulas(schema)
  for (const id of changedIds) {
    const c = compiled.get(id)
    if (c instanceof Error) {
      const name = schema[id]?.name ?? id
      throw validationError(`Formula ${JSON.stringify(name)}: ${c.message}`)
    }
  }
}

/** The result type of a compiled formula property, if it compiles. */
export function formulaResultType(schema: Schema, id: string): FormulaResultType | undefined {
  const c = compileSchemaFormulas(schema).get(id)
  return c && !(c instanceof Error) ? c.resultType : undefined
}

/**
 * Checks the formulas a schema change added or whose expression changed (from `before` to `after`);
 * empty expressions are allowed (an empty formula, as Notion creates by default). A change that makes
 * the schema's formulas longer than MAX_SCHEMA_FORMULA_CHARACTERS in total is refused, naming the
 * first changed formula.
 * @throws NotionApiError validation_error
 */
export function checkChangedFormulas(before: Schema, after: Schema): void {
  const changed = Object.values(after)
    .filter((p) => p.type === 'formula' && String(p.config.expression ?? '') !== '')
    .filter((p) => before[p.id]?.type !== 'formula' || before[p.id]?.config.expression !== p.config.expression)
    .map((p) => p.id)
  if (changed.length === 0) return
  const size = (schema: Schema): number =>
    Object.values(schema).reduce((n, p) => n + (p.type === 'formula' ? String(p.config.expression ?? '').length : 0), 0)
  const total = size(after)
  if (total > MAX_SCHEMA_FORMULA_CHARACTERS && total > size(before)) {
    const name = after[changed[0] as string]?.name ?? changed[0]
    throw validationError(`Formula ${JSON.stringify(name)}: ${OVER_SCHEMA_BUDGET}`)
  }
  checkFormulas(after, changed)
}

/**
 * Keeps formulas pointing at renamed properties, as Notion does (it stores references by id and
 * shows current names): every `prop("<old name>")` in a formula of `after` becomes
 * `prop("<new name>")` for each property renamed between `before` and `after`. Mutates `after`.
 */
export function followRenames(before: Schema, after: Schema): void {
  const renames = Object.values(after).flatMap((p) => {
    const old = before[p.id]
    return old && old.name !== p.name ? [[old.name, p.name] as const] : []
  })
  if (renames.length === 0) return
  for (const f of Object.values(after)) {
    if (f.type !== 'formula' || typeof f.config.expression !== 'string') continue
    let expr = f.config.expression
    for (const [from, to] of renames) expr = expr.split(`prop(${JSON.stringify(from)})`).join(`prop(${JSON.stringify(to)})`)
    if (expr !== f.config.expression) f.config = { ...f.config, expression: expr }
  }
}
