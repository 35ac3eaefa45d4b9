import { authorOf } from '../../domain/webhooks.js'
import type { Schema } from '../../domain/properties.js'
import { findBlock, nodeKind, type BlockRow } from '../../storage/repositories/blocks.repository.js'
import { findFileUploadAnywhere } from '../../storage/repositories/file-uploads.repository.js'
import { findView } from '../../storage/repositories/views.repository.js'
import { findComment } from '../../storage/repositories/comments.repository.js'
import { findDataSource, schemaOf } from '../../storage/repositories/data-sources.repository.js'
import type { ChangeEvent } from '../../storage/repositories/events.repository.js'
import type { Db } from '../../storage/store.js'

/**
 * From change events (ADR 15) to Notion's webhook events (docs/reference/notion-api-2026.md §7.5,
 * the SDK's `api-endpoints/webhooks.d.ts`). `EVENT_MAP` is the table: one line per change-event type
 * naming the mapper that turns it into zero or more webhook events. A new write path whose change
 * events should reach webhooks adds its line here.
 */

/** `data.parent` of a payload (`WebhookParentBlock`); `data_source_id` is dropped for 2022-06-28 subscriptions. */
export interface WebhookParent {
  id: string
  type: 'space' | 'block' | 'page' | 'database' | 'team' | 'agent'
  data_source_id?: string
}

/** One webhook event, before it is addressed to a subscription. */
export interface WebhookCandidate {
  /** Notion's event type (`page.created`, …). */
  type: string
  entity: { id: string; type: string }
  workspaceId: string
  /** When the change happened (the change event's time, ISO-8601 UTC). */
  timestamp: string
  authors: { id: string; type: 'person' | 'bot' }[]
  data: Record<string, unknown> | null
  /**
   * Who may receive it: the id of the page or database whose ACL decides (the usual case), or
   * `creator:<bot or user id>` for an object only its creator reads (a file upload, which Notion
   * shows only to the connection or person that created it); null for events without one.
   */
  accessId: string | null
}

type Mapper = (db: Db, ev: ChangeEvent) => Promise<WebhookCandidate[]>

/** `data.parent` of a page or database: the workspace (`space`), a page, a block, or a database (+ data source). */
export async function parentOf(db: Db, node: BlockRow): Promise<WebhookParent> {
  switch (node.parent_type) {
    case 'workspace':
      return { id: node.workspace_id, type: 'space' }
    case 'page_id':
      return { id: node.parent_id ?? node.workspace_id, type: 'page' }
    case 'block_id':
      return { id: node.parent_id ?? node.workspace_id, type: 'block' }
    case 'data_source_id':
    case 'template': {
      const ds = node.parent_id ? await findDataSource(db, node.parent_id) : undefined
      return ds ? { id: ds.database_id, type: 'database', data_source_id: ds.id } : { id: node.workspace_id, type: 'space' }
    }
  }
}

const authorsOf = (ev: ChangeEvent) => {
  const a = authorOf(ev.actor)
  return a ? [a] : []
}

function candidate(ev: ChangeEvent, c: Omit<WebhookCandidate, 'workspaceId' | 'timestamp' | 'authors'>): WebhookCandidate {
  return { ...c, workspaceId: ev.workspaceId ?? '', timestamp: ev.time, authors: authorsOf(ev) }
}

/**
 * The same change seen by both families (review D8): `data_source.<suffix>` about the data source
 * (parent: its database) for ≥ 2025-09-03 subscriptions and `database.<suffix>` about the database
 * (parent: the database's own) for 2022-06-28 ones, with the same `extra` data.
 */
async function bothFamilies(
  db: Db,
  ev: ChangeEvent,
  suffix: 'content_updated' | 'schema_updated',
  ds: { id: string },
  database: BlockRow,
  extra: Record<string, unknown>,
  accessId: string,
): Promise<WebhookCandidate[]> {
  return [
    candidate(ev, {
      type: `data_source.${suffix}`,
      entity: { id: ds.id, type: 'data_source' },
      data: { parent: { id: database.id, type: 'database' }, ...extra },
      accessId,
    }),
    candidate(ev, {
      type: `database.${suffix}`,
      entity: { id: database.id, type: 'database' },
      data: { parent: await parentOf(db, database), ...extra },
      accessId,
    }),
  ]
}

