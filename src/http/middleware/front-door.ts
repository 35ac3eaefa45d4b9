import { randomUUID } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import type { Clock } from '../../domain/clock.js'
import type { Logger } from '../../logger.js'
import { misdirected, type HostPolicy } from '../allowed-hosts.js'
import type { AppEnv } from '../context.js'
import { journalEnd, journalStart, type Emulator } from '../emulator/index.js'
import type { Ops } from '../ops.js'
import { headLength } from './head.js'
import { isV1Path } from '../json-response.js'
import { accessLog } from './request-log.js'

/** What the front door checks and records with; each part is its own module's. */
export interface FrontDoorParts {
  /** Metrics (`ops.record`, http/ops.ts). */
  ops: Pick<Ops, 'record'>
  /** The access log (`accessLog`, request-log.ts), `sample` being `OCTAVO_ACCESS_LOG_SAMPLE`. */
  logger: Logger
  sample: number
  /** Host names served (DNS rebinding; http/allowed-hosts.ts): others are answered 421. */
  hosts: HostPolicy
  /** An early answer to a URL Octavo refuses whatever the route (`%00`, app.ts), or undefined. */
  refuseUrl: (c: Context<AppEnv>) => Response | Promise<Response> | undefined
  /** The body limit to run the request through, or undefined when it passes untouched (body-limit.ts `bodyLimiter`). */
  bodyLimit: (c: Context<AppEnv>) => MiddlewareHandler<AppEnv> | undefined
  /** The request journal and explanations of `/v1` requests (http/emulator). */
  emulator: Emulator
  clock: Clock
}

/**
 * Every request's own checks and records, in the order they apply, as one middleware (mount first):
 *
 * 1. a request id (UUIDv4), sent as `x-notion-request-id` on every answer (`requestId` for the
 *    envelopes and error logs);
 * 2. the `Host` check: names the policy does not allow are answered 421 (allowed-hosts.ts);
 * 3. URLs refused whatever the route (`refuseUrl`: the NUL character);
 * 4. the body limit of the request's surface (body-limit.ts), only when it has a body to count;
 * 5. for `/v1`, the request journal and `x-octavo-explain` (docs/emulator.md);
 *
 * then, once answered: `Content-Length` on HEAD answers other than the 421 (head.ts), the access log
 * line (request-log.ts) and the metrics (ops.ts), whatever the answer, errors included.
 *
 * The same parts used to be seven middlewares; as one they cost one frame and one `await` per
 * request instead of seven (issue 19: with seven, about 12 µs of a page read's CPU went to the
 * layering alone; bench/RESULTS.md, session 7). Each part keeps its behaviour and its tests.
 */
export function frontDoor(p: FrontDoorParts): MiddlewareHandler<AppEnv> {
  const log = accessLog(p.logger, { sample: p.sample })
  return async (c, next) => {
    const start = performance.now()
    const id = randomUUID()
    c.set('requestId', id)
    c.header('x-notion-request-id', id)
    try {
      if (!p.hosts.allowsHost(c.req.header('host'))) {
        c.res = misdirected(c)
        return
      }
      const refused = p.refuseUrl(c)
      if (refused) {
        c.res = await refused
      } else {
        const journaled = isV1Path(c.req.path) ? journalStart(p.emulator, p.clock) : undefined
        const limit = p.bodyLimit(c)
        if (limit) {
          // The journal sees what passed the body limit, as when it was the next middleware.
          const rest = journaled
            ? async () => {
                await next()
                await journalEnd(p.emulator, c, journaled)
              }
            : next
          const res = await limit(c, rest)
          if (res) c.res = res
        } else {
          // No body to count (every GET): no closure for the journal's part (issue 19).
          await next()
          if (journaled) {
            const reading = journalEnd(p.emulator, c, journaled)
            if (reading) await reading
          }
        }
      }
      if (c.req.method === 'HEAD') await headLength(c)
    } finally {
      log(c, start)
      p.ops.record(c, start)
    }
  }
}
