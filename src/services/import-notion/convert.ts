import { parseBlockRequests, type NewBlock } from '../../domain/blocks.js'
import { parseRichText, type RichTextItem } from '../../domain/rich-text.js'

/**
 * Pure conversions for `octavo import-notion` (docs/emulator.md "Import from Notion"): Notion API
 * response objects (SDK `BlockObjectResponse`, `RichTextItemResponse`, `PageObjectResponse` property
 * values, `DataSourceObjectResponse` properties) into the request forms Octavo's own grammar
 * (domain/blocks.ts, domain/rich-text.ts, domain/schema.ts, domain/property-values.ts) validates, so an
 * imported object is stored exactly as the API would have stored it. Ids pass through `map` (source id →
 * target id; the identity unless an id was taken, see import-notion.service.ts).
 */

export type IdMap = (id: string) => string

/** A Notion-hosted file (`{type:"file", file:{url}}`) found while converting: downloaded and re-uploaded. */
export interface HostedFile {
  url: string
  /** Where the stored marker goes once the upload exists. */
  apply(marker: { type: 'file'; file: { file_upload_id: string; filename: string } }, upload: { filename: string }): void
}

/** The placeholder a hosted file stands on while Octavo's grammar checks the rest of the content. */
const PLACEHOLDER = 'https://octavo.invalid/import-placeholder'

/** A response rich-text array → request items (mentions reduced to their ids, unknown mentions to text). */
export function richTextRequest(items: unknown, map: IdMap): Record<string, unknown>[] {
  if (!Array.isArray(items)) return []
  return items.map((raw) => {
    const it = raw as Record<string, any>
    const base = {
      ...(it.annotations ? { annotations: it.annotations } : {}),
      ...(typeof it.plain_text === 'string' ? { plain_text: it.plain_text } : {}),
    }
    if (it.type === 'equation') return { type: 'equation', equation: { expression: String(it.equation?.expression ?? '') }, ...base }
    if (it.type === 'mention') {
      const m = it.mention ?? {}
      const mention =
        m.type === 'user'
          ? { type: 'user', user: { id: map(m.user.id) } }
          : m.type === 'page'
            ? { type: 'page', page: { id: map(m.page.id) } }
            : m.type === 'database'
              ? { type: 'database', database: { id: map(m.database.id) } }
              : m.type === 'date'
                ? { type: 'date', date: m.date }
                : m.type === 'link_preview'
                  ? { type: 'link_preview', link_preview: { url: m.link_preview.url } }
                  : m.type === 'template_mention'
                    ? { type: 'template_mention', template_mention: m.template_mention }
                    : null
      if (mention) return { type: 'mention', mention, ...base, href: it.href ?? null }
      // A mention Octavo cannot write (link_mention, custom_emoji, …) keeps its text and link.
      return { type: 'text', text: { content: String(it.plain_text ?? ''), link: it.href ? { url: it.href } : null }, ...base }
    }
    const link = it.text?.link?.url ? { url: String(it.text.link.url) } : null
    return { type: 'text', text: { content: String(it.text?.content ?? it.plain_text ?? ''), link }, ...base }
  })
}

/** Validated, stored-form rich text (domain/rich-text.ts `parseRichText`). @throws NotionApiError validation_error */
export function storedRichText(items: unknown, map: IdMap): RichTextItem[] {
  return parseRichText(richTextRequest(items, map), ['rich_text'])
}

/** An icon or cover in request form, or null when Octavo cannot hold it; a hosted file is reported. */
export function imageRequest(
  value: any,
  files: HostedFile[],
  set: (stored: Record<string, unknown>) => void,
): Record<string, unknown> | null {
  if (!value || typeof value !== 'object') return null
  if (value.type === 'emoji') return { type: 'emoji', emoji: value.emoji }
  if (value.type === 'external') return { type: 'external', external: { url: value.external.url } }
  if (value.type === 'file' && value.file?.url) {
    files.push({ url: value.file.url, apply: (marker) => set(marker) })
    return { type: 'external', external: { url: PLACEHOLDER } }
  }
  return null
}

const MEDIA = new Set(['image', 'video', 'pdf', 'audio', 'file'])

/**
 * One response block → its request content (`{type, [type]: …}` without children), or null for a type
 * Octavo cannot create (child pages and databases are copied as nodes; `unsupported`, `template`,
 * `link_preview`, … are skipped and counted). Hosted files are reported in `files`.
 */
export interface ConvertedBlock {
  type: string
  /** The request form, for Octavo's grammar. */
  body: Record<string, unknown>
  /** Upload markers to put in place of hosted-file placeholders once the uploads exist (`finishBlock`). */
  fixes: { media?: { type: 'file'; file: { file_upload_id: string; filename: string } }; icon?: Record<string, unknown> }
}

