import * as z from 'zod'
import { validationError } from '../errors/notion-error.js'
import { NotionId } from './ids.js'
import { parseWith } from './validation.js'
import { ApiColor, RichTextRequest, normalizeRichText } from './rich-text.js'

/**
 * Block types Octavo accepts in requests, their content schemas, and how request content becomes the
 * stored (= response) content. Shapes follow the SDK's `BlockObjectRequest` and `BlockObjectResponse`
 * (docs/reference/notion-api.md §2.9). Limits: ≤ 100 children per array, ≤ 2 levels of nesting per request (a third
 * level's `children` "should be not present"), 2000-character URLs.
 */

const Url = z.string().max(2000)
const Caption = RichTextRequest.optional()
const Emoji = z.object({ type: z.literal('emoji').optional(), emoji: z.string() }).strict()
const ExternalIcon = z.object({ type: z.literal('external').optional(), external: z.object({ url: Url }).strict() }).strict()
/** An uploaded file (`/v1/file_uploads`), attached by id (SDK `FileUploadPageIconRequest` and kin). */
const FileUploadRef = z.object({ type: z.literal('file_upload').optional(), file_upload: z.object({ id: NotionId }).strict() }).strict()
/** A workspace's custom emoji by id (SDK `CustomEmojiPageIconRequest`; `name` and `url` are informative). */
const CustomEmojiIcon = z
  .object({
    type: z.literal('custom_emoji').optional(),
    custom_emoji: z.object({ id: NotionId, name: z.string().max(200).optional(), url: Url.optional() }).strict(),
  })
  .strict()
/** Page and callout icons: an emoji, an external image, an uploaded image or a custom emoji. */
export const IconRequest = z.union([Emoji, ExternalIcon, FileUploadRef, CustomEmojiIcon])
/** Page covers: an external or uploaded image. */
export const CoverRequest = z.union([ExternalIcon, FileUploadRef])

const TextBlock = z.object({ rich_text: RichTextRequest, color: ApiColor.optional() }).strict()
/** Paragraphs may carry an icon (SDK `ContentWithRichTextColorAndIconRequest`). */
const Paragraph = z.object({ rich_text: RichTextRequest, color: ApiColor.optional(), icon: IconRequest.optional() }).strict()
const Heading = z.object({ rich_text: RichTextRequest, color: ApiColor.optional(), is_toggleable: z.boolean().optional() }).strict()
const ToDo = z.object({ rich_text: RichTextRequest, color: ApiColor.optional(), checked: z.boolean().optional() }).strict()
const Callout = z.object({ rich_text: RichTextRequest, color: ApiColor.optional(), icon: IconRequest.optional() }).strict()
const Code = z.object({ rich_text: RichTextRequest, language: z.string().optional(), caption: Caption }).strict()
const ExternalMedia = z
  .object({ type: z.literal('external').optional(), external: z.object({ url: Url }).strict(), caption: Caption })
  .strict()
const UploadedMedia = z
  .object({ type: z.literal('file_upload').optional(), file_upload: z.object({ id: NotionId }).strict(), caption: Caption })
  .strict()
/** Image, video, pdf and audio blocks: an external URL or an uploaded file (SDK `MediaContentWithFileAndCaptionRequest`). */
const Media = z.union([ExternalMedia, UploadedMedia])
const FileMedia = z.union([ExternalMedia.extend({ name: z.string().optional() }), UploadedMedia.extend({ name: z.string().optional() })])
/** Update form of media blocks (SDK `UpdateMediaContentWithFileAndCaptionRequest`): every field optional. */
const MediaUpdate = z
  .object({
    type: z.enum(['external', 'file_upload']).optional(),
    external: z.object({ url: Url }).strict().optional(),
    file_upload: z.object({ id: NotionId }).strict().optional(),
    caption: Caption,
  })
  .strict()
const MEDIA_TYPES = new Set(['image', 'video', 'pdf', 'audio', 'file'])
const UrlBlock = z.object({ url: Url, caption: Caption }).strict()
const Empty = z.object({}).strict()
const LinkToPage = z.union([
  z.object({ type: z.literal('page_id').optional(), page_id: NotionId }).strict(),
  z.object({ type: z.literal('database_id').optional(), database_id: NotionId }).strict(),
  z.object({ type: z.literal('comment_id').optional(), comment_id: NotionId }).strict(),
])
/** `synced_block`: an original (`synced_from: null`, with children) or a duplicate of an original (SDK 5.26). */
const SyncedBlock = z
  .object({
    synced_from: z.union([z.null(), z.object({ type: z.literal('block_id').optional(), block_id: NotionId }).strict()]),
  })
  .strict()

