import { requireId } from '../../domain/ids.js'
import { parseWith } from '../../domain/validation.js'
import { readJsonBody } from '../../http/body.js'
import type { Deps } from '../../services/deps.js'
import type { RouteSpec } from '../router.js'
import { CreateFileUploadBody, ListFileUploadsQuery } from './file-uploads.schemas.js'
import { completeUpload, createFileUpload, getFileUpload, listFileUploads, sendFileUpload } from './file-uploads.service.js'

/** The send route's path below `/v1`, also used by the body-limit exemption in app.ts. */
export const SEND_PATH = /^\/v1\/file_uploads\/[^/]+\/send\/?$/

/**
 * File-upload endpoints (SDK `fileUploads.create|send|complete|retrieve|list`;
 * docs/reference/notion-api-2026.md §1.1). `/send` is multipart/form-data, streamed (its size limit
 * is the plan's, applied by the service, not the 500 KB JSON limit); `/complete` has no body.
 */
export function fileUploadsRoutes(deps: Deps): RouteSpec[] {
  return [
    {
      method: 'post',
      path: '/file_uploads',
      endpoint: 'fileUploads.create',
      schemas: { body: CreateFileUploadBody },
      handler: async (c, ctx) => createFileUpload(deps, ctx, parseWith(CreateFileUploadBody, await readJsonBody(c), 'body')),
    },
    {
      method: 'get',
      path: '/file_uploads',
      endpoint: 'fileUploads.list',
      schemas: { query: ListFileUploadsQuery },
      handler: async (c, ctx) => {
        const raw: Record<string, string> = {}
        for (const key of ['status', 'start_cursor', 'page_size'] as const) {
          const v = c.req.query(key)
          if (v !== undefined) raw[key] = v
        }
        return listFileUploads(deps, ctx, parseWith(ListFileUploadsQuery, raw, 'query'))
      },
    },
    {
      method: 'post',
      path: '/file_uploads/:file_upload_id/send',
      endpoint: 'fileUploads.send',
      handler: async (c, ctx) =>
        sendFileUpload(deps, ctx, requireId(c.req.param('file_upload_id'), 'file_upload_id'), {
          body: c.req.raw.body,
          contentType: c.req.header('content-type'),
          contentLength: c.req.header('content-length'),
        }),
    },
    {
      method: 'post',
      path: '/file_uploads/:file_upload_id/complete',
      endpoint: 'fileUploads.complete',
      handler: async (c, ctx) => completeUpload(deps, ctx, requireId(c.req.param('file_upload_id'), 'file_upload_id')),
    },
    {
      method: 'get',
      path: '/file_uploads/:file_upload_id',
      endpoint: 'fileUploads.retrieve',
      handler: async (c, ctx) => getFileUpload(deps, ctx, requireId(c.req.param('file_upload_id'), 'file_upload_id')),
    },
  ]
}
