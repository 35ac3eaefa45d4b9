import type { PresentedRow } from '../../storage/repositories/data-source-query.repository.js'
import { toMinute } from '../../domain/clock.js'
import { compactId } from '../../domain/ids.js'
import { presentPropertyValues, titleOfValues, type PropertyConfig, type Schema } from '../../domain/properties.js'
import { plainText, type RichTextItem } from '../../domain/rich-text.js'
import { dropsArchived, hasDataSources, type NotionVersion } from '../../domain/versions.js'
import { presentLegacyProperties } from '../../domain/legacy-shapes.js'
import type { BlockRow } from '../../storage/repositories/blocks.repository.js'
import type { PageObjectResponse } from '@notionhq/client'
import { jsonMember, jsonMemberText } from '../../domain/json-fields.js'
import { mayHoldFileRefs } from '../../services/file-urls.js'

/**
 * An SDK response type as Octavo serves it to every version: `archived` is optional, since 2026-03-11
 * drops it from every response (docs/reference/notion-api.md §1.12, §2.5) while the SDK types it as
 * required ("Present for backwards compatibility with API versions prior to 2026-03-11"). Distributes
 * over unions (block types).
 */
export type Served<T> = T extends unknown ? Omit<T, 'archived'> & { archived?: boolean } : never

/** What the page presenter needs besides the row. */
export interface PagePresentation {
  version: NotionVersion
  publicUrl: string
  /** The data source a row belongs to, with its database and schema; null for plain pages. */
  dataSource: { id: string; databaseId: string; schema: Schema } | null
  /** The row's computed values (services/row-values.ts), keyed by property id. */
  computed?: Record<string, unknown> | undefined
}

/**
 * `parent` of a page, block or database (SDK `ParentForBlockBasedObjectResponse`), per version: rows
 * are `data_source_id` (2025+) or `database_id` (≤ 2022-06-28). `databaseId` is the row's database:
 * callers pass it whenever `row` is a data-source row or template.
 */
export function presentParent(
  row: Pick<BlockRow, 'parent_type' | 'parent_id'>,
  version: NotionVersion,
  databaseId?: string,
): PageObjectResponse['parent'] {
  // Casts: `parent_id` is null only for the workspace; `databaseId` is given for rows (see above).
  // The SDK types both as always present.
  const id = row.parent_id as string
  switch (row.parent_type) {
    case 'workspace':
      return { type: 'workspace', workspace: true }
    case 'page_id':
      return { type: 'page_id', page_id: id }
    case 'block_id':
      return { type: 'block_id', block_id: id }
    case 'data_source_id':
    case 'template':
      return hasDataSources(version)
        ? { type: 'data_source_id', data_source_id: id, database_id: databaseId as string }
        : { type: 'database_id', database_id: databaseId as string }
  }
}

const NON_ASCII = /[^\x00-\x7f]/
const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]+/gu
const NOT_ASCII_LETTER_OR_DIGIT = /[^A-Za-z0-9]+/g

