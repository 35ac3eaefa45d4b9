import { randomInt } from 'node:crypto'
import * as z from 'zod'
import { validationError } from '../errors/notion-error.js'
import { NotionId } from './ids.js'
import { parseWith } from './validation.js'
import { findProperty, type PropertyConfig, type Schema } from './properties.js'
import { newOptionId } from './property-values.js'

/**
 * Data-source schema requests → stored `PropertyConfig`s (docs/reference/notion-api.md §2.8; SDK
 * `PropertyConfigurationRequest` for create, `UpdateDataSourceBodyParameters.properties` for update).
 *
 * - Property ids are short URL-safe strings (4 characters of [A-Za-z0-9]); the title property's id
 *   is `title`.
 * - select / multi_select / status options get ids and colors (`default` when none is given);
 *   a status property without options gets Notion's defaults: options Not started / In progress /
 *   Done in groups To-do / In progress / Complete.
 * - number gets `{format}` (`number` by default); unique_id `{prefix}`; formula `{expression}`.
 * - relation and rollup configs need other data sources: they are returned as `pending` for the
 *   service to resolve (existence, access, ids and names).
 * Messages follow Notion's validation grammar with the full request path.
 */

export const PROPERTY_TYPES = [
  'title',
  'rich_text',
  'number',
  'select',
  'multi_select',
  'status',
  'date',
  'people',
  'files',
  'checkbox',
  'url',
  'email',
  'phone_number',
  'formula',
  'relation',
  'rollup',
  'created_time',
  'created_by',
  'last_edited_time',
  'last_edited_by',
  'unique_id',
  'button',
  'place',
  'location',
  'verification',
  'last_visited_time',
] as const

const SELECT_COLORS = ['default', 'gray', 'brown', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'red'] as const
const SelectColor = z.enum(SELECT_COLORS)

export const ROLLUP_FUNCTIONS = [
  'count',
  'count_values',
  'empty',
  'not_empty',
  'unique',
  'show_unique',
  'percent_empty',
  'percent_not_empty',
  'sum',
  'average',
  'median',
  'min',
  'max',
  'range',
  'earliest_date',
  'latest_date',
  'date_range',
  'checked',
  'unchecked',
  'percent_checked',
  'percent_unchecked',
  'count_per_group',
  'percent_per_group',
  'show_original',
] as const

const Empty = z.object({}).strict()
const NewOption = z
  .object({ name: z.string().min(1).max(100), color: SelectColor.optional(), description: z.string().nullable().optional() })
  .strict()
const UpdateOption = z.union([
  z
    .object({
      name: z.string().min(1).max(100),
      id: z.string().optional(),
      color: SelectColor.optional(),
      description: z.string().nullable().optional(),
    })
    .strict(),
  z
    .object({
      id: z.string(),
      name: z.string().min(1).max(100).optional(),
      color: SelectColor.optional(),
      description: z.string().nullable().optional(),
    })
    .strict(),
])

function configSchema(type: string, update: boolean, legacy: boolean): z.ZodType {
  const Option = update ? UpdateOption : NewOption
  switch (type) {
    case 'number':
      return z.object({ format: z.string().min(1).optional() }).strict()
    case 'select':
    case 'multi_select':
    case 'status':
      return z.object({ options: z.array(Option).max(100).optional() }).strict()
    case 'formula':
      return z.object({ expression: z.string().optional() }).strict()
    case 'unique_id':
      return z.object({ prefix: z.string().max(20).nullable().optional() }).strict()
    case 'relation': {
      const target = legacy ? { data_source_id: NotionId.optional(), database_id: NotionId.optional() } : { data_source_id: NotionId }
      return z.union([
        z.object({ ...target, type: z.literal('single_property').optional(), single_property: Empty }).strict(),
        z
          .object({
            ...target,
            type: z.literal('dual_property').optional(),
            dual_property: z.object({ synced_property_id: z.string().optional(), synced_property_name: z.string().optional() }).strict(),
          })
          .strict(),
      ])
    }
    case 'rollup':
      return z
        .object({
          function: z.enum(ROLLUP_FUNCTIONS),
          relation_property_name: z.string().optional(),
          relation_property_id: z.string().optional(),
          rollup_property_name: z.string().optional(),
          rollup_property_id: z.string().optional(),
        })
        .strict()
    default:
      return Empty
  }
}

