import * as z from 'zod'
import { validationError } from '../errors/notion-error.js'
import { NotionId } from './ids.js'
import { parseWith } from './validation.js'
import { newId } from './ids.js'
import { parseRichText } from './rich-text.js'
import { findProperty, type PropertyConfig, type Schema } from './properties.js'

/**
 * Turns page property values from a request (create/update page) into stored values, checked
 * against the data source's schema (docs/reference/notion-api.md §2.5, SDK `CreatePageBodyParameters.properties`).
 * Keys may be property names or ids; the key `title` also names the title property. Unknown keys →
 * "<key> is not a property that exists."; read-only types (formula, rollup, created_*,
 * last_edited_*, unique_id, button) are refused; shapes are checked with Notion's
 * "body failed validation: body.properties.<key>…" grammar. Limits (docs/reference/notion-api.md §6): rich text 100
 * items of ≤ 2000 characters, url ≤ 2000, email and phone ≤ 200, multi-select/relation/people ≤ 100.
 *
 * Returns the patch of stored values (keyed by property id) and whether the schema changed (writing
 * an unknown select/multi-select option creates it, as in Notion; status does not: "Invalid status
 * option. Status option "x" does not exist"). With `create`, the row is new: each `unique_id`
 * property hands out its next number (the schema's counter moves, so `schemaChanged` is true).
 * @throws NotionApiError validation_error
 */
export function writePropertyValues(
  schema: Schema,
  input: Record<string, unknown>,
  opts: { create?: boolean; actor?: string; workspaceName?: string } = {},
): { values: Record<string, unknown>; schemaChanged: boolean; keys: Record<string, string> } {
  const values: Record<string, unknown> = {}
  const keys: Record<string, string> = {}
  let schemaChanged = false
  for (const [key, raw] of Object.entries(input)) {
    const prop = findProperty(schema, key) ?? (key === 'title' ? Object.values(schema).find((p) => p.type === 'title') : undefined)
    if (!prop) throw validationError(`${key} is not a property that exists.`)
    const { value, added } = writeOne(prop, key, raw, opts)
    values[prop.id] = value
    keys[prop.id] = key
    schemaChanged ||= added
  }
  if (opts.create) {
    for (const prop of Object.values(schema)) {
      if (prop.type !== 'unique_id') continue
      prop.seq = (prop.seq ?? 0) + 1
      values[prop.id] = prop.seq
      schemaChanged = true
    }
  }
  return { values, schemaChanged, keys }
}

const fail = (key: string, what: string, raw: unknown): never => {
  throw validationError(`body failed validation: body.properties.${key}.${what}, instead was \`${JSON.stringify(raw) ?? 'undefined'}\`.`)
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/

/** A date value `{start, end?, time_zone?}` (docs/reference/notion-api.md §2.5). */
const DateRequest = z
  .object({
    start: z.string().refine((s) => ISO_DATE.test(s) && !Number.isNaN(Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s)), {
      message: 'should be a valid ISO 8601 date string',
    }),
    end: z
      .string()
      .refine((s) => ISO_DATE.test(s), { message: 'should be a valid ISO 8601 date string' })
      .nullable()
      .optional(),
    time_zone: z.string().refine(isTimeZone, { message: 'should be a valid IANA time zone' }).nullable().optional(),
  })
  .strict()
  .nullable()

/** Whether `tz` names an IANA time zone (e.g. `Europe/Paris`), as Notion's `time_zone` requires. */
function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

const OptionRequest = z.union([
  z
    .object({ id: z.string(), name: z.string().optional(), color: z.string().optional(), description: z.string().nullable().optional() })
    .strict(),
  z
    .object({
      name: z.string().min(1).max(100),
      id: z.string().optional(),
      color: z.string().optional(),
      description: z.string().nullable().optional(),
    })
    .strict(),
])

const PeopleRequest = z
  .array(
    z.union([
      z.object({ id: NotionId, object: z.literal('user').optional() }).loose(),
      z.object({ id: NotionId, object: z.literal('group'), name: z.string().nullable().optional() }).loose(),
    ]),
  )
  .max(100)

const RelationRequest = z.array(z.object({ id: NotionId }).strict()).max(100)

