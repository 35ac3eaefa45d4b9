/**
 * The webhook worker's thread (node:worker_threads; started, restarted and stopped by
 * src/webhooks-host.ts, never run on its own). It opens its own connection to the server's store —
 * SQLite in WAL mode lets it read beside the API's connection, writes wait on `busy_timeout`; on
 * PostgreSQL a small pool of its own — and runs `startWebhookWorker` (services/webhooks/worker.ts)
 * there, so claiming, sending and recording deliveries never run on the API's event loop.
 *
 * Messages from the host: `'nudge'` (a transaction committed: look for new change events now),
 * `'close'` (stop: attempts in flight finish, the cursor is saved, the store closes; answers
 * `'closed'`). To the host: `'ready'` once the store is open and the worker runs, and `{listening}`
 * when the worker starts or stops having work a commit can bring (no active subscription, nothing in
 * flight or due: the host then stops nudging; the poll notices a subscription's activation), and
 * `{log}`, each of the thread's log lines (pino JSON), which the host writes through its logger. A failure to open
 * the store is thrown, which ends the thread with an `error` event the host reports. Its SQLite
 * connection starts no checkpointer of its own: the server's store runs one (storage/checkpointer.ts).
 */
import { Writable } from 'node:stream'
import { isMainThread, parentPort, workerData } from 'node:worker_threads'
import { createSecrets } from './auth/secrets.js'
import { isStoreConflict, type SqliteSynchronous, type Store } from './storage/store.js'
import type { WebhookSettings } from './config.js'
import { createLogger } from './logger.js'
import { openStore } from './storage/store.js'
import { startWebhookWorker } from './services/webhooks/worker.js'

/** What the host passes to the thread (`workerData`): the store to open and the worker's settings. */
export interface WebhookThreadData {
  databaseUrl: string
  /** PostgreSQL pool size of the thread's own pool. */
  poolMax: number
  synchronous: SqliteSynchronous
  /** The 32-byte master key (tokens are sealed with keys derived from it); never logged. */
  masterKey: Uint8Array
  logLevel: string
  settings: WebhookSettings
}

/** How long a transaction of the thread keeps trying for SQLite's write lock before it fails (milliseconds). */
const BUSY_RETRY_MS = 5000

/**
 * SQLite: `store.transaction` tried again every millisecond (a timer, so the thread's event loop runs
 * meanwhile: attempts in flight are answered) while the write lock is taken (SQLITE_BUSY at `begin
 * immediate`: nothing of the transaction ran), for up to BUSY_RETRY_MS. PostgreSQL stores retry on
 * their own and are returned unchanged.
 */
function retryBusy(store: Store): Store {
  if (store.dialect !== 'sqlite') return store
  const transaction = store.transaction.bind(store)
  store.transaction = async (fn) => {
    const until = Date.now() + BUSY_RETRY_MS
    for (;;) {
      try {
        return await transaction(fn)
      } catch (err) {
        if (!isStoreConflict(err) || Date.now() > until) throw err
        await new Promise((resolve) => setTimeout(resolve, 1))
      }
    }
  }
  return store
}

if (!isMainThread && parentPort) {
  const port = parentPort
  const data = workerData as WebhookThreadData
  // Log lines go to the host (`{log: line}`), which writes them through its own logger: a thread's
  // own process.stdout is the host's stdout, where `octavo serve --json` prints only its one line.
  const toHost = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      port.postMessage({ log: chunk.toString() })
      done()
    },
  })
  const logger = createLogger(data.logLevel, toHost)
  // The schema is the host's to migrate (it did, before it started this thread). SQLite: at most 1 ms
  // of waiting inside SQLite for the API's write lock (its sleeps grow to 100 ms, and block this
  // thread): a transaction that finds the lock taken is tried again 1 ms later, without blocking
  // (`retryBusy`); the 1 ms covers a read's rare SQLITE_BUSY in WAL mode.
  const store = retryBusy(
    await openStore(data.databaseUrl, {
      migrate: false,
      poolMax: data.poolMax,
      synchronous: data.synchronous,
      busyTimeoutMs: 1,
      checkpointer: false,
    }),
  )
  const worker = startWebhookWorker({ store, secrets: createSecrets(Buffer.from(data.masterKey)), logger }, data.settings, {
    onListening: (listening) => port.postMessage({ listening }),
  })
  let closing: Promise<void> | undefined
  port.on('message', (message: unknown) => {
    if (message === 'nudge') worker.nudge()
    else if (message === 'close')
      closing ??= worker
        .close()
        .then(() => store.close())
        .then(() => port.postMessage('closed'))
  })
  logger.debug({ dialect: store.dialect, pool_max: data.poolMax }, 'webhook worker running in its thread')
  port.postMessage('ready')
}
