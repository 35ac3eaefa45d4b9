/**
 * Values built from a row of the row cache (services/caches.ts, [ADR 44](../../docs/adr/0044-row-cache.md)),
 * kept with the row object under a key (a Notion-Version, a cursor, what an answer names of its caller).
 * A cached row object lives only until the change log moves or this process commits, so a value kept
 * with it is the one that would be built now; values go when their row is collected (a `WeakMap`). Only
 * for frozen rows handed out by the row cache, and only for values built from nothing that changes
 * without an event. Used by the page presenter, the pages of children, `users.me` and 404 explanations.
 */
export class RowMemo<T> {
  readonly #kept = new WeakMap<object, Map<string, T>>()

  /** @param perRow most values kept with one row (keys vary; a row past it builds anew). */
  constructor(readonly perRow: number) {}

  /** The value kept with `row` under `key`, or undefined. */
  get(row: object, key: string): T | undefined {
    return this.#kept.get(row)?.get(key)
  }

  /** Keeps `value` with `row` under `key` unless `row` already holds `perRow` values; whether it was kept. */
  set(row: object, key: string, value: T): boolean {
    const values = this.#kept.get(row)
    if (!values) {
      this.#kept.set(row, new Map([[key, value]]))
      return true
    }
    if (values.size >= this.perRow && !values.has(key)) return false
    values.set(key, value)
    return true
  }

  /** Whether `row` holds `perRow` values already (a new key would not be kept). */
  full(row: object): boolean {
    return (this.#kept.get(row)?.size ?? 0) >= this.perRow
  }
}
