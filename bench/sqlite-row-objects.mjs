/**
 * Micro-benchmark of how a SQLite read builds its row objects (src/storage/statement-cache.ts), on
 * 100 synthetic rows shaped like bench/title-only.ts's data-source rows (UUIDs, ISO times, a
 * ~470-byte `properties` JSON). Not a test. `node bench/sqlite-row-objects.mjs`
 *
 * Compares better-sqlite3's own row objects (15 columns: what a data-source query read before),
 * raw rows turned into objects by a literal compiled per column list (15 columns), and the same
 * with the 12 columns a title-only page is presented from (`PRESENTED_COLUMNS`). Prints the median
 * CPU time of 2,000 reads of the 100-row page per variant over 7 interleaved rounds, and the
 * 1-minute load average. Results are written up in bench/RESULTS.md (Session 6, second part).
 */
import SQLite from 'better-sqlite3'
import { randomUUID } from 'node:crypto'
const db = new SQLite(':memory:')
db.exec(
  `create table block (id text primary key, workspace_id text, type text, parent_type text, parent_id text, perm_root_id text, properties text, icon text, cover text, is_locked integer, created_time text, created_by text, last_edited_time text, last_edited_by text, in_trash integer, content text, path text)`,
)
const ws = randomUUID(),
  ds = randomUUID(),
  root = randomUUID(),
  user = randomUUID()
const ins = db.prepare('insert into block values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)')
for (let i = 0; i < 100; i++) {
  const title = [
    {
      type: 'text',
      text: { content: `Order ${i}`, link: null },
      annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' },
      plain_text: `Order ${i}`,
      href: null,
    },
  ]
  const props = { title, qty: { number: i }, items: [0, 1, 2, 3, 4].map(() => ({ id: randomUUID() })) }
  const t = new Date(Date.UTC(2026, 11, 6, 10, 0, i)).toISOString()
  ins.run(
    randomUUID(),
    ws,
    'child_page',
    'data_source_id',
    ds,
    root,
    JSON.stringify(props),
    null,
    null,
    0,
    t,
    user,
    t,
    user,
    0,
    'x'.repeat(200),
    '/a/b/c',
  )
}
const all15 =
  'id, workspace_id, type, parent_type, parent_id, perm_root_id, properties, icon, cover, is_locked, created_time, created_by, last_edited_time, last_edited_by, in_trash'
const pres12 =
  'id, parent_type, parent_id, properties, icon, cover, is_locked, created_time, created_by, last_edited_time, last_edited_by, in_trash'
const q = (cols) => `select ${cols} from block where parent_id = ? order by created_time desc, id asc limit 101`
const objMode = db.prepare(q(all15))
const lit = (stmt) => {
  stmt.raw(true)
  const keys = stmt.columns().map((c) => c.name)
  const f = new Function('v', `return {${keys.map((k, i) => `${JSON.stringify(k)}: v[${i}]`).join(', ')}}`)
  return () => {
    stmt.columns()
    const rows = stmt.all(ds)
    for (let r = 0; r < rows.length; r++) rows[r] = f(rows[r])
    return rows
  }
}
const variants = {
  'object rows, 15 columns (before)': () => objMode.all(ds),
  'raw rows + literal, 15 columns': lit(db.prepare(q(all15))),
  'raw rows + literal, 12 columns (after)': lit(db.prepare(q(pres12))),
}
const res = Object.fromEntries(Object.keys(variants).map((k) => [k, []]))
for (let round = 0; round < 7; round++)
  for (const [k, f] of Object.entries(variants)) {
    for (let i = 0; i < 200; i++) f()
    const c = process.cpuUsage()
    for (let i = 0; i < 2000; i++) f()
    const d = process.cpuUsage(c)
    res[k].push((d.user + d.system) / 2000 / 1000)
  }
for (const [k, v] of Object.entries(res)) {
  v.sort((a, b) => a - b)
  console.log(k, 'median CPU ms per 100 rows', v[3].toFixed(3), 'range', v[0].toFixed(3), '-', v[6].toFixed(3))
}
console.log('load', (await import('node:os')).loadavg()[0].toFixed(2))
