import * as z from 'zod'
import type { RequestContext } from '../../auth/principal.js'
import { changeActorOf } from '../../services/change-actor.js'
import {
  applyContentUpdate,
  canHaveChildren,
  countBlocks,
  isUpdatableType,
  parseBlockRequests,
  updateContentSchema,
} from '../../domain/blocks.js'
import { isoNow } from '../../domain/clock.js'
import { titleOfValues } from '../../domain/properties.js'
import { appendReturnsChildren, dropsArchived } from '../../domain/versions.js'
import { readLegacyBlocks } from '../../domain/legacy-shapes.js'
import { objectNotFound, validationError } from '../../errors/notion-error.js'
import { listEnvelope, pageOf, PAGE_SIZE_MAX } from '../../http/pagination.js'
import { parseWith } from '../../domain/validation.js'
import { REQUIRED_LEVEL } from '../../permissions/roles.js'
import { levelOn, loadAuthorized } from '../../services/access.js'
import type { Deps } from '../../services/deps.js'
import { explainInTrash } from '../../services/explain-denials.js'
import { UploadClaims } from '../../services/file-attachments.js'
import { mayHoldFileRefs } from '../../services/file-urls.js'
import { answerText } from '../immutable-answers.js'
import { RowMemo } from '../../services/row-memo.js'
import type { JsonText } from '../../http/json-text.js'
import { requireWritableNode } from '../../services/trash.js'
import {
  deleteNode,
  findBlock,
  findLiveChild,
  inTrashWithAncestors,
  insertBlockTree,
  listChildPage,
  touchPage,
  updateNode,
  withChildren,
  type BlockRow,
  type ContentAt,
  type InsertAt,
  type NodePatch,
} from '../../storage/repositories/blocks.repository.js'
import type { Db } from '../../storage/store.js'
import { dataSourceOfRow } from '../pages/pages.service.js'
import { presentBlock } from './blocks.presenter.js'
import { AppendChildrenBody, UpdateBlockEnvelope, type ListChildrenQuery } from './blocks.schemas.js'

/**
 * Block operations behind `/v1/blocks` (SDK `blocks.retrieve|update|delete|children.list|
 * children.append`). Each checks capability, then visibility (a block is visible iff the page or
 * database owning it is; 404 `object_not_found` naming a block otherwise), then level, and returns
 * the SDK's `BlockObjectResponse` shapes. Sources: docs/reference/notion-api.md §1.3, §2.9, §3.3, §6.
 */

/**
 * Presents rows as full block objects, loading `has_children` in one query and, for database rows,
 * their data source (for the parent's `database_id` and the row's title).
 */
/** Presents `rows` for the caller; `known` is their `has_children` when the caller already knows it. */
export async function presentRows(db: Db, ctx: RequestContext, rows: BlockRow[], known?: Set<string>): Promise<Record<string, unknown>[]> {
  const withKids =
    known ??
    (await withChildren(
      db,
      rows.filter((r) => r.type !== 'child_database').map((r) => r.id),
    ))
  const out: Record<string, unknown>[] = []
  for (const row of rows) {
    if (!ctx.caller.capabilities.readContent) {
      // Insert-only connections get partial objects: they may not read content (capabilities doc).
      out.push({ object: 'block', id: row.id })
      continue
    }
    const source = row.parent_type === 'data_source_id' ? await dataSourceOfRow(db, row) : null
    const opts: Parameters<typeof presentBlock>[1] = { version: ctx.version, hasChildren: withKids.has(row.id) }
    if (source) {
      opts.databaseId = source.databaseId
      opts.title = titleOfValues(JSON.parse(row.properties ?? '{}') as Record<string, unknown>, source.schema)
    }
    out.push(presentBlock(row, opts))
  }
  return out
}

async function presentOne(db: Db, ctx: RequestContext, row: BlockRow): Promise<Record<string, unknown>> {
  return (await presentRows(db, ctx, [row]))[0] as Record<string, unknown>
}

/**
 * `GET /v1/blocks/{id}`: any block; a page answers as a `child_page` block, a database as a
 * `child_database` block with `has_children: false` (docs/reference/notion-api.md §1.3).
 * @throws NotionApiError restricted_resource | object_not_found ("Could not find block with ID: …")
 */
export async function getBlock(deps: Deps, ctx: RequestContext, id: string): Promise<Record<string, unknown>> {
  const db = deps.store.db
  const row = await loadAuthorized(db, ctx.caller, id, { kind: 'block', action: 'read', capability: 'read_content' })
  return presentOne(db, ctx, row)
}

/** The parts of a `PATCH /v1/blocks/{id}` body, validated before the block is loaded. */
interface BlockUpdate {
  trash: boolean | undefined
  typeKey: string | undefined
  content: Record<string, unknown> | undefined
}

