import { expect } from 'vitest'
import { lastEventSeq, listEvents } from '../../src/storage/repositories/events.repository.js'
import type { TestServer } from './harness.js'

/** An Admin API answer: status and parsed JSON body. */
export interface AdminApiAnswer {
  status: number
  body: any
}

/**
 * Calls Notion's Admin API (`/admin/v1<path>`) on `server`: with the server's admin key and
 * `Notion-Version: 2026-06-01` unless `key` / `version` say otherwise (null: header left out), `body`
 * sent as JSON or `rawBody` as is.
 */
export async function adminApiCall(
  server: TestServer,
  method: string,
  path: string,
  init: { key?: string | null; version?: string | null; body?: unknown; rawBody?: string } = {},
): Promise<AdminApiAnswer> {
  const headers = new Headers()
  if (init.key !== null) headers.set('authorization', `Bearer ${init.key ?? server.config.adminKey}`)
  if (init.version !== null) headers.set('notion-version', init.version ?? '2026-06-01')
  let payload: string | undefined = init.rawBody
  if (init.body !== undefined) payload = JSON.stringify(init.body)
  if (payload !== undefined) headers.set('content-type', 'application/json')
  const res = await fetch(`${server.url}/admin/v1${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) })
  return { status: res.status, body: (await res.json()) as any }
}

/** Asserts the Admin API's error envelope, exactly four keys. */
export function expectAdminApiRefusal(r: AdminApiAnswer, status: number, code: string): void {
  expect(r.status).toBe(status)
  expect(r.body).toEqual({ type: 'error', code, status, message: expect.any(String) })
}

/** The change events `write` appended on `server`, as `[type, objectId, actor]`. */
export async function eventsAppendedBy(server: TestServer, write: () => Promise<unknown>): Promise<unknown[][]> {
  const afterSeq = await lastEventSeq(server.deps.store.db)
  await write()
  return (await listEvents(server.deps.store.db, { afterSeq })).map((e) => [e.type, e.objectId, e.actor])
}