const FileRequest = z.union([
  z
    .object({
      name: z.string().max(900),
      type: z.literal('external').optional(),
      external: z.object({ url: z.string().max(2000) }).strict(),
    })
    .strict(),
  z
    .object({
      name: z.string().max(900),
      type: z.literal('file').optional(),
      file: z.object({ url: z.string().max(2000), expiry_time: z.string().optional() }).strict(),
    })
    .strict(),
  // SDK `FileUploadWithOptionalNameRequest`: an upload by id, its name optional (the file's by default).
  z
    .object({
      name: z.string().max(900).optional(),
      type: z.literal('file_upload').optional(),
      file_upload: z.object({ id: NotionId }).strict(),
    })
    .strict(),
])

const STRING_LIMITS: Record<string, number> = { url: 2000, email: 200, phone_number: 200 }

const PlaceRequest = z
  .object({
    lat: z.number().min(-90).max(90),
    lon: z.number().min(-180).max(180),
    name: z.string().max(2000).nullable().optional(),
    address: z.string().max(2000).nullable().optional(),
    aws_place_id: z.string().max(2000).nullable().optional(),
    google_place_id: z.string().max(2000).nullable().optional(),
  })
  .strict()
  .nullable()

// Built once: a zod schema costs more to construct than to run (issue 19, creating a row).
const OptionListRequest = z.array(OptionRequest).max(100)
const FileListRequest = z.array(FileRequest).max(100)

const VerificationRequest = z.union([
  z.object({ state: z.literal('verified'), date: DateRequest.optional() }).strict(),
  z.object({ state: z.literal('unverified') }).strict(),
])

function writeOne(
  prop: PropertyConfig,
  key: string,
  raw: unknown,
  opts: { actor?: string; workspaceName?: string } = {},
): { value: unknown; added: boolean } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(key, 'should be an object', raw)
  const obj = raw as Record<string, unknown>
  const t = prop.type
  if (typeof obj.type === 'string' && obj.type !== t) fail(key, `type should be \`"${t}"\``, obj.type)
  for (const k of Object.keys(obj)) {
    if (k !== 'type' && k !== t && k !== 'id' && !(t === 'relation' && k === 'has_more')) {
      if (READ_ONLY.has(t)) break
      throw validationError(
        `body failed validation: body.properties.${key}.${k} should be not present, instead was \`${JSON.stringify(obj[k])}\`.`,
      )
    }
  }
  const v = obj[t]
  const at = ['properties', key, t]
  switch (t) {
    case 'title':
    case 'rich_text': {
      if (v === undefined) fail(key, `${t} should be defined`, v)
      return { value: parseRichText(v, at), added: false }
    }
    case 'number':
      if (v === undefined) fail(key, 'number should be defined', v)
      if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) fail(key, 'number should be a number or `null`', v)
      return { value: v, added: false }
    case 'checkbox':
      if (typeof v !== 'boolean') fail(key, 'checkbox should be a boolean', v)
      return { value: v, added: false }
    case 'url':
    case 'email':
    case 'phone_number': {
      if (v === undefined) fail(key, `${t} should be defined`, v)
      if (v !== null && typeof v !== 'string') fail(key, `${t} should be a string or \`null\``, v)
      const max = STRING_LIMITS[t] as number
      if (typeof v === 'string' && v.length > max) {
        throw validationError(
          `body failed validation: body.properties.${key}.${t}.length should be ≤ \`${max}\`, instead was \`${v.length}\`.`,
        )
      }
      return { value: v === '' ? null : v, added: false }
    }
    case 'date': {
      if (v === undefined) fail(key, 'date should be defined', v)
      const d = parseWith(DateRequest, v, 'body', at)
      if (d === null) return { value: null, added: false }
      return { value: { start: d.start, end: d.end ?? null, time_zone: d.time_zone ?? null }, added: false }
    }
    case 'select':
    case 'status': {
      if (v === undefined) fail(key, `${t} should be defined`, v)
      if (v === null) return { value: null, added: false }
      return pickOption(prop, key, parseWith(OptionRequest, v, 'body', at), t === 'select')
    }
    case 'multi_select': {
      const list = parseWith(OptionListRequest, v, 'body', at)
      let added = false
      const out: unknown[] = []
      for (const o of list) {
        const r = pickOption(prop, key, o, true)
        added ||= r.added
        if (!out.some((x) => (x as { id: string }).id === (r.value as { id: string }).id)) out.push(r.value)
      }
      return { value: out, added }
    }
    case 'people':
      return {
        value: parseWith(PeopleRequest, v, 'body', at).map((p) =>
          p.object === 'group'
            ? { object: 'group', id: p.id, name: (p as { name?: string | null }).name ?? null }
            : { object: 'user', id: p.id },
        ),
        added: false,
      }
    case 'relation': {
      const ids = parseWith(RelationRequest, v, 'body', at).map((r) => r.id)
      return { value: [...new Set(ids)].map((id) => ({ id })), added: false }
    }
    case 'files': {
      const files = parseWith(FileListRequest, v, 'body', at)
      return {
        // An upload stays a `file_upload` reference (name possibly null); the service attaches it.
        value: files.map((f) =>
          'file_upload' in f
            ? { name: f.name ?? null, type: 'file_upload', file_upload: { id: f.file_upload.id } }
            : 'external' in f
              ? { name: f.name, type: 'external', external: { url: f.external.url } }
              : { name: f.name, type: 'file', file: { url: f.file.url, expiry_time: f.file.expiry_time ?? null } },
        ),
        added: false,
      }
    }
    case 'place': {
      if (v === undefined) fail(key, 'place should be defined', v)
      const place = parseWith(PlaceRequest, v, 'body', at)
      if (place === null) return { value: null, added: false }
      return {
        value: {
          lat: place.lat,
          lon: place.lon,
          name: place.name ?? null,
          address: place.address ?? null,
          aws_place_id: place.aws_place_id ?? null,
          google_place_id: place.google_place_id ?? null,
        },
        added: false,
      }
    }
    case 'verification': {
      const ver = parseWith(VerificationRequest, v, 'body', at)
      if (ver.state === 'unverified') return { value: { state: 'unverified', date: null, verified_by: null }, added: false }
      const d = ver.date ?? null
      return {
        value: {
          state: 'verified',
          date: d ? { start: d.start, end: d.end ?? null, time_zone: d.time_zone ?? null } : null,
          verified_by: opts.actor ? { object: 'user', id: opts.actor } : null,
          workspace_name: opts.workspaceName ?? null,
        },
        added: false,
      }
    }
    default:
      throw validationError(`body failed validation: body.properties.${key} is a ${t} property, which cannot be written.`)
  }
}

