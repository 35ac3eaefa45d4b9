import { hkdfSync } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import { migrationProvider } from './migrations/index.js'
import { DERIVED_TABLE_PREFIXES, TABLES, type Store } from './store.js'
import type { BlobStore } from './blobs/blob-store.js'
import { CHUNK_BYTES } from './blobs/database-blob-store.js'

/**
 * Whole-store export and import (`octavo export` / `octavo import`), between SQLite and PostgreSQL in
 * either direction or as a backup file (docs/adr/0011-postgres-and-redis.md).
 *
 * Format: JSON Lines. Line 1 is the header
 * `{"format":"octavo-export","version":1,"dialect":"sqlite","migrations":[…],"exported_at":"…","key_check":"…"}`,
 * then one line per row `{"t":"<table>","r":{<column>:<value>,…}}`, tables parents first, each in
 * primary-key order, and a last line `{"end":true,"counts":{<table>:<rows>,…}}` (a file without it
 * was cut short and is refused). Rows are copied verbatim: ids, timestamps, token digests and sealed
 * token copies stay the same, so every token keeps working.
 *
 * Files: uploaded files' bytes travel inside the file as `blob_chunk` rows (`{blob_key, seq, data:
 * {base64}}`, 256 KiB chunks, `seq` 0, 1, …) whatever the blob store: the database store's own rows,
 * or, for a `local` or `s3` store (`blobs`), every blob a row names (`file_upload_part`, a custom emoji's
 * image, an Admin API export's ZIP), read from the store.
 * Import writes them back as rows into a database blob store, or into the `local`/`s3` store given.
 * So one export moves a workspace with its files between any two stores.
 *
 * Keys: the master key is NOT in the file (a backup holding it would let its reader reveal every
 * token). Token digests and sealed copies only work under the master key that made them, so the
 * header carries `key_check`, a one-way HKDF value of that key, and import refuses a target whose
 * master key differs (set `OCTAVO_SECRET_KEY` or copy `master.key`).
 */

export const EXPORT_FORMAT = 'octavo-export'
export const EXPORT_VERSION = 1

export interface ExportHeader {
  format: typeof EXPORT_FORMAT
  version: number
  dialect: Store['dialect']
  migrations: string[]
  exported_at: string
  key_check: string
}

export interface TransferProgress {
  table: string
  done: number
  total: number
}

/** A one-way check value of the master key (HKDF with its own label; reveals nothing usable). */
export function keyCheck(masterKey: Buffer): string {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), Buffer.from('octavo export key check v1'), 16)).toString('hex')
}

// Dynamic table names: the typed Database schema does not apply here.
type AnyDb = Kysely<Record<string, Record<string, unknown>>>

/** The primary-key columns of `table`, in key order. @throws Error when the table has none. */
async function primaryKey(store: Store, db: AnyDb, table: string): Promise<string[]> {
  const rows =
    store.dialect === 'sqlite'
      ? (await sql<{ name: string }>`select name from pragma_table_info(${table}) where pk > 0 order by pk`.execute(db)).rows
      : (
          await sql<{ name: string }>`select a.attname as name from pg_index i
              join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
              where i.indrelid = (quote_ident(current_schema()) || '.' || quote_ident(${table}))::regclass and i.indisprimary
              order by array_position(i.indkey::int2[], a.attnum)`.execute(db)
        ).rows
  if (rows.length === 0) throw new Error(`Table ${table} has no primary key; export needs one to page through it.`)
  return rows.map((r) => r.name)
}

/**
 * Checks that `TABLES` names every table of the store, so a table added by a migration but not
 * registered is not silently left out of exports and resets.
 * @throws Error naming the unregistered tables.
 */
