import type { Hono } from 'hono'
import * as z from 'zod'
import type { AppEnv } from '../http/context.js'
import type { Deps } from '../services/deps.js'
import { getStorage, setWorkspaceStorageQuota } from '../services/file-storage.js'
import { sweepFileUploads } from '../services/file-sweep.js'
import type { AdminHelpers } from './pats.routes.js'

/**
 * File-upload administration on Octavo's admin API (`/_octavo/admin`, admin key; docs/file-uploads.md):
 *
 * | Method and path | Does |
 * |---|---|
 * | `GET /workspaces/{id}/storage` | `{workspace_id, quota_bytes, used_bytes}` (`quota_bytes` null: no quota) |
 * | `PUT /workspaces/{id}/storage` `{quota_bytes}` | sets the workspace's storage quota (bytes ≥ 0, or null to lift it) |
 * | `POST /file-uploads/sweep` | runs the blob sweep now: `{swept, expired, released, blobs_deleted, blobs_kept}` |
 *
 * Errors: the admin API's envelope, `invalid_input` (bad body), `not_found` (no such workspace).
 */
export function registerFileUploadAdminRoutes(app: Hono<AppEnv>, deps: Deps, h: Pick<AdminHelpers, 'body' | 'id'>): void {
  app.get('/workspaces/:workspace_id/storage', async (c) => c.json(await getStorage(deps, h.id(c, 'workspace_id'))))
  app.put('/workspaces/:workspace_id/storage', async (c) => {
    const ws = h.id(c, 'workspace_id')
    const b = await h.body(c, z.strictObject({ quota_bytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullable() }))
    return c.json(await setWorkspaceStorageQuota(deps, ws, b.quota_bytes, 'admin'))
  })
  app.post('/file-uploads/sweep', async (c) => c.json(await sweepFileUploads(deps)))
}
