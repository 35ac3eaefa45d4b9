import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { threadId } from 'node:worker_threads'
import { Client, LogLevel } from '@notionhq/client'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { createConnection, shareWithConnection } from '../../src/services/connections.service.js'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { createSubscription, listDeliveryLog } from '../../src/services/webhooks/subscriptions.service.js'
import { createWorkspace } from '../../src/services/workspaces.service.js'
import { rt } from '../support/factories.js'
import { testDatabase } from '../support/stores.js'
import { FAST_WEBHOOKS, pageCreatedArrivals, startReceiver, type Receiver } from '../support/webhook-receiver.js'

/**
 * The webhook worker's thread (ADR 34): with `OCTAVO_WEBHOOK_THREAD=on`, a server on a store a second
 * connection can open (a SQLite file; a PostgreSQL schema in the postgres project) delivers from a
 * worker thread, is restarted by the server after a crash without losing or doubling an event, and
 * stops with the server after finishing the attempt in flight; by default (`off`) it delivers from
 * the API's event loop.
 */

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A server on `env`'s store; `thread: 'default'` leaves OCTAVO_WEBHOOK_THREAD unset. */
async function serve(env: Record<string, string>, thread: 'on' | 'default' = 'on'): Promise<RunningServer> {
  const config = loadConfig({
    OCTAVO_PORT: '0',
    OCTAVO_DEMO: 'off',
    OCTAVO_LOG_LEVEL: 'silent',
    ...FAST_WEBHOOKS,
    ...(thread === 'on' ? { OCTAVO_WEBHOOK_THREAD: 'on' } : {}),
    ...env,
  })
  config.rateLimits = { ...config.rateLimits, enabled: false }
  return startServer(config, { logger: createLogger('silent') })
}

/** A data directory and store of the kind under test, removed after the test. */
function place(): Record<string, string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'octavo-webhook-thread-'))
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }))
  const store = testDatabase()
  cleanups.push(store.cleanup)
  return { OCTAVO_DATA_DIR: dataDir, ...store.env }
}

async function receiverFor(): Promise<Receiver> {
  const receiver = await startReceiver()
  cleanups.push(() => receiver.close())
  return receiver
}

/** A workspace, a connection shared with a root page, an auto-verified `page.created` subscription; an SDK client. */
async function seed(server: RunningServer, receiver: Receiver) {
  const deps = server.deps
  const { workspace, members } = await createWorkspace(deps, {
    name: 'Threaded',
    plan: 'free',
    members: [{ name: 'Tess Thread', email: 'tess@example.com', role: 'owner' }],
  })
  const owner = members[0]!
  const root = await createPageAsUser(deps, { workspaceId: workspace.id, actorId: owner.id, title: 'Root' })
  const { connection, token } = await createConnection(deps, { workspaceId: workspace.id, actorId: owner.id, name: 'Bot' })
  await shareWithConnection(deps, connection.id, root.id, owner.id)
  const { subscription } = await createSubscription(deps, {
    connectionId: connection.id,
    actorId: owner.id,
    url: receiver.url,
    eventTypes: ['page.created'],
    autoVerify: true,
  })
  const notion = new Client({ auth: token, baseUrl: server.url, retry: false, logLevel: LogLevel.ERROR, logger: () => {} })
  const create = async (title: string) =>
    (await notion.pages.create({ parent: { page_id: root.id }, properties: { title: { title: rt(title) } } })).id
  return { create, subscriptionId: subscription.id, ownerId: owner.id }
}

describe('webhook worker thread', () => {
  it('delivers from a worker thread when OCTAVO_WEBHOOK_THREAD=on, and the thread ends when the server stops', async () => {
    const receiver = await receiverFor()
    const server = await serve(place())
    let closed = false
    cleanups.push(async () => {
      if (!closed) await server.close()
    })
    const thread = server.webhooks?.thread
    expect(thread).toBeDefined()
    await thread!.ready()
    expect(thread!.id).toBeGreaterThan(threadId)
    const { create } = await seed(server, receiver)
    const page = await create('From the thread')
    await receiver.waitFor(() => receiver.events().some((e) => e.entity.id === page))
    await server.close()
    closed = true
    expect(thread!.id).toBeUndefined()
    expect(thread!.restarts).toBe(0)
  })

  it('a crashed thread is restarted; events written while it was down arrive once each', async () => {
    const receiver = await receiverFor()
    const server = await serve(place())
    cleanups.push(() => server.close())
    const thread = server.webhooks!.thread!
    await thread.ready()
    const { create } = await seed(server, receiver)
    const first = await create('Before the crash')
    await receiver.waitFor(() => receiver.events().some((e) => e.entity.id === first))
    const before = thread.id
    // As a crash: the thread stops at once, without its graceful close.
    await thread.terminate()
    const pages = [first]
    for (let i = 0; i < 5; i++) pages.push(await create(`While down ${i}`))
    await receiver.waitFor(() => new Set(receiver.events().map((e) => e.entity.id)).size >= pages.length)
    expect(thread.restarts).toBe(1)
    expect(thread.id).not.toBe(before)
    await new Promise((r) => setTimeout(r, 300))
    const times = pageCreatedArrivals(receiver)
    expect([...times.keys()].sort()).toEqual([...pages].sort())
    expect([...times.values()].every((n) => n === 1)).toBe(true)
  })

  it('a stop waits for the attempt in flight and records it: the next server on the store does not send it again', async () => {
    const receiver = await receiverFor()
    const at = place()
    const a = await serve(at)
    await a.webhooks!.thread!.ready()
    const { create, subscriptionId, ownerId } = await seed(a, receiver)
    receiver.respond(() => ({ status: 200, delayMs: 400 }))
    const page = await create('Slow receiver')
    await receiver.waitFor(() => receiver.events().some((e) => e.entity.id === page))
    // The receiver has the request and answers in 400 ms; the server stops meanwhile.
    await a.close()
    receiver.respond(() => ({ status: 200 }))
    const b = await serve(at)
    cleanups.push(() => b.close())
    await b.webhooks!.thread!.ready()
    // Recorded by the stopping thread: delivered at the first attempt, not left claimed.
    const log = await listDeliveryLog(b.deps, subscriptionId, ownerId)
    expect(log.deliveries.find((d) => d.entity?.id === page)).toMatchObject({ status: 'delivered', attempts: 1 })
    await new Promise((r) => setTimeout(r, 300))
    expect(pageCreatedArrivals(receiver).get(page)).toBe(1)
  })

  it('by default (OCTAVO_WEBHOOK_THREAD=off) delivers from the API event loop', async () => {
    const receiver = await receiverFor()
    const server = await serve(place(), 'default')
    cleanups.push(() => server.close())
    expect(server.webhooks).toBeDefined()
    expect(server.webhooks!.thread).toBeUndefined()
    const { create } = await seed(server, receiver)
    const page = await create('In process')
    await receiver.waitFor(() => receiver.events().some((e) => e.entity.id === page))
  })
})
