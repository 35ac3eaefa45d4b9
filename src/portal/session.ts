import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { RateLimiterMemory } from 'rate-limiter-flexible'
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
 * - Throttling (OWASP authentication cheat sheet): 5 failed sign-ins per e-mail and client address
 *   per 15 minutes, and 50 per client address per hour, then refusal until the window ends.
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

/** The client address as the socket reports it ('unknown' outside the Node server, e.g. app.request). */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

/** Failed-sign-in budgets. In memory: one process (ADR 13 notes what a multi-instance setup needs). */
export class LoginThrottle {
  private readonly perAccount = new RateLimiterMemory({ keyPrefix: 'login_account', points: 5, duration: 15 * 60 })
  private readonly perAddress = new RateLimiterMemory({ keyPrefix: 'login_ip', points: 50, duration: 60 * 60 })

  private key(email: string, ip: string) {
    return `${email.trim().toLowerCase()}|${ip}`
  }

  /** Seconds until another attempt is allowed, or 0 when one is allowed now. */
  async retryAfter(email: string, ip: string): Promise<number> {
    const [account, address] = await Promise.all([this.perAccount.get(this.key(email, ip)), this.perAddress.get(ip)])
    const wait = (r: Awaited<ReturnType<RateLimiterMemory['get']>>, points: number) =>
      r && r.consumedPoints >= points ? Math.ceil(r.msBeforeNext / 1000) : 0
    return Math.max(wait(account, 5), wait(address, 50))
  }

  /** Counts a failed attempt. */
  async failed(email: string, ip: string): Promise<void> {
    await Promise.all([
      this.perAccount.penalty(this.key(email, ip), 1),
      this.perAddress.penalty(ip, 1),
    ])
  }

  /** A successful sign-in clears the account's count (not the address's). */
  async succeeded(email: string, ip: string): Promise<void> {
    await this.perAccount.delete(this.key(email, ip))
  }
}
