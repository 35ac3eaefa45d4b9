import { fromMarkdown } from 'mdast-util-from-markdown'
import { gfmStrikethroughFromMarkdown } from 'mdast-util-gfm-strikethrough'
import { mathFromMarkdown } from 'mdast-util-math'
import { gfmStrikethrough } from 'micromark-extension-gfm-strikethrough'
import { math } from 'micromark-extension-math'
import type { PhrasingContent, RootContent } from 'mdast'
import { API_COLORS, type RichTextItem } from '../rich-text.js'
import { parseId } from '../ids.js'

/**
 * Rich text ↔ the inline part of Notion's enhanced Markdown (v1; docs/reference/notion-api-2026.md §2.5 "Inline syntax",
 * from Notion's guide "Enhanced markdown"):
 * `**bold**`, `*italic*`, `~~strike~~`, `` `code` ``, `<span underline="true">`, `<span color="C">`,
 * `[text](url)`, `$equation$`, `<br>` for a line break inside a block, and the mention tags
 * `<mention-user url>`, `<mention-page url>`, `<mention-database url>`, `<mention-data-source url>`,
 * `<mention-date start end/>`, `<mention-link-preview url>`. Parsing is CommonMark (micromark through
 * mdast-util-from-markdown) with the GFM strikethrough and math extensions; only the Notion-specific
 * tags are handled here. Text outside code is backslash-escaped so it reads back unchanged.
 */

const COLORS = new Set<string>(API_COLORS)

/** Characters that may start inline markup (emphasis, code, math, links, tags, escapes, entities, hard breaks). */
const MARKUP = /[\\*_~`$[\]<>&!]| {2}$/

/** micromark options, built once (building them per call dominated parsing time). */
const PARSE_OPTIONS = {
  extensions: [gfmStrikethrough({ singleTilde: false }), math({ singleDollarTextMath: true })],
  mdastExtensions: [gfmStrikethroughFromMarkdown(), mathFromMarkdown()],
}

/** Characters escaped in text (Notion's list, plus `_` and `&` which CommonMark would read as markup). */
const ESCAPE = /[\\*~`$[\]<>{}|^_&]/g

/** Escapes literal text for enhanced Markdown (outside code). */
export function escapeText(text: string): string {
  return text.replace(ESCAPE, (c) => `\\${c}`)
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
}

function unattr(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

/** The attributes of a tag's text (`name="value"` pairs, `&quot;`-style entities decoded). */
export function attrsOf(tag: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of tag.matchAll(/([a-zA-Z_][\w-]*)="([^"]*)"/g)) out[m[1] as string] = unattr(m[2] as string)
  return out
}

/** Serialises attributes as ` a="b"` pairs (values entity-escaped). */
export function attrString(attrs: Record<string, string | undefined>): string {
  return Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${attr(v as string)}"`)
    .join('')
}

/** A page's URL from its id, for `<mention-page url>` and `<page url>` (`publicUrl` without slash). */
export function idUrl(publicUrl: string, id: string): string {
  return `${publicUrl}/${id.replace(/-/g, '')}`
}

