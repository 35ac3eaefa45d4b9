import { verifyWebhookSignature } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminCall, buildConnection, buildDatabase, buildRow, connectedWorkspace, rt, type Seed } from '../support/factories.js'
import { startTestServer, type TestServer } from '../support/harness.js'
import { FAST_WEBHOOKS, startReceiver, type Receiver } from '../support/webhook-receiver.js'
import type { Client } from '@notionhq/client'

/**
 * Webhook events from the SDK's writes (issue 17, docs/webhooks.md): a real server, a real SDK client
 * writing, a local receiver on 127.0.0.1 checking each delivery with the SDK's own
 * `verifyWebhookSignature`.
 */

const ALL_TYPES = [
  'page.created',
  'page.deleted',
  'page.undeleted',
  'page.moved',
  'page.content_updated',
  'page.properties_updated',
  'page.locked',
  'page.unlocked',
  'database.created',
  'database.deleted',
  'database.undeleted',
  'database.content_updated',
  'database.schema_updated',
  'data_source.created',
  'data_source.content_updated',
  'data_source.schema_updated',
  'comment.created',
]

let server: TestServer
let receiver: Receiver
let s: Seed
let notion: Client
let token: string

/** Waits for an event of `type` about `entityId` and returns the first one. */
async function eventOf(type: string, entityId: string): Promise<any> {
  await receiver.waitFor(() => receiver.events().some((e) => e.type === type && e.entity.id === entityId))
  return receiver.events().find((e) => e.type === type && e.entity.id === entityId)
}

beforeAll(async () => {
  server = await startTestServer({ env: FAST_WEBHOOKS })
  receiver = await startReceiver()
  ;({ s, notion } = await connectedWorkspace(server, { readComments: true, insertComments: true }))
  const res = await adminCall(server, 'POST', `/connections/${s.connection.id}/webhooks`, {
    url: receiver.url,
    event_types: ALL_TYPES,
    api_version: '2025-09-03',
    auto_verify: true,
  })
  expect(res.status).toBe(201)
  token = res.body.verification_token
  expect(token).toMatch(/^secret_/)
})
afterAll(async () => {
  await server?.stop()
  await receiver?.close()
})

