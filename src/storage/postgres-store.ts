import pg from 'pg'
import { randomBytes } from 'node:crypto'
import {
  Kysely,
  OperationNodeTransformer,
  PostgresDialect,
  RawNode,
  sql,
  type ColumnDefinitionNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely'
import type { Database } from './database.js'
import { redactDatabaseUrl } from './database-url.js'
import { statementName } from './named-statements.js'
import { resetEvents } from './repositories/events.repository.js'
import { StoreConflictError, TABLES, readMigrationStatus, runMigrations, type Db, type Store, type StoreImage } from './store.js'

/**
 * The PostgreSQL store (PostgreSQL 15+, through `pg` with a connection pool), behind the same
 * `Store` interface, running the same Kysely migrations and the same repository queries as SQLite
 * (docs/adr/0011-postgres-and-redis.md). Three things make the two engines agree:
 *
 * - **Byte-order text.** Every `text` column is created `COLLATE "C"` (a schema-builder plugin
 *   rewrites the DDL of every migration, current and future), so `ORDER BY id`, keyset cursors and
 *   the `path` range scans compare bytes, as SQLite does, whatever the database's locale.
 * - **Numbers are numbers.** `bigint` (and `numeric`) results are parsed to JS numbers, as
 *   better-sqlite3 returns them; counts and sums are therefore numbers on both stores.
 * - **Serializable transactions.** Permission-root rewrites read then write a subtree; SQLite runs
 *   one writer at a time, PostgreSQL gets the same guarantee from SERIALIZABLE, with the
 *   transaction re-run on a serialization failure (40001) or deadlock (40P01).
 *
 * URL: `postgres://user:password@host:port/database[?schema=<name>]`; with `schema` the store lives
 * in that schema (created when absent), else in the connection's current schema (usually `public`).
 */

const INT8_OID = 20
const NUMERIC_OID = 1700
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value)
    return pg.types.getTypeParser(oid, format)
  },
} as pg.CustomTypesConfig

/** Rewrites `text` column definitions to `text collate "C"` (byte order, like SQLite). */
class ByteOrderTextTransformer extends OperationNodeTransformer {
  protected override transformColumnDefinition(node: ColumnDefinitionNode): ColumnDefinitionNode {
    const out = super.transformColumnDefinition(node)
    const type = out.dataType as { kind: string; dataType?: string }
    if (type.kind === 'DataTypeNode' && type.dataType === 'text') return { ...out, dataType: RawNode.createWithSql('text collate "C"') }
    return out
  }
}

/** Kysely plugin applying `ByteOrderTextTransformer` to schema statements. */
export class ByteOrderTextPlugin implements KyselyPlugin {
  readonly #transformer = new ByteOrderTextTransformer()
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const k = args.node.kind
    if (k === 'CreateTableNode' || k === 'AlterTableNode') return this.#transformer.transformNode(args.node)
    return args.node
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result
  }
}

/** Splits `?schema=` off a PostgreSQL URL. @throws Error on an invalid schema name. */
export function parsePostgresUrl(url: string): { connectionString: string; schema: string | undefined } {
  const u = new URL(url)
  const schema = u.searchParams.get('schema') ?? undefined
  u.searchParams.delete('schema')
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`Invalid configuration OCTAVO_DATABASE_URL: schema must match ${SCHEMA_NAME.source}, got "${schema}".`)
  }
  return { connectionString: u.toString(), schema }
}

/**
 * A pool client that sends the hot statements registered in `named-statements.ts` as named prepared
 * statements (`{ name, text, values }`): parsed and planned once per connection, then bound and run.
 * Kysely calls `query(text, values)`; other calls pass through unchanged.
 */
class NamedStatementClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [text, values] = args
    if (args.length === 2 && typeof text === 'string' && Array.isArray(values)) {
      const name = statementName(text)
      if (name) return (super.query as unknown as (c: pg.QueryConfig) => never)({ name, text, values })
    }
    return (super.query as unknown as (...a: unknown[]) => never)(...args)
  }
}

const RETRYABLE = new Set(['40001', '40P01'])
const MAX_ATTEMPTS = 10

/**
 * Opens a PostgreSQL store and (unless `migrate` is false) migrates it. Concurrent nodes starting
 * together are safe: the URL's schema is created under an advisory lock on its name, and Kysely's
 * migrator holds a PostgreSQL advisory lock while it migrates.
 * @param opts.poolMax pool size per process (default 10).
 * @throws Error when the server is unreachable, the schema name is invalid, or a migration fails.
 */
