import type { Hono } from 'hono'
import { listWorkspacePats } from '../../services/pats.service.js'
import { listGroups } from '../../services/people.service.js'
import { workspaceAuditLog } from '../../services/portal.service.js'
import { settingsFlash as flash } from '../notices.js'
import type { PortalContext, PortalEnv } from '../session.js'
import type { PortalShell } from '../shell.js'
import type { Flash } from '../views/screens.js'
import { auditView } from '../views/settings.js'
import type { SettingsFrame } from './workspace-settings.js'

/**
 * Settings & members → Audit log (`/settings/{ws}/audit`): the workspace's administrative events, with
 * action and actor filters, ids shown as the names of people, groups and tokens (portal.service.ts's
 * workspaceAuditLog decides who may read it).
 */

/** Registers the Audit log tab: `GET /settings/{ws}/audit`. */
export function settingsAuditLog(app: Hono<PortalEnv>, h: PortalShell, frame: SettingsFrame): void {
  const { deps } = h
  const { show, people } = frame

  const auditTab = (c: PortalContext, status: number, f: Flash | null) =>
    show(
      c,
      status,
      'audit',
      'Audit log',
      async (head) => {
        const action = c.req.query('action') ?? ''
        const actor = c.req.query('actor') ?? ''
        const entries = await workspaceAuditLog(deps, head.workspaceId, h.user(c).id, {
          ...(action ? { action } : {}),
          ...(actor ? { actor } : {}),
        })
        const members = await people(head.workspaceId)
        const names = new Map<string, string>(members.map((m) => [m.id, m.name ?? m.email ?? m.id]))
        for (const g of await listGroups(deps, head.workspaceId)) names.set(g.id, `group ${g.name}`)
        for (const p of await listWorkspacePats(deps, { workspaceId: head.workspaceId, actorId: h.user(c).id }).catch(() => []))
          names.set(p.id, `token “${p.name}”`)
        return auditView({ ...head, entries, names, people: members, filter: { action, actor } })
      },
      f,
    )
  frame.tab('audit', auditTab)

  app.get('/settings/:ws/audit', (c) => auditTab(c, 200, flash(c)))
}
