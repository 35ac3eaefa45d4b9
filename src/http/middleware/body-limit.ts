import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { AppEnv } from '../context.js'

/**
 * Renders the answer to a request body over a surface's limit, in that surface's error shape.
 * `maxBytes` is the limit that was exceeded.
 */
export type TooLarge = (c: Context<AppEnv>, maxBytes: number) => Response | Promise<Response>

/** One surface of the app (the Notion API, the admin API, OAuth, the portal): which paths, its limit, its answer. */
export interface BodySurface {
  /** Whether a request path belongs to this surface. Surfaces are tried in order. */
  matches: (path: string) => boolean
  /** Largest accepted request body, in bytes. */
  maxBytes: number
  tooLarge: TooLarge
}

/**
 * Limits every request body while it streams in (hono/body-limit), before any handler reads it, so
 * no route can buffer more than its surface's limit, whatever it is and whenever it is added.
 *
 * - A `Content-Length` over the limit is refused at once, without reading a byte; a smaller one is
 *   what Node's parser reads at most (bytes beyond it are a new, malformed request).
 * - A chunked body (no `Content-Length`) is counted while it arrives and refused as soon as it
 *   passes the limit; the rest is never read (the connection is closed after the answer).
 * - The first surface whose `matches` accepts the path applies; otherwise `fallback`.
 *
 * The answer is the surface's `tooLarge`, sent with `Connection: close`.
 * - `exempt` requests pass untouched: a route that streams its body and enforces its own limit while
 *   streaming (`POST /v1/file_uploads/{id}/send`, up to the plan's file size).
 *
 * For the front door (front-door.ts), which wraps every request once: returns, per request, the
 * limiting middleware to run the rest of it through, or undefined when the request passes untouched
 * (no body, or a declared length within its surface's limit, or `exempt`).
 */
export function bodyLimiter(
  surfaces: BodySurface[],
  fallback: Omit<BodySurface, 'matches'>,
  exempt: (c: Context<AppEnv>) => boolean = () => false,
): (c: Context<AppEnv>) => MiddlewareHandler<AppEnv> | undefined {
  const limiter = (s: Omit<BodySurface, 'matches'>): MiddlewareHandler<AppEnv> =>
    bodyLimit({
      maxSize: s.maxBytes,
      onError: async (c) => {
        const res = await s.tooLarge(c as Context<AppEnv>, s.maxBytes)
        res.headers.set('Connection', 'close')
        return res
      },
    }) as MiddlewareHandler<AppEnv>
  const compiled = surfaces.map((s) => ({ matches: s.matches, maxBytes: s.maxBytes, limit: limiter(s) }))
  const otherwise = limiter(fallback)
  return (c) => {
    // A declared length is judged from the header alone. Touching `c.req.raw.body` (as hono's
    // bodyLimit does first) turns the socket's stream into a web stream; a handler that answers
    // without reading it (a 401, a 404) then leaves it paused, @hono/node-server cannot drain it and
    // closes the keep-alive connection under the client's next request. Node's parser never reads
    // past a declared length, so only chunked bodies need counting while they stream.
    // Likewise a request without a body (no Content-Length, not chunked: every GET) passes untouched,
    // which also spares @hono/node-server building a full Request object for it.
    const declared = c.req.header('content-length')
    const chunked = c.req.header('transfer-encoding') !== undefined
    if (declared === undefined && !chunked) return undefined
    if (exempt(c)) return undefined
    const path = c.req.path
    const surface = compiled.find((s) => s.matches(path))
    if (!chunked && Number(declared) <= (surface?.maxBytes ?? fallback.maxBytes)) return undefined
    return surface?.limit ?? otherwise
  }
}

/**
 * `/v1`: 413 in Notion's envelope (`/admin/v1` has its own, admin/notion-admin-api.routes.ts). Notion documents its size limits under
 * `validation_error` (docs/reference/notion-api.md §3.2, §6) and answers oversized uploads with 413 Payload Too Large, so
 * the answer is status 413 with the code `validation_error`, which the SDK knows
 * (`APIResponseError`, not retried).
 */
export const notionTooLarge: TooLarge = (c, maxBytes) =>
  c.json(
    {
      object: 'error',
      status: 413,
      code: 'validation_error',
      message: `Request body too large. The limit is ${Math.round(maxBytes / 1024)}KB.`,
      request_id: c.get('requestId') ?? '',
    },
    413,
  )
