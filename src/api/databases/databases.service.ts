import type * as z from 'zod'
import type { RequestContext } from '../../auth/principal.js'
import { changeActorOf } from '../../services/change-actor.js'
import { normalizeCover, normalizeIcon } from '../../domain/blocks.js'
import { isoNow } from '../../domain/clock.js'
import { newId } from '../../domain/ids.js'
import { normalizeRichText, plainText } from '../../domain/rich-text.js'
import { parseNewSchema } from '../../domain/schema.js'
import { hasDataSources } from '../../domain/versions.js'
import { readLegacyFilter, readLegacyProperties } from '../../domain/legacy-shapes.js'
import { validationError } from '../../errors/notion-error.js'
import { loadAuthorized, requireCapability } from '../../services/access.js'
import { createDatabase, resolvePendingConfigs, singleDataSource } from '../../services/databases-core.js'
import type { Deps } from '../../services/deps.js'
import { UploadClaims } from '../../services/file-attachments.js'
import { requireWritableNode } from '../../services/trash.js'
import { moveNode } from '../../services/tree.service.js'
import { createAtWorkspaceLevel, type WorkspacePlacement } from '../../services/workspace-level.js'
import { databasesGrantedTo } from '../../storage/repositories/acl.repository.js'
import { listEnvelope, pageOf, PAGE_SIZE_MAX } from '../../http/pagination.js'
import { parseId } from '../../domain/ids.js'
import {
  findBlock,
  findBlocks,
  inTrashWithAncestors,
  updateNode,
  type BlockRow,
  type ContentAt,
  type NodePatch,
} from '../../storage/repositories/blocks.repository.js'
import { liveDataSourcesOf, updateDataSource } from '../../storage/repositories/data-sources.repository.js'
import { changeSchema, runDataSourceQuery, trashFlagOf } from '../data-sources/data-sources.service.js'
import { databaseTexts, presentDatabase } from './databases.presenter.js'
import type * as S from './databases.schemas.js'

/**
 * Database (container) operations behind `/v1/databases` (SDK `databases.*`; docs/reference/notion-api.md §1.4, §2.7).
 * Under 2025-09-03+ a database lists its data sources; under 2022-06-28 and older it shows its
 * single data source's schema as `properties`, and a database with several data sources is a 400
 * `multiple_data_sources_for_database` error.
 */

const WORKSPACE_PARENT_REFUSED =
  'body failed validation: body.parent.workspace: internal connections cannot create workspace-level databases. Use a page_id parent.'

/** The database object for the request's version (partial for callers that may not read content). */
export async function presentDatabaseFor(deps: Deps, ctx: RequestContext, row: BlockRow) {
  const sources = await liveDataSourcesOf(deps.store.db, row.id)
  const source = hasDataSources(ctx.version) ? undefined : await singleDataSource(deps.store.db, row.id)
  if (!ctx.caller.capabilities.readContent) return { object: 'database', id: row.id }
  return presentDatabase(row, sources, { version: ctx.version, publicUrl: deps.publicUrl, source })
}

/**
 * `POST /v1/databases`: a database with one data source under a page. The schema comes from
 * `initial_data_source.properties` (2025+) or top-level `properties` (≤ 2022); without a title
 * property, one named `Name` is added. `parent: {workspace: true}` follows the pages rule
 * (services/workspace-level.ts): refused for internal connections, a private database of the PAT's
 * creator or of the OAuth install's authorizing person (shared with its bot) otherwise. Refused (400)
 * under a page in the trash or under one (services/trash.ts). Events: `database.created`,
 * `data_source.created` (and `data_source.schema_changed` of the other side of a new two-way relation).
 * @throws NotionApiError validation_error | restricted_resource | object_not_found
 */
