import { createReadStream, createWriteStream } from 'node:fs'
import { once } from 'node:events'
import type { Command } from 'commander'
import { DomainError } from '../errors/domain-error.js'
import { redactDatabaseUrl } from '../storage/database-url.js'
import { openStore } from '../storage/store.js'
import { openBlobStore } from '../storage/blobs/open-blob-store.js'
import { exportStore, importStore, readLines, type TransferProgress } from '../storage/transfer.js'
import { configFor, print } from './runtime.js'

/**
 * `octavo migrate`, `octavo export` and `octavo import`: schema upgrades and whole-store moves
 * between SQLite and PostgreSQL (src/storage/transfer.ts has the file format and the key rule).
 * The store is the configured one (`OCTAVO_DATABASE_URL`, config file, or the data directory's
 * SQLite file); `--database-url` overrides it for one command. Uploaded files travel inside the export
 * whatever the blob store (`OCTAVO_BLOB_STORE`: the configured one is read and written). Progress goes to stderr; results to
 * stdout (`--json` for machine-readable output).
 */

/** A progress reporter writing at most every 500 ms, and at the end of each table. */
function progress(verb: string): (p: TransferProgress) => void {
  let last = 0
  let table = ''
  return (p) => {
    const now = Date.now()
    const finished = p.total >= 0 && p.done === p.total
    if (p.table === table && !finished && now - last < 500) return
    if (p.table === table && finished && p.done === 0) return
    table = p.table
    last = now
    process.stderr.write(`octavo: ${verb} ${p.table}: ${p.done}${p.total >= 0 ? `/${p.total}` : ''} rows\n`)
  }
}

function urlFor(cmd: Command, override: string | undefined) {
  const config = configFor(cmd)
  return { config, url: override ?? config.databaseUrl }
}

/** Registers `migrate`, `export` and `import`. Errors: Error with a one-line message (exit 1). */
export function dataCommands(program: Command): void {
  program
    .command('migrate')
    .description('bring the store (SQLite or PostgreSQL) to the latest schema')
    .option('--database-url <url>', 'store to migrate (default: the configured store)')
    .option('--status', 'only show applied and pending migrations')
    .action(async (opts: { databaseUrl?: string; status?: boolean }, cmd: Command) => {
      const { url } = urlFor(cmd, opts.databaseUrl)
      const store = await openStore(url, { migrate: false })
      try {
        const before = await store.migrationStatus()
        const applied = opts.status ? [] : await store.migrate()
        const after = opts.status ? before : await store.migrationStatus()
        print(
          cmd,
          { store: store.dialect, database: redactDatabaseUrl(url), applied_now: applied, applied: after.applied, pending: after.pending },
          (r) =>
            opts.status
              ? `${r.store}: ${r.applied.length} applied, ${r.pending.length} pending${r.pending.length ? ` (${r.pending.join(', ')})` : ''}.`
              : r.applied_now.length
                ? `Applied ${r.applied_now.join(', ')}; the ${r.store} store is at the latest schema.`
                : `The ${r.store} store is already at the latest schema (${r.applied.at(-1) ?? 'none'}).`,
        )
      } finally {
        await store.close()
      }
    })

  program
    .command('export')
    .description('write the whole store to a file (JSON Lines) for a backup or a move to another store')
    .requiredOption('--out <file>', 'output file, or - for stdout')
    .option('--database-url <url>', 'store to export (default: the configured store)')
    .action(async (opts: { out: string; databaseUrl?: string }, cmd: Command) => {
      const { config, url } = urlFor(cmd, opts.databaseUrl)
      const store = await openStore(url, { migrate: false })
      const toStdout = opts.out === '-'
      const out = toStdout ? process.stdout : createWriteStream(opts.out, { mode: 0o600 })
      try {
        const counts = await exportStore(
          store,
          config.masterKey,
          async (line) => {
            if (!out.write(line)) await once(out, 'drain')
          },
          progress('exported'),
          openBlobStore(config.files, store, config.dataDir),
        )
        if (!toStdout) await new Promise<void>((resolve) => out.end(() => resolve()))
        const result = { exported: true, file: toStdout ? null : opts.out, store: store.dialect, rows: counts }
        const total = Object.values(counts).reduce((a, b) => a + b, 0)
        if (toStdout) process.stderr.write(`octavo: exported ${total} rows.\n`)
        else print(cmd, result, () => `Exported ${total} rows from the ${store.dialect} store to ${opts.out}.`)
      } finally {
        await store.close()
      }
    })

  program
    .command('import <file>')
    .description('load an export (from either store) into an empty store; - reads stdin')
    .option('--database-url <url>', 'store to load into (default: the configured store)')
    .option('--replace', 'delete everything in the target store first')
    .action(async (file: string, opts: { databaseUrl?: string; replace?: boolean }, cmd: Command) => {
      const { config, url } = urlFor(cmd, opts.databaseUrl)
      const input = file === '-' ? process.stdin : createReadStream(file)
      input.on('error', () => {})
      const store = await openStore(url)
      try {
        const counts = await importStore(store, config.masterKey, readLines(input), {
          replace: opts.replace ?? false,
          onProgress: progress('imported'),
          blobs: openBlobStore(config.files, store, config.dataDir),
        }).catch((err: unknown) => {
          if ((err as { code?: string }).code === 'ENOENT') throw new DomainError('invalid_input', `Cannot read ${file}: no such file.`)
          throw err
        })
        const total = Object.values(counts).reduce((a, b) => a + b, 0)
        print(cmd, { imported: true, store: store.dialect, rows: counts }, () => `Imported ${total} rows into the ${store.dialect} store.`)
      } finally {
        await store.close()
      }
    })
}
