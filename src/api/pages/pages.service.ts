import type { RequestContext } from '../../auth/principal.js'
import { changeActorOf } from '../../services/change-actor.js'
import { isFileFree, markFileFree } from '../../services/file-urls.js'
import { markImmutable } from '../immutable-answers.js'
import { RowMemo } from '../../services/row-memo.js'
import { countBlocks, normalizeCover, normalizeIcon, parseBlockRequests, type NewBlock } from '../../domain/blocks.js'
import { isoNow } from '../../domain/clock.js'
import { titleOfValues, titlePropertyId, type Schema } from '../../domain/properties.js'
import { writePropertyValues } from '../../domain/property-values.js'
import { parseRichText, plainText, type RichTextItem } from '../../domain/rich-text.js'
import { dropsArchived, hasDataSources } from '../../domain/versions.js'
import { validationError } from '../../errors/notion-error.js'
import { loadAuthorized, requireCapability } from '../../services/access.js'
import type { Deps } from '../../services/deps.js'
import { UploadClaims } from '../../services/file-attachments.js'
import { emojiMentionsFromText } from '../../services/custom-emojis.service.js'
import { createNode, moveNode } from '../../services/tree.service.js'
import { loadDataSource } from '../../services/databases-core.js'
import { computeOneRow } from '../../services/row-values.js'
import { checkPeopleValues } from '../../services/people-values.js'
import { checkRelationTargets, detachDualRelations, keepHiddenRelations, syncDualRelations } from '../../services/relations.service.js'
import { newId } from '../../domain/ids.js'
import { readLegacyBlocks, readLegacyProperties } from '../../domain/legacy-shapes.js'
import { copyTemplateContent, resolveTemplate } from '../../services/templates.service.js'
import {
  eraseContent,
  findBlock,
  insertBlocks,
  updateNode,
  type BlockRow,
  type ContentAt,
  type NodePatch,
} from '../../storage/repositories/blocks.repository.js'
import { createAtWorkspaceLevel } from '../../services/workspace-level.js'
import { requireWritableDataSourceParent, requireWritableNode } from '../../services/trash.js'
import {
  dataSourcesOf,
  findDataSource,
  saveSchema,
  schemaOf,
  type DataSourceRow,
} from '../../storage/repositories/data-sources.repository.js'
import type { Db } from '../../storage/store.js'
import { blocksFromMarkdown, checkMarkdownOptions } from './page-markdown.service.js'
import { presentPage, presentsFileFree } from './pages.presenter.js'
import type * as S from './pages.schemas.js'
import type * as z from 'zod'

/**
 * Page operations behind `/v1/pages` (SDK `pages.create|retrieve|update|move`). Each takes the
 * request context, checks capability then access (see services/access.ts), and returns the SDK's
 * `PageObjectResponse` shape. Sources: docs/reference/notion-api.md §1.2, §2.5.
 */

const WORKSPACE_PAGE_REFUSED =
  'body failed validation: body.parent.workspace: internal connections cannot create workspace-level pages. Use a page_id, database_id or data_source_id parent.'

type RowSource = { id: string; databaseId: string; schema: Schema } | null

/**
 * The data source (with database id and schema) a page row belongs to, or null for plain pages.
 * `cache` (per request) saves re-reading one data source for every row of a result list.
 */
export async function dataSourceOfRow(db: Db, row: BlockRow, cache?: Map<string, RowSource>): Promise<RowSource> {
  if ((row.parent_type !== 'data_source_id' && row.parent_type !== 'template') || !row.parent_id) return null
  const cached = cache?.get(row.parent_id)
  if (cached !== undefined) return cached
  const ds = await findDataSource(db, row.parent_id)
  const source = ds ? { id: ds.id, databaseId: ds.database_id, schema: schemaOf(ds) } : null
  cache?.set(row.parent_id, source)
  return source
}