export async function assertTablesRegistered(store: Store): Promise<void> {
  const tables = await store.db.introspection.getTables()
  const known = new Set<string>(TABLES)
  const missing = tables
    .map((t) => t.name)
    .filter((n) => !known.has(n) && !n.startsWith('kysely_') && !DERIVED_TABLE_PREFIXES.some((p) => n.startsWith(p)))
  if (missing.length) throw new Error(`Tables not registered in TABLES (src/storage/store.ts): ${missing.join(', ')}.`)
}

/**
 * Writes the whole store to `write` (one call per line, newline included), in one read snapshot.
 * @returns the row count per table.
 * @throws Error when a table is unregistered or the store fails.
 */
export async function exportStore(
  store: Store,
  masterKey: Buffer,
  write: (line: string) => Promise<void> | void,
  onProgress: (p: TransferProgress) => void = () => {},
  blobs?: BlobStore,
): Promise<Record<string, number>> {
  await assertTablesRegistered(store)
  const { applied } = await store.migrationStatus()
  const header: ExportHeader = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    dialect: store.dialect,
    migrations: applied,
    exported_at: new Date().toISOString(),
    key_check: keyCheck(masterKey),
  }
  await write(`${JSON.stringify(header)}\n`)
  const counts: Record<string, number> = {}
  const snapshot = store.dialect === 'postgres' ? store.db.transaction().setIsolationLevel('repeatable read') : store.db.transaction()
  await snapshot.execute(async (trx) => {
    const db = trx as unknown as AnyDb
    // `webhook_dispatched` is the dispatcher's short re-read window, not state worth moving.
    for (const table of [...TABLES].reverse().filter((t) => t !== 'webhook_dispatched')) {
      if (table === 'blob_chunk' && blobs && blobs.kind !== 'database') {
        counts[table] = await exportBlobs(db, blobs, write, (done) => onProgress({ table, done, total: -1 }))
        continue
      }
      const key = await primaryKey(store, db, table)
      const total = Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
      let done = 0
      let after: unknown[] | undefined
      onProgress({ table, done, total })
      for (;;) {
        // Blob chunks (file uploads, 256 KiB each) are read a few at a time and written as base64.
        let q = db
          .selectFrom(table)
          .selectAll()
          .limit(table === 'blob_chunk' ? 8 : 1000)
        for (const k of key) q = q.orderBy(k)
        if (after) {
          const cols = sql.join(key.map((k) => sql.ref(k)))
          const vals = sql.join(after.map((v) => sql`${v}`))
          q = q.where(sql<boolean>`(${cols}) > (${vals})`)
        }
        const rows = await q.execute()
        for (const r of rows) await write(`${JSON.stringify({ t: table, r: table === 'blob_chunk' ? encodeBlobRow(r) : r })}\n`)
        done += rows.length
        onProgress({ table, done, total })
        const last = rows.at(-1)
        if (!last || rows.length < (table === 'blob_chunk' ? 8 : 1000)) break
        after = key.map((k) => last[k])
      }
      counts[table] = done
    }
  })
  await write(`${JSON.stringify({ end: true, counts })}\n`)
  return counts
}

/**
 * Loads an export into `store` (already migrated to this build's latest schema) in one transaction:
 * all or nothing. The store must be empty unless `replace` (which deletes everything first, in the
 * same transaction).
 * @returns the row count per table.
 * @throws Error when the file is not an Octavo export, was cut short, comes from a newer Octavo
 *   (unknown migrations), was made under another master key, or the store is not empty.
 */
export async function importStore(
  store: Store,
  masterKey: Buffer,
  lines: AsyncIterable<string>,
  opts: { replace?: boolean; onProgress?: (p: TransferProgress) => void; blobs?: BlobStore } = {},
): Promise<Record<string, number>> {
  const toStore = opts.blobs && opts.blobs.kind !== 'database' ? opts.blobs : undefined
  const written: string[] = []
  try {
    return await importRows(store, masterKey, lines, opts, toStore, written)
  } catch (err) {
    // Nothing was imported: the blobs written for it go too.
    for (const key of written) await toStore?.delete(key).catch(() => {})
    throw err
  }
}

