/**
 * WAL pages each create writes at commit, by b-tree (issue 19, ADR 42). Not a test.
 *
 *   node bench/create-wal-pages.mjs <fixture dir from bench/data-sources.ts --explain> <variant> [commits]
 *
 * Copies the fixture's store, optionally changes its schema (variant letters: P = the value index's
 * partial indexes of migration 0021, applied by hand to a store from before it; F = no title FTS
 * trigger; E = no change_event_workspace_time; lower-case b/v/e leave out the block insert, the value
 * entries or the change event), turns automatic checkpoints off, then runs `commits` transactions shaped
 * like creating a row (one `block` row copied from a row of the data source, nine value entries as
 * bench/lib/data-source-row.ts writes them, one change event) and prints the WAL frames per commit,
 * attributed to b-trees by page number (`dbstat`, with PAGES=1).
 */
import D from 'better-sqlite3'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { copyFileSync, statSync, rmSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
const variant = process.argv[3] ?? 'A'
const N = Number(process.argv[4] ?? 300)
const path = join(tmpdir(), `create-wal-${process.pid}-${variant}.db`)
rmSync(path + '-wal', { force: true })
rmSync(path + '-shm', { force: true })
copyFileSync(join(process.argv[2], 'octavo.db'), path)
const d = new D(path)
d.pragma('journal_mode = WAL')
d.pragma('synchronous = NORMAL')
d.pragma('foreign_keys = ON')
if (variant.includes('P')) {
  d.exec(`drop index data_source_value_txt; drop index data_source_value_num;
   create index data_source_value_txt on data_source_value (data_source_id, property_id, txt) where txt is not null;
   create index data_source_value_num on data_source_value (data_source_id, property_id, num) where num is not null;`)
}
if (variant.includes('F')) d.exec('drop trigger block_title_fts_insert')
if (variant.includes('b')) d.pragma('foreign_keys = OFF')
if (variant.includes('E')) d.exec('drop index change_event_workspace_time')
d.pragma('wal_checkpoint(TRUNCATE)')
d.pragma('wal_autocheckpoint = 0')
const ds = d.prepare('select id, database_id from data_source').get()
const tmpl = d.prepare('select * from block where parent_id=? limit 1').get(ds.id)
const cols = Object.keys(tmpl)
const insBlock = d.prepare(`insert into block (${cols.join(',')}) values (${cols.map(() => '?').join(',')})`)
const insVal = d.prepare(
  `insert into data_source_value (page_id, data_source_id, property_id, ord, txt, num) values ${Array(9).fill('(?,?,?,?,?,?)').join(',')}`,
)
const insEv = d.prepare(
  `insert into change_event (id, workspace_id, type, object_type, object_id, actor, time, data) values (?,?,?,?,?,?,?,?)`,
)
const begin = d.prepare('begin immediate'),
  commit = d.prepare('commit')
let commitMs = 0,
  txMs = 0
const walSize = () => {
  try {
    return statSync(path + '-wal').size
  } catch {
    return 0
  }
}
const w0 = walSize()
for (let i = 0; i < N; i++) {
  const id = randomUUID()
  const now = new Date().toISOString()
  const t0 = performance.now()
  begin.run()
  if (!variant.includes('b'))
    insBlock.run(
      cols.map((c) =>
        c === 'id' || c === 'page_id'
          ? id
          : c === 'title_text'
            ? 'created by the benchmark'
            : c === 'created_time' || c === 'last_edited_time'
              ? now
              : tmpl[c],
      ),
    )
  const e = [
    ['title', 0, 'created by the benchmark', null],
    ['note', 0, 'some notes', null],
    ['scor', 0, null, 42],
    ['stag', 0, 'opt3-Stage3', null],
    ['tags', 0, 'opt0-red', null],
    ['tags', 1, 'opt2-blue', null],
    ['due_', 0, null, 1714521600000],
    ['done', 0, null, 1],
    ['link', 0, 'https://example.com/new', null],
  ]
  if (!variant.includes('v')) insVal.run(e.flatMap(([p, o, t, n]) => [id, ds.id, p, o, t, n]))
  if (!variant.includes('e'))
    insEv.run(
      randomUUID(),
      tmpl.workspace_id,
      'page.created',
      'page',
      id,
      'bot:x',
      now,
      JSON.stringify({ parent_type: 'data_source_id', parent_id: ds.id }),
    )
  const t1 = performance.now()
  commit.run()
  const t2 = performance.now()
  commitMs += t2 - t1
  txMs += t1 - t0
}
const frames = (walSize() - Math.max(w0, 32)) / 4120
console.log(
  `${variant}: ${N} commits, WAL frames per commit ${(frames / N).toFixed(1)}, statements ${(txMs / N).toFixed(3)} ms, commit ${(commitMs / N).toFixed(3)} ms`,
)
if (process.env.PAGES) {
  const { readFileSync } = await import('node:fs')
  const buf = readFileSync(path + '-wal')
  const owner = new Map(
    d
      .prepare('select name, pageno from dbstat')
      .all()
      .map((r) => [r.pageno, r.name]),
  )
  const by = new Map()
  for (let off = 32; off + 24 <= buf.length; off += 4120) {
    const pg = buf.readUInt32BE(off)
    const n = owner.get(pg) ?? '?' + (pg === 1 ? 'page1' : '')
    by.set(n, (by.get(n) ?? 0) + 1)
  }
  for (const [n, c] of [...by].sort((a, b) => b[1] - a[1])) console.log(`  ${(c / N).toFixed(2)}  ${n}`)
}
d.close()
rmSync(path, { force: true })
rmSync(path + '-wal', { force: true })
rmSync(path + '-shm', { force: true })
