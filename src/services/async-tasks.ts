import { randomBytes } from 'node:crypto'
import type { ApiCaller } from '../auth/principal.js'
import { isoNow } from '../domain/clock.js'
import { NotionApiError } from '../errors/notion-error.js'
import {
  findAsyncTask,
  finishAsyncTask,
  insertAsyncTask,
  startAsyncTask,
  type AsyncTaskRow,
} from '../storage/repositories/async-tasks.repository.js'
import { changeActorOf } from './change-actor.js'
import type { Deps } from './deps.js'

/**
 * Notion's asynchronous path (docs/reference/notion-api-2026.md §2.6; Notion's "Retrieve an async
 * task" reference; ADR 27). A request that opted in with `allow_async: true` and passed its initial
 * checks is answered 202 with an `async_task`; its work then runs in this process, after the answer,
 * and the task's state is stored (`async_task`, async-tasks.repository.ts, with its change events)
 * so `GET /v1/async_tasks/{id}` answers from any node:
 *
 *   queued → running → succeeded (result = the synchronous answer) | failed (error = Notion's error)
 *
 * Only the caller that started a task reads it (another connection, PAT or install → 404). A
 * finished task is kept `TASK_TTL_MS` (then 404, as Notion's "bounded period"); a task left
 * unfinished for `STALE_AFTER_MS` (its process stopped) reads as failed with 500.
 */

/** Seconds a client should wait between polls (Notion's example is 2; Octavo's tasks are short). */
export const POLL_AFTER_SECONDS = 1
/** How long a finished task can still be read: one day. */
export const TASK_TTL_MS = 24 * 60 * 60 * 1000
/** A task still queued or running this long after its last change was interrupted. */
export const STALE_AFTER_MS = 10 * 60 * 1000

/** The SDK 5.26 `GetAsyncTaskResponse`. */
export type AsyncTaskObject = {
  object: 'async_task'
  id: string
  status: 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed'
  status_url: string
  created_time: string
  operation: { surface: 'rest' | 'mcp'; name: string }
  poll_after_seconds?: number
  result?: Record<string, unknown>
  error?: Record<string, unknown>
}

/**
 * The work of this process's tasks still in flight, so a graceful stop waits for them before the
 * store closes (server.ts). One per `Deps`.
 */
export class BackgroundTasks {
  readonly #running = new Set<Promise<void>>()

  /** Runs `fn` after the current I/O turn (so after the request's answer), tracked until it settles. */
  run(fn: () => Promise<void>): void {
    const p: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve)).then(fn).finally(() => this.#running.delete(p))
    this.#running.add(p)
  }

  /** Waits for every task in flight (their errors are handled by the tasks themselves). */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running])
  }
}

/** Whose task it is: the caller's rate-limit key (a connection, a PAT's person, an OAuth install). */
export function taskOwnerOf(caller: ApiCaller): string {
  return caller.kind === 'personal'
    ? `user:${caller.userId}`
    : caller.kind === 'oauth'
      ? `install:${caller.installId}`
      : `conn:${caller.connectionId}`
}

/** A task's error object from whatever its work threw (a non-Notion error → 500, its message kept out). */
export function taskErrorOf(err: unknown): { object: 'error'; status: number; code: string; message: string; additional_data?: unknown } {
  if (err instanceof NotionApiError) {
    return {
      object: 'error',
      status: err.status,
      code: err.code,
      message: err.message,
      ...(err.additionalData ? { additional_data: err.additionalData } : {}),
    }
  }
  return { object: 'error', status: 500, code: 'internal_server_error', message: 'Unexpected error occurred.' }
}

/**
 * Stores a `queued` task for `operation`, schedules `work` after the answer and returns the task to
 * answer with 202. `work` runs the synchronous operation in full (its own checks, transaction and
 * events) and returns its answer, stored as the task's `result`; what it throws becomes `error`.
 */
