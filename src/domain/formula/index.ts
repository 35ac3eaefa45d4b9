/**
 * Notion formula 2.0 engine: tokenizer, parser, type checker, evaluator and Notion-style formatting.
 * Pure (no I/O). See `docs/architecture.md` (domain/formula) for the semantics chosen where Notion's
 * documentation is silent.
 */
export { FormulaError } from './types.js'
export type { CompiledFormula, FormulaContext, FormulaPropertyRef, FormulaResultType, FormulaWireValue } from './types.js'
export { compileFormula, formulaReferences, MAX_COMPILE_STEPS } from './compile.js'
export { MAX_EXPRESSION_LENGTH } from './parser.js'
