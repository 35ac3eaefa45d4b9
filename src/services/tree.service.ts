import { newId } from '../domain/ids.js'
import type { Schema } from '../domain/properties.js'
import { plainText, type RichTextItem } from '../domain/rich-text.js'
import { ROLE, principalOf } from '../permissions/roles.js'
import { grantOnPage, reattachSubtree, subtreePrefix } from '../storage/repositories/acl.repository.js'
import {
  findBlock,
  insertBlockRows,
  moveNodeRow,
  reservePositions,
  type BlockRow,
  type InsertAt,
} from '../storage/repositories/blocks.repository.js'
import { findUser } from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'

/**
 * The page tree: creating pages and databases in the right place with the right permission root,
 * and moving them. Shared by the `/v1` API, the admin API, the CLI and the demo seed.
 */

/**
 * Where a new node goes. A data-source parent may carry the rows its caller has already read in
 * this transaction: `database` (the database's `block` row, saves reading it again) and `schema` (the
 * data source's schema, saves reading it again to index the row's values).
 */
export type NodeParent =
  | { type: 'workspace' }
  | { type: 'page_id'; id: string }
  | { type: 'data_source_id'; id: string; databaseId: string; database?: BlockRow; schema?: Schema }

export interface CreateNodeInput {
  workspaceId: string
  parent: NodeParent
  kind: 'page' | 'database'
  title: RichTextItem[]
  /** Page property values keyed by property id (pages), or `{title, description}` (databases). */
  properties: Record<string, unknown>
  icon?: Record<string, unknown> | null
  cover?: Record<string, unknown> | null
  isInline?: boolean
  /**
   * For a top-level page: `workspace` (the default; the workspace section, where every full member
   * has full access through `members:<workspace>`) or `private` (the actor's private section: only
   * `user:<actor>` has full access). Ignored under a parent.
   */
  section?: 'workspace' | 'private'
  /** Whose private section (default: the actor). A PAT writes as its bot into its creator's private section. */
  privateOwner?: string
  actor: string
  time: string
  /** The change event's actor (default `user:<actor>`; a `/v1` caller passes `changeActorOf(caller)`). */
  eventActor?: string
  id?: string
  /** Where among the parent page's children (default: the end); ignored outside a page. */
  at?: InsertAt
}

/**
 * The change-event actor (ADR 15) of a write credited to user id `userId` (the `created_by` /
 * `last_edited_by` column value): `bot:<id>` for a connection's bot, otherwise `user:<id>`.
 */
export async function eventActorOf(db: Db, userId: string): Promise<string> {
  return (await findUser(db, userId))?.type === 'bot' ? `bot:${userId}` : `user:${userId}`
}

/**
 * Inserts a page or database node through the block write path (`insertBlockRows`: the query value
 * index of a database row, and the `page.created` / `database.created` event, actor from
 * `eventActorOf(input.actor)`).
 * - Under a page: appended to the page's children; inherits the page's permission root.
 * - In a data source (a database row): inherits the database's root; not a child block.
 * - At the workspace level: its own root, granting full access to every full member
 *   (`members:<workspace>`, the workspace section) or, for `section: 'private'`, to the actor only
 *   (`user:<actor>`, their private section; docs/adr/0009-people-permissions.md).
 * Event: `page.created` / `database.created`, `data: {parent_type, parent_id}`.
 */
export async function createNode(db: Db, input: CreateNodeInput): Promise<BlockRow> {
  const id = input.id ?? newId()
  let path = '/'
  let permRoot: string | null = id
  let parentType: BlockRow['parent_type'] = 'workspace'
  let parentId: string | null = null
  let position = 0
  if (input.parent.type === 'page_id') {
    const parent = await findBlock(db, input.parent.id)
    if (!parent) throw new Error(`Parent ${input.parent.id} not found`)
    path = subtreePrefix(parent)
    permRoot = parent.perm_root_id
    parentType = 'page_id'
    parentId = parent.id
    position = await reservePositions(db, parent.id, input.at ?? { type: 'end' }, 1)
  } else if (input.parent.type === 'data_source_id') {
    const given = input.parent.database
    const database = given && given.id === input.parent.databaseId ? given : await findBlock(db, input.parent.databaseId)
    if (!database) throw new Error(`Database ${input.parent.databaseId} not found`)
    path = subtreePrefix(database)
    permRoot = database.perm_root_id
    parentType = 'data_source_id'
    parentId = input.parent.id
  }
  const row: BlockRow = {
    id,
    workspace_id: input.workspaceId,
    type: input.kind === 'page' ? 'child_page' : 'child_database',
    parent_type: parentType,
    parent_id: parentId,
    page_id: id,
    position,
    content: '{}',
    perm_root_id: permRoot,
    path,
    inherits: 1,
    title_text: plainText(input.title).toLowerCase(),
    properties: JSON.stringify(input.properties),
    icon: input.icon ? JSON.stringify(input.icon) : null,
    cover: input.cover ? JSON.stringify(input.cover) : null,
    is_locked: 0,
    is_inline: input.isInline ? 1 : 0,
    created_time: input.time,
    created_by: input.actor,
    last_edited_time: input.time,
    last_edited_by: input.actor,
    in_trash: 0,
  }
  await insertBlockRows(
    db,
    [row],
    { actor: input.eventActor ?? (await eventActorOf(db, input.actor)), time: input.time },
    { schema: input.parent.type === 'data_source_id' ? input.parent.schema : undefined },
  )
  if (input.parent.type === 'workspace') {
    await grantOnPage(db, row, {
      principal: input.section === 'private' ? principalOf.user(input.privateOwner ?? input.actor) : principalOf.members(input.workspaceId),
      role: ROLE.full,
      grantedBy: input.actor,
      time: input.time,
    })
  }
  return row
}

/** Ids of `node` and its ancestors' page ids, nearest first (from the materialised path). */
export function ancestorIds(node: Pick<BlockRow, 'id' | 'path'>): string[] {
  return [node.id, ...(node.path ?? '/').split('/').filter(Boolean).reverse()]
}

/**
 * Moves a page under a new parent page or into a data source. The page keeps its own grants; what it
 * inherited now comes from the new parent, from the next request on. Event: `page.moved` (or
 * `database.moved`), `data: {parent_type, parent_id}`, by `eventActor` (default `user:<actor>`).
 * @throws Error `cycle` when the new parent is the page or one of its descendants.
 */
export async function moveNode(
  db: Db,
  node: BlockRow,
  target: { type: 'page_id'; parent: BlockRow } | { type: 'data_source_id'; dataSourceId: string; database: BlockRow },
  actor: string,
  time: string,
  eventActor?: string,
): Promise<void> {
  const newParentPage = target.type === 'page_id' ? target.parent : target.database
  if (ancestorIds(newParentPage).includes(node.id)) throw new Error('cycle')
  const position = target.type === 'page_id' ? await reservePositions(db, newParentPage.id, { type: 'end' }, 1) : 0
  const parentId = target.type === 'page_id' ? target.parent.id : target.dataSourceId
  await moveNodeRow(db, node, { parentType: target.type, parentId, position }, { by: actor, actor: eventActor ?? `user:${actor}`, time })
  await reattachSubtree(db, node, subtreePrefix(newParentPage), newParentPage.perm_root_id)
}
