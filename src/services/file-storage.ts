import { isoNow } from '../domain/clock.js'
import { DomainError } from '../errors/domain-error.js'
import { workspaceStorageUsed } from '../storage/repositories/file-uploads.repository.js'
import { findWorkspace, setStorageQuota, storageQuotaOf } from '../storage/repositories/workspaces.repository.js'
import type { Deps } from './deps.js'

/**
 * A workspace's file storage quota (issue 14, docs/file-uploads.md "Storage quota"): the bytes of
 * uploaded files it may hold, set by an admin (`PUT /_octavo/admin/workspaces/{id}/storage`,
 * `octavo workspace storage-quota`); none by default. Usage is the size of every part still stored
 * (pending uploads included; the sweep frees expired ones). `/send` and `external_url` imports cap
 * the bytes they accept at what is left, while the bytes stream. Notion has no such quota on the API
 * (its plans limit workspace storage in the app); the refusal is a 400 `validation_error` like
 * Notion's size refusal. Two sends racing near the limit may together pass it by up to one part.
 */

/** A workspace's quota (bytes, null: none), its usage and what is left (Infinity without quota). */
export interface StorageRoom {
  quota: number | null
  used: number
  remaining: number
}

/** The quota, usage and room left of `workspaceId`. */
export async function storageRoom(deps: Deps, workspaceId: string): Promise<StorageRoom> {
  const quota = await storageQuotaOf(deps.store.db, workspaceId)
  if (quota === null) return { quota: null, used: 0, remaining: Number.POSITIVE_INFINITY }
  const used = await workspaceStorageUsed(deps.store.db, workspaceId)
  return { quota, used, remaining: Math.max(0, quota - used) }
}

/** The refusal text when a file does not fit in the quota. */
export function quotaMessage(room: StorageRoom): string {
  return `The file does not fit in the workspace's storage quota of ${room.quota} bytes (${room.used} bytes are in use). Ask a workspace admin to raise the quota, or remove files.`
}

/** `{workspace_id, quota_bytes, used_bytes}` of a workspace. @throws DomainError not_found */
export async function getStorage(deps: Deps, workspaceId: string) {
  if (!(await findWorkspace(deps.store.db, workspaceId))) throw new DomainError('not_found', `No workspace with id ${workspaceId}.`)
  const quota = await storageQuotaOf(deps.store.db, workspaceId)
  return { workspace_id: workspaceId, quota_bytes: quota, used_bytes: await workspaceStorageUsed(deps.store.db, workspaceId) }
}

/**
 * Sets (`bytes`, a whole number ≥ 0) or lifts (`null`) a workspace's storage quota. Files already
 * stored stay even over a lowered quota; only new bytes are refused.
 * @throws DomainError not_found (no such workspace), invalid_input (not a whole number ≥ 0)
 */
export async function setWorkspaceStorageQuota(deps: Deps, workspaceId: string, bytes: number | null, actor: 'admin' | 'cli') {
  if (bytes !== null && !(Number.isSafeInteger(bytes) && bytes >= 0))
    throw new DomainError('invalid_input', 'quota_bytes: expected a whole number of bytes ≥ 0, or null for no quota.')
  const done = await deps.store.transaction((trx) => setStorageQuota(trx, workspaceId, bytes, { actor, time: isoNow(deps.clock) }))
  if (!done) throw new DomainError('not_found', `No workspace with id ${workspaceId}.`)
  return getStorage(deps, workspaceId)
}
