/**
 * A view's effective filter: its saved `filter` AND each of its set `quick_filters` (Notion's filter
 * bar pills; docs/reference/notion-api-2026.md §4.3: property name or id → a condition without
 * `property`, `{}` for a pill with no condition yet, which restricts nothing). Whether Notion's view
 * queries apply quick filters is not documented (the query reference speaks of the saved filter and
 * sorts); Octavo applies them, as the Notion app does when a pill has a value.
 *
 * @returns `filter` — the combined filter (undefined when there is none) — and `wrapped`, true when
 *   the saved filter had to be nested one level deeper under a new top-level `and` (the query engine
 *   is then told to allow that one extra level, so a saved filter valid on its own stays valid).
 */
export function viewFilterWithQuickFilters(
  filter: unknown,
  quickFilters: Record<string, unknown> | null | undefined,
): { filter: unknown; wrapped: boolean } {
  const quick = Object.entries(quickFilters ?? {})
    .filter(([, c]) => c !== null && typeof c === 'object' && Object.keys(c as object).length > 0)
    .map(([property, c]) => ({ ...(c as Record<string, unknown>), property }))
  const saved = filter === null || filter === undefined ? undefined : filter
  if (quick.length === 0) return { filter: saved, wrapped: false }
  if (saved === undefined) return { filter: quick.length === 1 ? quick[0] : { and: quick }, wrapped: false }
  const s = saved as Record<string, unknown>
  if (Array.isArray(s.and) && Object.keys(s).length === 1) return { filter: { and: [...(s.and as unknown[]), ...quick] }, wrapped: false }
  return { filter: { and: [saved, ...quick] }, wrapped: 'or' in s }
}
