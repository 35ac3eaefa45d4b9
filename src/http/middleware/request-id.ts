import { randomUUID } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../context.js'

/** Gives every request a UUIDv4 id and sends it as `x-notion-request-id` on every response. */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const id = randomUUID()
    c.set('requestId', id)
    c.header('x-notion-request-id', id)
    await next()
  }
}
