import { validationError } from '../errors/notion-error.js'
import { compileFormula, type CompiledFormula, type FormulaPropertyRef, type FormulaResultType } from './formula/index.js'
import type { Schema } from './properties.js'

/**
 * The formula properties of a schema, compiled with the formula engine (`domain/formula/`).
 *
 * A formula may reference other formulas (`prop("Other formula")`), whose result types must be known
 * to type it, so formulas compile in rounds: each round compiles what it can with the result types
 * found so far, until nothing changes. A formula still failing after that (syntax error, unknown
 * property, type error, a cycle) keeps its error.
 *
 * Compiled schemas are cached by their formula-relevant content (ids, names, types, expressions), so
 * reading a thousand rows compiles once.
 */

export type CompiledSchemaFormulas = Map<string, CompiledFormula | Error>

const cache = new Map<string, CompiledSchemaFormulas>()
const CACHE_MAX = 500

function cacheKey(schema: Schema): string {
  return JSON.stringify(Object.values(schema).map((p) => [p.id, p.name, p.type, p.type === 'formula' ? p.config.expression : null]))
}

/** Compiles every formula property of `schema`; values are compiled formulas or the error each one hit. */
export function compileSchemaFormulas(schema: Schema): CompiledSchemaFormulas {
  const formulas = Object.values(schema).filter((p) => p.type === 'formula' && String(p.config.expression ?? '') !== '')
  if (formulas.length === 0) return new Map()
  const key = cacheKey(schema)
  const hit = cache.get(key)
  if (hit) return hit
  const result: CompiledSchemaFormulas = new Map()
  const known = new Map<string, FormulaResultType>()
  let progress = true
  while (progress) {
    progress = false
    for (const f of formulas) {
      const prev = result.get(f.id)
      if (prev && !(prev instanceof Error)) continue
      const refs: FormulaPropertyRef[] = Object.values(schema)
        .filter((p) => p.id !== f.id)
        .map((p) => {
          const rt = known.get(p.id)
          return rt ? { id: p.id, name: p.name, type: p.type, resultType: rt } : { id: p.id, name: p.name, type: p.type }
        })
      try {
        const compiled = compileFormula(String(f.config.expression ?? ''), refs)
        result.set(f.id, compiled)
        known.set(f.id, compiled.resultType)
        progress = true
      } catch (err) {
        result.set(f.id, err instanceof Error ? err : new Error(String(err)))
      }
    }
  }
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string)
  cache.set(key, result)
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
 * empty expressions are allowed (an empty formula, as Notion creates by default).
 * @throws NotionApiError validation_error
 */
export function checkChangedFormulas(before: Schema, after: Schema): void {
  const changed = Object.values(after)
    .filter((p) => p.type === 'formula' && String(p.config.expression ?? '') !== '')
    .filter((p) => before[p.id]?.type !== 'formula' || before[p.id]?.config.expression !== p.config.expression)
    .map((p) => p.id)
  if (changed.length > 0) checkFormulas(after, changed)
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
