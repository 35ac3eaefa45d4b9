import type { RequestContext } from '../../auth/principal.js'
import { actingUserId } from '../../auth/principal.js'
import { isoNow, toMinute } from '../../domain/clock.js'
import { newId } from '../../domain/ids.js'
import {
  compareMeetingNotes,
  matchesMeetingNotesFilter,
  type CreateMeetingNoteBody,
  type MeetingNoteFacts,
  type QueryMeetingNotesBody,
} from '../../domain/meeting-notes.js'
import { plainText, type RichTextItem } from '../../domain/rich-text.js'
import { validationError } from '../../errors/notion-error.js'
import { REQUIRED_LEVEL } from '../../permissions/roles.js'
import { levelOn, loadAuthorized, requireCapability } from '../../services/access.js'
import { changeActorOf } from '../../services/change-actor.js'
import type { Deps } from '../../services/deps.js'
import { UploadClaims } from '../../services/file-attachments.js'
import { requireWritableNode } from '../../services/trash.js'
import {
  contentBlockRow,
  findBlock,
  insertBlockRows,
  listLiveBlocksOfType,
  reservePositions,
  type BlockRow,
  type InsertAt,
} from '../../storage/repositories/blocks.repository.js'
import { findConnection } from '../../storage/repositories/connections.repository.js'
import { findFileUpload } from '../../storage/repositories/file-uploads.repository.js'
import type { Db } from '../../storage/store.js'
import { presentRows } from './blocks.service.js'

/**
 * Meeting notes (docs/reference/notion-api-2026.md §5.2–5.4; SDK `blocks.meetingNotes.create|query`;
 * docs/custom-emojis-and-meeting-notes.md). A meeting note is a `meeting_notes` block (presented as
 * `transcription` before 2026-03-11, blocks.presenter.ts) holding one `tab` block whose tabs are the
 * paragraphs "Summary" (unless `options.kickoff_summary` is false), "Notes" and "Transcript"; the
 * block's `children` names them. Octavo does not transcribe or summarise: a note is created
 * `notes_ready` with the recording (the uploaded file, or a copy of the source block's file) under
 * "Transcript" and the other tabs empty. The person tied to the token is its one attendee.
 */

/** Most candidate notes one query reads (newest first) before filtering. */
export const MEETING_NOTES_SCAN_LIMIT = 5_000

/** The person tied to the token: a PAT's or OAuth install's person, an internal connection's creator. */
async function tiedPerson(db: Db, caller: RequestContext['caller']): Promise<string> {
  if (caller.kind !== 'internal') return caller.userId
  return (await findConnection(db, caller.connectionId))?.created_by ?? caller.botId
}

const text = (content: string): RichTextItem[] =>
  content === ''
    ? []
    : ([
        {
          type: 'text',
          text: { content, link: null },
          annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' },
          plain_text: content,
          href: null,
        },
      ] as unknown as RichTextItem[])

/**
 * `POST /v1/blocks/meeting_notes`: a meeting note from an uploaded audio or video file (appended at
 * the end of `parent.page_id`) or from an existing audio, video or file block (inserted after it).
 * Needs insert content (and read content for a block source); answers the new block (partial
 * `{object, id}` without read content). Events: `block.appended` per block, `file_upload.attached`.
 * @throws NotionApiError validation_error | restricted_resource | object_not_found
 */
