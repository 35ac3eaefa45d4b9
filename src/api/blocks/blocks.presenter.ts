import { toMinute } from '../../domain/clock.js'
import type { RichTextItem } from '../../domain/rich-text.js'
import { plainText } from '../../domain/rich-text.js'
import { behaves, type NotionVersion } from '../../domain/versions.js'
import { presentLegacyBlockContent } from '../../domain/legacy-shapes.js'
import type { BlockRow } from '../../storage/repositories/blocks.repository.js'
import { presentParent, trashFields, type Served } from '../pages/pages.presenter.js'
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
  row: BlockRow,
  opts: { version: NotionVersion; hasChildren: boolean; databaseId?: string; title?: string },
): Served<BlockObjectResponse> {
  let content: unknown
  if (row.type === 'child_page' || row.type === 'child_database') {
    const props = JSON.parse(row.properties ?? '{}') as { title?: RichTextItem[] }
    content = { title: opts.title ?? plainText(props.title) }
  } else {
    content = JSON.parse(row.content)
    // Paragraphs always carry `icon` (SDK `ContentWithRichTextColorAndIconResponse`), also when stored without one.
    if (row.type === 'paragraph' && content !== null && typeof content === 'object' && !('icon' in content))
      content = { ...content, icon: null }
    // Before 2022-02-22 text blocks carry `text` (domain/legacy-shapes.ts).
    content = presentLegacyBlockContent(row.type, content, opts.version)
  }
  const common = {
    object: 'block',
    id: row.id,
    parent: presentParent(row, opts.version, opts.databaseId),
    created_time: toMinute(row.created_time),
    last_edited_time: toMinute(row.last_edited_time),
    created_by: { object: 'user', id: row.created_by },
    last_edited_by: { object: 'user', id: row.last_edited_by },
    has_children: row.type === 'child_database' ? false : opts.hasChildren,
    ...trashFields(row.in_trash === 1, opts.version),
  } satisfies Omit<Served<BlockObjectResponse>, 'type'>
  // Meeting notes are `transcription` blocks before 2026-03-11 (same payload; domain/versions.ts `meetingNotesName`).
  const type = row.type === 'meeting_notes' && !behaves('meetingNotesName', opts.version) ? 'transcription' : row.type
  // Cast: the type and its content come from storage (`type` a block type, content its stored JSON).
  return { ...common, type, [type]: content } as Served<BlockObjectResponse>
}
