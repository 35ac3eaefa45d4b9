import type { Actor } from './events.repository.js'

/**
 * Who made a write and when, as a repository write function records it in its change event (ADR 15):
 * `actor` is `user:<id>`, `bot:<id>`, `admin` (the admin key), `admin_api`, `cli` or `system`; `time`
 * is ISO-8601 UTC with milliseconds from the request's clock.
 */
export interface At {
  actor: Actor
  time: string
}
