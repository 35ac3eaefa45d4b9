import { validationError } from '../errors/notion-error.js'
import { decideTrashedWrite } from '../permissions/decide-trash.js'
import { anyInTrash, findBlock, type BlockRow } from '../storage/repositories/blocks.repository.js'
import { findDataSource, type DataSourceRow } from '../storage/repositories/data-sources.repository.js'
import type { Db } from '../storage/store.js'

/**
 * Where the trash stands for a write (permissions/decide-trash.ts): used by every `/v1` write endpoint
 * before it changes anything — page create/update/move, block update/delete/append, comment create,
 * database create/update, data-source create/update. Trashing does not rewrite the subtree (ADR 3:
 * only the trashed node carries `in_trash`), so "under the trash" is found by walking up.
 */

/** A node's or data source's trash state: trashed itself, or under something trashed. */
export interface TrashState {
  self: boolean
  ancestor: boolean
}

/**
 * Whether anything above a page or database is in the trash: the pages and databases on its
 * materialised path (one indexed read for all of them), and for a database row (or data-source
 * template) its data source.
 */
async function pageAncestorsInTrash(db: Db, node: BlockRow): Promise<boolean> {
  if (await anyInTrash(db, (node.path ?? '/').split('/').filter(Boolean))) return true
  if ((node.parent_type === 'data_source_id' || node.parent_type === 'template') && node.parent_id) {
    if ((await findDataSource(db, node.parent_id))?.in_trash === 1) return true
  }
  return false
}

/**
 * The trash state of a page, database or content block. For a content block, its ancestors are the
 * blocks above it up to its owning page, then that page and everything above the page.
 */
export async function trashStateOf(db: Db, node: BlockRow): Promise<TrashState> {
  const self = node.in_trash === 1
  if (node.page_id === node.id) return { self, ancestor: await pageAncestorsInTrash(db, node) }
  let cur = node
  // Block nesting is bounded by the request limits; the hop cap guards against a corrupt chain.
  for (let hops = 0; cur.parent_type === 'block_id' && cur.parent_id && hops < 256; hops++) {
    const parent = await findBlock(db, cur.parent_id)
    if (!parent) break
    if (parent.in_trash === 1) return { self, ancestor: true }
    cur = parent
  }
  const owner = await findBlock(db, node.page_id)
  if (!owner) return { self, ancestor: false }
  return { self, ancestor: owner.in_trash === 1 || (await pageAncestorsInTrash(db, owner)) }
}

/** A data source's trash state: its own flag; its database and what is above it are ancestors. */
export async function dataSourceTrashState(db: Db, ds: Pick<DataSourceRow, 'in_trash'>, database: BlockRow): Promise<TrashState> {
  const above = await trashStateOf(db, database)
  return { self: ds.in_trash === 1, ancestor: above.self || above.ancestor }
}

/**
 * Refuses a write to (or a creation under) something in the trash or under it, with Notion's
 * message (`decideTrashedWrite`). `restoresSelf`: the write takes the object itself out of the trash.
 * @throws NotionApiError validation_error
 */
export function requireNotInTrash(state: TrashState, opts: { restoresSelf?: boolean } = {}): void {
  const decision = decideTrashedWrite({
    selfInTrash: state.self,
    ancestorInTrash: state.ancestor,
    restoresSelf: opts.restoresSelf ?? false,
  })
  if (decision.type === 'deny') throw validationError(decision.message)
}

/** `requireNotInTrash` for a node, loading its state. @throws NotionApiError validation_error */
export async function requireWritableNode(db: Db, node: BlockRow, opts: { restoresSelf?: boolean } = {}): Promise<void> {
  requireNotInTrash(await trashStateOf(db, node), opts)
}

/**
 * For a page created in (or moved into) a data source: the data source or its database in the trash
 * is the parent being archived; anything above the database is an archived ancestor.
 * @throws NotionApiError validation_error
 */
export async function requireWritableDataSourceParent(db: Db, ds: Pick<DataSourceRow, 'in_trash'>, database: BlockRow): Promise<void> {
  const above = await trashStateOf(db, database)
  requireNotInTrash({ self: ds.in_trash === 1 || above.self, ancestor: above.ancestor })
}
