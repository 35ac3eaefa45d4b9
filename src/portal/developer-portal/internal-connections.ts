import type { Hono } from 'hono'
import { DomainError } from '../../errors/domain-error.js'
import { NEEDS_FULL_ACCESS_MESSAGE } from '../../permissions/decide-connection-share.js'
import {
  createConnection,
  getConnection,
  listConnectionShares,
  listConnections,
  refreshToken,
  revealToken,
  shareWithConnection,
  unshareFromConnection,
  updateCapabilities,
} from '../../services/connections.service.js'
import { connectablePageTree, visiblePageTree, workspacesOf } from '../../services/portal.service.js'
import { findUser } from '../../storage/repositories/workspaces.repository.js'
import { capabilitiesFromForm, many, one } from '../form.js'
import { flashFromQuery } from '../notices.js'
import type { PortalContext, PortalEnv } from '../session.js'
import type { PortalShell } from '../shell.js'
import {
  configurationView,
  connectionsListView,
  contentAccessView,
  developersSidebar,
  newConnectionView,
  pagePickerView,
  type Flash,
  type WorkspaceConnections,
} from '../views/screens.js'
import { requestsView } from '../views/requests.js'

/**
 * Developer portal → Build → Internal connections (issue 5; docs/adr/0013-web-portal.md):
 * `/developers/connections` (every workspace's connections, or the refusal for a non-owner), "New
 * connection", a connection's Configuration (token reveal and refresh, capabilities) and Content access
 * (shared pages, Edit access picker, remove). Every action is a connections.service call as the
 * signed-in person; a refusal shows the service's message.
 */

