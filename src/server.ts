import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { createApp } from './app.js'
import { createSecrets } from './auth/secrets.js'
import type { Config } from './config.js'
import { systemClock, type Clock } from './domain/clock.js'
import { createLogger, type Logger } from './logger.js'
import { createMemoryRateLimiter } from './rate-limit/limiter.js'
import type { Deps } from './services/deps.js'
import { createSqliteStore, type Store } from './storage/store.js'

export interface RunningServer {
  /** e.g. `http://127.0.0.1:7700` */
  url: string
  deps: Deps
  close(): Promise<void>
}

/**
 * Builds the service dependencies from a configuration (opens and migrates the store).
 * @throws Error when the store cannot be opened or migrated.
 */
export async function createDeps(config: Config, options: { clock?: Clock; logger?: Logger; store?: Store } = {}): Promise<Deps> {
  const store = options.store ?? (await createSqliteStore(config.databasePath))
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
export async function startServer(config: Config, options: { clock?: Clock; logger?: Logger; deps?: Deps } = {}): Promise<RunningServer> {
  const deps = options.deps ?? (await createDeps(config, options))
  const app = createApp({
    deps,
    limiter: createMemoryRateLimiter(config.rateLimits),
    adminKey: config.adminKey,
    portal: { demo: config.demo, publicUrl: config.publicUrl ?? `http://${config.host}:${config.port}` },
  })
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s))
    s.once('error', reject)
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://${config.host}:${port}`
  if (!config.publicUrl && config.port === 0) deps.publicUrl = url
  return {
    url,
    deps,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await deps.store.close()
    },
  }
}
