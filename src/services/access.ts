import type { ApiCaller } from '../auth/principal.js'
import { objectNotFound, restrictedResource, type ObjectKind } from '../errors/notion-error.js'
import { hasCapability, type RequiredCapability } from '../permissions/capabilities.js'
import { decideAccess } from '../permissions/decide-access.js'
import type { PageAction } from '../permissions/roles.js'
import { levelOnRoot } from '../storage/repositories/acl.repository.js'
import { findBlock, type BlockRow } from '../storage/repositories/blocks.repository.js'
import type { Db } from '../storage/store.js'
import { cachesFor } from './caches.js'
import { explainMissingCapability } from '../permissions/explain.js'
import { explainLowLevel, explainNotVisible, whoOf } from './explain-denials.js'
import type { Explanation } from '../errors/notion-error.js'
import { RowMemo } from './row-memo.js'

/** Which rows an id may name for an endpoint: a page, a database, or any block (pages included). */
export type NodeKind = 'page' | 'database' | 'block'

const TYPE_OF_KIND: Record<Exclude<NodeKind, 'block'>, string> = { page: 'child_page', database: 'child_database' }

/**
 * The caller's effective level on a node: one ACL read on its permission root. Blocks use the root
 * of the page or database that owns them. Cost does not depend on depth or on the number of shares.
 */
export async function levelOn(
  db: Db,
  caller: Pick<ApiCaller, 'principals'>,
  node: Pick<BlockRow, 'perm_root_id' | 'page_id'>,
): Promise<number> {
  let root = node.perm_root_id
  if (root === null) {
    const owner = await findBlock(db, node.page_id)
    root = owner?.perm_root_id ?? null
  }
  if (root === null) return 0
  const rootId = root
  const caches = cachesFor(db, caller as ApiCaller)
  if (!caches || !('workspaceId' in caller)) return levelOnRoot(db, rootId, caller.principals)
  return caches.level(db, (caller as ApiCaller).workspaceId, rootId, caller.principals, () => levelOnRoot(db, rootId, caller.principals))
}

/**
 * Throws 403 `restricted_resource` unless the caller has `capability` (Notion checks capabilities
 * before content).
 * @throws NotionApiError restricted_resource
 */
export function requireCapability(caller: ApiCaller, capability: RequiredCapability): void {
  if (!hasCapability(caller.capabilities, capability))
    throw restrictedResource().explain(explainMissingCapability({ who: whoOf(caller), capability }))
}

/**
 * Explanations of a 404 (`explainNotVisible`: the owner's and up to three ancestors' titles, read from
 * the store) kept with a row of the row cache, per expected kind and what they name of the caller. Such
 * a row object lives only until the change log moves (services/caches.ts, ADR 44), and every title,
 * name or share they read changes only with an event, so a kept explanation is the one that would be
 * built now. At most 8 per row. Issue 19: a repeated 404 read those titles anew.
 */
const keptExplanations = new RowMemo<Explanation>(8)

async function keptNotVisible(db: Db, caller: ApiCaller, id: string, kind: NodeKind, node: BlockRow): Promise<Explanation> {
  const key = `${kind}\n${caller.kind}\n${caller.connectionName}\n${caller.workspaceId}\n${caller.workspaceName}\n${'userId' in caller ? caller.userId : ''}`
  const hit = keptExplanations.get(node, key)
  if (hit) return hit
  const explanation = Object.freeze(await explainNotVisible(db, caller, id, kind, node))
  keptExplanations.set(node, key, explanation)
  return explanation
}

/**
 * Loads the node `id` if the caller may perform `action` on it, after checking `capability`.
 * Missing, in another workspace, of the wrong kind, or not shared: 404 `object_not_found` naming
 * `notFoundKind` (never 403, so existence does not leak). Visible but below the needed level: 403.
 * @throws NotionApiError restricted_resource | object_not_found
 */
export async function loadAuthorized(
  db: Db,
  caller: ApiCaller,
  id: string,
  opts: { kind: NodeKind; action: PageAction; capability: RequiredCapability; notFoundKind?: ObjectKind },
): Promise<BlockRow> {
  requireCapability(caller, opts.capability)
  // Outside a transaction, a synced request reads the row through the row cache (services/caches.ts).
  const caches = cachesFor(db, caller)
  const node = caches ? await caches.row(db, `block ${id}`, () => findBlock(db, id)) : await findBlock(db, id)
  // The refusal is decided here; its explanation (ADR 22) only reads names, after the decision.
  if (!node || node.workspace_id !== caller.workspaceId) throw await notFound(db, caller, id, opts, caches !== undefined, node)
  if (opts.kind !== 'block' && node.type !== TYPE_OF_KIND[opts.kind]) throw await notFound(db, caller, id, opts, caches !== undefined, node)
  const level = await levelOn(db, caller, node)
  const decision = decideAccess({ capabilities: caller.capabilities, capability: opts.capability, action: opts.action, level })
  if (decision.type === 'deny') {
    if (decision.reason === 'not_found') throw await notFound(db, caller, id, opts, caches !== undefined, node)
    throw restrictedResource().explain(await explainLowLevel(db, caller, node, opts.action, level))
  }
  return node
}

/**
 * `loadAuthorized`'s 404 naming `opts.notFoundKind ?? opts.kind`, explained (a row of the row cache
 * keeps its explanation: `keptNotVisible`). A function rather than a closure made on every call
 * (issue 19: most calls are not refused).
 */
async function notFound(
  db: Db,
  caller: ApiCaller,
  id: string,
  opts: { kind: NodeKind; notFoundKind?: ObjectKind },
  cached: boolean,
  node: BlockRow | undefined,
) {
  return objectNotFound(opts.notFoundKind ?? opts.kind, id, caller.connectionName).explain(
    cached && node ? await keptNotVisible(db, caller, id, opts.kind, node) : await explainNotVisible(db, caller, id, opts.kind, node),
  )
}
