/** A source of the current time, injected so tests can move time without sleeping. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

/** ISO-8601 UTC with milliseconds, Notion's wire format (`2020-08-12T02:12:33.231Z`). */
export function isoNow(clock: Clock): string {
  return new Date(clock.now()).toISOString()
}

/**
 * Notion reports `created_time` and `last_edited_time` rounded down to the minute
 * (`…T04:52:00.000Z`, docs/reference/notion-api.md §0). Octavo stores full precision and rounds on output.
 */
export function toMinute(iso: string): string {
  return `${iso.slice(0, 16)}:00.000Z`
}
