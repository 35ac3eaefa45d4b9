import { toMinute } from '../../domain/clock.js'
import type { RichTextItem } from '../../domain/rich-text.js'
import { plainText } from '../../domain/rich-text.js'
import { behaves, dropsArchived, type NotionVersion } from '../../domain/versions.js'
import { presentLegacyBlockContent } from '../../domain/legacy-shapes.js'
import type { BlockRow } from '../../storage/repositories/blocks.repository.js'
import { mayHoldFileRefs } from '../../services/file-urls.js'
import { presentParent, type Served } from '../pages/pages.presenter.js'
import type { BlockObjectResponse } from '@notionhq/client'

/**
 * A full block object (SDK `BlockObjectResponse` as served from 2025-09-03 on, `Served`: no `archived`
 * under 2026-03-11), keys in Notion's order. Pages appear as `child_page` blocks and databases as
 * `child_database` blocks with `{title}`; a database block never has children
 * (docs/reference/notion-api.md §1.3). For database rows pass `title` (their title property has another id).
 * tsc checks the fields every block type shares; the `<type>` content is stored JSON, validated when written.
 * Before 2022-02-22 the `rich_text` of text blocks is presented as `text` (VERSION_BEHAVIOURS `blockRichText`).
 */
export function presentBlock(
  row: PresentedBlockRow,
  opts: { version: NotionVersion; hasChildren: boolean; databaseId?: string; title?: string },
): Served<BlockObjectResponse> {
  let content: unknown
  if (row.type === 'child_page' || row.type === 'child_database') {
    const props = JSON.parse(row.properties ?? '{}') as { title?: RichTextItem[] }
    content = { title: opts.title ?? plainText(props.title) }
  } else {
    // Before 2022-02-22 text blocks carry `text` (domain/legacy-shapes.ts).
    content = presentLegacyBlockContent(row.type, storedContent(row.type, row.content), opts.version)
  }
  const v = opts.version
  // Meeting notes are `transcription` blocks before 2026-03-11 (same payload; domain/versions.ts `meetingNotesName`).
  const type = row.type === 'meeting_notes' && !behaves('meetingNotesName', v) ? 'transcription' : row.type
  const inTrash = row.in_trash === 1
  const hasChildren = row.type === 'child_database' ? false : opts.hasChildren
  const parent = presentParent(row, v, opts.databaseId)
  const createdBy = { object: 'user', id: row.created_by }
  const editedBy = { object: 'user', id: row.last_edited_by }
  // One object literal per shape (with or without `archived`, see `trashFields`), keys in Notion's order.
  // Cast: the type and its content come from storage (`type` a block type, content its stored JSON).
  const block = dropsArchived(v)
    ? {
        object: 'block',
        id: row.id,
        parent,
        created_time: toMinute(row.created_time),
        last_edited_time: toMinute(row.last_edited_time),
        created_by: createdBy,
        last_edited_by: editedBy,
        has_children: hasChildren,
        in_trash: inTrash,
        type,
      }
    : {
        object: 'block',
        id: row.id,
        parent,
        created_time: toMinute(row.created_time),
        last_edited_time: toMinute(row.last_edited_time),
        created_by: createdBy,
        last_edited_by: editedBy,
        has_children: hasChildren,
        archived: inTrash,
        in_trash: inTrash,
        type,
      }
  ;(block as Record<string, unknown>)[type] = content
  return block as unknown as Served<BlockObjectResponse>
}

/** The columns of a block row `presentBlock` reads. */
export type PresentedBlockRow = Pick<
  BlockRow,
  | 'id'
  | 'type'
  | 'parent_type'
  | 'parent_id'
  | 'content'
  | 'properties'
  | 'created_time'
  | 'created_by'
  | 'last_edited_time'
  | 'last_edited_by'
  | 'in_trash'
>

/** Most parsed contents `storedContent` keeps (all types together); when full, all are dropped. */
const PARSED_CONTENT_LIMIT = 4096
/** Longest stored text whose parse is kept: the kept memory stays in the low tens of MB. */
const PARSED_CONTENT_MAX_CHARS = 4096

/** Parsed content of file-free blocks, by block type, then by stored text; `parsedCount` entries in all. */
const parsedContent = new Map<string, Map<string, unknown>>()
let parsedCount = 0

/**
 * A block's `<type>` payload from its stored JSON text: parsed, and a paragraph given `icon: null`
 * when stored without one (SDK `ContentWithRichTextColorAndIconResponse`; the key goes last).
 * Content that names no file marker and no custom emoji (services/file-urls.ts `mayHoldFileRefs`)
 * is nothing the router's `signFileRefs` or the custom-emoji refresh would change in place, so its
 * parse is kept (keyed by the text itself, so an edited block is a new key; texts up to
 * `PARSED_CONTENT_MAX_CHARS`), deeply frozen, and the same object serves every answer that presents
 * that text: a list of 100 children then parses only what it has not seen. Anything else is parsed
 * afresh for each answer, since signing rewrites it.
 */
export function storedContent(type: string, text: string): unknown {
  const cacheable = text.length <= PARSED_CONTENT_MAX_CHARS && !mayHoldFileRefs(text)
  let byText = cacheable ? parsedContent.get(type) : undefined
  if (byText) {
    const hit = byText.get(text)
    if (hit !== undefined) return hit
  }
  const content: unknown = JSON.parse(text)
  if (type === 'paragraph' && content !== null && typeof content === 'object' && !('icon' in content))
    (content as Record<string, unknown>).icon = null
  if (!cacheable) return content
  if (parsedCount >= PARSED_CONTENT_LIMIT) {
    parsedContent.clear()
    parsedCount = 0
    byText = undefined
  }
  if (!byText) parsedContent.set(type, (byText = new Map()))
  byText.set(text, deepFreeze(content))
  parsedCount++
  return content
}

function deepFreeze(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}
