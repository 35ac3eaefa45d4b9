import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../../src/storage/store.js'
import { assertTablesRegistered, exportStore, importStore, readLines } from '../../src/storage/transfer.js'
import { runCli } from '../e2e/cli-process.js'
import { seedBasic, startTestServer } from '../support/harness.js'
import { POSTGRES_URL, freshPostgresSchema } from '../support/stores.js'

/**
 * `octavo export` / `octavo import`: a SQLite store moves to PostgreSQL (through the real CLI
 * processes) and back to SQLite (through the same functions), and on each store the old token still
 * reads the same pages, comments and ids. Both exports of the data are identical row for row.
 */
if (!POSTGRES_URL) console.warn('[octavo] OCTAVO_TEST_POSTGRES_URL is unset: the SQLite→PostgreSQL→SQLite round trip is skipped.')

const text = (content: string) => [{ type: 'text' as const, text: { content } }]

async function exportLines(url: string, key: Buffer): Promise<string[]> {
  const store = await openStore(url, { migrate: false })
  const lines: string[] = []
  try {
    await exportStore(store, key, (l) => void lines.push(l))
  } finally {
    await store.close()
  }
  return lines
}

/** The data lines only (the header has the time and dialect of the export). */
const dataOf = (lines: string[]) => lines.slice(1)

