import type { Hono } from 'hono'
import { DomainError } from '../errors/domain-error.js'
import { decidePeopleAdmin, enforce } from '../permissions/decide-workspace.js'
import type { Deps } from '../services/deps.js'
import { getPatPolicy, setPatPolicy } from '../services/pat-policy.js'
import {
  PAT_EXPIRY_DAYS,
  PAT_STATUSES,
  createPat,
  listOwnPats,
  listWorkspacePats,
  patCreationAllowance,
  revealPat,
  revokePat,
  type PatStatus,
} from '../services/pats.service.js'
import {
  MEMBER_ROLES,
  addGroupMember,
  changeMemberRole,
  createGroup,
  deleteGroup,
  listGroups,
  removeGroupMember,
  removeWorkspaceMember,
  renameGroup,
} from '../services/people.service.js'
import { workspaceAuditLog, workspacesOf } from '../services/portal.service.js'
import type { MemberRole, PatPolicy, UserTable } from '../storage/database.js'
import { listMembers } from '../storage/repositories/workspaces.repository.js'
import type { PortalContext, PortalEnv } from './session.js'
import { many, one, type FormData } from './form.js'
import type { Html, WorkspaceChoice } from './views/layout.js'
import { developersSidebar, type Flash } from './views/screens.js'
import {
  auditView,
  connectionsSettingsView,
  groupsView,
  membersView,
  settingsRefusal,
  settingsSidebar,
  type SettingsTab,
} from './views/settings.js'
import { newTokenView, tokenCreatedView, tokensListView, type TokensWorkspace } from './views/tokens.js'

/**
 * The portal's screens over issue 4's services (docs/adr/0013-web-portal.md, "Part 2"):
 * - Developer portal → Personal access tokens (`/developers/tokens`): the creator's own PATs, "New
 *   personal access token", the token shown once, "Reveal" (creator only), revoke;
 * - Settings & members (`/settings/{workspace}/…`): Connections (all PATs with search and filters,
 *   revoke, the PAT creation policy), Members (roles, removal), Groups, Audit log.
 * Every action is a service call (pats.service, pat-policy, people.service, portal.service) that
 * enforces its own rule; a refusal shows that service's message. Every form carries the CSRF token.
 */

/** What portal.routes.ts lends these routes. */
export interface PortalHelpers {
  user(c: PortalContext): UserTable
  choices(u: UserTable): Promise<WorkspaceChoice[]>
  render(c: PortalContext, status: number, title: string, section: 'pages' | 'developers' | 'settings', sidebar: Html, body: Html, workspaceId?: string | null): Promise<Response>
  /** Parses a form and checks its CSRF token. @throws DomainError forbidden */
  form(c: PortalContext): Promise<FormData>
  uuid(value: string | undefined, what: string): string
}

const FLASH: Record<string, Flash> = {
  revoked: { kind: 'ok', text: 'Token revoked. It stopped working at once.' },
  policy: { kind: 'ok', text: 'Policy saved. It applies to existing tokens from their next request.' },
  role: { kind: 'ok', text: 'Role changed. It applies from the person’s next request.' },
  removed: { kind: 'ok', text: 'Removed from the workspace. Their access ended at once.' },
  group_created: { kind: 'ok', text: 'Group created.' },
  group_renamed: { kind: 'ok', text: 'Group renamed.' },
  group_deleted: { kind: 'ok', text: 'Group deleted. Its page access is gone.' },
  group_member_added: { kind: 'ok', text: 'Added to the group.' },
  group_member_removed: { kind: 'ok', text: 'Removed from the group.' },
}