/** A row's change also changes its data source's content: `data_source.content_updated` and `database.content_updated`. */
async function rowContent(db: Db, ev: ChangeEvent, row: BlockRow): Promise<WebhookCandidate[]> {
  if (row.parent_type !== 'data_source_id' || !row.parent_id) return []
  const ds = await findDataSource(db, row.parent_id)
  const database = ds ? await findBlock(db, ds.database_id) : undefined
  if (!ds || !database) return []
  return bothFamilies(db, ev, 'content_updated', ds, database, { updated_blocks: [{ id: row.id, type: 'page' }] }, row.id)
}

/**
 * An event about a page or database node itself (`entity: {id, type: page|database}`, `data: {parent,
 * ...extra}`), readable by whoever reads the node: the one builder of the `/v1` page and database
 * families (review D8).
 */
async function aboutNode(db: Db, ev: ChangeEvent, type: string, node: BlockRow, extra: Record<string, unknown> = {}) {
  return candidate(ev, {
    type,
    entity: { id: node.id, type: nodeKind(node) },
    data: { parent: await parentOf(db, node), ...extra },
    accessId: node.id,
  })
}

/** The page or database a change event is about (none for a plain block or a vanished node). */
async function nodeOf(db: Db, id: string | null | undefined, kind?: 'page'): Promise<BlockRow | undefined> {
  const node = id ? await findBlock(db, id) : undefined
  if (!node || nodeKind(node) === 'block' || (kind && nodeKind(node) !== kind)) return undefined
  return node
}

/** `page.*` / `database.*` about the node itself (`data: {parent}`), plus the row's data-source content update. */
function nodeEvent(type: string, opts: { rowContent?: boolean } = {}): Mapper {
  return async (db, ev) => {
    const node = await nodeOf(db, ev.objectId)
    if (!node) return []
    return [await aboutNode(db, ev, type, node), ...(opts.rowContent ? await rowContent(db, ev, node) : [])]
  }
}

/** `page.updated` → `page.properties_updated` (title, properties), `page.locked` / `page.unlocked`. */
const pageUpdated: Mapper = async (db, ev) => {
  const node = await nodeOf(db, ev.objectId, 'page')
  if (!node) return []
  const fields = (ev.data?.fields as string[] | undefined) ?? []
  const out: WebhookCandidate[] = []
  const props = new Set<string>()
  if (fields.includes('title')) props.add('title')
  if (fields.includes('properties'))
    for (const id of (ev.data?.property_ids as string[] | undefined) ?? []) props.add(encodeURIComponent(id))
  if (fields.includes('title') || fields.includes('properties')) {
    out.push(await aboutNode(db, ev, 'page.properties_updated', node, { updated_properties: [...props] }))
    out.push(...(await rowContent(db, ev, node)))
  }
  if (fields.includes('is_locked')) out.push(await aboutNode(db, ev, node.is_locked ? 'page.locked' : 'page.unlocked', node))
  return out
}

/** `block.appended` / `block.updated` / `block.deleted` → `page.content_updated` of the owning page. */
const contentUpdated: Mapper = async (db, ev) => {
  const block = ev.objectId ? await findBlock(db, ev.objectId) : undefined
  const pageId = (ev.data?.page_id as string | undefined) ?? (ev.data?.parent_id as string | undefined) ?? block?.page_id
  const page = await nodeOf(db, pageId, 'page')
  if (!page || !ev.objectId) return []
  return [await aboutNode(db, ev, 'page.content_updated', page, { updated_blocks: [{ id: ev.objectId, type: 'block' }] })]
}

/** `data_source.*` about the data source itself: `data: {parent: its database}`. */
function dataSourceEvent(type: string): Mapper {
  return async (db, ev) => {
    const ds = ev.objectId ? await findDataSource(db, ev.objectId) : undefined
    if (!ds) return []
    return [
      candidate(ev, {
        type,
        entity: { id: ds.id, type: 'data_source' },
        data: { parent: { id: ds.database_id, type: 'database' } },
        accessId: ds.database_id,
      }),
    ]
  }
}

