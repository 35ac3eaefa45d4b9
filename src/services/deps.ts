import type { Secrets } from '../auth/secrets.js'
import type { Config, FileSettings } from '../config.js'
import type { Clock } from '../domain/clock.js'
import type { Logger } from '../logger.js'
import type { BlobStore } from '../storage/blobs/blob-store.js'
import type { Store } from '../storage/store.js'
import type { BackgroundTasks } from './async-tasks.js'
import type { Caches } from './caches.js'

/**
 * What every service function needs, passed explicitly (no module-level state), so the API, the
 * admin API, the CLI and tests all run the same code against the store they were given.
 */
export interface Deps {
  store: Store
  secrets: Secrets
  clock: Clock
  logger: Logger
  config: Pick<Config, 'rateLimits'>
  /** Base of object `url`s, e.g. `http://127.0.0.1:7700`. */
  publicUrl: string
  /** In-process token and ACL caches (services/caches.ts); absent when turned off. */
  caches?: Caches
  /** Where uploaded files' bytes live (storage/blobs/); see docs/file-uploads.md. */
  blobs: BlobStore
  /** File-upload settings (`external_url` imports). */
  files: Pick<FileSettings, 'importAllowPrivate' | 'importTimeoutSeconds'>
  /** Async tasks' work in flight in this process (services/async-tasks.ts), drained on stop. */
  tasks?: BackgroundTasks
}