/** `https://…/<Title-slug>-<32 hex>`, like Notion's page URLs. */
export function urlOf(publicUrl: string, id: string, title: string): string {
  // In ASCII text the letters and digits are [A-Za-z0-9]: the same slug without the Unicode tables.
  const slug = title
    .replace(NON_ASCII.test(title) ? NOT_LETTER_OR_DIGIT : NOT_ASCII_LETTER_OR_DIGIT, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
  return `${publicUrl}/${slug ? `${slug}-` : ''}${compactId(id)}`
}

/** Adds `archived` (≤ 2025-09-03) next to `in_trash`; 2026-03-11 drops it (docs/reference/notion-api.md §1.12). */
export function trashFields(inTrash: boolean, version: NotionVersion): { archived?: boolean; in_trash: boolean } {
  return dropsArchived(version) ? { in_trash: inTrash } : { archived: inTrash, in_trash: inTrash }
}

/**
 * A full page object, keys in Notion's order. Times are rounded to the minute as Notion reports them.
 * tsc checks the object against the SDK's `PageObjectResponse` as served from 2025-09-03 on
 * (`Served`: no `archived` under 2026-03-11); older versions differ only in `parent`
 * (`database_id`) and in `properties`, which domain/legacy-shapes.ts transforms and which stay
 * untyped wire values here. Returned as a plain record: callers narrow `properties` (`filter_properties`).
 */
export function presentPage(row: PresentedRow, p: PagePresentation): Record<string, unknown> {
  const schema = p.dataSource?.schema ?? null
  const computedNothing = p.computed === undefined || Object.keys(p.computed).length === 0
  const createdTime = toMinute(row.created_time)
  const lastEditedTime = toMinute(row.last_edited_time)
  const only = schema !== null && computedNothing ? titleOnly(schema) : undefined
  let properties: PageObjectResponse['properties']
  let title: string
  if (only) {
    // A row presented with its title property alone (2026-12-01's title-only lists): the one entry
    // `presentPropertyValues` would build, `{<name>: {id, type: "title", title}}`, from that member only.
    const stored = row.properties === null ? undefined : jsonMember(row.properties, only.id)
    const value = stored === undefined ? [] : stored
    properties = presentLegacyProperties({ [only.name]: { id: only.id, type: 'title', title: value } }, p.version, {
      values: true,
    }) as PageObjectResponse['properties']
    title = plainText(stored as RichTextItem[] | undefined)
  } else {
    const values = storedValues(row.properties, schema, computedNothing)
    // Property values are built by domain/properties.ts (and legacy-shapes.ts) as untyped wire values.
    properties = presentLegacyProperties(
      presentPropertyValues(
        values,
        schema,
        {
          created_time: createdTime,
          last_edited_time: lastEditedTime,
          created_by: row.created_by,
          last_edited_by: row.last_edited_by,
        },
        p.computed,
      ),
      p.version,
      { values: true },
    ) as PageObjectResponse['properties']
    title = titleOfValues(values, schema)
  }
  return {
    object: 'page',
    id: row.id,
    created_time: createdTime,
    last_edited_time: lastEditedTime,
    created_by: { object: 'user', id: row.created_by },
    last_edited_by: { object: 'user', id: row.last_edited_by },
    cover: row.cover ? JSON.parse(row.cover) : null,
    icon: row.icon ? JSON.parse(row.icon) : null,
    parent: presentParent(row, p.version, p.dataSource?.databaseId),
    ...trashFields(row.in_trash === 1, p.version),
    is_archived: false,
    is_locked: row.is_locked === 1,
    properties,
    url: urlOf(p.publicUrl, row.id, title),
    public_url: null,
  } satisfies Served<PageObjectResponse>
}

/** What a title-only row's text takes from its stored `properties` (`presentTitleOnlyPagesText`). */
interface TitleText {
  /** The `properties` member's JSON text: `{"<name>":{"id":…,"type":"title","title":[…]}}`. */
  properties: string
  /** The start of the `url` member's JSON string: `"<public URL>/<title slug>-`, up to the compact id. */
  urlStart: string
  /** Whether the presented title may hold a file marker or a custom emoji (`mayHoldFileRefs`). */
  fileRefs: boolean
}

/**
 * What title-only rows take from their stored `properties`, by presentation (version, title
 * property, public URL: the outer key), then by the stored `properties` text itself (the inner key;
 * `absent` for a row without any): a list presented again (the same rows, each time it is queried)
 * neither looks for its titles, nor parses, nor serializes them. Only `properties` texts of up to
 * `TITLE_TEXT_MAX_CHARS` are kept (a longer one is read afresh each time); the kept texts are dropped
 * all at once when they would exceed `TITLE_TEXTS_MAX_CHARS` (so the map holds a few MB at most).
 */
const titleTexts = new Map<string, { byProperties: Map<string, TitleText>; absent?: TitleText }>()
let titleTextsChars = 0
const TITLE_TEXT_MAX_CHARS = 4_096
const TITLE_TEXTS_MAX_CHARS = 2_000_000

/** What `presentPage` presents of a title-only row whose stored `properties` is `json` (see `TitleText`). */
function titleText(json: string | null, only: PropertyConfig, p: PagePresentation): TitleText {
  const member = json === null ? undefined : jsonMemberText(json, only.id)
  // Another form than JSON.stringify's: the member is read by parsing the whole text.
  const stored = member === null ? jsonMember(json as string, only.id) : member === undefined ? undefined : JSON.parse(member)
  const value = stored === undefined ? [] : stored
  const properties = presentLegacyProperties({ [only.name]: { id: only.id, type: 'title', title: value } }, p.version, { values: true })
  // urlOf without the id: the slug is the title's alone.
  const url = urlOf(p.publicUrl, '', plainText(stored as RichTextItem[] | undefined))
  return {
    properties: JSON.stringify(properties),
    urlStart: JSON.stringify(url).slice(0, -1),
    fileRefs: mayHoldFileRefs(member === null ? json : member),
  }
}

/** Whether `s` is written by `JSON.stringify` as itself between quotes (printable ASCII, no quote or backslash). */
function plainJsonString(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false
  }
  return true
}

