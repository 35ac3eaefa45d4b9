/**
 * Syntax tree of a Notion formula 2.0 expression. `pos`/`end` are 0-based character offsets into
 * the expression (end exclusive), for error messages.
 */
export type Node =
  | { kind: 'number'; value: number; pos: number; end: number }
  | { kind: 'string'; value: string; pos: number; end: number }
  | { kind: 'boolean'; value: boolean; pos: number; end: number }
  | { kind: 'list'; items: Node[]; pos: number; end: number }
  | { kind: 'ident'; name: string; pos: number; end: number }
  /** `{{notion:block_property:<id>:…}}`, the reference style the Notion API returns in `formula.expression`. */
  | { kind: 'propRef'; id: string; pos: number; end: number }
  /** `f(a, b)`, or `a.f(b)` with `method: true` (then `args[0]` is the receiver). */
  | { kind: 'call'; name: string; args: Node[]; method: boolean; pos: number; end: number; namePos: number }
  | { kind: 'unary'; op: '-' | '+' | 'not'; operand: Node; pos: number; end: number }
  | { kind: 'binary'; op: BinaryOp; left: Node; right: Node; pos: number; end: number; opPos: number }
  | { kind: 'conditional'; test: Node; then: Node; otherwise: Node; pos: number; end: number }

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '^' | '==' | '!=' | '>' | '>=' | '<' | '<=' | 'and' | 'or'
