import type { Context, Hono } from 'hono'
import * as z from 'zod'
import type { AppEnv } from '../http/context.js'
import { groupWorkspace as groupWorkspaceOf } from '../services/actors.js'
import type { Deps } from '../services/deps.js'
import {
  ACCESS_LEVELS,
  getPageAccess,
  personLevelOnPage,
  restorePageAccess,
  setPageAccess,
  workspaceOfPage,
  type AccessLevelName,
  type ShareTarget,
} from '../services/page-permissions.service.js'
import {
  MEMBER_ROLES,
  addGroupMember,
  changeMemberRole,
  createGroup,
  deleteGroup,
  listGroups,
  removeGroupMember,
  renameGroup,
} from '../services/people.service.js'
import type { MemberRole } from '../domain/workspace.js'

/** The admin.routes.ts helpers this module uses: body parsing, path ids and `as` resolution. */
interface Helpers {
  body<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<z.output<S>>
  id(c: Context<AppEnv>, name: string): string
  actor(workspaceId: string, as: string | undefined): Promise<string>
}

/**
 * People, groups and page permissions on Octavo's admin API (`/_octavo/admin`), over
 * services/people.service.ts and services/page-permissions.service.ts (the CLI calls the same
 * functions). Every action runs as the person named by `as` (e-mail or user id; default the
 * workspace's first owner) and obeys that person's rules: owners and membership admins manage people
 * and groups; sharing a page needs full access on it. Levels: `full`, `edit`, `edit_content`,
 * `comment`, `view`, `none`.
 *
 * | Method and path | Does |
 * |---|---|
 * | `PATCH /workspaces/{id}/members/{user_id}` `{role, as?}` | change a member's role |
 * | `GET /workspaces/{id}/groups` | groups with their members |
 * | `POST /workspaces/{id}/groups` `{name, as?}` | create a group |
 * | `PATCH /groups/{id}` `{name, as?}` · `DELETE /groups/{id}?as` | rename, delete |
 * | `PUT /groups/{id}/members/{user_id}` `{as?}` · `DELETE …?as` | add, remove a member |
 * | `GET /pages/{id}/permissions?as` | effective access, each entry with the page it comes from |
 * | `PUT /pages/{id}/permissions/workspace` · `…/groups/{gid}` · `…/users/{uid}` `{level, as?}` | grant or change |
 * | `DELETE` the same paths `?as` | remove (level `none`) |
 * | `POST /pages/{id}/permissions/restore` `{as?}` | restore inherited access |
 * | `GET /pages/{id}/access/{user_id}` | a person's effective level, as the API computes it |
 */
export function registerPeopleAdminRoutes(app: Hono<AppEnv>, deps: Deps, h: Helpers): void {
  const db = deps.store.db
  const groupWorkspace = (groupId: string) => groupWorkspaceOf(db, groupId)
  const As = z.strictObject({ as: z.string().optional() })
  const Level = z.strictObject({ level: z.enum(ACCESS_LEVELS as [AccessLevelName, ...AccessLevelName[]]), as: z.string().optional() })

  app.patch('/workspaces/:workspace_id/members/:user_id', async (c) => {
    const ws = h.id(c, 'workspace_id')
    const b = await h.body(c, z.strictObject({ role: z.enum(MEMBER_ROLES as [MemberRole, ...MemberRole[]]), as: z.string().optional() }))
    return c.json(
      await changeMemberRole(deps, { workspaceId: ws, actorId: await h.actor(ws, b.as), userId: h.id(c, 'user_id'), role: b.role }),
    )
  })

  app.get('/workspaces/:workspace_id/groups', async (c) => c.json({ groups: await listGroups(deps, h.id(c, 'workspace_id')) }))
  app.post('/workspaces/:workspace_id/groups', async (c) => {
    const ws = h.id(c, 'workspace_id')
    const b = await h.body(c, z.strictObject({ name: z.string(), as: z.string().optional() }))
    return c.json(await createGroup(deps, { workspaceId: ws, actorId: await h.actor(ws, b.as), name: b.name }), 201)
  })
  app.patch('/groups/:group_id', async (c) => {
    const gid = h.id(c, 'group_id')
    const ws = await groupWorkspace(gid)
    const b = await h.body(c, z.strictObject({ name: z.string(), as: z.string().optional() }))
    return c.json(await renameGroup(deps, { workspaceId: ws, actorId: await h.actor(ws, b.as), groupId: gid, name: b.name }))
  })
  app.delete('/groups/:group_id', async (c) => {
    const gid = h.id(c, 'group_id')
    const ws = await groupWorkspace(gid)
    return c.json(await deleteGroup(deps, { workspaceId: ws, actorId: await h.actor(ws, c.req.query('as')), groupId: gid }))
  })
  app.put('/groups/:group_id/members/:user_id', async (c) => {
    const gid = h.id(c, 'group_id')
    const ws = await groupWorkspace(gid)
    const b = await h.body(c, As)
    return c.json(
      await addGroupMember(deps, { workspaceId: ws, actorId: await h.actor(ws, b.as), groupId: gid, userId: h.id(c, 'user_id') }),
    )
  })
  app.delete('/groups/:group_id/members/:user_id', async (c) => {
    const gid = h.id(c, 'group_id')
    const ws = await groupWorkspace(gid)
    return c.json(
      await removeGroupMember(deps, {
        workspaceId: ws,
        actorId: await h.actor(ws, c.req.query('as')),
        groupId: gid,
        userId: h.id(c, 'user_id'),
      }),
    )
  })

  const pageActor = async (pageId: string, as: string | undefined) => h.actor(await workspaceOfPage(db, pageId), as)
  app.get('/pages/:page_id/permissions', async (c) => {
    const pid = h.id(c, 'page_id')
    return c.json(await getPageAccess(deps, { pageId: pid, actorId: await pageActor(pid, c.req.query('as')) }))
  })
  app.post('/pages/:page_id/permissions/restore', async (c) => {
    const pid = h.id(c, 'page_id')
    const b = await h.body(c, As)
    return c.json(await restorePageAccess(deps, { pageId: pid, actorId: await pageActor(pid, b.as) }))
  })
  const targetOf = (c: Context<AppEnv>, kind: 'workspace' | 'groups' | 'users'): ShareTarget =>
    kind === 'workspace'
      ? { type: 'workspace' }
      : kind === 'groups'
        ? { type: 'group', id: h.id(c, 'target_id') }
        : { type: 'user', id: h.id(c, 'target_id') }
  for (const [path, kind] of [
    ['/pages/:page_id/permissions/workspace', 'workspace'],
    ['/pages/:page_id/permissions/groups/:target_id', 'groups'],
    ['/pages/:page_id/permissions/users/:target_id', 'users'],
  ] as const) {
    app.put(path, async (c) => {
      const pid = h.id(c, 'page_id')
      const b = await h.body(c, Level)
      return c.json(
        await setPageAccess(deps, { pageId: pid, actorId: await pageActor(pid, b.as), target: targetOf(c, kind), level: b.level }),
      )
    })
    app.delete(path, async (c) => {
      const pid = h.id(c, 'page_id')
      return c.json(
        await setPageAccess(deps, {
          pageId: pid,
          actorId: await pageActor(pid, c.req.query('as')),
          target: targetOf(c, kind),
          level: 'none',
        }),
      )
    })
  }
  app.get('/pages/:page_id/access/:user_id', async (c) =>
    c.json(await personLevelOnPage(deps, { pageId: h.id(c, 'page_id'), userId: h.id(c, 'user_id') })),
  )
}
