import type { ApiCaller } from '../auth/principal.js'
import { changeActorOf } from './change-actor.js'
import type { Schema } from '../domain/properties.js'
import { objectNotFound, restrictedResource, validationError, type NotionApiError } from '../errors/notion-error.js'
import { decideDualRelation } from '../permissions/decide-dual-relation.js'
import { ROLE } from '../permissions/roles.js'
import {
  findBlock,
  migrateRowValues,
  rowValuesOf,
  writeSyncedValues,
  type BlockRow,
  type ContentAt,
} from '../storage/repositories/blocks.repository.js'
import { dataSourcesMentioning, findDataSource, saveSchema, schemaOf } from '../storage/repositories/data-sources.repository.js'
import type { Db } from '../storage/store.js'
import { levelOn } from './access.js'
import { visibleRelated } from './row-values.js'

/**
 * Relation writes (docs/reference/notion-api.md §2.5, §2.8): checking related page ids and keeping two-way
 * (`dual_property`) relations consistent on both sides.
 *
 * - A relation value may name only pages of the related data source that the caller can read and
 *   that are not in the trash; anything else (unknown id, a page elsewhere, a page the token cannot
 *   see) is the same 400 validation_error, so the answer does not reveal whether a hidden page exists:
 *   "body failed validation: body.properties.<key>.relation[<i>].id should be a page of the related
 *   data source, instead was `"<id>"`."
 * - Writing a `dual_property` relation adds this page to (or removes it from) the synced property of
 *   each page added to (removed from) the value, in the same transaction.
 * Trashing a page needs no write: relation values are read through visibility (services/row-values.ts),
 * so a trashed page disappears from both sides and reappears on restore.
 *
 * Two-way relations write the other data source, so every such write needs edit access on both sides
 * (permissions/decide-dual-relation.ts): creating a `dual_property` relation (databases-core.ts
 * `resolvePendingConfigs`), changing or removing one (`dropSyncedProperties`), and adding or removing
 * links in one (`syncDualRelations`, per related row). An existing two-way relation whose other side
 * the caller can no longer edit stays as it is and stays readable; the caller cannot add or remove its
 * links, nor remove the property, until edit access returns (or someone who can edit both sides does it).
 */

type Ref = { id: string }

const idsOf = (v: unknown): string[] => (Array.isArray(v) ? (v as Ref[]).map((x) => x.id) : [])

/**
 * Validates the relation values of a page write (`patch`, keyed by property id, before it is stored).
 * `keys` maps property id → the request key (for messages).
 * @throws NotionApiError validation_error
 */
export async function checkRelationTargets(
  db: Db,
  caller: ApiCaller,
  schema: Schema,
  patch: Record<string, unknown>,
  keys: Record<string, string>,
  self?: { id: string; sourceId: string },
): Promise<void> {
  for (const [propId, value] of Object.entries(patch)) {
    const prop = schema[propId]
    if (prop?.type !== 'relation') continue
    const target = String(prop.config.data_source_id ?? '')
    const ids = idsOf(value)
    const visible = new Set(
      await visibleRelated(
        db,
        caller,
        ids.filter((id) => id !== self?.id),
      ),
    )
    for (const [i, id] of ids.entries()) {
      if (self && id === self.id && self.sourceId === target) continue
      const row = visible.has(id) ? await findBlock(db, id) : undefined
      if (!row || row.parent_type !== 'data_source_id' || row.parent_id !== target) {
        throw validationError(
          `body failed validation: body.properties.${keys[propId] ?? prop.name}.relation[${i}].id should be a page of the related data source, instead was \`${JSON.stringify(id)}\`.`,
        )
      }
    }
  }
}

/**
 * Requires the caller's edit access on both sides of a two-way relation write
 * (`decideDualRelation`). `own` is the side being written (a database or a row), or null when this
 * request is creating it and has already checked the caller's access where it goes; `other` is the
 * related database or row. The other side invisible (or in another workspace) → `notFound()`; visible
 * below edit → 403 restricted_resource "Insufficient permissions for this endpoint." (docs/reference/notion-api.md §5).
 * @throws NotionApiError object_not_found | restricted_resource
 */
