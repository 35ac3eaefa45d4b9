import type { Client } from '@notionhq/client'
import type { IncomingMessage } from 'node:http'
import type { Hono } from 'hono'
import type * as z from 'zod'
import type { RequiredCapability } from '../permissions/capabilities.js'
import { behaves, hasDataSources, type NotionVersion } from '../domain/versions.js'
import { invalidRequestUrl, NotionApiError } from '../errors/notion-error.js'
import type { AppContext, AppEnv } from '../http/context.js'
import { requireNotionVersion } from '../http/middleware/notion-version.js'
import { betaFlagsOf } from '../http/middleware/notion-beta.js'
import type { RateLimiter } from '../rate-limit/limiter.js'
import { authenticateBearer } from '../services/auth.service.js'
import type { Deps } from '../services/deps.js'
import type { ApiCaller, RequestContext } from '../auth/principal.js'
import { signFileRefs } from '../services/file-urls.js'
import { refreshCustomEmojis } from '../services/custom-emojis.service.js'
import { injectFaults, type Emulator } from '../http/emulator/index.js'
import { immutableText } from './immutable-answers.js'
import { explainRateLimited } from '../permissions/explain.js'
import { JsonText } from '../http/json-text.js'
import { jsonResponse } from '../http/json-response.js'

/** The 429's explanation: whose budget, how large, over which window (the limiter decided; ADR 22). */
function rateLimitExplanation(deps: Deps, caller: ApiCaller, reason: string, retryAfterSeconds: number) {
  const limits = deps.config.rateLimits
  const business = caller.plan === 'business' || caller.plan === 'enterprise'
  const scope = reason === 'public_api_space_request_rate_limit' ? 'workspace' : 'connection'
  const budget =
    scope === 'workspace'
      ? business
        ? limits.workspacePerMinuteBusiness
        : limits.workspacePerMinute
      : business
        ? limits.connectionPerMinuteBusiness
        : limits.connectionPerMinute
  return explainRateLimited({
    who: { kind: caller.kind, name: caller.connectionName },
    scope,
    budget,
    windowSeconds: limits.windowSeconds,
    retryAfterSeconds,
  })
}

/**
 * Mounts `/v1` routes with Notion's order of checks (docs/reference/notion-api.md §3.4): unknown URL or method →
 * `invalid_request_url` (the route simply does not match), then credential (401), then
 * `Notion-Version` (400 `missing_version`), then version-gated mounting (`invalid_request_url`),
 * then the rate limit (429), then the handler (validation, capability, sharing).
 */
export type Versions = 'all' | 'data_sources' | 'legacy' | 'before_2022_02_22'

/** `'a.b.c'` for every function reachable through `T`'s properties (the SDK's nested namespaces). */
type EndpointNames<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends (...args: never[]) => unknown
    ? `${Prefix}${K}`
    : T[K] extends object
      ? EndpointNames<T[K], `${Prefix}${K}.`>
      : never
}[keyof T & string]

/**
 * An endpoint method of the official SDK's `Client` as callers spell it: `'pages.retrieve'`,
 * `'blocks.children.list'`, `'dataSources.query'`, `'search'`, `'oauth.token'`, … Derived from the
 * installed `@notionhq/client` types (5.26), so a misspelt name fails the type check; the SDK's
 * generic `request` is not an endpoint. Type-only import: nothing of the SDK is loaded at run time.
 */
export type SdkEndpoint = EndpointNames<Omit<Client, 'request'>>

/**
 * The zod schemas a route's handler validates its input with today (references, not copies), for
 * tools that enumerate routes (docs/api-coverage.md, malformed-input corpora).
 * - `body`: the JSON body (under 2025-09-03 and later when `legacyBody` is also given);
 * - `legacyBody`: the JSON body under Notion-Version 2022-06-28 and older, on a route mounted for all
 *   versions whose body grammar differs by version (databases create/update);
 * - `query`: the query string, as an object of strings.
 * Absent where the handler validates by hand or builds the schema from the request (search, block
 * content per type, `filter_properties`, the OAuth client endpoints).
 */
export interface RouteSchemas {
  body?: z.ZodType
  legacyBody?: z.ZodType
  query?: z.ZodType
}

/** Which SDK endpoint a route serves; `null` (with the reason) for a `/v1` route the newest SDK has no method for. */
export type RouteEndpoint = { endpoint: SdkEndpoint; reason?: undefined } | { endpoint: null; reason: string }