export async function createDatabaseFromRequest(
  deps: Deps,
  ctx: RequestContext,
  body: z.output<typeof S.CreateDatabaseBody> | z.output<typeof S.LegacyCreateDatabaseBody>,
) {
  const { caller } = ctx
  requireCapability(caller, 'insert_content')
  const legacy = !hasDataSources(ctx.version)
  const time = isoNow(deps.clock)
  const row = await deps.store.transaction(async (trx) => {
    const p = body.parent
    // Runs once the parent is settled: a refused workspace parent validates nothing further.
    const create = async (placement: WorkspacePlacement | { parent: { type: 'page_id'; id: string } }) => {
      const claims = new UploadClaims(trx, deps, ctx)
      const title = normalizeRichText(body.title ?? [])
      const dataSourceId = newId()
      const [input, at] =
        'properties' in body
          ? [readLegacyProperties(body.properties, ctx.version), ['properties']]
          : [(body as z.output<typeof S.CreateDatabaseBody>).initial_data_source?.properties, ['initial_data_source', 'properties']]
      const { schema, pending } = parseNewSchema(input, at, { legacy })
      const databaseId = newId()
      await resolvePendingConfigs(trx, caller, { id: dataSourceId, databaseId, title: plainText(title) }, schema, pending, {}, time)
      const { database } = await createDatabase(trx, {
        workspaceId: caller.workspaceId,
        ...placement,
        title,
        description: normalizeRichText(body.description ?? []),
        isInline: body.is_inline ?? false,
        icon: await claims.resolveImage(body.icon ? normalizeIcon(body.icon) : null, 'icon'),
        cover: await claims.resolveImage(body.cover ? normalizeCover(body.cover) : null, 'cover'),
        schema,
        actor: caller.botId,
        time,
        eventActor: changeActorOf(caller),
        dataSourceId,
        databaseId,
      })
      await claims.attachAll({ type: 'database', id: database.id })
      return database
    }
    // parent.workspace: one rule with pages (refused for internal connections; private for PATs and OAuth installs).
    if ('workspace' in p) return createAtWorkspaceLevel(trx, caller, { refusal: WORKSPACE_PARENT_REFUSED, time }, create)
    const parent = await loadAuthorized(trx, caller, p.page_id, { kind: 'page', action: 'edit', capability: 'insert_content' })
    await requireWritableNode(trx, parent)
    return create({ parent: { type: 'page_id', id: p.page_id } })
  })
  return presentDatabaseFor(deps, ctx, row)
}

/** `GET /v1/databases/{id}`. @throws NotionApiError validation_error | restricted_resource | object_not_found */
export async function getDatabase(deps: Deps, ctx: RequestContext, id: string) {
  const row = await loadAuthorized(deps.store.db, ctx.caller, id, { kind: 'database', action: 'read', capability: 'read_content' })
  return presentDatabaseFor(deps, ctx, row)
}

/**
 * `PATCH /v1/databases/{id}`: title, description, icon, cover, is_inline, is_locked, trash and
 * restore, move under another page; under 2022-06-28 also schema changes (`properties`) of the
 * single data source. A trashed database accepts nothing but a restore; one under a trashed page accepts
 * nothing, and none moves into the trash (services/trash.ts). Events: `database.updated` (`data.fields`),
 * `database.trashed|restored|moved`, `data_source.updated` of a single data source renamed with it,
 * `data_source.schema_changed` (2022-06-28 schema changes).
 * @throws NotionApiError validation_error | restricted_resource | object_not_found
 */
export async function updateDatabase(
  deps: Deps,
  ctx: RequestContext,
  id: string,
  body: z.output<typeof S.UpdateDatabaseBody> | z.output<typeof S.LegacyUpdateDatabaseBody>,
) {
  const { caller } = ctx
  const trash = trashFlagOf(ctx.version, body)
  const time = isoNow(deps.clock)
  const at: ContentAt = { by: caller.botId, actor: changeActorOf(caller), time }
  const row = await deps.store.transaction(async (trx) => {
    const node = await loadAuthorized(trx, caller, id, { kind: 'database', action: 'edit', capability: 'update_content' })
    await requireWritableNode(trx, node, { restoresSelf: trash === false })
    const patch: NodePatch = {}
    const texts = databaseTexts(node)
    const sources = await liveDataSourcesOf(trx, node.id)
    const only = sources.length === 1 ? sources[0] : undefined
    if (body.title !== undefined || body.description !== undefined) {
      const title = body.title !== undefined ? normalizeRichText(body.title) : texts.title
      const description = body.description !== undefined ? normalizeRichText(body.description) : texts.description
      patch.properties = JSON.stringify({ ...JSON.parse(node.properties ?? '{}'), title, description })
      patch.title_text = plainText(title).toLowerCase()
      // A single data source carries the database's name (its `data_sources[].name`).
      if (only) {
        await updateDataSource(
          trx,
          only,
          {
            ...(body.title !== undefined ? { title: JSON.stringify(title) } : {}),
            ...(body.description !== undefined ? { description: JSON.stringify(description) } : {}),
          },
          at,
        )
      }
    }
    if (trash !== undefined) patch.in_trash = trash ? 1 : 0
    const claims = new UploadClaims(trx, deps, ctx)
    if (body.icon !== undefined)
      patch.icon = body.icon === null ? null : JSON.stringify(await claims.resolveImage(normalizeIcon(body.icon), 'icon'))
    if (body.cover !== undefined)
      patch.cover = body.cover === null ? null : JSON.stringify(await claims.resolveImage(normalizeCover(body.cover), 'cover'))
    await claims.attachAll({ type: 'database', id: node.id })
    if (body.is_inline !== undefined) patch.is_inline = body.is_inline ? 1 : 0
    if (body.is_locked !== undefined) patch.is_locked = body.is_locked ? 1 : 0
    if ('properties' in body && body.properties && Object.keys(body.properties).length > 0) {
      const ds = await singleDataSource(trx, node.id)
      if (!ds) throw validationError('This database has no data source to change.')
      await changeSchema(trx, ctx, ds, readLegacyProperties(body.properties, ctx.version), ['properties'], time)
    }
    if (body.parent) {
      if ('workspace' in body.parent)
        throw validationError(
          'body failed validation: body.parent.workspace: internal connections cannot move databases to the workspace level. Use a page_id parent.',
        )
      const parent = await loadAuthorized(trx, caller, body.parent.page_id, { kind: 'page', action: 'edit', capability: 'update_content' })
      await requireWritableNode(trx, parent)
      try {
        await moveNode(trx, node, { type: 'page_id', parent }, caller.botId, time, at.actor)
      } catch (err) {
        if (err instanceof Error && err.message === 'cycle') {
          throw validationError('body failed validation: body.parent cannot be the database itself or one of its descendants.')
        }
        throw err
      }
    }
    await updateNode(trx, node, patch, at)
    return (await findBlock(trx, node.id)) as BlockRow
  })
  return presentDatabaseFor(deps, ctx, row)
}

