import SQLite from 'better-sqlite3'
import type { Kysely } from 'kysely'
import { plainText, type RichTextItem } from '../../src/domain/rich-text.js'
import type { NewBlock } from '../../src/domain/blocks.js'
import type { BlockTable, Database } from '../../src/storage/database.js'
import { BLOCK_COLUMNS, contentBlockRow } from '../../src/storage/repositories/blocks.repository.js'

/**
 * The benchmark generator's one bulk-insert path (docs/adr/0012-benchmarks.md).
 *
 * Everything structural — workspace, people, connections, top-level pages, the database, its rows,
 * shares — goes through Octavo's services. Two kinds of rows are too many for that at size L
 * (≈0.6 ms per page and ≈0.08 ms per block through Kysely, versus ≈10 µs here): pages below a
 * top-level page, and content blocks. They are written here with one prepared statement on a second
 * SQLite connection to the same file, as the rows `createNode` and `insertBlocks` would write:
 *
 * - a child page inherits its parent's permission root (`perm_root_id` = the parent's) and its
 *   `path` is the parent's path plus the parent's id (invariants in acl.repository.ts). This holds
 *   because every page written here is new and shared with nobody yet; shares are made afterwards
 *   through `shareWithConnection`, which re-roots subtrees and recomputes ACLs itself.
 * - a block carries its owning page in `page_id` and its sibling `position`.
 *
 * Rows are typed as `BlockTable`, so a new non-null column without a default fails to compile
 * here. Two writers build the same rows (`pageRow`, `blockRow`): `openBulkWriter` (SQLite, a second
 * connection to the file) and `openPostgresBulkWriter` (multi-row inserts of 1,000 rows through the
 * store's own Kysely instance, so its plugins apply).
 */

export interface BulkPage {
  id: string
  workspaceId: string
  parentId: string
  title: string
  time: string
  actor: string
}

/** Callers `await` every call: the SQLite writer is synchronous, the PostgreSQL one is not. */
export interface BulkWriter {
  /** Inserts a child page under an existing page (looked up once and remembered). */
  page(p: BulkPage): void | Promise<void>
  /** Appends `blocks` (flat) as children of `pageId`, after its existing children. */
  blocks(pageId: string, workspaceId: string, blocks: NewBlock[], ids: () => string, time: string, actor: string): void | Promise<void>
  /** Commits what is pending (every `batch` rows a commit happens on its own). */
  flush(): void | Promise<void>
  close(): void | Promise<void>
}

const COLUMNS: readonly (keyof BlockTable)[] = BLOCK_COLUMNS

type ParentInfo = { perm_root_id: string | null; path: string | null }

/** The row `createNode` writes for a new child page under `parent` (no share of its own yet). */
function pageRow(p: BulkPage, parent: ParentInfo, position: number): { row: BlockTable; path: string } {
  const title: RichTextItem[] = [
    {
      type: 'text',
      text: { content: p.title, link: null },
      annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' },
      plain_text: p.title,
      href: null,
    },
  ]
  const path = `${parent.path ?? '/'}${p.parentId}/`
  const row: BlockTable = {
    id: p.id,
    workspace_id: p.workspaceId,
    type: 'child_page',
    parent_type: 'page_id',
    parent_id: p.parentId,
    page_id: p.id,
    position,
    content: '{}',
    perm_root_id: parent.perm_root_id,
    path,
    inherits: 1,
    title_text: plainText(title).toLowerCase(),
    properties: JSON.stringify({ title }),
    icon: null,
    cover: null,
    is_locked: 0,
    is_inline: 0,
    created_time: p.time,
    created_by: p.actor,
    last_edited_time: p.time,
    last_edited_by: p.actor,
    in_trash: 0,
  }
  return { row, path }
}

/** The row `insertBlocks` writes for a content block of page `pageId`. */
function blockRow(b: NewBlock, id: string, pageId: string, workspaceId: string, position: number, time: string, actor: string): BlockTable {
  return contentBlockRow({
    id,
    workspaceId,
    type: b.type,
    parentType: 'page_id',
    parentId: pageId,
    pageId,
    position,
    content: b.content,
    actor,
    time,
  })
}

