import { verifyWebhookSignature, type Client } from '@notionhq/client'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminCall, buildConnection, buildDatabase, connectedWorkspace, type Seed } from '../support/factories.js'
import { startTestServer, type TestServer } from '../support/harness.js'
import { FAST_WEBHOOKS, startReceiver, type Receiver } from '../support/webhook-receiver.js'

/**
 * Webhook events of file uploads and views (issue 17; docs/webhooks.md "Events"): each produced by
 * its SDK write (or, for `file_upload.expired`, by the sweep once the store's clock passes the
 * expiry), in the SDK's `webhooks.d.ts` shape, signed so the SDK's `verifyWebhookSignature` accepts
 * it; file upload events only for the connection that created the upload; view events only for
 * ≥ 2025-09-03 subscriptions.
 */

const FILE_TYPES = ['file_upload.created', 'file_upload.completed', 'file_upload.expired', 'file_upload.upload_failed']
const VIEW_TYPES = ['view.created', 'view.updated', 'view.deleted']

let server: TestServer
let receiver: Receiver
let legacy: Receiver
let files: Server
let base: string
let s: Seed
let notion: Client
let token: string

async function eventOf(type: string, entityId: string, r = receiver): Promise<any> {
  await r.waitFor(() => r.events().some((e) => e.type === type && e.entity.id === entityId))
  const e = r.events().find((x) => x.type === type && x.entity.id === entityId)
  const raw = r.received.find((x) => x.body?.id === e.id)!
  expect(
    await verifyWebhookSignature({ body: raw.raw, signature: raw.headers['x-notion-signature'] as string, verificationToken: token }),
  ).toBe(true)
  return e
}