/** Presents a page for the request's version, loading its data source when it is a row (through `cache` when given). */
export async function presentPageFor(
  deps: Deps,
  ctx: RequestContext,
  row: BlockRow,
  filter?: string[] | 'title',
  cache?: Map<string, RowSource>,
) {
  const full = await dataSourceOfRow(deps.store.db, row, cache)
  // A plain page from the row cache (frozen) is presented once per Notion-Version (see `presentedPlain`).
  const memo = full === null && filter === undefined && ctx.caller.capabilities.readContent && Object.isFrozen(row)
  const memoKey = memo ? `${ctx.version} ${deps.publicUrl}` : ''
  if (memo) {
    const hit = presentedPlain.get(row, memoKey)
    if (hit) return hit
  }
  // Title only (search under Notion-Version 2026-12-01): present and compute nothing else.
  const dataSource =
    full && filter === 'title'
      ? {
          ...full,
          schema: Object.fromEntries(
            Object.values(full.schema)
              .filter((p) => p.type === 'title')
              .map((p) => [p.id, p]),
          ),
        }
      : full
  if (filter === 'title') filter = undefined
  const computed = dataSource
    ? await computeOneRow(deps.store.db, { viewer: ctx.caller, now: new Date(deps.clock.now()) }, dataSource, row)
    : undefined
  const presentation = { version: ctx.version, publicUrl: deps.publicUrl, dataSource, computed }
  const page = presentPage(row, presentation)
  // Nothing to sign inside: the router's signFileRefs skips it (search lists 100 of them).
  if (presentsFileFree(row, presentation)) markFileFree(page)
  if (filter && filter.length > 0) {
    const props = page.properties as Record<string, { id: string }>
    page.properties = Object.fromEntries(
      Object.entries(props).filter(
        ([name, v]) => filter.includes(name) || filter.includes(v.id) || filter.includes(decodeURIComponent(v.id)),
      ),
    )
  }
  if (memo && isFileFree(page)) presentedPlain.set(row, memoKey, markImmutable(Object.freeze(page)))
  // Insert-only connections get partial objects: they may not read content (capabilities doc).
  return ctx.caller.capabilities.readContent ? page : { object: 'page', id: row.id }
}

/**
 * Plain pages (no data source: nothing computed from other rows) presented from a row-cache row,
 * by row object and `<Notion-Version> <public URL>`, when nothing in them is signed (`isFileFree`: no
 * file, no custom emoji, so the router never changes them): a row object lives only until the log
 * moves (services/caches.ts), so the memo does too. The page object is frozen and marked immutable:
 * the router serializes it once and adds each request's `request_id` to the text (api/immutable-answers.ts). Issue 19: the presenter was 6–7% of a page read's CPU.
 */
const presentedPlain = new RowMemo<Record<string, unknown>>(16)

/** A template's stored values that a new row may take over (not unique ids, which every row gets anew). */
function writableCopy(schema: Schema, values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([id]) => schema[id] !== undefined && schema[id]?.type !== 'unique_id'))
}

/** Validates the `properties` of a plain page: only its title may be set. */
function plainPageTitle(properties: Record<string, unknown> | undefined): RichTextItem[] | undefined {
  if (!properties) return undefined
  let title: RichTextItem[] | undefined
  for (const [key, raw] of Object.entries(properties)) {
    const value = raw as { title?: unknown; type?: string } | null
    if (key !== 'title' && !(value && typeof value === 'object' && 'title' in value)) {
      throw validationError(`${key} is not a property that exists.`)
    }
    if (!value || !Array.isArray(value.title)) {
      throw validationError(
        `body failed validation: body.properties.${key}.title should be an array, instead was \`${JSON.stringify(value?.title)}\`.`,
      )
    }
    title = parseRichText(value.title, ['properties', key, 'title'])
  }
  return title
}

/**
 * `POST /v1/pages`: creates a page under a page, a database (its only data source), or a data
 * source. At the workspace level: refused for internal connections, a private page of the PAT's
 * creator or of the OAuth install's authorizing person otherwise (services/workspace-level.ts).
 * Refused (400) under a parent in the trash or under one (services/trash.ts). Events: `page.created`,
 * a `page.updated` per related row of a two-way relation, `block.appended` per block (the template's
 * and the request's), `data_source.schema_changed` when a new select option is written.
 * @throws NotionApiError validation_error | restricted_resource | object_not_found
 */
