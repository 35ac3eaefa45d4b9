import { validationError } from '../errors/notion-error.js'
import { newId } from './ids.js'
import { normalizeRichText, type RichTextItemRequest } from './rich-text.js'
import type { PropertyConfig, Schema } from './properties.js'

/**
 * Turns page property values from a request (create/update page) into stored values, checked
 * against the data source's schema. Keys may be property names or ids (digest §2.5). Unknown keys →
 * "<key> is not a property that exists."; read-only types are refused.
 *
 * Returns the patch of stored values and any select/multi-select options to add to the schema
 * (writing an unknown select option creates it, as in Notion; status does not).
 * @throws NotionApiError validation_error
 */
export function writePropertyValues(
  schema: Schema,
  input: Record<string, unknown>,
): { values: Record<string, unknown>; schemaChanged: boolean } {
  const byName = new Map(Object.values(schema).map((p) => [p.name, p]))
  const values: Record<string, unknown> = {}
  let schemaChanged = false
  for (const [key, raw] of Object.entries(input)) {
    const prop = byName.get(key) ?? schema[key] ?? (key === 'title' ? Object.values(schema).find((p) => p.type === 'title') : undefined)
    if (!prop) throw validationError(`${key} is not a property that exists.`)
    const { value, added } = writeOne(prop, key, raw)
    values[prop.id] = value
    schemaChanged ||= added
  }
  return { values, schemaChanged }
}

const fail = (key: string, what: string, raw: unknown): never => {
  throw validationError(`body failed validation: body.properties.${key}.${what}, instead was \`${JSON.stringify(raw)}\`.`)
}

function writeOne(prop: PropertyConfig, key: string, raw: unknown): { value: unknown; added: boolean } {
  const obj = (raw ?? {}) as Record<string, unknown>
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(key, 'should be an object', raw)
  const t = prop.type
  if (typeof obj.type === 'string' && obj.type !== t) fail(key, `type should be \`"${t}"\``, obj.type)
  const v = obj[t]
  switch (t) {
    case 'title':
    case 'rich_text': {
      if (!Array.isArray(v)) fail(key, `${t} should be an array`, v)
      for (const [i, item] of (v as { text?: { content?: string } }[]).entries()) {
        const len = item?.text?.content?.length ?? 0
        if (len > 2000) throw validationError(`body failed validation: body.properties.${key}.${t}[${i}].text.content.length should be ≤ \`2000\`, instead was \`${len}\`.`)
      }
      if ((v as unknown[]).length > 100) throw validationError(`body failed validation: body.properties.${key}.${t}.length should be ≤ \`100\`, instead was \`${(v as unknown[]).length}\`.`)
      return { value: normalizeRichText(v as RichTextItemRequest[]), added: false }
    }
    case 'number':
      if (v !== null && typeof v !== 'number') fail(key, 'number should be a number or `null`', v)
      return { value: v, added: false }
    case 'checkbox':
      if (typeof v !== 'boolean') fail(key, 'checkbox should be a boolean', v)
      return { value: v, added: false }
    case 'url':
    case 'email':
    case 'phone_number':
      if (v !== null && typeof v !== 'string') fail(key, `${t} should be a string or \`null\``, v)
      return { value: v === '' ? null : v, added: false }
    case 'date': {
      if (v === null) return { value: null, added: false }
      const d = v as { start?: unknown; end?: unknown; time_zone?: unknown }
      if (typeof d !== 'object' || typeof d.start !== 'string') fail(key, 'date.start should be a string', d?.start)
      return { value: { start: d.start, end: d.end ?? null, time_zone: d.time_zone ?? null }, added: false }
    }
    case 'select':
    case 'status': {
      if (v === null) return { value: null, added: false }
      return pickOption(prop, key, v as { id?: string; name?: string; color?: string }, t === 'select')
    }
    case 'multi_select': {
      if (!Array.isArray(v)) fail(key, 'multi_select should be an array', v)
      let added = false
      const out = (v as { id?: string; name?: string; color?: string }[]).map((o) => {
        const r = pickOption(prop, key, o, true)
        added ||= r.added
        return r.value
      })
      return { value: out, added }
    }
    case 'people':
      if (!Array.isArray(v)) fail(key, 'people should be an array', v)
      return { value: (v as { id: string }[]).map((p) => ({ object: 'user', id: p.id })), added: false }
    case 'relation':
      if (!Array.isArray(v)) fail(key, 'relation should be an array', v)
      return { value: (v as { id: string }[]).map((p) => ({ id: p.id })), added: false }
    case 'files':
      if (!Array.isArray(v)) fail(key, 'files should be an array', v)
      return { value: v, added: false }
    default:
      throw validationError(`body failed validation: body.properties.${key} is a ${t} property, which cannot be written.`)
  }
}

/** Finds or (for select/multi-select) creates an option by id or name. */
function pickOption(prop: PropertyConfig, key: string, o: { id?: string; name?: string; color?: string }, mayCreate: boolean) {
  const options = ((prop.config.options as { id: string; name: string; color: string; description?: string | null }[] | undefined) ??= [])
  const found = options.find((x) => (o.id !== undefined && x.id === o.id) || (o.name !== undefined && x.name === o.name))
  if (found) return { value: { id: found.id, name: found.name, color: found.color }, added: false }
  if (!mayCreate || o.name === undefined) {
    throw validationError(`Invalid ${prop.type} option. ${prop.type === 'status' ? 'Status' : 'Select'} option ${JSON.stringify(o.name ?? o.id)} does not exist`)
  }
  if (o.name.includes(',')) throw validationError(`body failed validation: body.properties.${key}.${prop.type}.name should not contain commas, instead was \`${JSON.stringify(o.name)}\`.`)
  const created = { id: newId().slice(0, 8), name: o.name, color: o.color ?? 'default', description: null }
  options.push(created)
  return { value: { id: created.id, name: created.name, color: created.color }, added: true }
}
