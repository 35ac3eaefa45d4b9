import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
// s3rver: a pure-JS, in-process S3-compatible server (devDependency), on 127.0.0.1 only.
import S3rver from 's3rver'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BlobTooLargeError, readParts, type BlobStore } from '../../src/storage/blobs/blob-store.js'
import { S3_PART_BYTES, s3BlobStore, type S3Settings } from '../../src/storage/blobs/s3-blob-store.js'
import { connectedWorkspace } from '../support/factories.js'
import { startTestServer, type TestServer } from '../support/harness.js'

/**
 * The S3-compatible blob store (`OCTAVO_BLOB_STORE=s3`, storage/blobs/s3-blob-store.ts) against a
 * local S3 server started here (s3rver, 127.0.0.1): the BlobStore contract (streamed writes as one
 * PutObject or a multipart upload of 5 MiB parts, ranged reads, the size cap keeping nothing,
 * delete, list), then a real Octavo server on it: upload, attach, fetch the signed URL (checksum,
 * Range), and the sweep deleting the object.
 */

async function* pieces(buf: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size)
}
async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = []
  for await (const c of it) out.push(Buffer.from(c))
  return Buffer.concat(out)
}
async function keysOf(blobs: BlobStore): Promise<string[]> {
  const out: string[] = []
  for await (const k of blobs.list()) out.push(k)
  return out.sort()
}
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

