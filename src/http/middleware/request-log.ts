import { randomUUID } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import type { Logger } from '../../logger.js'
import type { AppEnv } from '../context.js'

/**
 * One structured log line per request: method, path (never the query string, which may carry
 * cursors or ids a reader need not see), status, duration in ms and the request id. Headers and
 * bodies are never logged, so no token reaches the log.
 *
 * `sample` (`OCTAVO_ACCESS_LOG_SAMPLE`, 0–1, default 1) keeps that share of the lines of successful
 * requests; a response with status ≥ 400 is always logged. When the logger's level is above `info`,
 * the middleware measures nothing and returns at once.
 */
export function requestLog(logger: Logger, opts: { sample?: number } = {}): MiddlewareHandler<AppEnv> {
  const sample = opts.sample ?? 1
  return async (c, next) => {
    if (!logger.isLevelEnabled('info')) return next()
    const start = performance.now()
    await next()
    const status = c.res.status
    if (status < 400 && sample < 1 && Math.random() >= sample) return
    logger.info(
      {
        requestId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        status,
        ms: Math.round((performance.now() - start) * 10) / 10,
      },
      'request',
    )
  }
}

/**
 * Request id and access log in one middleware (one frame per request instead of two): gives every
 * request a UUIDv4 id, sends it as `x-notion-request-id` on every response (error envelopes carry it
 * as `request_id`, error logs as `requestId`), then logs the request as `requestLog` does.
 */
export function requestIdAndLog(logger: Logger, opts: { sample?: number } = {}): MiddlewareHandler<AppEnv> {
  const log = requestLog(logger, opts)
  return (c, next) => {
    const id = randomUUID()
    c.set('requestId', id)
    c.header('x-notion-request-id', id)
    return log(c, next)
  }
}
