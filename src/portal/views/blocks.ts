import { html } from 'hono/html'
import type { RichTextItem } from '../../domain/rich-text.js'
import type { BlockTree } from '../../services/portal.service.js'
import type { Html } from './layout.js'

/**
 * Read-only rendering of a page's blocks (the common Notion block types; others show their type).
 * External images are shown as links, never fetched, so the portal makes no third-party requests.
 * Uploaded files (issue 14) arrive signed by services/portal.service.ts as same-origin
 * `/_octavo/files/…` URLs: an image block shows the image (`<img>`), a file, PDF, audio or video
 * block a link to the file (served as an attachment unless it is a safe inline type).
 */

/** A same-origin signed file URL (`/_octavo/files/<id>/<name>?expires=…&signature=…`), else null. */
function uploadedFileHref(url: string | null | undefined): string | null {
  return url && /^\/_octavo\/files\/[0-9a-f-]{36}\/[^?#]*\?expires=\d+&signature=[0-9a-f]{64}$/.test(url) ? url : null
}

const COLORS = new Set(['gray', 'brown', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'red'])

/** Only http(s) and mailto links are rendered as links. */
function safeHref(url: string | null | undefined): string | null {
  if (!url) return null
  return /^(https?:|mailto:)/i.test(url) ? url : null
}

function run(item: RichTextItem, pageHref: (id: string) => string): Html {
  const a = item.annotations
  let out: Html = html`${item.plain_text}`
  if (item.type === 'mention') {
    const m = item.mention as { type?: string; page?: { id: string } } | undefined
    if (m?.type === 'page' && m.page) out = html`<a href="${pageHref(m.page.id)}">${item.plain_text}</a>`
    else out = html`<span class="mention">${item.plain_text}</span>`
  } else if (item.type === 'equation') out = html`<span class="equation">${item.plain_text}</span>`
  if (a?.code) out = html`<code>${out}</code>`
  if (a?.bold) out = html`<strong>${out}</strong>`
  if (a?.italic) out = html`<em>${out}</em>`
  if (a?.strikethrough) out = html`<s>${out}</s>`
  if (a?.underline) out = html`<u>${out}</u>`
  const color = (a?.color ?? 'default').replace(/_background$/, '')
  if (COLORS.has(color)) out = html`<span class="c-${color}">${out}</span>`
  const href = item.type === 'text' ? safeHref(item.href) : null
  if (href) out = html`<a href="${href}" rel="noopener noreferrer">${out}</a>`
  return out
}

/** Rich text to inline HTML. */
export function richText(items: unknown, pageHref: (id: string) => string): Html {
  const list = Array.isArray(items) ? (items as RichTextItem[]) : []
  return html`${list.map((i) => run(i, pageHref))}`
}

function captionText(items: unknown): string {
  return Array.isArray(items) ? (items as RichTextItem[]).map((r) => r.plain_text).join('') : ''
}

function plainTitle(row: BlockTree['row']): string {
  const title = (JSON.parse(row.properties ?? '{}') as { title?: { plain_text: string }[] }).title
  return (title ?? []).map((t) => t.plain_text).join('') || 'Untitled'
}

/** Renders a list of sibling blocks, grouping consecutive list items into one list. */
export function renderBlocks(blocks: BlockTree[], pageHref: (id: string) => string): Html {
  const out: Html[] = []
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i] as BlockTree
    const type = b.row.type
    if (type === 'bulleted_list_item' || type === 'numbered_list_item' || type === 'to_do') {
      const group: BlockTree[] = []
      while (i < blocks.length && (blocks[i] as BlockTree).row.type === type) group.push(blocks[i++] as BlockTree)
      i--
      out.push(renderList(type, group, pageHref))
    } else out.push(renderBlock(b, pageHref))
  }
  return html`${out}`
}

function renderList(type: string, items: BlockTree[], pageHref: (id: string) => string): Html {
  const li = (b: BlockTree) => {
    const c = JSON.parse(b.row.content) as { rich_text?: unknown; checked?: boolean }
    const children = b.children.length ? renderBlocks(b.children, pageHref) : ''
    if (type === 'to_do') {
      return html`<li><input type="checkbox" disabled ${c.checked ? 'checked' : ''} aria-label="${c.checked ? 'Done' : 'Not done'}"><span class="${c.checked ? 'done' : ''}">${richText(c.rich_text, pageHref)}</span>${children}</li>`
    }
    return html`<li>${richText(c.rich_text, pageHref)}${children}</li>`
  }
  if (type === 'numbered_list_item') return html`<ol>${items.map(li)}</ol>`
  if (type === 'to_do') return html`<ul class="todo">${items.map(li)}</ul>`
  return html`<ul>${items.map(li)}</ul>`
}

