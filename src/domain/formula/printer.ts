import type { Node } from './ast.js'

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r')}"`
}

/**
 * Prints a syntax tree back to formula text, fully parenthesised, so `parse(print(n))` is `n`
 * (up to positions). Used by the round-trip property test and for diagnostics.
 */
export function print(n: Node): string {
  switch (n.kind) {
    case 'number':
      return Object.is(n.value, -0) || n.value < 0 ? `(-${String(-n.value)})` : String(n.value)
    case 'string':
      return quote(n.value)
    case 'boolean':
      return String(n.value)
    case 'list':
      return `[${n.items.map(print).join(', ')}]`
    case 'ident':
      return n.name
    case 'propRef':
      return `{{notion:block_property:${n.id}}}`
    case 'call':
      if (n.method && n.args.length > 0) {
        const [recv, ...rest] = n.args as [Node, ...Node[]]
        return `(${print(recv)}).${n.name}(${rest.map(print).join(', ')})`
      }
      return `${n.name}(${n.args.map(print).join(', ')})`
    case 'unary':
      return n.op === 'not' ? `(not ${print(n.operand)})` : `(${n.op}${print(n.operand)})`
    case 'binary':
      return `(${print(n.left)} ${n.op} ${print(n.right)})`
    case 'conditional':
      return `(${print(n.test)} ? ${print(n.then)} : ${print(n.otherwise)})`
  }
}