/** A relation or rollup whose config the service completes against other data sources. */
export type PendingConfig =
  | {
      kind: 'relation'
      propertyId: string
      dataSourceId?: string
      databaseId?: string
      dual: { synced_property_id?: string; synced_property_name?: string } | null
    }
  | { kind: 'rollup'; propertyId: string }

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/**
 * A new property id, unique in `schema`: 4 URL-safe characters, never all digits. A schema is an
 * object keyed by property id, and JavaScript puts integer-like keys ("1234") before every other key,
 * whatever their insertion order: such an id would move its property to the front of the schema
 * Notion answers in creation order.
 */
export function newPropertyId(schema: Schema): string {
  for (;;) {
    let id = ''
    for (let i = 0; i < 4; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)]
    if (!(id in schema) && id !== 'title' && !/^\d+$/.test(id)) return id
  }
}

function pathText(at: PropertyKey[]): string {
  return `body${at.map((s) => (typeof s === 'number' ? `[${s}]` : `.${String(s)}`)).join('')}`
}

const render = (v: unknown) => `\`${JSON.stringify(v) ?? 'undefined'}\``

/** Default status options and groups (Notion's new-status defaults). */
export function defaultStatusConfig(): Record<string, unknown> {
  const notStarted = { id: newOptionId(), name: 'Not started', color: 'default', description: null }
  const inProgress = { id: newOptionId(), name: 'In progress', color: 'blue', description: null }
  const done = { id: newOptionId(), name: 'Done', color: 'green', description: null }
  return {
    options: [notStarted, inProgress, done],
    groups: [
      { id: newOptionId(), name: 'To-do', color: 'gray', option_ids: [notStarted.id] },
      { id: newOptionId(), name: 'In progress', color: 'blue', option_ids: [inProgress.id] },
      { id: newOptionId(), name: 'Complete', color: 'green', option_ids: [done.id] },
    ],
  }
}

type OptionIn = { id?: string | undefined; name?: string | undefined; color?: string | undefined; description?: string | null | undefined }
type Option = { id: string; name: string; color: string; description: string | null }

/** Options from a request, keeping the ids of existing options matched by id or name. */
function buildOptions(requested: OptionIn[], existing: Option[], at: PropertyKey[]): Option[] {
  const out: Option[] = []
  requested.forEach((o, i) => {
    const match = existing.find((x) => (o.id !== undefined && x.id === o.id) || (o.id === undefined && x.name === o.name))
    if (o.id !== undefined && !match && o.name === undefined) {
      throw validationError(`${pathText([...at, 'options', i, 'id'])} does not match an existing option, instead was ${render(o.id)}.`)
    }
    const name = o.name ?? (match as Option).name
    if (name.includes(','))
      throw validationError(
        `body failed validation: ${pathText([...at, 'options', i, 'name'])} should not contain commas, instead was ${render(name)}.`,
      )
    if (out.some((x) => x.name === name))
      throw validationError(
        `body failed validation: ${pathText([...at, 'options', i, 'name'])} should be unique, instead was ${render(name)}.`,
      )
    out.push({
      id: match?.id ?? newOptionId(),
      name,
      color: o.color ?? match?.color ?? 'default',
      description: o.description !== undefined ? o.description : (match?.description ?? null),
    })
  })
  return out
}

