import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { databaseBlobStore } from '../../src/storage/blobs/database-blob-store.js'
import { openStore, type Store } from '../../src/storage/store.js'
import { exportStore, importStore } from '../../src/storage/transfer.js'

/**
 * `octavo export` / `import` carry the database blob store's bytes (file uploads, ADR 18): a blob of
 * several 256 KiB chunks survives the round trip byte for byte (JSON Lines hold it as base64).
 */
describe('export and import of blob chunks', () => {
  const stores: Store[] = []
  afterAll(async () => {
    for (const s of stores) await s.close()
  })

  it('round-trips a multi-chunk blob', async () => {
    const key = randomBytes(32)
    const source = await openStore(':memory:')
    const target = await openStore(':memory:')
    stores.push(source, target)
    const data = randomBytes(600_000)
    async function* one() {
      yield data
    }
    await databaseBlobStore(source.db).put('ab/cd', one(), 1e9)
    const lines: string[] = []
    await exportStore(source, key, (l) => void lines.push(l))
    expect(lines.filter((l) => l.includes('"t":"blob_chunk"'))).toHaveLength(3)
    await importStore(
      target,
      key,
      (async function* () {
        yield* lines
      })(),
    )
    const out: Buffer[] = []
    for await (const c of databaseBlobStore(target.db).read('ab/cd', data.length, 0, data.length - 1)) out.push(Buffer.from(c))
    expect(Buffer.concat(out).equals(data)).toBe(true)
  })
})
