import * as z from 'zod'

/**
 * Notion's pagination (docs/reference/notion-api.md §2.12): `start_cursor` is opaque, `page_size` defaults to 100 and may
 * not exceed 100, and `next_cursor` is null whenever `has_more` is false (the SDK's
 * `iteratePaginatedAPI` loops on `next_cursor`).
 */
export const PAGE_SIZE_MAX = 100

/** `page_size` in a JSON body. */
export const BodyPageSize = z.number().int().min(1).max(PAGE_SIZE_MAX).optional()
/**
 * `page_size` in a query string (arrives as text). Plain decimal numerals (`"25"`, `"-5"`, `"1.5"`)
 * become numbers and are then checked as 1–100 integers ("query.page_size should be ≤ `100`,
 * instead was `101`."); anything else (`"abc"`, `"0x10"`, `"1e2"`, `" 5"`, `""`) is reported as given:
 * "query.page_size should be a number, instead was `\"0x10\"`." (JavaScript's `Number()` would read
 * hex, exponents and whitespace).
 */
export const QueryPageSize = z
  .preprocess((v) => (typeof v === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(v) ? Number(v) : v), z.number().int().min(1).max(PAGE_SIZE_MAX))
  .optional()
/** `start_cursor`: any non-empty string; unknown cursors yield an empty page. */
export const StartCursor = z.string().min(1).optional()

export type ListType = 'block' | 'user' | 'comment' | 'page_or_data_source' | 'page_or_database' | 'property_item' | 'database'

/** Builds a list envelope `{object:"list", results, next_cursor, has_more, type, <type>: {}}`. */
export function listEnvelope<T>(type: ListType, results: T[], nextCursor: string | null, extra: Record<string, unknown> = {}) {
  return {
    object: 'list' as const,
    results,
    next_cursor: nextCursor,
    has_more: nextCursor !== null,
    type,
    [type]: {},
    ...extra,
  }
}

/**
 * Splits `rows` fetched with `limit + 1` into one page and the cursor of the next: the id of the
 * first row not returned, or null.
 */
export function pageOf<T extends { id: string }>(rows: T[], limit: number): { page: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { page: rows, nextCursor: null }
  return { page: rows.slice(0, limit), nextCursor: (rows[limit] as T).id }
}
