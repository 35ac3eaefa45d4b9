import type { BinaryOp, Node } from './ast.js'
import { FormulaError } from './types.js'

/**
 * Tokenizer and recursive-descent parser for Notion formula 2.0 syntax.
 *
 * Grammar (lowest precedence first): `a ? b : c` (right-assoc) · `or`/`||` · `and`/`&&` ·
 * `==` `!=` · `>` `>=` `<` `<=` · `+` `-` · `*` `/` `%` · unary `-` `+` `not` `!` · `^` (right-assoc,
 * so `-2^2` is `-(2^2)`) · postfix `.name(args)` / `.name` method calls · primaries: numbers
 * (`12`, `1.5`, `.5`, `1e3`), strings (`"…"` with `\"` `\\` `\n` `\t` escapes), `true`/`false`,
 * list literals `[a, b]`, parenthesised expressions, identifiers (let variables, `current`,
 * `index`), calls `f(a, b)`, and `{{notion:block_property:<id>:…}}` references. `/* … *\/` comments
 * are skipped. Errors are `FormulaError`s naming the 1-based character position.
 */

/**
 * Size limits of an expression. Notion documents no limit on a formula's length; Octavo takes
 * 20,000 characters (ten times the 2,000 of a rich-text `content`, docs/reference/notion-api.md §6), with at most 200
 * levels of brackets and calls (the parser's recursion) and a tree at most 1,000 operations deep
 * (`1+1+…`, which compiling and evaluating walk recursively). The compiler adds a budget of steps
 * (`MAX_COMPILE_STEPS` in compile.ts).
 */
export const MAX_EXPRESSION_LENGTH = 20_000
const MAX_DEPTH = 200
const MAX_TREE_DEPTH = 1000

type Tok =
  | { t: 'num'; v: number; pos: number; end: number }
  | { t: 'str'; v: string; pos: number; end: number }
  | { t: 'ident'; v: string; pos: number; end: number }
  | { t: 'ref'; v: string; pos: number; end: number }
  | { t: 'op'; v: string; pos: number; end: number }
  | { t: 'eof'; v: ''; pos: number; end: number }

/** A user-facing "at position N" suffix (1-based). */
export function at(pos: number): string {
  return ` at position ${pos + 1}`
}

const OPS = ['==', '!=', '>=', '<=', '&&', '||', '+', '-', '*', '/', '%', '^', '>', '<', '!', '?', ':', '(', ')', '[', ']', ',', '.']
const IDENT_START = /[\p{L}_$]/u
const IDENT_PART = /[\p{L}\p{N}_$]/u

/** Splits an expression into tokens. @throws FormulaError on an unterminated string or a stray character. */
export function tokenize(src: string): Tok[] {
  const out: Tok[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i] as string
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (c === '/' && src[i + 1] === '*') {
      const close = src.indexOf('*/', i + 2)
      if (close < 0) throw new FormulaError(`Unterminated comment${at(i)}.`, i)
      i = close + 2
      continue
    }
    if (c === '{' && src.startsWith('{{', i)) {
      const close = src.indexOf('}}', i + 2)
      if (close < 0) throw new FormulaError(`Unterminated property reference${at(i)}.`, i)
      const body = src.slice(i + 2, close)
      const m = /^notion:block_property:([^:}]+)(?::[^}]*)?$/.exec(body)
      if (!m) throw new FormulaError(`Unsupported reference "{{${body}}}"${at(i)}; use prop("Name").`, i)
      out.push({ t: 'ref', v: m[1] as string, pos: i, end: close + 2 })
      i = close + 2
      continue
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(src.slice(i, i + 400)) as RegExpExecArray
      const text = m[0]
      if (IDENT_START.test(src[i + text.length] ?? ''))
        throw new FormulaError(`Invalid number "${text}${src[i + text.length]}"${at(i)}.`, i)
      out.push({ t: 'num', v: Number(text), pos: i, end: i + text.length })
      i += text.length
      continue
    }
    if (c === '"' || c === "'" || c === '“' || c === '”') {
      const quote = c === '“' || c === '”' ? '”' : c
      let j = i + 1
      let v = ''
      for (;;) {
        if (j >= src.length) throw new FormulaError(`Unterminated string${at(i)}.`, i)
        const d = src[j] as string
        if (d === quote || (quote === '”' && d === '“')) break
        if (d === '\\') {
          const e = src[j + 1]
          if (e === undefined) throw new FormulaError(`Unterminated string${at(i)}.`, i)
          v += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e
          j += 2
          continue
        }
        v += d
        j++
      }
      out.push({ t: 'str', v, pos: i, end: j + 1 })
      i = j + 1
      continue
    }
    if (IDENT_START.test(c)) {
      let j = i + 1
      while (j < src.length && IDENT_PART.test(src[j] as string)) j++
      out.push({ t: 'ident', v: src.slice(i, j), pos: i, end: j })
      i = j
      continue
    }
    const op = OPS.find((o) => src.startsWith(o, i))
    if (op === undefined) throw new FormulaError(`Unexpected character "${c}"${at(i)}.`, i)
    out.push({ t: 'op', v: op, pos: i, end: i + op.length })
    i += op.length
  }
  out.push({ t: 'eof', v: '', pos: src.length, end: src.length })
  return out
}

