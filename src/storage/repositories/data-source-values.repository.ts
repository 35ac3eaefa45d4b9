import { dateMs, lower } from '../../domain/query.js'
import { plainText, type RichTextItem } from '../../domain/rich-text.js'
import type { Schema } from '../../domain/properties.js'
import type { DataSourceValueTable } from '../database.js'
import type { Db } from '../store.js'
import { compiledOnce, compiledPerLength } from './compiled.js'

/**
 * The typed value index of database rows (`data_source_value`, migration 0004, ADR 8).
 *
 * It is derived from `block.properties` and kept in step at the repository level, so every write
 * path maintains it without knowing about it:
 * - `createNode` (a new row) and the blocks repository's row updates with `properties` or `parent_id` (`updateNode`, `moveNodeRow`) call `reindexRow`;
 * - `saveSchema` calls `reindexDataSource` when a property was added, removed or retyped.
 * Trash needs nothing: queries read `block.in_trash`.
 *
 * Entries (one per non-empty value element; empty values have none):
 * title / rich_text / url / email / phone_number → `txt` = lower-cased plain text;
 * number / unique_id → `num`; date → `num` = start in epoch ms (its `time_zone` applied);
 * checkbox → `num = 1` when checked; select / status → `txt` = option id; multi_select / people →
 * one entry per element (`txt` = option or user id, `ord` = position); files → `txt` = lower-cased
 * name per file. Relations, formulas, rollups and verification are not indexed: their filters run
 * over computed, visibility-filtered values (domain/query.ts).
 */

export type ValueEntry = Omit<DataSourceValueTable, 'page_id' | 'data_source_id'>

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The index entries of one row's stored values under `schema` (pure). */
export function valueEntries(schema: Schema, values: Record<string, unknown>): ValueEntry[] {
  const out: ValueEntry[] = []
  for (const prop of Object.values(schema)) {
    const v = values[prop.id]
    if (v === undefined || v === null) continue
    const pid = prop.id
    switch (prop.type) {
      case 'title':
      case 'rich_text': {
        const s = Array.isArray(v) ? plainText(v as RichTextItem[]) : ''
        if (s !== '') out.push({ property_id: pid, ord: 0, txt: lower(s), num: null })
        break
      }
      case 'url':
      case 'email':
      case 'phone_number':
        if (typeof v === 'string' && v !== '') out.push({ property_id: pid, ord: 0, txt: lower(v), num: null })
        break
      case 'number':
      case 'unique_id':
        if (typeof v === 'number' && Number.isFinite(v)) out.push({ property_id: pid, ord: 0, txt: null, num: v })
        break
      case 'checkbox':
        if (v === true) out.push({ property_id: pid, ord: 0, txt: null, num: 1 })
        break
      case 'date':
        if (isObject(v) && typeof v.start === 'string') {
          const ms = dateMs(v.start, typeof v.time_zone === 'string' ? v.time_zone : null)
          if (!Number.isNaN(ms)) out.push({ property_id: pid, ord: 0, txt: null, num: ms })
        }
        break
      case 'select':
      case 'status':
        if (isObject(v) && typeof v.id === 'string') out.push({ property_id: pid, ord: 0, txt: v.id, num: null })
        break
      case 'multi_select':
      case 'people':
        if (Array.isArray(v))
          v.forEach((x, i) => isObject(x) && typeof x.id === 'string' && out.push({ property_id: pid, ord: i, txt: x.id, num: null }))
        break
      case 'files':
        if (Array.isArray(v))
          v.forEach((x, i) =>
            out.push({ property_id: pid, ord: i, txt: isObject(x) && typeof x.name === 'string' ? lower(x.name) : '', num: null }),
          )
        break
      default:
        break
    }
  }
  return out
}

// SQLite allows 32766 bound variables; 6 columns per entry.
const CHUNK = 4000

const ENTRY_COLUMNS = ['page_id', 'data_source_id', 'property_id', 'ord', 'txt', 'num'] as const

/** Entry counts up to this insert through a statement compiled once per count (one row's entries). */
const COMPILED_ENTRIES_MAX = 64

/**
 * `insert into data_source_value … values (…), …` of one row's entries, compiled once per entry count
 * (`compiledPerLength` over their `ENTRY_COLUMNS.length` values each).
 */
const insertEntriesOf = compiledPerLength(0, COMPILED_ENTRIES_MAX * ENTRY_COLUMNS.length, (db, _fixed, p) =>
  db
    .insertInto('data_source_value')
    .values(
      Array.from(
        { length: p.length / ENTRY_COLUMNS.length },
        (_, i) => Object.fromEntries(ENTRY_COLUMNS.map((c, j) => [c, p[i * ENTRY_COLUMNS.length + j]])) as unknown as DataSourceValueTable,
      ),
    ),
)

