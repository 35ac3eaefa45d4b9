import { Hono, type Context } from 'hono'
import { adminRoutes } from './admin/admin.routes.js'
import { adminApiBadAddress, adminApiTooLarge, notionAdminApiRoutes } from './admin/notion-admin-api.routes.js'
import { apiRoutes } from './api/routes.js'
import type { AppEnv } from './http/context.js'
import { errorHandler, notFound } from './http/middleware/error-handler.js'
import { bodyLimiter, notionTooLarge, type BodySurface } from './http/middleware/body-limit.js'
import { frontDoor } from './http/middleware/front-door.js'
import { MAX_BODY_BYTES } from './http/body.js'
import { adminTooLarge } from './admin/admin.routes.js'
import { portalBadAddress, portalTooLarge } from './portal/shell.js'
import { createOps, mountOps, type Ops } from './http/ops.js'
import type { RateLimiter } from './rate-limit/limiter.js'
import type { Deps } from './services/deps.js'
import { mountRoutes } from './api/router.js'
import { SEND_PATH } from './api/file-uploads/file-uploads.routes.js'
import { registerFileUrlRoutes } from './api/file-uploads/file-url.routes.js'
import { registerEmojiImageRoutes } from './api/custom-emojis/custom-emojis.routes.js'
import { portalApp, type PortalOptions } from './portal/portal-app.js'
import { oauthApiRoutes, oauthTooLarge, registerOAuthApiRoutes } from './api/oauth.routes.js'
import { createHostPolicy, type HostPolicy } from './http/allowed-hosts.js'
import { clientAddressResolver } from './rate-limit/client-address.js'
import { memoryAttempts } from './rate-limit/attempts.js'
import { createEmulator, type Emulator } from './http/emulator/index.js'
import { faultSummary } from './http/emulator/faults.js'
import { emulatorAdminRoutes } from './admin/journal-faults.routes.js'

export interface AppOptions {
  deps: Deps
  limiter: RateLimiter
  /** Bearer key of the admin API (`/_octavo/admin`). */
  adminKey: string
  /** The web portal at `/` (sign-in, developer portal, pages); omitted → no portal. */
  portal?: PortalOptions
  /** Metrics and readiness (`/healthz`, `/readyz`, `/metrics`); built here when absent. */
  ops?: Ops & { draining: () => boolean }
  /** Extra bearer token accepted by `/metrics` (`OCTAVO_METRICS_TOKEN`). */
  metricsToken?: string
  /** Host names served (DNS rebinding); absent → the public URL's host only. */
  hosts?: HostPolicy
  /** `OCTAVO_TRUSTED_PROXIES`: whose `X-Forwarded-For` gives the client address for throttling. */
  trustedProxies?: string[]
  /** `OCTAVO_ACCESS_LOG_SAMPLE`: share of successful requests logged (default 1). */
  accessLogSample?: number
  /** Request journal, explanations and fault rules (docs/emulator.md); a default one when absent. */
  emulator?: Emulator
}

/** The portal's first path segments (the areas of portal/portal-app.ts): `/`, `/login`, `/w/…`. */
const PORTAL_SEGMENTS = new Set(['', 'login', 'logout', 'w', 'developers', 'settings', 'assets'])

/**
 * Which surface a request body belongs to, for its size limit and its 413 shape: the OAuth client
 * endpoints (`{error, error_description}`), the admin API, the portal's forms (HTML, including the
 * consent form at `/v1/oauth/authorize`), Notion's Admin API (`/admin/v1`, `{type:"error",…}`);
 * everything else, `/v1` included, gets Notion's envelope. Every route, present or future, falls in one of them.
 */
function bodySurfaces(portal: boolean): (BodySurface & { badAddress: (c: Context<AppEnv>) => Response | Promise<Response> })[] {
  const oauth = new Set<string>(oauthApiRoutes.map((r) => `/v1${r.path}`))
  const strip = (p: string) => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p)
  return [
    {
      matches: (p) => oauth.has(strip(p)),
      maxBytes: MAX_BODY_BYTES,
      tooLarge: oauthTooLarge,
      badAddress: (c) => c.json({ error: 'invalid_request', error_description: NUL_MESSAGE, request_id: c.get('requestId') }, 400),
    },
    {
      matches: (p) => p === '/_octavo' || p.startsWith('/_octavo/'),
      maxBytes: MAX_BODY_BYTES,
      tooLarge: adminTooLarge,
      badAddress: (c) =>
        c.json({ object: 'error', status: 400, code: 'invalid_input', message: NUL_MESSAGE, request_id: c.get('requestId') }, 400),
    },
    {
      // Notion's Admin API: its own envelope {type:"error", code, status, message} (ADR 25).
      matches: (p) => p === '/admin/v1' || p.startsWith('/admin/v1/'),
      maxBytes: MAX_BODY_BYTES,
      tooLarge: adminApiTooLarge,
      badAddress: adminApiBadAddress,
    },
    {
      matches: (p) => portal && (strip(p) === '/v1/oauth/authorize' || PORTAL_SEGMENTS.has(p.split('/')[1] ?? '')),
      maxBytes: MAX_BODY_BYTES,
      tooLarge: portalTooLarge,
      badAddress: portalBadAddress,
    },
  ]
}

