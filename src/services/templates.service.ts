import { isoNow } from '../domain/clock.js'
import { newId } from '../domain/ids.js'
import { titlePropertyId, type Schema } from '../domain/properties.js'
import { textRun, type RichTextItem } from '../domain/rich-text.js'
import { DomainError } from '../errors/domain-error.js'
import { validationError } from '../errors/notion-error.js'
import { ROLE, principalOf } from '../permissions/roles.js'
import { levelOnRoot } from '../storage/repositories/acl.repository.js'
import {
  contentBlockRow,
  findBlock,
  insertBlockRows,
  listContentBlocksOfPage,
  listTemplatesOfDataSource,
  reservePositions,
  setTemplate,
  type BlockRow,
} from '../storage/repositories/blocks.repository.js'
import { findDataSource, schemaOf } from '../storage/repositories/data-sources.repository.js'
import { memberRole } from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'
import type { Deps } from './deps.js'
import { createNode, eventActorOf } from './tree.service.js'

/**
 * Data-source templates (docs/reference/notion-api.md §1.2 `template`, §1.5 `GET /v1/data_sources/{id}/templates`).
 *
 * A template is a page of a data source that is not a row: a `child_page` node with
 * `parent_type = "template"` and `parent_id` = the data source, placed and permissioned like a row
 * (the database's permission root), so `GET /v1/pages/{template id}` works for callers who can read
 * the database, while queries, which read `parent_type = "data_source_id"`, never see it. Its
 * `content` records `{template: {is_default}}`. Notion's public API cannot create templates (people
 * make them in the editor); Octavo creates them through the admin API and the CLI.
 *
 * Creating a page with `template: {type:"default"|"template_id"}` copies the template's property
 * values (request values win) and its content blocks into the new page, synchronously.
 */

export interface TemplateInfo {
  id: string
  name: string
  is_default: boolean
}

function isDefaultOf(row: Pick<BlockRow, 'content'>): boolean {
  return (JSON.parse(row.content || '{}') as { template?: { is_default?: boolean } }).template?.is_default === true
}

/** The live templates of a data source, in the order they were made (`position`). */
export async function templatesOf(db: Db, dataSourceId: string): Promise<BlockRow[]> {
  return listTemplatesOfDataSource(db, dataSourceId)
}

/**
 * `GET /v1/data_sources/{id}/templates` page: `{templates:[{id, name, is_default}], has_more,
 * next_cursor}` (not a `list` object). `name` filters by case-insensitive substring; the cursor is
 * the id of the next template.
 */
export async function listTemplatePage(
  db: Db,
  dataSourceId: string,
  q: { name?: string | undefined; start_cursor?: string | undefined; page_size?: number | undefined },
) {
  const ds = await findDataSource(db, dataSourceId)
  const schema = ds ? schemaOf(ds) : {}
  let all: TemplateInfo[] = (await templatesOf(db, dataSourceId)).map((t) => ({
    id: t.id,
    name: templateName(t, schema),
    is_default: isDefaultOf(t),
  }))
  if (q.name !== undefined) all = all.filter((t) => t.name.toLowerCase().includes((q.name as string).toLowerCase()))
  let start = 0
  if (q.start_cursor) {
    const i = all.findIndex((t) => t.id === q.start_cursor)
    start = i === -1 ? all.length : i
  }
  const size = q.page_size ?? 100
  const templates = all.slice(start, start + size)
  const next = all[start + size]
  return { templates, has_more: next !== undefined, next_cursor: next?.id ?? null }
}

function templateName(row: BlockRow, schema: Schema): string {
  const values = JSON.parse(row.properties ?? '{}') as Record<string, RichTextItem[]>
  return (values[titlePropertyId(schema)] ?? []).map((r) => r.plain_text).join('')
}

/**
 * Creates a template in a data source as a person (admin API / CLI). A new default template
 * replaces the previous default. The person must be able to edit the database.
 * @throws DomainError not_found | forbidden
 */