export async function createPage(deps: Deps, ctx: RequestContext, input: z.output<typeof S.CreatePageBody>) {
  const { caller } = ctx
  const body = { ...input, properties: readLegacyProperties(input.properties, ctx.version) }
  requireCapability(caller, 'insert_content')
  if (body.children && body.content)
    throw validationError('body failed validation: body.content should be not present when body.children is present.')
  let blocks: NewBlock[]
  let markdownTitle: RichTextItem[] | undefined
  if (body.markdown !== undefined) {
    // Markdown instead of children/content (docs/reference/notion-api-2026.md §2.1).
    if (body.children || body.content) {
      throw validationError(
        `body failed validation: body.${body.children ? 'children' : 'content'} should be not present when body.markdown is present.`,
      )
    }
    const markdownVersion = checkMarkdownOptions(ctx, body)
    const plainParent = 'page_id' in body.parent || 'workspace' in body.parent
    const parsed = blocksFromMarkdown(body.markdown, plainParent && plainPageTitle(body.properties) === undefined, markdownVersion)
    blocks = parsed.blocks
    markdownTitle = parsed.title
  } else {
    if (body.markdown_version !== undefined || body.allow_async !== undefined) {
      const key = body.markdown_version !== undefined ? 'markdown_version' : 'allow_async'
      throw validationError(`body failed validation: body.${key} should be not present when body.markdown is not present.`)
    }
    blocks = parseBlockRequests(
      readLegacyBlocks(body.children ?? body.content ?? [], ctx.version),
      [body.children ? 'children' : 'content'],
      2,
    )
  }
  if (body.markdown === undefined && countBlocks(blocks) > 1000)
    throw validationError('body failed validation: the request may contain at most 1000 blocks.')
  const time = isoNow(deps.clock)
  const at: ContentAt = { by: caller.botId, actor: changeActorOf(caller), time }
  const presented = new Map<string, RowSource>()
  const row = await deps.store.transaction(async (trx) => {
    presented.clear()
    const p = body.parent
    // Uploads in the icon, the cover, the content and `files` values are checked here and attached once the page exists.
    const claims = new UploadClaims(trx, deps, ctx)
    const icon = await claims.resolveImage(body.icon ? normalizeIcon(body.icon) : null, 'icon')
    const cover = await claims.resolveImage(body.cover ? normalizeCover(body.cover) : null, 'cover')
    await claims.resolveBlocks(blocks)
    // Markdown's `:name:` → custom-emoji mentions (services/custom-emojis.service.ts).
    if (body.markdown !== undefined) await emojiMentionsFromText(deps, trx, caller.workspaceId, blocks)
    let created: BlockRow
    let template: BlockRow | null = null
    if (body.template && body.template.type !== 'none' && !('database_id' in p) && !('data_source_id' in p)) {
      throw validationError('body failed validation: body.template: templates apply only to pages created in a data source.')
    }
    if ('workspace' in p) {
      const title = plainPageTitle(body.properties) ?? markdownTitle ?? []
      created = await createAtWorkspaceLevel(trx, caller, { refusal: WORKSPACE_PAGE_REFUSED, time }, (placement) =>
        createNode(trx, {
          workspaceId: caller.workspaceId,
          ...placement,
          kind: 'page',
          title,
          properties: { title },
          icon,
          cover,
          actor: caller.botId,
          time,
          eventActor: at.actor,
        }),
      )
    } else if ('page_id' in p) {
      const parent = await loadAuthorized(trx, caller, p.page_id, { kind: 'page', action: 'edit', capability: 'insert_content' })
      await requireWritableNode(trx, parent)
      const title = plainPageTitle(body.properties) ?? markdownTitle ?? []
      created = await createNode(trx, {
        workspaceId: caller.workspaceId,
        parent: { type: 'page_id', id: p.page_id },
        kind: 'page',
        title,
        properties: { title },
        icon,
        cover,
        actor: caller.botId,
        time,
        eventActor: at.actor,
      })
    } else {
      // The data source and its database, each read once in this transaction and passed on.
      let ds: DataSourceRow
      let database: BlockRow
      if ('database_id' in p) {
        database = await loadAuthorized(trx, caller, p.database_id, { kind: 'database', action: 'edit', capability: 'insert_content' })
        const sources = await dataSourcesOf(trx, p.database_id)
        if (sources.length !== 1) {
          throw validationError(
            hasDataSources(ctx.version)
              ? 'Databases with multiple data sources require a data_source_id parent.'
              : 'Databases with multiple data sources are not supported in this API version.',
          )
        }
        ds = sources[0] as DataSourceRow
      } else {
        ;({ ds, database } = await loadDataSource(trx, caller, p.data_source_id, { action: 'edit', capability: 'insert_content' }))
      }
      const dsId = ds.id
      const databaseId = ds.database_id
      await requireWritableDataSourceParent(trx, ds, database)
      const schema: Schema = schemaOf(ds)
      template = body.template ? await resolveTemplate(trx, dsId, body.template) : null
      if (template && (body.children || body.content || body.markdown)) {
        throw validationError(
          `body failed validation: body.${body.children ? 'children' : 'content'} should be not present when body.template is a template.`,
        )
      }
      // A template's values come first; the request's own values win (the template's title only
      // when the request gives none).
      const fromTemplate = template ? (JSON.parse(template.properties ?? '{}') as Record<string, unknown>) : {}
      const {
        values: writtenOwn,
        schemaChanged,
        keys,
      } = writePropertyValues(schema, body.properties ?? {}, { create: true, actor: caller.botId, workspaceName: caller.workspaceName })
      const written: Record<string, unknown> = { ...writableCopy(schema, fromTemplate), ...writtenOwn }
      await claims.resolveValues(written)
      const pageId = newId()
      await checkPeopleValues(trx, caller.workspaceId, schema, writtenOwn, keys)
      await checkRelationTargets(trx, caller, schema, written, keys, { id: pageId, sourceId: dsId })
      const values = await syncDualRelations(trx, caller, dsId, schema, pageId, null, {}, written, time)
      if (schemaChanged) await saveSchema(trx, ds.id, schema, at)
      // The schema as it now stands in the store (saved above when a value added an option): the
      // answer presents the row with it instead of reading the data source a third time.
      presented.set(dsId, { id: dsId, databaseId, schema })
      const titleId = titlePropertyId(schema)
      created = await createNode(trx, {
        id: pageId,
        workspaceId: caller.workspaceId,
        parent: { type: 'data_source_id', id: dsId, databaseId, database, schema },
        kind: 'page',
        title: (values[titleId] as RichTextItem[] | undefined) ?? [],
        properties: values,
        icon,
        cover,
        actor: caller.botId,
        time,
        eventActor: at.actor,
      })
    }
    await claims.attachAll({ type: 'page', id: created.id })
    if (template) await copyTemplateContent(trx, template, created.id, caller.botId, time, at.actor)
    await insertBlocks(trx, {
      workspaceId: caller.workspaceId,
      parentType: 'page_id',
      parentId: created.id,
      pageId: created.id,
      blocks,
      at: { type: 'end' },
      actor: caller.botId,
      time,
      eventActor: at.actor,
    })
    return created
  })
  return presentPageFor(deps, ctx, row, undefined, presented)
}

