/**
 * Notion-Version handling. The live API accepts exactly these dates (docs/reference/notion-api.md §1.12, measured
 * 2026-09-17), plus `2026-12-01` (docs/reference/notion-api-2026.md §6; docs/views-and-versions.md); the SDK 5.x default
 * is 2025-09-03.
 */
export const NOTION_VERSIONS = [
  '2021-05-11',
  '2021-05-13',
  '2021-08-16',
  '2022-02-22',
  '2022-06-28',
  '2025-09-03',
  '2026-03-11',
  '2026-12-01',
] as const

export type NotionVersion = (typeof NOTION_VERSIONS)[number]

/** Whether `value` is one of the accepted `Notion-Version` dates. */
export function isNotionVersion(value: string): value is NotionVersion {
  return (NOTION_VERSIONS as readonly string[]).includes(value)
}

/**
 * Opt-in beta flags of the `Notion-Beta` header (docs/reference/notion-api-2026.md §6.2): each turns
 * one behaviour of a later version on under an earlier one. Anything else → 400 `invalid_beta`.
 */
export const BETA_FLAGS = ['status-group-filters-2026-10-06'] as const
export type BetaFlag = (typeof BETA_FLAGS)[number]

/** Whether `value` is a known `Notion-Beta` flag. */
export function isBetaFlag(value: string): value is BetaFlag {
  return (BETA_FLAGS as readonly string[]).includes(value)
}

/** One version-dependent behaviour: the version that introduced it, the beta flag that adopts it early, where Notion documents it. */
export interface VersionBehaviour {
  since: NotionVersion
  beta?: BetaFlag
  what: string
  source: string
}

/**
 * Every version-dependent behaviour Octavo implements, with the version that introduced it (the one
 * table; test/conformance/version-matrix.test.ts walks it for every accepted version). Code asks
 * `behaves(name, version, betas)` — or the named helpers below — never compares dates itself.
 */
