import { hasDataSources, type NotionVersion } from '../../domain/versions.js'
import { validationError } from '../../errors/notion-error.js'
import { PAGE_SIZE_MAX } from '../../http/pagination.js'

/**
 * Validation of `POST /v1/search` bodies (docs/reference/notion-api.md §2.14; SDK `SearchParameters`; SDK 2.x for
 * 2022-06-28). Hand-written rather than zod because Notion's messages for optional top-level keys
 * say "should be a string or `undefined`", and for the object filter "should be `"page"` or
 * `"data_source"`" (two options, no comma). Measured: `{"query":5}` → "body failed validation:
 * body.query should be a string or `undefined`, instead was `5`."; query errors come before filter
 * errors; `{}` and no body are valid.
 */
export interface SearchInput {
  query: string | undefined
  /** Which objects: pages, or databases / data sources (`'database'` in either version). */
  objectFilter: 'page' | 'database' | undefined
  /** `filter.in_trash`: true lists trashed items only. */
  inTrash: boolean
  direction: 'ascending' | 'descending'
  startCursor: string | undefined
  pageSize: number
}

function render(value: unknown): string {
  return value === undefined ? '`undefined`' : `\`${JSON.stringify(value)}\``
}

function fail(path: string, expected: string, value: unknown): never {
  throw validationError(`body failed validation: ${path} should be ${expected}, instead was ${render(value)}.`)
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function rejectUnknown(obj: Record<string, unknown>, allowed: string[], at: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key))
      throw validationError(`body failed validation: ${at}.${key} should be not present, instead was ${render(obj[key])}.`)
  }
}

/** "`\"a\"` or `\"b\"`", or "`\"a\"`, `\"b\"`, or `\"c\"`" (Notion's list grammar). */
function oneOf(options: string[]): string {
  const quoted = options.map((o) => `\`${JSON.stringify(o)}\``)
  if (quoted.length <= 2) return quoted.join(' or ')
  return `${quoted.slice(0, -1).join(', ')}, or ${quoted.at(-1)}`
}

/**
 * Parses and validates a search body for `version`.
 * @throws NotionApiError validation_error
 */
export function parseSearchBody(body: unknown, version: NotionVersion): SearchInput {
  if (!isObject(body)) fail('body', 'an object', body)
  const v25 = hasDataSources(version)
  const { query, filter, sort, start_cursor: startCursor, page_size: pageSize } = body

  if (query !== undefined && typeof query !== 'string') fail('body.query', 'a string or `undefined`', query)

  let objectFilter: SearchInput['objectFilter']
  let inTrash = false
  if (filter !== undefined) {
    if (!isObject(filter)) fail('body.filter', 'an object or `undefined`', filter)
    const values = v25 ? ['page', 'data_source'] : ['page', 'database']
    if (!v25 || 'property' in filter || 'value' in filter || !('in_trash' in filter)) {
      if (filter.property !== 'object')
        fail('body.filter.property', filter.property === undefined ? 'defined' : oneOf(['object']), filter.property)
      if (typeof filter.value !== 'string' || !values.includes(filter.value)) {
        if (filter.value === undefined) fail('body.filter.value', 'defined', undefined)
        fail('body.filter.value', oneOf(values), filter.value)
      }
      objectFilter = filter.value === 'page' ? 'page' : 'database'
      rejectUnknown(filter, v25 ? ['property', 'value', 'in_trash'] : ['property', 'value'], 'body.filter')
    } else {
      rejectUnknown(filter, ['in_trash'], 'body.filter')
    }
    if (filter.in_trash !== undefined) {
      if (typeof filter.in_trash !== 'boolean') fail('body.filter.in_trash', 'a boolean or `undefined`', filter.in_trash)
      inTrash = filter.in_trash
    }
  }

  let direction: SearchInput['direction'] = 'descending'
  if (sort !== undefined) {
    if (!isObject(sort)) fail('body.sort', 'an object or `undefined`', sort)
    if (v25 && 'property' in sort) {
      if (sort.property !== 'relevance') fail('body.sort.property', oneOf(['relevance']), sort.property)
      rejectUnknown(sort, ['property'], 'body.sort')
    } else {
      if (sort.timestamp !== 'last_edited_time')
        fail('body.sort.timestamp', sort.timestamp === undefined ? 'defined' : oneOf(['last_edited_time']), sort.timestamp)
      if (sort.direction !== 'ascending' && sort.direction !== 'descending') {
        fail('body.sort.direction', sort.direction === undefined ? 'defined' : oneOf(['ascending', 'descending']), sort.direction)
      }
      direction = sort.direction
      rejectUnknown(sort, ['timestamp', 'direction'], 'body.sort')
    }
  }

  if (startCursor !== undefined && startCursor !== null && typeof startCursor !== 'string') {
    fail('body.start_cursor', 'a string or `undefined`', startCursor)
  }

  let size = PAGE_SIZE_MAX
  if (pageSize !== undefined) {
    if (typeof pageSize !== 'number') fail('body.page_size', 'a number or `undefined`', pageSize)
    if (!Number.isInteger(pageSize)) fail('body.page_size', 'an integer', pageSize)
    if (pageSize < 1) fail('body.page_size', '≥ `1`', pageSize)
    if (pageSize > PAGE_SIZE_MAX) fail('body.page_size', `≤ \`${PAGE_SIZE_MAX}\``, pageSize)
    size = pageSize
  }

  rejectUnknown(body, ['query', 'filter', 'sort', 'start_cursor', 'page_size'], 'body')

  return {
    query: typeof query === 'string' && query.trim() !== '' ? query.trim() : undefined,
    objectFilter,
    inTrash,
    direction,
    startCursor: typeof startCursor === 'string' && startCursor !== '' ? startCursor : undefined,
    pageSize: size,
  }
}