/** `GET /v1/pages/{id}`. @throws NotionApiError restricted_resource | object_not_found */
export async function getPage(deps: Deps, ctx: RequestContext, id: string, filter?: string[]) {
  const row = await loadAuthorized(deps.store.db, ctx.caller, id, { kind: 'page', action: 'read', capability: 'read_content' })
  return presentPageFor(deps, ctx, row, filter)
}

/**
 * `PATCH /v1/pages/{id}`: properties, icon, cover, lock, trash and restore, erase content, apply a
 * template (its content is added; with `erase_content` it replaces the page's content).
 * A trashed page accepts nothing but a restore; a page under a trashed page, database or data source
 * accepts nothing at all (services/trash.ts, Notion's messages). Events: `page.updated` (`data.fields`),
 * `page.trashed` / `page.restored`, `block.deleted` per erased block, `block.appended` per template block,
 * a `page.updated` per related row of a two-way relation.
 * @throws NotionApiError validation_error | restricted_resource | object_not_found
 */
export async function updatePage(deps: Deps, ctx: RequestContext, id: string, input: z.output<typeof S.UpdatePageBody>) {
  const { caller } = ctx
  const body = { ...input, properties: readLegacyProperties(input.properties, ctx.version) }
  if (dropsArchived(ctx.version) && body.archived !== undefined) {
    throw validationError(`body failed validation: body.archived should be not present, instead was \`${JSON.stringify(body.archived)}\`.`)
  }
  if (body.archived !== undefined && body.in_trash !== undefined && body.archived !== body.in_trash) {
    throw validationError('body failed validation: body.archived and body.in_trash must agree when both are present.')
  }
  const time = isoNow(deps.clock)
  const at: ContentAt = { by: caller.botId, actor: changeActorOf(caller), time }
  const row = await deps.store.transaction(async (trx) => {
    const node = await loadAuthorized(trx, caller, id, { kind: 'page', action: 'edit', capability: 'update_content' })
    const trash = body.in_trash ?? body.archived
    // A trashed page accepts only its restore; nothing under a trashed page or database changes.
    await requireWritableNode(trx, node, { restoresSelf: trash === false })
    const patch: NodePatch = {}
    const claims = new UploadClaims(trx, deps, ctx)
    if (trash !== undefined) patch.in_trash = trash ? 1 : 0
    if (body.icon !== undefined)
      patch.icon = body.icon === null ? null : JSON.stringify(await claims.resolveImage(normalizeIcon(body.icon), 'icon'))
    if (body.cover !== undefined)
      patch.cover = body.cover === null ? null : JSON.stringify(await claims.resolveImage(normalizeCover(body.cover), 'cover'))
    if (body.is_locked !== undefined) patch.is_locked = body.is_locked ? 1 : 0
    if (body.properties && Object.keys(body.properties).length > 0) {
      const current = JSON.parse(node.properties ?? '{}') as Record<string, unknown>
      const source = await dataSourceOfRow(trx, node)
      if (source) {
        const { values, schemaChanged, keys } = writePropertyValues(source.schema, body.properties, {
          actor: caller.botId,
          workspaceName: caller.workspaceName,
        })
        await claims.resolveValues(values)
        await checkPeopleValues(trx, caller.workspaceId, source.schema, values, keys)
        await checkRelationTargets(trx, caller, source.schema, values, keys, { id: node.id, sourceId: source.id })
        await keepHiddenRelations(trx, caller, source.schema, current, values)
        if (schemaChanged) await saveSchema(trx, source.id, source.schema, at)
        const next = await syncDualRelations(trx, caller, source.id, source.schema, node.id, node, current, { ...current, ...values }, time)
        patch.properties = JSON.stringify(next)
        patch.title_text = titleOfValues(next, source.schema).toLowerCase()
      } else {
        const title = plainPageTitle(body.properties)
        if (title) {
          patch.properties = JSON.stringify({ ...current, title })
          patch.title_text = plainText(title).toLowerCase()
        }
      }
    }
    await claims.attachAll({ type: 'page', id: node.id })
    if (body.erase_content) await eraseContent(trx, node, at)
    if (body.template) {
      // Applying a template to an existing row adds the template's content (after erase_content
      // cleared the page, it replaces it); property values are left as they are.
      const source = await dataSourceOfRow(trx, node)
      if (!source || node.parent_type !== 'data_source_id') {
        throw validationError('body failed validation: body.template: templates apply only to pages in a data source.')
      }
      const template = await resolveTemplate(trx, source.id, body.template)
      if (template) await copyTemplateContent(trx, template, node.id, caller.botId, time, at.actor)
    }
    await updateNode(trx, node, patch, at)
    return (await findBlock(trx, node.id)) as BlockRow
  })
  return presentPageFor(deps, ctx, row)
}