/** A `/v1` route as data: everything but its handler. */
export type RouteData = RouteEndpoint & {
  method: 'get' | 'post' | 'patch' | 'delete'
  /** Hono pattern below `/v1`, e.g. `/pages/:page_id` (parameter names as in the SDK's descriptors). */
  path: string
  /**
   * Which Notion-Versions mount the route: 2025-09-03+ only, 2022-06-28 and older only, before
   * 2022-02-22 only (`GET /v1/databases`, VERSION_BEHAVIOURS `listDatabasesRemoved`), or all (default).
   */
  versions?: Versions
  /** The zod schemas validating the request, where one exists (see `RouteSchemas`). */
  schemas?: RouteSchemas
}

/** A bearer-authenticated `/v1` route: its data and its handler (see `mountRoutes`). */
export type RouteSpec = RouteData & {
  handler: (c: AppContext, ctx: RequestContext) => Promise<unknown>
}

/**
 * A handler's answer with a status other than 200: 202 with an `async_task` (api/async-tasks/,
 * services/async-tasks.ts). Everything else a handler returns is answered 200.
 */
export class WithStatus {
  constructor(
    readonly status: 202,
    readonly body: object,
  ) {}
}

/** The capability an endpoint needs is enforced inside handlers, next to the object it concerns. */
export type { RequiredCapability }

function mounted(versions: Versions, v: NotionVersion): boolean {
  if (versions === 'all') return true
  if (versions === 'before_2022_02_22') return !behaves('listDatabasesRemoved', v)
  return versions === 'data_sources' ? hasDataSources(v) : !hasDataSources(v)
}

/** Mounts each `RouteSpec` under `/v1` with the shared checks, in Notion's order (see the module comment). */
export function mountRoutes(app: Hono<AppEnv>, deps: Deps, limiter: RateLimiter, routes: RouteSpec[], emulator?: Emulator): void {
  for (const r of routes) {
    const versions = r.versions ?? 'all'
    app.on(r.method.toUpperCase(), `/v1${r.path}`, async (c) => {
      c.set('endpoint', r.endpoint)
      // The client's connection (@hono/node-server's `incoming.socket`) lets a keep-alive client's
      // repeated token skip its HMAC (auth.service.ts `digestOf`).
      const caller = await authenticateBearer(
        deps,
        c.req.header('authorization'),
        (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket,
      )
      c.set('caller', caller)
      // Injected faults act on authenticated requests only (http/emulator/faults.ts).
      if (emulator && emulator.faults.size > 0) await injectFaults(emulator, c, r.endpoint, caller)
      const v = requireNotionVersion(c.req.header('notion-version'))
      c.set('version', v)
      if (!mounted(versions, v)) throw invalidRequestUrl()
      const betas = betaFlagsOf(c.req.header('notion-beta'))
      // PATs are rate-limited per person, connections per connection, OAuth tokens per install (docs/reference/peers.md §3.8).
      const key =
        caller.kind === 'personal' ? `user:${caller.userId}` : caller.kind === 'oauth' ? `install:${caller.installId}` : caller.connectionId
      const decision = await limiter.consume(key, caller.workspaceId, caller.plan)
      if (decision.type === 'deny') {
        throw new NotionApiError('rate_limited', 'You have been rate limited. Please try again in a few minutes.', {
          headers: { 'retry-after': String(decision.retryAfterSeconds) },
          additionalData: { rate_limit_reason: decision.reason, retry_after: String(decision.retryAfterSeconds) },
        }).explain(rateLimitExplanation(deps, caller, decision.reason, decision.retryAfterSeconds))
      }
      // Stored file markers become signed `{url, expiry_time}` (services/file-urls.ts).
      const out = await r.handler(c, { caller, version: v, betas })
      // An answer serialized by its handler (http/json-text.ts), or built once and kept with its text
      // (api/immutable-answers.ts), holds no file or custom emoji: only the request id is added.
      const text = out instanceof JsonText ? out : immutableText(out)
      const requestId = c.get('requestId')
      if (text) return jsonResponse(text.withRequestId(requestId), 200, requestId)
      // Custom emojis met on the way (icons, mentions) then show their current name and URL (services/custom-emojis.service.ts).
      const emojis: Array<{ id: string }> = []
      const body = signFileRefs(out instanceof WithStatus ? out.body : out, deps, (e) => emojis.push(e))
      if (emojis.length > 0) await refreshCustomEmojis(deps, caller.workspaceId, emojis)
      const payload = body !== null && typeof body === 'object' && !Array.isArray(body) ? { ...body, request_id: requestId } : body
      return jsonResponse(JSON.stringify(payload), out instanceof WithStatus ? out.status : 200, requestId)
    })
  }
}
