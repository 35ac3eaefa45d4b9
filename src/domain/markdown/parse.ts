import { validationError } from '../../errors/notion-error.js'
import { normalizeContent, normalizeIcon } from '../blocks.js'
import { API_COLORS, type RichTextItem } from '../rich-text.js'
import { attrsOf, idFromUrl, markdownToRichText } from './inline.js'

/**
 * Notion's enhanced Markdown (v1) → blocks (docs/reference/notion-api-2026.md §2, from Notion's guide
 * "Enhanced markdown"). The block structure is line-based as Notion defines it — one block per line,
 * children indented (a tab, or spaces), XML-like container tags with a closing tag — and is read
 * here; the text of each block goes through `markdownToRichText` (CommonMark via micromark).
 * `<page url>`, `<database url>`, `<unknown url>` and `<synced_block url>` name existing blocks: they
 * come back as references (`{ref: id}`) for the caller to keep or drop. Anything not recognised is a
 * paragraph of text, so parsing never fails on odd input; only nesting deeper than `MAX_DEPTH` levels
 * (indentation, or container tags inside container tags) is refused. Time is linear in the lines
 * (closing tags are matched in one pass), recursion bounded by `MAX_DEPTH`.
 */

/** A parsed block: new content (stored form) with children, or a reference to an existing block. */
export type ParsedBlock = { type: string; content: Record<string, unknown>; children: ParsedBlock[] } | { ref: string; refType: string }

/** Deepest indentation accepted (levels); Notion's UI nests far less. */
export const MAX_DEPTH = 64

const COLORS = new Set<string>(API_COLORS)

interface Line {
  /** Its index in the whole document (slices keep it; used to find a container's closing line). */
  n: number
  indent: number
  /** Leading whitespace, as written (code content keeps what is beyond it). */
  prefix: string
  text: string
}

function toLine(raw: string, n: number): Line {
  const m = /^[\t ]*/.exec(raw)?.[0] ?? ''
  let indent = 0
  let spaces = 0
  for (const ch of m) {
    if (ch === '\t') {
      indent += 1 + Math.floor(spaces / 4)
      spaces = 0
    } else spaces++
  }
  indent += Math.floor(spaces / 2)
  return { n, indent, prefix: m, text: raw.slice(m.length) }
}

