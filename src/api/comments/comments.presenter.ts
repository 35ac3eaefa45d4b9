import { toMinute } from '../../domain/clock.js'
import type { CommentRow } from '../../storage/repositories/comments.repository.js'

/**
 * A full comment object (SDK `CommentObjectResponse`, digest §2.10), keys in the SDK's order.
 * Times are rounded to the minute as Notion reports them; `attachments` is always present and,
 * without file uploads, empty.
 */
export function presentComment(row: Omit<CommentRow, 'seq'>): Record<string, unknown> {
  return {
    object: 'comment',
    id: row.id,
    parent: row.parent_type === 'page_id' ? { type: 'page_id', page_id: row.parent_id } : { type: 'block_id', block_id: row.parent_id },
    discussion_id: row.discussion_id,
    created_time: toMinute(row.created_time),
    last_edited_time: toMinute(row.last_edited_time),
    created_by: { object: 'user', id: row.created_by },
    rich_text: JSON.parse(row.rich_text) as unknown,
    display_name: JSON.parse(row.display_name) as unknown,
    attachments: [],
  }
}
