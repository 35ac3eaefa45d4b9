import type { ErrorHandler, NotFoundHandler } from 'hono'
import { DomainError } from '../../errors/domain-error.js'
import { NotionApiError, invalidRequestUrl } from '../../errors/notion-error.js'
import type { Logger } from '../../logger.js'
import { isStoreConflict } from '../../storage/store.js'
import type { AppEnv } from '../context.js'
import { isV1Path, jsonResponse } from '../json-response.js'

/**
 * Renders every failure as Notion's error envelope. A write that lost a race after the store's
 * retries is 409 `conflict_error`. Unknown errors become 500
 * `internal_server_error` "Unexpected error occurred." and are logged with the request id only
 * (never the request body or headers, which may hold secrets).
 */
export function errorHandler(logger: Logger): ErrorHandler<AppEnv> {
  return (err, c) => {
    const requestId = c.get('requestId') ?? ''
    let error: NotionApiError
    if (err instanceof NotionApiError) error = err
    else if (err instanceof DomainError) {
      return c.json({ object: 'error', status: err.status, code: err.code, message: err.message, request_id: requestId }, err.status as 400)
    } else if (isStoreConflict(err)) {
      // A write that lost a race after the store's retries: nothing was saved (docs/reference/notion-api.md §3.2).
      logger.warn({ requestId, code: (err as { code?: unknown }).code ?? err.name }, 'write conflict after retries')
      error = new NotionApiError('conflict_error', 'Conflict occurred while saving. Please try again.')
    } else {
      logger.error({ requestId, err: { name: err.name, message: err.message, stack: err.stack } }, 'unexpected error')
      error = new NotionApiError('internal_server_error', 'Unexpected error occurred.')
    }
    // `/v1` answers carry a plain header record (http/json-response.ts); other surfaces (the portal, the
    // admin API) keep the headers their middleware prepared with `c.header`.
    if (isV1Path(c.req.path)) return jsonResponse(JSON.stringify(error.toBody(requestId)), error.status, requestId, error.headers)
    for (const [k, v] of Object.entries(error.headers)) c.header(k, v)
    return c.json(error.toBody(requestId), error.status as 400)
  }
}

/** Unknown paths and wrong methods: 400 `invalid_request_url`, before any credential is read. */
export const notFound: NotFoundHandler<AppEnv> = (c) => {
  const error = invalidRequestUrl()
  const requestId = c.get('requestId') ?? ''
  if (isV1Path(c.req.path)) return jsonResponse(JSON.stringify(error.toBody(requestId)), 400, requestId)
  return c.json(error.toBody(requestId), 400)
}
