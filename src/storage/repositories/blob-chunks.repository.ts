import type { Db } from '../store.js'

/**
 * Rows of `blob_chunk` (migration 0009-file-uploads): the bytes of the database blob store
 * (storage/blobs/database-blob-store.ts), `blob_key` + `seq` (0, 1, …), each chunk the store's
 * chunk size except the last. No change events: blobs are an implementation detail of the
 * `file_upload` object, whose own writes (file-uploads.repository.ts) append the events.
 */

/** Stores one chunk. */
export async function insertBlobChunk(db: Db, key: string, seq: number, data: Uint8Array): Promise<void> {
  await db.insertInto('blob_chunk').values({ blob_key: key, seq, data }).execute()
}

/** Chunks `fromSeq` … `fromSeq + count - 1` of a blob, in order (fewer at its end). */
export async function readBlobChunks(db: Db, key: string, fromSeq: number, count: number): Promise<Uint8Array[]> {
  const rows = await db
    .selectFrom('blob_chunk')
    .select('data')
    .where('blob_key', '=', key)
    .where('seq', '>=', fromSeq)
    .where('seq', '<', fromSeq + count)
    .orderBy('seq')
    .execute()
  return rows.map((r) => r.data)
}

/** Deletes every chunk of a blob. */
export async function deleteBlobChunks(db: Db, key: string): Promise<void> {
  await db.deleteFrom('blob_chunk').where('blob_key', '=', key).execute()
}

/** The distinct keys of the blobs held (each blob's first chunk). */
export async function listBlobKeys(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('blob_chunk').select('blob_key').where('seq', '=', 0).execute()
  return rows.map((r) => r.blob_key)
}
