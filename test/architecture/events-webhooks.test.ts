import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { webhookCommands } from '../../src/cli/webhook-commands.js'
import { lastEventSeq, listEvents, type ChangeEvent } from '../../src/storage/repositories/events.repository.js'
import { runCliInProcess } from '../support/cli-in-process.js'
import { adminCall } from '../support/factories.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Change events (ADR 15) of webhook subscriptions (ADR 21), each write through its real surface (the
 * admin API over HTTP, the CLI in-process): the exact new events (type and object id, in `seq`
 * order), never the verification token, and none for a refused write. Deliveries themselves append
 * no event (the outbox's own bookkeeping).
 */
describe('change events of webhook subscriptions', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  let id: string
  const eventsOf = async (write: () => Promise<unknown>): Promise<ChangeEvent[]> => {
    const afterSeq = await lastEventSeq(server.deps.store.db)
    await write()
    return listEvents(server.deps.store.db, { afterSeq })
  }
  const pairs = (events: ChangeEvent[]) => events.map((e) => [e.type, e.objectId])
  const octavo = (args: string[]) =>
    runCliInProcess([webhookCommands], ['--data-dir', server.dataDir, ...args], { databaseUrl: server.config.databaseUrl })

  beforeAll(async () => {
    // The worker is off: handshakes stay queued and no delivery runs meanwhile.
    server = await startTestServer({ env: { OCTAVO_WEBHOOKS: 'off' } })
    s = await seedBasic(server)
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('create, update, verify-less pause and resume, test, delete', async () => {
    let token = ''
    const created = await eventsOf(async () => {
      const res = await adminCall(server, 'POST', `/connections/${s.connection.id}/webhooks`, {
        url: 'http://127.0.0.1:9/hook',
        event_types: ['page.created'],
        auto_verify: true,
      })
      expect(res.status).toBe(201)
      id = res.body.subscription.id
      token = res.body.verification_token
    })
    expect(pairs(created)).toEqual([['webhook.created', id]])
    expect(created[0]).toMatchObject({ actor: `user:${s.owner.id}`, workspaceId: s.workspace.id })
    expect(JSON.stringify(created)).not.toContain(token)
    const updated = await eventsOf(() => adminCall(server, 'PATCH', `/webhooks/${id}`, { event_types: ['page.created', 'page.moved'] }))
    expect(pairs(updated)).toEqual([['webhook.updated', id]])
    expect(updated[0]?.data).toEqual({ fields: ['event_types'] })
    expect(pairs(await eventsOf(() => octavo(['webhooks', 'pause', id])))).toEqual([['webhook.paused', id]])
    expect(pairs(await eventsOf(() => adminCall(server, 'POST', `/webhooks/${id}/resume`, {})))).toEqual([['webhook.resumed', id]])
    expect(await eventsOf(() => adminCall(server, 'POST', `/webhooks/${id}/test`, {}))).toEqual([])
    expect(pairs(await eventsOf(() => octavo(['webhooks', 'delete', id])))).toEqual([['webhook.deleted', id]])
  })

  it('verify appends webhook.verified; refused writes append nothing', async () => {
    const res = await adminCall(server, 'POST', `/connections/${s.connection.id}/webhooks`, {
      url: 'http://127.0.0.1:9/hook',
      event_types: ['page.created'],
    })
    const sub = res.body.subscription.id as string
    const { findSubscription } = await import('../../src/storage/repositories/webhooks.repository.js')
    const row = (await findSubscription(server.deps.store.db, sub))!
    const token = server.deps.secrets.decrypt(row.token_sealed, `webhook|${sub}`)
    expect(await eventsOf(() => adminCall(server, 'POST', `/webhooks/${sub}/verify`, { verification_token: 'secret_nope' }))).toEqual([])
    expect(await eventsOf(() => adminCall(server, 'POST', `/webhooks/${sub}/pause`, { as: s.member.email }))).toEqual([])
    expect(
      await eventsOf(() =>
        adminCall(server, 'POST', `/connections/${s.connection.id}/webhooks`, { url: 'nope', event_types: ['page.created'] }),
      ),
    ).toEqual([])
    expect(pairs(await eventsOf(() => adminCall(server, 'POST', `/webhooks/${sub}/verify`, { verification_token: token })))).toEqual([
      ['webhook.verified', sub],
    ])
  })
})
