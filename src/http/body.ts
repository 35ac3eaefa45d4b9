import { NotionApiError, validationError } from '../errors/notion-error.js'
import type { AppContext } from './context.js'

/**
 * Notion's payload limit: 500 KB per request (docs/reference/notion-api.md §6, "payload max 1000 block elements and
 * 500 KB"). Octavo applies it to every surface's bodies while they stream in
 * (`http/middleware/body-limit.ts`, wired in `app.ts`), before any handler reads them.
 */
export const MAX_BODY_BYTES = 500 * 1024

/**
 * The deepest nesting of JSON objects and arrays a request body may have. Notion's deepest
 * legitimate bodies stay far below it: a page created with two levels of children inside columns
 * (`body.children[].column_list.children[].column.children[].paragraph.rich_text[].text.link`) is 14
 * levels, a filter with its two levels of `and`/`or` (docs/reference/notion-api.md §2.13) about 9, a table row's
 * `cells[][]` rich text 12. 32 leaves room for every such shape and stops bodies nested thousands of
 * levels deep before any recursive walk (validation messages, `JSON.stringify`, schema checks) can
 * overflow the stack.
 */
export const MAX_JSON_DEPTH = 32

/**
 * Whether the JSON text nests objects and arrays deeper than `max` levels. One pass over the text,
 * no recursion and no allocation, so it is safe on any input; brackets inside strings do not count.
 * Meant for text that `JSON.parse` accepted (on other text the answer is still bounded and cheap).
 */
export function jsonNestedDeeperThan(text: string, max: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (inString) {
      if (ch === 0x5c /* \ */) i++
      else if (ch === 0x22 /* " */) inString = false
    } else if (ch === 0x22) inString = true
    else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      if (++depth > max) return true
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) depth--
  }
  return false
}

/** Notion-style message for a body nested deeper than `MAX_JSON_DEPTH`. */
export const TOO_DEEP_MESSAGE = `body failed validation: body nests objects and arrays more than \`${MAX_JSON_DEPTH}\` levels deep.`

/**
 * `JSON.parse` that drops the NUL character (U+0000) from every string and object key. PostgreSQL
 * text cannot hold it, so without this the same request would be stored on SQLite and fail on
 * PostgreSQL; Notion's text never contains it. A body only holds it as the escape `\u0000` (a raw
 * control character is not valid JSON), so the reviver runs only then.
 * @throws SyntaxError as `JSON.parse`
 */
export function parseJsonText(text: string): unknown {
  if (!text.includes('\\u0000')) return JSON.parse(text) as unknown
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === 'string') return value.replaceAll('\u0000', '')
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).some((k) => k.includes('\u0000'))) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replaceAll('\u0000', ''), v]))
    }
    return value
  }) as unknown
}

/**
 * Reads a JSON request body. No body (or an empty one) reads as `{}`, as Notion accepts for
 * `search`. The body's size is already limited (413) by the body-limit middleware.
 * Non-JSON → 400 `invalid_json` "Error parsing JSON body."; nested deeper than `MAX_JSON_DEPTH`
 * → 400 `validation_error`.
 * @throws NotionApiError invalid_json | validation_error
 */
export async function readJsonBody(c: AppContext): Promise<unknown> {
  const text = await c.req.text()
  if (text.trim() === '') return {}
  let parsed: unknown
  try {
    parsed = parseJsonText(text)
  } catch {
    throw new NotionApiError('invalid_json', 'Error parsing JSON body.')
  }
  if (jsonNestedDeeperThan(text, MAX_JSON_DEPTH)) throw validationError(TOO_DEEP_MESSAGE)
  return parsed
}
