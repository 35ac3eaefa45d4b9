import { toMinute } from '../../domain/clock.js'
import type { CommentRow } from '../../storage/repositories/comments.repository.js'
import type { CommentObjectResponse } from '@notionhq/client'

/**
 * A full comment object (SDK `CommentObjectResponse`, docs/reference/notion-api.md §2.10; the same
 * shape in every version), keys in the SDK's order. Times are rounded to the minute as Notion reports
 * them; `attachments` is always present (empty without uploads; stored file markers become signed
 * URLs in api/router.ts). `rich_text` and
 * `display_name` are stored JSON, validated when written.
 */
export function presentComment(row: Omit<CommentRow, 'seq'>): CommentObjectResponse {
  return {
    object: 'comment',
    id: row.id,
    parent: row.parent_type === 'page_id' ? { type: 'page_id', page_id: row.parent_id } : { type: 'block_id', block_id: row.parent_id },
    discussion_id: row.discussion_id,
    created_time: toMinute(row.created_time),
    last_edited_time: toMinute(row.last_edited_time),
    created_by: { object: 'user', id: row.created_by },
    rich_text: JSON.parse(row.rich_text) as CommentObjectResponse['rich_text'],
    display_name: JSON.parse(row.display_name) as CommentObjectResponse['display_name'],
    attachments: row.attachments ? (JSON.parse(row.attachments) as CommentObjectResponse['attachments']) : [],
  }
}