async function importRows(
  store: Store,
  masterKey: Buffer,
  lines: AsyncIterable<string>,
  opts: { replace?: boolean; onProgress?: (p: TransferProgress) => void },
  toStore: BlobStore | undefined,
  written: string[],
): Promise<Record<string, number>> {
  const onProgress = opts.onProgress ?? (() => {})
  await assertTablesRegistered(store)
  const iterator = lines[Symbol.asyncIterator]()
  const first = await iterator.next()
  let header: ExportHeader
  try {
    header = JSON.parse(first.done ? '' : first.value) as ExportHeader
  } catch {
    throw new Error('Not an Octavo export: the first line is not a JSON header.')
  }
  if (header?.format !== EXPORT_FORMAT) throw new Error('Not an Octavo export: the header has no "format":"octavo-export".')
  if (header.version !== EXPORT_VERSION)
    throw new Error(`Unsupported export version ${String(header.version)} (this Octavo reads version ${EXPORT_VERSION}).`)
  if (header.key_check !== keyCheck(masterKey)) {
    throw new Error(
      'The export was made under a different master key: its tokens would stop working. Run the import with the same OCTAVO_SECRET_KEY (or master.key) as the source store.',
    )
  }
  const known = new Set(Object.keys(await migrationProvider.getMigrations()))
  const unknown = header.migrations.filter((m) => !known.has(m))
  if (unknown.length)
    throw new Error(`The export comes from a newer Octavo (unknown migrations: ${unknown.join(', ')}); upgrade this Octavo first.`)

  const counts: Record<string, number> = {}
  await store.db.transaction().execute(async (trx) => {
    const db = trx as unknown as AnyDb
    if (opts.replace) {
      for (const table of TABLES) await db.deleteFrom(table).execute()
    } else {
      // The webhook dispatcher's bookkeeping (its cursor row, written by migration 0012) is not content:
      // a fresh store has it, and the export's own rows replace it.
      for (const table of BOOKKEEPING) await db.deleteFrom(table).execute()
      for (const table of TABLES) {
        const row = await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
        if (Number(row.n) > 0)
          throw new Error(
            `The target store is not empty (table ${table} has rows). Import into an empty store, or pass --replace to delete everything first.`,
          )
      }
    }
    const order = new Map([...TABLES].reverse().map((t, i) => [t, i] as const))
    let table: string | undefined
    let batch: Record<string, unknown>[] = []
    let ended: { counts: Record<string, number> } | undefined
    let writer: ReturnType<typeof blobWriter> | undefined
    const flush = async () => {
      if (!table || batch.length === 0) return
      const cols = Object.keys(batch[0]!).length
      const size = Math.max(1, Math.min(500, Math.floor(30_000 / Math.max(1, cols))))
      for (let i = 0; i < batch.length; i += size)
        await db
          .insertInto(table)
          .values(batch.slice(i, i + size))
          .execute()
      counts[table] = (counts[table] ?? 0) + batch.length
      onProgress({ table, done: counts[table] ?? 0, total: -1 })
      batch = []
    }
    for (;;) {
      const next = await iterator.next()
      if (next.done) break
      const text = next.value.trim()
      if (!text) continue
      const line = JSON.parse(text) as { t?: string; r?: Record<string, unknown>; end?: boolean; counts?: Record<string, number> }
      if (line.end) {
        ended = { counts: legacyCounts(line.counts ?? {}) }
        break
      }
      if (line.t === 'audit_log' && line.r) Object.assign(line, { t: 'change_event', r: legacyAuditRow(line.r) })
      if (!line.t || !line.r || !order.has(line.t as never)) throw new Error(`Unknown table "${String(line.t)}" in the export.`)
      if (line.t !== table) {
        await flush()
        if (table && order.get(line.t as never)! < order.get(table as never)!)
          throw new Error(`Rows of ${line.t} come after ${table}: the export is out of order.`)
        table = line.t
      }
      if (line.t === 'blob_chunk' && toStore) {
        const row = decodeBlobRow(line.r)
        const key = String(row.blob_key)
        if (writer?.key !== key) {
          await writer?.end()
          if (!/^[0-9a-z/-]+$/.test(key) || Number(row.seq) !== 0) throw new Error(`Blob ${key}: chunks out of order in the export.`)
          writer = blobWriter(toStore, key)
          written.push(key)
        }
        await writer.push(row.data as Buffer)
        counts[line.t] = (counts[line.t] ?? 0) + 1
        continue
      }
      await writer?.end()
      writer = undefined
      batch.push(line.t === 'blob_chunk' ? decodeBlobRow(line.r) : line.r)
      if (batch.length >= (line.t === 'blob_chunk' ? 8 : 2000)) await flush()
    }
    await flush()
    await writer?.end()
    if (!ended) throw new Error('The export is incomplete (no end line): it was cut short. Nothing was imported.')
    for (const [t, n] of Object.entries(ended.counts)) {
      if ((counts[t] ?? 0) !== n)
        throw new Error(`Table ${t}: the export announces ${n} rows but holds ${counts[t] ?? 0}. Nothing was imported.`)
    }
    // PostgreSQL's identity sequence does not see explicit values: move it past the imported events.
    if (store.dialect === 'postgres') {
      await sql`select setval(pg_get_serial_sequence('change_event', 'seq'), coalesce((select max(seq) from change_event), 0) + 1, false)`.execute(
        trx,
      )
    }
  })
  return counts
}