/** The id at the end of a Notion-style URL (`…/Title-<32 hex>`, `…/<uuid>`), or the text itself when it is an id. */
export function idFromUrl(url: string): string | undefined {
  const direct = parseId(url)
  if (direct) return direct
  const m = /([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:[?#].*)?$/i.exec(url)
  return m ? parseId(m[1] as string) : undefined
}

function mentionMarkdown(item: RichTextItem, publicUrl: string): string {
  const m = item.mention as Record<string, unknown> & { type: string }
  const label = escapeText(item.plain_text)
  const idOf = (key: string) => (m[key] as { id: string }).id
  switch (m.type) {
    case 'user':
      return `<mention-user url="user://${idOf('user')}">${label}</mention-user>`
    case 'page':
      return `<mention-page url="${idUrl(publicUrl, idOf('page'))}">${label}</mention-page>`
    case 'database':
      return `<mention-database url="${idUrl(publicUrl, idOf('database'))}">${label}</mention-database>`
    case 'date': {
      const d = m.date as { start: string; end: string | null; time_zone: string | null }
      return `<mention-date${attrString({ start: d.start, end: d.end ?? undefined, timeZone: d.time_zone ?? undefined })}/>`
    }
    case 'link_preview':
      return `<mention-link-preview url="${attr((m.link_preview as { url: string }).url)}">${label}</mention-link-preview>`
    case 'custom_emoji': {
      // Notion's enhanced Markdown writes a custom emoji as `:name:` (docs/reference/notion-api-2026.md §2.5).
      const name = (m.custom_emoji as { name?: string }).name
      return name ? `:${name}:` : label
    }
    default:
      return label
  }
}

/**
 * Renders rich text as one line of enhanced Markdown: annotations as delimiters and spans, links,
 * equations as `$…$`, mentions as tags, line breaks as `<br>`. `publicUrl` makes page mention URLs.
 */
export function richTextToMarkdown(items: readonly RichTextItem[], publicUrl: string): string {
  let out = ''
  for (const item of mergeRuns(items)) {
    const a = item.annotations
    let body: string
    if (item.type === 'equation') body = `$${(item.equation?.expression ?? '').replace(/\$/g, '\\$')}$`
    else if (item.type === 'mention') body = mentionMarkdown(item, publicUrl)
    else {
      const content = item.text?.content ?? ''
      if (content === '') continue
      if (a.code) body = codeSpan(content)
      else body = escapeText(content)
    }
    body = body.replace(/\r?\n/g, '<br>')
    // Delimiters must touch non-space text (CommonMark flanking); edge spaces stay outside.
    const lead = /^\s*/.exec(body)?.[0] ?? ''
    const trail = body.length > lead.length ? (/\s*$/.exec(body)?.[0] ?? '') : ''
    let core = body.slice(lead.length, body.length - trail.length)
    if (core !== '') {
      if (a.bold) core = `**${core}**`
      if (a.italic) core = `*${core}*`
      if (a.strikethrough) core = `~~${core}~~`
    }
    let whole = lead + core + trail
    if (a.underline) whole = `<span underline="true">${whole}</span>`
    if (a.color !== 'default') whole = `<span color="${a.color}">${whole}</span>`
    const link = item.type === 'text' ? item.text?.link?.url : undefined
    if (link) {
      whole = `[${whole}](${linkDestination(link)})`
      // A literal "!" just before a link would make it an image (`![…](…)`): escape it.
      if (out.endsWith('!') && !/(^|[^\\])(\\\\)*\\!$/.test(out)) out = `${out.slice(0, -1)}\\!`
    }
    out += whole
  }
  return guardLine(out)
}

/**
 * Keeps a rendered line from reading back as something else: leading and trailing whitespace as
 * character references (CommonMark and the block parser would drop or read it as indentation), and a
 * backslash before what would start a heading, list item or divider.
 */
function guardLine(line: string): string {
  const ref = (m: string) => [...m].map((ch) => (ch === '\t' ? '&#9;' : '&#32;')).join('')
  let s = line.replace(/^[ \t]+/, ref).replace(/[ \t]+$/, ref)
  if (/^[#+-]/.test(s)) s = `\\${s}`
  s = s.replace(/^(\d+)([.)])/, '$1\\$2')
  return s
}

/** A link or image destination: bare, or in `<…>` when it holds spaces or parentheses (`<`, `>`, `\\` percent-encoded). */
export function linkDestination(url: string): string {
  const safe = url.replace(/[<>\\]/g, (c) => encodeURIComponent(c))
  return /[\s()]/.test(safe) ? `<${safe}>` : safe
}

/** Adjacent text runs of the same style and link as one run (two code spans in a row would read back as one). */
function mergeRuns(items: readonly RichTextItem[]): RichTextItem[] {
  const out: RichTextItem[] = []
  for (const item of items) {
    const last = out[out.length - 1]
    if (
      last &&
      last.type === 'text' &&
      item.type === 'text' &&
      sameAnnotations(last.annotations, item.annotations) &&
      (last.text?.link?.url ?? null) === (item.text?.link?.url ?? null)
    ) {
      const content = (last.text?.content ?? '') + (item.text?.content ?? '')
      out[out.length - 1] = { ...last, text: { content, link: last.text?.link ?? null }, plain_text: content }
    } else out.push(item)
  }
  return out
}

function sameAnnotations(a: RichTextItem['annotations'], b: RichTextItem['annotations']): boolean {
  return (
    a.bold === b.bold &&
    a.italic === b.italic &&
    a.strikethrough === b.strikethrough &&
    a.underline === b.underline &&
    a.code === b.code &&
    a.color === b.color
  )
}

function codeSpan(content: string): string {
  const longest = Math.max(0, ...[...content.matchAll(/`+/g)].map((m) => m[0].length))
  const fence = '`'.repeat(longest + 1)
  const pad = content.trim() !== '' && (content.startsWith('`') || content.endsWith('`') || /^ .* $/.test(content)) ? ' ' : ''
  return `${fence}${pad}${content.replace(/\n/g, ' ')}${pad}${fence}`
}

interface Style {
  bold: boolean
  italic: boolean
  strikethrough: boolean
  underline: boolean
  code: boolean
  color: string
  link: string | null
}

const PLAIN: Style = { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default', link: null }

/** A mention being read: its tag's attributes, until its closing tag. */
interface OpenMention {
  kind: string
  attrs: Record<string, string>
  label: string
  style: Style
}

/**
 * Parses one line of enhanced Markdown into rich text (response form; text runs longer than 2000
 * characters are split). Unknown tags and unbalanced markup stay literal text, as Notion keeps them;
 * never throws. Mentions of ids that do not parse stay text.
 */
export function markdownToRichText(line: string): RichTextItem[] {
  if (line === '') return []
  if (!MARKUP.test(line)) return parseLine(line)
  // Lines with markup go through micromark once per distinct text: an edit re-parses a whole page whose
  // lines are mostly unchanged. Results are kept as JSON (callers may mutate what they get).
  const hit = PARSED.get(line)
  if (hit !== undefined) return JSON.parse(hit) as RichTextItem[]
  const items = parseLine(line)
  if (line.length <= PARSED_MAX_LINE) {
    if (PARSED.size >= PARSED_MAX_ENTRIES) PARSED.clear()
    PARSED.set(line, JSON.stringify(items))
  }
  return items
}

/** Nesting of inline nodes (emphasis in links in …) read with their styles; deeper text keeps the style reached. */
const MAX_INLINE_DEPTH = 64
/** A line with more runs of `*`, `_` or `~` than this has them all literal (Notion holds ≤ 100 rich text items a block). */
const MAX_DELIMITER_RUNS = 256
/** Runs of one emphasis delimiter longer than this are literal text (escaped before parsing). */
const MAX_DELIMITER_RUN = 32

/**
 * Escapes every character of a run of more than `MAX_DELIMITER_RUN` `*`, `_` or `~` (such a run
 * cannot mean emphasis Notion can hold: its annotations do not nest), and every delimiter of a line
 * with more than `MAX_DELIMITER_RUNS` runs: CommonMark's delimiter matching takes quadratic time on
 * them (a 20,000-character run, or 6,000 nested `**`: 20 seconds and more).
 */
function escapeLongRuns(line: string): string {
  if (line.length <= MAX_DELIMITER_RUN) return line
  // So many runs that delimiter matching would take seconds (nested `**a **b … b** a**`): all literal.
  if ((line.match(/[*_~]+/g)?.length ?? 0) > MAX_DELIMITER_RUNS) return line.replace(/\\?[*_~]/g, (m) => (m.length === 2 ? m : `\\${m}`))
  // A run right after a backslash starts with an escaped character already: keep that one as it is.
  return line.replace(
    LONG_RUN,
    (_, slash: string, run: string) => slash + (slash ? run[0] : '') + run.slice(slash ? 1 : 0).replace(/[*_~]/g, (c) => `\\${c}`),
  )
}
const LONG_RUN = new RegExp(`(\\\\?)(([*_~])\\3{${MAX_DELIMITER_RUN},})`, 'g')

/** Parsed lines with markup, by text (at most `PARSED_MAX_ENTRIES` lines of `PARSED_MAX_LINE` characters). */
const PARSED = new Map<string, string>()
const PARSED_MAX_ENTRIES = 5_000
const PARSED_MAX_LINE = 1_000

function parseLine(line: string): RichTextItem[] {
  // No markup character: plain text, without the (comparatively slow) CommonMark parse.
  if (!MARKUP.test(line)) {
    const out: RichTextItem[] = []
    for (let i = 0; i < line.length; i += 2000) {
      const part = line.slice(i, i + 2000)
      out.push({ type: 'text', text: { content: part, link: null }, annotations: annotationsOf(PLAIN), plain_text: part, href: null })
    }
    return out
  }
  // A leading escaped "!" keeps the line inline-only: no heading, list, quote or code block can start.
  const tree = fromMarkdown(`\\!${escapeLongRuns(line)}`, PARSE_OPTIONS)
  const out: RichTextItem[] = []
  const spans: Array<{ tag: string; style: Style }> = []
  let mention: OpenMention | null = null

  const push = (text: string, style: Style) => {
    if (text === '') return
    if (mention) {
      mention.label += text
      return
    }
    const last = out[out.length - 1]
    if (last && last.type === 'text' && sameStyle(last, style) && (last.text?.content.length ?? 0) + text.length <= 2000) {
      ;(last.text as { content: string }).content += text
      last.plain_text += text
      return
    }
    for (let i = 0; i < text.length; i += 2000) {
      const part = text.slice(i, i + 2000)
      out.push({
        type: 'text',
        text: { content: part, link: style.link ? { url: style.link } : null },
        annotations: annotationsOf(style),
        plain_text: part,
        href: style.link,
      })
    }
  }

  const handleHtml = (raw: string, style: Style): Style => {
    const tag = /^<\s*(\/)?\s*([a-zA-Z][\w-]*)([^>]*?)(\/)?\s*>$/.exec(raw.trim())
    if (!tag) {
      push(raw, style)
      return style
    }
    const [, closing, nameRaw, rest, selfClosing] = tag
    const name = (nameRaw as string).toLowerCase()
    const attrs = attrsOf(rest ?? '')
    if (name === 'br') {
      push('\n', style)
      return style
    }
    if (name === 'span' || name === 'u') {
      if (closing) {
        const open = spans.pop()
        if (!open) push(raw, style)
        return open ? open.style : style
      }
      const next = { ...style }
      if (name === 'u' || attrs.underline === 'true') next.underline = true
      if (attrs.color && COLORS.has(attrs.color)) next.color = attrs.color
      spans.push({ tag: name, style })
      return next
    }
    if (name.startsWith('mention-')) {
      const kind = name.slice('mention-'.length)
      if (closing) {
        if (mention && mention.kind === kind) {
          const m = mention
          mention = null
          emitMention(m)
        } else push(raw, style)
        return style
      }
      const m: OpenMention = { kind, attrs, label: '', style }
      if (selfClosing) emitMention(m)
      else if (!mention) mention = m
      else push(raw, style)
      return style
    }
    push(raw, style)
    return style
  }

  const emitMention = (m: OpenMention) => {
    const item = mentionItem(m)
    if (item) out.push(item)
    else push(m.label, m.style)
  }

  // Below `MAX_INLINE_DEPTH` nested nodes the text is kept in the style reached, read without recursion.
  const flat = (nodes: readonly (PhrasingContent | RootContent)[], s: Style) => {
    const stack = [...nodes].reverse()
    while (stack.length) {
      const node = stack.pop() as PhrasingContent | RootContent
      if ('children' in node) stack.push(...[...(node.children as PhrasingContent[])].reverse())
      else if ('value' in node && node.type !== 'html') push(String(node.value), s)
    }
  }
  const walk = (nodes: readonly (PhrasingContent | RootContent)[], style: Style, depth = 0): Style => {
    if (depth > MAX_INLINE_DEPTH) {
      flat(nodes, style)
      return style
    }
    let s = style
    const d = depth + 1
    for (const node of nodes) {
      switch (node.type) {
        case 'paragraph':
          s = walk(node.children, s, d)
          break
        case 'text':
          push(node.value, s)
          break
        case 'strong':
          walk(node.children, { ...s, bold: true }, d)
          break
        case 'emphasis':
          walk(node.children, { ...s, italic: true }, d)
          break
        case 'delete':
          walk(node.children, { ...s, strikethrough: true }, d)
          break
        case 'inlineCode':
          push(node.value, { ...s, code: true })
          break
        case 'link':
          walk(node.children, { ...s, link: node.url }, d)
          break
        case 'inlineMath':
          if (mention) mention.label += node.value
          else
            out.push({
              type: 'equation',
              equation: { expression: node.value },
              annotations: annotationsOf(s),
              plain_text: node.value,
              href: null,
            })
          break
        case 'break':
          push('\n', s)
          break
        case 'html':
          s = handleHtml(node.value, s)
          break
        case 'image':
          push(`![${node.alt ?? ''}](${node.url})`, s)
          break
        default:
          if ('children' in node) walk(node.children as PhrasingContent[], s, d)
          else if ('value' in node) push(String(node.value), s)
      }
    }
    return s
  }
  walk(tree.children, PLAIN)
  if (mention) {
    const m = mention as OpenMention
    mention = null
    push(`<mention-${m.kind}${attrString(m.attrs)}>${m.label}`, m.style)
  }
  // Drop the leading "!" the guard added.
  const first = out[0]
  if (first && first.type === 'text' && first.text?.content.startsWith('!')) {
    first.text.content = first.text.content.slice(1)
    first.plain_text = first.plain_text.slice(1)
    if (first.text.content === '') out.shift()
  }
  return out
}

function sameStyle(item: RichTextItem, style: Style): boolean {
  const a = item.annotations
  return (
    a.bold === style.bold &&
    a.italic === style.italic &&
    a.strikethrough === style.strikethrough &&
    a.underline === style.underline &&
    a.code === style.code &&
    a.color === style.color &&
    (item.text?.link?.url ?? null) === style.link
  )
}

function annotationsOf(s: Style): RichTextItem['annotations'] {
  return { bold: s.bold, italic: s.italic, strikethrough: s.strikethrough, underline: s.underline, code: s.code, color: s.color }
}

function mentionItem(m: OpenMention): RichTextItem | undefined {
  const annotations = annotationsOf(m.style)
  const base = { type: 'mention' as const, annotations, href: null as string | null }
  const url = m.attrs.url ?? ''
  switch (m.kind) {
    case 'user': {
      const id = parseId(url.replace(/^user:\/\//, ''))
      return id ? { ...base, mention: { type: 'user', user: { object: 'user', id } }, plain_text: m.label || '@Anonymous' } : undefined
    }
    case 'page': {
      const id = idFromUrl(url)
      return id
        ? {
            ...base,
            mention: { type: 'page', page: { id } },
            plain_text: m.label || 'Untitled',
            href: `https://www.notion.so/${id.replace(/-/g, '')}`,
          }
        : undefined
    }
    case 'database':
    case 'data-source': {
      const id = idFromUrl(url.replace(/^collection:\/\//, ''))
      return id ? { ...base, mention: { type: 'database', database: { id } }, plain_text: m.label || 'Untitled' } : undefined
    }
    case 'date': {
      const start = m.attrs.start
      if (!start || !/^\d{4}-\d{2}-\d{2}/.test(start)) return undefined
      const end = m.attrs.end && /^\d{4}-\d{2}-\d{2}/.test(m.attrs.end) ? m.attrs.end : null
      const tz = m.attrs.timeZone ?? null
      return { ...base, mention: { type: 'date', date: { start, end, time_zone: tz } }, plain_text: end ? `${start} → ${end}` : start }
    }
    case 'link-preview':
      return url ? { ...base, mention: { type: 'link_preview', link_preview: { url } }, plain_text: m.label || url, href: url } : undefined
    default:
      return undefined
  }
}

/**
 * A comment's `markdown` as rich text: inline formatting only, line by line (headings, lists, quotes
 * and fences stay text; docs/reference/notion-api-2026.md §3 "Comment markdown"), lines joined by a
 * line break.
 */
export function commentMarkdownToRichText(markdown: string): RichTextItem[] {
  const out: RichTextItem[] = []
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n')
  lines.forEach((line, i) => {
    if (i > 0) out.push(...markdownToRichText('<br>'))
    out.push(...markdownToRichText(line))
  })
  return out.filter((item) => item.plain_text !== '' || item.type !== 'text')
}
