import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Config } from './config.js'
import type { Logger } from './logger.js'
import type { WebhookWorker } from './services/webhooks/worker.js'
import type { WebhookThreadData } from './webhooks-thread.js'

/**
 * The webhook worker in a worker thread (ADR 34, docs/webhooks.md "Worker thread"): opt-in
 * (`OCTAVO_WEBHOOK_THREAD=on`, for a host with a spare core) for stores a second connection can open
 * (a SQLite file, PostgreSQL). Started and stopped with the server (src/server.ts):
 *
 * - `nudge()` posts `'nudge'` to the thread; the server calls it after every committed transaction of
 *   its store, so a new change event is looked for at once rather than at the next poll. Nudges are
 *   coalesced (at most one message per turn of the event loop) and not sent while the thread reports
 *   that nobody listens (`{listening: false}`: no active subscription, nothing due or in flight), so
 *   a server without subscriptions pays no cross-thread wake-up per write; the thread's poll
 *   (`OCTAVO_WEBHOOK_POLL_MS`) then notices a subscription's activation.
 * - If the thread ends without being asked to (an uncaught error, `terminate()`), the host logs it and
 *   starts a new one after `restartDelayMs` (doubling up to 30 s while it keeps failing at start). The
 *   outbox makes this safe: deliveries the dead thread had claimed are attempted again once their lease
 *   (`timeoutMs` + 30 s) expires, as after `kill -9`; events it had not fanned out are still after
 *   the stored cursor.
 * - `close()` asks the thread to stop (attempts in flight finish, each bounded by its timeout; the
 *   cursor is saved; its store closes) and resolves when the thread has exited.
 *
 * The thread's log lines come to the host as messages and are written through the host's logger
 * (`relayLog`), with `thread: 'webhooks'`: a worker thread's stdout is the host's, and `octavo serve
 * --json` keeps stdout for its one line (its logs go to stderr).
 *
 * `thread` exposes the running thread's id, how many times it was restarted, and `terminate()` (an
 * abrupt stop, as a crash: the host restarts it), for operations and tests.
 */
export interface WebhookThread extends WebhookWorker {
  thread: {
    /** `threadId` of the running thread (changes with each restart); undefined between a crash and its restart. */
    readonly id: number | undefined
    /** Threads started after the first (crash restarts). */
    readonly restarts: number
    /** Resolves once the running thread has reported `'ready'` (its store open, its worker started). */
    ready(): Promise<void>
    /** Stops the running thread abruptly, without its graceful close; the host then restarts it. */
    terminate(): Promise<void>
  }
}

/**
 * Where the thread's module is: next to this module, compiled (`dist/webhooks-thread.js`), bundled
 * (`dist/octavo-webhooks.mjs`, next to the `octavo` bin's bundle), or TypeScript source run through
 * tsx (development, tests, benchmarks). The thread of a source tree registers tsx's loader first.
 * @throws Error when none is found.
 */
function threadEntry(): { file: string; typescript: boolean } {
  for (const [name, typescript] of [
    ['./octavo-webhooks.mjs', false],
    ['./webhooks-thread.js', false],
    ['./webhooks-thread.ts', true],
  ] as const) {
    const file = fileURLToPath(new URL(name, import.meta.url))
    if (existsSync(file)) return { file, typescript }
  }
  throw new Error('The webhook thread module (webhooks-thread.js) is missing from this build.')
}

/**
 * Writes one of the thread's log lines (pino JSON, already redacted there) through `logger`, at its
 * level, so it goes where the host's logs go (stderr under `octavo serve`). The thread's own `time`,
 * `pid`, `hostname` and `service` give way to the host's. A line that is not a pino record is dropped.
 */
function relayLog(logger: Logger, line: unknown): void {
  if (typeof line !== 'string') return
  let record: unknown
  try {
    record = JSON.parse(line)
  } catch {
    return
  }
  if (typeof record !== 'object' || record === null) return
  const { level, msg, time: _time, pid: _pid, hostname: _hostname, service: _service, ...fields } = record as Record<string, unknown>
  const label = typeof level === 'number' ? logger.levels.labels[level] : undefined
  if (label === undefined) return
  const log = logger[label as 'info'].bind(logger)
  log(fields, typeof msg === 'string' ? msg : undefined)
}

/**
 * Starts the webhook worker's thread for `config` (see WebhookThread). Resolves at once; the thread
 * opens its store in the background (`thread.ready()`), and a failure to start is logged and retried.
 */
export function startWebhookThread(config: Config, logger: Logger, opts: { restartDelayMs?: number } = {}): WebhookThread {
  const entry = threadEntry()
  const data: WebhookThreadData = {
    databaseUrl: config.databaseUrl,
    poolMax: Math.min(config.databasePoolMax, 3),
    synchronous: config.sqliteSynchronous,
    masterKey: new Uint8Array(config.masterKey),
    logLevel: config.logLevel,
    settings: config.webhooks,
  }
  const threadLogger = logger.child({ thread: 'webhooks' })
  const baseDelay = opts.restartDelayMs ?? 500
  let delay = baseDelay
  let current: Worker | undefined
  let exited: Promise<void> = Promise.resolve()
  let readyNow: Promise<void> = Promise.resolve()
  let restarts = 0
  let stopping = false
  let restartTimer: NodeJS.Timeout | undefined
  let nudgePosted = false
  // The thread says when nudges are pointless (no active subscription, nothing due or in flight).
  let listening = true

  const spawn = () => {
    const worker = entry.typescript
      ? new Worker(
          `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(pathToFileURL(entry.file).href)}) })`,
          { eval: true, workerData: data },
        )
      : new Worker(entry.file, { workerData: data })
    current = worker
    listening = true
    exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
    let isReady = false
    readyNow = new Promise<void>((resolve) => {
      worker.on('message', (m: unknown) => {
        if (typeof m === 'object' && m !== null && 'log' in m) relayLog(threadLogger, (m as { log: unknown }).log)
        if (typeof m === 'object' && m !== null && 'listening' in m) listening = (m as { listening: boolean }).listening === true
        if (m === 'ready') {
          logger.info({ thread_id: worker.threadId, restarts }, 'webhook worker thread started')
          isReady = true
          delay = baseDelay
          resolve()
        }
      })
      worker.once('exit', () => resolve())
    })
    worker.on('error', (err) => logger.error({ err: { name: err?.name, message: err?.message } }, 'webhook thread failed'))
    worker.once('exit', (code) => {
      if (current === worker) current = undefined
      if (stopping) return
      logger.warn({ code, restart_in_ms: delay }, 'webhook thread exited; restarting')
      restartTimer = setTimeout(() => {
        restartTimer = undefined
        if (stopping) return
        restarts++
        spawn()
      }, delay)
      restartTimer.unref?.()
      // Failing before `ready` again and again (e.g. the store unreachable): back off.
      if (!isReady) delay = Math.min(delay * 2, 30_000)
    })
  }
  spawn()

  return {
    nudge: () => {
      if (nudgePosted || !current || !listening) return
      nudgePosted = true
      setImmediate(() => {
        nudgePosted = false
        current?.postMessage('nudge')
      })
    },
    close: async () => {
      stopping = true
      clearTimeout(restartTimer)
      const worker = current
      if (!worker) return
      const gone = exited
      await readyNow
      worker.on('message', (m: unknown) => {
        if (m === 'closed') void worker.terminate()
      })
      worker.postMessage('close')
      await gone
    },
    thread: {
      get id() {
        return current?.threadId
      },
      get restarts() {
        return restarts
      },
      ready: () => readyNow,
      terminate: async () => {
        await current?.terminate()
      },
    },
  }
}