/** The type named by a config request: its `type`, or the single property-type key it carries. */
function typeOfRequest(raw: Record<string, unknown>, at: PropertyKey[], update: boolean): string {
  const allowed = new Set<string>(['type', 'description', ...(update ? ['name'] : []), ...PROPERTY_TYPES])
  for (const k of Object.keys(raw)) {
    if (!allowed.has(k))
      throw validationError(`body failed validation: ${pathText([...at, k])} should be not present, instead was ${render(raw[k])}.`)
  }
  const keys = Object.keys(raw).filter((k) => (PROPERTY_TYPES as readonly string[]).includes(k))
  if (raw.type !== undefined) {
    if (typeof raw.type !== 'string' || !(PROPERTY_TYPES as readonly string[]).includes(raw.type)) {
      throw validationError(
        `body failed validation: ${pathText([...at, 'type'])} should be one of ${PROPERTY_TYPES.map((t) => `\`"${t}"\``).join(', ')}, instead was ${render(raw.type)}.`,
      )
    }
    if (!(raw.type in raw))
      throw validationError(`body failed validation: ${pathText([...at, raw.type])} should be defined, instead was \`undefined\`.`)
    const other = keys.find((k) => k !== raw.type)
    if (other)
      throw validationError(`body failed validation: ${pathText([...at, other])} should be not present, instead was ${render(raw[other])}.`)
    return raw.type
  }
  if (keys.length === 0)
    throw validationError(
      `body failed validation: ${pathText(at)} should define a property type (e.g. \`"rich_text": {}\`), instead was ${render(raw)}.`,
    )
  if (keys.length > 1)
    throw validationError(
      `body failed validation: ${pathText([...at, keys[1] as string])} should be not present, instead was ${render(raw[keys[1] as string])}.`,
    )
  return keys[0] as string
}

/**
 * Builds one property config from a request. `existing` (update) keeps the id and, for option
 * types, the ids of options named again.
 */
function buildConfig(
  raw: Record<string, unknown>,
  type: string,
  at: PropertyKey[],
  opts: { update: boolean; legacy: boolean; existing?: PropertyConfig },
): { config: Record<string, unknown>; pending: Omit<Extract<PendingConfig, { kind: 'relation' }>, 'propertyId'> | 'rollup' | null } {
  const given = raw[type]
  if (type === 'relation' && !opts.legacy && typeof given === 'object' && given !== null && 'database_id' in given) {
    // 2025-09-03+: relations name a data source only (docs/reference/notion-api.md §1.5).
    throw validationError(
      `body failed validation: ${pathText([...at, type, 'database_id'])} should be not present, instead was ${render((given as Record<string, unknown>).database_id)}.`,
    )
  }
  const c = parseWith(configSchema(type, opts.update, opts.legacy), given, 'body', [...at, type]) as Record<string, unknown>
  const same = opts.existing?.type === type ? opts.existing : undefined
  switch (type) {
    case 'number':
      return {
        config: { format: (c.format as string | undefined) ?? (same?.config.format as string | undefined) ?? 'number' },
        pending: null,
      }
    case 'select':
    case 'multi_select': {
      const existing = (same?.config.options as Option[] | undefined) ?? []
      const options = c.options ? buildOptions(c.options as OptionIn[], existing, [...at, type]) : existing
      return { config: { options }, pending: null }
    }
    case 'status': {
      if (!c.options) return { config: same ? same.config : defaultStatusConfig(), pending: null }
      const existing = (same?.config.options as Option[] | undefined) ?? []
      const options = buildOptions(c.options as OptionIn[], existing, [...at, type])
      const base =
        (same?.config.groups as { id: string; name: string; color: string; option_ids: string[] }[] | undefined) ??
        (defaultStatusConfig().groups as { id: string; name: string; color: string; option_ids: string[] }[])
      const groups = base.map((g) => ({ ...g, option_ids: g.option_ids.filter((id) => options.some((o) => o.id === id)) }))
      const grouped = new Set(groups.flatMap((g) => g.option_ids))
      for (const o of options) if (!grouped.has(o.id)) (groups[0] as { option_ids: string[] }).option_ids.push(o.id)
      return { config: { options, groups }, pending: null }
    }
    case 'formula':
      return {
        config: { expression: (c.expression as string | undefined) ?? (same?.config.expression as string | undefined) ?? '' },
        pending: null,
      }
    case 'unique_id':
      return {
        config: { prefix: c.prefix !== undefined ? c.prefix : ((same?.config.prefix as string | null | undefined) ?? null) },
        pending: null,
      }
    case 'relation': {
      if (!c.data_source_id && !c.database_id) {
        throw validationError(
          `body failed validation: ${pathText([...at, 'relation', 'data_source_id'])} should be defined, instead was \`undefined\`.`,
        )
      }
      const dual = 'dual_property' in c ? (c.dual_property as { synced_property_id?: string; synced_property_name?: string }) : null
      return {
        config: {},
        pending: {
          kind: 'relation',
          ...(c.data_source_id ? { dataSourceId: c.data_source_id as string } : {}),
          ...(c.database_id ? { databaseId: c.database_id as string } : {}),
          dual,
        },
      }
    }
    case 'rollup': {
      if (c.relation_property_name === undefined && c.relation_property_id === undefined) {
        throw validationError(
          `body failed validation: ${pathText([...at, 'rollup', 'relation_property_name'])} should be defined, instead was \`undefined\`.`,
        )
      }
      if (c.rollup_property_name === undefined && c.rollup_property_id === undefined) {
        throw validationError(
          `body failed validation: ${pathText([...at, 'rollup', 'rollup_property_name'])} should be defined, instead was \`undefined\`.`,
        )
      }
      return { config: c, pending: 'rollup' }
    }
    default:
      return { config: {}, pending: null }
  }
}