export async function requireDualRelationAccess(
  db: Db,
  caller: ApiCaller,
  own: BlockRow | null,
  other: BlockRow,
  notFound: () => NotionApiError,
): Promise<void> {
  const ownLevel = own ? await levelOn(db, caller, own) : ROLE.full
  const otherLevel = other.workspace_id === caller.workspaceId ? await levelOn(db, caller, other) : ROLE.none
  const decision = decideDualRelation({ ownLevel, otherLevel })
  if (decision.type === 'deny') throw decision.reason === 'not_found' ? notFound() : restrictedResource()
}

/**
 * After page `pageId` (a row of data source `sourceId` with `schema`) changed from `before` to
 * `after` values, mirrors every changed `dual_property` relation onto the synced property of the
 * related pages. Returns the page's own values again, updated when it relates to itself. Each related
 * page whose synced property changes needs the caller's edit access (`requireDualRelationAccess`;
 * `own` is the row written, null when this request creates it), checked before anything is written.
 * Each related page written appends a `page.updated` (`fields: ["properties"]`) by the caller at `time`.
 * @throws NotionApiError restricted_resource | object_not_found
 */
export async function syncDualRelations(
  db: Db,
  caller: ApiCaller,
  sourceId: string,
  schema: Schema,
  pageId: string,
  own: BlockRow | null,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  time: string,
): Promise<Record<string, unknown>> {
  const writes: { id: string; synced: string; adding: boolean }[] = []
  const ownValues = { ...after }
  for (const prop of Object.values(schema)) {
    if (prop.type !== 'relation' || prop.config.type !== 'dual_property') continue
    if (!(prop.id in after)) continue
    const synced = (prop.config.dual_property as { synced_property_id?: string } | undefined)?.synced_property_id
    if (!synced) continue
    const prev = new Set(idsOf(before[prop.id]))
    const next = new Set(idsOf(after[prop.id]))
    const added = [...next].filter((id) => !prev.has(id))
    const removed = [...prev].filter((id) => !next.has(id))
    const targetSource = String(prop.config.data_source_id)
    for (const id of [...added, ...removed]) {
      const adding = next.has(id)
      if (id === pageId && targetSource === sourceId) {
        ownValues[synced] = toggle(idsOf(ownValues[synced]), pageId, adding)
        continue
      }
      const row = await findBlock(db, id)
      if (!row || row.parent_id !== targetSource) continue
      await requireDualRelationAccess(db, caller, own, row, () => objectNotFound('page', id, caller.connectionName))
      writes.push({ id, synced, adding })
    }
  }
  for (const w of writes) {
    const row = (await findBlock(db, w.id)) as BlockRow
    const values = JSON.parse(row.properties ?? '{}') as Record<string, unknown>
    values[w.synced] = toggle(idsOf(values[w.synced]), pageId, w.adding)
    await writeSyncedValues(db, row, values, { actor: changeActorOf(caller), time })
  }
  return ownValues
}

function toggle(ids: string[], id: string, present: boolean): Ref[] {
  const rest = ids.filter((x) => x !== id)
  return (present ? [...rest, id] : rest).map((x) => ({ id: x }))
}

/**
 * Schema side of two-way relations: when a `dual_property` relation property is removed (or stops
 * being a relation), its synced property on the other data source goes too, with its values, as in
 * Notion where deleting one side of a two-way relation deletes the other. Operates on `after` in
 * place when the synced property lives in the same data source. Changing the other data source needs
 * the caller's edit access on it and on `ownDatabase` (`requireDualRelationAccess`); every other side
 * is checked before any is changed.
 * @throws NotionApiError restricted_resource | object_not_found (the other data source is not visible)
 */