export async function createMeetingNote(deps: Deps, ctx: RequestContext, body: CreateMeetingNoteBody): Promise<Record<string, unknown>> {
  const { caller } = ctx
  requireCapability(caller, 'insert_content')
  if (body.source.type === 'block') requireCapability(caller, 'read_content')
  const time = isoNow(deps.clock)
  const actor = changeActorOf(caller)
  const row = await deps.store.transaction(async (trx) => {
    let page: BlockRow
    let at: InsertAt
    let parentId: string
    let parentType: 'page_id' | 'block_id'
    let recording: Record<string, unknown>
    const claims = new UploadClaims(trx, deps, ctx)
    if (body.source.type === 'file_upload') {
      const parent = (body as { parent: { page_id: string } }).parent
      page = await loadAuthorized(trx, caller, parent.page_id, { kind: 'page', action: 'edit', capability: 'insert_content' })
      await requireWritableNode(trx, page)
      const upload = await findFileUpload(trx, caller.workspaceId, body.source.file_upload_id)
      const target = upload?.content_type?.startsWith('video/') ? 'video' : 'audio'
      const { marker } = await claims.claim(body.source.file_upload_id, target)
      recording = { type: target, content: { caption: [], type: 'file', file: marker.file } }
      parentId = page.id
      parentType = 'page_id'
      at = { type: 'end' }
    } else {
      const source = await loadAuthorized(trx, caller, body.source.block_id, {
        kind: 'block',
        action: 'edit',
        capability: 'insert_content',
      })
      if (!['audio', 'video', 'file'].includes(source.type)) {
        throw validationError(
          `Block ${source.id} is a ${source.type} block: a meeting note's source must be an audio, video or file block.`,
        )
      }
      await requireWritableNode(trx, source)
      page = (await findBlock(trx, source.page_id)) as BlockRow
      recording = { type: source.type, content: JSON.parse(source.content) as Record<string, unknown> }
      parentId = source.parent_id as string
      parentType = source.parent_type === 'page_id' ? 'page_id' : 'block_id'
      at = { type: 'after_block', afterId: source.id }
    }
    const attendee = await tiedPerson(trx, caller)
    const by = actingUserId(caller)
    const base = (id: string, type: string, parent: string, pType: 'page_id' | 'block_id', position: number, content: unknown): BlockRow =>
      contentBlockRow({
        id,
        workspaceId: caller.workspaceId,
        type,
        parentType: pType,
        parentId: parent,
        pageId: page.id,
        position,
        content,
        actor: by,
        time,
      })
    const noteId = newId()
    const tabId = newId()
    const tabs: Array<[string, string]> = []
    if (body.options?.kickoff_summary !== false) tabs.push(['summary_block_id', 'Summary'])
    tabs.push(['notes_block_id', 'Notes'], ['transcript_block_id', 'Transcript'])
    const tabRows = tabs.map(([, label], i) =>
      base(newId(), 'paragraph', tabId, 'block_id', i, { rich_text: text(label), color: 'default', icon: null }),
    )
    const transcriptTab = tabRows[tabRows.length - 1] as BlockRow
    const minute = toMinute(time)
    const content = {
      title: text(body.title ?? 'Meeting notes'),
      status: 'notes_ready',
      children: Object.fromEntries(tabs.map(([key], i) => [key, (tabRows[i] as BlockRow).id])),
      calendar_event: { start_time: minute, end_time: minute, attendees: [attendee] },
      recording: { start_time: minute, end_time: minute },
    }
    const position = await reservePositions(trx, parentId, at, 1)
    const rows = [
      base(noteId, 'meeting_notes', parentId, parentType, position, content),
      base(tabId, 'tab', noteId, 'block_id', 0, {}),
      ...tabRows,
      base(newId(), recording.type as string, transcriptTab.id, 'block_id', 0, recording.content),
    ]
    await insertBlockRows(trx, rows, { actor, time })
    await claims.attachAll({ type: 'block', id: noteId })
    return rows[0] as BlockRow
  })
  return (await presentRows(deps.store.db, ctx, [row]))[0] as Record<string, unknown>
}

function factsOf(row: BlockRow): MeetingNoteFacts & { id: string } {
  const c = JSON.parse(row.content) as { title?: RichTextItem[]; calendar_event?: { attendees?: string[] } }
  return {
    id: row.id,
    title: plainText(c.title ?? []),
    created_time: row.created_time,
    last_edited_time: row.last_edited_time,
    created_by: row.created_by,
    last_edited_by: row.last_edited_by,
    attendees: c.calendar_event?.attendees ?? [],
  }
}

/**
 * `POST /v1/blocks/meeting_notes/query`: the meeting notes the caller can read whose attendees
 * include the person tied to the token, filtered and sorted (domain/meeting-notes.ts), at most
 * `limit` (default 50); `{results, has_more}` without a cursor, as Notion's. Needs read content.
 * @throws NotionApiError restricted_resource | validation_error
 */
export async function queryMeetingNotes(deps: Deps, ctx: RequestContext, body: QueryMeetingNotesBody) {
  const { caller } = ctx
  requireCapability(caller, 'read_content')
  const db = deps.store.db
  const me = (await tiedPerson(db, caller)).replace(/-/g, '')
  const now = deps.clock.now()
  const candidates = await listLiveBlocksOfType(db, caller.workspaceId, 'meeting_notes', MEETING_NOTES_SCAN_LIMIT)
  const kept: Array<{ row: BlockRow; facts: ReturnType<typeof factsOf> }> = []
  for (const row of candidates) {
    const facts = factsOf(row)
    if (!facts.attendees.some((a) => a.replace(/-/g, '') === me)) continue
    if (!matchesMeetingNotesFilter(body.filter, facts, now)) continue
    if ((await levelOn(db, caller, row)) < REQUIRED_LEVEL.read) continue
    kept.push({ row, facts })
  }
  kept.sort((a, b) => compareMeetingNotes(body.sort, a.facts, b.facts))
  const limit = body.limit ?? 50
  const page = kept.slice(0, limit)
  return {
    results: await presentRows(
      db,
      ctx,
      page.map((k) => k.row),
    ),
    has_more: kept.length > limit,
  }
}