function describe(tok: Tok): string {
  switch (tok.t) {
    case 'eof':
      return 'end of formula'
    case 'str':
      return 'a string'
    case 'num':
      return `"${tok.v}"`
    case 'ref':
      return 'a property reference'
    default:
      return `"${tok.v}"`
  }
}

/**
 * Parses a formula expression into a syntax tree.
 * @throws FormulaError for syntax errors (with the position), empty, too long or too deeply nested formulas.
 */
export function parse(src: string): Node {
  if (src.length > MAX_EXPRESSION_LENGTH) throw new FormulaError(`Formula is too long (more than ${MAX_EXPRESSION_LENGTH} characters).`)
  const toks = tokenize(src)
  let p = 0
  let depth = 0
  const peek = (): Tok => toks[p] as Tok
  const next = (): Tok => toks[p++] as Tok
  const isOp = (v: string): boolean => {
    const t = peek()
    return t.t === 'op' && t.v === v
  }
  const expect = (v: string, what: string): Tok => {
    const t = peek()
    if (t.t === 'op' && t.v === v) return next()
    throw new FormulaError(`Expected "${v}" ${what} but found ${describe(t)}${at(t.pos)}.`, t.pos)
  }
  const enter = (pos: number): void => {
    if (++depth > MAX_DEPTH) throw new FormulaError(`Formula is nested too deeply${at(pos)}.`, pos)
  }

  function expr(): Node {
    enter(peek().pos)
    const n = conditional()
    depth--
    return n
  }
  function conditional(): Node {
    const test = orExpr()
    if (!isOp('?')) return test
    next()
    const then = expr()
    expect(':', 'in a conditional (a ? b : c)')
    const otherwise = expr()
    return { kind: 'conditional', test, then, otherwise, pos: test.pos, end: otherwise.end }
  }
  function binaryLevel(sub: () => Node, ops: Record<string, BinaryOp>): () => Node {
    return () => {
      let left = sub()
      for (;;) {
        const t = peek()
        const op = (t.t === 'op' || t.t === 'ident') && Object.hasOwn(ops, t.v) ? ops[t.v] : undefined
        if (op === undefined) return left
        next()
        enter(t.pos)
        const right = sub()
        depth--
        left = { kind: 'binary', op, left, right, pos: left.pos, end: right.end, opPos: t.pos }
      }
    }
  }
  const power = (): Node => {
    const base = postfix()
    if (!isOp('^')) return base
    const caret = next()
    enter(base.pos)
    const exponent = unary()
    depth--
    return { kind: 'binary', op: '^', left: base, right: exponent, pos: base.pos, end: exponent.end, opPos: caret.pos }
  }
  function unary(): Node {
    const t = peek()
    if ((t.t === 'op' && (t.v === '-' || t.v === '+' || t.v === '!')) || (t.t === 'ident' && t.v === 'not')) {
      next()
      enter(t.pos)
      const operand = unary()
      depth--
      const op = t.v === '-' ? '-' : t.v === '+' ? '+' : 'not'
      return { kind: 'unary', op, operand, pos: t.pos, end: operand.end }
    }
    return power()
  }
  const multiplicative = binaryLevel(unary, { '*': '*', '/': '/', '%': '%' })
  const additive = binaryLevel(multiplicative, { '+': '+', '-': '-' })
  const relational = binaryLevel(additive, { '>': '>', '>=': '>=', '<': '<', '<=': '<=' })
  const equality = binaryLevel(relational, { '==': '==', '!=': '!=' })
  const andExpr = binaryLevel(equality, { and: 'and', '&&': 'and' })
  const orExpr = binaryLevel(andExpr, { or: 'or', '||': 'or' })

  function args(close: string): Node[] {
    const out: Node[] = []
    if (isOp(close)) {
      next()
      return out
    }
    for (;;) {
      out.push(expr())
      if (isOp(',')) {
        next()
        continue
      }
      expect(close, close === ')' ? 'to close the argument list' : 'to close the list')
      return out
    }
  }
  function postfix(): Node {
    let n = primary()
    while (isOp('.')) {
      next()
      const t = next()
      if (t.t !== 'ident') throw new FormulaError(`Expected a function name after "." but found ${describe(t)}${at(t.pos)}.`, t.pos)
      let rest: Node[] = []
      let end = t.end
      if (isOp('(')) {
        next()
        rest = args(')')
        end = (toks[p - 1] as Tok).end
      }
      n = { kind: 'call', name: t.v, args: [n, ...rest], method: true, pos: n.pos, end, namePos: t.pos }
    }
    return n
  }
  function primary(): Node {
    const t = next()
    switch (t.t) {
      case 'num':
        return { kind: 'number', value: t.v, pos: t.pos, end: t.end }
      case 'str':
        return { kind: 'string', value: t.v, pos: t.pos, end: t.end }
      case 'ref':
        return { kind: 'propRef', id: t.v, pos: t.pos, end: t.end }
      case 'ident': {
        if (t.v === 'true' || t.v === 'false') return { kind: 'boolean', value: t.v === 'true', pos: t.pos, end: t.end }
        if (isOp('(')) {
          next()
          const a = args(')')
          return { kind: 'call', name: t.v, args: a, method: false, pos: t.pos, end: (toks[p - 1] as Tok).end, namePos: t.pos }
        }
        return { kind: 'ident', name: t.v, pos: t.pos, end: t.end }
      }
      case 'op':
        if (t.v === '(') {
          const inner = expr()
          expect(')', 'to close the parenthesis')
          return inner
        }
        if (t.v === '[') {
          enter(t.pos)
          const items = args(']')
          depth--
          return { kind: 'list', items, pos: t.pos, end: (toks[p - 1] as Tok).end }
        }
        break
      case 'eof':
        if (t.pos === 0) throw new FormulaError('Formula is empty.', 0)
        break
    }
    throw new FormulaError(`Unexpected ${describe(t)}${at(t.pos)}.`, t.pos)
  }

  const root = expr()
  const t = peek()
  if (t.t !== 'eof') throw new FormulaError(`Unexpected ${describe(t)}${at(t.pos)}; expected the end of the formula.`, t.pos)
  checkTreeDepth(root)
  return root
}

/** Child nodes, for walks over the tree. */
export function children(n: Node): Node[] {
  switch (n.kind) {
    case 'list':
      return n.items
    case 'call':
      return n.args
    case 'unary':
      return [n.operand]
    case 'binary':
      return [n.left, n.right]
    case 'conditional':
      return [n.test, n.then, n.otherwise]
    default:
      return []
  }
}

/**
 * Long operator chains (`1+1+…`) and method chains build deep trees without deep parser recursion;
 * compiling and evaluating recurse over the tree, so its depth is bounded too (iteratively checked).
 */
function checkTreeDepth(root: Node): void {
  const stack: [Node, number][] = [[root, 1]]
  while (stack.length > 0) {
    const [n, d] = stack.pop() as [Node, number]
    if (d > MAX_TREE_DEPTH) throw new FormulaError(`Formula is nested too deeply${at(n.pos)}.`, n.pos)
    for (const c of children(n)) stack.push([c, d + 1])
  }
}
