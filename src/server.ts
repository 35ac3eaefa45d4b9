import { RequestError, getRequestListener } from '@hono/node-server'
import { randomUUID } from 'node:crypto'
import { STATUS_CODES, createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { createApp } from './app.js'
import { createHostPolicy } from './http/allowed-hosts.js'
import { createOps } from './http/ops.js'
import { createEmulator, type Emulator } from './http/emulator/index.js'
import { createSecrets } from './auth/secrets.js'
import type { Config } from './config.js'
import { adjustableClock, isAdjustable, systemClock, type Clock } from './domain/clock.js'
import { createLogger, type Logger } from './logger.js'
import { createRateLimiter, type RateLimiter } from './rate-limit/limiter.js'
import { Caches } from './services/caches.js'
import { BackgroundTasks } from './services/async-tasks.js'
import type { Deps } from './services/deps.js'
import { onStoreReplaced } from './services/snapshots.service.js'
import { openStore, storeUrl, type Store } from './storage/store.js'
import { startWebhookWorker, type WebhookWorker } from './services/webhooks/worker.js'
import { startWebhookThread, type WebhookThread } from './webhooks-host.js'
import { openBlobStore } from './storage/blobs/open-blob-store.js'
import { startFileSweeper, type FileSweeper } from './services/file-sweep.js'

export interface RunningServer {
  /** e.g. `http://127.0.0.1:7700` */
  url: string
  deps: Deps
  limiter: RateLimiter
  /** The request journal, explanation switch and fault rules of this server (docs/emulator.md). */
  emulator: Emulator
  /**
   * This node's webhook worker (docs/webhooks.md): on this event loop by default (and always for an
   * in-memory store), in a worker thread (`thread` present) with `OCTAVO_WEBHOOK_THREAD=on`; absent
   * with `OCTAVO_WEBHOOKS=off`.
   */
  webhooks?: WebhookWorker & Partial<Pick<WebhookThread, 'thread'>>
  /**
   * Graceful stop: `/readyz` turns 503, the listener closes, requests in flight finish (up to
   * `config.shutdownTimeoutSeconds`, then open connections are cut), handlers whose client left finish
   * within the same timeout (`InFlightRequests`), then Redis and the store close.
   */
  close(): Promise<void>
}

/**
 * Builds the service dependencies from a configuration (opens and migrates the store).
 * @throws Error when the store cannot be opened or migrated.
 */
export async function createDeps(config: Config, options: { clock?: Clock; logger?: Logger; store?: Store } = {}): Promise<Deps> {
  const store =
    options.store ?? (await openStore(config.databaseUrl, { poolMax: config.databasePoolMax, synchronous: config.sqliteSynchronous }))
  const caches = config.caches === false ? undefined : cachingStore(store)
  return {
    ...(caches ? { caches } : {}),
    store,
    secrets: createSecrets(config.masterKey),
    // Adjustable (the admin clock, ADR 23): reads the given clock, or the system clock, until moved.
    clock: options.clock && isAdjustable(options.clock) ? options.clock : adjustableClock(options.clock ?? systemClock),
    logger: options.logger ?? createLogger(config.logLevel),
    config: { rateLimits: config.rateLimits },
    publicUrl: config.publicUrl ?? `http://${config.host}:${config.port}`,
    blobs: openBlobStore(config.files, store, config.dataDir),
    tasks: new BackgroundTasks(),
    files: {
      importAllowPrivate: config.files?.importAllowPrivate ?? false,
      importTimeoutSeconds: config.files?.importTimeoutSeconds ?? 30,
    },
  }
}

/**
 * Caches for `store` (services/caches.ts), marked stale after every transaction this process commits
 * through `store.transaction`, so the same request's next lookup reads what it just wrote.
 */
function cachingStore(store: Store): Caches {
  // SQLite reads are synchronous, so requests share a position read only when it waits for the loop
  // turn's end (ADR 46); PostgreSQL's requests already share the round trip in flight.
  const caches = new Caches({ syncPerTurn: store.dialect === 'sqlite' })
  afterTransactions(store, () => caches.markStale())
  return caches
}

const transactionListeners = new WeakMap<Store, ((committed: boolean) => void)[]>()

/**
 * Calls `listener` after each transaction this process runs through `store.transaction` ends, with
 * whether it committed (a failed one may have written before it rolled back, hence the call either
 * way). The store's method is wrapped once, whatever the number of listeners (the caches and the
 * webhook worker each add one).
 */
function afterTransactions(store: Store, listener: (committed: boolean) => void): void {
  let listeners = transactionListeners.get(store)
  if (!listeners) {
    const all: ((committed: boolean) => void)[] = []
    listeners = all
    transactionListeners.set(store, all)
    const transaction = store.transaction.bind(store)
    store.transaction = async (fn) => {
      let committed = false
      try {
        const result = await transaction(fn)
        committed = true
        return result
      } finally {
        for (const l of all) l(committed)
      }
    }
  }
  listeners.push(listener)
}

/**
 * rate-limiter-flexible keeps its own time, so when the admin clock moves forward by at least one
 * rate-limit window, or back, every budget starts a fresh window (ADR 23); smaller forward moves leave
 * the current window running on the wall clock.
 */
export function watchClock(deps: Deps, limiter: RateLimiter, windowSeconds: number): void {
  if (!isAdjustable(deps.clock)) return
  deps.clock.onMove((by) => {
    if (by < 0 || by >= windowSeconds * 1000) limiter.clearWindows?.()
  })
}

/** Notion's error envelope as a standalone JSON response text (no Hono context exists at this level). */
function envelope(status: number, code: string, message: string): { id: string; json: string } {
  const id = randomUUID()
  return { id, json: JSON.stringify({ object: 'error', status, code, message, request_id: id }) }
}

/**
 * Requests whose handler has not finished, whether or not their client is still connected: a client
 * that gives up closes its socket, so the HTTP server's own `close()` no longer waits for it, while its
 * handler goes on (a write may still commit). `close()` in `startServer` waits for these before the
 * store closes, so they finish instead of failing on a closed store.
 */
export class InFlightRequests {
  #running = 0
  #idle: Array<() => void> = []

  /** Counts `handling` (a request listener's promise) until it settles, fulfilled or rejected. */
  track(handling: Promise<unknown>): void {
    this.#running++
    const done = () => {
      if (--this.#running === 0) for (const wake of this.#idle.splice(0)) wake()
    }
    handling.then(done, done)
  }

  /** Requests running now. */
  get running(): number {
    return this.#running
  }

  /** Resolves true once none is running, or false after `ms` milliseconds if some still are. */
  settled(ms: number): Promise<boolean> {
    if (this.#running === 0) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#idle = this.#idle.filter((w) => w !== wake)
        resolve(false)
      }, ms)
      const wake = () => {
        clearTimeout(timer)
        resolve(true)
      }
      this.#idle.push(wake)
    })
  }
}

