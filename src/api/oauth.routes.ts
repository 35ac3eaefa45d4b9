import type { Context, Hono } from 'hono'
import type { AppEnv } from '../http/context.js'
import { MAX_JSON_DEPTH, jsonNestedDeeperThan } from '../http/body.js'
import type { TooLarge } from '../http/middleware/body-limit.js'
import type { Deps } from '../services/deps.js'
import type { RouteData } from './router.js'
import { OAuthError, authenticateClient, oauthBody, parseBasicClient } from '../services/oauth/client-auth.js'
import { exchangeToken, introspectToken, revokeClientToken } from '../services/oauth/grants.js'
import { AttemptThrottle, type AttemptLimiterFactory } from '../rate-limit/attempts.js'

/** Failed client authentications allowed per claimed client and address per 15 minutes, and per address per hour. */
export const CLIENT_AUTH_BUDGETS = {
  perKey: { points: 10, durationSeconds: 15 * 60 },
  perAddress: { points: 100, durationSeconds: 60 * 60 },
}

/**
 * The answer of the OAuth client endpoints to a body over their limit (`bodyLimiter`, run by the front door):
 * 413 `{"error":"invalid_request","error_description","request_id"}` (RFC 6749 §5.2 shape, as their
 * other failures).
 */
export const oauthTooLarge: TooLarge = (c, maxBytes) =>
  c.json(
    {
      error: 'invalid_request',
      error_description: `The request body is too large (the limit is ${Math.round(maxBytes / 1024)}KB).`,
      request_id: c.get('requestId') ?? '',
    },
    413,
  )

/**
 * The OAuth client endpoints of public connections (docs/reference/notion-api.md §1.9, §7.2–7.4), SDK `oauth.token`,
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
 *   (live Notion, docs/reference/notion-api.md §7.3); 400 `{"error":<RFC 6749 §5.2 code>,"error_description","request_id"}`.
 *   The SDK surfaces both as `UnknownHTTPResponseError` with the status.
 * - Token answers carry `Cache-Control: no-store` (RFC 6749 §5.1). No CORS headers (Notion sends none).
 * - Failed client authentication is throttled (RFC 6749 §10.10, RFC 9700 §4.14 leave the means to the
 *   server): `CLIENT_AUTH_BUDGETS` per claimed `client_id` and client address (trusted proxies'
 *   `X-Forwarded-For`), counted on the shared limiter's store. Past a budget every request for that
 *   client from that address, right secret or not, is 429 `{"error":"rate_limited","error_description",
 *   "request_id"}` with `Retry-After`, so guesses past the budget reveal nothing. RFC 6749 §5.2 has no
 *   code for this; `rate_limited` is Notion's word for 429 (docs/reference/notion-api.md §3), and the OAuth body shape keeps
 *   the SDK from auto-retrying into the lockout (it retries only `APIResponseError`s). The secret check
 *   is a cheap HMAC, so failures are counted after it (atomically) and successes cost nothing.
 */
/** An OAuth client endpoint as data: the SDK method it serves and the grant it runs for an authenticated client. */
export type OAuthRoute = RouteData & {
  run: (deps: Deps, client: Awaited<ReturnType<typeof authenticateClient>>, body: Record<string, unknown>) => Promise<object>
}

/** The three OAuth client endpoints (bodies are parsed by hand by `oauthBody`, so no zod schemas). */
export const oauthApiRoutes: OAuthRoute[] = [
  { method: 'post', path: '/oauth/token', endpoint: 'oauth.token', run: exchangeToken },
  { method: 'post', path: '/oauth/introspect', endpoint: 'oauth.introspect', run: introspectToken },
  { method: 'post', path: '/oauth/revoke', endpoint: 'oauth.revoke', run: revokeClientToken },
]

export function registerOAuthApiRoutes(
  app: Hono<AppEnv>,
  deps: Deps,
  o: { clientAddress: (c: Context) => string; attempts: AttemptLimiterFactory },
): void {
  const throttle = new AttemptThrottle(o.attempts, 'oauth_client', CLIENT_AUTH_BUDGETS)
  const limited = (c: Context<AppEnv>, wait: number) => {
    c.header('Retry-After', String(wait))
    return c.json(
      {
        error: 'rate_limited',
        error_description: `Too many failed client authentications. Try again in ${wait} seconds.`,
        request_id: c.get('requestId'),
      },
      429,
    )
  }
  const handle =
    (fn: (client: Awaited<ReturnType<typeof authenticateClient>>, body: Record<string, unknown>) => Promise<object>) =>
    async (c: Context<AppEnv>) => {
      const requestId = c.get('requestId')
      c.header('Cache-Control', 'no-store')
      c.header('Pragma', 'no-cache')
      const authorization = c.req.header('authorization')
      const claimed = parseBasicClient(authorization)?.clientId ?? '-'
      const address = o.clientAddress(c)
      try {
        let client
        try {
          client = await authenticateClient(deps, authorization)
        } catch (e) {
          if (!(e instanceof OAuthError) || e.error !== 'invalid_client') throw e
          const wait = await throttle.failed(claimed, address)
          if (wait > 0) return limited(c, wait)
          throw e
        }
        const wait = await throttle.blocked(claimed, address)
        if (wait > 0) return limited(c, wait)
        const text = await c.req.text()
        const form = c.req.header('content-type')?.toLowerCase().includes('application/x-www-form-urlencoded') ?? false
        if (!form && jsonNestedDeeperThan(text, MAX_JSON_DEPTH))
          throw new OAuthError(400, 'invalid_request', `The request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep.`)
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
  for (const r of oauthApiRoutes)
    app.on(
      r.method.toUpperCase(),
      `/v1${r.path}`,
      handle((client, body) => r.run(deps, client, body)),
    )
}