/**
 * Opens a bulk writer on a PostgreSQL store's Kysely instance: rows are buffered and inserted 1,000
 * per statement (22 parameters a row, under PostgreSQL's 65,535), each statement its own
 * transaction; parents and positions of rows written before are read from the store.
 */
export function openPostgresBulkWriter(db: Kysely<Database>, batch = 1_000): BulkWriter {
  const pages = new Map<string, ParentInfo>()
  const nextPos = new Map<string, number>()
  let pending: BlockTable[] = []
  const flush = async () => {
    const rows = pending
    pending = []
    if (rows.length > 0) await db.insertInto('block').values(rows).execute()
  }
  const push = async (row: BlockTable) => {
    pending.push(row)
    if (pending.length >= batch) await flush()
  }
  const parentOf = async (id: string) => {
    let p = pages.get(id)
    if (!p) {
      await flush()
      p = await db.selectFrom('block').select(['perm_root_id', 'path']).where('id', '=', id).executeTakeFirst()
      if (!p) throw new Error(`bulk: parent page ${id} not found`)
      pages.set(id, p)
    }
    return p
  }
  const position = async (parentId: string) => {
    let n = nextPos.get(parentId)
    if (n === undefined) {
      await flush()
      const row = await db
        .selectFrom('block')
        .select((eb) => eb.fn.max('position').as('max'))
        .where('parent_id', '=', parentId)
        .executeTakeFirst()
      n = row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 1
    }
    nextPos.set(parentId, n + 1)
    return n
  }
  return {
    async page(p) {
      const parent = await parentOf(p.parentId)
      const { row, path } = pageRow(p, parent, await position(p.parentId))
      pages.set(p.id, { perm_root_id: parent.perm_root_id, path })
      // A child page's own children start at 0 (it is new): no lookup needed later.
      nextPos.set(p.id, 0)
      await push(row)
    },
    async blocks(pageId, workspaceId, blocks, ids, time, actor) {
      for (const b of blocks) await push(blockRow(b, ids(), pageId, workspaceId, await position(pageId), time, actor))
    },
    flush,
    close: flush,
  }
}

/** Opens a bulk writer on the SQLite file at `path`; commits every `batch` rows. */
export function openBulkWriter(path: string, batch = 20_000): BulkWriter {
  const db = new SQLite(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = OFF')
  db.pragma('busy_timeout = 5000')
  const insert = db.prepare(
    `insert into block (${COLUMNS.map((c) => `"${c}"`).join(', ')}) values (${COLUMNS.map((c) => `@${c}`).join(', ')})`,
  )
  const lookup = db.prepare('select perm_root_id, path from block where id = ?')
  const maxPos = db.prepare('select max(position) as max from block where parent_id = ?')
  const pages = new Map<string, { perm_root_id: string | null; path: string | null }>()
  const nextPos = new Map<string, number>()
  let pending = 0
  let open = false
  const begin = () => {
    if (!open) {
      db.exec('begin')
      open = true
    }
  }
  const written = () => {
    if (++pending >= batch) flush()
  }
  const flush = () => {
    if (open) db.exec('commit')
    open = false
    pending = 0
  }
  const parentOf = (id: string) => {
    let p = pages.get(id)
    if (!p) {
      p = lookup.get(id) as { perm_root_id: string | null; path: string | null } | undefined
      if (!p) throw new Error(`bulk: parent page ${id} not found`)
      pages.set(id, p)
    }
    return p
  }
  const position = (parentId: string) => {
    let n = nextPos.get(parentId)
    if (n === undefined) {
      const row = maxPos.get(parentId) as { max: number | null }
      n = row.max === null ? 0 : row.max + 1
    }
    nextPos.set(parentId, n + 1)
    return n
  }
  return {
    page(p) {
      begin()
      const parent = parentOf(p.parentId)
      const { row, path } = pageRow(p, parent, position(p.parentId))
      insert.run(row)
      pages.set(p.id, { perm_root_id: parent.perm_root_id, path })
      written()
    },
    blocks(pageId, workspaceId, blocks, ids, time, actor) {
      begin()
      for (const b of blocks) {
        const row = blockRow(b, ids(), pageId, workspaceId, position(pageId), time, actor)
        insert.run(row)
        written()
      }
    },
    flush,
    close() {
      flush()
      db.close()
    },
  }
}