/** Registers `/developers` and `/developers/connections…`. */
export function internalConnections(app: Hono<PortalEnv>, s: PortalShell): void {
  const { deps, user, render, form, uuid } = s

  app.get('/developers', (c) => c.redirect('/developers/connections', 303))

  app.get('/developers/connections', async (c) => {
    const u = user(c)
    const workspaces: WorkspaceConnections[] = []
    for (const w of await workspacesOf(deps, u.id)) {
      try {
        const list = await listConnections(deps, w.id, u.id)
        const creators = new Map<string, string | null>()
        for (const conn of list)
          if (!creators.has(conn.created_by)) creators.set(conn.created_by, (await findUser(deps.store.db, conn.created_by))?.name ?? null)
        workspaces.push({
          id: w.id,
          name: w.name,
          role: w.role,
          refusal: null,
          connections: list.map((x) => ({ ...x, creator: creators.get(x.created_by) ?? null })),
        })
      } catch (e) {
        if (!(e instanceof DomainError) || e.code !== 'forbidden') throw e
        workspaces.push({ id: w.id, name: w.name, role: w.role, connections: null, refusal: e.message })
      }
    }
    return render(
      c,
      200,
      'Internal connections',
      'developers',
      developersSidebar('connections'),
      connectionsListView({ workspaces, flash: flashFromQuery(c) }),
    )
  })

  const newForm = async (
    c: PortalContext,
    status: number,
    values: { selected: string; name: string; icon: string },
    flash: Flash | null,
  ) => {
    const u = user(c)
    const workspaces = await workspacesOf(deps, u.id)
    const selected = values.selected || workspaces.find((w) => w.role === 'owner')?.id || workspaces[0]?.id || ''
    return render(
      c,
      status,
      'New connection',
      'developers',
      developersSidebar('connections'),
      newConnectionView({ workspaces, ...values, selected, csrf: c.get('csrf'), flash }),
    )
  }
  app.get('/developers/connections/new', (c) => newForm(c, 200, { selected: c.req.query('workspace') ?? '', name: '', icon: '' }, null))

  app.post('/developers/connections', async (c) => {
    const u = user(c)
    const f = await form(c)
    const values = { selected: one(f, 'workspace_id'), name: one(f, 'name'), icon: one(f, 'icon').trim() }
    try {
      const ws = uuid(values.selected, 'workspace')
      if (!(await workspacesOf(deps, u.id)).some((w) => w.id === ws))
        throw new DomainError('not_found', 'You are not a member of that workspace.')
      const created = await createConnection(deps, { workspaceId: ws, actorId: u.id, name: values.name, icon: values.icon || null })
      return c.redirect(`/developers/connections/${created.connection.id}?done=created`, 303)
    } catch (e) {
      if (!(e instanceof DomainError)) throw e
      return newForm(c, e.status, values, { kind: 'error', title: 'The connection was not created.', text: e.message })
    }
  })

  /** A connection and its workspace name, for an owner (getConnection enforces it). */
  const loadConnection = async (c: PortalContext) => {
    const u = user(c)
    const id = uuid(c.req.param('id'), 'connection')
    const conn = await getConnection(deps, id, u.id)
    const ws = (await workspacesOf(deps, u.id)).find((w) => w.id === conn.workspace_id)
    return { u, conn, header: { id: conn.id, name: conn.name, icon: conn.icon, workspaceName: ws?.name ?? '' } }
  }

  const configuration = async (c: PortalContext, status: number, token: string | null, flash: Flash | null) => {
    const { conn, header } = await loadConnection(c)
    const body = configurationView({
      connection: header,
      capabilities: conn.capabilities,
      tokenHint: conn.token_hint,
      token,
      confirmRefresh: c.req.method === 'GET' && c.req.query('confirm') === 'refresh',
      csrf: c.get('csrf'),
      flash,
    })
    return render(c, status, conn.name, 'developers', developersSidebar('connections'), body)
  }
  app.get('/developers/connections/:id', (c) => configuration(c, 200, null, flashFromQuery(c)))

  app.post('/developers/connections/:id/token/reveal', async (c) => {
    const f = await form(c)
    const { u, conn } = await loadConnection(c)
    const token = await revealToken(deps, conn.id, u.id)
    if (c.req.header('accept')?.includes('application/json')) return c.json({ token })
    return configuration(c, 200, token, one(f, 'then') === 'copy' ? { kind: 'ok', text: 'Select the token and copy it.' } : null)
  })

  app.post('/developers/connections/:id/token/refresh', async (c) => {
    await form(c)
    const { u, conn } = await loadConnection(c)
    const token = await refreshToken(deps, conn.id, u.id)
    return configuration(c, 200, token, {
      kind: 'warn',
      title: 'New token issued.',
      text: 'The previous token stopped working. Give this one to every script that used the old one.',
    })
  })

  app.post('/developers/connections/:id/capabilities', async (c) => {
    const f = await form(c)
    const { u, conn } = await loadConnection(c)
    const patch = capabilitiesFromForm(f)
    await updateCapabilities(deps, conn.id, u.id, patch)
    return c.redirect(`/developers/connections/${conn.id}?done=caps`, 303)
  })

  const sharesWithNames = async (connectionId: string, actorId: string) => {
    const shares = await listConnectionShares(deps, connectionId, actorId)
    const names = new Map<string, string | null>()
    for (const s of shares)
      if (!names.has(s.granted_by)) names.set(s.granted_by, (await findUser(deps.store.db, s.granted_by))?.name ?? null)
    return shares.map((s) => ({ ...s, granted_by_name: names.get(s.granted_by) ?? null }))
  }

  // Requests: the connection's journal entries (docs/emulator.md), for whoever may manage it.
  app.get('/developers/connections/:id/requests', async (c) => {
    const { conn, header } = await loadConnection(c)
    const status = c.req.query('status') === '4xx' || c.req.query('status') === '5xx' ? (c.req.query('status') as string) : ''
    const journal = s.opts.journal
    const entries = journal
      ? journal.list({ workspace: conn.workspace_id, caller: conn.id, limit: 100, ...(status ? { status } : {}) }).reverse()
      : []
    const body = requestsView({ connection: header, entries, journalSize: journal?.size ?? 0, faults: s.opts.faults?.() ?? [], status })
    return render(c, 200, `${conn.name} · Requests`, 'developers', developersSidebar('connections'), body)
  })

  app.get('/developers/connections/:id/content', async (c) => {
    const { u, conn, header } = await loadConnection(c)
    const shares = await sharesWithNames(conn.id, u.id)
    const body = contentAccessView({
      connection: header,
      workspaceId: conn.workspace_id,
      shares,
      csrf: c.get('csrf'),
      flash: flashFromQuery(c),
    })
    return render(c, 200, `${conn.name} · Content access`, 'developers', developersSidebar('connections'), body)
  })

  // Edit access lists only the pages the owner may add the connection to (full access: Notion's page
  // menu rule, decideConnectionShare); "included through" still names any shared ancestor they can see.
  const picker = async (c: PortalContext, status: number, flash: Flash | null) => {
    const { u, conn, header } = await loadConnection(c)
    const tree = await connectablePageTree(deps, conn.workspace_id, u.id)
    const seen = await visiblePageTree(deps, conn.workspace_id, u.id)
    const shares = await listConnectionShares(deps, conn.id, u.id)
    const direct = new Set(shares.map((s) => s.page_id))
    const byId = new Map(seen.map((n) => [n.id, n]))
    const coveredBy = new Map<string, string>()
    for (const n of tree) {
      for (let p = n.parent_id; p; p = byId.get(p)?.parent_id ?? null) {
        if (direct.has(p)) {
          coveredBy.set(n.id, byId.get(p)?.title || 'Untitled')
          break
        }
      }
    }
    const body = pagePickerView({ connection: header, tree, direct, coveredBy, q: c.req.query('q') ?? '', csrf: c.get('csrf'), flash })
    return render(c, status, `${conn.name} · Edit access`, 'developers', developersSidebar('connections'), body)
  }
  app.get('/developers/connections/:id/content/edit', (c) => picker(c, 200, null))

  app.post('/developers/connections/:id/content', async (c) => {
    const f = await form(c)
    const { u, conn } = await loadConnection(c)
    const listed = new Set(many(f, 'listed').map((id) => uuid(id, 'page')))
    const wanted = new Set(
      many(f, 'page')
        .map((id) => uuid(id, 'page'))
        .filter((id) => listed.has(id)),
    )
    const current = new Set((await listConnectionShares(deps, conn.id, u.id)).map((s) => s.page_id))
    let changes = 0
    try {
      // The form may name any page id: refuse the whole change, before any write, unless every listed
      // page is one the picker offers (the services check each page again).
      const offered = new Set((await connectablePageTree(deps, conn.workspace_id, u.id)).map((n) => n.id))
      if ([...listed].some((id) => !offered.has(id))) throw new DomainError('forbidden', NEEDS_FULL_ACCESS_MESSAGE)
      for (const id of wanted) {
        if (current.has(id)) continue
        await shareWithConnection(deps, conn.id, id, u.id)
        changes++
      }
      for (const id of listed) {
        if (!current.has(id) || wanted.has(id)) continue
        if ((await unshareFromConnection(deps, conn.id, id, u.id)).removed) changes++
      }
    } catch (e) {
      if (!(e instanceof DomainError)) throw e
      return picker(c, e.status, {
        kind: 'error',
        title: changes ? 'Some changes were saved, then one was refused.' : 'Access was not changed.',
        text: e.message,
      })
    }
    return c.redirect(`/developers/connections/${conn.id}/content?done=${changes ? 'shared' : 'unchanged'}`, 303)
  })

  app.post('/developers/connections/:id/content/:page/remove', async (c) => {
    await form(c)
    const { u, conn } = await loadConnection(c)
    await unshareFromConnection(deps, conn.id, uuid(c.req.param('page'), 'page'), u.id)
    return c.redirect(`/developers/connections/${conn.id}/content?done=removed`, 303)
  })
}