/**
 * Content schema per creatable block type. Look types up only through `contentSchemaOf` /
 * `isCreatableType`: a type comes from the request, and `"constructor"` or `"__proto__"` must not
 * reach `Object.prototype`.
 */
const BLOCK_CONTENT: Record<string, z.ZodType> = {
  paragraph: Paragraph,
  heading_1: Heading,
  heading_2: Heading,
  heading_3: Heading,
  heading_4: Heading,
  bulleted_list_item: TextBlock,
  numbered_list_item: TextBlock,
  quote: TextBlock,
  toggle: TextBlock,
  to_do: ToDo,
  callout: Callout,
  code: Code,
  equation: z.object({ expression: z.string().max(1000) }).strict(),
  divider: Empty,
  breadcrumb: Empty,
  table_of_contents: z.object({ color: ApiColor.optional() }).strict(),
  bookmark: UrlBlock,
  embed: UrlBlock,
  image: Media,
  video: Media,
  pdf: Media,
  audio: Media,
  file: FileMedia,
  table: z
    .object({ table_width: z.number().int().min(1), has_column_header: z.boolean().optional(), has_row_header: z.boolean().optional() })
    .strict(),
  table_row: z.object({ cells: z.array(RichTextRequest).max(100) }).strict(),
  column_list: Empty,
  column: z.object({ width_ratio: z.number().positive().optional() }).strict(),
  link_to_page: LinkToPage,
  synced_block: SyncedBlock,
  tab: Empty,
}

/** The content schema of a creatable block `type`, own keys only (never `Object.prototype`'s). */
function contentSchemaOf(type: string): z.ZodType | undefined {
  return Object.hasOwn(BLOCK_CONTENT, type) ? BLOCK_CONTENT[type] : undefined
}

/** Whether `type` is a block type the API can create. */
export function isCreatableType(type: string): boolean {
  return Object.hasOwn(BLOCK_CONTENT, type)
}

/** Types whose request may carry `children` (SDK `BlockObjectRequest`). */
const CAN_HAVE_CHILDREN = new Set([
  'paragraph',
  'heading_1',
  'heading_2',
  'heading_3',
  'heading_4',
  'bulleted_list_item',
  'numbered_list_item',
  'quote',
  'toggle',
  'to_do',
  'callout',
  'table',
  'column_list',
  'column',
  'synced_block',
  'tab',
])

/** Whether blocks of `type` may have children (pages may too, databases never). */
export function canHaveChildren(type: string): boolean {
  return type === 'child_page' || CAN_HAVE_CHILDREN.has(type)
}

/** Block types that can never be written through the API. */
const READ_ONLY_TYPES = new Set(['child_page', 'child_database', 'unsupported', 'template', 'link_preview'])

/** A validated block to insert: stored content plus children. */
export interface NewBlock {
  /** The block's id when the caller must keep one (the Notion import); else a new one is made. */
  id?: string
  type: string
  content: Record<string, unknown>
  children: NewBlock[]
}