function parseDescription(raw: Record<string, unknown>, at: PropertyKey[]): string | null | undefined {
  return parseWith(z.string().max(280).nullable().optional(), raw.description, 'body', [...at, 'description'])
}

function requireObject(raw: unknown, at: PropertyKey[], update: boolean): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw validationError(
      `body failed validation: ${pathText(at)} should be an object${update ? ' or `null`' : ''}, instead was ${render(raw)}.`,
    )
  }
  return raw as Record<string, unknown>
}

function checkName(name: string, at: PropertyKey[]): void {
  if (name.trim() === '')
    throw validationError(`body failed validation: ${pathText(at)} should be a non-empty property name, instead was ${render(name)}.`)
  if (name.length > 100)
    throw validationError(`body failed validation: ${pathText(at)}.length should be ≤ \`100\`, instead was \`${name.length}\`.`)
}

/**
 * A new data source's schema from `properties` (keys are property names). A schema needs exactly
 * one title property; when the request names none, a title property `Name` is added (as when a
 * database is created without `initial_data_source`).
 * @throws NotionApiError validation_error
 */
export function parseNewSchema(input: unknown, at: PropertyKey[], opts: { legacy: boolean }): { schema: Schema; pending: PendingConfig[] } {
  const schema: Schema = {}
  const pending: PendingConfig[] = []
  if (input === undefined)
    return { schema: { title: { id: 'title', name: 'Name', type: 'title', description: null, config: {} } }, pending }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw validationError(`body failed validation: ${pathText(at)} should be an object, instead was ${render(input)}.`)
  const entries = Object.entries(input as Record<string, unknown>)
  if (entries.length > 100)
    throw validationError(`body failed validation: ${pathText(at)} should have at most 100 properties, instead had \`${entries.length}\`.`)
  for (const [name, raw] of entries) {
    const pat = [...at, name]
    checkName(name, pat)
    const obj = requireObject(raw, pat, false)
    const type = typeOfRequest(obj, pat, false)
    const description = parseDescription(obj, pat)
    if (type === 'title' && Object.values(schema).some((p) => p.type === 'title')) {
      throw validationError(`body failed validation: ${pathText(pat)}: a data source can have only one title property.`)
    }
    const id = type === 'title' ? 'title' : newPropertyId(schema)
    const { config, pending: p } = buildConfig(obj, type, pat, { update: false, legacy: opts.legacy })
    schema[id] = { id, name, type, description: description ?? null, config }
    if (p === 'rollup') pending.push({ kind: 'rollup', propertyId: id })
    else if (p) pending.push({ ...p, propertyId: id })
  }
  if (!Object.values(schema).some((p) => p.type === 'title')) {
    const name = 'Name' in (input as object) ? 'Title' : 'Name'
    schema.title = { id: 'title', name, type: 'title', description: null, config: {} }
  }
  return { schema, pending }
}

