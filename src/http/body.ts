import { NotionApiError, validationError } from '../errors/notion-error.js'
import type { AppContext } from './context.js'

/** Notion's payload cap: 500 KB (digest §6). */
export const MAX_BODY_BYTES = 500 * 1024

/**
 * Reads a JSON request body. No body (or an empty one) reads as `{}`, as Notion accepts for
 * `search`. Non-JSON → 400 `invalid_json` "Error parsing JSON body."; over 500 KB → 400
 * `validation_error`.
 * @throws NotionApiError invalid_json | validation_error
 */
export async function readJsonBody(c: AppContext): Promise<unknown> {
  const text = await c.req.text()
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > MAX_BODY_BYTES) {
    throw validationError(`Request body too large: ${bytes} bytes, the limit is ${MAX_BODY_BYTES} bytes (500KB).`)
  }
  if (text.trim() === '') return {}
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new NotionApiError('invalid_json', 'Error parsing JSON body.')
  }
}
