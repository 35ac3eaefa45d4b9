import { sql, type RawBuilder } from 'kysely'

/**
 * Substring, prefix and suffix matches on a text column, portable between SQLite and PostgreSQL and
 * safe for needles of any length.
 *
 * Usually `LIKE … ESCAPE '\'` with `%`, `_` and `\` escaped. SQLite refuses a LIKE pattern longer
 * than 50,000 bytes ("LIKE or GLOB pattern too complex", SQLITE_LIMIT_LIKE_PATTERN_LENGTH), and a
 * search query or a text filter may be longer than that (the request body may hold 500 KB), so a
 * pattern over `MAX_LIKE_PATTERN_BYTES` uses equivalent forms without a pattern instead:
 * `replace(col, needle, '') <> col` (contains), `substr(col, 1, length(needle)) = needle` (starts)
 * and the matching suffix comparison (ends) — the same functions with the same meaning on both
 * stores. Callers lower-case both sides, so LIKE's ASCII case folding on SQLite changes nothing.
 *
 * A needle containing U+0000 matches nothing, on both stores: PostgreSQL text cannot hold that
 * character (binding it is an error), so no stored text contains it.
 */

/** Below SQLite's 50,000-byte LIKE pattern limit, with room to spare. */
export const MAX_LIKE_PATTERN_BYTES = 40_000

/** Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern. */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

/**
 * `column` contains / starts with / ends with `needle` (non-empty), as a boolean SQL expression.
 * A NULL column matches nothing, as with LIKE.
 */
export function textMatches(column: RawBuilder<unknown>, op: 'contains' | 'starts' | 'ends', needle: string): RawBuilder<boolean> {
  if (needle.includes('\u0000')) return sql<boolean>`1 = 0`
  const escaped = likeEscape(needle)
  const pattern = op === 'contains' ? `%${escaped}%` : op === 'starts' ? `${escaped}%` : `%${escaped}`
  if (Buffer.byteLength(pattern, 'utf8') <= MAX_LIKE_PATTERN_BYTES) return sql<boolean>`${column} LIKE ${pattern} ESCAPE '\\'`
  if (op === 'contains') return sql<boolean>`replace(${column}, ${needle}, '') <> ${column}`
  if (op === 'starts') return sql<boolean>`substr(${column}, 1, length(${needle})) = ${needle}`
  return sql<boolean>`(length(${column}) >= length(${needle}) AND substr(${column}, length(${column}) - length(${needle}) + 1) = ${needle})`
}

/** `column` equals `needle` (see the module comment for U+0000). */
export function textEquals(column: RawBuilder<unknown>, needle: string): RawBuilder<boolean> {
  if (needle.includes('\u0000')) return sql<boolean>`1 = 0`
  return sql<boolean>`${column} = ${needle}`
}