/** `data_source.schema_changed` → `data_source.schema_updated` and (2022-06-28) `database.schema_updated`. */
const schemaUpdated: Mapper = async (db, ev) => {
  const ds = ev.objectId ? await findDataSource(db, ev.objectId) : undefined
  const database = ds ? await findBlock(db, ds.database_id) : undefined
  if (!ds || !database) return []
  const schema: Schema = schemaOf(ds)
  const d = (ev.data ?? {}) as { added?: string[]; removed?: string[]; changed?: string[] }
  const nameOf = (id: string) => (schema[id] as { name?: string } | undefined)?.name ?? null
  const updated_properties = [
    ...(d.added ?? []).map((id) => ({ id, name: nameOf(id), action: 'created' })),
    ...(d.changed ?? []).map((id) => ({ id, name: nameOf(id), action: 'updated' })),
    ...(d.removed ?? []).map((id) => ({ id, name: null, action: 'deleted' })),
  ]
  return bothFamilies(db, ev, 'schema_updated', ds, database, { updated_properties }, database.id)
}

/** `comment.*`: `data: {page_id, parent: {id, type: page|database|block}}`. */
function commentEvent(type: string): Mapper {
  return async (db, ev) => {
    const c = ev.objectId && ev.workspaceId ? await findComment(db, ev.workspaceId, ev.objectId) : undefined
    const parentId = c?.parent_id ?? (ev.data?.parent_id as string | undefined)
    const pageId = c?.page_id ?? (ev.data?.page_id as string | undefined)
    if (!ev.objectId || !parentId || !pageId) return []
    const parentNode = await findBlock(db, parentId)
    return [
      candidate(ev, {
        type,
        entity: { id: ev.objectId, type: 'comment' },
        data: { page_id: pageId, parent: { id: parentId, type: parentNode ? nodeKind(parentNode) : 'page' } },
        accessId: pageId,
      }),
    ]
  }
}

/** The `accessId` of an object only its creator reads (see `WebhookCandidate.accessId`). */
export const CREATOR_ACCESS = 'creator:'

/**
 * `file_upload.*` (`entity: {id, type: file_upload}`; no `data`, except `file_upload.upload_failed`:
 * `data: {file_import_result}`, SDK `FileUploadUploadFailedWebhookPayload`). Received only by the
 * connection that created the upload (its bot is `created_by`), as only it can retrieve the upload.
 */
function fileUploadEvent(type: string): Mapper {
  return async (db, ev) => {
    const upload = ev.objectId ? await findFileUploadAnywhere(db, ev.objectId) : undefined
    if (!upload) return []
    const result = ev.data?.file_import_result
    return [
      candidate(ev, {
        type,
        entity: { id: upload.id, type: 'file_upload' },
        data: type === 'file_upload.upload_failed' && result ? { file_import_result: result } : null,
        accessId: `${CREATOR_ACCESS}${upload.created_by}`,
      }),
    ]
  }
}

/** The fields of `view.updated`'s `data.updated_fields` (SDK `ViewUpdatedWebhookPayload`); others (`quick_filters`) count as `filter`. */
const VIEW_FIELDS = ['name', 'filter', 'sorts', 'configuration'] as const

/**
 * `view.created` (`data: {parent, view_type}`), `view.updated` (`data: {parent, updated_fields}`),
 * `view.deleted` (`data: {parent}`): `parent` is the view's database (with `data_source_id` when the
 * view has one), and whoever reads that database receives it (≥ 2025-09-03 subscriptions only, the
 * family rule of `domain/webhooks.ts`). A deleted view is described by its change event's data.
 */
function viewEvent(type: 'view.created' | 'view.updated' | 'view.deleted'): Mapper {
  return async (db, ev) => {
    if (!ev.objectId || !ev.workspaceId) return []
    const view = await findView(db, ev.workspaceId, ev.objectId)
    const databaseId = view?.database_id ?? (ev.data?.database_id as string | undefined)
    if (!databaseId) return []
    const dsId = view?.data_source_id ?? (ev.data?.data_source_id as string | null | undefined)
    const parent: WebhookParent = { id: databaseId, type: 'database', ...(dsId ? { data_source_id: dsId } : {}) }
    let extra: Record<string, unknown> = {}
    if (type === 'view.created') extra = { view_type: view?.type ?? ev.data?.view_type }
    if (type === 'view.updated') {
      const fields = new Set(((ev.data?.updated_fields as string[] | undefined) ?? []).map((f) => (f === 'quick_filters' ? 'filter' : f)))
      extra = { updated_fields: VIEW_FIELDS.filter((f) => fields.has(f)) }
    }
    return [candidate(ev, { type, entity: { id: ev.objectId, type: 'view' }, data: { parent, ...extra }, accessId: databaseId })]
  }
}

