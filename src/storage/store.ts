import SQLite from 'better-sqlite3'
import { Kysely, Migrator, SqliteDialect, type Transaction } from 'kysely'
import type { Database } from './database.js'
import { migrationProvider } from './migrations/index.js'

/** A Kysely handle: the database itself or an open transaction. Repositories take either. */
export type Db = Kysely<Database> | Transaction<Database>

/**
 * The storage seam. Services reach the database only through a Store and the repository functions
 * in `storage/repositories/`, so a PostgreSQL store is a second dialect here, not a rewrite.
 */
export interface Store {
  readonly db: Kysely<Database>
  readonly dialect: 'sqlite'
  /** Runs `fn` in one transaction; every write of a service call goes through here. */
  transaction<T>(fn: (trx: Db) => Promise<T>): Promise<T>
  /** Applies pending migrations. */
  migrate(): Promise<void>
  /** Deletes every row of every table (the admin API's and CLI's `reset`). */
  truncateAll(): Promise<void>
  close(): Promise<void>
}

const TABLES: (keyof Database)[] = [
  'oauth_token',
  'oauth_code',
  'oauth_install',
  'public_connection',
  'portal_session',
  'user_password',
  'audit_log',
  'workspace_pat_policy_group',
  'workspace_pat_policy',
  'personal_access_token',
  'comment',
  'root_acl',
  'group_member',
  'workspace_group',
  'page_grant',
  'data_source',
  'block',
  'token',
  'connection',
  'workspace_member',
  'user',
  'workspace',
]

/**
 * Opens the SQLite store at `path` (`:memory:` for a private in-memory database) in WAL mode and
 * migrates it to the latest schema.
 * @throws Error when the file cannot be opened or a migration fails.
 */
export async function createSqliteStore(path: string): Promise<Store> {
  const sqlite = new SQLite(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) })
  const store: Store = {
    db,
    dialect: 'sqlite',
    transaction: (fn) => db.transaction().execute(fn),
    migrate: async () => {
      const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest()
      if (error) {
        const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown'
        throw new Error(`Migration ${failed} failed: ${String(error)}`, { cause: error })
      }
    },
    truncateAll: async () => {
      await db.transaction().execute(async (trx) => {
        for (const table of TABLES) await trx.deleteFrom(table).execute()
      })
    },
    close: () => db.destroy(),
  }
  await store.migrate()
  return store
}