/** `JSON.stringify(s)` for a string, without the call for the plain ASCII of ids and times. */
function quote(s: string): string {
  return plainJsonString(s) ? `"${s}"` : JSON.stringify(s)
}

/**
 * `JSON.stringify(presentPage(row, p))` for each row, byte for byte, built as text, when the rows
 * are presented with their title property alone and nothing computed (2026-12-01's title-only
 * lists, or `filter_properties` naming the title only): no page object is built, and a stored
 * `properties` text presented before is neither searched for its title, nor parsed, nor serialized
 * again (`titleTexts`). `cover`, `icon` and `parent` are serialized from what `presentPage` builds
 * (the parent once per distinct parent). test/conformance/title-only-text.test.ts compares both for
 * every accepted version.
 *
 * The text is meant to be sent as is (http/json-text.ts), never walked by `signFileRefs`: undefined
 * when a row's presented text may hold a file marker or a custom emoji (`mayHoldFileRefs` of its
 * title member, icon and cover), and for any presentation other than the title alone with nothing
 * computed. Present the rows with `presentPage` then.
 * @throws SyntaxError when stored JSON text is not valid JSON (as `presentPage`)
 */
export function presentTitleOnlyPagesText(rows: readonly PresentedRow[], p: PagePresentation): string[] | undefined {
  const schema = p.dataSource?.schema ?? null
  if (schema === null || !(p.computed === undefined || Object.keys(p.computed).length === 0)) return undefined
  const only = titleOnly(schema)
  if (!only) return undefined
  const presentation = JSON.stringify([p.version, only.id, only.name, p.publicUrl])
  let kept = titleTexts.get(presentation)
  if (kept === undefined) titleTexts.set(presentation, (kept = { byProperties: new Map() }))
  const trash = [false, true].map((t) => `,${JSON.stringify(trashFields(t, p.version)).slice(1, -1)},"is_archived":false,"is_locked":`)
  let parentOf: Pick<PresentedRow, 'parent_type' | 'parent_id'> | undefined
  let parent = ''
  // The last user and minute quoted: rows of a list often share them.
  let userIn: string | undefined
  let userOut = ''
  let minuteIn: string | undefined
  let minuteOut = ''
  const user = (id: string) => (id === userIn ? userOut : ((userIn = id), (userOut = quote(id))))
  const minute = (iso: string) => {
    const m = toMinute(iso)
    return m === minuteIn ? minuteOut : ((minuteIn = m), (minuteOut = quote(m)))
  }
  const out: string[] = []
  for (const row of rows) {
    let title: TitleText | undefined
    if (row.properties === null) title = kept.absent ??= titleText(null, only, p)
    else {
      title = kept.byProperties.get(row.properties)
      if (title === undefined) {
        title = titleText(row.properties, only, p)
        if (row.properties.length <= TITLE_TEXT_MAX_CHARS) {
          if (titleTextsChars + row.properties.length > TITLE_TEXTS_MAX_CHARS) {
            for (const k of titleTexts.values()) k.byProperties.clear()
            titleTextsChars = 0
          }
          kept.byProperties.set(row.properties, title)
          titleTextsChars += row.properties.length
        }
      }
    }
    if (title.fileRefs || mayHoldFileRefs(row.icon, row.cover)) return undefined
    if (parentOf === undefined || parentOf.parent_type !== row.parent_type || parentOf.parent_id !== row.parent_id) {
      parentOf = row
      parent = JSON.stringify(presentParent(row, p.version, p.dataSource?.databaseId))
    }
    const compact = compactId(row.id)
    out.push(
      `{"object":"page","id":${quote(row.id)},"created_time":${minute(row.created_time)}` +
        `,"last_edited_time":${minute(row.last_edited_time)}` +
        `,"created_by":{"object":"user","id":${user(row.created_by)}}` +
        `,"last_edited_by":{"object":"user","id":${user(row.last_edited_by)}}` +
        `,"cover":${row.cover ? JSON.stringify(JSON.parse(row.cover)) : 'null'}` +
        `,"icon":${row.icon ? JSON.stringify(JSON.parse(row.icon)) : 'null'}` +
        `,"parent":${parent}${trash[row.in_trash === 1 ? 1 : 0] as string}${row.is_locked === 1 ? 'true' : 'false'}` +
        `,"properties":${title.properties},"url":${title.urlStart}${plainJsonString(compact) ? compact : JSON.stringify(compact).slice(1, -1)}","public_url":null}`,
    )
  }
  return out
}

