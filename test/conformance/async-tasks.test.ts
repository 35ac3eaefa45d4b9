import { APIErrorCode, type Client } from '@notionhq/client'
import type { GetAsyncTaskResponse } from '@notionhq/client/build/src/api-endpoints/async-tasks.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildConnection, connectedWorkspace, rt, type Seed } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Notion's asynchronous path through the official SDK 5.26 (docs/reference/notion-api-2026.md §2.6;
 * ADR 27): `allow_async: true` on `pages.create({markdown})` and `pages.updateMarkdown` answers 202
 * with an `async_task`; `asyncTasks.retrieve` polls it to `succeeded` with the synchronous answer as
 * `result`, or `failed` with Notion's error; initial checks still refuse synchronously; only the
 * starting connection reads its task.
 */

/** Polls until the task is finished, waiting `poll_after_seconds` as Notion asks (bounded attempts, no timing asserted). */
async function settle(notion: Client, id: string): Promise<GetAsyncTaskResponse> {
  for (let i = 0; i < 200; i++) {
    const t = await notion.asyncTasks.retrieve({ task_id: id })
    if (t.status === 'succeeded' || t.status === 'failed') return t
    expect(t.poll_after_seconds).toBeGreaterThan(0)
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`task ${id} did not finish`)
}

describe('async tasks', () => {
  let server: TestServer
  let s: Seed
  let notion: Client
  beforeAll(async () => {
    server = await startTestServer()
    ;({ s, notion } = await connectedWorkspace(server))
  })
  afterAll(async () => server.stop())

  it('POST /v1/pages with markdown and allow_async: 202 async_task, then succeeded with the page as result', async () => {
    const res = await fetch(`${server.url}/v1/pages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.token}`, 'notion-version': '2026-03-11', 'content-type': 'application/json' },
      body: JSON.stringify({ parent: { page_id: s.pages.root.id }, markdown: '# Async title\nHello *there*', allow_async: true }),
    })
    expect(res.status).toBe(202)
    const task = (await res.json()) as any
    expect(task).toMatchObject({
      object: 'async_task',
      status: 'queued',
      operation: { surface: 'rest', name: 'POST /v1/pages' },
      poll_after_seconds: 1,
    })
    expect(task.id).toMatch(/^task_[0-9a-f]{32}$/)
    expect(task.status_url).toBe(`${server.url}/v1/async_tasks/${task.id}`)
    expect(typeof task.created_time).toBe('string')
    const done = await settle(notion, task.id)
    if (done.status !== 'succeeded') throw new Error(JSON.stringify(done))
    expect(done).not.toHaveProperty('poll_after_seconds')
    const page = done.result as any
    expect(page.object).toBe('page')
    expect(page.properties.title.title[0].plain_text).toBe('Async title')
    const md = await notion.pages.retrieveMarkdown({ page_id: page.id })
    expect(md.markdown).toBe('Hello *there*')
  })

  it('through the SDK: pages.create and pages.updateMarkdown with allow_async return the task; updateMarkdown succeeds with page_markdown', async () => {
    const created = (await notion.pages.create({
      parent: { page_id: s.pages.root.id },
      properties: { title: { title: rt('Doc') } },
      markdown: 'a\nb',
      allow_async: true,
    })) as unknown as { object: string; id: string }
    expect(created.object).toBe('async_task')
    const page = await settle(notion, created.id)
    if (page.status !== 'succeeded') throw new Error(JSON.stringify(page))
    const pageId = page.result.id as string
    const upd = (await notion.pages.updateMarkdown({
      page_id: pageId,
      type: 'update_content',
      update_content: { content_updates: [{ old_str: 'b', new_str: 'c' }] },
      allow_async: true,
    })) as unknown as { object: string; id: string; operation: { name: string } }
    expect(upd.object).toBe('async_task')
    expect(upd.operation.name).toBe('PATCH /v1/pages/:page_id/markdown')
    const done = await settle(notion, upd.id)
    if (done.status !== 'succeeded') throw new Error(JSON.stringify(done))
    expect(done.result).toMatchObject({ object: 'page_markdown', id: pageId, markdown: 'a\nc', truncated: false })
    expect((await notion.pages.retrieveMarkdown({ page_id: pageId })).markdown).toBe('a\nc')
  })

  it('a failure inside the task (no match) is reported as failed with Notion’s error; the page is unchanged', async () => {
    const p = await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('F') } }, markdown: 'x' })
    const t = (await notion.pages.updateMarkdown({
      page_id: p.id,
      type: 'update_content',
      update_content: { content_updates: [{ old_str: 'nowhere', new_str: 'y' }] },
      allow_async: true,
    })) as unknown as { id: string }
    const done = await settle(notion, t.id)
    if (done.status !== 'failed') throw new Error(JSON.stringify(done))
    expect(done.error).toMatchObject({ object: 'error', status: 400, code: 'validation_error' })
    expect(done.error.message).toContain('old_str')
    expect((await notion.pages.retrieveMarkdown({ page_id: p.id })).markdown).toBe('x')
  })

  it('initial checks refuse synchronously: unshared page 404, bad body 400, no task stored', async () => {
    const unshared = await apiError(
      notion.pages.updateMarkdown({
        page_id: s.pages.secret.id,
        type: 'replace_content',
        replace_content: { new_str: 'z' },
        allow_async: true,
      }),
    )
    expect(unshared.code).toBe(APIErrorCode.ObjectNotFound)
    const under = await apiError(notion.pages.create({ parent: { page_id: s.pages.secret.id }, markdown: 'q', allow_async: true }))
    expect(under.code).toBe(APIErrorCode.ObjectNotFound)
    const both = await apiError(
      notion.pages.create({ parent: { page_id: s.pages.root.id }, markdown: 'q', children: [], allow_async: true }),
    )
    expect(both.code).toBe(APIErrorCode.ValidationError)
    const withoutMarkdown = await apiError(notion.pages.create({ parent: { page_id: s.pages.root.id }, allow_async: true }))
    expect(withoutMarkdown.code).toBe(APIErrorCode.ValidationError)
    expect(withoutMarkdown.message).toContain('allow_async')
  })

  it('a read-only connection is refused with 403 before any task is made', async () => {
    const ro = await buildConnection(server, s, 'Reader', {
      capabilities: { readContent: true, updateContent: false, insertContent: false },
      shareWith: [s.pages.root.id],
    })
    const e = await apiError(
      ro.notion.pages.updateMarkdown({
        page_id: s.pages.child.id,
        type: 'replace_content',
        replace_content: { new_str: 'z' },
        allow_async: true,
      }),
    )
    expect(e.code).toBe(APIErrorCode.RestrictedResource)
  })

  it('only the starting connection reads its task; unknown and malformed ids are 404', async () => {
    const t = (await notion.pages.create({ parent: { page_id: s.pages.root.id }, markdown: 'own', allow_async: true })) as unknown as {
      id: string
    }
    await settle(notion, t.id)
    const other = await buildConnection(server, s, 'Other', { shareWith: [s.pages.root.id] })
    const e = await apiError(other.notion.asyncTasks.retrieve({ task_id: t.id }))
    expect(e.code).toBe(APIErrorCode.ObjectNotFound)
    expect((await apiError(notion.asyncTasks.retrieve({ task_id: 'task_abc123' }))).code).toBe(APIErrorCode.ObjectNotFound)
    expect((await apiError(notion.asyncTasks.retrieve({ task_id: 'x'.repeat(5000) }))).status).toBe(404)
  })

  it('a task answers its final state across a restart of the reading side (state is in the store)', async () => {
    const t = (await notion.pages.create({ parent: { page_id: s.pages.root.id }, markdown: 'stored', allow_async: true })) as unknown as {
      id: string
    }
    await settle(notion, t.id)
    await server.deps.tasks?.drain()
    const again = await server.client(s.token).asyncTasks.retrieve({ task_id: t.id })
    expect(again.status).toBe('succeeded')
  })
})
