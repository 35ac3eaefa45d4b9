import type { Context } from 'hono'
import type { AppEnv } from '../context.js'

/**
 * `HEAD` answers exactly as `GET` without the body (docs/reference/notion-api.md §3.4: "`HEAD` = GET without body"):
 * Hono routes HEAD to the GET handler and drops the body; the front door (front-door.ts) calls this
 * once a HEAD request is answered, to add the `Content-Length` of the body GET would send, as live Notion does on HEAD responses (docs/reference/notion-api.md §4, "Live HEAD/GET error
 * responses carry `content-type` + `content-length`"). So a HEAD on a wrong path or without a
 * token carries the envelope's status, type, length and `x-notion-request-id`; HTTP forbids the
 * body itself.
 */
export async function headLength(c: Context<AppEnv>): Promise<void> {
  if (c.req.method !== 'HEAD' || !c.res.body || c.res.headers.has('content-length')) return
  const bytes = (await c.res.clone().arrayBuffer()).byteLength
  c.res.headers.set('content-length', String(bytes))
}
