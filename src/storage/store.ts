import SQLite from 'better-sqlite3'
import { chmodSync, closeSync, existsSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { Kysely, Migrator, SqliteDialect, sql, type Transaction } from 'kysely'
import type { Database } from './database.js'
import { migrationProvider } from './migrations/index.js'
import { resetEvents } from './repositories/events.repository.js'
import { FALLBACK_AUTOCHECKPOINT_PAGES, startCheckpointer, type CheckpointerOptions } from './checkpointer.js'
import { cachingDatabase } from './statement-cache.js'
import { registerDirectReader } from './direct-reads.js'

/** A Kysely handle: the database itself or an open transaction. Repositories take either. */
export type Db = Kysely<Database> | Transaction<Database>

/**
 * The storage seam. Services reach the database only through a Store and the repository functions
 * in `storage/repositories/`, so a PostgreSQL store is a second dialect here, not a rewrite.
 */
export interface Store {
  readonly db: Kysely<Database>
  readonly dialect: 'sqlite' | 'postgres'
  /**
   * Runs `fn` in one transaction; every write of a service call goes through here. SQLite runs one
   * writer at a time; PostgreSQL runs SERIALIZABLE and re-runs `fn` on a serialization failure or a
   * deadlock (so `fn` must only touch the database, which every service callback does).
   */
  transaction<T>(fn: (trx: Db) => Promise<T>): Promise<T>
  /** Applies pending migrations; returns the names applied now (empty when already current). */
  migrate(): Promise<string[]>
  /** Migrations applied in the store and those this build would still apply. */
  migrationStatus(): Promise<MigrationStatus>
  /** One round trip to the database. @throws when it is unreachable. */
  ping(): Promise<void>
  /** Connection pool use (PostgreSQL), or null for SQLite's single connection. */
  poolStats(): PoolStats | null
  /**
   * Deletes every row of every table (the admin API's and CLI's `reset`), leaving one `store.reset`
   * change event by `at.actor` so the event sequence stays monotonic (events.repository.ts `resetEvents`).
   */
  truncateAll(at: { actor: string; time: string }): Promise<void>
  close(): Promise<void>
  /**
   * Copies the whole store (every table, the migration records included) into an image this process
   * keeps: SQLite `serialize()` (one in-memory byte copy), PostgreSQL a copy of each table into a
   * schema of its own. Snapshots (`services/snapshots.service.ts`, ADR 23) are built on it. Absent on a
   * store that cannot do it.
   */
  saveImage?(): Promise<StoreImage>
  /**
   * Replaces the store's whole content with `image`, all at once. SQLite swaps in a new connection
   * opened on the image (for a file store, after writing the image to the file), so requests issued
   * afterwards see only the image; PostgreSQL empties and refills every table in one transaction.
   * @throws Error when the image belongs to another store.
   */
  restoreImage?(image: StoreImage): Promise<void>
  /** Frees an image (drops its schema on PostgreSQL). */
  dropImage?(image: StoreImage): Promise<void>
}

/** A whole-store copy made by `Store.saveImage`: opaque outside the store that made it. */
export interface StoreImage {
  readonly dialect: Store['dialect']
  /** Bytes held (SQLite) or the schema name (PostgreSQL); for reports. */
  readonly size: number | string
}

/**
 * A write that lost to concurrent writes after the store's retries (PostgreSQL serialization failure
 * or deadlock, SQLite busy past its timeout). Nothing of it was committed; the HTTP layer answers
 * Notion's 409 `conflict_error` ("Conflict occurred while saving. Please try again."), which the SDK
 * and clients treat as retryable.
 */
export class StoreConflictError extends Error {
  constructor(cause: unknown) {
    super('The write conflicted with concurrent writes; nothing was saved.', { cause })
    this.name = 'StoreConflictError'
  }
}

/** Whether `err` is a lost write race: a StoreConflictError, or SQLite's SQLITE_BUSY. */
export function isStoreConflict(err: unknown): boolean {
  if (err instanceof StoreConflictError) return true
  const code = (err as { code?: unknown } | null)?.code
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT'
}

export interface MigrationStatus {
  applied: string[]
  pending: string[]
}

export interface PoolStats {
  /** Open connections. */
  total: number
  idle: number
  /** Queries waiting for a free connection. */
  waiting: number
  max: number
}

/**
 * Every table, children before parents (the order `truncateAll` deletes in; `octavo import` loads
 * in the reverse order). New tables must be added here.
 */
export const TABLES: (keyof Database)[] = [
  'async_task',
  'custom_emoji',
  'workspace_export',
  'legal_hold_preserved',
  'legal_hold_user',
  'legal_hold',
  'webhook_dispatched',
  'webhook_cursor',
  'webhook_delivery',
  'webhook_subscription',
  'blob_chunk',
  'file_upload_part',
  'file_upload',
  'view_query',
  'view',
  'oauth_token',
  'oauth_code',
  'oauth_install',
  'public_connection',
  'portal_session',
  'user_password',
  'change_event',
  'workspace_pat_policy_group',
  'workspace_pat_policy',
  'personal_access_token',
  'comment',
  'root_acl',
  'group_member',
  'workspace_group',
  'page_grant',
  'data_source_value',
  'data_source',
  'block',
  'token',
  'connection',
  'workspace_member',
  'user',
  'workspace',
]

/**
 * Tables that are indexes, not data: kept current by triggers on the tables above (migration 0019's
 * SQLite FTS5 title index `block_title_fts`, with its shadow tables `block_title_fts_*`), never
 * exported, imported or reset on their own — writing `block` rows rebuilds them.
 */
export const DERIVED_TABLE_PREFIXES: readonly string[] = ['block_title_fts']

/**
 * The migrator. Migrations are numbered per issue and land in any order (0006 may ship before
 * 0002–0005), so a store that already applied a later number still applies an earlier one it lacks
 * (`allowUnorderedMigrations`); each migration touches only its own tables and columns.
 */
function migrator(db: Kysely<Database>, migrationTableSchema: string | undefined): Migrator {
  return new Migrator({
    db,
    provider: migrationProvider,
    allowUnorderedMigrations: true,
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  })
}

/** Runs the migrations on `db`; returns the names applied now. @throws Error naming the failed migration. */
export async function runMigrations(db: Kysely<Database>, migrationTableSchema?: string): Promise<string[]> {
  const { error, results } = await migrator(db, migrationTableSchema).migrateToLatest()
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown'
    throw new Error(`Migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}

/** Applied and pending migrations of `db`, by name, in order. */
export async function readMigrationStatus(db: Kysely<Database>, migrationTableSchema?: string): Promise<MigrationStatus> {
  const all = await migrator(db, migrationTableSchema).getMigrations()
  return { applied: all.filter((m) => m.executedAt).map((m) => m.name), pending: all.filter((m) => !m.executedAt).map((m) => m.name) }
}

/**
 * Opens the store a database URL names: `postgres://…` / `postgresql://…` (PostgreSQL, see
 * `postgres-store.ts`; `?schema=<name>` selects a schema, created when absent), `file:<path>` or a
 * bare path (SQLite), or `:memory:`. Migrates it to the latest schema unless `migrate` is false.
 * @throws Error when the store cannot be reached, opened or migrated.
 */
export async function openStore(
  url: string,
  opts: { migrate?: boolean; poolMax?: number; synchronous?: SqliteSynchronous; busyTimeoutMs?: number; checkpointer?: false } = {},
): Promise<Store> {
  let store: Store
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { createPostgresStore } = await import('./postgres-store.js')
    store = await createPostgresStore(url, opts)
  } else store = await createSqliteStore(url.startsWith('file:') ? url.slice('file:'.length) : url, opts)
  openedFrom.set(store, url)
  return store
}

const openedFrom = new WeakMap<Store, string>()

/**
 * The URL `openStore` opened `store` from, if it did; undefined for a store made otherwise (e.g. from
 * an image). Another connection can open the same store from it unless it names an in-memory database.
 */
export function storeUrl(store: Store): string | undefined {
  return openedFrom.get(store)
}

/**
 * SQLite's `PRAGMA synchronous` in WAL mode (https://sqlite.org/pragma.html#pragma_synchronous):
 * - `normal`: a commit survives the process crashing; on power loss or an OS crash the last
 *   transactions before it may roll back (the database stays consistent). Fast: WAL is synced only
 *   at checkpoints.
 * - `full`: the WAL is synced at every commit, so a commit also survives power loss, at the cost of
 *   one fsync per commit.
 */
export type SqliteSynchronous = 'normal' | 'full'

/** Whether a SQLite path names a file (not `:memory:` or an anonymous temporary database). */
const isFilePath = (path: string) => path !== '' && path !== ':memory:'

/**
 * Restricts `file` to its owner (0600) when it exists and others may read or write it. The store
 * holds every page, sealed token and password hash, so it gets the key files' mode.
 */
function ownerOnly(file: string): void {
  if (existsSync(file) && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600)
}

/** SQLite images' bytes (an image restores into any SQLite store of the same build). */
const sqliteImages = new WeakMap<StoreImage, Buffer>()

/**
 * Opens the SQLite store at `path` (`:memory:` for a private in-memory database) in WAL mode and
 * migrates it to the latest schema. A new database file is created with mode 0600 before SQLite
 * opens it (SQLite gives its `-wal` and `-shm` files the database file's mode); an existing one,
 * and its `-wal` and `-shm`, are tightened to 0600. `synchronous` (default `normal`) is the
 * durability level, see SqliteSynchronous. `busyTimeoutMs` (default 5,000) is how long a statement
 * waits, inside SQLite, for another connection's write lock before failing with SQLITE_BUSY (SQLite
 * sleeps 1, 2, 5, 10, … up to 100 ms between tries); 0 fails at once, for a caller that retries on its
 * own terms (the webhook worker thread, ADR 34). A file store checkpoints its WAL in a worker thread
 * (checkpointer.ts; `checkpointer` sets its timing, `false` leaves checkpoints to SQLite's own: for a
 * second connection to a file whose owner already runs one, as the webhook thread's).
 * @throws Error when the file cannot be opened or a migration fails.
 */
export async function createSqliteStore(
  path: string,
  opts: {
    migrate?: boolean
    synchronous?: SqliteSynchronous
    from?: Buffer
    busyTimeoutMs?: number
    checkpointer?: CheckpointerOptions | false
  } = {},
): Promise<Store> {
  const onFile = isFilePath(path)
  if (onFile) {
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600))
    ownerOnly(path)
  }
  const open = (source: string | Buffer): SQLite.Database => {
    const sqlite = new SQLite(source)
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma(`synchronous = ${opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}`)
    if (onFile) for (const suffix of ['-wal', '-shm']) ownerOnly(path + suffix)
    sqlite.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`)
    sqlite.pragma('foreign_keys = ON')
    // Checkpoints run in the checkpointer's thread; this connection's own is only a safety net.
    if (onFile && opts.checkpointer !== false) sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`)
    return sqlite
  }
  // Kysely talks to `connection`, which forwards to the current better-sqlite3 handle, so
  // restoreImage can replace the handle under the one Kysely instance that everything holds.
  // `from`: an in-memory store starting as a copy of those bytes (`migratedSqliteImage`).
  let raw = open(opts.from && !onFile ? opts.from : path)
  // WAL checkpoints off the event loop (checkpointer.ts), for a file store.
  const checkpointer = onFile && opts.checkpointer !== false ? startCheckpointer(path, opts.checkpointer) : undefined
  // Prepared statements are cached per handle (statement-cache.ts); a new handle gets a new cache.
  let cached = cachingDatabase(raw)
  // Transactions begin IMMEDIATE (Kysely sends a deferred `begin`): the write lock is taken at the start
  // and waits on `busy_timeout` while another connection writes (the webhook worker thread's, ADR 34).
  // A deferred transaction that read first would instead fail at its first write with SQLITE_BUSY,
  // without waiting, whenever another connection committed since its read began.
  const connection = {
    prepare: (text: string) => cached.prepare(text === 'begin' ? 'begin immediate' : text),
    close: () => cached.close(),
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) })
  // Compiled reads outside a transaction skip Kysely's connection queue (direct-reads.ts, ADR 38). An
  // open transaction (`raw.inTransaction`: Kysely holds the connection between its statements) sends
  // them through the queue, so they never see its uncommitted rows.
  registerDirectReader(db, (text, parameters) => {
    if (raw.inTransaction) return undefined
    const stmt = cached.prepare(text)
    return stmt.reader ? (stmt.all(parameters) as unknown[]) : undefined
  })
  const images = sqliteImages
  // Holding Kysely's single connection, so no transaction of this store is half-way through.
  const exclusive = <T>(fn: () => T): Promise<T> => db.connection().execute(async () => fn())
  const store: Store = {
    db,
    dialect: 'sqlite',
    transaction: (fn) => db.transaction().execute(fn),
    migrate: () => runMigrations(db),
    migrationStatus: () => readMigrationStatus(db),
    ping: async () => {
      await sql`select 1`.execute(db)
    },
    poolStats: () => null,
    truncateAll: async (at) => {
      await db.transaction().execute(async (trx) => {
        for (const table of TABLES) if (table !== 'change_event') await trx.deleteFrom(table).execute()
        await resetEvents(trx, at)
      })
    },
    close: async () => {
      await checkpointer?.stop()
      await db.destroy()
    },
    saveImage: async () => {
      const bytes = await exclusive(() => raw.serialize())
      // A serialized WAL database says so in its header (bytes 18–19 = 2) and cannot be opened in
      // memory that way; 1 (rollback journal) opens it, and the WAL pragma switches a file back.
      bytes[18] = 1
      bytes[19] = 1
      const image: StoreImage = { dialect: 'sqlite', size: bytes.length }
      images.set(image, bytes)
      return image
    },
    restoreImage: async (image) => {
      const bytes = images.get(image)
      if (!bytes) throw new Error('This snapshot image is not a SQLite image.')
      // better-sqlite3 copies the bytes into the new database, so the image stays reusable.
      const copy = bytes
      await exclusive(async () => {
        const old = cached
        if (onFile) {
          // The checkpointer's connection must not outlive the files it maps.
          await checkpointer?.stop()
          old.close()
          for (const suffix of ['-wal', '-shm']) rmSync(path + suffix, { force: true })
          writeFileSync(path, copy, { mode: 0o600 })
          raw = open(path)
          checkpointer?.start()
        } else {
          raw = open(copy)
          old.close()
        }
        cached = cachingDatabase(raw)
      })
    },
    dropImage: async (image) => {
      images.delete(image)
    },
  }
  if (opts.migrate !== false) {
    try {
      await store.migrate()
    } catch (err) {
      await checkpointer?.stop()
      throw err
    }
  }
  return store
}

/**
 * The bytes of an empty in-memory SQLite store migrated to this build's latest schema, for
 * `createSqliteStore(':memory:', { from })`: the test library migrates once per process and starts every
 * later store from the copy (ADR 23).
 */
export async function migratedSqliteImage(): Promise<Buffer> {
  const store = await createSqliteStore(':memory:')
  try {
    return sqliteImages.get(await store.saveImage!())!
  } finally {
    await store.close()
  }
}
