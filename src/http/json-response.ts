/**
 * A `/v1` JSON answer as a `Response` with a plain header record: `content-type: application/json`,
 * `x-notion-request-id`, then `extra` (an error's own headers, e.g. `retry-after`). `@hono/node-server`
 * writes such a record as it is. Hono's `c.json` and `c.body` put two or more headers into an undici
 * `Headers` (a copy of those the context prepared: the front door's request id), which
 * `@hono/node-server` then iterates, sorted, back into a record for `node:http` (issue 19, ADR 48).
 *
 * Returning a `Response` is Hono's own way for a handler or an error handler; headers set with
 * `c.header` before it are not carried over. So `/v1` middleware add their headers after `next()`
 * (the request journal's `x-octavo-explain`, a draining node's `connection: close`), and the request
 * id the front door prepared is given here. Node adds `Content-Length`.
 */
export function jsonResponse(body: string | Uint8Array, status: number, requestId: string, extra?: Record<string, string>): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-notion-request-id': requestId }
  if (extra) for (const k in extra) headers[k.toLowerCase()] = extra[k] as string
  return new Response(body as ConstructorParameters<typeof Response>[0], { status, headers })
}

/** Whether `path` is under `/v1`, the Notion API's surface (the journal's, and the answers built here). */
export function isV1Path(path: string): boolean {
  return path === '/v1' || path.startsWith('/v1/')
}
