import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { AttemptThrottle, type AttemptLimiterFactory } from '../rate-limit/attempts.js'
import { createHash, timingSafeEqual } from 'node:crypto'
import type { UserTable } from '../storage/database.js'
import type { Deps } from '../services/deps.js'
import { SESSION_TTL_MS, sessionUser } from '../services/portal-auth.service.js'

/**
 * Portal sessions on the HTTP side: the cookie, the synchronizer CSRF token, and sign-in throttling.
 *
 * - Cookie: `octavo_session` (or `__Host-octavo_session` when the public URL is https, which also
 *   sets `Secure`), `HttpOnly`, `SameSite=Lax`, `Path=/`, max-age 7 days.
 * - CSRF: every state-changing form carries `_csrf` = HMAC(pepper, "portal csrf|" + session id),
 *   checked in constant time, on top of hono/csrf's Origin / Sec-Fetch-Site check.
 * - Throttling (OWASP authentication cheat sheet): 5 sign-in attempts per e-mail and client address
 *   per 15 minutes, and 50 per client address per hour, then refusal until the window ends (LoginThrottle).
 */

/** Variables the portal's middleware sets on the Hono context. */
export interface PortalEnv {
  Variables: {
    requestId: string
    user: UserTable | null
    sessionId: string | undefined
    csrf: string
    nonce: string
  }
}
export type PortalContext = Context<PortalEnv>

export interface SessionOptions {
  /** Mark the cookie Secure and use the `__Host-` prefix (public URL is https). */
  secure: boolean
}

/** The session cookie's name: `__Host-` prefixed when Secure. */
export const cookieName = (secure: boolean) => (secure ? '__Host-octavo_session' : 'octavo_session')

/** Resolves the signed-in person (or null) and the CSRF token for the request. */
export function sessionMiddleware(deps: Deps, opts: SessionOptions): MiddlewareHandler<PortalEnv> {
  return async (c, next) => {
    const sessionId = getCookie(c, cookieName(opts.secure))
    const user = await sessionUser(deps, sessionId)
    c.set('user', user)
    c.set('sessionId', user ? sessionId : undefined)
    c.set('csrf', user && sessionId ? csrfToken(deps, sessionId) : '')
    await next()
  }
}

/** The CSRF token bound to a session. */
export function csrfToken(deps: Deps, sessionId: string): string {
  return deps.secrets.tokenDigest(`portal csrf|${sessionId}`).slice(0, 43)
}

/** Whether a submitted `_csrf` matches the session's token (constant time). */
export function csrfValid(c: PortalContext, submitted: unknown): boolean {
  const expected = c.get('csrf')
  if (!expected || typeof submitted !== 'string') return false
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(submitted).digest()
  return timingSafeEqual(a, b)
}

/** Sets the session cookie (attributes in the module comment). */
export function setSessionCookie(c: PortalContext, sessionId: string, opts: SessionOptions): void {
  setCookie(c, cookieName(opts.secure), sessionId, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: opts.secure,
    path: '/',
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  })
}

/** Expires the session cookie (sign-out). */
export function clearSessionCookie(c: PortalContext, opts: SessionOptions): void {
  deleteCookie(c, cookieName(opts.secure), { path: '/', secure: opts.secure })
}

/**
 * Failed-sign-in budgets (OWASP authentication cheat sheet): 5 attempts per e-mail and client address
 * per 15 minutes, and 50 per client address per hour, counted where the app's rate limits are (Redis
 * shared by every node when configured; rate-limit/attempts.ts). An attempt is spent before the
 * password is checked (`take`), so of any number of concurrent attempts at most the budget reach the
 * check; a successful sign-in gives its attempt back and clears the e-mail's count (not the address's).
 * The client address comes from rate-limit/client-address.ts (trusted proxies' `X-Forwarded-For`).
 */
export class LoginThrottle {
  private readonly throttle: AttemptThrottle

  constructor(make: AttemptLimiterFactory) {
    this.throttle = new AttemptThrottle(make, 'login', {
      perKey: { points: 5, durationSeconds: 15 * 60 },
      perAddress: { points: 50, durationSeconds: 60 * 60 },
    })
  }

  /** Spends one attempt; @returns 0 when the password may be checked, else seconds to wait. */
  take(email: string, ip: string): Promise<number> {
    return this.throttle.take(email.trim().toLowerCase(), ip)
  }

  /** The password was right: the attempt is refunded and the e-mail's count cleared. */
  succeeded(email: string, ip: string): Promise<void> {
    return this.throttle.succeeded(email.trim().toLowerCase(), ip)
  }
}
