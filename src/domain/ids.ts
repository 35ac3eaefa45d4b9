import { randomUUID } from 'node:crypto'
import * as z from 'zod'
import { validationError } from '../errors/notion-error.js'
import type { InputPart } from './validation.js'

const DASHED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const PLAIN = /^[0-9a-f]{32}$/i

/**
 * Normalises a Notion id: accepts dashed or dash-less, any case ("You may omit dashes from the ID",
 * docs/reference/notion-api.md §0) and returns dashed lower-case, or `undefined` when the text is not a UUID.
 */
export function parseId(text: string): string | undefined {
  if (DASHED.test(text)) return text.toLowerCase()
  if (PLAIN.test(text)) {
    const t = text.toLowerCase()
    return `${t.slice(0, 8)}-${t.slice(8, 12)}-${t.slice(12, 16)}-${t.slice(16, 20)}-${t.slice(20)}`
  }
  return undefined
}

/** A new random UUIDv4, dashed lower-case. */
export function newId(): string {
  return randomUUID()
}

/** The 32-hex form used in Notion URLs. */
export function compactId(id: string): string {
  return id.replace(/-/g, '')
}

/** zod schema for an id in a body or query: dashed or dash-less UUID, normalised to dashed lower-case. */
export const NotionId = z
  .string()
  .refine((s) => parseId(s) !== undefined, { message: 'should be a valid uuid' })
  .transform((s) => parseId(s) as string)

/**
 * Parses a path or query id, or throws "path failed validation: path.page_id should be a valid uuid,
 * instead was `"x"`." (docs/reference/notion-api.md §3.3).
 * @throws NotionApiError validation_error
 */
export function requireId(value: string | undefined, name: string, part: InputPart = 'path'): string {
  if (value === undefined) throw validationError(`${part} failed validation: ${part}.${name} should be defined, instead was \`undefined\`.`)
  const id = parseId(value)
  if (!id)
    throw validationError(`${part} failed validation: ${part}.${name} should be a valid uuid, instead was \`${JSON.stringify(value)}\`.`)
  return id
}
