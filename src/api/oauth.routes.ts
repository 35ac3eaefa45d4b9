import type { Context, Hono } from 'hono'
import type { AppEnv } from '../http/context.js'
import { MAX_JSON_DEPTH, jsonNestedDeeperThan } from '../http/body.js'
import type { TooLarge } from '../http/middleware/body-limit.js'
import type { Deps } from '../services/deps.js'
import { OAuthError, authenticateClient, exchangeToken, introspectToken, oauthBody, revokeClientToken } from '../services/oauth.service.js'

/**
 * The answer of the OAuth client endpoints to a body over their limit (`limitBodies` in app.ts):
 * 413 `{"error":"invalid_request","error_description","request_id"}` (RFC 6749 §5.2 shape, as their
 * other failures).
 */
export const oauthTooLarge: TooLarge = (c, maxBytes) =>
  c.json({ error: 'invalid_request', error_description: `The request body is too large (the limit is ${Math.round(maxBytes / 1024)}KB).`, request_id: c.get('requestId') ?? '' }, 413)

/** The paths of the OAuth client endpoints (Basic client authentication, `{error, error_description}` failures). */
export const OAUTH_CLIENT_PATHS = ['/v1/oauth/token', '/v1/oauth/introspect', '/v1/oauth/revoke'] as const

/**
 * The OAuth client endpoints of public connections (digest §1.9, §7.2–7.4), SDK `oauth.token`,
 * `oauth.introspect`, `oauth.revoke`:
 *
 * | Method and path | Body | Answer |
 * |---|---|---|
 * | `POST /v1/oauth/token` | `{grant_type:"authorization_code", code, redirect_uri?, code_verifier?}` or `{grant_type:"refresh_token", refresh_token}` | SDK `OauthTokenResponse` + `request_id` |
 * | `POST /v1/oauth/introspect` | `{token}` | `{active, scope?, iat?, request_id}` (`{active:false, request_id}` when inactive) |
 * | `POST /v1/oauth/revoke` | `{token}` | `{request_id}` |
 *
 * - Client authentication is HTTP Basic `client_id:client_secret`; bodies are JSON (form encoding is
 *   accepted too, RFC 6749/7662/7009 style). `Notion-Version` is accepted but not required.
 * - Failures: 401 `{"error":"invalid_client","request_id"}` with `WWW-Authenticate: Basic realm="OAuth"`
 *   (live Notion, digest §7.3); 400 `{"error":<RFC 6749 §5.2 code>,"error_description","request_id"}`.
 *   The SDK surfaces both as `UnknownHTTPResponseError` with the status.
 * - Token answers carry `Cache-Control: no-store` (RFC 6749 §5.1). No CORS headers (Notion sends none).
 */
export function registerOAuthApiRoutes(app: Hono<AppEnv>, deps: Deps): void {
  const handle = (fn: (client: Awaited<ReturnType<typeof authenticateClient>>, body: Record<string, unknown>) => Promise<object>) => async (c: Context<AppEnv>) => {
    const requestId = c.get('requestId')
    c.header('Cache-Control', 'no-store')
    c.header('Pragma', 'no-cache')
    try {
      const client = await authenticateClient(deps, c.req.header('authorization'))
      const text = await c.req.text()
      const form = c.req.header('content-type')?.toLowerCase().includes('application/x-www-form-urlencoded') ?? false
      if (!form && jsonNestedDeeperThan(text, MAX_JSON_DEPTH)) throw new OAuthError(400, 'invalid_request', `The request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep.`)
      const body = oauthBody(text, c.req.header('content-type'))
      const result = await fn(client, body)
      return c.json({ ...result, request_id: requestId })
    } catch (e) {
      if (!(e instanceof OAuthError)) throw e
      if (e.error === 'invalid_client') {
        c.header('WWW-Authenticate', 'Basic realm="OAuth"')
        return c.json({ error: 'invalid_client', request_id: requestId }, 401)
      }
      return c.json({ error: e.error, ...(e.description ? { error_description: e.description } : {}), request_id: requestId }, e.status)
    }
  }
  app.post(OAUTH_CLIENT_PATHS[0], handle((client, body) => exchangeToken(deps, client, body)))
  app.post(OAUTH_CLIENT_PATHS[1], handle((client, body) => introspectToken(deps, client, body)))
  app.post(OAUTH_CLIENT_PATHS[2], handle((client, body) => revokeClientToken(deps, client, body)))
}
