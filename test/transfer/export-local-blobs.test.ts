import { createHash, randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { databaseBlobStore } from '../../src/storage/blobs/database-blob-store.js'
import { openStore, type Store } from '../../src/storage/store.js'
import { exportStore, importStore } from '../../src/storage/transfer.js'
import { adminCall, connectedWorkspace } from '../support/factories.js'
import { startTestServer, type TestServer } from '../support/harness.js'

/**
 * `octavo export` / `import` carry uploaded files whatever the blob store (docs/file-uploads.md
 * "Export and import"): files of a local blob directory travel in the export as `blob_chunk` lines
 * (base64, 256 KiB chunks) and land in the target's local directory, or as rows of a database
 * blob store; the imported server serves the same bytes at the page's signed URL.
 */

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

/** Settings of a server on a local blob directory, sharing one fresh master key (export → import needs it). */
function localBlobEnv(): Record<string, string> {
  return { OCTAVO_SECRET_KEY: randomBytes(32).toString('hex'), OCTAVO_BLOB_STORE: 'local', OCTAVO_FILE_SWEEP_INTERVAL: '0' }
}

/** `octavo export` of `server`'s store with its blobs: the lines and the per-table counts. */
async function exportLines(server: TestServer): Promise<{ lines: string[]; counts: Record<string, number> }> {
  const lines: string[] = []
  const counts = await exportStore(server.deps.store, server.config.masterKey, (l) => void lines.push(l), undefined, server.deps.blobs)
  return { lines, counts }
}

/** `octavo import` of `lines` into `server`'s store and blob store. */
function importLines(server: TestServer, lines: string[]): Promise<unknown> {
  return importStore(
    server.deps.store,
    server.config.masterKey,
    (async function* () {
      yield* lines
    })(),
    { blobs: server.deps.blobs },
  )
}

describe('export and import with a local blob directory', () => {
  const servers: TestServer[] = []
  const stores: Store[] = []
  afterAll(async () => {
    for (const s of servers) await s.stop()
    for (const s of stores) await s.close()
  })

  it('a page icon and an unattached upload survive export → import into a fresh server, byte for byte', async () => {
    const env = localBlobEnv()
    const source = await startTestServer({ env })
    servers.push(source)
    expect(source.deps.blobs.kind).toBe('local')
    const { s, notion } = await connectedWorkspace(source)
    await s.share(s.pages.root.id)
    const bytes = randomBytes(700_000) // three chunks
    const created = await notion.fileUploads.create({ filename: 'logo.png', content_type: 'image/png' })
    await notion.fileUploads.send({
      file_upload_id: created.id,
      file: { filename: 'logo.png', data: new Blob([bytes], { type: 'image/png' }) },
    })
    await notion.pages.update({ page_id: s.pages.root.id, icon: { type: 'file_upload', file_upload: { id: created.id } } })
    const empty = await notion.fileUploads.create({ filename: 'empty.txt', content_type: 'text/plain' })
    await notion.fileUploads.send({ file_upload_id: empty.id, file: { filename: 'empty.txt', data: new Blob([], { type: 'text/plain' }) } })

    const { lines, counts } = await exportLines(source)
    expect(counts.blob_chunk).toBe(4) // 3 chunks + 1 empty blob
    expect(lines.filter((l) => l.startsWith('{"t":"blob_chunk"'))).toHaveLength(4)

    // Into a fresh server with its own (empty) local blob directory.
    const target = await startTestServer({ env })
    servers.push(target)
    await importLines(target, lines)
    const keys: string[] = []
    for await (const k of target.deps.blobs.list()) keys.push(k)
    expect(keys).toHaveLength(2)
    const page = (await target.client(s.token).pages.retrieve({ page_id: s.pages.root.id })) as unknown as {
      icon: { file: { url: string } }
    }
    expect(page.icon.file.url.startsWith(`${target.url}/_octavo/files/${created.id}/`)).toBe(true)
    const res = await fetch(page.icon.file.url)
    expect(res.status).toBe(200)
    expect(sha(new Uint8Array(await res.arrayBuffer()))).toBe(sha(bytes))

    // Into a store with the database blob store: the same lines become blob_chunk rows.
    const db = await openStore(':memory:')
    stores.push(db)
    await importStore(
      db,
      source.config.masterKey,
      (async function* () {
        yield* lines
      })(),
      { blobs: databaseBlobStore(db.db) },
    )
    const part = await db.db
      .selectFrom('file_upload_part')
      .select(['blob_key', 'size'])
      .where('upload_id', '=', created.id)
      .executeTakeFirstOrThrow()
    const out: Buffer[] = []
    for await (const c of databaseBlobStore(db.db).read(part.blob_key, Number(part.size), 0, Number(part.size) - 1))
      out.push(Buffer.from(c))
    expect(sha(Buffer.concat(out))).toBe(sha(bytes))

    // And back out of the database store into a local one: export of database rows, import into local.
    const again: string[] = []
    await exportStore(db, source.config.masterKey, (l) => void again.push(l))
    const third = await startTestServer({ env })
    servers.push(third)
    await importLines(third, again)
    const page3 = (await third.client(s.token).pages.retrieve({ page_id: s.pages.root.id })) as unknown as {
      icon: { file: { url: string } }
    }
    expect(sha(new Uint8Array(await (await fetch(page3.icon.file.url)).arrayBuffer()))).toBe(sha(bytes))
  })

  it('a custom emoji image in a local blob directory survives export → import', async () => {
    const env = localBlobEnv()
    const source = await startTestServer({ env })
    servers.push(source)
    const { s } = await connectedWorkspace(source)
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64')
    const made = await adminCall(source, 'POST', `/workspaces/${s.workspace.id}/custom-emojis`, {
      name: 'party',
      image_base64: png.toString('base64'),
      content_type: 'image/png',
    })
    expect(made.status).toBe(201)
    const { lines, counts } = await exportLines(source)
    expect(counts.blob_chunk).toBe(1)

    const target = await startTestServer({ env })
    servers.push(target)
    await importLines(target, lines)
    const img = await fetch(`${target.url}/_octavo/emojis/${made.body.id}`)
    expect(img.status).toBe(200)
    expect(img.headers.get('content-type')).toBe('image/png')
    expect(Buffer.from(await img.arrayBuffer()).equals(png)).toBe(true)
  })

  it('a failed import leaves no blobs behind', async () => {
    const env = localBlobEnv()
    const source = await startTestServer({ env })
    servers.push(source)
    const { notion } = await connectedWorkspace(source)
    const created = await notion.fileUploads.create({ filename: 'a.txt', content_type: 'text/plain' })
    await notion.fileUploads.send({
      file_upload_id: created.id,
      file: { filename: 'a.txt', data: new Blob(['hello'], { type: 'text/plain' }) },
    })
    const { lines } = await exportLines(source)
    const target = await startTestServer({ env })
    servers.push(target)
    // Cut short: no end line.
    await expect(importLines(target, lines.slice(0, -1))).rejects.toThrow(/incomplete/)
    const keys: string[] = []
    for await (const k of target.deps.blobs.list()) keys.push(k)
    expect(keys).toEqual([])
  })
})
