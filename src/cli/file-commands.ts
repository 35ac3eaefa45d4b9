import type { Command } from 'commander'
import { DomainError } from '../errors/domain-error.js'
import { getStorage, setWorkspaceStorageQuota } from '../services/file-storage.js'
import { sweepFileUploads } from '../services/file-sweep.js'
import { uuidArg, withStore } from './runtime.js'

/**
 * `octavo files …` (docs/file-uploads.md): a workspace's storage quota for uploaded files, and the
 * blob sweep run once by hand. Same service functions as the admin API (src/admin/file-uploads.routes.ts).
 *
 * - `octavo files quota <workspace>`: shows quota and usage;
 * - `octavo files quota <workspace> <bytes|none>`: sets (bytes, or with a unit: `500MB`, `2GiB`) or lifts it;
 * - `octavo files sweep`: frees the blobs of expired uploads and of deleted owners now.
 */
export function fileCommands(program: Command): void {
  const files = program.command('files').description('storage quota and blob sweep of uploaded files')
  files
    .command('quota <workspace_id> [bytes]')
    .description('show, set (bytes, e.g. 500MB or 2GiB) or lift ("none") the storage quota of a workspace')
    .action(async (workspace: string, bytes: string | undefined, _opts: unknown, cmd: Command) => {
      const ws = uuidArg(workspace, 'workspace_id')
      await withStore(
        cmd,
        (deps) => (bytes === undefined ? getStorage(deps, ws) : setWorkspaceStorageQuota(deps, ws, parseBytes(bytes), 'cli')),
        (r) =>
          `Workspace ${r.workspace_id}: ${r.used_bytes} bytes used, quota ${r.quota_bytes === null ? 'none' : `${r.quota_bytes} bytes`}.`,
      )
    })
  files
    .command('sweep')
    .description('free the blobs of expired uploads and of uploads whose owner was deleted, now')
    .action(async (_opts: unknown, cmd: Command) => {
      await withStore(
        cmd,
        (deps) => sweepFileUploads(deps),
        (r) =>
          r.swept
            ? `Swept: ${r.expired} expired, ${r.released} released, ${r.blobs_deleted} blobs deleted, ${r.blobs_kept} kept for snapshots.`
            : 'Another node is sweeping; nothing done.',
      )
    })
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
}

/** `none` → null; `1234`, `500MB`, `2GiB` → bytes. @throws DomainError invalid_input */
export function parseBytes(text: string): number | null {
  if (text.trim().toLowerCase() === 'none') return null
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  const unit = UNITS[(m?.[2] ?? 'x').toLowerCase()]
  const n = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN
  if (!Number.isSafeInteger(n))
    throw new DomainError('invalid_input', `Expected a size such as 1048576, 500MB or 2GiB, or "none"; got "${text}".`)
  return n
}