/**
 * Whether `presentPage(row, p)` holds no file marker and no custom emoji (services/file-urls.ts): its
 * stored text names neither and nothing was computed for it (a rollup may show other rows' files).
 * The router's `signFileRefs` then need not walk it (`markFileFree`).
 */
export function presentsFileFree(row: Pick<PresentedRow, 'properties' | 'icon' | 'cover'>, p: Pick<PagePresentation, 'computed'>): boolean {
  return (p.computed === undefined || Object.keys(p.computed).length === 0) && !mayHoldFileRefs(row.properties, row.icon, row.cover)
}

/** Each schema's title property when it is the schema's only property (a title-only list's narrowed schema), else null. */
const titleOnlySchemas = new WeakMap<Schema, PropertyConfig | null>()

/** The title property of `schema` when it is its only property: `presentPage` then builds that one entry directly. */
function titleOnly(schema: Schema): PropertyConfig | null {
  let only = titleOnlySchemas.get(schema)
  if (only === undefined) {
    const props = Object.values(schema)
    only = props.length === 1 && props[0]?.type === 'title' ? props[0] : null
    titleOnlySchemas.set(schema, only)
  }
  return only
}

/**
 * The stored values a page is presented from (property id → wire value). A plain page (no schema)
 * and a row presented with its title property only (2026-12-01's title-only lists), with nothing
 * computed, need only that member of `properties`: parsed alone (domain/json-fields.ts), not the whole JSON.
 */
function storedValues(properties: string | null, schema: Schema | null, computedNothing: boolean): Record<string, unknown> {
  if (properties === null) return {}
  let only: string | undefined
  if (schema === null) only = 'title'
  else if (computedNothing) {
    const props = Object.values(schema)
    if (props.length === 1 && props[0]?.type === 'title') only = props[0].id
  }
  if (only === undefined) return JSON.parse(properties) as Record<string, unknown>
  const value = jsonMember(properties, only)
  return value === undefined ? {} : { [only]: value }
}