/** Turns validated request content into stored content (response form) for `type`. */
export function normalizeContent(type: string, c: Record<string, unknown>): Record<string, unknown> {
  const rt = (v: unknown) => normalizeRichText((v ?? []) as never)
  switch (type) {
    case 'paragraph':
      return { rich_text: rt(c.rich_text), color: c.color ?? 'default', icon: c.icon ? normalizeIcon(c.icon) : null }
    case 'bulleted_list_item':
    case 'numbered_list_item':
    case 'quote':
    case 'toggle':
      return { rich_text: rt(c.rich_text), color: c.color ?? 'default' }
    case 'heading_1':
    case 'heading_2':
    case 'heading_3':
    case 'heading_4':
      return { rich_text: rt(c.rich_text), is_toggleable: c.is_toggleable ?? false, color: c.color ?? 'default' }
    case 'to_do':
      return { rich_text: rt(c.rich_text), checked: c.checked ?? false, color: c.color ?? 'default' }
    case 'callout':
      return {
        rich_text: rt(c.rich_text),
        icon: c.icon ? normalizeIcon(c.icon) : { type: 'emoji', emoji: '💡' },
        color: c.color ?? 'gray_background',
      }
    case 'code':
      return { caption: rt(c.caption), rich_text: rt(c.rich_text), language: c.language ?? 'plain text' }
    case 'bookmark':
    case 'embed':
      return { caption: rt(c.caption), url: c.url }
    case 'image':
    case 'video':
    case 'pdf':
    case 'audio':
      // An upload stays a `file_upload` reference here; the service attaches it and stores the file.
      if (c.file_upload) return { caption: rt(c.caption), type: 'file_upload', file_upload: { id: (c.file_upload as { id: string }).id } }
      return { caption: rt(c.caption), type: 'external', external: { url: (c.external as { url: string }).url } }
    case 'file':
      if (c.file_upload) {
        return {
          caption: rt(c.caption),
          type: 'file_upload',
          file_upload: { id: (c.file_upload as { id: string }).id },
          ...(c.name !== undefined ? { name: c.name } : {}),
        }
      }
      return {
        caption: rt(c.caption),
        type: 'external',
        external: { url: (c.external as { url: string }).url },
        name: (c.name as string | undefined) ?? fileNameOf((c.external as { url: string }).url),
      }
    case 'table':
      return { table_width: c.table_width, has_column_header: c.has_column_header ?? false, has_row_header: c.has_row_header ?? false }
    case 'table_row':
      return { cells: ((c.cells ?? []) as unknown[]).map((cell) => rt(cell)) }
    case 'table_of_contents':
      return { color: c.color ?? 'default' }
    case 'link_to_page':
      return 'page_id' in c
        ? { type: 'page_id', page_id: c.page_id }
        : 'database_id' in c
          ? { type: 'database_id', database_id: c.database_id }
          : { type: 'comment_id', comment_id: c.comment_id }
    case 'synced_block': {
      const from = c.synced_from as { block_id: string } | null
      return { synced_from: from ? { type: 'block_id', block_id: from.block_id } : null }
    }
    default:
      return { ...c }
  }
}

function fileNameOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').pop() || 'file')
  } catch {
    return 'file'
  }
}

/** Normalises a request icon to its response form. */
export function normalizeIcon(icon: unknown): Record<string, unknown> {
  const i = icon as { emoji?: string; external?: { url: string }; file_upload?: { id: string }; custom_emoji?: { id: string } }
  if (i.file_upload) return { type: 'file_upload', file_upload: { id: i.file_upload.id } }
  // The service checks the id and fills `name` and `url` (services/file-attachments.ts `resolveImage`).
  if (i.custom_emoji) return { type: 'custom_emoji', custom_emoji: { id: i.custom_emoji.id } }
  return i.emoji !== undefined ? { type: 'emoji', emoji: i.emoji } : { type: 'external', external: { url: i.external?.url } }
}

/** Normalises a request cover to its response form (an upload stays a reference the service attaches). */
export function normalizeCover(cover: unknown): Record<string, unknown> {
  const c = cover as { external?: { url: string }; file_upload?: { id: string } }
  if (c.file_upload) return { type: 'file_upload', file_upload: { id: c.file_upload.id } }
  return { type: 'external', external: { url: (c.external as { url: string }).url } }
}

/** The type key of a block request: its `type`, or the single known type key it carries. */
function typeOf(item: Record<string, unknown>): string | undefined {
  if (typeof item.type === 'string') return item.type
  return Object.keys(item).find((k) => isCreatableType(k) || READ_ONLY_TYPES.has(k))
}

// Built once: a zod schema costs more to construct than to run (issue 19, creating a row).
const BLOCK_LIST = z.array(z.unknown()).max(100)
const BLOCK_ITEM = z.looseObject({})

/**
 * Validates an array of block requests found at `at` inside the request `part`, allowing
 * `depthLeft` further levels of `children` (2 for append and page create).
 * @throws NotionApiError validation_error in Notion's grammar, naming the exact path.
 */
