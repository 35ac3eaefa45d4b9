/**
 * Public types of the Notion formula 2.0 engine (`src/domain/formula`).
 *
 * A formula property's result is reported on the wire as Notion's `FormulaPropertyResponse`
 * (docs/reference/notion-api.md §2.7 "Property value responses": `formula: {type:"string"|"number"|"boolean"|"date", …}`;
 * SDK `StringFormulaPropertyResponse` etc.).
 */

/** The four result types a formula property can report through the API. */
export type FormulaResultType = 'string' | 'number' | 'boolean' | 'date'

/** A schema property a formula may reference by name via `prop("Name")` (or by id, see README of the engine). */
export interface FormulaPropertyRef {
  id: string
  name: string
  /** Notion property type: `number`, `title`, `select`, `formula`, `rollup`, … */
  type: string
  /**
   * For formula properties: their own result type. Required to reference a formula (compile formulas
   * in dependency order; a formula whose referenced formula has no result type — a circular reference
   * or one that does not compile — is a FormulaError). For rollups: the type of their value when it is
   * a number or date; without it a rollup is typed when evaluated.
   */
  resultType?: FormulaResultType
}

/**
 * A formula that cannot be compiled (syntax error, unknown function or property, type error,
 * unsupported construct). `message` is user-facing and says what is wrong and where
 * (`position` is the 0-based character offset in the expression, when known).
 */
export class FormulaError extends Error {
  readonly position: number | undefined
  constructor(message: string, position?: number) {
    super(message)
    this.name = 'FormulaError'
    this.position = position
  }
}

/** A formula result in the API's wire shape (SDK `FormulaPropertyResponse` minus `unsupported`). */
export type FormulaWireValue =
  | { type: 'string'; string: string | null }
  | { type: 'number'; number: number | null }
  | { type: 'boolean'; boolean: boolean | null }
  | { type: 'date'; date: { start: string; end: string | null; time_zone: null } | null }

/** What evaluating a formula for one page needs. */
export interface FormulaContext {
  /**
   * The page's value of property `id`, in Notion's page-property wire shape (e.g.
   * `{type:'number', number:3}`, `{type:'title', title:[rich text…]}`, `{type:'select', select:{name,…}|null}`,
   * `{type:'people', people:[…]}`, `{type:'relation', relation:[{id}]}`, `{type:'formula', formula: FormulaWireValue}` …).
   * The bare inner value (e.g. `3`) is accepted too. `undefined` means empty.
   */
  property(id: string): unknown
  /** Evaluation time (injected clock), for now()/today(). */
  now: Date
  /** IANA zone or 'UTC' for calendar functions and date formatting; default UTC. */
  timeZone?: string
  /**
   * Optional: the title of a related page, for formatting relation values as text. Without it (or
   * when it answers null) a page formats as its id. Callers must only answer for pages the reader may see.
   */
  pageTitle?(pageId: string): string | null
  /**
   * Optional: a user's name and email by id, for people values that carry only `{object:'user', id}`
   * (as stored rows and page objects do). Without it (or when it answers null) such a person's name and
   * email are empty text.
   */
  person?(userId: string): { name: string | null; email?: string | null } | null
}

/** A parsed, type-checked formula. */
export interface CompiledFormula {
  resultType: FormulaResultType
  /** Ids of the properties the formula reads, in first-use order, without duplicates. */
  referencedPropertyIds: string[]
  /**
   * Compile steps it took (nodes compiled and variables bound, at most `MAX_COMPILE_STEPS`): a measure
   * of the memory the compiled formula holds (a few hundred bytes per step), for caches.
   */
  size: number
  /** Evaluates for one page. Never throws: a runtime failure (e.g. an invalid dynamic regex) yields an empty result. */
  evaluate(ctx: FormulaContext): FormulaWireValue
}