/**
 * Change-event type → mapper. Change events not listed (administrative ones: tokens, grants, people;
 * `database.updated` and `data_source.updated` title edits, which Notion sends no event for) produce
 * no webhook event.
 */
export const EVENT_MAP: Record<string, Mapper> = {
  'page.created': nodeEvent('page.created', { rowContent: true }),
  'page.trashed': nodeEvent('page.deleted', { rowContent: true }),
  'page.restored': nodeEvent('page.undeleted', { rowContent: true }),
  'page.moved': nodeEvent('page.moved'),
  'page.updated': pageUpdated,
  'database.created': nodeEvent('database.created'),
  'database.trashed': nodeEvent('database.deleted'),
  'database.restored': nodeEvent('database.undeleted'),
  'database.moved': nodeEvent('database.moved'),
  'block.appended': contentUpdated,
  'block.updated': contentUpdated,
  'block.deleted': contentUpdated,
  'data_source.created': dataSourceEvent('data_source.created'),
  'data_source.trashed': dataSourceEvent('data_source.deleted'),
  'data_source.restored': dataSourceEvent('data_source.undeleted'),
  'data_source.schema_changed': schemaUpdated,
  'comment.created': commentEvent('comment.created'),
  'comment.updated': commentEvent('comment.updated'),
  'comment.deleted': commentEvent('comment.deleted'),
  'file_upload.created': fileUploadEvent('file_upload.created'),
  'file_upload.completed': fileUploadEvent('file_upload.completed'),
  'file_upload.upload_failed': fileUploadEvent('file_upload.upload_failed'),
  'file_upload.expired': fileUploadEvent('file_upload.expired'),
  'view.created': viewEvent('view.created'),
  'view.updated': viewEvent('view.updated'),
  'view.deleted': viewEvent('view.deleted'),
}

/** The webhook events a change event produces (none for an unmapped type or a vanished object). */
export async function webhookEventsOf(db: Db, ev: ChangeEvent): Promise<WebhookCandidate[]> {
  const mapper = EVENT_MAP[ev.type]
  return mapper ? mapper(db, ev) : []
}

/**
 * Merges a later event of an aggregated type into an earlier one about the same entity: authors and
 * `updated_blocks` / `updated_properties` are united (first occurrence kept; for schema changes the
 * latest action of a property wins), `parent` and the timestamp are the latest.
 */
export function mergeAggregate(
  earlier: { authors: WebhookCandidate['authors']; data: Record<string, unknown> | null },
  later: WebhookCandidate,
): { authors: WebhookCandidate['authors']; data: Record<string, unknown> | null } {
  const authors = [...earlier.authors]
  for (const a of later.authors) if (!authors.some((b) => b.id === a.id)) authors.push(a)
  const data: Record<string, unknown> = { ...(earlier.data ?? {}), ...(later.data ?? {}) }
  const unite = <T>(key: string, idOf: (x: T) => string, replace: boolean) => {
    const a = (earlier.data?.[key] as T[] | undefined) ?? []
    const b = (later.data?.[key] as T[] | undefined) ?? []
    if (!earlier.data?.[key] && !later.data?.[key]) return
    const out = [...a]
    for (const x of b) {
      const i = out.findIndex((y) => idOf(y) === idOf(x))
      if (i < 0) out.push(x)
      else if (replace) out[i] = x
    }
    data[key] = out
  }
  unite<{ id: string }>('updated_blocks', (x) => x.id, false)
  if (later.type.endsWith('schema_updated')) unite<{ id: string }>('updated_properties', (x) => x.id, true)
  else unite<string>('updated_properties', (x) => x, false)
  return { authors, data }
}