const TRAILING_ATTRS = /\s*\{((?:\s*[a-zA-Z-]+="[^"]*")+)\s*\}\s*$/

/** Splits a trailing `{color="…" toggle="true"}` off a line. */
function splitAttrs(text: string): { text: string; attrs: Record<string, string> } {
  const m = TRAILING_ATTRS.exec(text)
  if (!m || text.endsWith('\\}')) return { text, attrs: {} }
  return { text: text.slice(0, m.index), attrs: attrsOf(m[1] as string) }
}

function color(attrs: Record<string, string>, fallback = 'default'): string {
  const c = attrs.color
  return c && COLORS.has(c) ? c : fallback
}

function block(type: string, content: Record<string, unknown>, children: ParsedBlock[] = []): ParsedBlock {
  return { type, content: normalizeContent(type, content), children }
}

const rich = (text: string): RichTextItem[] => markdownToRichText(text)

/**
 * Parses an enhanced-Markdown document into blocks.
 * @throws NotionApiError validation_error when indentation or container tags nest deeper than `MAX_DEPTH` levels.
 */
export function markdownToBlocks(markdown: string): ParsedBlock[] {
  const lines = markdown
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((raw, n) => toLine(raw, n))
  let depth = 0
  for (const l of lines) if (l.text !== '' && l.indent > depth) depth = l.indent
  if (depth > MAX_DEPTH) throw tooDeep()
  return parseLines(lines, 0, closingLines(lines))
}

function tooDeep() {
  return validationError(
    `Markdown content is nested too deeply: at most ${MAX_DEPTH} levels of indentation or nested tags (<details>, <callout>, <columns>…) are supported.`,
  )
}

/** Container tags read with a closing tag. */
const CONTAINERS = ['details', 'callout', 'columns', 'column', 'table', 'synced_block'] as const

/**
 * For each line opening a container tag (`<details…>` without its closing tag on the same line), the
 * document index of the line closing it (nesting of the same tag counted), found in one pass with a
 * stack per tag: what a forward scan from each opener would find, in linear time (a document of
 * thousands of unclosed tags would otherwise take quadratic time).
 */
function closingLines(lines: Line[]): Map<number, number> {
  const close = new Map<number, number>()
  const stacks = new Map<string, number[]>(CONTAINERS.map((c) => [c, []]))
  for (const l of lines) {
    const t = l.text.trim()
    if (!t.startsWith('<')) continue
    const closing = /^<\/([a-z_]+)>$/.exec(t)
    if (closing) {
      const n = stacks.get(closing[1] as string)?.pop()
      if (n !== undefined) close.set(n, l.n)
      continue
    }
    const name = /^<([a-z_]+)(?=[\s>/])/.exec(t)?.[1]
    const stack = name === undefined ? undefined : stacks.get(name)
    if (stack && !t.endsWith('/>') && !t.includes(`</${name as string}>`)) stack.push(l.n)
  }
  return close
}

/** The index in `lines` of the line closing the container opened at `from`, or -1 (not in `lines`). */
function findClose(lines: Line[], from: number, closes: Map<number, number>): number {
  const open = lines[from] as Line
  const n = closes.get(open.n)
  if (n === undefined) return -1
  const j = from + (n - open.n)
  return j < lines.length && (lines[j] as Line).n === n ? j : -1
}

/** The lines after `i` indented deeper than line `i` (blank lines inside included): a block's children. */
function indentedAfter(lines: Line[], i: number): number {
  const base = (lines[i] as Line).indent
  let j = i + 1
  let last = i
  for (; j < lines.length; j++) {
    const l = lines[j] as Line
    if (l.text === '') continue
    if (l.indent <= base) break
    last = j
  }
  return last
}

function parseLines(lines: Line[], depth: number, closes: Map<number, number>): ParsedBlock[] {
  if (depth > MAX_DEPTH) throw tooDeep()
  const out: ParsedBlock[] = []
  let i = 0
  while (i < lines.length) {
    const line = lines[i] as Line
    const t = line.text
    if (t.trim() === '') {
      i++
      continue
    }
    const children = (end: number): ParsedBlock[] => (end > i ? parseLines(lines.slice(i + 1, end + 1), depth + 1, closes) : [])

    // Fenced code: content is literal, indentation beyond the fence's kept.
    const fence = /^(`{3,}|~{3,})\s*([^`]*)$/.exec(t)
    if (fence) {
      const marker = fence[1] as string
      const content: string[] = []
      let j = i + 1
      for (; j < lines.length; j++) {
        const l = lines[j] as Line
        if (l.text.startsWith(marker[0] as string) && l.text.trim().startsWith(marker) && l.text.trim().replace(/[`~]/g, '') === '') break
        const raw = l.prefix + l.text
        content.push(raw.startsWith(line.prefix) ? raw.slice(line.prefix.length) : l.text)
      }
      const lang = (fence[2] as string).trim().replace(/_/g, ' ')
      const code = content.join('\n')
      out.push(
        block('code', {
          rich_text: chunks(code),
          language: lang === '' ? 'plain text' : lang,
        }),
      )
      i = j + 1
      continue
    }
    // Block equation between `$$` lines (or `$$expr$$` on one line).
    if (t.trim() === '$$') {
      const content: string[] = []
      let j = i + 1
      for (; j < lines.length && (lines[j] as Line).text.trim() !== '$$'; j++) content.push((lines[j] as Line).text)
      out.push(block('equation', { expression: content.join('\n') }))
      i = j + 1
      continue
    }
    const oneLineEq = /^\$\$(.+)\$\$$/.exec(t.trim())
    if (oneLineEq) {
      out.push(block('equation', { expression: (oneLineEq[1] as string).trim() }))
      i++
      continue
    }
    // Pipe table: a header row, a delimiter row, body rows.
    if (t.startsWith('|') && i + 1 < lines.length && /^\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/.test((lines[i + 1] as Line).text)) {
      const rows: string[][] = [pipeCells(t)]
      let j = i + 2
      for (; j < lines.length && (lines[j] as Line).text.startsWith('|'); j++) rows.push(pipeCells((lines[j] as Line).text))
      out.push(tableBlock(rows, { 'header-row': 'true' }))
      i = j
      continue
    }
    const tag = /^<([a-z_-]+)(\s[^>]*?)?(\/?)>(.*)$/.exec(t.trim())
    if (tag) {
      const name = tag[1] as string
      const attrs = attrsOf(tag[2] ?? '')
      const selfClosing = tag[3] === '/'
      const rest = tag[4] as string
      const parsed = parseTagBlock(lines, i, name, attrs, selfClosing, rest, depth, closes)
      if (parsed) {
        out.push(...parsed.blocks)
        i = parsed.next
        continue
      }
    }
    const end = indentedAfter(lines, i)
    if (t === '---' || t === '***' || t === '___') {
      out.push(block('divider', {}))
      i = end + 1
      continue
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(t)
    if (heading) {
      const { text, attrs } = splitAttrs(heading[2] as string)
      const level = Math.min(4, (heading[1] as string).length)
      out.push(
        block(`heading_${level}`, { rich_text: rich(text), is_toggleable: attrs.toggle === 'true', color: color(attrs) }, children(end)),
      )
      i = end + 1
      continue
    }
    const todo = /^[-*+]\s+\[([ xX])\]\s?(.*)$/.exec(t)
    if (todo) {
      const { text, attrs } = splitAttrs(todo[2] as string)
      out.push(block('to_do', { rich_text: rich(text), checked: todo[1] !== ' ', color: color(attrs) }, children(end)))
      i = end + 1
      continue
    }
    const bullet = /^[-*+](?:\s+(.*))?$/.exec(t)
    if (bullet) {
      const { text, attrs } = splitAttrs(bullet[1] ?? '')
      out.push(block('bulleted_list_item', { rich_text: rich(text), color: color(attrs) }, children(end)))
      i = end + 1
      continue
    }
    const numbered = /^\d{1,9}[.)](?:\s+(.*))?$/.exec(t)
    if (numbered) {
      const { text, attrs } = splitAttrs(numbered[1] ?? '')
      out.push(block('numbered_list_item', { rich_text: rich(text), color: color(attrs) }, children(end)))
      i = end + 1
      continue
    }
    const quote = /^>\s?(.*)$/.exec(t)
    if (quote) {
      const { text, attrs } = splitAttrs(quote[1] as string)
      out.push(block('quote', { rich_text: rich(text), color: color(attrs) }, children(end)))
      i = end + 1
      continue
    }
    const image = /^!\[(.*)\]\((?:<([^>]*)>|([^)\s]*))\)$/.exec(splitAttrs(t).text)
    if (image) {
      const { attrs } = splitAttrs(t)
      void attrs
      out.push(block('image', { external: { url: decodeBrackets(image[2] ?? image[3] ?? '') }, caption: rich(image[1] as string) }))
      i = end + 1
      continue
    }
    const { text, attrs } = splitAttrs(t)
    out.push(block('paragraph', { rich_text: rich(text), color: color(attrs) }, children(end)))
    i = end + 1
  }
  return out
}

function decodeBrackets(url: string): string {
  return url.replace(/%3C|%3E|%5C/gi, (m) => decodeURIComponent(m))
}

function chunks(text: string): Array<{ text: { content: string } }> {
  const out: Array<{ text: { content: string } }> = []
  for (let i = 0; i < text.length; i += 2000) out.push({ text: { content: text.slice(i, i + 2000) } })
  return out
}

/** The cells of a pipe-table row (unescaped `|` splits; `\|` stays a literal bar). */
function pipeCells(row: string): string[] {
  let t = row.trim()
  if (t.startsWith('|')) t = t.slice(1)
  if (t.endsWith('|') && !t.endsWith('\\|')) t = t.slice(0, -1)
  const cells: string[] = []
  let cur = ''
  for (let k = 0; k < t.length; k++) {
    const ch = t[k] as string
    if (ch === '\\' && t[k + 1] === '|') {
      cur += '\\|'
      k++
    } else if (ch === '|') {
      cells.push(cur.trim())
      cur = ''
    } else cur += ch
  }
  cells.push(cur.trim())
  return cells
}

function tableBlock(rows: string[][], attrs: Record<string, string>): ParsedBlock {
  const width = Math.max(1, ...rows.map((r) => r.length))
  const rowBlocks = rows.map((r) => {
    const cells = Array.from({ length: width }, (_, k) => rich(r[k] ?? ''))
    return block('table_row', { cells })
  })
  return block(
    'table',
    { table_width: width, has_column_header: attrs['header-row'] === 'true', has_row_header: attrs['header-column'] === 'true' },
    rowBlocks,
  )
}

/**
 * A tag-started block at line `i`: containers (`details`, `callout`, `columns`, `column`, `table`,
 * `synced_block`) up to their closing tag (or, unclosed, their indented lines); one-line tags
 * (`page`, `database`, media, `table_of_contents`, `empty-block`, `unknown`). Undefined when the
 * line is not such a block (it is then text).
 */
function parseTagBlock(
  lines: Line[],
  i: number,
  name: string,
  attrs: Record<string, string>,
  selfClosing: boolean,
  rest: string,
  depth: number,
  closes: Map<number, number>,
): { blocks: ParsedBlock[]; next: number } | undefined {
  const one = (blocks: ParsedBlock[]) => ({ blocks, next: indentedAfter(lines, i) + 1 })
  const inner = (closeName: string) => {
    const m = new RegExp(`^(.*)</${closeName}>\\s*$`).exec(rest)
    return m ? (m[1] as string) : undefined
  }
  switch (name) {
    case 'empty-block':
      return one([block('paragraph', { rich_text: [], color: color(splitAttrs(rest).attrs) })])
    case 'table_of_contents':
      return one([block('table_of_contents', { color: color(attrs) })])
    case 'unknown':
    case 'synced_block_reference': {
      const id = idFromUrl(attrs.url ?? '')
      return one(id ? [{ ref: id, refType: name }] : [])
    }
    case 'meeting-notes': {
      // An existing meeting note (rendered read-only): kept by id; a new one cannot be written in Markdown.
      const id = idFromUrl(attrs.url ?? '')
      return one(id ? [{ ref: id, refType: 'meeting_notes' }] : [])
    }
    case 'page':
    case 'database': {
      const id = idFromUrl(attrs.url ?? '')
      return one(id ? [{ ref: id, refType: name === 'page' ? 'child_page' : 'child_database' }] : [])
    }
    case 'video':
    case 'audio':
    case 'file':
    case 'pdf': {
      const caption = selfClosing ? '' : inner(name)
      if (caption === undefined || !attrs.src) return undefined
      return one([block(name, { external: { url: attrs.src }, caption: rich(caption) })])
    }
    case 'details':
    case 'callout':
    case 'columns':
    case 'column':
    case 'table':
    case 'synced_block': {
      if (selfClosing) return undefined
      let close = findClose(lines, i, closes)
      let bodyLines: Line[]
      let sameLine = rest
      const closesHere = rest.trim().endsWith(`</${name}>`)
      if (closesHere) {
        sameLine = rest.trim().slice(0, -`</${name}>`.length)
        bodyLines = []
        close = i
      } else if (close === -1) {
        // Unclosed: its indented lines are its body.
        close = indentedAfter(lines, i)
        bodyLines = lines.slice(i + 1, close + 1)
      } else bodyLines = lines.slice(i + 1, close)
      const next = close + 1
      const kids = () => parseLines(bodyLines, depth + 1, closes)
      if (name === 'details') {
        let summary = /^<summary>(.*)<\/summary>\s*$/.exec(sameLine.trim())?.[1]
        let body = bodyLines
        if (summary === undefined) {
          const k = body.findIndex((l) => l.text.trim() !== '')
          const first = k >= 0 ? /^<summary>(.*)<\/summary>\s*$/.exec((body[k] as Line).text.trim()) : null
          if (first) {
            summary = first[1] as string
            body = body.slice(k + 1)
          }
        }
        return {
          blocks: [block('toggle', { rich_text: rich(summary ?? ''), color: color(attrs) }, parseLines(body, depth + 1, closes))],
          next,
        }
      }
      if (name === 'callout') {
        const parsed = kids()
        let text: RichTextItem[] = rich(sameLine.trim())
        const first = parsed[0]
        if (sameLine.trim() === '' && first && 'type' in first && first.type === 'paragraph' && first.children.length === 0) {
          text = first.content.rich_text as RichTextItem[]
          parsed.shift()
        }
        const icon = attrs.icon ? (/^https?:\/\//.test(attrs.icon) ? { external: { url: attrs.icon } } : { emoji: attrs.icon }) : undefined
        const content: Record<string, unknown> = { rich_text: [], color: color(attrs, 'gray_background') }
        if (icon) content.icon = icon
        const b = block('callout', content, parsed) as { content: Record<string, unknown> }
        b.content.rich_text = text
        if (icon) b.content.icon = normalizeIcon(icon)
        return { blocks: [b as ParsedBlock], next }
      }
      if (name === 'columns') {
        const cols = kids().filter((b) => 'type' in b && b.type === 'column')
        return { blocks: cols.length ? [block('column_list', {}, cols)] : [], next }
      }
      if (name === 'column') return { blocks: [block('column', {}, kids())], next }
      if (name === 'synced_block') {
        const id = idFromUrl(attrs.url ?? '')
        return { blocks: id ? [{ ref: id, refType: 'synced_block' }] : kids(), next }
      }
      // table
      const html = [sameLine, ...bodyLines.map((l) => l.text)].join('\n')
      const rows: string[][] = []
      for (const tr of html.matchAll(/<tr(?:\s[^>]*)?>([\s\S]*?)<\/tr>/g)) {
        rows.push([...(tr[1] as string).matchAll(/<t[dh](?:\s[^>]*)?>([\s\S]*?)<\/t[dh]>/g)].map((m) => (m[1] as string).trim()))
      }
      if (rows.length === 0) return { blocks: [], next }
      return { blocks: [tableBlock(rows, attrs)], next }
    }
    default:
      return undefined
  }
}
