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

/** What an adjustable clock reports: `mode` and the time it reads now (ISO-8601 UTC). */
export interface ClockState {
  /** `system`: the wall clock; `frozen`: stands still at `now`; `shifted`: runs, `offset_ms` from the wall clock. */
  mode: 'system' | 'frozen' | 'shifted'
  now: string
  /** Milliseconds added to the underlying clock (0 in `system` mode; in `frozen` mode, where it stands). */
  offset_ms: number
}

/**
 * A clock tests and the admin API can move (`POST /_octavo/admin/clock`, `octavo clock`, the test
 * library's `clock`), in the manner of Stripe's test clocks. Every time-dependent rule reads
 * `deps.clock`, so PAT expiry, OAuth codes (10 minutes), portal sessions, `created_time`,
 * `last_edited_time` and formula `now()` move with it. All times are milliseconds since the epoch.
 */
export interface AdjustableClock extends Clock {
  /** Stops time at `atMs` (default: the current reading). */
  freeze(atMs?: number): ClockState
  /** Jumps to `atMs`; time keeps running from there unless frozen (then it stays frozen there). */
  set(atMs: number): ClockState
  /** Moves time forward by `ms` (≥ 0; frozen stays frozen, at the new time). */
  advance(ms: number): ClockState
  /** Back to the underlying clock: no offset, not frozen. */
  resume(): ClockState
  state(): ClockState
  /** Registers a listener told after every move (e.g. the rate limiter, which keeps its own time). */
  onMove(listener: (movedByMs: number) => void): void
}

/** Whether `clock` can be moved (the server's default clock can; a test's own `Clock` may not). */
export function isAdjustable(clock: Clock): clock is AdjustableClock {
  return typeof (clock as Partial<AdjustableClock>).freeze === 'function'
}

/**
 * Wraps `base` (default the system clock) in an AdjustableClock that reads `base` until moved.
 * Readings never go backwards by themselves; `set` to an earlier time does move them back (a test's choice).
 */
export function adjustableClock(base: Clock = systemClock): AdjustableClock {
  let offset = 0
  let frozenAt: number | undefined
  const listeners: ((movedByMs: number) => void)[] = []
  const now = () => frozenAt ?? base.now() + offset
  const state = (): ClockState => ({
    mode: frozenAt !== undefined ? 'frozen' : offset !== 0 ? 'shifted' : 'system',
    now: new Date(now()).toISOString(),
    offset_ms: frozenAt !== undefined ? frozenAt - base.now() : offset,
  })
  const moved = (before: number) => {
    const by = now() - before
    for (const l of listeners) l(by)
    return state()
  }
  return {
    now,
    freeze(atMs) {
      const before = now()
      frozenAt = atMs ?? before
      return moved(before)
    },
    set(atMs) {
      const before = now()
      if (frozenAt !== undefined) frozenAt = atMs
      else offset = atMs - base.now()
      return moved(before)
    },
    advance(ms) {
      if (!(ms >= 0)) throw new RangeError('The clock only moves forward with advance; use set to go back.')
      const before = now()
      if (frozenAt !== undefined) frozenAt += ms
      else offset += ms
      return moved(before)
    },
    resume() {
      const before = now()
      frozenAt = undefined
      offset = 0
      return moved(before)
    },
    state,
    onMove(listener) {
      listeners.push(listener)
    },
  }
}

/**
 * Parses a duration such as `90d`, `10m`, `1h30m`, `45s`, `250ms` (units d, h, m, s, ms; parts add up)
 * into milliseconds. @returns undefined when the text is not such a duration.
 */
export function parseDuration(text: string): number | undefined {
  const units: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 }
  const t = text.trim()
  if (!/^(\d+(ms|d|h|m|s))+$/.test(t)) return undefined
  let total = 0
  for (const [, n, unit] of t.matchAll(/(\d+)(ms|d|h|m|s)/g)) total += Number(n) * units[unit!]!
  return Number.isSafeInteger(total) ? total : undefined
}
