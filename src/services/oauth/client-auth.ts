import type { PublicConnectionTable } from '../../storage/database.js'
import { findPublicConnection } from '../../storage/repositories/public-connections.repository.js'
import type { Deps } from '../deps.js'

/**
 * The OAuth client endpoints' common ground (`POST /v1/oauth/token|introspect|revoke`,
 * docs/reference/notion-api.md §7; RFC 6749 §2.3.1, §5.2): client authentication by HTTP Basic,
 * the request body, and the `OAuthError` every failure is.
 */

/** An OAuth endpoint failure (RFC 6749 §5.2 codes), rendered as `{error, error_description?, request_id}`. */
export class OAuthError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type',
    readonly description?: string,
  ) {
    super(description ?? error)
    this.name = 'OAuthError'
  }
}

/**
 * Authenticates `Authorization: Basic base64(client_id:client_secret)` (client_secret_basic). Any
 * failure (no header, another scheme, unknown client, wrong secret) is 401 `invalid_client`, as live
 * Notion answers (docs/reference/notion-api.md §7.3). The secret is compared by HMAC digest in
 * constant time.
 * @throws OAuthError invalid_client
 */
export async function authenticateClient(deps: Deps, header: string | undefined): Promise<PublicConnectionTable> {
  const basic = parseBasicClient(header)
  if (!basic) throw new OAuthError(401, 'invalid_client')
  const c = await findPublicConnection(deps.store.db, basic.clientId)
  if (!c || !deps.secrets.digestsEqual(c.secret_digest, deps.secrets.tokenDigest(basic.secret))) throw new OAuthError(401, 'invalid_client')
  return c
}

/**
 * The client id (lower-case UUID) and secret of an `Authorization: Basic` header, or undefined when
 * the header is missing, of another scheme, or not `client_id:client_secret` with a UUID client id.
 * Also used to key the throttle of failed client authentications on the claimed client.
 */
export function parseBasicClient(header: string | undefined): { clientId: string; secret: string } | undefined {
  const m = header ? /^[ \t]*basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(header) : null
  if (!m?.[1]) return undefined
  const decoded = Buffer.from(m[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  const clientId = decodeURIComponentSafe(decoded.slice(0, colon))
  const secret = decodeURIComponentSafe(decoded.slice(colon + 1))
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(clientId)) return undefined
  return { clientId: clientId.toLowerCase(), secret }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/**
 * The body of a token/introspect/revoke request: a JSON object, or form fields when the content type
 * is `application/x-www-form-urlencoded` (RFC 6749/7662/7009 style); an empty body is `{}`. Its size is
 * already bounded by the body-limit middleware (`bodyLimiter` in the front door, 413 in the OAuth shape).
 * @throws OAuthError invalid_request (not JSON, or not an object)
 */
export function oauthBody(text: string, contentType: string | undefined): Record<string, unknown> {
  if (!text.trim()) return {}
  if (contentType?.toLowerCase().includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text))
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new OAuthError(400, 'invalid_request', 'The request body must be JSON.')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new OAuthError(400, 'invalid_request', 'The request body must be a JSON object.')
  return parsed as Record<string, unknown>
}

/** A string field of an OAuth request body, or undefined when absent or null. @throws OAuthError invalid_request (not a string) */
export function bodyString(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw new OAuthError(400, 'invalid_request', `${key} should be a string.`)
  return v
}