beforeAll(async () => {
  files = createServer((_req, res) => res.writeHead(404).end())
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`
  server = await startTestServer({ env: { ...FAST_WEBHOOKS, OCTAVO_WEBHOOK_SWEEP_MS: '50', OCTAVO_FILE_IMPORT_ALLOW_PRIVATE: 'on' } })
  receiver = await startReceiver()
  legacy = await startReceiver()
  ;({ s, notion } = await connectedWorkspace(server))
  const res = await adminCall(server, 'POST', `/connections/${s.connection.id}/webhooks`, {
    url: receiver.url,
    event_types: [...FILE_TYPES, ...VIEW_TYPES, 'page.created'],
    api_version: '2025-09-03',
    auto_verify: true,
  })
  expect(res.status).toBe(201)
  token = res.body.verification_token
  const old = await adminCall(server, 'POST', `/connections/${s.connection.id}/webhooks`, {
    url: legacy.url,
    event_types: [...VIEW_TYPES, 'page.created'],
    api_version: '2022-06-28',
    auto_verify: true,
  })
  expect(old.status).toBe(201)
})
afterAll(async () => {
  await server?.stop()
  await receiver?.close()
  await legacy?.close()
  await new Promise((r) => files?.close(r))
})

describe('file upload webhook events', () => {
  it('file_upload.created and file_upload.completed: entity file_upload, no data, the creating bot as author', async () => {
    const upload = await notion.fileUploads.create({ filename: 'a.txt' })
    const created = await eventOf('file_upload.created', upload.id)
    expect(created).toMatchObject({
      workspace_id: s.workspace.id,
      integration_id: s.connection.id,
      authors: [{ id: s.connection.bot_id, type: 'bot' }],
      entity: { id: upload.id, type: 'file_upload' },
    })
    expect(created).not.toHaveProperty('data')
    await notion.fileUploads.send({ file_upload_id: upload.id, file: { data: new Blob(['hello'], { type: 'text/plain' }) } })
    const completed = await eventOf('file_upload.completed', upload.id)
    expect(completed.entity).toEqual({ id: upload.id, type: 'file_upload' })
    expect(completed).not.toHaveProperty('data')
  })

  it('file_upload.upload_failed carries data.file_import_result', async () => {
    const upload = await notion.fileUploads.create({ mode: 'external_url', external_url: `${base}/missing.png` })
    const failed = await eventOf('file_upload.upload_failed', upload.id)
    expect(failed.data.file_import_result).toMatchObject({
      type: 'error',
      imported_time: expect.stringMatching(/Z$/),
      error: { type: 'download_error', code: 'file_import_http_error', status_code: 404 },
    })
  })

  it("another connection's upload produces no event for this one", async () => {
    const other = await buildConnection(server, s, 'Uploader', { shareWith: [s.pages.root.id] })
    const theirs = await other.notion.fileUploads.create({ filename: 'theirs.txt' })
    const mine = await notion.fileUploads.create({ filename: 'mine.txt' })
    await eventOf('file_upload.created', mine.id)
    expect(receiver.events().some((e) => e.entity.id === theirs.id)).toBe(false)
  })
})

describe('view webhook events', () => {
  it('view.created (view_type), view.updated (updated_fields), view.deleted, parent = the database; not for 2022-06-28', async () => {
    const { database, dataSourceId } = await buildDatabase(notion, s.pages.root.id, { title: 'Views', properties: { Name: { title: {} } } })
    await notion.views.create({ data_source_id: dataSourceId, database_id: database.id, name: 'Table', type: 'table' })
    const view = await notion.views.create({ data_source_id: dataSourceId, database_id: database.id, name: 'Board', type: 'board' })
    const parent = { id: database.id, type: 'database', data_source_id: dataSourceId }
    const created = await eventOf('view.created', view.id)
    expect(created).toMatchObject({ entity: { id: view.id, type: 'view' }, authors: [{ id: s.connection.bot_id, type: 'bot' }] })
    expect(created.data).toEqual({ parent, view_type: 'board' })
    await notion.views.update({ view_id: view.id, name: 'Board 2', sorts: null })
    expect((await eventOf('view.updated', view.id)).data).toEqual({ parent, updated_fields: ['name', 'sorts'] })
    await notion.views.delete({ view_id: view.id })
    expect((await eventOf('view.deleted', view.id)).data).toEqual({ parent: { id: database.id, type: 'database' } })
    // The 2022-06-28 subscription takes view types but is not sent them; a marker page shows it caught up.
    const marker = await notion.pages.create({
      parent: { page_id: s.pages.root.id },
      properties: { title: { title: [{ text: { content: 'm' } }] } },
    })
    await legacy.waitFor((all) => all.some((r) => r.body?.type === 'page.created' && r.body.entity.id === marker.id))
    expect(legacy.events().filter((e) => e.type.startsWith('view.'))).toEqual([])
  })

  it('no view event for a database the connection cannot read', async () => {
    const other = await buildConnection(server, s, 'Viewer', { shareWith: [s.pages.secret.id] })
    const { database, dataSourceId } = await buildDatabase(other.notion, s.pages.secret.id, {
      title: 'Hidden',
      properties: { Name: { title: {} } },
    })
    const hidden = await other.notion.views.create({ data_source_id: dataSourceId, database_id: database.id, name: 'H', type: 'table' })
    const { database: db2, dataSourceId: ds2 } = await buildDatabase(notion, s.pages.root.id, {
      title: 'Seen',
      properties: { Name: { title: {} } },
    })
    const seen = await notion.views.create({ data_source_id: ds2, database_id: db2.id, name: 'S', type: 'table' })
    await eventOf('view.created', seen.id)
    expect(receiver.events().some((e) => e.entity.id === hidden.id)).toBe(false)
  })
})

describe('file_upload.expired', () => {
  it('the sweep records an unattached upload past its expiry and the event follows; an attached one never expires', async () => {
    const left = await notion.fileUploads.create({ filename: 'left.txt' })
    const used = await notion.fileUploads.create({ filename: 'used.txt' })
    await notion.fileUploads.send({ file_upload_id: used.id, file: { data: new Blob(['x'], { type: 'text/plain' }) } })
    await notion.blocks.children.append({
      block_id: s.pages.root.id,
      children: [{ file: { type: 'file_upload', file_upload: { id: used.id } } }],
    })
    expect((await adminCall(server, 'POST', '/clock', { action: 'advance', by: '2h' })).status).toBe(200)
    expect((await adminCall(server, 'POST', '/file-uploads/sweep', {})).status).toBe(200)
    const expired = await eventOf('file_upload.expired', left.id)
    expect(expired.entity).toEqual({ id: left.id, type: 'file_upload' })
    expect(expired.authors).toEqual([])
    expect((await notion.fileUploads.retrieve({ file_upload_id: left.id })).status).toBe('expired')
    expect(receiver.events().some((e) => e.type === 'file_upload.expired' && e.entity.id === used.id)).toBe(false)
  })
})