/**
 * Validates the envelope of `PATCH /v1/blocks/{id}`: `archived` (refused under 2026-03-11) and
 * `in_trash` booleans that agree, at most one known type key, `type` naming that key, and the type
 * key's content against the type's update schema.
 * @throws NotionApiError validation_error
 */
function parseUpdate(ctx: RequestContext, raw: unknown): BlockUpdate {
  const body = parseWith(UpdateBlockEnvelope, raw, 'body') as Record<string, unknown>
  if (dropsArchived(ctx.version) && 'archived' in body) {
    throw validationError(`body failed validation: body.archived should be not present, instead was \`${JSON.stringify(body.archived)}\`.`)
  }
  const inTrash = parseWith(z.boolean().optional(), body.in_trash, 'body', ['in_trash'])
  const archived = parseWith(z.boolean().optional(), body.archived, 'body', ['archived'])
  if (inTrash !== undefined && archived !== undefined && inTrash !== archived) {
    throw validationError('body failed validation: body.archived and body.in_trash must agree when both are present.')
  }
  const typeKeys = Object.keys(body).filter((k) => k !== 'type' && k !== 'in_trash' && k !== 'archived')
  for (const [i, key] of typeKeys.entries()) {
    if (!isUpdatableType(key) || i > 0) {
      throw validationError(
        `body failed validation: body.${key} should be not present, instead was \`${JSON.stringify(body[key])?.slice(0, 200)}\`.`,
      )
    }
  }
  const typeKey = typeKeys[0]
  if (body.type !== undefined) {
    const type = parseWith(z.string(), body.type, 'body', ['type'])
    if (typeKey === undefined) throw validationError(`body failed validation: body.${type} should be defined, instead was \`undefined\`.`)
    if (type !== typeKey)
      throw validationError(
        `body failed validation: body.type should be \`${JSON.stringify(typeKey)}\`, instead was \`${JSON.stringify(type)}\`.`,
      )
  }
  const content =
    typeKey === undefined
      ? undefined
      : (parseWith(updateContentSchema(typeKey) as z.ZodType, body[typeKey], 'body', [typeKey]) as Record<string, unknown>)
  return { trash: inTrash ?? archived, typeKey, content }
}

/**
 * `PATCH /v1/blocks/{id}`: changes the content of the block's own type (omitted fields keep their
 * value), and/or trashes or restores it with `in_trash` (`archived` ≤ 2025-09-03). The type cannot
 * change; pages and databases are edited through their own endpoints (only their trash state here).
 * A block in the trash accepts nothing but a restore; a block under a trashed block, page, database or
 * data source accepts nothing (services/trash.ts). Events: `block.updated` (`fields: ["content"]`),
 * `block.trashed` / `block.restored` (`page.*` / `database.*` for a page or database).
 * @throws NotionApiError validation_error | restricted_resource | object_not_found
 */
export async function updateBlockContent(deps: Deps, ctx: RequestContext, id: string, raw: unknown): Promise<Record<string, unknown>> {
  const { caller } = ctx
  const update = parseUpdate(ctx, readLegacyBlocks(raw, ctx.version))
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const node = await loadAuthorized(trx, caller, id, { kind: 'block', action: 'edit', capability: 'update_content' })
    await requireWritableNode(trx, node, { restoresSelf: update.trash === false })
    if (update.typeKey !== undefined && update.typeKey !== node.type) {
      throw validationError(`Block type cannot be changed: block ${node.id} is a ${node.type} block, the request gives ${update.typeKey}.`)
    }
    if (update.trash === undefined && update.content === undefined) return presentOne(trx, ctx, node)
    const patch: NodePatch = {}
    if (update.trash !== undefined) patch.in_trash = update.trash ? 1 : 0
    const claims = new UploadClaims(trx, deps, ctx)
    if (update.content !== undefined) {
      const content = applyContentUpdate(node.type, JSON.parse(node.content) as Record<string, unknown>, update.content)
      await claims.resolveContent(node.type, content)
      patch.content = JSON.stringify(content)
    }
    await updateNode(trx, node, patch, { by: caller.botId, actor: changeActorOf(caller), time })
    await claims.attachAll({ type: 'block', id: node.id })
    return presentOne(trx, ctx, (await findBlock(trx, node.id)) as BlockRow)
  })
}

/**
 * `DELETE /v1/blocks/{id}`: moves the block (a page or database included) to the trash and returns
 * it with `in_trash: true` — never an empty body (docs/reference/notion-api.md §1.3, §10.2). Deleting what is already in
 * the trash is an edit of an archived block. Event: `block.deleted` (`page.trashed` / `database.trashed`).
 * @throws NotionApiError validation_error | restricted_resource | object_not_found
 */