export async function dropSyncedProperties(
  db: Db,
  caller: ApiCaller,
  ownDatabase: BlockRow | null,
  ownerId: string,
  before: Schema,
  after: Schema,
  time: string,
): Promise<void> {
  const at: ContentAt = { by: caller.botId, actor: changeActorOf(caller), time }
  const drops: { targetId: string; synced: string }[] = []
  for (const prop of Object.values(before)) {
    if (prop.type !== 'relation' || prop.config.type !== 'dual_property') continue
    const still = after[prop.id]
    if (still?.type === 'relation' && still.config.type === 'dual_property' && still.config.data_source_id === prop.config.data_source_id)
      continue
    const synced = (prop.config.dual_property as { synced_property_id?: string } | undefined)?.synced_property_id
    const targetId = String(prop.config.data_source_id)
    if (!synced) continue
    if (targetId === ownerId) {
      if (after[synced]?.type === 'relation') delete after[synced]
      continue
    }
    const target = await findDataSource(db, targetId)
    if (!target) continue
    if (schemaOf(target)[synced]?.type !== 'relation') continue
    const targetDatabase = await findBlock(db, target.database_id)
    if (targetDatabase)
      await requireDualRelationAccess(db, caller, ownDatabase, targetDatabase, () =>
        objectNotFound('data_source', targetId, caller.connectionName),
      )
    drops.push({ targetId, synced })
  }
  for (const { targetId, synced } of drops) {
    const target = await findDataSource(db, targetId)
    if (!target) continue
    const schema = schemaOf(target)
    if (schema[synced]?.type !== 'relation') continue
    delete schema[synced]
    await saveSchema(db, targetId, schema, at)
    await dropValues(db, targetId, [synced])
  }
}

/**
 * Deletes the stored values of `propertyIds` from every row of a data source (part of that data
 * source's schema change: no per-row events).
 */
export async function dropValues(db: Db, dataSourceId: string, propertyIds: string[]): Promise<void> {
  if (propertyIds.length === 0) return
  const rows = await rowValuesOf(db, dataSourceId)
  for (const row of rows) {
    const values = JSON.parse(row.properties ?? '{}') as Record<string, unknown>
    if (!propertyIds.some((id) => id in values)) continue
    for (const id of propertyIds) delete values[id]
    await migrateRowValues(db, row.id, { properties: JSON.stringify(values) }, { reindex: true })
  }
}

/**
 * A caller's relation write replaces only what the caller can see: related pages it cannot read stay
 * in the value (otherwise writing a relation would silently cut links the token never saw). Mutates
 * `values` (the write's relation values) in place.
 */
export async function keepHiddenRelations(
  db: Db,
  caller: ApiCaller,
  schema: Schema,
  current: Record<string, unknown>,
  values: Record<string, unknown>,
): Promise<void> {
  for (const propId of Object.keys(values)) {
    if (schema[propId]?.type !== 'relation') continue
    const before = idsOf(current[propId])
    if (before.length === 0) continue
    const visible = new Set(await visibleRelated(db, caller, before))
    const hidden = before.filter((id) => !visible.has(id))
    if (hidden.length === 0) continue
    const written = idsOf(values[propId])
    values[propId] = [...written, ...hidden.filter((id) => !written.includes(id))].map((id) => ({ id }))
  }
}

/**
 * Keeps names that other properties record in step after a rename in data source `ownerId` (Notion
 * resolves them by id, so they always show current names):
 * - rollups name their relation (`relation_property_name`) and the rolled-up property
 *   (`rollup_property_name`), in this data source or in any data source whose relation points here;
 * - a two-way relation's pair names it (`dual_property.synced_property_name`).
 * `after` is updated in place; other data sources are saved (`data_source.schema_changed` by `at.actor`).
 */
