/**
 * Reading one member of stored JSON object text without parsing the rest (issue 16: a title-only
 * list of Notion-Version 2026-12-01 needs each row's title, not its whole `properties` JSON).
 *
 * The fast path reads the compact form `JSON.stringify` writes (no whitespace, keys without
 * escapes, no duplicate keys): it hops from member to member, skipping each value by its brackets
 * and strings (`indexOf` over string bodies), and parses only the member asked for. Any other form
 * (whitespace, an escaped key, text that does not end where expected) falls back to `JSON.parse` of
 * the whole text, so the answer is always `JSON.parse(json)[key]` as an own member.
 */

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COLON = 0x3a
const COMMA = 0x2c
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d

/** The index just past the string whose opening quote is at `i`, or -1 when it is not closed. */
function skipString(s: string, i: number): number {
  let from = i + 1
  for (;;) {
    const q = s.indexOf('"', from)
    if (q === -1) return -1
    let slashes = 0
    for (let k = q - 1; s.charCodeAt(k) === BACKSLASH; k--) slashes++
    if (slashes % 2 === 0) return q + 1
    from = q + 1
  }
}

/** The index just past the compact JSON value starting at `i`, or -1 when the text ends first. */
function skipValue(s: string, i: number): number {
  const c = s.charCodeAt(i)
  if (c === QUOTE) return skipString(s, i)
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0
    for (let j = i; j < s.length;) {
      const d = s.charCodeAt(j)
      if (d === QUOTE) {
        j = skipString(s, j)
        if (j === -1) return -1
        continue
      }
      if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        depth--
        if (depth === 0) return j + 1
      }
      j++
    }
    return -1
  }
  // A number, true, false or null: up to the next separator.
  for (let j = i; j < s.length; j++) {
    const d = s.charCodeAt(j)
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET) return j
  }
  return -1
}

function parsedMember(json: string, key: string): unknown {
  const o = JSON.parse(json) as unknown
  return o !== null && typeof o === 'object' && !Array.isArray(o) && Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined
}

/**
 * Where member `key`'s value sits in `json` when the text is in `JSON.stringify`'s compact form:
 * `[start, end)` of its text, `'absent'` when the object has no such member, `'other'` when the text
 * is in another form (the caller then parses it whole). Structure only, as `jsonMember` describes.
 */
function memberRange(json: string, key: string): [number, number] | 'absent' | 'other' {
  if (json.charCodeAt(0) !== OPEN_BRACE) return 'other'
  if (json.length === 2 && json.charCodeAt(1) === CLOSE_BRACE) return 'absent'
  let i = 1
  for (;;) {
    if (json.charCodeAt(i) !== QUOTE) return 'other'
    const keyEnd = json.indexOf('"', i + 1)
    if (keyEnd === -1 || json.charCodeAt(keyEnd + 1) !== COLON) return 'other'
    const name = json.slice(i + 1, keyEnd)
    // An escaped key (or one whose closing quote was an escaped one) is read by JSON.parse.
    if (name.includes('\\')) return 'other'
    const start = keyEnd + 2
    const end = skipValue(json, start)
    if (end === -1) return 'other'
    const next = json.charCodeAt(end)
    if (next !== COMMA && !(next === CLOSE_BRACE && end === json.length - 1)) return 'other'
    if (name === key) return [start, end]
    if (next === CLOSE_BRACE) return 'absent'
    i = end + 1
  }
}

/**
 * `JSON.parse(json)[key]` (own members only; undefined when absent or when the text is not an
 * object), parsing only that member's value when `json` is in `JSON.stringify`'s compact form.
 * For stored text, which `JSON.stringify` wrote: the fast path takes the first of duplicate keys
 * (it writes none) and checks the text's structure, not the syntax of the members it skips.
 * @throws SyntaxError when the text it parses is not valid JSON (from `JSON.parse`)
 */
export function jsonMember(json: string, key: string): unknown {
  const range = memberRange(json, key)
  if (range === 'other') return parsedMember(json, key)
  if (range === 'absent') return undefined
  return JSON.parse(json.slice(range[0], range[1])) as unknown
}

/**
 * The text of member `key`'s value in `json` (a slice of it, unparsed) when `json` is in
 * `JSON.stringify`'s compact form; `undefined` when the object has no such member; `null` when the
 * text is in another form (then read it with `jsonMember`). The slice is what `jsonMember` would
 * parse: `JSON.parse(jsonMemberText(j, k))` equals `jsonMember(j, k)` whenever it is a string. Its
 * syntax is not checked (a caller keying a cache by it parses it on a miss).
 */
export function jsonMemberText(json: string, key: string): string | undefined | null {
  const range = memberRange(json, key)
  if (range === 'other') return null
  if (range === 'absent') return undefined
  return json.slice(range[0], range[1])
}