/** Tables an empty store may already hold rows of: the webhook dispatcher's position in the outbox. */
const BOOKKEEPING = ['webhook_cursor', 'webhook_dispatched'] as const

/** An `audit_log` row of an export made before migration 0008, as the change event it became. */
function legacyAuditRow(r: Record<string, unknown>): Record<string, unknown> {
  return {
    id: r.id,
    workspace_id: r.workspace_id,
    type: r.action,
    object_type: null,
    object_id: r.target,
    actor: r.actor,
    time: r.time,
    data: r.meta,
  }
}

/** An export's end-line counts with `audit_log` (before migration 0008) counted as `change_event`. */
function legacyCounts(counts: Record<string, number>): Record<string, number> {
  if (!('audit_log' in counts)) return counts
  const { audit_log: n, ...rest } = counts
  return { ...rest, change_event: (rest.change_event ?? 0) + (n ?? 0) }
}

/**
 * Writes, as `blob_chunk` lines, every blob that a `file_upload_part` row names, read from `blobs`
 * (a store outside the database) in `CHUNK_BYTES` chunks, blobs in key order.
 * @returns the number of chunk lines written.
 * @throws Error naming the blob when one cannot be read.
 */
async function exportBlobs(
  db: AnyDb,
  blobs: BlobStore,
  write: (line: string) => Promise<void> | void,
  onProgress: (done: number) => void,
): Promise<number> {
  // Every blob a row names: uploaded files' parts, custom emoji images (ADR 27) and Admin API export
  // ZIPs (ADR 29); each key once, in key order.
  const named = [
    ...(await db.selectFrom('file_upload_part').select(['blob_key', 'size']).execute()),
    ...(await db.selectFrom('custom_emoji').select(['blob_key', 'size']).where('blob_key', 'is not', null).execute()),
    ...(await db
      .selectFrom('workspace_export')
      .select(['blob_key', 'size_bytes as size'])
      .where('blob_key', 'is not', null)
      .where('size_bytes', 'is not', null)
      .execute()),
  ] as unknown as { blob_key: string; size: number | string }[]
  const parts = [...new Map(named.map((p) => [p.blob_key, p])).values()].sort((a, b) =>
    a.blob_key < b.blob_key ? -1 : a.blob_key > b.blob_key ? 1 : 0,
  )
  let lines = 0
  for (const part of parts) {
    const size = Number(part.size)
    let seq = 0
    let pending: Buffer[] = []
    let pendingBytes = 0
    const emit = async (chunk: Buffer) => {
      await write(
        `${JSON.stringify({ t: 'blob_chunk', r: { blob_key: part.blob_key, seq: seq++, data: { base64: chunk.toString('base64') } } })}\n`,
      )
      lines++
    }
    if (size > 0) {
      const source = blobs.read(part.blob_key, size, 0, size - 1)
      for await (const piece of withContext(source, part.blob_key, blobs.kind)) {
        pending.push(Buffer.from(piece))
        pendingBytes += piece.byteLength
        while (pendingBytes >= CHUNK_BYTES) {
          const joined = Buffer.concat(pending, pendingBytes)
          await emit(joined.subarray(0, CHUNK_BYTES))
          const rest = joined.subarray(CHUNK_BYTES)
          pending = rest.length ? [rest] : []
          pendingBytes = rest.length
        }
      }
    }
    if (pendingBytes > 0 || seq === 0) await emit(Buffer.concat(pending, pendingBytes))
    onProgress(lines)
  }
  return lines
}