const NUL_MESSAGE = 'The request URL holds the NUL character (%00), which Octavo does not accept.'

/**
 * Refuses a URL holding U+0000 (`%00`) before any handler: no id, cursor, e-mail or name Octavo stores
 * can contain it (PostgreSQL text cannot hold it, so it would otherwise reach the store and fail there).
 * 400 in the surface's shape; elsewhere Notion's `invalid_request_url` ("Invalid request URL.").
 * Undefined for every other URL (the front door's `refuseUrl`).
 */
function refuseNulInUrl(surfaces: ReturnType<typeof bodySurfaces>): (c: Context<AppEnv>) => Response | Promise<Response> | undefined {
  return (c) => {
    if (!c.req.url.includes('%00')) return undefined
    const surface = surfaces.find((s) => s.matches(c.req.path))
    if (surface) return surface.badAddress(c)
    return c.json(
      { object: 'error', status: 400, code: 'invalid_request_url', message: 'Invalid request URL.', request_id: c.get('requestId') },
      400,
    )
  }
}

/**
 * Builds the HTTP application: Notion's `/v1` API, Octavo's admin API and
 * (with `portal`) the web portal. No I/O happens here;
 * everything comes in through `options`.
 */
export function createApp(options: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ strict: false })
  const ops = options.ops ?? createOps(options.deps.store, () => options.limiter)
  const hosts = options.hosts ?? createHostPolicy({ publicUrl: options.deps.publicUrl })
  const security = {
    hosts,
    clientAddress: clientAddressResolver(options.trustedProxies ?? []),
    attempts: options.limiter.attempts ?? memoryAttempts,
  }
  const surfaces = bodySurfaces(options.portal !== undefined)
  const emulator = options.emulator ?? createEmulator()
  // Request id, Host check, NUL refusal, body limits, journal, HEAD length, access log and metrics:
  // one middleware (http/middleware/front-door.ts).
  app.use(
    '*',
    frontDoor({
      ops,
      logger: options.deps.logger,
      sample: options.accessLogSample ?? 1,
      hosts,
      refuseUrl: refuseNulInUrl(surfaces),
      // POST /v1/file_uploads/{id}/send streams multipart bodies up to the plan's limit itself (ADR 18).
      bodyLimit: bodyLimiter(
        surfaces,
        { maxBytes: MAX_BODY_BYTES, tooLarge: notionTooLarge },
        (c) => c.req.method === 'POST' && SEND_PATH.test(c.req.path),
      ),
      emulator,
      clock: options.deps.clock,
    }),
  )
  app.onError(errorHandler(options.deps.logger))
  app.notFound(notFound)
  mountOps(app, {
    store: options.deps.store,
    limiter: options.limiter,
    ops,
    adminKey: options.adminKey,
    metricsToken: options.metricsToken,
    faults: () => emulator.faults.list().map(faultSummary),
  })
  mountRoutes(app, options.deps, ops.countRejections(options.limiter), apiRoutes(options.deps), emulator)
  registerFileUrlRoutes(app, options.deps)
  registerEmojiImageRoutes(app, options.deps)
  registerOAuthApiRoutes(app, options.deps, security)
  app.route('/_octavo/admin', adminRoutes(options.deps, options.adminKey))
  app.route('/_octavo/admin', emulatorAdminRoutes(emulator, options.adminKey))
  app.route('/admin/v1', notionAdminApiRoutes(options.deps, options.adminKey))
  app.get('/_octavo/health', (c) => c.json({ status: 'ok' }))
  // The portal, the OAuth consent screen at /v1/oauth/authorize included (ADR 13, ADR 14).
  if (options.portal)
    app.route(
      '/',
      portalApp(options.deps, {
        ...options.portal,
        ...security,
        journal: emulator.journal,
        faults: () => emulator.faults.list(),
      }) as unknown as Hono<AppEnv>,
    )
  return app
}
