import { sql } from 'kysely'
import { newId } from '../../domain/ids.js'
import type { NewBlock } from '../../domain/blocks.js'
import type { Schema } from '../../domain/properties.js'
import type { BlockTable } from '../database.js'
import type { Db } from '../store.js'
import { compiledOnce, compiledPerLength } from './compiled.js'
import { indexNewRows, reindexRow } from './data-source-values.repository.js'
import { appendEvents, type Actor, type NewChangeEvent } from './events.repository.js'
import type { At } from './at.js'

/**
 * Reads and writes of the `block` table: pages, databases and blocks alike (see database.ts).
 * Sibling order is an integer `position`; inserting in the middle shifts later siblings in one
 * statement.
 */

export type BlockRow = BlockTable

/**
 * Who makes a content change and when: `by` is the id stored as `created_by`/`last_edited_by` (a bot
 * or a person), `actor` the change event's actor (`bot:<id>`, `user:<id>`, `admin`, `system`; see
 * events.repository.ts), `time` ISO-8601 UTC with milliseconds.
 */
export interface ContentAt extends At {
  by: string
}

/** The event object kind of a node: `page`, `database` or `block`. */
export function nodeKind(node: Pick<BlockRow, 'type'>): 'page' | 'database' | 'block' {
  return node.type === 'child_page' ? 'page' : node.type === 'child_database' ? 'database' : 'block'
}

/** Nodes by id, in no particular order; unknown ids are left out. Chunked (500 ids per statement). */
export async function findBlocks(db: Db, ids: string[]): Promise<BlockRow[]> {
  const out: BlockRow[] = []
  const unique = [...new Set(ids)]
  for (let i = 0; i < unique.length; i += 500)
    out.push(
      ...(await db
        .selectFrom('block')
        .selectAll()
        .where('id', 'in', unique.slice(i, i + 500))
        .execute()),
    )
  return out
}

/** One page, database or block by id (any workspace; callers check the workspace). */
export async function findBlock(db: Db, id: string): Promise<BlockRow | undefined> {
  return (await blockById(db, id))[0]
}

/** `findBlock`'s statement, compiled once: it runs on every request that names a page or block. */
const blockById = compiledOnce(1, (db, id) =>
  db
    .selectFrom('block')
    .selectAll()
    .where('id', '=', id as string),
)

