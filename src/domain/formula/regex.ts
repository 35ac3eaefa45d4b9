/**
 * Regular expressions in formulas (`test`, `match`, `replace`, `replaceAll`) use JavaScript syntax,
 * as Notion's do. Because patterns come from users and run on the server, patterns that can
 * backtrack catastrophically are refused: nested quantifiers (`(a+)+`, `(a*)*`), backreferences,
 * and patterns over 500 characters. Matching runs only on text up to `MAX_REGEX_INPUT` characters.
 */

export const MAX_REGEX_INPUT = 10_000
const MAX_PATTERN = 500

/** Why `pattern` is refused, or null when it is a valid, safe pattern. */
export function regexProblem(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN) return `is longer than ${MAX_PATTERN} characters`
  try {
    new RegExp(pattern)
  } catch (e) {
    return `is not a valid regular expression (${(e as Error).message.replace(/^Invalid regular expression: /, '')})`
  }
  // Scan for quantified groups that themselves contain a quantifier.
  const stack: boolean[] = [] // per open group: contains a quantifier
  let inClass = false
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string
    if (c === '\\') {
      const n = pattern[i + 1] ?? ''
      if (!inClass && /[1-9k]/.test(n)) return 'uses a backreference, which formulas do not support'
      i++
      continue
    }
    if (inClass) { if (c === ']') inClass = false; continue }
    if (c === '[') { inClass = true; continue }
    if (c === '(') { stack.push(false); continue }
    const quant = c === '*' || c === '+' || c === '?' || (c === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i)))
    if (c === ')') {
      const inner = stack.pop() ?? false
      const after = pattern.slice(i + 1)
      const quantified = /^([*+?]|\{\d+,\d*\}|\{\d*[2-9]\d*\})/.test(after) // a repeat of more than once
      if (inner && quantified && !/^\?(?![?+*])/.test(after)) return 'nests quantifiers (like (a+)+), which can run for a very long time'
      if (stack.length > 0 && (inner || quantified)) stack[stack.length - 1] = true
      continue
    }
    if (quant && stack.length > 0 && !(c === '?' && pattern[i - 1] === '(')) stack[stack.length - 1] = true
  }
  return null
}
