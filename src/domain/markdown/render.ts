import type { RichTextItem } from '../rich-text.js'
import { attrString, escapeText, idUrl, linkDestination, richTextToMarkdown } from './inline.js'
import { v2Conflict } from './v2.js'

/**
 * Blocks → Notion's enhanced Markdown (v1; docs/reference/notion-api-2026.md §2, from Notion's guide "Enhanced
 * markdown" and "Working with markdown content"): one block per line, children indented one tab
 * deeper, block colours as a trailing `{color="C"}`, and XML-like tags for toggles, callouts,
 * tables, columns, media, child pages and databases. Types the format has no syntax for (bookmark,
 * embed, link_preview, breadcrumb, template, link_to_page, unsupported, …) render as
 * `<unknown url="…" alt="<type>"/>` and are listed in `unknownIds`.
 */

/** A block of the tree being rendered: stored content (response form) and its live children in order. */
export interface MdNode {
  id: string
  type: string
  content: Record<string, unknown>
  children: MdNode[]
  /** Child pages and databases: their title. */
  title?: string
  /** A child page or database the caller may not see (rendered as `<unknown>`). */
  hidden?: boolean
  /** Its stored position among its siblings (set by loaders; edits use it to avoid shifting siblings). */
  position?: number
}

/** The rendered Markdown, where each top-level block sits in it, and the blocks shown as `<unknown>`. */
export interface Rendered {
  markdown: string
  /** Top-level blocks in order, with their `[start, end)` offsets in `markdown`. */
  segments: Array<{ id: string; start: number; end: number; markdown: string }>
  unknownIds: string[]
  /** Whether a hidden child (not shared with the caller) was left out. */
  hiddenSeen: boolean
}

interface Ctx {
  publicUrl: string
  unknownIds: string[]
  hiddenSeen: boolean
}

const rt = (c: Record<string, unknown>, key = 'rich_text') => (c[key] ?? []) as RichTextItem[]

function colorAttr(c: Record<string, unknown>, extra: Record<string, string | undefined> = {}): string {
  const color = c.color as string | undefined
  const attrs = { ...(color && color !== 'default' ? { color } : {}), ...extra }
  const s = attrString(attrs)
  return s === '' ? '' : ` {${s.trim()}}`
}

function indentLines(text: string, depth: number): string {
  if (depth === 0) return text
  const pad = '\t'.repeat(depth)
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n')
}

function fenceFor(content: string): string {
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map((m) => m[0].length))
  return '`'.repeat(longest + 1)
}

/** One block (with its children) as Markdown lines at indentation 0; `number` is its list number. */
function renderBlock(node: MdNode, ctx: Ctx, number: number): string {
  const c = node.content
  const inline = (key = 'rich_text') => richTextToMarkdown(rt(c, key), ctx.publicUrl)
  const kids = () => renderChildren(node.children, ctx)
  const withKids = (first: string) => {
    const body = kids()
    return body === '' ? first : `${first}\n${indentLines(body, 1)}`
  }
  const unknown = () => {
    ctx.unknownIds.push(node.id)
    return `<unknown url="${idUrl(ctx.publicUrl, node.id)}" alt="${node.type}"/>`
  }
  if (node.hidden) {
    ctx.hiddenSeen = true
    return unknown()
  }
  switch (node.type) {
    case 'paragraph': {
      const text = inline()
      return withKids(text === '' ? `<empty-block/>${colorAttr(c)}` : `${text}${colorAttr(c)}`)
    }
    case 'heading_1':
    case 'heading_2':
    case 'heading_3':
    case 'heading_4': {
      const level = Number(node.type.slice(-1))
      return withKids(`${'#'.repeat(level)} ${inline()}${colorAttr(c, { toggle: c.is_toggleable ? 'true' : undefined })}`)
    }
    case 'bulleted_list_item':
      return withKids(`- ${inline()}${colorAttr(c)}`)
    case 'numbered_list_item':
      return withKids(`${number}. ${inline()}${colorAttr(c)}`)
    case 'to_do':
      return withKids(`- [${c.checked ? 'x' : ' '}] ${inline()}${colorAttr(c)}`)
    case 'quote':
      return withKids(`> ${inline()}${colorAttr(c)}`)
    case 'toggle': {
      const color = c.color && c.color !== 'default' ? attrString({ color: c.color as string }) : ''
      const body = kids()
      return `<details${color}><summary>${inline()}</summary>${body === '' ? '' : `\n${indentLines(body, 1)}`}\n</details>`
    }
    case 'callout': {
      const icon = c.icon as { type: string; emoji?: string; external?: { url: string } } | null
      const iconValue = icon?.type === 'emoji' ? icon.emoji : icon?.type === 'external' ? icon.external?.url : undefined
      const color = c.color && c.color !== 'gray_background' ? (c.color as string) : undefined
      const lines = [inline(), kids()].filter((s) => s !== '').join('\n')
      return `<callout${attrString({ icon: iconValue, color })}>${lines === '' ? '' : `\n${indentLines(lines, 1)}`}\n</callout>`
    }
    case 'code': {
      const content = rt(c)
        .map((i) => i.plain_text)
        .join('')
      const fence = fenceFor(content)
      const lang = (c.language as string | undefined) ?? 'plain text'
      return `${fence}${lang === 'plain text' ? '' : lang.replace(/\s/g, '_')}\n${content}\n${fence}`
    }
    case 'equation':
      return `$$\n${(c.expression as string) ?? ''}\n$$`
    case 'divider':
      return '---'
    case 'table_of_contents':
      return `<table_of_contents${attrString({ color: c.color && c.color !== 'default' ? (c.color as string) : undefined })}/>`
    case 'image': {
      const url = mediaUrl(c)
      return `![${inline('caption')}](${linkDestination(url)})${colorAttr(c)}`
    }
    case 'video':
    case 'audio':
    case 'file':
    case 'pdf':
      return `<${node.type}${attrString({ src: mediaUrl(c) })}>${inline('caption')}</${node.type}>`
    case 'table': {
      const attrs = attrString({
        'header-row': c.has_column_header ? 'true' : undefined,
        'header-column': c.has_row_header ? 'true' : undefined,
      })
      const rows = node.children
        .filter((r) => r.type === 'table_row')
        .map((r) => {
          const cells = ((r.content.cells ?? []) as RichTextItem[][]).map(
            (cell) => `\t\t<td>${richTextToMarkdown(cell, ctx.publicUrl)}</td>`,
          )
          return `\t<tr>\n${cells.join('\n')}\n\t</tr>`
        })
      return `<table${attrs}>\n${rows.join('\n')}${rows.length ? '\n' : ''}</table>`
    }
    case 'column_list': {
      const cols = node.children.map((col) => {
        const body = renderChildren(col.children, ctx)
        return `\t<column>${body === '' ? '' : `\n${indentLines(body, 2)}`}\n\t</column>`
      })
      return `<columns>\n${cols.join('\n')}${cols.length ? '\n' : ''}</columns>`
    }
    case 'child_page':
      return `<page url="${idUrl(ctx.publicUrl, node.id)}">${escapeText(node.title ?? '')}</page>`
    case 'child_database':
      return `<database url="${idUrl(ctx.publicUrl, node.id)}" inline="false">${escapeText(node.title ?? '')}</database>`
    case 'meeting_notes':
      // Read-only, like a child page: the title only; its sections are the block's children (docs/markdown.md).
      return `<meeting-notes url="${idUrl(ctx.publicUrl, node.id)}">${inline('title')}</meeting-notes>`
    case 'synced_block': {
      const from = (c.synced_from as { block_id?: string } | null | undefined)?.block_id
      if (from) return `<synced_block_reference url="${idUrl(ctx.publicUrl, from)}"/>`
      const body = kids()
      return `<synced_block url="${idUrl(ctx.publicUrl, node.id)}">${body === '' ? '' : `\n${indentLines(body, 1)}`}\n</synced_block>`
    }
    default:
      return unknown()
  }
}