function renderBlock(b: BlockTree, pageHref: (id: string) => string): Html {
  const c = JSON.parse(b.row.content) as Record<string, unknown>
  const rt = () => richText(c.rich_text, pageHref)
  const kids = () => (b.children.length ? renderBlocks(b.children, pageHref) : '')
  const caption = () =>
    Array.isArray(c.caption) && c.caption.length ? html`<div class="caption">${richText(c.caption, pageHref)}</div>` : ''
  switch (b.row.type) {
    case 'paragraph':
      return html`<p>${rt()}</p>${b.children.length ? html`<div class="d1">${kids()}</div>` : ''}`
    case 'heading_1':
      return html`<h2>${rt()}</h2>`
    case 'heading_2':
      return html`<h3>${rt()}</h3>`
    case 'heading_3':
    case 'heading_4':
      return html`<h4>${rt()}</h4>`
    case 'quote':
      return html`<blockquote>${rt()}${kids()}</blockquote>`
    case 'callout': {
      const icon = c.icon as { emoji?: string } | null | undefined
      return html`<div class="callout"><span aria-hidden="true">${icon?.emoji ?? '💡'}</span><div>${rt()}${kids()}</div></div>`
    }
    case 'toggle':
      return html`<details><summary>${rt()}</summary><div>${kids()}</div></details>`
    case 'code':
      return html`<pre><code>${(c.rich_text as RichTextItem[] | undefined)?.map((r) => r.plain_text).join('') ?? ''}</code></pre>${caption()}`
    case 'divider':
      return html`<hr>`
    case 'equation':
      return html`<p class="equation">${String(c.expression ?? '')}</p>`
    case 'bookmark':
    case 'embed':
    case 'link_preview': {
      const href = safeHref(c.url as string)
      return html`<div class="bookmark">${href ? html`<a href="${href}" rel="noopener noreferrer">${href}</a>` : String(c.url ?? '')}${caption()}</div>`
    }
    case 'image':
    case 'video':
    case 'file':
    case 'pdf':
    case 'audio': {
      const src = ((c.external as { url?: string } | undefined)?.url ?? (c.file as { url?: string } | undefined)?.url) || ''
      const label = b.row.type[0]?.toUpperCase() + b.row.type.slice(1)
      const uploaded = uploadedFileHref(src)
      if (uploaded) {
        const name = typeof c.name === 'string' && c.name ? c.name : decodeURIComponent(uploaded.split('?')[0]?.split('/').pop() ?? 'file')
        if (b.row.type === 'image')
          return html`<figure class="embed"><img src="${uploaded}" alt="${captionText(c.caption) || name}" loading="lazy">${caption()}</figure>`
        return html`<div class="embed">${label}: <a href="${uploaded}" download="${name}">${name}</a>${caption()}</div>`
      }
      const href = safeHref(src)
      return html`<div class="embed">${label}: ${href ? html`<a href="${href}" rel="noopener noreferrer">${href}</a>` : src}${caption()}</div>`
    }
    case 'table': {
      const header = c.has_column_header === true
      return html`<table>${b.children.map((row, i) => {
        const cells = ((JSON.parse(row.row.content) as { cells?: unknown[] }).cells ?? []) as unknown[]
        return html`<tr>${cells.map((cell) => (header && i === 0 ? html`<th>${richText(cell, pageHref)}</th>` : html`<td>${richText(cell, pageHref)}</td>`))}</tr>`
      })}</table>`
    }
    case 'column_list':
      return html`<div class="columns">${b.children.map((col) => html`<div>${renderBlocks(col.children, pageHref)}</div>`)}</div>`
    case 'column':
      return html`<div>${kids()}</div>`
    case 'child_page':
      return html`<div class="subpage"><span aria-hidden="true">📄</span><a href="${pageHref(b.row.id)}">${plainTitle(b.row)}</a></div>`
    case 'child_database':
      return html`<div class="subpage"><span aria-hidden="true">🗂️</span><a href="${pageHref(b.row.id)}">${plainTitle(b.row)}</a></div>`
    case 'synced_block':
      return html`${kids()}`
    default:
      return html`<p class="caption">[${b.row.type} block]</p>`
  }
}
