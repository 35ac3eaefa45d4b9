import type { Hono } from 'hono'
import { addGroupMember, createGroup, deleteGroup, listGroups, removeGroupMember, renameGroup } from '../../services/people.service.js'
import { one } from '../form.js'
import { settingsFlash as flash } from '../notices.js'
import type { PortalContext, PortalEnv } from '../session.js'
import type { PortalShell } from '../shell.js'
import type { Flash } from '../views/screens.js'
import { groupsView } from '../views/settings.js'
import type { SettingsFrame } from './workspace-settings.js'

/**
 * Settings & members → Groups (`/settings/{ws}/groups`): create, rename and delete groups, add and
 * remove their members, over people.service.ts (owners and membership admins; a refusal shows the
 * service's message).
 */

/** Registers the Groups tab: `GET|POST /settings/{ws}/groups`, `POST …/groups/{gid}/rename|delete|members…`. */
export function settingsGroups(app: Hono<PortalEnv>, h: PortalShell, frame: SettingsFrame): void {
  const { deps } = h
  const { show, act, people, requirePeopleAdmin } = frame

  const groupsTab = (c: PortalContext, status: number, f: Flash | null) =>
    show(
      c,
      status,
      'groups',
      'Groups',
      async (head) => {
        await requirePeopleAdmin(head.workspaceId, h.user(c), 'manage groups')
        return groupsView({ ...head, groups: await listGroups(deps, head.workspaceId), people: await people(head.workspaceId) })
      },
      f,
    )
  frame.tab('groups', groupsTab)

  app.get('/settings/:ws/groups', (c) => groupsTab(c, 200, flash(c)))

  app.post('/settings/:ws/groups', (c) =>
    act(c, 'groups', 'Creating the group', async (u, ws, f) => {
      await createGroup(deps, { workspaceId: ws, actorId: u.id, name: one(f, 'name') })
      return 'group_created'
    }),
  )
  app.post('/settings/:ws/groups/:gid/rename', (c) =>
    act(c, 'groups', 'Renaming the group', async (u, ws, f) => {
      await renameGroup(deps, { workspaceId: ws, actorId: u.id, groupId: h.uuid(c.req.param('gid'), 'group'), name: one(f, 'name') })
      return 'group_renamed'
    }),
  )
  app.post('/settings/:ws/groups/:gid/delete', (c) =>
    act(c, 'groups', 'Deleting the group', async (u, ws) => {
      await deleteGroup(deps, { workspaceId: ws, actorId: u.id, groupId: h.uuid(c.req.param('gid'), 'group') })
      return 'group_deleted'
    }),
  )
  app.post('/settings/:ws/groups/:gid/members', (c) =>
    act(c, 'groups', 'Adding the member', async (u, ws, f) => {
      await addGroupMember(deps, {
        workspaceId: ws,
        actorId: u.id,
        groupId: h.uuid(c.req.param('gid'), 'group'),
        userId: h.uuid(one(f, 'user_id'), 'person'),
      })
      return 'group_member_added'
    }),
  )
  app.post('/settings/:ws/groups/:gid/members/:uid/remove', (c) =>
    act(c, 'groups', 'Removing the member', async (u, ws) => {
      await removeGroupMember(deps, {
        workspaceId: ws,
        actorId: u.id,
        groupId: h.uuid(c.req.param('gid'), 'group'),
        userId: h.uuid(c.req.param('uid'), 'person'),
      })
      return 'group_member_removed'
    }),
  )
}