export const VERSION_BEHAVIOURS = {
  richTextProperty: {
    since: '2021-05-13',
    what: 'the rich text property type is `rich_text` (before: `text`, in schemas, page values, property items and requests)',
    source: 'docs/reference/notion-api.md §1.12; developers.notion.com/reference/changes-by-version',
  },
  emptyValuesAsNull: {
    since: '2021-08-16',
    what: 'empty number/email/select/date/rollup values appear in page objects as `null` (before: the property is left out)',
    source: 'docs/reference/notion-api.md §1.12; developers.notion.com/reference/changes-by-version',
  },
  appendReturnsChildren: {
    since: '2021-08-16',
    what: '`PATCH /v1/blocks/{id}/children` answers a list of the new first-level blocks (before: the parent block)',
    source: 'docs/reference/notion-api.md §1.12; developers.notion.com/reference/changes-by-version',
  },
  rollupArrayPluralTypes: {
    since: '2021-08-16',
    what: 'rollup `array` elements of files, rich text and people are typed `files`, `rich_text`, `people` (before: `file`, `text`, `person`)',
    source: 'docs/reference/notion-api.md §1.12; developers.notion.com/reference/changes-by-version',
  },
  blockRichText: {
    since: '2022-02-22',
    what: 'text blocks (paragraph, headings, callout, quote, list items, to_do, toggle, code, template) carry `rich_text` (before: `text`), in requests and responses',
    source: 'docs/reference/notion-versions.md §1 (Notion changelog "Releasing Notion-Version 2022-02-22")',
  },
  filterKeysRenamed: {
    since: '2022-02-22',
    what: 'query filters refuse the keys `text` (rich text, rollup elements), `phone` and, in formula filters, `text`; before they were aliases of `rich_text`, `phone_number`, `string`',
    source: 'docs/reference/notion-versions.md §1',
  },
  typedPropertyItems: {
    since: '2022-02-22',
    what: 'property items carry `id`; property item lists are `type:"property_item"` with `property_item:{id, type, <type>, next_url}` (before: no `id`, and a rollup list carried `type:"rollup"` and `rollup` at the top)',
    source: 'docs/reference/notion-versions.md §1',
  },
  listDatabasesRemoved: {
    since: '2022-02-22',
    what: '`GET /v1/databases` (SDK 2.x `databases.list`) is gone: 400 invalid_request_url (before: the databases shared with the connection directly)',
    source: 'docs/reference/notion-versions.md §1, §2',
  },
  dataSources: {
    since: '2025-09-03',
    what: 'databases are containers of data sources: /v1/data_sources and /v1/views mount, database objects list data_sources, page parents name data_source_id',
    source: 'docs/reference/notion-api.md §1.12',
  },
  dropsArchived: {
    since: '2026-03-11',
    what: '`archived` is gone from requests and responses (`in_trash` only); append-children `after` became `position`',
    source: 'docs/reference/notion-api.md §1.12',
  },
  meetingNotesName: {
    since: '2026-03-11',
    what: 'the meeting-notes block type is named `meeting_notes` (earlier versions: `transcription`, same payload)',
    source: 'docs/reference/notion-api-2026.md §5.2',
  },
  titleOnlyLists: {
    since: '2026-12-01',
    what: 'search and data-source queries return only the title property of each page unless `filter_properties` is sent',
    source: 'docs/reference/notion-api-2026.md §6.1 row 1',
  },
  statusGroupFilters: {
    since: '2026-12-01',
    beta: 'status-group-filters-2026-10-06',
    what: 'status `equals`/`does_not_equal` match option names only (no longer group names); group operators `group_equals`/`group_does_not_equal` match groups',
    source: 'docs/reference/notion-api-2026.md §6.1 row 2',
  },
  nullablePersonName: {
    since: '2026-12-01',
    what: "a person user's `name` is null when the person has none (earlier versions answer an empty string)",
    source: 'docs/reference/notion-api-2026.md §6.1 row 6',
  },
  markdownV2Default: {
    since: '2026-12-01',
    what: 'page and comment Markdown default to `markdown_version` "v2" (Notion-flavored Markdown) and `"v1"` is refused',
    source: 'docs/reference/notion-api-2026.md §6.1 row 3, §2.5',
  },
  rangeReplaceRefused: {
    since: '2026-12-01',
    what: '`PATCH /v1/pages/{id}/markdown` refuses `replace_content_range` (use `update_content`)',
    source: 'docs/reference/notion-api-2026.md §6.1 row 4, §2.3',
  },
  afterMatchesBlockStart: {
    since: '2026-12-01',
    what: '`insert_content.after` must match the start of exactly one top-level block; inserting after any text is `position: {type: "after_content", anchor}`',
    source: 'docs/reference/notion-api-2026.md §6.1 row 5, §2.3',
  },
} as const satisfies Record<string, VersionBehaviour>

export type BehaviourName = keyof typeof VERSION_BEHAVIOURS

/** Whether behaviour `name` applies under version `v`, with the request's `Notion-Beta` flags `betas`. */
export function behaves(name: BehaviourName, v: NotionVersion, betas: readonly string[] = []): boolean {
  const b: VersionBehaviour = VERSION_BEHAVIOURS[name]
  return v >= b.since || (b.beta !== undefined && betas.includes(b.beta))
}

/** 2025-09-03 and later: databases are containers of data sources. */
export function hasDataSources(v: NotionVersion): boolean {
  return behaves('dataSources', v)
}

/** 2026-03-11 and later: `archived` is gone from requests and responses; `after` became `position`. */
export function dropsArchived(v: NotionVersion): boolean {
  return behaves('dropsArchived', v)
}

/** 2026-12-01 and later: Markdown v2 is the default `markdown_version` and `"v1"` is refused (row `markdownV2Default`). */
export function markdownV1Refused(v: NotionVersion): boolean {
  return behaves('markdownV2Default', v)
}

/** 2026-12-01 and later: `PATCH /v1/pages/{id}/markdown` refuses `replace_content_range` (row `rangeReplaceRefused`). */
export function rangeReplaceRefused(v: NotionVersion): boolean {
  return behaves('rangeReplaceRefused', v)
}

/** 2026-12-01 and later: `insert_content.after` must match the start of one block (row `afterMatchesBlockStart`). */
export function afterMatchesBlockStart(v: NotionVersion): boolean {
  return behaves('afterMatchesBlockStart', v)
}

/** 2021-08-16 and later: append answers the new children (row `appendReturnsChildren`); before, the parent block. */
export function appendReturnsChildren(v: NotionVersion): boolean {
  return behaves('appendReturnsChildren', v)
}
