import * as z from 'zod'
import { QueryPageSize, StartCursor } from '../../http/pagination.js'

/**
 * Request schemas of `/v1/file_uploads` (SDK `CreateFileUploadParameters`,
 * `ListFileUploadsParameters`; docs/reference/notion-api-2026.md §1.1–§1.2). Objects are strict, so
 * unknown keys answer "should be not present". Cross-field rules (`number_of_parts` only with
 * `multi_part`, …) are in file-uploads.service.ts.
 */

/** Longest `filename`, in UTF-8 bytes, extension included. */
export const MAX_FILENAME_BYTES = 900
/** Largest `number_of_parts`. */
export const MAX_PARTS = 10_000

export const CreateFileUploadBody = z
  .object({
    mode: z.enum(['single_part', 'multi_part', 'external_url']).optional(),
    filename: z
      .string()
      .min(1)
      .refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_FILENAME_BYTES, { message: `should be at most ${MAX_FILENAME_BYTES} bytes long` })
      .optional(),
    content_type: z.string().min(1).max(255).optional(),
    number_of_parts: z.number().int().min(1).max(MAX_PARTS).optional(),
    external_url: z.string().min(1).max(2000).optional(),
  })
  .strict()

export type CreateFileUploadInput = z.output<typeof CreateFileUploadBody>

export const ListFileUploadsQuery = z.object({
  status: z.enum(['pending', 'uploaded', 'expired', 'failed']).optional(),
  start_cursor: StartCursor,
  page_size: QueryPageSize,
})
