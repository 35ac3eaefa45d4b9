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

/** The newest `limit` audit entries of a workspace, `meta` parsed. */
export async function listAudit(db: Db, workspaceId: string, limit = 100) {
  const rows = await db
    .selectFrom('audit_log')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('time', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
  return rows.map((r) => ({ ...r, meta: r.meta ? (JSON.parse(r.meta) as Record<string, unknown>) : null }))
}
