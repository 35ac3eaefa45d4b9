import { join } from 'node:path'
import type { FileSettings } from '../../config.js'
import type { Store } from '../store.js'
import type { BlobStore } from './blob-store.js'
import { databaseBlobStore } from './database-blob-store.js'
import { localBlobStore } from './local-blob-store.js'
import { s3BlobStore } from './s3-blob-store.js'

/**
 * The blob store the configuration names (`OCTAVO_BLOB_STORE`, docs/file-uploads.md): `database`
 * (chunked rows of `store`), `s3` (an S3-compatible bucket, `files.s3`), or `local`
 * (`<dataDir>/blobs`). Absent settings: `database` on PostgreSQL, else `local`.
 * @throws Error when `s3` is chosen without S3 settings.
 */
export function openBlobStore(files: Pick<FileSettings, 'blobStore' | 's3'> | undefined, store: Store, dataDir: string): BlobStore {
  const kind = files?.blobStore ?? (store.dialect === 'postgres' ? 'database' : 'local')
  if (kind === 'database') return databaseBlobStore(store.db)
  if (kind === 's3') {
    if (!files?.s3) throw new Error('OCTAVO_BLOB_STORE=s3 needs OCTAVO_S3_BUCKET (and usually OCTAVO_S3_ENDPOINT and credentials).')
    return s3BlobStore(files.s3)
  }
  return localBlobStore(join(dataDir, 'blobs'))
}
