import { CreateMeetingNoteBody, QueryMeetingNotesBody } from '../../domain/meeting-notes.js'
import { parseWith } from '../../domain/validation.js'
import { readJsonBody } from '../../http/body.js'
import type { Deps } from '../../services/deps.js'
import type { RouteSpec } from '../router.js'
import { createMeetingNote, queryMeetingNotes } from './meeting-notes.service.js'

/** `POST /v1/blocks/meeting_notes` and `…/query` (SDK `blocks.meetingNotes.create|query`); see meeting-notes.service.ts. */
export function meetingNotesRoutes(deps: Deps): RouteSpec[] {
  return [
    {
      method: 'post',
      path: '/blocks/meeting_notes',
      endpoint: 'blocks.meetingNotes.create',
      schemas: { body: CreateMeetingNoteBody },
      handler: async (c, ctx) => createMeetingNote(deps, ctx, parseWith(CreateMeetingNoteBody, await readJsonBody(c), 'body')),
    },
    {
      method: 'post',
      path: '/blocks/meeting_notes/query',
      endpoint: 'blocks.meetingNotes.query',
      schemas: { body: QueryMeetingNotesBody },
      handler: async (c, ctx) => {
        const raw = await readJsonBody(c)
        return queryMeetingNotes(deps, ctx, parseWith(QueryMeetingNotesBody, raw ?? {}, 'body'))
      },
    },
  ]
}