const READ_ONLY = new Set(['formula', 'rollup', 'created_time', 'created_by', 'last_edited_time', 'last_edited_by', 'unique_id', 'button'])

const SELECT_COLORS = new Set(['default', 'gray', 'brown', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'red'])

/** Finds or (for select/multi-select) creates an option by id or name. */
function pickOption(
  prop: PropertyConfig,
  key: string,
  o: { id?: string | undefined; name?: string | undefined; color?: string | undefined },
  mayCreate: boolean,
) {
  const options = ((prop.config.options as { id: string; name: string; color: string; description?: string | null }[] | undefined) ??= [])
  const found = options.find(
    (x) => (o.id !== undefined && x.id === o.id) || (o.id === undefined && o.name !== undefined && x.name === o.name),
  )
  if (found) return { value: { id: found.id, name: found.name, color: found.color }, added: false }
  if (!mayCreate || o.name === undefined) {
    throw validationError(
      `Invalid ${prop.type} option. ${prop.type === 'status' ? 'Status' : 'Select'} option ${JSON.stringify(o.name ?? o.id)} does not exist`,
    )
  }
  if (o.name.includes(','))
    throw validationError(
      `body failed validation: body.properties.${key}.${prop.type}.name should not contain commas, instead was \`${JSON.stringify(o.name)}\`.`,
    )
  if (o.color !== undefined && !SELECT_COLORS.has(o.color)) {
    throw validationError(
      `body failed validation: body.properties.${key}.${prop.type}.color should be one of ${[...SELECT_COLORS].map((c) => `\`"${c}"\``).join(', ')}, instead was \`${JSON.stringify(o.color)}\`.`,
    )
  }
  const created = { id: newOptionId(), name: o.name, color: o.color ?? 'default', description: null }
  options.push(created)
  return { value: { id: created.id, name: created.name, color: created.color }, added: true }
}

/** A new select/status option id (short, like Notion's). */
export function newOptionId(): string {
  return newId().slice(0, 8)
}