export async function followRenamesElsewhere(
  db: Db,
  ownerId: string,
  workspaceId: string,
  before: Schema,
  after: Schema,
  at: ContentAt,
): Promise<void> {
  const renamed = new Map(
    Object.values(after)
      .filter((p) => before[p.id] && before[p.id]?.name !== p.name)
      .map((p) => [p.id, p.name]),
  )
  if (renamed.size === 0) return
  const fix = (schema: Schema, selfId: string): boolean => {
    let changed = false
    for (const p of Object.values(schema)) {
      const c = p.config as Record<string, unknown>
      if (p.type === 'rollup') {
        const relId = c.relation_property_id as string | undefined
        const rel = relId ? schema[relId] : undefined
        if (selfId === ownerId && relId && renamed.has(relId)) {
          c.relation_property_name = renamed.get(relId)
          changed = true
        }
        const target = rel?.type === 'relation' ? String(rel.config.data_source_id) : undefined
        const rollId = c.rollup_property_id as string | undefined
        if (target === ownerId && rollId && renamed.has(rollId)) {
          c.rollup_property_name = renamed.get(rollId)
          changed = true
        }
      }
      if (p.type === 'relation' && c.type === 'dual_property' && String(c.data_source_id) === ownerId) {
        const dual = c.dual_property as { synced_property_id?: string; synced_property_name?: string }
        if (dual.synced_property_id && renamed.has(dual.synced_property_id)) {
          dual.synced_property_name = renamed.get(dual.synced_property_id) as string
          changed = true
        }
      }
    }
    return changed
  }
  fix(after, ownerId)
  const others = await dataSourcesMentioning(db, workspaceId, ownerId)
  for (const ds of others) {
    const schema = schemaOf(ds)
    if (fix(schema, ds.id)) await saveSchema(db, ds.id, schema, at)
  }
}

/**
 * A row leaving its data source (`POST /v1/pages/{id}/move` to a page or to another data source) takes
 * no two-way links with it: for every `dual_property` relation of its old data source, the row is
 * removed from the synced property of each page it related to (a `page.updated` per page, by the
 * caller's actor at `time`), and the row's own values of those relations are emptied (stored without
 * an event of their own: the move's `page.moved` covers the row). The move itself needs edit access
 * on the row and its new parent; the links belong to both pages, so the other pages are repaired
 * without a check of their own (Notion does not document moves and relations; ADR 28). One-way
 * (`single_property`) relations pointing at the row are left as they are. Does nothing for a row
 * staying in its data source or a page that is not a row.
 */
export async function detachDualRelations(
  db: Db,
  caller: ApiCaller,
  row: BlockRow,
  toDataSourceId: string | null,
  time: string,
): Promise<void> {
  if (row.parent_type !== 'data_source_id' || !row.parent_id || row.parent_id === toDataSourceId) return
  const source = await findDataSource(db, row.parent_id)
  if (!source) return
  const schema = schemaOf(source)
  const own = JSON.parse(row.properties ?? '{}') as Record<string, unknown>
  let changed = false
  for (const prop of Object.values(schema)) {
    if (prop.type !== 'relation' || prop.config.type !== 'dual_property') continue
    const synced = (prop.config.dual_property as { synced_property_id?: string } | undefined)?.synced_property_id
    const ids = idsOf(own[prop.id])
    if (ids.length > 0) {
      own[prop.id] = []
      changed = true
    }
    if (!synced) continue
    // Self-relations: the row's own synced values go too.
    if (String(prop.config.data_source_id) === source.id && idsOf(own[synced]).length > 0) {
      own[synced] = []
      changed = true
    }
    for (const id of ids) {
      if (id === row.id) continue
      const other = await findBlock(db, id)
      if (!other || other.parent_type !== 'data_source_id' || other.parent_id !== String(prop.config.data_source_id)) continue
      const values = JSON.parse(other.properties ?? '{}') as Record<string, unknown>
      if (!idsOf(values[synced]).includes(row.id)) continue
      values[synced] = toggle(idsOf(values[synced]), row.id, false)
      await writeSyncedValues(db, other, values, { actor: changeActorOf(caller), time })
    }
  }
  if (changed) await migrateRowValues(db, row.id, { properties: JSON.stringify(own) }, { reindex: true })
}
