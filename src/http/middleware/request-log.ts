import type { Context } from 'hono'
import type { Logger } from '../../logger.js'
import type { AppEnv } from '../context.js'

/**
 * The access log, called by the front door (front-door.ts) once a request is answered: one
 * structured line per request with method, path (never the query string, which may carry cursors or
 * ids a reader need not see), status, duration in ms (`start` being the request's `performance.now()`)
 * and the request id. Headers and bodies are never logged, so no token reaches the log.
 *
 * `sample` (`OCTAVO_ACCESS_LOG_SAMPLE`, 0–1, default 1) keeps that share of the lines of successful
 * requests; a response with status ≥ 400 is always logged. When the logger's level is above `info`,
 * it does nothing.
 */
export function accessLog(logger: Logger, opts: { sample?: number } = {}): (c: Context<AppEnv>, start: number) => void {
  const sample = opts.sample ?? 1
  return (c, start) => {
    if (!logger.isLevelEnabled('info')) return
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
