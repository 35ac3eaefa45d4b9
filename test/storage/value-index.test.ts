import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Schema } from '../../src/domain/properties.js'
import { textRun } from '../../src/domain/rich-text.js'
import { indexNewRows, reindexDataSource } from '../../src/storage/repositories/data-source-values.repository.js'
import type { Store } from '../../src/storage/store.js'
import { openTestStore } from '../support/stores.js'

/**
 * The value index's secondary indexes are partial (migration 0021, ADR 42): each entry is in the one
 * index of its non-null key, the driven plan's terms (`data_source_id`, `property_id`, `<key> is not
 * null`, ordered by the key) can use it, and a data source's reindex still removes every entry.
 */
describe('data_source_value: partial indexes', () => {
  let store: Store
  let close: () => Promise<void>
  beforeEach(async () => {
    ;({ store, close } = await openTestStore())
  })
  afterEach(async () => {
    await close()
  })

  const DS = '11111111-1111-4111-8111-111111111111'
  const schema: Schema = {
    title: { id: 'title', name: 'Name', type: 'title', description: null, config: {} },
    scor: { id: 'scor', name: 'Score', type: 'number', description: null, config: {} },
    done: { id: 'done', name: 'Done', type: 'checkbox', description: null, config: {} },
    tags: {
      id: 'tags',
      name: 'Tags',
      type: 'multi_select',
      description: null,
      config: { options: [{ id: 'a', name: 'A', color: 'default', description: null }] },
    },
  }
  const rows = [1, 2, 3].map((i) => ({
    id: `00000000-0000-4000-8000-00000000000${i}`,
    properties: JSON.stringify({
      title: [textRun(`Row ${i}`)],
      scor: i * 10,
      done: i !== 2,
      tags: [{ id: 'a', name: 'A', color: 'default' }],
    }),
  }))

  it('holds each entry in the index of its non-null key, usable by the driven plan; a reindex removes every entry', async () => {
    const db = store.db
    await indexNewRows(db, DS, schema, rows)
    // 3 titles, 3 scores, 2 checked boxes, 3 tags.
    const all = await db.selectFrom('data_source_value').select(['txt', 'num']).where('data_source_id', '=', DS).execute()
    expect(all).toHaveLength(11)
    expect(all.every((e) => (e.txt === null) !== (e.num === null))).toBe(true)
    if (store.dialect === 'sqlite') {
      // INDEXED BY fails ("no query solution") unless the partial index answers these terms.
      const byNum = await sql<{
        page_id: string
      }>`select page_id from data_source_value indexed by data_source_value_num where data_source_id = ${DS} and property_id = 'scor' and num is not null order by num desc`.execute(
        db,
      )
      expect(byNum.rows.map((r) => r.page_id)).toEqual([rows[2]?.id, rows[1]?.id, rows[0]?.id])
      const byTxt = await sql<{
        n: number
      }>`select count(*) as n from data_source_value indexed by data_source_value_txt where data_source_id = ${DS} and property_id = 'tags' and txt is not null`.execute(
        db,
      )
      expect(Number(byTxt.rows[0]?.n)).toBe(3)
      const defs = await sql<{
        sql: string
      }>`select sql from sqlite_master where name in ('data_source_value_txt', 'data_source_value_num')`.execute(db)
      expect(defs.rows.map((r) => r.sql.replace(/"/g, '')).sort()).toEqual([
        'CREATE INDEX data_source_value_num on data_source_value (data_source_id, property_id, num) where num is not null',
        'CREATE INDEX data_source_value_txt on data_source_value (data_source_id, property_id, txt) where txt is not null',
      ])
    } else {
      const defs = await sql<{
        indexdef: string
      }>`select indexdef from pg_indexes where schemaname = current_schema() and indexname in ('data_source_value_txt', 'data_source_value_num') order by indexname`.execute(
        db,
      )
      expect(defs.rows.map((r) => /WHERE \((\w+) IS NOT NULL\)/.exec(r.indexdef)?.[1])).toEqual(['num', 'txt'])
    }
    // Entries a page of the same id left behind are replaced, not duplicated.
    await indexNewRows(db, DS, schema, [rows[0] as (typeof rows)[number]])
    expect(await db.selectFrom('data_source_value').select('page_id').where('data_source_id', '=', DS).execute()).toHaveLength(11)
    // No block row is in the data source: the reindex leaves no entry of it, whichever index held it.
    await reindexDataSource(db, DS, schema)
    expect(await db.selectFrom('data_source_value').select('page_id').where('data_source_id', '=', DS).execute()).toEqual([])
  })
})
