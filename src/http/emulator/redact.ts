/**
 * Redaction of request and response bodies kept by the request journal (docs/emulator.md). Applied
 * before a body is stored, so the journal never holds:
 * - tokens: any string shaped like a Notion or Octavo token (`ntn_…`, `secret_…`, `octavo_admin_…`),
 *   and the value of any key naming a secret (`token`, `access_token`, `refresh_token`, `client_secret`,
 *   `password`, `code`, `authorization`, `secret`, `api_key`);
 * - file URLs: the `url` of a `file` / `file_upload` / `external` object, and any `*_url` key that
 *   carries a signed link (`upload_url`, `download_url`, `complete_url`);
 * - passwords: keys containing `password` or `passphrase`.
 * Redacted values become the string `"[redacted]"`. Depth and size are bounded: deeper than 32 levels
 * becomes `"[too deep]"`; a body whose JSON text exceeds `maxChars` is kept as `{"truncated": <chars>}`.
 */

export const REDACTED = '[redacted]'

const SECRET_KEY =
  /^(token|access_token|refresh_token|id_token|client_secret|secret|code|code_verifier|authorization|api_key|apikey|key)$|password|passphrase|secret|token$/i
const URL_KEY = /^(upload_url|download_url|complete_url|signed_url)$/i
const FILE_PARENTS = new Set(['file', 'file_upload', 'external', 'icon', 'cover'])
const TOKEN_TEXT = /\b(?:ntn_|secret_|octavo_admin_)[A-Za-z0-9_-]{8,}/g

function redactValue(value: unknown, parentKey: string | undefined, depth: number): unknown {
  if (depth > 32) return '[too deep]'
  if (typeof value === 'string') return value.replace(TOKEN_TEXT, REDACTED)
  if (Array.isArray(value)) return value.map((v) => redactValue(v, parentKey, depth + 1))
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v !== null && typeof v !== 'object' && (SECRET_KEY.test(k) || URL_KEY.test(k))) out[k] = REDACTED
    else if (k === 'url' && parentKey !== undefined && FILE_PARENTS.has(parentKey) && typeof v === 'string') out[k] = REDACTED
    else out[k] = redactValue(v, k, depth + 1)
  }
  return out
}

/**
 * Parses `text` as JSON (or keeps it as a string) and removes secrets and file URLs.
 * @returns the redacted value, `undefined` for an empty body.
 */
export function redactBody(text: string, maxChars = 65_536): unknown {
  if (!text) return undefined
  if (text.length > maxChars) return { truncated: text.length }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return redactValue(text, undefined, 0)
  }
  return redactValue(parsed, undefined, 0)
}