function mediaUrl(c: Record<string, unknown>): string {
  const type = c.type as string | undefined
  const inner = (type ? c[type] : c.external) as { url?: string } | undefined
  return inner?.url ?? ''
}

function renderChildren(nodes: MdNode[], ctx: Ctx): string {
  return renderList(nodes, ctx)
    .map((s) => s.markdown)
    .join('\n')
}

function renderList(nodes: MdNode[], ctx: Ctx): Array<{ id: string; markdown: string }> {
  const out: Array<{ id: string; markdown: string }> = []
  let number = 0
  for (const node of nodes) {
    number = node.type === 'numbered_list_item' ? number + 1 : 0
    out.push({ id: node.id, markdown: renderBlock(node, ctx, number) })
  }
  return out
}

/**
 * Renders a block tree (the page's top-level blocks) as enhanced Markdown: top-level blocks joined by
 * one `\n`. `publicUrl` (no trailing slash) makes page, database and unknown-block URLs.
 * With `version: 'v2'` (src/domain/markdown/v2.ts): top-level blocks are joined by a blank line, and a
 * block whose Markdown reads differently in v2 is rendered as `<unknown url alt/>` and listed in `unknownIds`.
 */
export function blocksToMarkdown(nodes: MdNode[], publicUrl: string, version: 'v1' | 'v2' = 'v1'): Rendered {
  const ctx: Ctx = { publicUrl, unknownIds: [], hiddenSeen: false }
  const parts = renderList(nodes, ctx)
  if (version === 'v2') {
    for (const [i, part] of parts.entries()) {
      const node = nodes[i] as MdNode
      if (part.markdown.startsWith('<unknown ') || v2Conflict(part.markdown) === undefined) continue
      ctx.unknownIds.push(node.id)
      part.markdown = `<unknown url="${idUrl(publicUrl, node.id)}" alt="${node.type}"/>`
    }
  }
  const sep = version === 'v2' ? '\n\n' : '\n'
  const segments: Rendered['segments'] = []
  let offset = 0
  for (const part of parts) {
    segments.push({ id: part.id, start: offset, end: offset + part.markdown.length, markdown: part.markdown })
    offset += part.markdown.length + sep.length
  }
  return { markdown: parts.map((p) => p.markdown).join(sep), segments, unknownIds: ctx.unknownIds, hiddenSeen: ctx.hiddenSeen }
}

/** The canonical Markdown of one block on its own (list numbers start at 1): what edits compare blocks by. */
export function blockKey(node: MdNode, publicUrl: string): string {
  const ctx: Ctx = { publicUrl, unknownIds: [], hiddenSeen: false }
  return renderBlock(node, ctx, 1)
}