describe.skipIf(!POSTGRES_URL)('export and import between SQLite and PostgreSQL', () => {
  const keyHex = randomBytes(32).toString('hex')
  const key = Buffer.from(keyHex, 'hex')
  const dir = mkdtempSync(join(tmpdir(), 'octavo-transfer-'))
  const sourceUrl = `file:${join(dir, 'source.db')}`
  const backUrl = `file:${join(dir, 'back.db')}`
  const pg = POSTGRES_URL ? freshPostgresSchema() : undefined
  let token = ''
  let ids: { root: string; child: string; comment: string; connection: string }

  beforeAll(async () => {
    const server = await startTestServer({ env: { OCTAVO_DATABASE_URL: sourceUrl, OCTAVO_SECRET_KEY: keyHex } })
    try {
      const s = await seedBasic(server, { readComments: true, insertComments: true })
      await s.share(s.pages.root.id)
      const comment = await server
        .client(s.token)
        .comments.create({ parent: { page_id: s.pages.child.id }, rich_text: text('kept across stores') })
      token = s.token
      ids = { root: s.pages.root.id, child: s.pages.child.id, comment: comment.id, connection: s.connection.id }
    } finally {
      await server.stop()
    }
  })
  afterAll(async () => {
    await pg?.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  /** On the store at `url`: the old token reads the shared tree and the comment, and nothing else. */
  async function tokenStillWorks(url: string) {
    const server = await startTestServer({ env: { OCTAVO_DATABASE_URL: url, OCTAVO_SECRET_KEY: keyHex } })
    try {
      const notion = server.client(token)
      const me = await notion.users.me({})
      expect(me.type).toBe('bot')
      const child = await notion.pages.retrieve({ page_id: ids.child })
      expect(child.id).toBe(ids.child)
      const comments = await notion.comments.list({ block_id: ids.child })
      expect(comments.results.map((c) => c.id)).toEqual([ids.comment])
      const found = await notion.search({ query: '' })
      expect(found.results.map((r) => r.id).sort()).toEqual(
        [ids.root, ids.child, (await notion.blocks.children.list({ block_id: ids.child })).results[0]?.id].sort(),
      )
      // A title query (through the title index, rebuilt by the import) finds the shared child.
      const titled = await notion.search({ query: 'child' })
      expect(titled.results.map((r) => r.id)).toContain(ids.child)
      // The Secret page is still not visible.
      const secret = await server.raw('/v1/search', { method: 'POST', token, body: JSON.stringify({ query: 'Secret' }) })
      expect(((await secret.json()) as { results: unknown[] }).results).toEqual([])
    } finally {
      await server.stop()
    }
  }

  it('moves SQLite → PostgreSQL with the CLI (progress on stderr), then PostgreSQL → SQLite, losing nothing', async () => {
    const file = join(dir, 'backup.jsonl')
    const env = { OCTAVO_SECRET_KEY: keyHex, OCTAVO_DATABASE_URL: sourceUrl }
    const exported = await runCli(['export', '--out', file, '--json'], dir, env)
    expect(exported.code, exported.stderr).toBe(0)
    expect(JSON.parse(exported.stdout)).toMatchObject({ exported: true, store: 'sqlite', rows: { workspace: 1, token: 1, comment: 1 } })
    expect(exported.stderr).toMatch(/octavo: exported block: \d+\/\d+ rows/)
    // The master key is not in the backup; token digests are, sealed copies are encrypted.
    const content = readFileSync(file, 'utf8')
    expect(content).not.toContain(keyHex)
    expect(content).not.toContain(token)

    const imported = await runCli(['import', file, '--database-url', pg!.url, '--json'], dir, env)
    expect(imported.code, imported.stderr).toBe(0)
    expect(JSON.parse(imported.stdout)).toMatchObject({ imported: true, store: 'postgres' })
    await tokenStillWorks(pg!.url)

    // PostgreSQL → SQLite with the library functions.
    const fromPg = await exportLines(pg!.url, key)
    const back = await openStore(backUrl)
    try {
      await importStore(
        back,
        key,
        (async function* () {
          yield* fromPg.map((l) => l.trimEnd())
        })(),
      )
    } finally {
      await back.close()
    }
    await tokenStillWorks(backUrl)
    // The round trip PostgreSQL → SQLite carries everything, the webhook dispatcher's cursor included.
    expect(dataOf(await exportLines(backUrl, key))).toEqual(dataOf(fromPg))
    // Against the source, everything but that cursor: while no subscription listens, a server running on
    // a store moves it past the events that exist (a subscription only sees events after its own
    // start), and the source's server stopped right after its last write, before its worker's next poll.
    const source = dataOf(await exportLines(sourceUrl, key))
    const cursorOf = (lines: string[]) => lines.find((l) => l.includes('"t":"webhook_cursor"'))
    const withoutCursor = (lines: string[]) => lines.filter((l) => l !== cursorOf(lines))
    expect(withoutCursor(dataOf(fromPg))).toEqual(withoutCursor(source))
    const seqOf = (lines: string[]) => (JSON.parse(cursorOf(lines) ?? '{"r":{"seq":0}}') as { r: { seq: number } }).r.seq
    expect(seqOf(dataOf(fromPg))).toBeGreaterThanOrEqual(seqOf(source))
  })

  it('refuses an import under another master key, into a non-empty store, or from a cut-short file', async () => {
    const lines = await exportLines(sourceUrl, key)
    const target = await openStore(':memory:')
    const feed = (ls: string[]) =>
      readLines(
        (async function* () {
          yield ls.join('')
        })(),
      )
    try {
      await expect(importStore(target, randomBytes(32), feed(lines))).rejects.toThrow(/different master key/)
      await expect(importStore(target, key, feed(lines.slice(0, -1)))).rejects.toThrow(/incomplete/)
      // Nothing was imported by the failed attempts (one transaction).
      expect(await target.db.selectFrom('workspace').selectAll().execute()).toEqual([])
      await importStore(target, key, feed(lines))
      await expect(importStore(target, key, feed(lines))).rejects.toThrow(/not empty/)
      await importStore(target, key, feed(lines), { replace: true })
      expect((await target.db.selectFrom('workspace').selectAll().execute()).length).toBe(1)
      await expect(importStore(target, key, feed(['{"hello":1}\n']))).rejects.toThrow(/Not an Octavo export/)
    } finally {
      await target.close()
    }
  })
})

describe('store tables', () => {
  it('every table the migrations create is registered in TABLES (so export, import and reset cover it)', async () => {
    const store = await openStore(':memory:')
    try {
      await expect(assertTablesRegistered(store)).resolves.toBeUndefined()
    } finally {
      await store.close()
    }
  })
})
