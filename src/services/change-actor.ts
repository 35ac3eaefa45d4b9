import type { ApiCaller } from '../auth/principal.js'

/**
 * The change-event actor of a `/v1` write (docs/adr/0015-change-events.md): `user:<id>` for a personal
 * access token (it acts as its creator), `bot:<id>` for an internal connection's or an OAuth install's
 * bot. Stored columns (`created_by`, `last_edited_by`) keep the caller's bot id.
 */
export function changeActorOf(caller: ApiCaller): string {
  return caller.kind === 'personal' ? `user:${caller.userId}` : `bot:${caller.botId}`
}