export function parseBlockRequests(input: unknown, at: PropertyKey[], depthLeft: number, part: 'body' = 'body'): NewBlock[] {
  const list = parseWith(BLOCK_LIST, input, part, at)
  return list.map((raw, i) => {
    const here = [...at, i]
    const item = parseWith(BLOCK_ITEM, raw, part, here) as Record<string, unknown>
    const type = typeOf(item)
    const schema = type === undefined ? undefined : contentSchemaOf(type)
    if (type === undefined || schema === undefined) {
      if (type !== undefined && READ_ONLY_TYPES.has(type)) {
        const given = Object.hasOwn(item, type) ? item[type] : {}
        throw validationError(
          `${part} failed validation: ${fmt(part, [...here, type])} should be not present, instead was \`${JSON.stringify(given ?? {})}\`.`,
        )
      }
      throw validationError(
        `${part} failed validation: ${fmt(part, [...here, 'type'])} should be a supported block type, instead was \`${JSON.stringify(type ?? item.type)}\`.`,
      )
    }
    for (const key of Object.keys(item)) {
      if (key !== type && key !== 'type' && key !== 'object' && key !== 'children') {
        throw validationError(
          `${part} failed validation: ${fmt(part, [...here, key])} should be not present, instead was \`${JSON.stringify(item[key])}\`.`,
        )
      }
    }
    // Children may sit inside the type object (as the SDK types put them) or at the block level.
    const typeObject = Object.hasOwn(item, type) ? item[type] : undefined
    let inner: unknown
    let typeContent: unknown = typeObject
    if (typeObject !== null && typeof typeObject === 'object' && !Array.isArray(typeObject) && 'children' in typeObject) {
      const { children, ...restContent } = typeObject as Record<string, unknown>
      inner = children
      typeContent = restContent
    }
    const content = parseWith(schema, typeContent, part, [...here, type]) as Record<string, unknown>
    const childInput = item.children ?? inner
    let children: NewBlock[] = []
    if (childInput !== undefined) {
      const childPath = item.children !== undefined ? [...here, 'children'] : [...here, type, 'children']
      const duplicate = type === 'synced_block' && (content as { synced_from: unknown }).synced_from !== null
      if (depthLeft <= 0 || !CAN_HAVE_CHILDREN.has(type) || duplicate) {
        throw validationError(
          `${part} failed validation: ${fmt(part, childPath)} should be not present, instead was \`${JSON.stringify(childInput).slice(0, 200)}\`.`,
        )
      }
      children = parseBlockRequests(childInput, childPath, depthLeft - 1, part)
      // A tab's children are its tab items: paragraphs (SDK `TabItemRequest…`).
      const notParagraph = type === 'tab' ? children.findIndex((c) => c.type !== 'paragraph') : -1
      if (notParagraph >= 0) {
        throw validationError(
          `${part} failed validation: ${fmt(part, [...childPath, notParagraph, 'type'])} should be \`"paragraph"\`, instead was \`${JSON.stringify(children[notParagraph]?.type)}\`.`,
        )
      }
    }
    return { type, content: normalizeContent(type, content), children }
  })
}

function fmt(part: string, path: PropertyKey[]): string {
  let out = part
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : `.${String(seg)}`
  return out
}

/** Counts blocks in a tree (Notion caps a payload at 1000 block elements). */
export function countBlocks(blocks: NewBlock[]): number {
  return blocks.reduce((n, b) => n + 1 + countBlocks(b.children), 0)
}

/** Block types whose content `PATCH /v1/blocks/{id}` may change (SDK `UpdateBlockBodyParameters`). */
export function isUpdatableType(type: string): boolean {
  return isCreatableType(type)
}

/**
 * The content schema of `type` for `PATCH /v1/blocks/{id}`: the create schema with every field
 * optional ("If a field is omitted … the value will not be changed", Notion's update-a-block page),
 * except that a table's `table_width` cannot change (the SDK's update type has only the two header
 * flags) and `link_to_page` is replaced whole. Undefined for types that cannot be updated.
 */
export function updateContentSchema(type: string): z.ZodType | undefined {
  if (type === 'table') return z.object({ has_column_header: z.boolean().optional(), has_row_header: z.boolean().optional() }).strict()
  if (MEDIA_TYPES.has(type)) return type === 'file' ? MediaUpdate.extend({ name: z.string().optional() }) : MediaUpdate
  const schema = contentSchemaOf(type)
  if (!schema) return undefined
  return schema instanceof z.ZodObject ? schema.partial() : schema
}

/**
 * Applies validated update content `patch` (request form, fields optional) to the stored content
 * `existing` (response form) of a block of `type`, normalising only the fields given. Key order of
 * `existing` is kept.
 */
export function applyContentUpdate(
  type: string,
  existing: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  if (type === 'link_to_page') return normalizeContent(type, patch)
  const rt = (v: unknown) => normalizeRichText((v ?? []) as never)
  const out: Record<string, unknown> = { ...existing }
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue
    switch (key) {
      case 'rich_text':
      case 'caption':
        out[key] = rt(value)
        break
      case 'cells':
        out.cells = (value as unknown[]).map((cell) => rt(cell))
        break
      case 'icon':
        out.icon = value === null ? null : normalizeIcon(value)
        break
      case 'external':
        out.type = 'external'
        out.external = { url: (value as { url: string }).url }
        delete out.file
        delete out.file_upload
        break
      case 'file_upload':
        out.type = 'file_upload'
        out.file_upload = { id: (value as { id: string }).id }
        delete out.external
        delete out.file
        break
      case 'type':
        break
      default:
        out[key] = value
    }
  }
  return out
}
