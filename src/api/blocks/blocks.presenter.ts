import { toMinute } from '../../domain/clock.js'
import type { RichTextItem } from '../../domain/rich-text.js'
import { plainText } from '../../domain/rich-text.js'
import { behaves, dropsArchived, type NotionVersion } from '../../domain/versions.js'
import { presentLegacyBlockContent } from '../../domain/legacy-shapes.js'
import type { BlockRow } from '../../storage/repositories/blocks.repository.js'
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
    content = JSON.parse(row.content)
    // Paragraphs always carry `icon` (SDK `ContentWithRichTextColorAndIconResponse`), also when stored without one.
    // The parsed object is this answer's own: the key is added last, in place.
    if (row.type === 'paragraph' && content !== null && typeof content === 'object' && !('icon' in content))
      (content as Record<string, unknown>).icon = null
    // Before 2022-02-22 text blocks carry `text` (domain/legacy-shapes.ts).
    content = presentLegacyBlockContent(row.type, content, opts.version)
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
