/**
 * The blob store: where the bytes of file uploads live (ADR 18, docs/file-uploads.md). Two
 * implementations: a directory under the data dir (`local-blob-store.ts`, the default with SQLite)
 * chunked rows in the database (`database-blob-store.ts`, the default with PostgreSQL, so any
 * node serves any file), and an S3-compatible bucket (`s3-blob-store.ts`, `OCTAVO_BLOB_STORE=s3`).
 * Blobs are written once, read by byte range, and deleted. Keys are `<upload id>/<uuid>`.
 */
export interface BlobStore {
  /** `database` blobs live in the store's own tables (so snapshots and exports carry them as rows). */
  readonly kind: 'local' | 'database' | 's3'
  /**
   * Writes `source` under `key` while it streams, never holding more than a chunk in memory.
   * Stops reading and removes what was written as soon as more than `maxBytes` arrived.
   * @returns the number of bytes written
   * @throws BlobTooLargeError over `maxBytes`; the source's own error when it fails
   */
  put(key: string, source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<number>
  /** Streams bytes `start` … `end` (inclusive, 0-based) of the blob of `size` bytes. */
  read(key: string, size: number, start: number, end: number): AsyncIterable<Uint8Array>
  /** Removes a blob; a missing blob is not an error. */
  delete(key: string): Promise<void>
  /** Every whole blob's key (not blobs still being written), for the sweep's orphan scan. */
  list(): AsyncIterable<string>
}

/** A blob passed the size it was allowed (`limit` bytes); nothing of it is kept. */
export class BlobTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The blob is larger than ${limit} bytes.`)
    this.name = 'BlobTooLargeError'
  }
}

/** One blob among several read as one file (the parts of a multi-part upload, in order). */
export interface BlobPart {
  key: string
  size: number
}

/**
 * Streams bytes `start` … `end` (inclusive) of the concatenation of `parts`, reading only the parts
 * (and, within them, the ranges) that overlap it.
 */
export async function* readParts(store: BlobStore, parts: BlobPart[], start: number, end: number): AsyncIterable<Uint8Array> {
  let offset = 0
  for (const part of parts) {
    const from = Math.max(start, offset)
    const to = Math.min(end, offset + part.size - 1)
    if (from <= to) yield* store.read(part.key, part.size, from - offset, to - offset)
    offset += part.size
    if (offset > end) return
  }
}