describe('s3 blob store (against s3rver)', () => {
  let dir: string
  let s3: S3rver
  let settings: S3Settings
  let blobs: BlobStore
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'octavo-s3-'))
    s3 = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: dir,
      configureBuckets: [{ name: 'octavo-test', configs: [] }],
    })
    const addr = (await s3.run()) as AddressInfo
    settings = {
      endpoint: `http://127.0.0.1:${addr.port}`,
      region: 'us-east-1',
      bucket: 'octavo-test',
      prefix: 'blobs/',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    }
    blobs = s3BlobStore(settings)
  })
  afterAll(async () => {
    await s3?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('a small blob (one PutObject): whole and ranged reads, list, delete', async () => {
    const data = randomBytes(300_000)
    expect(await blobs.put('a0/b0', pieces(data, 65_536), 1e9)).toBe(data.length)
    expect(sha(await collect(blobs.read('a0/b0', data.length, 0, data.length - 1)))).toBe(sha(data))
    expect((await collect(blobs.read('a0/b0', data.length, 1000, 2000))).equals(data.subarray(1000, 2001))).toBe(true)
    expect(await keysOf(blobs)).toContain('a0/b0')
    await blobs.delete('a0/b0')
    await blobs.delete('a0/b0')
    expect(await keysOf(blobs)).not.toContain('a0/b0')
  })

  it('a blob over 5 MiB goes up as a multipart upload and reads back whole; parts read as one file', async () => {
    const data = randomBytes(S3_PART_BYTES * 2 + 12_345)
    expect(await blobs.put('m0/big', pieces(data, 1 << 20), 1e9)).toBe(data.length)
    expect(sha(await collect(blobs.read('m0/big', data.length, 0, data.length - 1)))).toBe(sha(data))
    const s = S3_PART_BYTES - 10
    expect((await collect(blobs.read('m0/big', data.length, s, s + 100))).equals(data.subarray(s, s + 101))).toBe(true)
    const small = randomBytes(1000)
    await blobs.put('m0/small', pieces(small, 999), 1e9)
    const all = Buffer.concat([small, data])
    const parts = [
      { key: 'm0/small', size: small.length },
      { key: 'm0/big', size: data.length },
    ]
    expect(sha(await collect(readParts(blobs, parts, 0, all.length - 1)))).toBe(sha(all))
  })

  it('stops at the size cap and keeps nothing (also mid multipart upload)', async () => {
    await expect(blobs.put('c0/d0', pieces(randomBytes(200_000), 50_000), 100_000)).rejects.toBeInstanceOf(BlobTooLargeError)
    await expect(blobs.put('c0/d1', pieces(randomBytes(S3_PART_BYTES * 2), 1 << 20), S3_PART_BYTES + 10)).rejects.toBeInstanceOf(
      BlobTooLargeError,
    )
    expect((await keysOf(blobs)).filter((k) => k.startsWith('c0/'))).toEqual([])
  })

  it('an Octavo server on OCTAVO_BLOB_STORE=s3: upload, attach, fetch the signed URL (checksum, Range), sweep deletes the object', async () => {
    const server: TestServer = await startTestServer({
      env: {
        OCTAVO_BLOB_STORE: 's3',
        OCTAVO_S3_ENDPOINT: settings.endpoint as string,
        OCTAVO_S3_BUCKET: settings.bucket,
        OCTAVO_S3_PREFIX: 'octavo/',
        OCTAVO_S3_ACCESS_KEY_ID: 'S3RVER',
        OCTAVO_S3_SECRET_ACCESS_KEY: 'S3RVER',
        OCTAVO_FILE_SWEEP_INTERVAL: '0',
      },
    })
    try {
      expect(server.deps.blobs.kind).toBe('s3')
      const { s, notion } = await connectedWorkspace(server)
      await s.share(s.pages.root.id)
      const bytes = randomBytes(1_000_000)
      const img = await notion.fileUploads.create({ filename: 'photo.png', content_type: 'image/png' })
      await notion.fileUploads.send({
        file_upload_id: img.id,
        file: { filename: 'photo.png', data: new Blob([bytes], { type: 'image/png' }) },
      })
      const res = await notion.blocks.children.append({
        block_id: s.pages.root.id,
        children: [{ image: { type: 'file_upload', file_upload: { id: img.id } } }],
      })
      const url = (res.results[0] as unknown as { image: { file: { url: string } } }).image.file.url
      const got = await fetch(url)
      expect(got.status).toBe(200)
      expect(sha(new Uint8Array(await got.arrayBuffer()))).toBe(sha(bytes))
      const ranged = await fetch(url, { headers: { range: 'bytes=10-19' } })
      expect(ranged.status).toBe(206)
      expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true)
      // Stored in the bucket under the prefix.
      const direct = s3BlobStore({ ...settings, prefix: 'octavo/' })
      expect((await keysOf(direct)).filter((k) => k.startsWith(`${img.id}/`))).toHaveLength(1)
      // Someone else's object under the same prefix: the sweep's orphan scan never touches it.
      await direct.put('notes/readme', pieces(Buffer.from('not octavo'), 10), 100)
      // An unattached upload, expired and swept: its object is deleted.
      const loose = await notion.fileUploads.create({ filename: 'x.txt', content_type: 'text/plain' })
      await notion.fileUploads.send({
        file_upload_id: loose.id,
        file: { filename: 'x.txt', data: new Blob(['x'], { type: 'text/plain' }) },
      })
      expect((await keysOf(direct)).filter((k) => k.startsWith(`${loose.id}/`))).toHaveLength(1)
      await fetch(`${server.url}/_octavo/admin/clock`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.config.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'advance', by: '2h' }),
      })
      const swept = await fetch(`${server.url}/_octavo/admin/file-uploads/sweep`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.config.adminKey}` },
      })
      expect(await swept.json()).toMatchObject({ swept: true, expired: 1 })
      expect((await keysOf(direct)).filter((k) => k.startsWith(`${loose.id}/`))).toEqual([])
      expect((await keysOf(direct)).filter((k) => k.startsWith(`${img.id}/`))).toHaveLength(1)
      expect(await keysOf(direct)).toContain('notes/readme')
    } finally {
      await server.stop()
    }
  })

  it('the configuration refuses s3 without a bucket', async () => {
    await expect(startTestServer({ env: { OCTAVO_BLOB_STORE: 's3' } })).rejects.toThrow(/OCTAVO_S3_BUCKET/)
  })
})
