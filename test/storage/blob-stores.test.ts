import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BlobTooLargeError, readParts, type BlobStore } from '../../src/storage/blobs/blob-store.js'
import { CHUNK_BYTES, databaseBlobStore } from '../../src/storage/blobs/database-blob-store.js'
import { localBlobStore } from '../../src/storage/blobs/local-blob-store.js'
import type { Store } from '../../src/storage/store.js'
import { openTestStore } from '../support/stores.js'

/**
 * Both blob stores (storage/blobs/): whole and ranged reads across chunk and part boundaries, the
 * size cap enforced while writing (nothing left behind), deletes. The database store runs on the
 * test store (SQLite, or PostgreSQL under the postgres project).
 */

async function* pieces(buf: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size)
}
async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = []
  for await (const c of it) out.push(Buffer.from(c))
  return Buffer.concat(out)
}
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

describe.each(['local', 'database'] as const)('%s blob store', (kind) => {
  let store: Store
  let blobs: BlobStore
  let dir: string
  let close: () => Promise<void>
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'octavo-blobs-'))
    ;({ store, close } = await openTestStore())
    blobs = kind === 'local' ? localBlobStore(join(dir, 'blobs')) : databaseBlobStore(store.db)
  })
  afterAll(async () => {
    await close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('writes in odd-sized pieces and reads back whole and by ranges across chunk boundaries', async () => {
    const data = randomBytes(CHUNK_BYTES * 2 + 12345)
    expect(await blobs.put('a0/b0', pieces(data, 70_001), data.length)).toBe(data.length)
    expect(sha(await collect(blobs.read('a0/b0', data.length, 0, data.length - 1)))).toBe(sha(data))
    for (const [s, e] of [
      [0, 0],
      [CHUNK_BYTES - 1, CHUNK_BYTES],
      [CHUNK_BYTES * 2 - 5, data.length - 1],
      [100, 100_000],
    ] as const) {
      expect((await collect(blobs.read('a0/b0', data.length, s, e))).equals(data.subarray(s, e + 1))).toBe(true)
    }
  })

  it('reads several blobs as one file (multi-part uploads)', async () => {
    const a = randomBytes(1000)
    const b = randomBytes(CHUNK_BYTES + 3)
    await blobs.put('p0/a', pieces(a, 999), 1e9)
    await blobs.put('p0/b', pieces(b, 65536), 1e9)
    const parts = [
      { key: 'p0/a', size: a.length },
      { key: 'p0/b', size: b.length },
    ]
    const all = Buffer.concat([a, b])
    expect((await collect(readParts(blobs, parts, 0, all.length - 1))).equals(all)).toBe(true)
    expect((await collect(readParts(blobs, parts, 990, 1010))).equals(all.subarray(990, 1011))).toBe(true)
  })

  it('stops at the size cap and keeps nothing; delete removes a blob', async () => {
    await expect(blobs.put('c0/d0', pieces(randomBytes(CHUNK_BYTES * 2), 50_000), CHUNK_BYTES)).rejects.toBeInstanceOf(BlobTooLargeError)
    if (kind === 'local') expect(readdirSync(join(dir, 'blobs')).filter((f) => f.startsWith('c0'))).toEqual([])
    else expect(await store.db.selectFrom('blob_chunk').select('seq').where('blob_key', '=', 'c0/d0').execute()).toEqual([])
    await blobs.put('e0/f0', pieces(Buffer.from('bye'), 3), 10)
    await blobs.delete('e0/f0')
    await blobs.delete('e0/f0')
    await expect(collect(blobs.read('e0/f0', 3, 0, 2))).rejects.toThrow()
  })
})