describe('webhook events from SDK writes', () => {
  it('page.created: Notion payload, signed as the SDK verifies it', async () => {
    const page = await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('Hello') } } })
    const e = await eventOf('page.created', page.id)
    expect(Object.keys(e)).toEqual([
      'id',
      'timestamp',
      'workspace_id',
      'workspace_name',
      'subscription_id',
      'integration_id',
      'type',
      'authors',
      'attempt_number',
      'api_version',
      'entity',
      'data',
    ])
    expect(e).toMatchObject({
      workspace_id: s.workspace.id,
      workspace_name: 'Acme',
      integration_id: s.connection.id,
      authors: [{ id: s.connection.bot_id, type: 'bot' }],
      attempt_number: 1,
      api_version: '2025-09-03',
      entity: { id: page.id, type: 'page' },
      data: { parent: { id: s.pages.root.id, type: 'page' } },
    })
    expect(e.accessible_by).toBeUndefined()
    const r = receiver.received.find((x) => x.body?.id === e.id)!
    expect(r.headers['content-type']).toBe('application/json')
    expect(
      await verifyWebhookSignature({ body: r.raw, signature: r.headers['x-notion-signature'] as string, verificationToken: token }),
    ).toBe(true)
    expect(
      await verifyWebhookSignature({ body: r.raw, signature: r.headers['x-notion-signature'] as string, verificationToken: 'secret_x' }),
    ).toBe(false)
  })

  it('page.properties_updated, page.content_updated, page.locked / unlocked, page.deleted / undeleted, page.moved', async () => {
    const page = await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('Draft') } } })
    await notion.pages.update({ page_id: page.id, properties: { title: { title: rt('Final') } } })
    expect((await eventOf('page.properties_updated', page.id)).data).toEqual({
      parent: { id: s.pages.root.id, type: 'page' },
      updated_properties: ['title'],
    })
    const appended = await notion.blocks.children.append({
      block_id: page.id,
      children: [{ paragraph: { rich_text: rt('one') } }],
    })
    const blockId = appended.results[0]!.id
    const content = await eventOf('page.content_updated', page.id)
    expect(content.data).toEqual({ parent: { id: s.pages.root.id, type: 'page' }, updated_blocks: [{ id: blockId, type: 'block' }] })
    await notion.pages.update({ page_id: page.id, is_locked: true })
    await eventOf('page.locked', page.id)
    await notion.pages.update({ page_id: page.id, is_locked: false })
    await eventOf('page.unlocked', page.id)
    await notion.pages.update({ page_id: page.id, in_trash: true })
    expect((await eventOf('page.deleted', page.id)).data).toEqual({ parent: { id: s.pages.root.id, type: 'page' } })
    await notion.pages.update({ page_id: page.id, in_trash: false })
    await eventOf('page.undeleted', page.id)
    await notion.pages.move({ page_id: page.id, parent: { type: 'page_id', page_id: s.pages.child.id } })
    expect((await eventOf('page.moved', page.id)).data).toEqual({ parent: { id: s.pages.child.id, type: 'page' } })
  })

  it('database.created, data_source.created, data_source.schema_updated, rows: page.created + data_source.content_updated', async () => {
    const { database, dataSourceId } = await buildDatabase(notion, s.pages.root.id, { title: 'Tasks', properties: { Name: { title: {} } } })
    expect((await eventOf('database.created', database.id)).data).toEqual({ parent: { id: s.pages.root.id, type: 'page' } })
    expect((await eventOf('data_source.created', dataSourceId)).data).toEqual({ parent: { id: database.id, type: 'database' } })
    await notion.dataSources.update({ data_source_id: dataSourceId, properties: { Size: { number: {} } } })
    const schema = await eventOf('data_source.schema_updated', dataSourceId)
    expect(schema.entity).toEqual({ id: dataSourceId, type: 'data_source' })
    expect(schema.data.parent).toEqual({ id: database.id, type: 'database' })
    expect(schema.data.updated_properties).toEqual([{ id: expect.any(String), name: 'Size', action: 'created' }])
    const rowId = await buildRow(notion, dataSourceId, 'Row 1')
    expect((await eventOf('page.created', rowId)).data).toEqual({
      parent: { id: database.id, type: 'database', data_source_id: dataSourceId },
    })
    expect((await eventOf('data_source.content_updated', dataSourceId)).data).toEqual({
      parent: { id: database.id, type: 'database' },
      updated_blocks: [{ id: rowId, type: 'page' }],
    })
    await notion.pages.update({ page_id: rowId, properties: { Size: { number: 3 } } })
    const sizeId = schema.data.updated_properties[0].id as string
    expect((await eventOf('page.properties_updated', rowId)).data).toEqual({
      parent: { id: database.id, type: 'database', data_source_id: dataSourceId },
      updated_properties: [encodeURIComponent(sizeId)],
    })
    // 2022-06-28 events are not sent to a 2025-09-03 subscription.
    expect(receiver.events().some((e) => e.type === 'database.schema_updated' || e.type === 'database.content_updated')).toBe(false)
  })

  it('comment.created needs read comments; the comment names its page and parent', async () => {
    const comment = await notion.comments.create({ parent: { page_id: s.pages.child.id }, rich_text: rt('Nice') })
    const e = await eventOf('comment.created', comment.id)
    expect(e.entity).toEqual({ id: comment.id, type: 'comment' })
    expect(e.data).toEqual({ page_id: s.pages.child.id, parent: { id: s.pages.child.id, type: 'page' } })
  })

  it('no event for a page the connection cannot read, nor for a connection without the capability', async () => {
    const quiet = await startReceiver()
    try {
      // A second connection, shared with Root, without read comments (and a subscription for comments).
      const other = await buildConnection(server, s, 'No comments', { capabilities: { readComments: false }, shareWith: [s.pages.root.id] })
      const sub = await adminCall(server, 'POST', `/connections/${other.connection.id}/webhooks`, {
        url: quiet.url,
        event_types: ['comment.created', 'page.content_updated'],
        auto_verify: true,
      })
      expect(sub.status).toBe(201)
      // The owner writes on the Secret page (not shared with either connection) through the service layer.
      const { createPageAsUser } = await import('../../src/services/setup.service.js')
      const hidden = await createPageAsUser(server.deps, {
        workspaceId: s.workspace.id,
        actorId: s.owner.id,
        title: 'Hidden',
        parentId: s.pages.secret.id,
      })
      const comment = await notion.comments.create({ parent: { page_id: s.pages.root.id }, rich_text: rt('for the first bot') })
      await eventOf('comment.created', comment.id)
      // A marker event the quiet receiver does get, written after the others.
      await notion.blocks.children.append({ block_id: s.pages.root.id, children: [{ paragraph: { rich_text: rt('marker') } }] })
      await quiet.waitFor((all) => all.some((r) => r.body?.type === 'page.content_updated'))
      expect(quiet.events().map((e) => e.type)).toEqual(['page.content_updated'])
      expect(receiver.events().some((e) => e.entity?.id === hidden.id)).toBe(false)
    } finally {
      await quiet.close()
    }
  })

  it('an unshared page stops producing events at once', async () => {
    const writer = await buildConnection(server, s, 'Writer', { shareWith: [s.pages.root.id] })
    const page = await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('Soon private') } } })
    await eventOf('page.created', page.id)
    expect((await adminCall(server, 'DELETE', `/connections/${s.connection.id}/pages/${s.pages.root.id}`)).status).toBe(200)
    // Another connection edits it now: the subscribed connection no longer reads it.
    await writer.notion.blocks.children.append({ block_id: page.id, children: [{ paragraph: { rich_text: rt('unseen') } }] })
    await writer.notion.pages.update({ page_id: page.id, properties: { title: { title: rt('Private') } } })
    // A marker: Child shared again, then written.
    expect((await adminCall(server, 'PUT', `/connections/${s.connection.id}/pages/${s.pages.child.id}`, {})).status).toBe(200)
    await writer.notion.blocks.children.append({ block_id: s.pages.child.id, children: [{ paragraph: { rich_text: rt('after') } }] })
    const marker = await eventOf('page.content_updated', s.pages.child.id)
    expect(marker.authors).toEqual([{ id: writer.connection.bot_id, type: 'bot' }])
    expect(
      receiver
        .events()
        .filter((e) => e.entity?.id === page.id)
        .map((e) => e.type),
    ).toEqual(['page.created'])
  })
})