export async function deleteBlock(deps: Deps, ctx: RequestContext, id: string): Promise<Record<string, unknown>> {
  const { caller } = ctx
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const node = await loadAuthorized(trx, caller, id, { kind: 'block', action: 'edit', capability: 'update_content' })
    await requireWritableNode(trx, node)
    await deleteNode(trx, node, { by: caller.botId, actor: changeActorOf(caller), time })
    return presentOne(trx, ctx, (await findBlock(trx, node.id)) as BlockRow)
  })
}

/**
 * `GET /v1/blocks/{id}/children`: the first-level children in order, `page_size` at a time
 * (`next_cursor` null on the last page). Child pages and databases appear as `child_page` /
 * `child_database` blocks (those the caller cannot see are left out); database rows never appear;
 * a database has no children. A block in the trash (or under one) answers 404.
 * @throws NotionApiError restricted_resource | object_not_found
 */
export async function listBlockChildren(
  deps: Deps,
  ctx: RequestContext,
  id: string,
  query: z.output<typeof ListChildrenQuery>,
): Promise<Record<string, unknown> | JsonText> {
  const { caller } = ctx
  const db = deps.store.db
  const node = await loadAuthorized(db, caller, id, { kind: 'block', action: 'read', capability: 'read_content' })
  // A parent from the row cache (frozen) keeps the pages of children built from it (see `childrenMemo`).
  const memoKey = Object.isFrozen(node)
    ? `${ctx.version}\n${query.start_cursor ?? ''}\n${query.page_size ?? ''}\n${caller.capabilities.readContent ? 1 : 0}\n${caller.principals.join(' ')}`
    : undefined
  const hit = memoKey === undefined ? undefined : childrenMemo.get(node, memoKey)
  if (hit) return hit
  if (await inTrashWithAncestors(db, node)) throw objectNotFound('block', id, caller.connectionName).explain(await explainInTrash(db, node))
  if (node.type === 'child_database') return listEnvelope('block', [], null)
  const limit = query.page_size ?? PAGE_SIZE_MAX
  const { page, nextCursor } = pageOf(await listChildPage(db, node.id, query.start_cursor, limit + 1), limit)
  const ownerRoot = node.perm_root_id ?? (await findBlock(db, node.page_id))?.perm_root_id ?? null
  const results: Record<string, unknown>[] = []
  const readContent = ctx.caller.capabilities.readContent
  let fileFree = true
  for (const row of page) {
    // A child page with its own permissions may be hidden from the caller (`levelOn` reads its root only).
    if (row.perm_root_id !== null && row.perm_root_id !== ownerRoot && (await levelOn(db, caller, row)) < REQUIRED_LEVEL.read) continue
    if (!readContent) {
      // Insert-only connections get partial objects: they may not read content (capabilities doc).
      results.push({ object: 'block', id: row.id })
      continue
    }
    // A child page or database shows its plain-text title only; other blocks their stored content.
    if (row.type !== 'child_page' && row.type !== 'child_database' && mayHoldFileRefs(row.content)) fileFree = false
    results.push(presentBlock(row, { version: ctx.version, hasChildren: row.has_children }))
  }
  const list = listEnvelope('block', results, nextCursor)
  if (!fileFree) return list
  // Nothing to sign or refresh: the text is written once here and the router only adds `request_id`.
  const text = answerText(list, { kept: memoKey !== undefined })
  if (!text) return list
  if (memoKey !== undefined) keepChildrenPage(node, memoKey, text)
  return text
}

/**
 * Pages of children by parent row and request (`Notion-Version`, cursor, page size, whether the caller
 * reads content, its principals: a child page with its own permissions may be hidden from it), for a
 * parent row from the row cache (services/caches.ts, ADR 44) and only when nothing in them is signed.
 * Such a row object lives only until the change log moves (any event: a child appended, edited, moved,
 * trashed, a share changed) or this process commits, so a page kept with it is what the store would
 * answer; only its JSON text is kept (api/immutable-answers.ts, `JsonText`), which the router sends with
 * the request's id (services/row-memo.ts). Issue 19: listing 100 children was 0.10 of a bare server.
 */
const childrenMemo = new RowMemo<JsonText>(8)

/**
 * Size of the kept pages of children in all, in characters of JSON text or, for a page held as bytes
 * (`JsonText.kept`), bytes (16 Mi; a page of 100 children is ≈ 80 K; besides, at most 8 per parent
 * row, as cursors, page sizes, versions and principals vary). A client
 * walking a whole workspace without writing (an export, notion-to-md) would otherwise keep a page per
 * row of the row cache. Past the budget a page is answered but not kept; a row's pages give their share
 * back when the row is collected (`keptBytesFreed`). Mutable so tests can shrink it.
 */