export async function createTemplate(
  deps: Deps,
  input: {
    workspaceId: string
    actorId: string
    dataSourceId: string
    title: string
    isDefault?: boolean
    paragraphs?: string[]
    properties?: Record<string, unknown>
  },
) {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const ds = await findDataSource(trx, input.dataSourceId)
    if (!ds || ds.workspace_id !== input.workspaceId)
      throw new DomainError('not_found', `No data source with id ${input.dataSourceId} in this workspace.`)
    const database = (await findBlock(trx, ds.database_id)) as BlockRow
    const role = await memberRole(trx, input.workspaceId, input.actorId)
    if (!role) throw new DomainError('forbidden', 'Only members of this workspace can create templates in it.')
    const principals = [principalOf.user(input.actorId), ...(role === 'guest' ? [] : [principalOf.members(input.workspaceId)])]
    if ((await levelOnRoot(trx, database.perm_root_id as string, principals)) < ROLE.edit) {
      throw new DomainError('forbidden', 'This person cannot edit the database.')
    }
    const existing = await templatesOf(trx, ds.id)
    if (input.isDefault) {
      for (const t of existing) {
        if (isDefaultOf(t)) await setTemplate(trx, t, { isDefault: false }, { actor: `user:${input.actorId}`, time })
      }
    }
    const schema = schemaOf(ds)
    const title = [textRun(input.title)]
    const row = await createNode(trx, {
      workspaceId: input.workspaceId,
      parent: { type: 'data_source_id', id: ds.id, databaseId: ds.database_id },
      kind: 'page',
      title,
      properties: { ...(input.properties ?? {}), [titlePropertyId(schema)]: title },
      actor: input.actorId,
      time,
    })
    const position = existing.reduce((m, t) => Math.max(m, t.position + 1), 0)
    await setTemplate(trx, row, { isDefault: input.isDefault === true, position }, { actor: `user:${input.actorId}`, time })
    const paragraphs: BlockRow[] = (input.paragraphs ?? []).map((text, position) =>
      contentBlockRow({
        id: newId(),
        workspaceId: input.workspaceId,
        type: 'paragraph',
        parentType: 'page_id',
        parentId: row.id,
        pageId: row.id,
        position,
        content: { rich_text: [textRun(text)], color: 'default' },
        actor: input.actorId,
        time,
      }),
    )
    await insertBlockRows(trx, paragraphs, { actor: `user:${input.actorId}`, time })
    return { id: row.id, name: input.title, is_default: input.isDefault === true, data_source_id: ds.id }
  })
}

/**
 * The template a page-create request names, checked to belong to data source `dataSourceId`:
 * `{type:"none"}` → null; `{type:"default"}` → the default template (400 when there is none);
 * `{type:"template_id"}` → that template (400 when it is not a template of this data source).
 * @throws NotionApiError validation_error
 */
export async function resolveTemplate(
  db: Db,
  dataSourceId: string,
  t: { type: 'none' } | { type: 'default' } | { type: 'template_id'; template_id: string },
): Promise<BlockRow | null> {
  if (t.type === 'none') return null
  const templates = await templatesOf(db, dataSourceId)
  if (t.type === 'default') {
    const d = templates.find(isDefaultOf)
    if (!d) throw validationError('body failed validation: body.template: this data source has no default template.')
    return d
  }
  const found = templates.find((x) => x.id === t.template_id)
  if (!found)
    throw validationError(
      `body failed validation: body.template.template_id should be a template of the parent data source, instead was \`${JSON.stringify(t.template_id)}\`.`,
    )
  return found
}

/**
 * Copies a template's content blocks (its whole block tree in sibling order; not its sub-pages or
 * databases, nor anything under them; nothing in the trash) under page `pageId`, after its existing
 * children, through the block write path (`insertBlockRows`: one `block.appended` event per copy).
 * The copies belong to the target page's workspace, credited to `actor` (a user id) at `time`; the
 * events name `eventActor` (default: `actor` as `user:` or `bot:`).
 * The one subtree duplication of Octavo: applying a data-source template to a new page
 * (`template` in `POST /v1/pages`, docs/reference/notion-api.md §1.2) and duplicating a public
 * connection's template at install (services/oauth/authorize.ts) both use it.
 * @throws Error when page `pageId` does not exist.
 */
export async function copyTemplateContent(
  db: Db,
  template: Pick<BlockRow, 'id'>,
  pageId: string,
  actor: string,
  time: string,
  eventActor?: string,
): Promise<void> {
  const target = await findBlock(db, pageId)
  if (!target) throw new Error(`Page ${pageId} not found`)
  const childrenOf = new Map<string, BlockRow[]>()
  for (const b of await listContentBlocksOfPage(db, template.id)) {
    if (b.parent_id === null) continue
    const list = childrenOf.get(b.parent_id) ?? []
    list.push(b)
    childrenOf.set(b.parent_id, list)
  }
  for (const list of childrenOf.values()) list.sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const top = childrenOf.get(template.id) ?? []
  if (top.length === 0) return
  const offset = await reservePositions(db, pageId, { type: 'end' }, top.length)
  const rows: BlockRow[] = []
  // Only blocks reachable from the template through live blocks: a child of a trashed block stays behind.
  const walk = (fromParent: string, toParent: string, isTop: boolean) => {
    ;(childrenOf.get(fromParent) ?? []).forEach((b, i) => {
      const id = newId()
      rows.push({
        ...b,
        id,
        workspace_id: target.workspace_id,
        parent_type: isTop ? 'page_id' : 'block_id',
        parent_id: toParent,
        page_id: pageId,
        position: isTop ? offset + i : b.position,
        created_time: time,
        created_by: actor,
        last_edited_time: time,
        last_edited_by: actor,
      })
      walk(b.id, id, false)
    })
  }
  walk(template.id, pageId, true)
  await insertBlockRows(db, rows, { actor: eventActor ?? (await eventActorOf(db, actor)), time })
}
