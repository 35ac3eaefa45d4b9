import type { Hono } from 'hono'
import { DomainError } from '../../errors/domain-error.js'
import { MEMBER_ROLES, changeMemberRole, removeWorkspaceMember } from '../../services/people.service.js'
import type { MemberRole } from '../../storage/database.js'
import { one } from '../form.js'
import { settingsFlash as flash } from '../notices.js'
import type { PortalContext, PortalEnv } from '../session.js'
import type { PortalShell } from '../shell.js'
import type { Flash } from '../views/screens.js'
import { membersView } from '../views/settings.js'
import type { SettingsFrame } from './workspace-settings.js'

/**
 * Settings & members → Members (`/settings/{ws}/members`): the workspace's people and their roles;
 * change a role, remove someone (or leave), over people.service.ts (owners and membership admins; a
 * refusal shows the service's message).
 */

/** Registers the Members tab: `GET /settings/{ws}/members`, `POST …/members/{uid}/role|remove`. */
export function settingsMembers(app: Hono<PortalEnv>, h: PortalShell, frame: SettingsFrame): void {
  const { deps } = h
  const { show, act, people, requirePeopleAdmin } = frame

  const membersTab = (c: PortalContext, status: number, f: Flash | null) =>
    show(
      c,
      status,
      'members',
      'Members',
      async (head) => {
        const u = h.user(c)
        await requirePeopleAdmin(head.workspaceId, u, 'manage members')
        return membersView({ ...head, members: await people(head.workspaceId), roles: MEMBER_ROLES, me: u.id })
      },
      f,
    )
  frame.tab('members', membersTab)

  app.get('/settings/:ws/members', (c) => membersTab(c, 200, flash(c)))

  app.post('/settings/:ws/members/:uid/role', (c) =>
    act(c, 'members', 'Changing the role', async (u, ws, f) => {
      const role = one(f, 'role') as MemberRole
      if (!MEMBER_ROLES.includes(role)) throw new DomainError('invalid_input', 'Choose a role.')
      await changeMemberRole(deps, { workspaceId: ws, actorId: u.id, userId: h.uuid(c.req.param('uid'), 'person'), role })
      return 'role'
    }),
  )
  app.post('/settings/:ws/members/:uid/remove', (c) =>
    act(c, 'members', 'Removing the person', async (u, ws) => {
      const userId = h.uuid(c.req.param('uid'), 'person')
      await removeWorkspaceMember(deps, { workspaceId: ws, actorId: u.id, userId })
      return userId === u.id ? '/' : 'removed' // someone who left cannot see this workspace's settings
    }),
  )
}
