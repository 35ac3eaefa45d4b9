import type { Db } from '../store.js'
import { deleteBlobChunks, insertBlobChunk, listBlobKeys, readBlobChunks } from '../repositories/blob-chunks.repository.js'
import { BlobTooLargeError, type BlobStore } from './blob-store.js'

/** Bytes per `blob_chunk` row: small enough to hold a few in memory per upload in flight. */
export const CHUNK_BYTES = 256 * 1024

/**
 * Blobs as rows of `blob_chunk` in the store's database (PostgreSQL `bytea`, SQLite `blob`), so
 * every node of a multi-node deployment reads what any node wrote. Incoming bytes are gathered into
 * `CHUNK_BYTES` chunks and inserted one by one (each its own statement, outside any transaction:
 * a blob is not visible to anyone until a `file_upload_part` row names it). Reads fetch four chunks
 * per query.
 */
export function databaseBlobStore(db: Db): BlobStore {
  return {
    kind: 'database',
    async put(key, source, maxBytes) {
      let size = 0
      let seq = 0
      let pending: Buffer[] = []
      let pendingBytes = 0
      const flush = async (all: boolean) => {
        while (pendingBytes >= CHUNK_BYTES || (all && pendingBytes > 0)) {
          const joined = Buffer.concat(pending, pendingBytes)
          const chunk = joined.subarray(0, Math.min(CHUNK_BYTES, joined.length))
          const rest = joined.subarray(chunk.length)
          await insertBlobChunk(db, key, seq++, chunk)
          pending = rest.length ? [rest] : []
          pendingBytes = rest.length
        }
      }
      try {
        for await (const piece of source) {
          size += piece.byteLength
          if (size > maxBytes) throw new BlobTooLargeError(maxBytes)
          pending.push(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength))
          pendingBytes += piece.byteLength
          if (pendingBytes >= CHUNK_BYTES) await flush(false)
        }
        await flush(true)
        return size
      } catch (err) {
        await deleteBlobChunks(db, key)
        throw err
      }
    },
    async *read(key, _size, start, end) {
      if (end < start) return
      let seq = Math.floor(start / CHUNK_BYTES)
      const last = Math.floor(end / CHUNK_BYTES)
      while (seq <= last) {
        const chunks = await readBlobChunks(db, key, seq, Math.min(4, last - seq + 1))
        if (chunks.length === 0) throw new Error(`Blob ${key} is missing chunk ${seq}.`)
        for (const data of chunks) {
          const base = seq * CHUNK_BYTES
          const from = Math.max(0, start - base)
          const to = Math.min(data.byteLength, end - base + 1)
          yield Buffer.from(data.buffer, data.byteOffset + from, to - from)
          seq++
        }
      }
    },
    async delete(key) {
      await deleteBlobChunks(db, key)
    },
    async *list() {
      yield* await listBlobKeys(db)
    },
  }
}