/** `source`, with a read failure named after the blob (a blob missing from the store stops the export). */
async function* withContext(source: AsyncIterable<Uint8Array>, key: string, kind: string): AsyncIterable<Uint8Array> {
  try {
    yield* source
  } catch (err) {
    throw new Error(`Cannot read blob ${key} from the ${kind} blob store (${(err as Error).message}); the export stops.`, { cause: err })
  }
}

/**
 * A blob being written to `blobs` from pushed chunks (import): `push` waits while more than a few
 * chunks are queued, so memory stays bounded; `end` waits for the blob to be whole.
 * @throws from `push`/`end` the blob store's error.
 */
function blobWriter(blobs: BlobStore, key: string) {
  const queue: Buffer[] = []
  let ended = false
  let wakeReader: (() => void) | undefined
  let wakeWriter: (() => void) | undefined
  let failure: unknown
  async function* source(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const next = queue.shift()
      if (next) {
        wakeWriter?.()
        yield next
        continue
      }
      if (ended) return
      await new Promise<void>((r) => (wakeReader = r))
      wakeReader = undefined
    }
  }
  const done = blobs.put(key, source(), Number.MAX_SAFE_INTEGER).catch((err: unknown) => {
    failure = err ?? new Error(`Writing blob ${key} failed.`)
    wakeWriter?.()
    return 0
  })
  return {
    key,
    async push(chunk: Buffer) {
      if (failure) throw failure
      queue.push(chunk)
      wakeReader?.()
      while (queue.length > 4 && !failure) {
        await new Promise<void>((r) => (wakeWriter = r))
        wakeWriter = undefined
      }
      if (failure) throw failure
    },
    async end() {
      ended = true
      wakeReader?.()
      await done
      if (failure) throw failure
    },
  }
}

/** A `blob_chunk` row with its bytes as `{"base64": …}` (JSON has no bytes). */
function encodeBlobRow(r: Record<string, unknown>): Record<string, unknown> {
  return { ...r, data: { base64: Buffer.from(r.data as Uint8Array).toString('base64') } }
}

/** The inverse of `encodeBlobRow`. */
function decodeBlobRow(r: Record<string, unknown>): Record<string, unknown> {
  const data = r.data as { base64?: unknown } | null
  return { ...r, data: Buffer.from(typeof data?.base64 === 'string' ? data.base64 : '', 'base64') }
}

/** Splits a byte stream into lines (for `importStore`). */
export async function* readLines(stream: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  let rest = ''
  for await (const chunk of stream) {
    rest += typeof chunk === 'string' ? chunk : chunk.toString('utf8')
    let i: number
    while ((i = rest.indexOf('\n')) >= 0) {
      yield rest.slice(0, i)
      rest = rest.slice(i + 1)
    }
  }
  if (rest) yield rest
}
