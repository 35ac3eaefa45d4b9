import { RE2JS } from 're2js'

/**
 * Regular expressions in formulas (`test`, `match`, `replace`, `replaceAll`), matched by RE2
 * (the `re2js` package, a pure-JavaScript port of Google's RE2): matching time is linear in the
 * input for every pattern, so no pattern can backtrack catastrophically (`(a|a)*c`, `(a+)+`).
 *
 * Syntax is JavaScript's as far as RE2 has it (Notion's formulas use JavaScript regular
 * expressions): classes, `\d \w \s \b`, `\p{…}`, lazy quantifiers, named groups `(?<name>…)`;
 * `\uXXXX` and `\u{…}` escapes are translated to RE2's `\x{…}`. RE2 has no backreferences
 * (`\1`, `\k<name>`) and no lookaround (`(?=…)`, `(?!…)`, `(?<=…)`, `(?<!…)`): such patterns are
 * refused. Replacement strings follow JavaScript's `String.prototype.replace` (`$1`, `$&`, `$<name>`,
 * `$$`). Patterns are at most `MAX_PATTERN` characters and matching runs only on text up to
 * `MAX_REGEX_INPUT` characters.
 */

export const MAX_REGEX_INPUT = 10_000
export const MAX_PATTERN = 500

/** A pattern compiled by RE2. */
export type CompiledRegex = RE2JS

/** A compiled pattern, or why it is refused (user-facing, e.g. "uses a backreference, …"). */
type Compiled = { re: RE2JS; cost: number } | { problem: string }

const cache = new Map<string, Compiled>()
const CACHE_MAX = 256

/** `\uXXXX` / `\u{X…}` (JavaScript) → `\x{…}` (RE2); every other escape is kept as written. */
function translate(pattern: string): string {
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string
    if (c !== '\\') {
      out += c
      continue
    }
    const rest = pattern.slice(i + 1, i + 12)
    const m = /^u(?:([0-9a-fA-F]{4})|\{([0-9a-fA-F]{1,6})\})/.exec(rest)
    if (m) {
      out += `\\x{${m[1] ?? m[2]}}`
      i += m[0].length
    } else {
      out += c + (pattern[i + 1] ?? '')
      i++
    }
  }
  return out
}

function explain(message: string): string {
  const why = message.replace(/^error parsing regexp: /, '')
  if (/invalid escape sequence: `\\([1-9k])/.test(why)) return 'uses a backreference, which formulas do not support'
  if (/unsupported Perl syntax: `\(\?[=!]|invalid named capture: `\(\?<[=!]/.test(why))
    return 'uses a lookahead or lookbehind, which formulas do not support'
  return `is not a valid regular expression (${why})`
}

function compile(pattern: string): Compiled {
  const hit = cache.get(pattern)
  if (hit) return hit
  let out: Compiled
  if (pattern.length > MAX_PATTERN) {
    out = { problem: `is longer than ${MAX_PATTERN} characters` }
  } else {
    try {
      const re = RE2JS.compile(translate(pattern))
      // Matching costs about (input length × program size) steps at worst (RE2's NFA).
      out = { re, cost: Math.max(1, Math.ceil(re.programSize() / 16)) }
    } catch (e) {
      out = { problem: explain(e instanceof Error ? e.message : String(e)) }
    }
  }
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string)
  cache.set(pattern, out)
  return out
}

/** Why `pattern` is refused (a phrase such as "is not a valid regular expression (…)"), or null when RE2 accepts it. */
export function regexProblem(pattern: string): string | null {
  const c = compile(pattern)
  return 're' in c ? null : c.problem
}

/**
 * A compiled pattern and the work units one match over `inputLength` characters costs (for the
 * evaluation budget), or null when the pattern is refused (see `regexProblem`).
 */
export function regexFor(pattern: string, inputLength: number): { re: RE2JS; cost: number } | null {
  const c = compile(pattern)
  return 're' in c ? { re: c.re, cost: c.cost * Math.max(1, inputLength) } : null
}

/** Whether `pattern` matches anywhere in `input` (JavaScript `RegExp.prototype.test`). */
export function regexTest(re: RE2JS, input: string): boolean {
  return re.test(input)
}

/** Every match of `pattern` in `input`, left to right (JavaScript `String.prototype.match` with the `g` flag). */
export function regexMatchAll(re: RE2JS, input: string): string[] {
  const out: string[] = []
  for (const m of re.matchAll(input)) out.push(m[0] as string)
  return out
}

/**
 * `input` with the first (or every, with `all`) match replaced by `replacement`, expanded as
 * JavaScript's `String.prototype.replace` does (`$1`, `$&`, `$<name>`, `$$`, `` $` ``, `$'`).
 */
export function regexReplace(re: RE2JS, input: string, replacement: string, all: boolean): string {
  const m = re.matcher(input)
  return all ? m.replaceAll(replacement) : m.replaceFirst(replacement)
}