export async function startTask(deps: Deps, caller: ApiCaller, operation: string, work: () => Promise<unknown>): Promise<AsyncTaskObject> {
  const now = isoNow(deps.clock)
  const actor = changeActorOf(caller)
  const row: AsyncTaskRow = {
    id: `task_${randomBytes(16).toString('hex')}`,
    workspace_id: caller.workspaceId,
    owner: taskOwnerOf(caller),
    surface: 'rest',
    operation,
    status: 'queued',
    created_time: now,
    updated_time: now,
    result: null,
    error: null,
  }
  await deps.store.transaction((trx) => insertAsyncTask(trx, row, actor))
  const run = async () => {
    try {
      const started = await deps.store.transaction((trx) => startAsyncTask(trx, row, isoNow(deps.clock), actor))
      if (!started) return
      let outcome: { status: 'succeeded'; result: string } | { status: 'failed'; error: string; code: string }
      try {
        const result = await work()
        outcome = { status: 'succeeded', result: JSON.stringify(result) }
      } catch (err) {
        const error = taskErrorOf(err)
        if (error.status === 500)
          deps.logger.error({ taskId: row.id, err: { name: (err as Error).name, message: (err as Error).message } }, 'async task failed')
        outcome = { status: 'failed', error: JSON.stringify(error), code: error.code }
      }
      await deps.store.transaction((trx) => finishAsyncTask(trx, row, outcome, isoNow(deps.clock), actor))
    } catch (err) {
      deps.logger.error({ taskId: row.id, err: { name: (err as Error).name, message: (err as Error).message } }, 'async task crashed')
    }
  }
  if (deps.tasks) deps.tasks.run(run)
  else setImmediate(() => void run())
  return presentTask(deps, row)
}

/** The `async_task` object of a stored row, with the stale and expiry rules applied (see the module comment). */
export function presentTask(deps: Pick<Deps, 'publicUrl' | 'clock'>, row: AsyncTaskRow): AsyncTaskObject {
  const base = {
    object: 'async_task' as const,
    id: row.id,
    status_url: `${deps.publicUrl}/v1/async_tasks/${row.id}`,
    created_time: row.created_time,
    operation: { surface: row.surface, name: row.operation },
  }
  if (row.status === 'succeeded') return { ...base, status: 'succeeded', result: JSON.parse(row.result ?? '{}') as Record<string, unknown> }
  if (row.status === 'failed') return { ...base, status: 'failed', error: JSON.parse(row.error ?? '{}') as Record<string, unknown> }
  if (deps.clock.now() - Date.parse(row.updated_time) > STALE_AFTER_MS) {
    return {
      ...base,
      status: 'failed',
      error: {
        object: 'error',
        status: 500,
        code: 'internal_server_error',
        message: 'The task was interrupted before it finished. Send the request again.',
      },
    }
  }
  return { ...base, status: row.status, poll_after_seconds: POLL_AFTER_SECONDS }
}

/**
 * `GET /v1/async_tasks/{task_id}` (SDK `asyncTasks.retrieve`): the caller's own task. Unknown,
 * expired (finished more than `TASK_TTL_MS` ago) or started by another caller → 404.
 * @throws NotionApiError object_not_found
 */
export async function getTask(deps: Deps, caller: ApiCaller, id: string): Promise<AsyncTaskObject> {
  const row = /^task_[0-9a-f]{32}$/.test(id) ? await findAsyncTask(deps.store.db, caller.workspaceId, id) : undefined
  const expired =
    row !== undefined &&
    (row.status === 'succeeded' || row.status === 'failed') &&
    deps.clock.now() - Date.parse(row.updated_time) > TASK_TTL_MS
  if (!row || row.owner !== taskOwnerOf(caller) || expired) {
    throw new NotionApiError('object_not_found', `Could not find async task with ID: ${id.slice(0, 100)}.`)
  }
  return presentTask(deps, row)
}
