import type { S3Client } from '@aws-sdk/client-s3'
import { BlobTooLargeError, type BlobStore } from './blob-store.js'

/** Where and how to reach an S3-compatible bucket (`OCTAVO_S3_*`, read in config.ts). Holds credentials: never log it. */
export interface S3Settings {
  /** e.g. `http://127.0.0.1:9000`; unset = AWS's own endpoint for `region`. */
  endpoint: string | undefined
  region: string
  bucket: string
  /** Prepended to every blob key (e.g. `octavo/`). */
  prefix: string
  accessKeyId: string | undefined
  secretAccessKey: string | undefined
  /** Path-style URLs (`<endpoint>/<bucket>/<key>`), which most self-hosted S3 servers need. */
  forcePathStyle: boolean
}

/**
 * S3 wants parts of at least 5 MiB (but the last) in a multipart upload; a blob up to this size is one
 * `PutObject`. At most this many bytes of a blob are held in memory while it is written.
 */
export const S3_PART_BYTES = 5 * 1024 * 1024

/**
 * Blobs as objects of an S3-compatible bucket (`OCTAVO_BLOB_STORE=s3`), so every node serves every file
 * without putting bytes in the database. `@aws-sdk/client-s3` is loaded on first use, so other
 * deployments never load it. A blob is streamed: up to 5 MiB is gathered, then either sent as one
 * `PutObject` or, when more follows, as a multipart upload of 5 MiB parts (aborted on error or over
 * `maxBytes`, so nothing of a refused blob stays). Reads are ranged `GetObject`s; `list` pages through
 * `ListObjectsV2` under the prefix. The bucket must exist.
 * @throws the SDK's errors (e.g. `NoSuchBucket`, credentials) from the first operation.
 */
export function s3BlobStore(settings: S3Settings): BlobStore {
  let loaded: Promise<{ client: S3Client; sdk: typeof import('@aws-sdk/client-s3') }> | undefined
  const s3 = () =>
    (loaded ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        region: settings.region,
        ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
        forcePathStyle: settings.forcePathStyle,
        ...(settings.accessKeyId && settings.secretAccessKey
          ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
          : {}),
      }),
    })))
  const Bucket = settings.bucket
  const objectKey = (key: string) => `${settings.prefix}${key}`
  return {
    kind: 's3',
    async put(key, source, maxBytes) {
      const { client, sdk } = await s3()
      const Key = objectKey(key)
      let size = 0
      let pending: Buffer[] = []
      let pendingBytes = 0
      let uploadId: string | undefined
      const parts: { ETag: string | undefined; PartNumber: number }[] = []
      const sendPart = async (body: Buffer) => {
        if (uploadId === undefined) {
          const made = await client.send(new sdk.CreateMultipartUploadCommand({ Bucket, Key }))
          uploadId = made.UploadId
        }
        const PartNumber = parts.length + 1
        const done = await client.send(
          new sdk.UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body: body, ContentLength: body.length }),
        )
        parts.push({ ETag: done.ETag, PartNumber })
      }
      try {
        for await (const piece of source) {
          size += piece.byteLength
          if (size > maxBytes) throw new BlobTooLargeError(maxBytes)
          pending.push(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength))
          pendingBytes += piece.byteLength
          if (pendingBytes >= S3_PART_BYTES) {
            const joined = Buffer.concat(pending, pendingBytes)
            pending = []
            pendingBytes = 0
            await sendPart(joined)
          }
        }
        const rest = Buffer.concat(pending, pendingBytes)
        if (uploadId === undefined) {
          await client.send(new sdk.PutObjectCommand({ Bucket, Key, Body: rest, ContentLength: rest.length }))
        } else {
          if (rest.length > 0) await sendPart(rest)
          await client.send(new sdk.CompleteMultipartUploadCommand({ Bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }))
        }
        return size
      } catch (err) {
        if (uploadId !== undefined)
          await client.send(new sdk.AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId })).catch(() => {})
        throw err
      }
    },
    async *read(key, _size, start, end) {
      if (end < start) return
      const { client, sdk } = await s3()
      const got = await client.send(new sdk.GetObjectCommand({ Bucket, Key: objectKey(key), Range: `bytes=${start}-${end}` }))
      if (!got.Body) return
      yield* got.Body as AsyncIterable<Uint8Array>
    },
    async delete(key) {
      const { client, sdk } = await s3()
      await client.send(new sdk.DeleteObjectCommand({ Bucket, Key: objectKey(key) }))
    },
    async *list() {
      const { client, sdk } = await s3()
      let ContinuationToken: string | undefined
      do {
        const page = await client.send(
          new sdk.ListObjectsV2Command({ Bucket, Prefix: settings.prefix, ...(ContinuationToken ? { ContinuationToken } : {}) }),
        )
        for (const o of page.Contents ?? []) if (o.Key) yield o.Key.slice(settings.prefix.length)
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined
      } while (ContinuationToken)
    },
  }
}
