import type { Db } from '../store.js'

/**
 * When a token was last used (`last_used_time`), for the three kinds of bearer tokens: connection
 * tokens (`token`), personal access tokens (`personal_access_token`) and OAuth access tokens
 * (`oauth_token`). Shown to people ("Last used"), so minute precision is enough: a token's row is
 * written at most once a minute however many requests it makes (write-behind granularity), which keeps
 * authentication read-only on the hot path. Not a change event: usage is not an administrative change.
 */

/** Tables whose rows are bearer tokens with a `last_used_time` column. */
export type TokenTableName = 'token' | 'personal_access_token' | 'oauth_token'

/** How stale `last_used_time` may get before a use writes it again, in milliseconds. */
export const LAST_USED_GRANULARITY_MS = 60_000

/** Whether a use at `nowMs` (epoch ms) should record itself, given the stored `lastUsed` (ISO-8601 or null). */
export function lastUseIsStale(lastUsed: string | null, nowMs: number): boolean {
  return nowMs - (lastUsed ? parsedTime(lastUsed) : 0) >= LAST_USED_GRANULARITY_MS
}

/** The last time text parsed and its epoch ms: a client's requests ask about the same token again and again. */
let lastParsed: { text: string; ms: number } = { text: '', ms: Number.NaN }

function parsedTime(text: string): number {
  if (text !== lastParsed.text) lastParsed = { text, ms: Date.parse(text) }
  return lastParsed.ms
}

/**
 * Records that token `token.id` of `table` was used at `nowMs` (epoch ms), unless it was already
 * recorded less than `LAST_USED_GRANULARITY_MS` before. The one throttle of every token kind.
 * @returns whether the row was written.
 */
export async function recordTokenUse(
  db: Db,
  table: TokenTableName,
  token: { id: string; last_used_time: string | null },
  nowMs: number,
): Promise<boolean> {
  if (!lastUseIsStale(token.last_used_time, nowMs)) return false
  const time = new Date(nowMs).toISOString()
  // One statement per table: Kysely types the update by its literal table name.
  if (table === 'token') await db.updateTable('token').set({ last_used_time: time }).where('id', '=', token.id).execute()
  else if (table === 'personal_access_token')
    await db.updateTable('personal_access_token').set({ last_used_time: time }).where('id', '=', token.id).execute()
  else await db.updateTable('oauth_token').set({ last_used_time: time }).where('id', '=', token.id).execute()
  return true
}