/**
 * The Node HTTP server around the Hono app, with bounded timeouts and an envelope on every answer
 * Node or the adapter gives before the app runs:
 *
 * - `requestTimeout` / `headersTimeout` / `keepAliveTimeout` from `timeouts` (seconds): a client
 *   that stalls while sending headers or body is answered 408 and disconnected; the check runs at
 *   a quarter of the shorter timeout (Node checks every 30 s by default).
 * - Requests Node cannot parse (unknown method, malformed request line or headers) → 400
 *   `invalid_request_url` for a bad method or URL, else 400 `invalid_request`; headers over Node's
 *   limit → 431; a request not received in time → 408. All in Notion's envelope with
 *   `x-notion-request-id`, then the connection closes.
 * - A missing or malformed `Host` (the adapter cannot build a URL) → 400 `invalid_request_url`;
 *   anything else the app lets escape → 500 "Unexpected error occurred." (logged, never echoed).
 */
export function createHttpServer(
  fetch: Parameters<typeof getRequestListener>[0],
  timeouts: Config['httpTimeouts'],
  logger: Logger,
  inFlight?: InFlightRequests,
): Server {
  const requestMs = Math.round(timeouts.requestSeconds * 1000)
  const headersMs = Math.min(Math.round(timeouts.headersSeconds * 1000), requestMs)
  const listener = getRequestListener(fetch, {
    errorHandler: (err) => {
      const bad = err instanceof RequestError
      if (!bad) logger.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message } }, 'unexpected error outside the app')
      const { id, json } = bad
        ? envelope(400, 'invalid_request_url', 'Invalid request URL.')
        : envelope(500, 'internal_server_error', 'Unexpected error occurred.')
      return new Response(json, {
        status: bad ? 400 : 500,
        headers: { 'content-type': 'application/json', 'x-notion-request-id': id, connection: 'close' },
      })
    },
  })
  const server = createServer(
    {
      requestTimeout: requestMs,
      headersTimeout: headersMs,
      keepAliveTimeout: Math.round(timeouts.keepAliveSeconds * 1000),
      connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(headersMs / 4))),
      // A request without Host reaches the adapter, which answers it with the envelope above.
      requireHostHeader: false,
    },
    inFlight ? (req, res) => inFlight.track(listener(req, res)) : listener,
  )
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable || socket.bytesWritten > 0) {
      socket.destroy()
      return
    }
    const [status, code, message] =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'invalid_request', `The request was not received within ${timeouts.requestSeconds} seconds.`]
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'invalid_request', 'The request headers are too large.']
          : err.code === 'HPE_INVALID_METHOD' || err.code === 'HPE_INVALID_URL'
            ? [400, 'invalid_request_url', 'Invalid request URL.']
            : [400, 'invalid_request', 'The HTTP request is malformed.']
    const { id, json } = envelope(status, code, message)
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nx-notion-request-id: ${id}\r\nConnection: close\r\n\r\n${json}`,
    )
    socket.destroySoon()
  })
  return server
}

/**
 * Starts this node's webhook worker (docs/webhooks.md, ADR 34): in a worker thread with its own store
 * connection when `config.webhooks.thread` is on and the store is one a second connection can open
 * (a SQLite file or PostgreSQL, opened by `openStore` from `config.databaseUrl`: `octavo serve`, the
 * test harness), else on this event loop (an in-memory store, or a store given by the caller, as the
 * testing library's). Either way it is nudged after every transaction this process commits, so new change events
 * are looked for at once rather than at the next poll. In the thread's case, restoring a snapshot of
 * a SQLite file (which rewrites the file under every connection) first stops the thread and starts a
 * new one after.
 */
function startWebhooks(config: Config, deps: Deps): WebhookWorker & Partial<Pick<WebhookThread, 'thread'>> {
  const settings = config.webhooks
  const url = storeUrl(deps.store)
  const threaded = settings.thread && url !== undefined && url === config.databaseUrl && !/^(file:)?:memory:$/.test(url)
  const worker = threaded ? startWebhookThread(config, deps.logger) : startWebhookWorker(deps, settings)
  let current: WebhookWorker = worker
  afterTransactions(deps.store, (committed) => {
    if (committed) current.nudge()
  })
  if (threaded && deps.store.dialect === 'sqlite' && deps.store.restoreImage) {
    const restore = deps.store.restoreImage.bind(deps.store)
    deps.store.restoreImage = async (image) => {
      await current.close()
      try {
        await restore(image)
      } finally {
        current = startWebhookThread(config, deps.logger)
      }
    }
  }
  return {
    nudge: () => current.nudge(),
    close: () => current.close(),
    ...(threaded
      ? {
          thread: {
            get id() {
              return (current as WebhookThread).thread.id
            },
            get restarts() {
              return (current as WebhookThread).thread.restarts
            },
            ready: () => (current as WebhookThread).thread.ready(),
            terminate: () => (current as WebhookThread).thread.terminate(),
          },
        }
      : {}),
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
  const limiter = await createRateLimiter(config.rateLimits, config.redisUrl, deps.logger)
  watchClock(deps, limiter, config.rateLimits.windowSeconds)
  onStoreReplaced(deps, () => {
    limiter.clearWindows?.()
    deps.caches?.forget()
  })
  const ops = createOps(deps.store, () => limiter, { defaultMetrics: options.defaultMetrics ?? false })
  const emulator = createEmulator(config.emulator)
  // Allowed Host names (DNS rebinding): the public URL's, OCTAVO_ALLOWED_HOSTS, and the listen address once known.
  const hosts = createHostPolicy({ publicUrl: config.publicUrl, allowedHosts: config.allowedHosts })
  const app = createApp({
    hosts,
    trustedProxies: config.trustedProxies,
    ...(config.accessLogSample !== undefined ? { accessLogSample: config.accessLogSample } : {}),
    deps,
    limiter,
    adminKey: config.adminKey,
    ops,
    ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
    portal: { demo: config.demo, publicUrl: config.publicUrl ?? `http://${config.host}:${config.port}` },
    emulator,
  })
  const inFlight = new InFlightRequests()
  const server = createHttpServer(app.fetch, config.httpTimeouts, deps.logger, inFlight)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  hosts.listening(config.host, port)
  const url = `http://${config.host}:${port}`
  if (!config.publicUrl && config.port === 0) deps.publicUrl = url
  const webhooks = config.webhooks?.enabled ? startWebhooks(config, deps) : undefined
  const sweepSeconds = config.files?.sweepIntervalSeconds ?? 60
  const sweeper: FileSweeper | undefined = sweepSeconds > 0 ? startFileSweeper(deps, sweepSeconds * 1000) : undefined
  let closing: Promise<void> | undefined
  const close = async () => {
    ops.drain()
    const http = server
    const deadline = Date.now() + config.shutdownTimeoutSeconds * 1000
    const idle = setInterval(() => http.closeIdleConnections(), 50)
    const cut = setTimeout(() => http.closeAllConnections(), config.shutdownTimeoutSeconds * 1000)
    try {
      await new Promise<void>((resolve) => http.close(() => resolve()))
    } finally {
      clearInterval(idle)
      clearTimeout(cut)
    }
    // Handlers whose client left (or was cut) finish before the store closes, within the same timeout.
    if (!(await inFlight.settled(Math.max(0, deadline - Date.now())))) {
      deps.logger.warn({ running: inFlight.running }, 'requests still running at the shutdown timeout; the store closes under them')
    }
    // Webhook attempts in flight finish (each bounded by its timeout) before the store closes.
    await webhooks?.close()
    await sweeper?.close()
    // Async tasks' work (services/async-tasks.ts) finishes before the store closes.
    await deps.tasks?.drain()
    await limiter.close?.()
    await deps.store.close()
  }
  return {
    url,
    deps,
    limiter,
    emulator,
    ...(webhooks ? { webhooks } : {}),
    close: () => (closing ??= close()),
  }
}