export const CHILDREN_MEMO_LIMITS = { bytes: 16 * 1024 * 1024 }
let keptBytes = 0
const keptBytesFreed = new FinalizationRegistry<number>((bytes) => {
  keptBytes -= bytes
})

/**
 * Keeps the JSON text of a page of children (not its objects: a page of 100 presented blocks weighs
 * several times its text) with `node` under `memoKey` (see `childrenMemo`) when the budget allows.
 */
function keepChildrenPage(node: BlockRow, memoKey: string, text: JsonText): void {
  const bytes = text.size
  if (childrenMemo.full(node) || keptBytes + bytes > CHILDREN_MEMO_LIMITS.bytes) return
  childrenMemo.set(node, memoKey, text)
  keptBytes += bytes
  keptBytesFreed.register(text, bytes)
}

/** Size (characters or bytes, see `CHILDREN_MEMO_LIMITS`) the kept pages of children hold now (tests, diagnostics). */
export function childrenMemoBytes(): number {
  return keptBytes
}

/**
 * `PATCH /v1/blocks/{id}/children`: validates `children` (≤ 100 per array, ≤ 2 nesting levels,
 * ≤ 1000 blocks) and inserts them at `position` (`start`, `end` — the default — or after a child of
 * the parent) or, before 2026-03-11, after the child `after`. Returns the new first-level blocks
 * only (docs/reference/notion-api.md §1.3) — before 2021-08-16, the parent block (a block object) instead.
 * Before 2022-02-22 text blocks may say `text` for `rich_text` (domain/legacy-shapes.ts). Bumps the owning page's `last_edited_time`. Events: `block.appended` per created
 * block, nested ones included.
 * @throws NotionApiError validation_error | restricted_resource | object_not_found
 */
export async function appendBlockChildren(deps: Deps, ctx: RequestContext, id: string, raw: unknown): Promise<Record<string, unknown>> {
  const { caller } = ctx
  if (dropsArchived(ctx.version) && raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'after' in raw) {
    throw validationError(
      `body failed validation: body.after should be not present, instead was \`${JSON.stringify((raw as { after: unknown }).after)}\`.`,
    )
  }
  const body = parseWith(AppendChildrenBody, raw, 'body')
  if (body.after !== undefined && body.position !== undefined) throw validationError('You cannot specify both `after` and `position`.')
  const blocks = parseBlockRequests(readLegacyBlocks(body.children, ctx.version), ['children'], 2)
  if (countBlocks(blocks) > 1000) throw validationError('body failed validation: the request may contain at most 1000 blocks.')
  const p = body.position
  const afterId = body.after ?? (p?.type === 'after_block' ? p.after_block.id : undefined)
  const at: InsertAt = afterId !== undefined ? { type: 'after_block', afterId } : p?.type === 'start' ? { type: 'start' } : { type: 'end' }
  const time = isoNow(deps.clock)
  const by: ContentAt = { by: caller.botId, actor: changeActorOf(caller), time }
  return deps.store.transaction(async (trx) => {
    const parent = await loadAuthorized(trx, caller, id, { kind: 'block', action: 'edit', capability: 'insert_content' })
    await requireWritableNode(trx, parent)
    if (!canHaveChildren(parent.type)) throw validationError(`Block type ${parent.type} does not support children.`)
    if (afterId !== undefined && !(await findLiveChild(trx, parent.id, afterId))) {
      const where = body.after !== undefined ? 'body.after' : 'body.position.after_block.id'
      throw validationError(`${where} ${afterId} is not a child of block ${parent.id}.`)
    }
    const isPage = parent.type === 'child_page'
    const claims = new UploadClaims(trx, deps, ctx)
    await claims.resolveBlocks(blocks)
    const inserted = await insertBlockTree(trx, {
      workspaceId: caller.workspaceId,
      parentType: isPage ? 'page_id' : 'block_id',
      parentId: parent.id,
      pageId: isPage ? parent.id : parent.page_id,
      blocks,
      at,
      actor: by.by,
      time,
      eventActor: by.actor,
    })
    await claims.attachAll({ type: 'block', id: parent.id })
    if (!isPage) await touchPage(trx, parent.id, by.by, time)
    await touchPage(trx, isPage ? parent.id : parent.page_id, by.by, time)
    // Before 2021-08-16 append answered the parent block itself (VERSION_BEHAVIOURS `appendReturnsChildren`).
    if (!appendReturnsChildren(ctx.version)) return presentOne(trx, ctx, (await findBlock(trx, parent.id)) as BlockRow)
    // The rows as written: no read-back, and `has_children` from the request itself.
    return listEnvelope('block', await presentRows(trx, ctx, inserted.top, inserted.withChildren), null)
  })
}
