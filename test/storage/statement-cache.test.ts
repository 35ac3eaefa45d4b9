import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect, sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cachingDatabase } from '../../src/storage/statement-cache.js'

/**
 * The SQLite statement cache (src/storage/statement-cache.ts) builds reader rows in JavaScript from
 * better-sqlite3's raw rows: they must be the very objects better-sqlite3 returns (keys, their order,
 * values, types, prototype), through Kysely as the store runs it, also after a schema change.
 */
describe('SQLite statement cache: rows built from raw rows', () => {
  let raw: SQLite.Database
  let plain: SQLite.Database
  let db: Kysely<Record<string, never>>
  const setup = `create table t (id text primary key, n integer, f real, b blob, j text);
    insert into t values ('a', 1, 1.5, x'00ff', '{"x":1}'), ('b', null, null, null, null), ('c', 9007199254740993, -0.0, x'', '')`

  beforeEach(() => {
    raw = new SQLite(':memory:')
    plain = new SQLite(':memory:')
    raw.exec(setup)
    plain.exec(setup)
    db = new Kysely({ dialect: new SqliteDialect({ database: cachingDatabase(raw) }) })
  })
  afterEach(async () => {
    await db.destroy()
    plain.close()
  })

  const same = async (text: string, params: unknown[] = []) => {
    const ours = (await sql.raw<Record<string, unknown>>(text).execute(db)).rows
    const ref = plain.prepare(text).all(...params) as Record<string, unknown>[]
    expect(ours).toEqual(ref)
    expect(ours.map((r) => Object.keys(r))).toEqual(ref.map((r) => Object.keys(r)))
    expect(ours.map((r) => Object.getPrototypeOf(r))).toEqual(ref.map((r) => Object.getPrototypeOf(r)))
    expect(JSON.stringify(ours)).toBe(JSON.stringify(ref))
    return ours
  }

  it('returns the same objects as better-sqlite3 for every value type, repeated and numeric names, no rows', async () => {
    await same('select * from t order by id')
    await same('select id, n, id as n, 7 as "0", f as "x y" from t order by id')
    await same("select * from t where id = 'zzz'")
    // Names a compiled literal must escape or must not take for the prototype.
    await same(`select id as "q""x", n as 'a''b', f as "line
break", id as "\\", 5 as "__proto__", id as "constructor" from t order by id`)
    const rows = await same('select b from t order by id')
    expect(Buffer.isBuffer(rows[0]?.b)).toBe(true)
    // Twice: the second call reuses the cached statement.
    await same('select * from t order by id')
  })

  it('follows a schema change: a cached `select *` names the new column', async () => {
    await same('select * from t order by id')
    raw.exec("alter table t add column extra text default 'e'")
    plain.exec("alter table t add column extra text default 'e'")
    const rows = await same('select * from t order by id')
    expect(rows[0]?.extra).toBe('e')
  })

  it('streams rows and runs writes as before', async () => {
    const streamed: unknown[] = []
    const typed = db as unknown as Kysely<{ t: { id: string; n: number | null } }>
    for await (const r of typed.selectFrom('t').select(['id', 'n']).orderBy('id').stream()) streamed.push(r)
    expect(streamed).toEqual(plain.prepare('select "id", "n" from "t" order by "id"').all())
    const res = await sql.raw("insert into t (id) values ('d')").execute(db)
    expect(res.numAffectedRows).toBe(1n)
    // A write with RETURNING is a reader: its rows come back as objects too.
    const text = "update t set n = 5 where id in ('a', 'd') returning id, n, b"
    const returned = (await sql.raw<Record<string, unknown>>(text).execute(db)).rows
    plain.exec("insert into t (id) values ('d')")
    expect(returned).toEqual(plain.prepare(text).all())
  })
})