export function blockRequest(block: any, map: IdMap, files: HostedFile[]): ConvertedBlock | null {
  const type = String(block.type)
  const fixes: ConvertedBlock['fixes'] = {}
  const src = (block[type] ?? {}) as Record<string, any>
  const c: Record<string, any> = {}
  for (const [k, v] of Object.entries(src)) if (k !== 'children') c[k] = v
  if ('rich_text' in c) c.rich_text = richTextRequest(c.rich_text, map)
  if ('caption' in c) c.caption = richTextRequest(c.caption, map)
  if (type === 'table_row') c.cells = (c.cells ?? []).map((cell: unknown) => richTextRequest(cell, map))
  if (type === 'synced_block') c.synced_from = c.synced_from?.block_id ? { block_id: map(c.synced_from.block_id) } : null
  if (type === 'link_to_page') {
    const kind = c.type ?? (c.page_id ? 'page_id' : c.database_id ? 'database_id' : 'comment_id')
    for (const k of Object.keys(c)) delete c[k]
    c[kind] = map(String(src[kind]))
  }
  if ('icon' in c) {
    const icon = imageRequest(c.icon, files, (stored) => (fixes.icon = stored))
    if (icon) c.icon = icon
    else delete c.icon
  }
  if (MEDIA.has(type)) {
    if (c.type === 'file' && c.file?.url) {
      const url = String(c.file.url)
      delete c.file
      c.type = 'external'
      c.external = { url: PLACEHOLDER }
      files.push({
        url,
        apply: (marker) => {
          fixes.media = marker
        },
      })
    } else if (c.type === 'external') c.external = { url: c.external?.url }
  }
  return { type, body: { type, [type]: c }, fixes }
}

/**
 * Validates one converted block through Octavo's block grammar (no children: the import attaches them
 * itself, so a table of 500 rows or a deep toggle is not held to the 100-per-request and two-level
 * request limits). Hosted-file placeholders are swapped for the upload markers by `finishBlock`.
 * @throws NotionApiError validation_error when Octavo's grammar refuses the content.
 */
export function parseBlock(id: string, converted: ConvertedBlock): NewBlock {
  const [parsed] = parseBlockRequests([converted.body], ['children'], 0)
  return { ...(parsed as NewBlock), id, children: [] }
}

/** Puts the upload markers of hosted files into a parsed block's stored content. */
export function finishBlock(block: NewBlock, converted: ConvertedBlock): void {
  const fixes = converted.fixes
  if (fixes.media) {
    delete block.content.external
    block.content.type = 'file'
    block.content.file = fixes.media.file
    if (block.type === 'file' && (block.content.name === undefined || block.content.name === null))
      block.content.name = fixes.media.file.filename
  }
  if (fixes.icon) block.content.icon = fixes.icon
}

/** Property types whose values Notion computes: never written, compared only after the import. */
export const COMPUTED_PROPERTY_TYPES = new Set([
  'formula',
  'rollup',
  'created_time',
  'created_by',
  'last_edited_time',
  'last_edited_by',
  'unique_id',
  'button',
  'verification',
])

/**
 * A data source property (response form) → its request form for `parseNewSchema`, or null when it is
 * added in the second pass (relation, rollup, formula: they name other properties and data sources).
 */
export function propertyRequest(p: any): Record<string, unknown> | null {
  const type = String(p.type)
  if (type === 'relation' || type === 'rollup' || type === 'formula') return null
  const cfg = { ...(p[type] ?? {}) } as Record<string, any>
  if (Array.isArray(cfg.options)) cfg.options = cfg.options.map((o: any) => ({ name: o.name, ...(o.color ? { color: o.color } : {}) }))
  if (type === 'status') return { type, status: {} }
  if (type === 'unique_id') return { type, unique_id: { prefix: cfg.prefix ?? null } }
  return { type, [type]: cfg, ...(p.description ? { description: p.description } : {}) }
}

/**
 * A row's property value (response form) → request form for `writePropertyValues`, or undefined when
 * it is not written now (computed types, relations — second pass —, and files, stored by the importer).
 */
export function valueRequest(v: any, map: IdMap, knownUsers: Set<string>): unknown {
  switch (v?.type) {
    case 'title':
      return { title: richTextRequest(v.title, map) }
    case 'rich_text':
      return { rich_text: richTextRequest(v.rich_text, map) }
    case 'number':
    case 'checkbox':
    case 'url':
    case 'email':
    case 'phone_number':
      return { [v.type]: v[v.type] }
    case 'select':
      return { select: v.select ? { name: v.select.name } : null }
    case 'status':
      return { status: v.status ? { name: v.status.name } : null }
    case 'multi_select':
      return { multi_select: (v.multi_select ?? []).map((o: any) => ({ name: o.name })) }
    case 'date':
      return {
        date: v.date
          ? { start: v.date.start, end: v.date.end ?? null, ...(v.date.time_zone ? { time_zone: v.date.time_zone } : {}) }
          : null,
      }
    case 'people':
      return {
        people: (v.people ?? [])
          .map((u: any) => map(u.id))
          .filter((id: string) => knownUsers.has(id))
          .map((id: string) => ({ object: 'user', id })),
      }
    default:
      return undefined
  }
}