/**
 * `POST /v1/pages/{id}/move`: moves a page under another page or into a data source. Needs edit
 * access on both ends; neither the page nor its new parent may be in the trash or under it
 * (services/trash.ts). Access it inherited now follows the new parent. A row leaving its data source
 * leaves its two-way relations behind (`detachDualRelations`). Event: `page.moved` (and `page.updated`
 * of each page unlinked).
 * @throws NotionApiError validation_error | restricted_resource | object_not_found
 */
export async function movePage(deps: Deps, ctx: RequestContext, id: string, body: z.output<typeof S.MovePageBody>) {
  const { caller } = ctx
  const time = isoNow(deps.clock)
  const row = await deps.store.transaction(async (trx) => {
    const node = await loadAuthorized(trx, caller, id, { kind: 'page', action: 'edit', capability: 'update_content' })
    // Neither out of the trash (or from under it) nor into it.
    await requireWritableNode(trx, node)
    const p = body.parent
    try {
      if ('page_id' in p) {
        const parent = await loadAuthorized(trx, caller, p.page_id, { kind: 'page', action: 'edit', capability: 'update_content' })
        await requireWritableNode(trx, parent)
        await detachDualRelations(trx, caller, node, null, time)
        await moveNode(trx, node, { type: 'page_id', parent }, caller.botId, time, changeActorOf(caller))
      } else {
        const { ds, database } = await loadDataSource(trx, caller, p.data_source_id, { action: 'edit', capability: 'update_content' })
        await requireWritableDataSourceParent(trx, ds, database)
        await detachDualRelations(trx, caller, node, ds.id, time)
        await moveNode(trx, node, { type: 'data_source_id', dataSourceId: ds.id, database }, caller.botId, time, changeActorOf(caller))
      }
    } catch (err) {
      if (err instanceof Error && err.message === 'cycle') {
        throw validationError('body failed validation: body.parent cannot be the page itself or one of its descendants.')
      }
      throw err
    }
    return (await findBlock(trx, node.id)) as BlockRow
  })
  return presentPageFor(deps, ctx, row)
}
