/**
 * Markdown `v2` (Notion-flavored Markdown) where it coincides with `v1` (enhanced Markdown).
 *
 * docs/reference/notion-api-2026.md §2.5 lists how the two formats differ. Octavo implements v1 in full
 * and serves v2 only for the text that means the same in both (docs/markdown.md, "Markdown v2"):
 * headings `#`…`####`, plain paragraphs, bulleted / numbered / to-do lists (children indented inside
 * lists, as both allow), single-line quotes, fenced code, `$$` equations, `---`, images `![c](url)`,
 * pipe tables, `<page>` / `<database>` / `<unknown>` references and the common inline syntax (bold,
 * italic, strikethrough, code, links, `$math$`, `:emoji:`). Top-level blocks are separated by a blank
 * line (v2) instead of one newline (v1); the v1 parser already ignores blank lines.
 *
 * `v2Conflict` finds the first construct whose meaning differs (or that one format lacks); writes
 * in v2 that contain one are refused with `validation_error`, and reads in v2 render a block with one
 * as `<unknown url alt/>` (listed in `unknown_block_ids`, as Notion does for blocks a format cannot show).
 */

/** Tags read the same in both formats (references to existing pages, databases and unknown blocks). */
const SHARED_TAGS = new Set(['page', 'database', 'unknown'])

const FENCE = /^(`{3,}|~{3,})/
const LIST_ITEM = /^([-*+] |\d+[.)] )/
const STARTER = /^(#{1,6} |[-*+] |\d+[.)] |> |>$|`{3,}|~{3,}|\$\$|---+\s*$|\*\*\*+\s*$|!\[|<|\|)/
const TRAILING_ATTRS = /\{\s*[a-zA-Z-]+="[^"]*"[^{}]*\}\s*$/
const TAG = /(^|[^\\])<\/?([a-zA-Z][\w-]*)/g

/** Inline code spans removed (their content is literal in both formats). */
function withoutCode(line: string): string {
  return line.replace(/(`+)[^`]*?\1/g, '')
}

/**
 * The first construct of `markdown` that Markdown v1 and v2 read differently, described for an error
 * message (e.g. "the `<details>` tag"), or undefined when the text means the same in both formats.
 * Pure; linear in the length of `markdown`.
 */
export function v2Conflict(markdown: string): string | undefined {
  const lines = markdown.split('\n')
  let fence: string | undefined
  let inEquation = false
  let topIsList = false
  let prev: 'blank' | 'text' | 'list' | 'quote' | 'other' = 'blank'
  for (const raw of lines) {
    if (fence !== undefined) {
      if (raw.trimStart().startsWith(fence) && raw.trim().replace(/[`~]/g, '') === '') fence = undefined
      continue
    }
    if (inEquation) {
      if (raw.trim() === '$$') inEquation = false
      continue
    }
    if (raw.trim() === '') {
      prev = 'blank'
      continue
    }
    const indented = /^[\t ]/.test(raw)
    const text = raw.trimStart()
    const f = FENCE.exec(text)
    if (f) {
      fence = (f[1] as string).slice(0, 3)
      prev = 'other'
      continue
    }
    if (text.trim() === '$$') {
      inEquation = true
      prev = 'other'
      continue
    }
    if (indented && !topIsList) return 'children indented under a block that is not a list item (v2 nests only inside lists)'
    if (!indented) topIsList = LIST_ITEM.test(text)
    const plain = withoutCode(text)
    if (TRAILING_ATTRS.test(plain)) return 'block attributes in braces (`{color="…"}`; v2 stores them as text)'
    if (/(^|[^\\])\\$/.test(plain)) return 'a trailing backslash (a line break in v2, a literal backslash in v1)'
    for (const m of plain.matchAll(TAG)) {
      const name = (m[2] as string).toLowerCase()
      const after = plain[(m.index ?? 0) + m[0].length]
      if (after === ':') continue // an autolink such as <https://…>
      if (!SHARED_TAGS.has(name)) return `the \`<${name}>\` tag`
    }
    const starter = STARTER.test(text)
    if (!indented && !starter && (prev === 'text' || prev === 'list' || prev === 'quote')) {
      return 'a line break inside a block (v1 starts a new block, v2 continues the paragraph)'
    }
    if (!indented && (text.startsWith('> ') || text === '>') && prev === 'quote') {
      return 'consecutive `>` lines (separate quotes in v1, one quote in v2)'
    }
    if (!indented) prev = text.startsWith('>') ? 'quote' : LIST_ITEM.test(text) ? 'list' : starter ? 'other' : 'text'
  }
  return undefined
}
