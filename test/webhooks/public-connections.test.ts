import { verifyWebhookSignature } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminCall, rt } from '../support/factories.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import { installApp } from '../support/oauth.js'
import { FAST_WEBHOOKS, startReceiver, type Receiver } from '../support/webhook-receiver.js'

/**
 * Webhooks of a public (OAuth) connection and of a 2022-06-28 subscription (docs/webhooks.md): events
 * only for pages an install's bot reads, `accessible_by` naming that bot and its authorizing person,
 * the 2022-06-28 family (`database.schema_updated`, no `parent.data_source_id`).
 */

let server: TestServer
let receiver: Receiver
let s: Awaited<ReturnType<typeof seedBasic>>

beforeAll(async () => {
  server = await startTestServer({ env: FAST_WEBHOOKS })
  receiver = await startReceiver()
  s = await seedBasic(server)
})
afterAll(async () => {
  await server?.stop()
  await receiver?.close()
})

describe('public connection subscriptions', () => {
  it('accessible_by lists the install bot and its person; pages not picked at consent produce nothing', async () => {
    // Mia (a member) installs the app on Child only.
    const { app, token } = await installApp(server, {
      workspaceId: s.workspace.id,
      ownerId: s.owner.id,
      userId: s.member.id,
      pageIds: [s.pages.child.id],
    })
    const created = await adminCall(server, 'POST', `/connections/${app.clientId}/webhooks`, {
      url: receiver.url,
      event_types: ['page.created'],
      api_version: '2022-06-28',
      auto_verify: true,
    })
    expect(created.status).toBe(201)
    expect(created.body.subscription.connection).toEqual({ id: app.clientId, kind: 'public' })
    const notion = server.client(token.access_token)
    const { createPageAsUser } = await import('../../src/services/setup.service.js')
    const outside = await createPageAsUser(server.deps, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      title: 'Outside',
      parentId: s.pages.root.id,
    })
    const inside = await notion.pages.create({ parent: { page_id: s.pages.child.id }, properties: { title: { title: rt('Inside') } } })
    await receiver.waitFor(() => receiver.events().some((e) => e.entity.id === inside.id))
    const e = receiver.events().find((x) => x.entity.id === inside.id)
    expect(e).toMatchObject({
      integration_id: app.clientId,
      api_version: '2022-06-28',
      authors: [{ id: token.bot_id, type: 'bot' }],
      accessible_by: [
        { id: token.bot_id, type: 'bot' },
        { id: s.member.id, type: 'person' },
      ],
    })
    expect(Object.keys(e).indexOf('accessible_by')).toBe(Object.keys(e).indexOf('authors') + 1)
    const r = receiver.received.find((x) => x.body?.id === e.id)!
    expect(
      await verifyWebhookSignature({
        body: r.raw,
        signature: r.headers['x-notion-signature'] as string,
        verificationToken: created.body.verification_token,
      }),
    ).toBe(true)
    expect(receiver.events().some((x) => x.entity.id === outside.id)).toBe(false)
    // Only the connection's managers: Mia installed it but did not register it.
    expect((await adminCall(server, 'GET', `/connections/${app.clientId}/webhooks?as=${s.member.email}`)).status).toBe(403)
  })
})

describe('2022-06-28 subscriptions', () => {
  it('get database.schema_updated and database.content_updated, and no data_source_id', async () => {
    const conn = await adminCall(server, 'POST', `/workspaces/${s.workspace.id}/connections`, { name: 'Legacy' })
    const connectionId = conn.body.connection.id as string
    await adminCall(server, 'PUT', `/connections/${connectionId}/pages/${s.pages.root.id}`, {})
    const legacy = await startReceiver()
    try {
      await adminCall(server, 'POST', `/connections/${connectionId}/webhooks`, {
        url: legacy.url,
        event_types: ['database.schema_updated', 'database.content_updated', 'data_source.schema_updated', 'page.created'],
        api_version: '2022-06-28',
        auto_verify: true,
      })
      const notion = server.client(conn.body.token)
      const db = await notion.databases.create({
        parent: { type: 'page_id', page_id: s.pages.root.id },
        title: rt('Old'),
        initial_data_source: { properties: { Name: { title: {} } } },
      })
      const dsId = (db as any).data_sources[0].id as string
      await notion.dataSources.update({ data_source_id: dsId, properties: { Done: { checkbox: {} } } })
      const row = await notion.pages.create({ parent: { data_source_id: dsId }, properties: { Name: { title: rt('r') } } as never })
      await legacy.waitFor(() => legacy.events().some((e) => e.type === 'database.content_updated'))
      const schema = legacy.events().find((e) => e.type === 'database.schema_updated')
      expect(schema).toMatchObject({ entity: { id: db.id, type: 'database' }, data: { parent: { id: s.pages.root.id, type: 'page' } } })
      expect(schema.data.updated_properties).toEqual([{ id: expect.any(String), name: 'Done', action: 'created' }])
      expect(legacy.events().find((e) => e.type === 'page.created' && e.entity.id === row.id).data).toEqual({
        parent: { id: db.id, type: 'database' },
      })
      expect(legacy.events().find((e) => e.type === 'database.content_updated').data.updated_blocks).toEqual([{ id: row.id, type: 'page' }])
      expect(legacy.events().some((e) => e.type.startsWith('data_source.'))).toBe(false)
    } finally {
      await legacy.close()
    }
  })
})