/**
 * `POST /v1/databases/{id}/query` (≤ 2022-06-28 only): queries the database's single data source;
 * results are `page_or_database`.
 * @throws NotionApiError validation_error | restricted_resource | object_not_found
 */
export async function queryDatabase(
  deps: Deps,
  ctx: RequestContext,
  id: string,
  body: z.output<typeof S.LegacyQueryBody>,
  filterProperties?: string[],
) {
  const node = await loadAuthorized(deps.store.db, ctx.caller, id, { kind: 'database', action: 'read', capability: 'read_content' })
  const ds = await singleDataSource(deps.store.db, node.id)
  if (!ds) return { object: 'list', results: [], next_cursor: null, has_more: false, type: 'page_or_database', page_or_database: {} }
  // Before 2022-02-22 the filter keys `text`, `phone` (and `text` in formula filters) are aliases (domain/legacy-shapes.ts).
  const filter = readLegacyFilter(body.filter, ctx.version)
  return runDataSourceQuery(deps, ctx, ds, filter === undefined ? body : { ...body, filter }, filterProperties, 'page_or_database', node)
}

/**
 * `GET /v1/databases` (SDK 2.x `databases.list`; Notion-Version before 2022-02-22 only, mounted by the
 * router for those versions): the databases shared with the caller directly — "The List Databases
 * endpoint only returns explicitly shared databases, while search will also return child pages and
 * databases within explicitly shared pages" (docs/reference/notion-versions.md §2) — by id,
 * `page_size` (1–100, default 100) at a time; the cursor is the id of the next database. Each is the
 * legacy database object (`properties` of its first data source). Databases in the trash, or under a
 * page in the trash, are left out (a page may then hold fewer than `page_size`). List type `database`.
 * @throws NotionApiError restricted_resource (no read-content capability) | validation_error (bad cursor)
 */
export async function listDatabases(
  deps: Deps,
  ctx: RequestContext,
  query: { start_cursor?: string | undefined; page_size?: number | undefined },
) {
  const { caller } = ctx
  requireCapability(caller, 'read_content')
  const fromId = query.start_cursor === undefined ? undefined : parseId(query.start_cursor)
  if (query.start_cursor !== undefined && fromId === undefined) {
    throw validationError(
      `query failed validation: query.start_cursor should be a cursor returned by this endpoint, instead was \`${JSON.stringify(query.start_cursor)}\`.`,
    )
  }
  const limit = query.page_size ?? PAGE_SIZE_MAX
  const db = deps.store.db
  const ids = await databasesGrantedTo(db, { workspaceId: caller.workspaceId, principals: caller.principals, fromId, limit: limit + 1 })
  const { page, nextCursor } = pageOf(
    ids.map((id) => ({ id })),
    limit,
  )
  const rows = new Map(
    (
      await findBlocks(
        db,
        page.map((p) => p.id),
      )
    ).map((r) => [r.id, r]),
  )
  const results: unknown[] = []
  for (const { id } of page) {
    const row = rows.get(id)
    // A database under a trashed page is in the trash too (services/trash.ts).
    if (!row || (await inTrashWithAncestors(db, row))) continue
    const sources = await liveDataSourcesOf(db, row.id)
    results.push(presentDatabase(row, sources, { version: ctx.version, publicUrl: deps.publicUrl, source: sources[0] }))
  }
  return listEnvelope('database', results, nextCursor)
}
