import { type Client } from '@notionhq/client'
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminCall, connectedWorkspace, type Seed } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'

/**
 * The life of a file upload's bytes (docs/file-uploads.md "Sweep", "Storage quota", "Snapshots and
 * reset"), through the real server, SDK and admin API: the blob sweep frees expired uploads (GET then
 * shows `expired`, `file_upload.expired` is recorded, the blob is gone) and uploads whose owner was
 * deleted; the admin clock moves time; the workspace quota refuses bytes while they stream; a
 * snapshot keeps the blobs its rows name, and a reset frees them.
 */

type FileRef = { type: string; file?: { url: string } }

describe('file upload lifecycle: sweep, quota, snapshots', () => {
  let server: TestServer
  let s: Seed
  let notion: Client
  beforeAll(async () => {
    server = await startTestServer({ env: { OCTAVO_FILE_SWEEP_INTERVAL: '0' } })
    ;({ s, notion } = await connectedWorkspace(server, { readComments: true, insertComments: true }))
    await s.share(s.pages.root.id)
  })
  afterAll(async () => server.stop())

  async function upload(filename: string, type: string, bytes: Uint8Array = randomBytes(4096)) {
    const created = await notion.fileUploads.create({ filename, content_type: type })
    await notion.fileUploads.send({ file_upload_id: created.id, file: { filename, data: new Blob([bytes], { type }) } })
    return created.id
  }
  async function blobKeys(): Promise<string[]> {
    const keys: string[] = []
    for await (const k of server.deps.blobs.list()) keys.push(k)
    return keys
  }
  const blobsOf = async (uploadId: string) => (await blobKeys()).filter((k) => k.startsWith(`${uploadId}/`))
  const sweep = async () => {
    const r = await adminCall(server, 'POST', '/file-uploads/sweep')
    expect(r.status).toBe(200)
    return r.body as { swept: boolean; expired: number; released: number; blobs_deleted: number; blobs_kept: number }
  }
  const advance = async (by: string) => expect((await adminCall(server, 'POST', '/clock', { action: 'advance', by })).status).toBe(200)
  const eventsOf = async (id: string) =>
    (await server.deps.store.db.selectFrom('change_event').select(['type', 'data']).where('object_id', '=', id).execute()).map((e) => ({
      type: e.type,
      data: e.data ? (JSON.parse(e.data) as unknown) : null,
    }))

  it('an unattached upload past its hour: the sweep marks it expired, records file_upload.expired and deletes its blob', async () => {
    const id = await upload('old.txt', 'text/plain')
    const attached = await upload('kept.png', 'image/png')
    await notion.pages.update({ page_id: s.pages.root.id, icon: { type: 'file_upload', file_upload: { id: attached } } })
    const pending = (await notion.fileUploads.create({ filename: 'half.txt', content_type: 'text/plain' })).id
    expect(await blobsOf(id)).toHaveLength(1)
    // Within the hour nothing is swept.
    expect((await sweep()).expired).toBe(0)
    await advance('61m')
    const r = await sweep()
    expect(r).toMatchObject({ swept: true })
    expect(r.expired).toBeGreaterThanOrEqual(2)
    expect(await blobsOf(id)).toEqual([])
    expect(await blobsOf(attached)).toHaveLength(1)
    expect(await notion.fileUploads.retrieve({ file_upload_id: id })).toMatchObject({ status: 'expired' })
    expect(await notion.fileUploads.retrieve({ file_upload_id: pending })).toMatchObject({ status: 'expired' })
    expect((await notion.fileUploads.list({ status: 'expired' })).results.map((u) => u.id)).toEqual(expect.arrayContaining([id, pending]))
    expect(await eventsOf(id)).toContainEqual({ type: 'file_upload.expired', data: { reason: 'expired' } })
    // The attached icon still serves its file.
    const page = (await notion.pages.retrieve({ page_id: s.pages.root.id })) as unknown as { icon: FileRef }
    expect((await fetch(page.icon.file?.url as string)).status).toBe(200)
    // A second sweep finds nothing more.
    expect(await sweep()).toMatchObject({ expired: 0, released: 0 })
  })

  it('a deleted comment frees its attachments; its file URL then answers 404', async () => {
    const id = await upload('note.pdf', 'application/pdf')
    const comment = (await notion.comments.create({
      parent: { page_id: s.pages.root.id },
      rich_text: [{ text: { content: 'see attached' } }],
      attachments: [{ file_upload_id: id }],
    })) as unknown as { id: string; attachments: { file: { url: string } }[] }
    const url = comment.attachments[0]?.file.url as string
    expect((await fetch(url)).status).toBe(200)
    expect((await sweep()).released).toBe(0)
    const del = await server.raw(`/v1/comments/${comment.id}`, { method: 'DELETE', token: s.token })
    expect(del.status).toBe(200)
    const r = await sweep()
    expect(r.released).toBe(1)
    expect(await blobsOf(id)).toEqual([])
    expect((await fetch(url)).status).toBe(404)
    expect(await eventsOf(id)).toContainEqual({ type: 'file_upload.expired', data: { reason: 'owner_deleted' } })
  })

  it('a trashed page keeps its files for 30 days (it can be restored), then the sweep frees them', async () => {
    const page = await notion.pages.create({
      parent: { page_id: s.pages.root.id },
      properties: { title: { title: [{ text: { content: 'Doomed' } }] } },
    })
    const id = await upload('cover.png', 'image/png')
    await notion.pages.update({ page_id: page.id, cover: { type: 'file_upload', file_upload: { id } } })
    await notion.pages.update({ page_id: page.id, in_trash: true })
    expect((await sweep()).released).toBe(0)
    await advance('29d')
    expect((await sweep()).released).toBe(0)
    expect(await blobsOf(id)).toHaveLength(1)
    await advance('2d')
    expect((await sweep()).released).toBe(1)
    expect(await blobsOf(id)).toEqual([])
  })

  it('storage quota: an admin sets it; a send that would pass it is refused while streaming, with a clear validation_error', async () => {
    const ws = s.workspace.id
    // Sweep what earlier tests left, so usage is only the attached icon.
    await advance('2h')
    await sweep()
    const before = await adminCall(server, 'GET', `/workspaces/${ws}/storage`)
    expect(before).toMatchObject({ status: 200, body: { workspace_id: ws, quota_bytes: null } })
    const used = before.body.used_bytes as number
    expect(used).toBeGreaterThan(0)
    const set = await adminCall(server, 'PUT', `/workspaces/${ws}/storage`, { quota_bytes: used + 10_000 })
    expect(set).toMatchObject({ status: 200, body: { quota_bytes: used + 10_000, used_bytes: used } })
    // Bad quotas are refused.
    expect((await adminCall(server, 'PUT', `/workspaces/${ws}/storage`, { quota_bytes: -1 })).status).toBe(400)
    expect((await adminCall(server, 'PUT', `/workspaces/${ws}/storage`, { quota_bytes: '5' })).status).toBe(400)
    expect((await adminCall(server, 'PUT', `/workspaces/00000000-0000-4000-8000-000000000000/storage`, { quota_bytes: 5 })).status).toBe(
      404,
    )
    expect((await adminCall(server, 'GET', `/workspaces/${ws}/storage`, undefined, 'octavo_admin_wrong_key_123456')).status).toBe(401)

    // 8000 bytes fit.
    await upload('fits.bin.txt', 'text/plain', randomBytes(8000))
    // 4000 more do not: refused, nothing kept.
    const keysBefore = (await blobKeys()).length
    const created = await notion.fileUploads.create({ filename: 'over.txt', content_type: 'text/plain' })
    const err = await apiError(
      notion.fileUploads.send({
        file_upload_id: created.id,
        file: { filename: 'over.txt', data: new Blob([randomBytes(4000)], { type: 'text/plain' }) },
      }),
    )
    expect(err.status).toBe(400)
    expect(err.code).toBe('validation_error')
    expect(err.message).toContain(`storage quota of ${used + 10_000} bytes`)
    expect((await blobKeys()).length).toBe(keysBefore)
    expect(await notion.fileUploads.retrieve({ file_upload_id: created.id })).toMatchObject({ status: 'pending' })
    // Lifting the quota lets it through.
    expect((await adminCall(server, 'PUT', `/workspaces/${ws}/storage`, { quota_bytes: null })).body.quota_bytes).toBeNull()
    const ok = await notion.fileUploads.send({
      file_upload_id: created.id,
      file: { filename: 'over.txt', data: new Blob([randomBytes(4000)], { type: 'text/plain' }) },
    })
    expect(ok.status).toBe('uploaded')
    expect(await eventsOf(ws)).toContainEqual({ type: 'workspace.storage_quota_set', data: { storage_quota_bytes: null } })
  })

  it('snapshots keep the blobs their rows name; a reset frees every blob', async () => {
    const id = await upload('snap.png', 'image/png')
    await notion.pages.update({ page_id: s.pages.child.id, icon: { type: 'file_upload', file_upload: { id } } })
    expect((await adminCall(server, 'POST', '/snapshots', { name: 'with-file' })).status).toBe(201)
    // Detach by deleting the only owner? Pages are not deleted; expire a fresh upload instead, then restore.
    const loose = await upload('loose.txt', 'text/plain')
    expect((await adminCall(server, 'POST', '/snapshots', { name: 'with-loose' })).status).toBe(201)
    await advance('2h')
    const r = await sweep()
    expect(r.expired).toBeGreaterThanOrEqual(1)
    // A snapshot is held: a blob outside the database stays (the database store's chunks are in the
    // snapshot itself), so restoring brings back a working file either way.
    if (server.deps.blobs.kind === 'database') expect(await blobsOf(loose)).toEqual([])
    else {
      expect(r.blobs_kept).toBeGreaterThanOrEqual(1)
      expect(await blobsOf(loose)).toHaveLength(1)
    }
    expect((await adminCall(server, 'POST', '/snapshots/with-loose/restore')).status).toBe(200)
    const row = await server.deps.store.db.selectFrom('file_upload_part').select('blob_key').where('upload_id', '=', loose).execute()
    expect(row).toHaveLength(1)
    expect(await blobsOf(loose)).toEqual([row[0]?.blob_key])
    const looseUrl = (await notion.fileUploads.retrieve({ file_upload_id: loose })).status
    expect(looseUrl).toBe('expired') // expired by time, but its bytes are whole again

    // The attached icon serves its bytes after restoring the earlier snapshot.
    expect((await adminCall(server, 'POST', '/snapshots/with-file/restore')).status).toBe(200)
    const page = (await notion.pages.retrieve({ page_id: s.pages.child.id })) as unknown as { icon: FileRef }
    expect((await fetch(page.icon.file?.url as string)).status).toBe(200)

    // Once no snapshot is held, the sweep's orphan scan deletes blobs no row names (loose's, gone with the restore).
    expect((await adminCall(server, 'DELETE', '/snapshots/with-file')).status).toBe(200)
    expect((await adminCall(server, 'DELETE', '/snapshots/with-loose')).status).toBe(200)
    await sweep()
    if (server.deps.blobs.kind !== 'database') expect(await blobsOf(loose)).toEqual([])
    expect(await blobsOf(id)).toHaveLength(1)

    // Reset: rows go, and the next sweep frees every blob.
    expect((await adminCall(server, 'POST', '/reset')).status).toBe(200)
    await sweep()
    expect(await blobKeys()).toEqual([])
  })

  it('one node sweeps at a time: while another holds the sweep lock (PostgreSQL), a sweep does nothing', async () => {
    if (server.deps.store.dialect !== 'postgres') return // SQLite: one writer, one node
    ;({ s, notion } = await connectedWorkspace(server)) // the store was reset above
    const id = await upload('locked.txt', 'text/plain')
    await advance('2h')
    await server.deps.store.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(7700014001::bigint)`.execute(trx)
      expect(await sweep()).toMatchObject({ swept: false, expired: 0 })
    })
    expect(await blobsOf(id)).toHaveLength(1)
    expect(await sweep()).toMatchObject({ swept: true, expired: 1 })
    expect(await blobsOf(id)).toEqual([])
  })
})

describe('the sweep runs by itself on its interval', () => {
  it('frees an expired upload without being asked (OCTAVO_FILE_SWEEP_INTERVAL=0.05)', async () => {
    const server = await startTestServer({ env: { OCTAVO_FILE_SWEEP_INTERVAL: '0.05' } })
    try {
      const { notion } = await connectedWorkspace(server)
      const created = await notion.fileUploads.create({ filename: 'a.txt', content_type: 'text/plain' })
      await notion.fileUploads.send({
        file_upload_id: created.id,
        file: { filename: 'a.txt', data: new Blob(['abc'], { type: 'text/plain' }) },
      })
      await adminCall(server, 'POST', '/clock', { action: 'advance', by: '2h' })
      const stored = async () =>
        (await server.deps.store.db.selectFrom('file_upload').select('status').where('id', '=', created.id).executeTakeFirstOrThrow())
          .status
      for (let i = 0; i < 200 && (await stored()) !== 'expired'; i++) await new Promise((r) => setTimeout(r, 25))
      expect(await stored()).toBe('expired')
    } finally {
      await server.stop()
    }
  })
})