/** Registers `/developers/tokens…` and `/settings…` on the portal app. */
export function registerSettingsRoutes(app: Hono<PortalEnv>, deps: Deps, h: PortalHelpers): void {
  const flash = (c: PortalContext): Flash | null => FLASH[c.req.query('done') ?? ''] ?? null

  // ------------------------------------------------------------------------------------------
  // Developer portal → Personal access tokens

  const tokenWorkspaces = async (u: UserTable): Promise<TokensWorkspace[]> => {
    const out: TokensWorkspace[] = []
    for (const w of await workspacesOf(deps, u.id)) {
      out.push({ id: w.id, name: w.name, role: w.role, allowance: await patCreationAllowance(deps, w.id, u.id), tokens: await listOwnPats(deps, w.id, u.id) })
    }
    return out
  }
  const tokensList = async (c: PortalContext, status: number, revealed: { id: string; token: string } | null, f: Flash | null) => {
    const u = h.user(c)
    const body = tokensListView({ workspaces: await tokenWorkspaces(u), revealed, csrf: c.get('csrf'), flash: f })
    return h.render(c, status, 'Personal access tokens', 'developers', developersSidebar('tokens'), body)
  }
  app.get('/developers/tokens', (c) => tokensList(c, 200, null, flash(c)))

  const newTokenForm = async (c: PortalContext, status: number, values: { workspace: string; name: string; notionApi: boolean; workers: boolean; days: number }, f: Flash | null) => {
    const u = h.user(c)
    const workspaces = await tokenWorkspaces(u)
    const workspace = values.workspace || workspaces.find((w) => w.allowance.notionApi === null)?.id || workspaces[0]?.id || ''
    return h.render(c, status, 'New personal access token', 'developers', developersSidebar('tokens'), newTokenView({ workspaces, values: { ...values, workspace }, csrf: c.get('csrf'), flash: f }))
  }
  app.get('/developers/tokens/new', (c) => newTokenForm(c, 200, { workspace: c.req.query('workspace') ?? '', name: '', notionApi: true, workers: false, days: 365 }, null))

  app.post('/developers/tokens', async (c) => {
    const u = h.user(c)
    const f = await h.form(c)
    const days = Number(one(f, 'expires_in_days') || 365)
    const values = { workspace: one(f, 'workspace_id'), name: one(f, 'name'), notionApi: one(f, 'notion_api') === 'on', workers: one(f, 'workers') === 'on', days }
    try {
      const ws = h.uuid(values.workspace, 'workspace')
      if (!(await workspacesOf(deps, u.id)).some((w) => w.id === ws)) throw new DomainError('not_found', 'You are not a member of that workspace.')
      if (!(PAT_EXPIRY_DAYS as readonly number[]).includes(days)) throw new DomainError('invalid_input', 'Choose an expiry: 7, 30, 90 or 180 days, or 1 year.')
      const created = await createPat(deps, { workspaceId: ws, actorId: u.id, name: values.name, capabilities: { notionApi: values.notionApi, workers: values.workers }, expiresInDays: days })
      const wsName = (await workspacesOf(deps, u.id)).find((w) => w.id === ws)?.name ?? ''
      return h.render(c, 201, created.pat.name, 'developers', developersSidebar('tokens'), tokenCreatedView({ pat: created.pat, token: created.token, workspaceName: wsName }))
    } catch (e) {
      if (!(e instanceof DomainError)) throw e
      return newTokenForm(c, e.status, values, { kind: 'error', title: 'The token was not created.', text: e.message })
    }
  })

  app.post('/developers/tokens/:id/reveal', async (c) => {
    const u = h.user(c)
    await h.form(c)
    const id = h.uuid(c.req.param('id'), 'token')
    try {
      const token = await revealPat(deps, id, u.id)
      return tokensList(c, 200, { id, token }, { kind: 'ok', text: 'Copy the token below. Only you can reveal it.' })
    } catch (e) {
      if (!(e instanceof DomainError) || e.code === 'not_found') throw e
      return tokensList(c, e.status, null, { kind: 'error', title: 'The token was not revealed.', text: e.message })
    }
  })

  app.post('/developers/tokens/:id/revoke', async (c) => {
    const u = h.user(c)
    await h.form(c)
    await revokePat(deps, h.uuid(c.req.param('id'), 'token'), { type: 'user', userId: u.id })
    return c.redirect('/developers/tokens?done=revoked', 303)
  })

  // ------------------------------------------------------------------------------------------
  // Settings & members

  /** The workspace of the path, which the person must belong to (else 404: existence does not leak). */
  const workspaceOf = async (c: PortalContext) => {
    const u = h.user(c)
    const id = h.uuid(c.req.param('ws'), 'workspace')
    const workspaces = await h.choices(u)
    const ws = workspaces.find((w) => w.id === id)
    if (!ws) throw new DomainError('not_found', 'This workspace does not exist, or you are not a member of it.')
    return { u, ws, workspaces }
  }
  const show = async (c: PortalContext, status: number, tab: SettingsTab, title: string, body: (head: { workspaceId: string; workspaceName: string; csrf: string; flash: Flash | null }) => Promise<Html>, f: Flash | null = flash(c)) => {
    const { ws, workspaces } = await workspaceOf(c)
    const head = { workspaceId: ws.id, workspaceName: ws.name, csrf: c.get('csrf'), flash: f }
    let content: Html
    try {
      content = await body(head)
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== 'forbidden') throw e
      content = settingsRefusal(head, title, e.message)
      status = 403
    }
    return h.render(c, status, `${title} · ${ws.name}`, 'settings', settingsSidebar(workspaces, ws.id, tab), content, ws.id)
  }

  app.get('/settings', async (c) => {
    const u = h.user(c)
    const wanted = c.req.query('workspace')
    const workspaces = await h.choices(u)
    const ws = (wanted && workspaces.find((w) => w.id === wanted)) || workspaces.find((w) => w.role === 'owner') || workspaces[0]
    if (!ws) throw new DomainError('not_found', 'You are not a member of any workspace.')
    return c.redirect(`/settings/${ws.id}/connections`, 303)
  })
  app.get('/settings/:ws', (c) => c.redirect(`/settings/${h.uuid(c.req.param('ws'), 'workspace')}/connections`, 303))

  /** Runs a settings action; a refusal re-renders `tab` with the service's message. */
  const act = async (c: PortalContext, tab: SettingsTab, title: string, run: (u: UserTable, ws: string, f: FormData) => Promise<string>) => {
    const { u, ws } = await workspaceOf(c)
    const f = await h.form(c)
    try {
      const done = await run(u, ws.id, f)
      return c.redirect(done.startsWith('/') ? done : `/settings/${ws.id}/${tab}?done=${done}`, 303)
    } catch (e) {
      if (!(e instanceof DomainError) || e.code === 'unauthorized') throw e
      return renderTab(c, e.status, tab, { kind: 'error', title: `${title} was refused.`, text: e.message })
    }
  }

  const connectionsTab = (c: PortalContext, status: number, f: Flash | null) =>
    show(c, status, 'connections', 'Connections', async (head) => {
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
    }, f)

  const people = (ws: string) => listMembers(deps.store.db, ws)
  /** Members and groups are for owners and membership admins (people.service decides the actions). */
  const requirePeopleAdmin = async (ws: string, u: UserTable, what: string) => {
    const role = (await people(ws)).find((m) => m.id === u.id)?.role
    enforce(decidePeopleAdmin(role, what))
  }
  const membersTab = (c: PortalContext, status: number, f: Flash | null) =>
    show(c, status, 'members', 'Members', async (head) => {
      const u = h.user(c)
      await requirePeopleAdmin(head.workspaceId, u, 'manage members')
      return membersView({ ...head, members: await people(head.workspaceId), roles: MEMBER_ROLES, me: u.id })
    }, f)
  const groupsTab = (c: PortalContext, status: number, f: Flash | null) =>
    show(c, status, 'groups', 'Groups', async (head) => {
      await requirePeopleAdmin(head.workspaceId, h.user(c), 'manage groups')
      return groupsView({ ...head, groups: await listGroups(deps, head.workspaceId), people: await people(head.workspaceId) })
    }, f)
  const auditTab = (c: PortalContext, status: number, f: Flash | null) =>
    show(c, status, 'audit', 'Audit log', async (head) => {
      const action = c.req.query('action') ?? ''
      const actor = c.req.query('actor') ?? ''
      const entries = await workspaceAuditLog(deps, head.workspaceId, h.user(c).id, { ...(action ? { action } : {}), ...(actor ? { actor } : {}) })
      const members = await people(head.workspaceId)
      const names = new Map<string, string>(members.map((m) => [m.id, m.name ?? m.email ?? m.id]))
      for (const g of await listGroups(deps, head.workspaceId)) names.set(g.id, `group ${g.name}`)
      for (const p of await listWorkspacePats(deps, { workspaceId: head.workspaceId, actorId: h.user(c).id }).catch(() => [])) names.set(p.id, `token “${p.name}”`)
      return auditView({ ...head, entries, names, people: members, filter: { action, actor } })
    }, f)
  const renderTab = (c: PortalContext, status: number, tab: SettingsTab, f: Flash | null) =>
    tab === 'connections' ? connectionsTab(c, status, f) : tab === 'members' ? membersTab(c, status, f) : tab === 'groups' ? groupsTab(c, status, f) : auditTab(c, status, f)

  app.get('/settings/:ws/connections', (c) => connectionsTab(c, 200, flash(c)))
  app.get('/settings/:ws/members', (c) => membersTab(c, 200, flash(c)))
  app.get('/settings/:ws/groups', (c) => groupsTab(c, 200, flash(c)))
  app.get('/settings/:ws/audit', (c) => auditTab(c, 200, flash(c)))

  app.post('/settings/:ws/pats/:id/revoke', (c) =>
    act(c, 'connections', 'Revoking the token', async (u, ws) => {
      const id = h.uuid(c.req.param('id'), 'token')
      // Only tokens of this workspace: listWorkspacePats enforces owner access and scopes the id.
      if (!(await listWorkspacePats(deps, { workspaceId: ws, actorId: u.id })).some((p) => p.id === id)) throw new DomainError('not_found', 'No such personal access token in this workspace.')
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
      await addGroupMember(deps, { workspaceId: ws, actorId: u.id, groupId: h.uuid(c.req.param('gid'), 'group'), userId: h.uuid(one(f, 'user_id'), 'person') })
      return 'group_member_added'
    }),
  )
  app.post('/settings/:ws/groups/:gid/members/:uid/remove', (c) =>
    act(c, 'groups', 'Removing the member', async (u, ws) => {
      await removeGroupMember(deps, { workspaceId: ws, actorId: u.id, groupId: h.uuid(c.req.param('gid'), 'group'), userId: h.uuid(c.req.param('uid'), 'person') })
      return 'group_member_removed'
    }),
  )
}