async function insertEntries(db: Db, rows: DataSourceValueTable[]): Promise<void> {
  if (rows.length === 0) return
  // One row's entries (creating or updating a row): the statement text is built once per count.
  const compiled = insertEntriesOf(rows.length * ENTRY_COLUMNS.length)
  if (compiled) {
    const params: unknown[] = []
    for (const r of rows) params.push(r.page_id, r.data_source_id, r.property_id, r.ord, r.txt ?? null, r.num ?? null)
    await compiled(db, ...params)
    return
  }
  for (let i = 0; i < rows.length; i += CHUNK)
    await db
      .insertInto('data_source_value')
      .values(rows.slice(i, i + CHUNK))
      .execute()
}

const deleteEntriesOfPage = compiledOnce(1, (db, pageId) => db.deleteFrom('data_source_value').where('page_id', '=', pageId))

/** Entries of several rows of one data source, ready to insert. */
export function entriesOfRows(
  dataSourceId: string,
  schema: Schema,
  rows: { id: string; properties: string | null }[],
): DataSourceValueTable[] {
  const out: DataSourceValueTable[] = []
  for (const r of rows) {
    const values = JSON.parse(r.properties ?? '{}') as Record<string, unknown>
    for (const e of valueEntries(schema, values)) out.push({ page_id: r.id, data_source_id: dataSourceId, ...e })
  }
  return out
}

/**
 * Rewrites the index entries of one page from its stored row: none unless it is a data-source row.
 * `schema` may be passed when the caller has it (saves one read).
 */
export async function reindexRow(db: Db, pageId: string, schema?: Schema): Promise<void> {
  await deleteEntriesOfPage(db, pageId)
  const row = await db
    .selectFrom('block')
    .select(['id', 'parent_type', 'parent_id', 'properties'])
    .where('id', '=', pageId)
    .executeTakeFirst()
  if (!row || row.parent_type !== 'data_source_id' || !row.parent_id) return
  let s = schema
  if (!s) {
    const ds = await db.selectFrom('data_source').select('properties').where('id', '=', row.parent_id).executeTakeFirst()
    if (!ds) return
    s = JSON.parse(ds.properties) as Schema
  }
  await insertEntries(db, entriesOfRows(row.parent_id, s, [row]))
}

/**
 * Writes the index entries of rows just inserted into data source `dataSourceId` under `schema` (the
 * caller's copy of the data source's schema), from the rows as inserted: what `reindexRow` does
 * without reading each row and the schema back. Entries a page of the same id may have left are
 * removed first (no foreign key ties an entry to its page).
 */
export async function indexNewRows(
  db: Db,
  dataSourceId: string,
  schema: Schema,
  rows: { id: string; properties: string | null }[],
): Promise<void> {
  for (const r of rows) await deleteEntriesOfPage(db, r.id)
  await insertEntries(db, entriesOfRows(dataSourceId, schema, rows))
}

/** Rebuilds the index of a whole data source (after a schema change), 1000 rows at a time. */
export async function reindexDataSource(db: Db, dataSourceId: string, schema: Schema): Promise<void> {
  // One delete per partial index (migration 0021): every entry has exactly one of `txt` and `num`.
  await db.deleteFrom('data_source_value').where('data_source_id', '=', dataSourceId).where('txt', 'is not', null).execute()
  await db.deleteFrom('data_source_value').where('data_source_id', '=', dataSourceId).where('num', 'is not', null).execute()
  let after = ''
  for (;;) {
    const rows = await db
      .selectFrom('block')
      .select(['id', 'properties'])
      .where('parent_id', '=', dataSourceId)
      .where('parent_type', '=', 'data_source_id')
      .where('id', '>', after)
      .orderBy('id')
      .limit(1000)
      .execute()
    if (rows.length === 0) return
    await insertEntries(db, entriesOfRows(dataSourceId, schema, rows))
    after = (rows[rows.length - 1] as { id: string }).id
  }
}

const INDEXED = new Set([
  'title',
  'rich_text',
  'url',
  'email',
  'phone_number',
  'number',
  'unique_id',
  'checkbox',
  'date',
  'select',
  'status',
  'multi_select',
  'people',
  'files',
])

/** `id:type` of every indexed property: the index changes when this does. */
export function indexSignature(schema: Schema): string {
  return Object.values(schema)
    .filter((p) => INDEXED.has(p.type))
    .map((p) => `${p.id}:${p.type}`)
    .sort()
    .join('|')
}
