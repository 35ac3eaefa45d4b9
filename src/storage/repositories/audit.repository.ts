import type { Db } from '../store.js'
import { appendEvent, type ChangeEvent } from './events.repository.js'

/**
 * The audit log: a reader of the change-event outbox (ADR 15), showing the events of the
 * workspace's administration (connections, tokens, PATs and their policy, members, groups, page
 * access, public connections and installs, sign-ins); content changes (pages, blocks, comments)
 * stay out of it.
 */

/** The event types the audit log shows, as prefixes. */
export const AUDITED_TYPES = [
  'connection.',
  'token.',
  'pat.',
  'pat_policy.',
  'member.',
  'group.',
  'grant.',
  'page.access_',
  'page.share',
  'page.unshare',
  'page.connection_',
  'public_connection.',
  'oauth.',
  'install.',
  'user.',
  'workspace.',
  'custom_emoji.',
] as const

/** Whether events of `type` show in the audit log. */
export function isAudited(type: string): boolean {
  return AUDITED_TYPES.some((p) => type.startsWith(p))
}

/**
 * Records an administrative change as a change event in the caller's transaction `db`. `actor` is
 * `user:<id>`, `bot:<id>`, `admin` or `admin_api`; `meta` never holds a secret (callers pass names,
 * ids and capability sets only). The event's `type` is `action`, its `object_id` is `target`.
 */
export async function audit(
  db: Db,
  entry: { workspaceId: string | null; actor: string; action: string; target?: string; meta?: Record<string, unknown>; time: string },
): Promise<void> {
  await appendEvent(db, {
    workspaceId: entry.workspaceId,
    type: entry.action,
    objectId: entry.target ?? null,
    actor: entry.actor,
    time: entry.time,
    data: entry.meta ?? null,
  })
}

/**
 * Filters of an audit listing. `actions`: exact action names, or prefixes written `pat.*` (matches
 * `pat.created`, `pat.revoked`, …). `actor`: `user:<id>`, `bot:<id>`, `admin` or `admin_api`.
 * `since`/`until`: ISO-8601 bounds on `time` (inclusive / exclusive).
 */
export interface AuditFilter {
  limit?: number
  actions?: string[]
  actor?: string
  target?: string
  since?: string
  until?: string
}

/** One audit entry, as the admin API, the CLI and the portal show it. */
export interface AuditEntry {
  id: string
  workspace_id: string | null
  actor: string
  action: string
  target: string | null
  meta: Record<string, unknown> | null
  time: string
}

/** The newest audited events of a workspace matching `filter` (default: the newest 100), newest first. */
export async function listAudit(db: Db, workspaceId: string, filter: number | AuditFilter = 100): Promise<AuditEntry[]> {
  const f: AuditFilter = typeof filter === 'number' ? { limit: filter } : filter
  const prefixes = f.actions?.length ? f.actions : AUDITED_TYPES.map((p) => `${p}*`)
  let q = db
    .selectFrom('change_event')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    // Prefixes as key ranges (portable: no LIKE escaping differences between dialects).
    .where((eb) =>
      eb.or(
        prefixes.map((a) =>
          a.endsWith('*') ? eb.and([eb('type', '>=', a.slice(0, -1)), eb('type', '<', `${a.slice(0, -1)}\u{10FFFF}`)]) : eb('type', '=', a),
        ),
      ),
    )
  if (f.actor) q = q.where('actor', '=', f.actor)
  if (f.target) q = q.where('object_id', '=', f.target)
  if (f.since) q = q.where('time', '>=', f.since)
  if (f.until) q = q.where('time', '<', f.until)
  const rows = await q
    .orderBy('time', 'desc')
    .orderBy('seq', 'desc')
    .limit(f.limit ?? 100)
    .execute()
  return rows
    .filter((r) => isAudited(r.type))
    .map((r) => ({
      id: r.id,
      workspace_id: r.workspace_id,
      actor: r.actor,
      action: r.type,
      target: r.object_id,
      meta: r.data ? (JSON.parse(r.data) as Record<string, unknown>) : null,
      time: r.time,
    }))
}

export type { ChangeEvent }
