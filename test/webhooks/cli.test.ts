import { verifyWebhookSignature } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { webhookCommands } from '../../src/cli/webhook-commands.js'
import { runCliInProcess } from '../support/cli-in-process.js'
import { connectedWorkspace, rt, type Seed } from '../support/factories.js'
import { startTestServer, type TestServer } from '../support/harness.js'
import { FAST_WEBHOOKS, startReceiver, type Receiver } from '../support/webhook-receiver.js'
import type { Client } from '@notionhq/client'

/** `octavo webhooks …` against the store of a running server, whose worker delivers (docs/webhooks.md). */

let server: TestServer
let receiver: Receiver
let s: Seed
let notion: Client
const cli = async (...args: string[]) =>
  JSON.parse(
    await runCliInProcess([webhookCommands], ['--data-dir', server.dataDir, '--json', ...args], { databaseUrl: server.config.databaseUrl }),
  )

beforeAll(async () => {
  server = await startTestServer({ env: FAST_WEBHOOKS })
  receiver = await startReceiver()
  ;({ s, notion } = await connectedWorkspace(server))
})
afterAll(async () => {
  await server?.stop()
  await receiver?.close()
})

describe('octavo webhooks', () => {
  it('create → handshake → verify → events → deliveries → redeliver → pause → delete', async () => {
    const created = await cli('webhooks', 'create', s.connection.id, '--url', receiver.url, '--events', 'page.created,page.content_updated')
    const id = created.subscription.id as string
    expect(created.subscription).toMatchObject({ status: 'pending_verification', event_types: ['page.created', 'page.content_updated'] })
    await receiver.waitFor((all) => all.length === 1)
    const token = receiver.received[0]!.body.verification_token as string
    expect((await cli('webhooks', 'verify', id, token)).status).toBe('active')
    expect((await cli('webhooks', 'list', s.connection.id)).webhooks.map((w: any) => w.id)).toEqual([id])
    const page = await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('From CLI') } } })
    await receiver.waitFor(() => receiver.events().some((e) => e.entity.id === page.id))
    const r = receiver.received.find((x) => x.body?.entity?.id === page.id)!
    expect(
      await verifyWebhookSignature({ body: r.raw, signature: r.headers['x-notion-signature'] as string, verificationToken: token }),
    ).toBe(true)
    expect((await cli('webhooks', 'token', id)).verification_token).toBe(token)
    // The outcome is recorded once the receiver has answered: wait for it.
    let log = await cli('webhooks', 'deliveries', id)
    for (let i = 0; i < 200 && log.deliveries[0]?.status !== 'delivered'; i++) {
      await new Promise((r) => setTimeout(r, 25))
      log = await cli('webhooks', 'deliveries', id)
    }
    expect(log.deliveries[0]).toMatchObject({ type: 'page.created', status: 'delivered', entity: { id: page.id } })
    expect((await cli('webhooks', 'redeliver', log.deliveries[0].id)).status).toBe('pending')
    await receiver.waitFor(() => receiver.events().filter((e) => e.entity.id === page.id).length === 2)
    expect(
      receiver
        .events()
        .filter((e) => e.entity.id === page.id)
        .map((e) => e.attempt_number),
    ).toEqual([1, 2])
    expect((await cli('webhooks', 'pause', id)).status).toBe('paused')
    expect((await cli('webhooks', 'delete', id)).deleted).toBe(true)
  })

  it('refuses a member acting on an owner-managed connection', async () => {
    await expect(
      runCliInProcess([webhookCommands], ['--data-dir', server.dataDir, 'webhooks', 'list', s.connection.id, '--as', s.member.email!], {
        databaseUrl: server.config.databaseUrl,
      }),
    ).rejects.toThrow(/owner/i)
  })
})
