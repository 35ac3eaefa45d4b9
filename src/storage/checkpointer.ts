import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/**
 * WAL checkpoints of a SQLite file store, off the event loop (issue 19; docs/adr/0036-background-wal-checkpoints.md).
 *
 * By default SQLite checkpoints at the commit that takes the WAL past `wal_autocheckpoint` pages
 * (1,000): that commit copies the WAL into the database file and syncs it, inside the request that
 * happened to commit — measured at 100,000 data-source rows: 25–35 ms on about one create in 30,
 * the bulk of creating a row's p95 (bench/RESULTS.md, session 6). Instead, the store's own connection
 * only checkpoints past `FALLBACK_AUTOCHECKPOINT_PAGES` (a safety net, should this thread stop or
 * fall behind), and a worker thread with its own connection to the same file runs `PRAGMA
 * wal_checkpoint(PASSIVE)` every `intervalMs`. A passive checkpoint takes no lock that a writer
 * waits for (https://sqlite.org/wal.html#ckpt): commits on the main thread go on while it copies and
 * syncs; the next write after a complete checkpoint restarts the WAL from its start, as before.
 * Durability is unchanged (`synchronous` applies to the same commits and checkpoints).
 *
 * The worker never writes a row: its connection only checkpoints. It is `unref`'d (it keeps no
 * process alive) and starts `startDelayMs` after the store opens, so short-lived stores (tests,
 * CLI commands) never pay for a thread.
 */

/** The store connection's own `wal_autocheckpoint` while the checkpointer runs (pages of 4 KiB: ≈ 40 MB). */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000

export interface CheckpointerOptions {
  /** How often the worker checkpoints (ms; default 200). */
  intervalMs?: number
  /** Delay before the worker starts (ms; default 1,000). */
  startDelayMs?: number
}

export interface Checkpointer {
  /** Stops the worker (closing its connection) and waits for it; a later `start()` starts it again. */
  stop(): Promise<void>
  /** Starts the worker now if it is not running (after `stop`, or before the start delay). */
  start(): void
  /** Whether the worker thread is running. */
  running(): boolean
}

// The worker's source: CommonJS, evaluated (no file to resolve, so it works from `dist/`'s bundle too).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const SQLite = require(workerData.driver)
const db = new SQLite(workerData.path, { fileMustExist: true })
const tick = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)')
  } catch {
    // SQLITE_BUSY (another checkpoint under way) or a transient error: the next tick tries again.
  }
}
const timer = setInterval(tick, workerData.intervalMs)
parentPort.on('message', (m) => {
  if (m !== 'stop') return
  clearInterval(timer)
  try { db.close() } catch {}
  parentPort.close()
})
`

/**
 * Starts checkpointing the WAL of the SQLite database file at `path` in a worker thread (see the
 * module comment). The caller sets its own connection's `wal_autocheckpoint` to
 * `FALLBACK_AUTOCHECKPOINT_PAGES`. Errors of the worker are swallowed: the fallback still bounds the WAL.
 */
export function startCheckpointer(path: string, opts: CheckpointerOptions = {}): Checkpointer {
  const intervalMs = opts.intervalMs ?? 200
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  let worker: Worker | undefined
  let stopping: Promise<void> | undefined
  const start = () => {
    if (worker || stopping) return
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver, intervalMs } })
    w.unref()
    w.on('error', () => {})
    w.on('exit', () => {
      if (worker === w && !stopping) worker = undefined
    })
    worker = w
  }
  const delay = setTimeout(start, opts.startDelayMs ?? 1_000)
  delay.unref()
  return {
    start: () => {
      clearTimeout(delay)
      start()
    },
    running: () => worker !== undefined,
    stop: () => {
      clearTimeout(delay)
      if (stopping) return stopping
      const w = worker
      if (!w) return Promise.resolve()
      stopping = new Promise<void>((resolve) => {
        const timeout = setTimeout(() => void w.terminate(), 5_000)
        w.once('exit', () => {
          clearTimeout(timeout)
          worker = undefined
          stopping = undefined
          resolve()
        })
      })
      w.postMessage('stop')
      return stopping
    },
  }
}
