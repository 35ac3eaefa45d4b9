import type { Hono } from 'hono'
import { DomainError } from '../../errors/domain-error.js'
import { getPatPolicy, setPatPolicy } from '../../services/pat-policy.js'
import { PAT_STATUSES, listWorkspacePats, revokePat, type PatStatus } from '../../services/pats.service.js'
import { listGroups } from '../../services/people.service.js'
import type { PatPolicy } from '../../storage/database.js'
import { listMembers } from '../../storage/repositories/workspaces.repository.js'
import { many, one } from '../form.js'
import { settingsFlash as flash } from '../notices.js'
import type { PortalContext, PortalEnv } from '../session.js'
import type { PortalShell } from '../shell.js'
import type { Flash } from '../views/screens.js'
import { connectionsSettingsView } from '../views/settings.js'
import type { SettingsFrame } from './workspace-settings.js'

/**
 * Settings & members → Connections (`/settings/{ws}/connections`): all personal access tokens of the
 * workspace (search, creator and status filters; revoke) and the PAT creation policy, over
 * pats.service.ts and pat-policy.ts (workspace owners; a refusal shows the service's message).
 */

/** Registers the Connections tab: `GET /settings/{ws}/connections`, `POST …/pats/{id}/revoke`, `POST …/pat-policy`. */
export function settingsConnections(app: Hono<PortalEnv>, h: PortalShell, frame: SettingsFrame): void {
  const { deps } = h
  const { show, act } = frame

  const connectionsTab = (c: PortalContext, status: number, f: Flash | null) =>
    show(
      c,
      status,
      'connections',
      'Connections',
      async (head) => {
        const u = h.user(c)
        const q = c.req.query('q') ?? ''
        const creator = c.req.query('creator') ?? ''
        const statusFilter = c.req.query('status') ?? ''
        const pats = await listWorkspacePats(deps, {
          workspaceId: head.workspaceId,
          actorId: u.id,
          ...(q.trim() ? { query: q.trim() } : {}),
          ...(creator ? { creatorId: h.uuid(creator, 'person') } : {}),
          ...((PAT_STATUSES as readonly string[]).includes(statusFilter) ? { status: statusFilter as PatStatus } : {}),
        })
        const policy = await getPatPolicy(deps, head.workspaceId)
        const groups = (await listGroups(deps, head.workspaceId)).map((g) => ({ id: g.id, name: g.name }))
        const creators = (await listMembers(deps.store.db, head.workspaceId)).filter((m) => m.role !== 'guest')
        return connectionsSettingsView({ ...head, policy, groups, pats, creators, filter: { q, creator, status: statusFilter } })
      },
      f,
    )
  frame.tab('connections', connectionsTab)

  app.get('/settings/:ws/connections', (c) => connectionsTab(c, 200, flash(c)))

  app.post('/settings/:ws/pats/:id/revoke', (c) =>
    act(c, 'connections', 'Revoking the token', async (u, ws) => {
      const id = h.uuid(c.req.param('id'), 'token')
      // Only tokens of this workspace: listWorkspacePats enforces owner access and scopes the id.
      if (!(await listWorkspacePats(deps, { workspaceId: ws, actorId: u.id })).some((p) => p.id === id))
        throw new DomainError('not_found', 'No such personal access token in this workspace.')
      await revokePat(deps, id, { type: 'user', userId: u.id })
      return 'revoked'
    }),
  )

  app.post('/settings/:ws/pat-policy', (c) =>
    act(c, 'connections', 'Changing the policy', async (u, ws, f) => {
      const policy = one(f, 'policy') as PatPolicy
      const groupIds = one(f, 'groups_listed') ? many(f, 'group_id').map((g) => h.uuid(g, 'group')) : undefined
      await setPatPolicy(deps, { workspaceId: ws, actorId: u.id, policy, ...(groupIds ? { groupIds } : {}) })
      return 'policy'
    }),
  )
}
