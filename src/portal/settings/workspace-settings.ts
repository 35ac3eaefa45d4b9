import type { Hono } from 'hono'
import { DomainError } from '../../errors/domain-error.js'
import { decidePeopleAdmin, enforce } from '../../permissions/decide-workspace.js'
import type { UserTable } from '../../storage/database.js'
import { listMembers } from '../../storage/repositories/workspaces.repository.js'
import type { FormData } from '../form.js'
import { settingsFlash as flash } from '../notices.js'
import type { PortalContext, PortalEnv } from '../session.js'
import type { PortalShell } from '../shell.js'
import type { Html, WorkspaceChoice } from '../views/layout.js'
import type { Flash } from '../views/screens.js'
import { settingsRefusal, settingsSidebar, type SettingsTab } from '../views/settings.js'

/**
 * Settings & members (issue 4; docs/adr/0013-web-portal.md, "Part 2"), the frame its four tabs share:
 * `/settings[?workspace=]` and `/settings/{ws}` (to a workspace's Connections tab), the workspace of the
 * path (the person must belong to it, else 404), the tab page (a service's `forbidden` becomes the tab's
 * refusal, status 403) and the tab's actions (303 back with `?done=`, or the tab again with the service's
 * refusal). The tabs: settings/connections.ts, members.ts, groups.ts, audit-log.ts.
 */

/** The head every tab's view starts with. */
export interface TabHead {
  workspaceId: string
  workspaceName: string
  csrf: string
  flash: Flash | null
}

/** Renders a tab with a status and a notice. */
export type TabPage = (c: PortalContext, status: number, f: Flash | null) => Promise<Response>

/** What the tabs get from the frame. */
export interface SettingsFrame {
  /** The workspace of the path and the person. @throws DomainError unauthorized, not_found */
  workspaceOf(c: PortalContext): Promise<{ u: UserTable; ws: WorkspaceChoice; workspaces: WorkspaceChoice[] }>
  /** A tab page: `body` builds its content; a `forbidden` from it is shown as the tab's refusal (403). */
  show(
    c: PortalContext,
    status: number,
    tab: SettingsTab,
    title: string,
    body: (head: TabHead) => Promise<Html>,
    f?: Flash | null,
  ): Promise<Response>
  /** Runs a tab's action (CSRF-checked form); a refusal re-renders `tab` with the service's message. */
  act(c: PortalContext, tab: SettingsTab, title: string, run: (u: UserTable, ws: string, f: FormData) => Promise<string>): Promise<Response>
  /** Makes `page` the renderer `act` re-renders `tab` with. */
  tab(tab: SettingsTab, page: TabPage): void
  /** The workspace's members (storage rows with role). */
  people(ws: string): ReturnType<typeof listMembers>
  /** @throws DomainError forbidden unless the person is an owner or a membership admin of `ws`. */
  requirePeopleAdmin(ws: string, u: UserTable, what: string): Promise<void>
}

/** Registers `/settings` and `/settings/{ws}`; returns the frame the tabs register through. */
export function workspaceSettings(app: Hono<PortalEnv>, h: PortalShell): SettingsFrame {
  const { deps } = h
  const tabs = new Map<SettingsTab, TabPage>()
  const renderTab = (c: PortalContext, status: number, tab: SettingsTab, f: Flash | null) => {
    const page = tabs.get(tab)
    if (!page) throw new Error(`The settings tab ${tab} is not registered.`)
    return page(c, status, f)
  }

  /** The workspace of the path, which the person must belong to (else 404: existence does not leak). */
  const workspaceOf = async (c: PortalContext) => {
    const u = h.user(c)
    const id = h.uuid(c.req.param('ws'), 'workspace')
    const workspaces = await h.choices(u)
    const ws = workspaces.find((w) => w.id === id)
    if (!ws) throw new DomainError('not_found', 'This workspace does not exist, or you are not a member of it.')
    return { u, ws, workspaces }
  }
  const show = async (
    c: PortalContext,
    status: number,
    tab: SettingsTab,
    title: string,
    body: (head: { workspaceId: string; workspaceName: string; csrf: string; flash: Flash | null }) => Promise<Html>,
    f: Flash | null = flash(c),
  ) => {
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
  const act = async (
    c: PortalContext,
    tab: SettingsTab,
    title: string,
    run: (u: UserTable, ws: string, f: FormData) => Promise<string>,
  ) => {
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

  const people = (ws: string) => listMembers(deps.store.db, ws)
  /** Members and groups are for owners and membership admins (people.service decides the actions). */
  const requirePeopleAdmin = async (ws: string, u: UserTable, what: string) => {
    enforce(decidePeopleAdmin((await people(ws)).find((m) => m.id === u.id)?.role, what))
  }

  return { workspaceOf, show, act, tab: (tab, page) => void tabs.set(tab, page), people, requirePeopleAdmin }
}
