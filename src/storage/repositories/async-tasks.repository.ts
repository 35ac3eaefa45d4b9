import type { AsyncTaskTable } from '../database.js'
import type { Db } from '../store.js'
import { appendEvent, type Actor } from './events.repository.js'

/**
 * Reads and writes of `async_task` (migration 0014, ADR 27). Each write appends its change event in
 * the caller's transaction:
 * - `insertAsyncTask` → `async_task.created` (`data: {operation}`);
 * - `startAsyncTask` → `async_task.running`;
 * - `finishAsyncTask` → `async_task.succeeded` or `async_task.failed` (`data: {code}` on failure).
 * A task's result may hold file markers; they are signed when the task is read (api/router.ts).
 */

export type AsyncTaskRow = AsyncTaskTable

/** Stores a new task (status `queued`) and appends `async_task.created`. */
export async function insertAsyncTask(db: Db, row: AsyncTaskRow, actor: Actor): Promise<void> {
  await db.insertInto('async_task').values(row).execute()
  await appendEvent(db, {
    workspaceId: row.workspace_id,
    type: 'async_task.created',
    objectId: row.id,
    actor,
    time: row.created_time,
    data: { operation: row.operation },
  })
}

/** A task by id within a workspace. */
export async function findAsyncTask(db: Db, workspaceId: string, id: string): Promise<AsyncTaskRow | undefined> {
  return db.selectFrom('async_task').selectAll().where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst()
}

/** Moves a `queued` task to `running` and appends `async_task.running`; false when it was not queued. */
export async function startAsyncTask(db: Db, row: AsyncTaskRow, time: string, actor: Actor): Promise<boolean> {
  const r = await db
    .updateTable('async_task')
    .set({ status: 'running', updated_time: time })
    .where('id', '=', row.id)
    .where('status', '=', 'queued')
    .executeTakeFirst()
  if (Number(r.numUpdatedRows) === 0) return false
  await appendEvent(db, { workspaceId: row.workspace_id, type: 'async_task.running', objectId: row.id, actor, time })
  return true
}

/**
 * Finishes a task: `succeeded` with `result` (JSON) or `failed` with `error` (JSON of Notion's error
 * object), and appends `async_task.succeeded` / `async_task.failed`.
 */
export async function finishAsyncTask(
  db: Db,
  row: AsyncTaskRow,
  outcome: { status: 'succeeded'; result: string } | { status: 'failed'; error: string; code: string },
  time: string,
  actor: Actor,
): Promise<void> {
  await db
    .updateTable('async_task')
    .set({
      status: outcome.status,
      updated_time: time,
      result: outcome.status === 'succeeded' ? outcome.result : null,
      error: outcome.status === 'failed' ? outcome.error : null,
    })
    .where('id', '=', row.id)
    .execute()
  await appendEvent(db, {
    workspaceId: row.workspace_id,
    type: `async_task.${outcome.status}`,
    objectId: row.id,
    actor,
    time,
    data: outcome.status === 'failed' ? { code: outcome.code } : null,
  })
}