export async function createPostgresStore(url: string, opts: { migrate?: boolean; poolMax?: number } = {}): Promise<Store> {
  const { connectionString, schema } = parsePostgresUrl(url)
  const max = opts.poolMax ?? 10
  const pool = new pg.Pool({
    connectionString,
    max,
    Client: NamedStatementClient,
    types: typeParsers,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  })
  // An idle client losing its connection (server restart) must not crash the process; the pool
  // replaces it and the next query reports the failure.
  pool.on('error', () => {})
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new ByteOrderTextPlugin()] })
  let migrationSchema: string
  try {
    // `create schema if not exists` is not safe against itself: two nodes starting together on a new
    // schema can both find it missing, and one then fails on pg_namespace's unique index (23505).
    // A transaction-scoped advisory lock on the schema's name lets one create it, the other find it.
    if (schema)
      await db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(hashtext(${`octavo:create schema:${schema}`}))`.execute(trx)
        await sql`create schema if not exists ${sql.id(schema)}`.execute(trx)
      })
    migrationSchema = schema ?? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]!.s
  } catch (err) {
    await db.destroy()
    throw new Error(`Cannot reach PostgreSQL at ${redactDatabaseUrl(url)}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    })
  }

  const images = new WeakMap<StoreImage, string>()
  let imageCount = 0
  const live = new Set<string>()
  const store: Store = {
    db,
    dialect: 'postgres',
    transaction: async <T>(fn: (trx: Db) => Promise<T>): Promise<T> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await db.transaction().setIsolationLevel('serializable').execute(fn)
        } catch (err) {
          const code = (err as { code?: unknown }).code
          if (typeof code !== 'string' || !RETRYABLE.has(code)) throw err
          if (attempt >= MAX_ATTEMPTS) throw new StoreConflictError(err)
          // Full jitter, doubling up to 200 ms, so writers that keep colliding spread out.
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** attempt)))
        }
      }
    },
    migrate: () => runMigrations(db, migrationSchema),
    migrationStatus: () => readMigrationStatus(db, migrationSchema),
    ping: async () => {
      await sql`select 1`.execute(db)
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max }),
    truncateAll: async (at) => {
      await store.transaction(async (trx) => {
        for (const table of TABLES) if (table !== 'change_event') await trx.deleteFrom(table).execute()
        await resetEvents(trx, at)
      })
    },
    close: async () => {
      // Images live as long as the store that made them.
      for (const name of live) await sql`drop schema if exists ${sql.id(name)} cascade`.execute(db).catch(() => {})
      await db.destroy()
    },
    // Images are schema copies: `<store schema>_img_<n>` holds one plain copy of each table (no
    // indexes or constraints: it is only read back). Restore empties every table and refills it from
    // the copy, parents first, in one transaction, then moves change_event's identity past its rows.
    saveImage: async () => {
      const name = `${migrationSchema}_img_${++imageCount}_${randomBytes(3).toString('hex')}`.slice(-63)
      await db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          await sql`create schema ${sql.id(name)}`.execute(trx)
          for (const table of TABLES) await sql`create table ${sql.id(name, table)} as table ${sql.id(migrationSchema, table)}`.execute(trx)
        })
      const image: StoreImage = { dialect: 'postgres', size: name }
      images.set(image, name)
      live.add(name)
      return image
    },
    restoreImage: async (image) => {
      const name = images.get(image)
      if (!name) throw new Error('This snapshot image belongs to another store.')
      await store.transaction(async (trx) => {
        await sql`truncate ${sql.join(TABLES.map((t) => sql.id(migrationSchema, t)))}`.execute(trx)
        for (const table of [...TABLES].reverse())
          await sql`insert into ${sql.id(migrationSchema, table)} select * from ${sql.id(name, table)}`.execute(trx)
        await sql`select setval(pg_get_serial_sequence(${`${migrationSchema}.change_event`}, 'seq'), coalesce((select max(seq) from ${sql.id(migrationSchema, 'change_event')}), 0) + 1, false)`.execute(
          trx,
        )
      })
    },
    dropImage: async (image) => {
      const name = images.get(image)
      if (!name) return
      images.delete(image)
      live.delete(name)
      await sql`drop schema if exists ${sql.id(name)} cascade`.execute(db)
    },
  }
  if (opts.migrate !== false) {
    try {
      await store.migrate()
    } catch (err) {
      await db.destroy()
      throw err
    }
  }
  return store
}

/** Drops a schema and everything in it (tests and `octavo` tooling only). */
export async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`Invalid schema name "${schema}".`)
  const client = new pg.Client({ connectionString: parsePostgresUrl(url).connectionString })
  await client.connect()
  try {
    await client.query(`drop schema if exists "${schema}" cascade`)
  } finally {
    await client.end()
  }
}