/**
 * Applies a schema update (`PATCH /v1/data_sources/{id}`, or `PATCH /v1/databases/{id}` under
 * 2022-06-28) to a copy of `schema`. Keys are property names or ids; `null` removes the property;
 * `{name}` renames; a config adds a property (named by the key, or `name`) or changes an existing
 * one's type/config (its id stays). The title property can be renamed but not removed or retyped.
 * Returns the new schema, pending relation/rollup configs, and the ids of added `unique_id`
 * properties (the service numbers existing rows).
 * @throws NotionApiError validation_error
 */
export function applySchemaUpdate(
  current: Schema,
  input: Record<string, unknown>,
  at: PropertyKey[],
  opts: { legacy: boolean },
): { schema: Schema; pending: PendingConfig[]; newUniqueIds: string[] } {
  const schema: Schema = structuredClone(current)
  const pending: PendingConfig[] = []
  const newUniqueIds: string[] = []
  for (const [key, raw] of Object.entries(input)) {
    const pat = [...at, key]
    const existing = findProperty(schema, key)
    if (raw === null) {
      if (!existing) throw validationError(`Could not find property with name or id: ${key}.`)
      if (existing.type === 'title')
        throw validationError(`body failed validation: ${pathText(pat)}: the title property cannot be removed.`)
      delete schema[existing.id]
      continue
    }
    const obj = requireObject(raw, pat, true)
    const name = obj.name === undefined ? undefined : parseWith(z.string(), obj.name, 'body', [...pat, 'name'])
    if (name !== undefined) checkName(name, [...pat, 'name'])
    const keys = Object.keys(obj).filter((k) => k !== 'name' && k !== 'description')
    const description = parseDescription(obj, pat)
    const finalName = name ?? existing?.name ?? key
    const clash = Object.values(schema).find((p) => p.name === finalName && p.id !== existing?.id)
    if (clash)
      throw validationError(
        `body failed validation: ${pathText(name !== undefined ? [...pat, 'name'] : pat)}: a property named ${JSON.stringify(finalName)} already exists.`,
      )
    if (keys.length === 0) {
      // Rename and/or describe.
      if (!existing) throw validationError(`Could not find property with name or id: ${key}.`)
      existing.name = finalName
      if (description !== undefined) existing.description = description
      continue
    }
    const type = typeOfRequest(obj, pat, true)
    if (type === 'title' && existing?.type !== 'title' && Object.values(schema).some((p) => p.type === 'title')) {
      throw validationError(`body failed validation: ${pathText(pat)}: a data source can have only one title property.`)
    }
    if (existing?.type === 'title' && type !== 'title') {
      throw validationError(`body failed validation: ${pathText(pat)}: the title property cannot change type.`)
    }
    const id = existing?.id ?? newPropertyId(schema)
    const { config, pending: p } = buildConfig(obj, type, pat, { update: true, legacy: opts.legacy, ...(existing ? { existing } : {}) })
    const next: PropertyConfig = {
      id,
      name: finalName,
      type,
      description: description !== undefined ? description : (existing?.description ?? null),
      config,
    }
    if (type === 'unique_id' && existing?.type === 'unique_id' && existing.seq !== undefined) next.seq = existing.seq
    if (type === 'unique_id' && existing?.type !== 'unique_id') newUniqueIds.push(id)
    schema[id] = next
    if (p === 'rollup') pending.push({ kind: 'rollup', propertyId: id })
    else if (p) pending.push({ ...p, propertyId: id })
  }
  return { schema, pending, newUniqueIds }
}
