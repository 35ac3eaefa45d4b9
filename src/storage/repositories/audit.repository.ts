import { randomUUID } from 'node:crypto'
import type { Db } from '../store.js'

/**
 * Appends to the audit log. `actor` is `user:<id>`, `bot:<id>` or `admin`; `meta` never holds a
 * secret (callers pass names, ids and capability sets only).
 */
export async function audit(
  db: Db,
  entry: { workspaceId: string | null; actor: string; action: string; target?: string; meta?: Record<string, unknown>; time: string },
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: randomUUID(),
      workspace_id: entry.workspaceId,
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      meta: entry.meta ? JSON.stringify(entry.meta) : null,
      time: entry.time,
    })
    .execute()
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

/** The newest audit entries of a workspace matching `filter` (default: the newest 100), `meta` parsed. */
export async function listAudit(db: Db, workspaceId: string, filter: number | AuditFilter = 100) {
  const f: AuditFilter = typeof filter === 'number' ? { limit: filter } : filter
  let q = db.selectFrom('audit_log').selectAll().where('workspace_id', '=', workspaceId)
  if (f.actions?.length) {
    const actions = f.actions
    // Prefixes as key ranges (portable: no LIKE escaping differences between dialects).
    q = q.where((eb) =>
      eb.or(
        actions.map((a) =>
          a.endsWith('*') ? eb.and([eb('action', '>=', a.slice(0, -1)), eb('action', '<', `${a.slice(0, -1)}\u{10FFFF}`)]) : eb('action', '=', a),
        ),
      ),
    )
  }
  if (f.actor) q = q.where('actor', '=', f.actor)
  if (f.target) q = q.where('target', '=', f.target)
  if (f.since) q = q.where('time', '>=', f.since)
  if (f.until) q = q.where('time', '<', f.until)
  const rows = await q
    .orderBy('time', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit ?? 100)
    .execute()
  return rows.map((r) => ({ ...r, meta: r.meta ? (JSON.parse(r.meta) as Record<string, unknown>) : null }))
}
