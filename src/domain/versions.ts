/**
 * Notion-Version handling. The live API accepts exactly these seven dates (docs/reference/notion-api.md §1.12, measured
 * 2026-09-17); the SDK 5.x default is 2025-09-03.
 */
export const NOTION_VERSIONS = ['2021-05-11', '2021-05-13', '2021-08-16', '2022-02-22', '2022-06-28', '2025-09-03', '2026-03-11'] as const

export type NotionVersion = (typeof NOTION_VERSIONS)[number]

/** Whether `value` is one of the seven accepted `Notion-Version` dates. */
export function isNotionVersion(value: string): value is NotionVersion {
  return (NOTION_VERSIONS as readonly string[]).includes(value)
}

/** 2025-09-03 and later: databases are containers of data sources. */
export function hasDataSources(v: NotionVersion): boolean {
  return v >= '2025-09-03'
}

/** 2026-03-11 and later: `archived` is gone from requests and responses; `after` became `position`. */
export function dropsArchived(v: NotionVersion): boolean {
  return v >= '2026-03-11'
}

/**
 * 2026-12-01 and later (notion-api-2026.md §6.1, rows 3–5): Notion-flavored Markdown (`v2`) is the
 * default `markdown_version` and `"v1"` is refused. The date is compared as text, so these hold for
 * 2026-12-01 once it is among `NOTION_VERSIONS`.
 */
export function markdownV1Refused(v: NotionVersion): boolean {
  return v >= '2026-12-01'
}

/** 2026-12-01 and later: `PATCH /v1/pages/{id}/markdown` refuses `replace_content_range` (use `update_content`). */
export function rangeReplaceRefused(v: NotionVersion): boolean {
  return v >= '2026-12-01'
}

/**
 * 2026-12-01 and later: `insert_content.after` must match the start of one block; inserting after a
 * text is `position: {type: "after_content", anchor}`.
 */
export function afterMatchesBlockStart(v: NotionVersion): boolean {
  return v >= '2026-12-01'
}