/** Live (not trashed) blocks of `type` in a workspace, newest first (ties by id), at most `limit`. */
export async function listLiveBlocksOfType(db: Db, workspaceId: string, type: string, limit: number): Promise<BlockRow[]> {
  return db
    .selectFrom('block')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('type', '=', type)
    .where('in_trash', '=', 0)
    .orderBy('created_time', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute()
}

/** Where new children go among their siblings. */
export type InsertAt =
  | { type: 'start' }
  | { type: 'end' }
  | { type: 'after_block'; afterId: string }
  /** Positions `first`… that the caller knows no live sibling holds (it just trashed the blocks there): nothing is shifted. */
  | { type: 'free_positions'; first: number }

/**
 * Reserves `count` consecutive positions under `parentId` at `at`, shifting later siblings.
 * Returns the first reserved position.
 */
export async function reservePositions(db: Db, parentId: string, at: InsertAt, count: number): Promise<number> {
  if (at.type === 'end') {
    const row = await db
      .selectFrom('block')
      .select((eb) => eb.fn.max('position').as('max'))
      .where('parent_id', '=', parentId)
      .executeTakeFirst()
    return row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 1
  }
  if (at.type === 'free_positions') return at.first
  let first = 0
  if (at.type === 'after_block') {
    const after = await db.selectFrom('block').select('position').where('id', '=', at.afterId).executeTakeFirst()
    first = (after?.position ?? -1) + 1
  }
  await db
    .updateTable('block')
    .set({ position: sql`position + ${count}` })
    .where('parent_id', '=', parentId)
    .where('position', '>=', first)
    .execute()
  return first
}

export interface InsertBlocksInput {
  workspaceId: string
  parentType: 'page_id' | 'block_id'
  parentId: string
  /** The page or database owning the new blocks. */
  pageId: string
  blocks: NewBlock[]
  at: InsertAt
  actor: string
  time: string
  /** The change events' actor (default `user:<actor>`; a `/v1` caller passes `changeActorOf(caller)`). */
  eventActor?: Actor
}

/**
 * Inserts a tree of blocks and returns the ids of the first-level ones, in order. Appends one
 * `block.appended` event per created block (nested ones included), `data: {parent_id, page_id, type}`.
 */
export async function insertBlocks(db: Db, input: InsertBlocksInput): Promise<string[]> {
  return (await insertBlockTree(db, input)).top.map((r) => r.id)
}

/** What a new content block row (`contentBlockRow`) is made of; `content` is the type's JSON object. */
export interface NewContentRow {
  id: string
  workspaceId: string
  type: string
  parentType: 'page_id' | 'block_id'
  parentId: string
  /** The page or database owning the block. */
  pageId: string
  position: number
  content: unknown
  /** Who creates it (`created_by`/`last_edited_by`) and when (ISO-8601 UTC). */
  actor: string
  time: string
}

/** A content block's `block` row, ready for `insertBlockRows`: not a page, not trashed, inheriting its page's access. */
export function contentBlockRow(r: NewContentRow): BlockRow {
  return {
    id: r.id,
    workspace_id: r.workspaceId,
    type: r.type,
    parent_type: r.parentType,
    parent_id: r.parentId,
    page_id: r.pageId,
    position: r.position,
    content: JSON.stringify(r.content),
    perm_root_id: null,
    path: null,
    inherits: 1,
    title_text: null,
    properties: null,
    icon: null,
    cover: null,
    is_locked: 0,
    is_inline: 0,
    created_time: r.time,
    created_by: r.actor,
    last_edited_time: r.time,
    last_edited_by: r.actor,
    in_trash: 0,
  }
}

/** What `insertBlockTree` wrote: the first-level rows in order, and which of them got children. */
export interface InsertedBlockTree {
  top: BlockRow[]
  /** Ids of first-level rows created with children (Notion's `has_children` of a new block). */
  withChildren: Set<string>
}

/**
 * `insertBlocks`, returning the first-level rows as written (exactly what a read would return, so an
 * append answers without reading them back) and which of them have children.
 */
export async function insertBlockTree(db: Db, input: InsertBlocksInput): Promise<InsertedBlockTree> {
  if (input.blocks.length === 0) return { top: [], withChildren: new Set() }
  const first = await reservePositions(db, input.parentId, input.at, input.blocks.length)
  const rows: BlockRow[] = []
  const top: BlockRow[] = []
  const parents = new Set<string>()
  const walk = (blocks: NewBlock[], parentType: 'page_id' | 'block_id', parentId: string, start: number, isTop: boolean) => {
    blocks.forEach((b, i) => {
      const id = b.id ?? newId()
      const row = contentBlockRow({
        id,
        workspaceId: input.workspaceId,
        type: b.type,
        parentType,
        parentId,
        pageId: input.pageId,
        position: start + i,
        content: b.content,
        actor: input.actor,
        time: input.time,
      })
      rows.push(row)
      if (isTop) top.push(row)
      if (b.children.length > 0) parents.add(id)
      walk(b.children, 'block_id', id, 0, false)
    })
  }
  walk(input.blocks, input.parentType, input.parentId, first, true)
  await insertBlockRows(db, rows, { actor: input.eventActor ?? `user:${input.actor}`, time: input.time })
  return { top, withChildren: new Set(top.filter((r) => parents.has(r.id)).map((r) => r.id)) }
}

// ---------------------------------------------------------------------------------------------
// The one write path for new `block` rows (pages, databases and content blocks alike)

/** Every column of `block`, in the order of the compiled one-row insert (the benchmarks' bulk loaders use it too). */
export const BLOCK_COLUMNS = [
  'id',
  'workspace_id',
  'type',
  'parent_type',
  'parent_id',
  'page_id',
  'position',
  'content',
  'perm_root_id',
  'path',
  'inherits',
  'title_text',
  'properties',
  'icon',
  'cover',
  'is_locked',
  'is_inline',
  'created_time',
  'created_by',
  'last_edited_time',
  'last_edited_by',
  'in_trash',
] as const satisfies readonly (keyof BlockRow)[]

/** One `block` row with every column (a new page or row: the create path), compiled once. */
const insertOneBlock = compiledOnce(BLOCK_COLUMNS.length, (db, ...p) =>
  db.insertInto('block').values(Object.fromEntries(BLOCK_COLUMNS.map((c, i) => [c, p[i]])) as unknown as BlockRow),
)

/**
 * Inserts ready-made `block` rows in the caller's transaction `db`, in order (parents before their
 * children), and keeps what depends on them right:
 * - the query value index: each database row (`parent_type = "data_source_id"`) is indexed
 *   (`reindexRow`, data-source-values.repository.ts), so callers never index by hand; with
 *   `opts.schema` (the schema of the data source the rows go into, which the caller has read) from
 *   the rows as given (`indexNewRows`), without reading them and the schema back;
 * - the change events (ADR 15), one per row, in row order: `page.created` for a `child_page`,
 *   `database.created` for a `child_database`, `block.appended` for any other block; each with
 *   `object_id` = the row id and `data: {parent_type, parent_id}` (plus `type` for blocks).
 * Rows go in chunks of 500 (SQLite's 32,766 bound variables over 24 columns).
 * @param at who (`user:<id>` | `bot:<id>` | `admin` | `system`) and when (ISO-8601 UTC), for the events.
 */
export async function insertBlockRows(
  db: Db,
  rows: BlockRow[],
  at: { actor: string; time: string },
  opts: { schema?: Schema } = {},
): Promise<void> {
  if (rows.length === 0) return
  const only = rows.length === 1 ? (rows[0] as BlockRow) : undefined
  if (only && BLOCK_COLUMNS.every((c) => only[c] !== undefined)) await insertOneBlock(db, ...BLOCK_COLUMNS.map((c) => only[c]))
  else
    for (let i = 0; i < rows.length; i += 500)
      await db
        .insertInto('block')
        .values(rows.slice(i, i + 500))
        .execute()
  for (const r of rows) {
    if (r.parent_type !== 'data_source_id') continue
    if (opts.schema && r.parent_id) await indexNewRows(db, r.parent_id, opts.schema, [r])
    else await reindexRow(db, r.id)
  }
  await appendEvents(
    db,
    rows.map((r) => ({
      workspaceId: r.workspace_id,
      type: r.type === 'child_page' ? 'page.created' : r.type === 'child_database' ? 'database.created' : 'block.appended',
      objectId: r.id,
      actor: at.actor,
      time: at.time,
      data:
        r.type === 'child_page' || r.type === 'child_database'
          ? { parent_type: r.parent_type, parent_id: r.parent_id }
          : { parent_type: r.parent_type, parent_id: r.parent_id, page_id: r.page_id, type: r.type },
    })),
  )
}

/**
 * The live content blocks of page `pageId` (its whole block tree, not its sub-pages or databases nor
 * anything under them), in no particular order: what a template copy duplicates.
 */
export async function listContentBlocksOfPage(db: Db, pageId: string): Promise<BlockRow[]> {
  return db
    .selectFrom('block')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('id', '!=', pageId)
    .where('in_trash', '=', 0)
    .where('type', 'not in', ['child_page', 'child_database'])
    .execute()
}

/** The live templates of data source `dataSourceId` (`parent_type = "template"`), by `position` then id. */
export async function listTemplatesOfDataSource(db: Db, dataSourceId: string): Promise<BlockRow[]> {
  return db
    .selectFrom('block')
    .selectAll()
    .where('parent_type', '=', 'template')
    .where('parent_id', '=', dataSourceId)
    .where('in_trash', '=', 0)
    .orderBy('position')
    .orderBy('id')
    .execute()
}

/**
 * Lists the children of a page or block in order, `limit` at a time, starting at the child whose id
 * is `cursor`. Trashed children and database rows are not children.
 */
export async function listChildren(db: Db, parentId: string, cursor: string | undefined, limit: number): Promise<BlockRow[]> {
  let q = db
    .selectFrom('block')
    .selectAll()
    .where('parent_id', '=', parentId)
    .where('parent_type', '!=', 'data_source_id')
    .where('in_trash', '=', 0)
    .orderBy('position')
    .orderBy('id')
    .limit(limit)
  if (cursor) {
    const at = await db.selectFrom('block').select('position').where('id', '=', cursor).where('parent_id', '=', parentId).executeTakeFirst()
    if (!at) return []
    q = q.where('position', '>=', at.position)
  }
  return q.execute()
}

/**
 * The columns a listed child block is presented from (api/blocks/blocks.presenter.ts `presentBlock`)
 * and checked with (its permission root and owning page, services/access.ts `levelOn`).
 */
export const CHILD_COLUMNS = [
  'id',
  'type',
  'parent_type',
  'parent_id',
  'page_id',
  'perm_root_id',
  'content',
  'properties',
  'created_time',
  'created_by',
  'last_edited_time',
  'last_edited_by',
  'in_trash',
] as const satisfies readonly (keyof BlockRow)[]

/** A child as `listChildPage` returns it: `CHILD_COLUMNS` and whether it has live children itself (Notion's `has_children`). */
export type ChildRow = Pick<BlockRow, (typeof CHILD_COLUMNS)[number]> & { has_children: boolean }

/** `CHILD_COLUMNS` of `b` and `has_children` (0/1 on both stores) in one select list. */
function childSelect(db: Db) {
  return db
    .selectFrom('block as b')
    .select(CHILD_COLUMNS.map((c) => `b.${c}` as const))
    .select(
      sql<number>`case when exists (select 1 from block as k where k.parent_id = b.id and k.parent_type <> 'data_source_id' and k.in_trash = 0) then 1 else 0 end`.as(
        'has_children',
      ),
    )
}

/** `listChildPage`'s statements, compiled once: the first page, and a page from a cursor child on. */
const childPageFirst = compiledOnce(2, (db, parentId, limit) =>
  childSelect(db)
    .where('b.parent_id', '=', parentId as string)
    .where('b.parent_type', '<>', 'data_source_id')
    .where('b.in_trash', '=', 0)
    .orderBy('b.position')
    .orderBy('b.id')
    .limit(limit as unknown as number),
)
const childPageFrom = compiledOnce(4, (db, parentId, cursor, cursorParent, limit) =>
  childSelect(db)
    .where('b.parent_id', '=', parentId as string)
    .where('b.parent_type', '<>', 'data_source_id')
    .where('b.in_trash', '=', 0)
    .where('b.position', '>=', (eb) =>
      eb
        .selectFrom('block as c')
        .select('c.position')
        .where('c.id', '=', cursor as string)
        .where('c.parent_id', '=', cursorParent as string),
    )
    .orderBy('b.position')
    .orderBy('b.id')
    .limit(limit as unknown as number),
)

/**
 * `listChildren` for presenting (`GET /v1/blocks/{id}/children`): the same children in the same
 * order, `limit` at a time from the child `cursor` on (none when `cursor` is not a child of
 * `parentId`), in one statement that also answers each child's `has_children`, with
 * `CHILD_COLUMNS` only.
 */
export async function listChildPage(db: Db, parentId: string, cursor: string | undefined, limit: number): Promise<ChildRow[]> {
  type Raw = Omit<ChildRow, 'has_children'> & { has_children: number | boolean | string }
  const rows = (cursor ? await childPageFrom(db, parentId, cursor, parentId, limit) : await childPageFirst(db, parentId, limit)) as Raw[]
  for (const r of rows) (r as unknown as ChildRow).has_children = Number(r.has_children) === 1
  return rows as unknown as ChildRow[]
}

/** Of `ids`, the ones with at least one live child (Notion's `has_children`). */
export async function withChildren(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await db
    .selectFrom('block')
    .select('parent_id')
    .distinct()
    .where('parent_id', 'in', ids)
    .where('parent_type', '!=', 'data_source_id')
    .where('in_trash', '=', 0)
    .execute()
  return new Set(rows.map((r) => r.parent_id as string))
}

/** `anyInTrash`'s statement, compiled once per number of ids (a node's ancestors: a few). */
const anyInTrashOf = compiledPerLength(0, 32, (db, _fixed, ids) =>
  db.selectFrom('block').select('id').where('id', 'in', ids).where('in_trash', '=', 1).limit(1),
)

/** Whether any of the nodes `ids` (pages, databases or blocks) is in the trash: one indexed read. */
export async function anyInTrash(db: Db, ids: string[]): Promise<boolean> {
  if (ids.length === 0) return false
  const compiled = anyInTrashOf(ids.length)
  if (compiled) return (await compiled(db, ...ids)).length > 0
  const row = await db.selectFrom('block').select('id').where('id', 'in', ids).where('in_trash', '=', 1).limit(1).executeTakeFirst()
  return row !== undefined
}

/** Updates columns of one node; a change of `properties` or of the parent re-derives its query index entries. */
async function updateBlock(db: Db, id: string, patch: Partial<BlockRow>): Promise<void> {
  await db.updateTable('block').set(patch).where('id', '=', id).execute()
  if (patch.properties !== undefined || patch.parent_id !== undefined || patch.parent_type !== undefined) await reindexRow(db, id)
}

/**
 * Places page or database `node` under a new parent (a page, or a data source for a row) at
 * `position`, edited by `at.by`, and appends `page.moved` (or `database.moved`) with
 * `data: {parent_type, parent_id}`. The row's query index entries follow its new parent. The
 * permission side of a move (paths, roots, ACLs) is acl.repository's `reattachSubtree`.
 */
export async function moveNodeRow(
  db: Db,
  node: Pick<BlockRow, 'id' | 'type' | 'workspace_id'>,
  placement: { parentType: 'page_id' | 'data_source_id'; parentId: string; position: number },
  at: ContentAt,
): Promise<void> {
  await updateBlock(db, node.id, {
    parent_type: placement.parentType,
    parent_id: placement.parentId,
    position: placement.position,
    last_edited_time: at.time,
    last_edited_by: at.by,
  })
  await appendEvents(db, [
    {
      workspaceId: node.workspace_id,
      type: node.type === 'child_database' ? 'database.moved' : 'page.moved',
      objectId: node.id,
      actor: at.actor,
      time: at.time,
      data: { parent_type: placement.parentType, parent_id: placement.parentId },
    },
  ])
}

/**
 * Makes row `rowId` of a data source a template of it (`parent_type = "template"`) at `position`, or
 * only changes whether an existing template is the default one (`position` absent), and appends
 * `page.updated` with `data.fields` (`parent`, `template`).
 */
export async function setTemplate(
  db: Db,
  row: Pick<BlockRow, 'id' | 'workspace_id'>,
  template: { isDefault: boolean; position?: number },
  at: At,
): Promise<void> {
  const content = JSON.stringify({ template: { is_default: template.isDefault } })
  const becomes = template.position !== undefined
  await updateBlock(
    db,
    row.id,
    becomes ? { parent_type: 'template' as BlockRow['parent_type'], position: template.position, content } : { content },
  )
  await appendEvents(db, [
    {
      workspaceId: row.workspace_id,
      type: 'page.updated',
      objectId: row.id,
      actor: at.actor,
      time: at.time,
      data: { fields: becomes ? ['parent', 'template'] : ['template'] },
    },
  ])
}

/**
 * Marks a page (or a block holding new children) as edited by `actor` at `time`: Notion bumps a page
 * when its content changes. No event of its own: the content change's events (`block.appended`,
 * `block.updated`, …) say what changed.
 */
export async function touchPage(db: Db, pageId: string, actor: string, time: string): Promise<void> {
  await db.updateTable('block').set({ last_edited_time: time, last_edited_by: actor }).where('id', '=', pageId).execute()
}

/** The columns of a node an update may change through `updateNode`. */
export type NodePatch = Partial<
  Pick<BlockRow, 'properties' | 'title_text' | 'icon' | 'cover' | 'is_locked' | 'is_inline' | 'in_trash' | 'content'>
>

/**
 * The `data.fields` of an update event: which of `title`, `description` (databases), `properties`
 * (database rows), `icon`, `cover`, `is_locked`, `is_inline`, `content` (blocks) `patch` changes.
 */
function changedFields(node: BlockRow, patch: NodePatch): string[] {
  const fields: string[] = []
  const kind = nodeKind(node)
  if (patch.title_text !== undefined && patch.title_text !== node.title_text) fields.push('title')
  if (patch.properties !== undefined && patch.properties !== node.properties) {
    if (kind === 'database') {
      const a = JSON.parse(node.properties ?? '{}') as Record<string, unknown>
      const b = JSON.parse(patch.properties ?? '{}') as Record<string, unknown>
      if (!fields.includes('title') && JSON.stringify(a.title) !== JSON.stringify(b.title)) fields.push('title')
      if (JSON.stringify(a.description) !== JSON.stringify(b.description)) fields.push('description')
    } else if (node.parent_type === 'data_source_id' || node.parent_type === 'template') fields.push('properties')
    else if (!fields.includes('title')) fields.push('title')
  }
  for (const key of ['icon', 'cover', 'is_locked', 'is_inline', 'content'] as const) {
    if (patch[key] !== undefined && patch[key] !== node[key]) fields.push(key)
  }
  return fields
}

/**
 * Updates a page, database or block (`node`, as read before the change) and appends its events:
 * `<kind>.trashed` / `<kind>.restored` when `in_trash` changes, `<kind>.updated` with
 * `data.fields` (see `changedFields`; plus `data.property_ids`, the changed values' property ids, when
 * a row's `properties` change — webhooks' `updated_properties`) when anything else does (`kind` = page | database | block;
 * nothing for a write that changes nothing). Sets `last_edited_*` from `at`; a block's owning page is
 * bumped too. A change of `properties` re-derives the row's query index entries.
 */
export async function updateNode(db: Db, node: BlockRow, patch: NodePatch, at: ContentAt): Promise<void> {
  const kind = nodeKind(node)
  const fields = changedFields(node, patch)
  await db
    .updateTable('block')
    .set({ ...patch, last_edited_time: at.time, last_edited_by: at.by })
    .where('id', '=', node.id)
    .execute()
  if (patch.properties !== undefined) await reindexRow(db, node.id)
  if (kind === 'block' && node.page_id !== node.id) await touchPage(db, node.page_id, at.by, at.time)
  const events: NewChangeEvent[] = []
  const base = { workspaceId: node.workspace_id, objectId: node.id, actor: at.actor, time: at.time }
  if (patch.in_trash !== undefined && patch.in_trash !== node.in_trash)
    events.push({ ...base, type: `${kind}.${patch.in_trash ? 'trashed' : 'restored'}` })
  const propertyIds = fields.includes('properties') ? changedPropertyIds(node, patch) : []
  if (fields.length > 0)
    events.push({ ...base, type: `${kind}.updated`, data: propertyIds.length > 0 ? { fields, property_ids: propertyIds } : { fields } })
  await appendEvents(db, events)
}

/** The ids of a row's property values that `patch` changes (keys of the stored `properties` JSON). */
function changedPropertyIds(node: BlockRow, patch: NodePatch): string[] {
  const a = JSON.parse(node.properties ?? '{}') as Record<string, unknown>
  const b = JSON.parse(patch.properties ?? '{}') as Record<string, unknown>
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
}

/**
 * `DELETE /v1/blocks/{id}`: moves `node` to the trash (Notion's delete) and bumps its owning page.
 * Event: `block.deleted`, or `page.trashed` / `database.trashed` for a page or database.
 */
export async function deleteNode(db: Db, node: BlockRow, at: ContentAt): Promise<void> {
  const kind = nodeKind(node)
  await db.updateTable('block').set({ in_trash: 1, last_edited_time: at.time, last_edited_by: at.by }).where('id', '=', node.id).execute()
  if (kind === 'block' && node.page_id !== node.id) await touchPage(db, node.page_id, at.by, at.time)
  await appendEvents(db, [
    {
      workspaceId: node.workspace_id,
      type: kind === 'block' ? 'block.deleted' : `${kind}.trashed`,
      objectId: node.id,
      actor: at.actor,
      time: at.time,
    },
  ])
}

/**
 * `erase_content` of a page update: moves the page's live content blocks (first level; sub-pages and
 * databases stay) to the trash. One `block.deleted` event per block erased.
 */
export async function eraseContent(db: Db, page: BlockRow, at: ContentAt): Promise<void> {
  const ids = (
    await db
      .selectFrom('block')
      .select('id')
      .where('parent_id', '=', page.id)
      .where('parent_type', '=', 'page_id')
      .where('type', 'not in', ['child_page', 'child_database'])
      .where('in_trash', '=', 0)
      .execute()
  ).map((r) => r.id)
  for (let i = 0; i < ids.length; i += 500)
    await db
      .updateTable('block')
      .set({ in_trash: 1 })
      .where('id', 'in', ids.slice(i, i + 500))
      .execute()
  await appendEvents(
    db,
    ids.map((id) => ({
      workspaceId: page.workspace_id,
      type: 'block.deleted',
      objectId: id,
      actor: at.actor,
      time: at.time,
      data: { parent_id: page.id },
    })),
  )
}

/**
 * Replaces the stored values of database row `rowId` because another write changed them (the synced
 * side of a two-way relation): `page.updated` with `data.fields: ["properties"]`, actor `at.actor`.
 * Re-derives the row's query index entries; `last_edited_*` stay (as in Notion).
 */
export async function writeSyncedValues(
  db: Db,
  row: Pick<BlockRow, 'id' | 'workspace_id'>,
  values: Record<string, unknown>,
  at: Pick<ContentAt, 'actor' | 'time'>,
): Promise<void> {
  await db
    .updateTable('block')
    .set({ properties: JSON.stringify(values) })
    .where('id', '=', row.id)
    .execute()
  await reindexRow(db, row.id)
  await appendEvents(db, [
    {
      workspaceId: row.workspace_id,
      type: 'page.updated',
      objectId: row.id,
      actor: at.actor,
      time: at.time,
      data: { fields: ['properties'] },
    },
  ])
}

/**
 * Rewrites a row's stored values (and title text) during a schema change of its data source
 * (conversion on retype, removal of a property, numbering of a new unique id). No event of its own:
 * the data source's `data_source.schema_changed` (data-sources.repository.ts `saveSchema`) covers its
 * rows. With `reindex`, re-derives the row's query index entries (leave it off when the caller
 * re-indexes the whole data source afterwards, as `saveSchema` does on a retype or removal).
 */
export async function migrateRowValues(
  db: Db,
  rowId: string,
  patch: { properties: string; title_text?: string },
  opts: { reindex: boolean },
): Promise<void> {
  await db.updateTable('block').set(patch).where('id', '=', rowId).execute()
  if (opts.reindex) await reindexRow(db, rowId)
}

/** The id and stored values of every row (trashed too) of a data source. */
export async function rowValuesOf(db: Db, dataSourceId: string): Promise<Pick<BlockRow, 'id' | 'properties'>[]> {
  return db
    .selectFrom('block')
    .select(['id', 'properties'])
    .where('parent_id', '=', dataSourceId)
    .where('parent_type', '=', 'data_source_id')
    .execute()
}

/**
 * Whether `node` is in the trash itself or through an ancestor: the blocks above it up to its
 * owning page, then that page and every page or database above it (from the materialised path).
 */
export async function inTrashWithAncestors(db: Db, node: BlockRow): Promise<boolean> {
  if (node.in_trash === 1) return true
  let cur = node
  for (let hops = 0; cur.parent_type === 'block_id' && cur.parent_id && hops < 64; hops++) {
    const parent = await findBlock(db, cur.parent_id)
    if (!parent) break
    if (parent.in_trash === 1) return true
    cur = parent
  }
  const owner = cur.page_id === cur.id ? cur : await findBlock(db, cur.page_id)
  if (!owner) return false
  if (owner.in_trash === 1) return true
  const ancestors = (owner.path ?? '/').split('/').filter(Boolean)
  if (ancestors.length === 0) return false
  const hit = await db.selectFrom('block').select('id').where('id', 'in', ancestors).where('in_trash', '=', 1).executeTakeFirst()
  return hit !== undefined
}

/** The live (not trashed) child `childId` of `parentId`, if it is one. Database rows are not children. */
export async function findLiveChild(db: Db, parentId: string, childId: string): Promise<BlockRow | undefined> {
  return db
    .selectFrom('block')
    .selectAll()
    .where('id', '=', childId)
    .where('parent_id', '=', parentId)
    .where('parent_type', '!=', 'data_source_id')
    .where('in_trash', '=', 0)
    .executeTakeFirst()
}

/** A content block of a page tree as its Markdown needs it (the other columns are not read). */
export type PageTreeRow = Pick<BlockRow, 'id' | 'type' | 'parent_id' | 'position' | 'content'>

/**
 * The live tree under page `pageId` for its Markdown: every live content block of the page
 * (`content`, only the columns a rendering needs) and the live child pages and databases hanging
 * from the page or one of its blocks (`nodes`, whole rows: their access is checked; not their own
 * content), at most `limit` rows together (the caller passes its load limit + 1 to detect
 * truncation). Rows in no particular order; blocks under a trashed block are returned and left out
 * by the caller when it builds the tree from the root.
 */
export async function listPageTree(db: Db, pageId: string, limit: number): Promise<{ content: PageTreeRow[]; nodes: BlockRow[] }> {
  const content = await db
    .selectFrom('block')
    .select(['id', 'type', 'parent_id', 'position', 'content'])
    .where('page_id', '=', pageId)
    .where('id', '!=', pageId)
    .where('in_trash', '=', 0)
    .where('type', 'not in', ['child_page', 'child_database'])
    .limit(limit)
    .execute()
  const parents = [pageId, ...content.map((r) => r.id)]
  const nodes: BlockRow[] = []
  for (let i = 0; i < parents.length && content.length + nodes.length < limit; i += 500)
    nodes.push(
      ...(await db
        .selectFrom('block')
        .selectAll()
        .where('parent_id', 'in', parents.slice(i, i + 500))
        .where('parent_type', 'in', ['page_id', 'block_id'])
        .where('type', 'in', ['child_page', 'child_database'])
        .where('in_trash', '=', 0)
        .execute()),
    )
  return { content, nodes: nodes.slice(0, Math.max(0, limit - content.length)) }
}

/**
 * Trashes content blocks of page `page` in bulk (a Markdown edit replacing them): the blocks `ids`
 * and their descendants `descendantIds` go to the trash in chunked statements, the page is bumped
 * once, and one `block.deleted` event is appended per block of `ids` (`data: {parent_id}`), as
 * `deleteNode` would for each (descendants go with their block, as in `eraseContent`).
 */
export async function trashBlocks(db: Db, page: BlockRow, ids: string[], descendantIds: string[], at: ContentAt): Promise<void> {
  if (ids.length === 0) return
  const all = [...ids, ...descendantIds]
  for (let i = 0; i < all.length; i += 500)
    await db
      .updateTable('block')
      .set({ in_trash: 1, last_edited_time: at.time, last_edited_by: at.by })
      .where('id', 'in', all.slice(i, i + 500))
      .execute()
  await touchPage(db, page.id, at.by, at.time)
  await appendEvents(
    db,
    ids.map((id) => ({
      workspaceId: page.workspace_id,
      type: 'block.deleted',
      objectId: id,
      actor: at.actor,
      time: at.time,
      data: { parent_id: page.id },
    })),
  )
}
