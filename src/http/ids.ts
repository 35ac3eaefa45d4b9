import * as z from 'zod'
import { parseId } from '../domain/ids.js'
import { validationError } from '../errors/notion-error.js'
import type { InputPart } from './validation.js'

/** zod schema for an id in a body or query: dashed or dash-less UUID, normalised to dashed lower-case. */
export const NotionId = z
  .string()
  .refine((s) => parseId(s) !== undefined, { message: 'should be a valid uuid' })
  .transform((s) => parseId(s) as string)

/**
 * Parses a path or query id, or throws "path failed validation: path.page_id should be a valid uuid,
 * instead was `"x"`." (digest §3.3).
 * @throws NotionApiError validation_error
 */
export function requireId(value: string | undefined, name: string, part: InputPart = 'path'): string {
  if (value === undefined) throw validationError(`${part} failed validation: ${part}.${name} should be defined, instead was \`undefined\`.`)
  const id = parseId(value)
  if (!id) throw validationError(`${part} failed validation: ${part}.${name} should be a valid uuid, instead was \`${JSON.stringify(value)}\`.`)
  return id
}
