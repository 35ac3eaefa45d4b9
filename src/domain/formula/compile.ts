import { FormulaError, type CompiledFormula, type FormulaPropertyRef } from './types.js'

/**
 * Parses and type-checks a formula expression against a schema's properties.
 * @throws FormulaError for syntax errors, unknown functions/properties, type errors and unsupported features.
 */
export function compileFormula(expression: string, properties: FormulaPropertyRef[]): CompiledFormula {
  void expression
  void properties
  throw new FormulaError('Formulas are not supported yet.')
}
