import { serve, type ServerType } from '@hono/node-server'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createApp } from './app.js'
import { createOps } from './http/ops.js'
import { createSecrets } from './auth/secrets.js'
import type { Config } from './config.js'
import { systemClock, type Clock } from './domain/clock.js'
import { createLogger, type Logger } from './logger.js'
import { createRateLimiter, type RateLimiter } from './rate-limit/limiter.js'
import type { Deps } from './services/deps.js'
import { openStore, type Store } from './storage/store.js'

export interface RunningServer {
  /** e.g. `http://127.0.0.1:7700` */
  url: string
  deps: Deps
  limiter: RateLimiter
  /**
   * Graceful stop: `/readyz` turns 503, the listener closes, requests in flight finish (up to
   * `config.shutdownTimeoutSeconds`, then open connections are cut), then Redis and the store close.
   */
  close(): Promise<void>
}

/**
 * Builds the service dependencies from a configuration (opens and migrates the store).
 * @throws Error when the store cannot be opened or migrated.
 */
export async function createDeps(config: Config, options: { clock?: Clock; logger?: Logger; store?: Store } = {}): Promise<Deps> {
  const store = options.store ?? (await openStore(config.databaseUrl, { poolMax: config.databasePoolMax, synchronous: config.sqliteSynchronous }))
  return {
    store,
    secrets: createSecrets(config.masterKey),
    clock: options.clock ?? systemClock,
    logger: options.logger ?? createLogger(config.logLevel),
    config: { rateLimits: config.rateLimits },
    publicUrl: config.publicUrl ?? `http://${config.host}:${config.port}`,
  }
}

/**
 * Starts Octavo's HTTP server on `config.host:config.port` (port 0 picks a free port) and resolves
 * once it listens. `close()` stops accepting connections, lets in-flight requests finish, and closes
 * the store.
 */
export async function startServer(
  config: Config,
  options: { clock?: Clock; logger?: Logger; deps?: Deps; store?: Store; defaultMetrics?: boolean } = {},
): Promise<RunningServer> {
  const deps = options.deps ?? (await createDeps(config, options))
  const limiter = createRateLimiter(config.rateLimits, config.redisUrl, deps.logger)
  const ops = createOps(deps.store, () => limiter, { defaultMetrics: options.defaultMetrics ?? false })
  const app = createApp({
    deps,
    limiter,
    adminKey: config.adminKey,
    ops,
    ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
    portal: { demo: config.demo, publicUrl: config.publicUrl ?? `http://${config.host}:${config.port}` },
  })
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s))
    s.once('error', reject)
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://${config.host}:${port}`
  if (!config.publicUrl && config.port === 0) deps.publicUrl = url
  let closing: Promise<void> | undefined
  const close = async () => {
    ops.drain()
    const http = server as Server
    const idle = setInterval(() => http.closeIdleConnections(), 50)
    const cut = setTimeout(() => http.closeAllConnections(), config.shutdownTimeoutSeconds * 1000)
    try {
      await new Promise<void>((resolve) => http.close(() => resolve()))
    } finally {
      clearInterval(idle)
      clearTimeout(cut)
    }
    await limiter.close?.()
    await deps.store.close()
  }
  return {
    url,
    deps,
    limiter,
    close: () => (closing ??= close()),
  }
}
