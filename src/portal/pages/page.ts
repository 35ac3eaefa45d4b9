import type { Hono } from 'hono'
import { DomainError } from '../../errors/domain-error.js'
import { connectionsToAdd, pageConnections, readPage, visiblePageTree } from '../../services/portal.service.js'
import { flashFromQuery } from '../notices.js'
import type { PortalContext, PortalEnv } from '../session.js'
import type { PortalShell } from '../shell.js'
import { emptyWorkspaceBody, pageView, pagesSidebar, type Panel } from '../views/pages.js'
import type { Flash } from '../views/screens.js'
import { sharePanel } from './share.js'

/**
 * Pages (issue 5; docs/adr/0013-web-portal.md): `/w?workspace=` and `/w/{ws}` (to the workspace's first
 * visible page), and a page (`/w/{ws}/pages/{id}`): the sidebar's page tree, the read-only page, and its
 * panels: `?panel=connections` (••• → Connections), `add` and `confirm` (adding a connection),
 * `share` (the Share panel). The panels' forms are pages/connections.ts and pages/share.ts, which
 * re-render the page through `ShowPage` when a service refuses.
 */

/** Renders the page of the request's `ws` and `id` with `panel` (null → the `?panel=` one) and a notice. */
export type ShowPage = (c: PortalContext, status: number, panelOverride: Panel | null, flash: Flash | null) => Promise<Response>

/** Registers `/w`, `/w/{ws}` and `/w/{ws}/pages/{id}`; returns the page's renderer for its panels' forms. */
export function page(app: Hono<PortalEnv>, s: PortalShell): ShowPage {
  const { deps, user, choices, render, uuid } = s

  app.get('/w', async (c) => {
    user(c)
    return c.redirect(`/w/${uuid(c.req.query('workspace'), 'workspace')}`, 303)
  })

  app.get('/w/:ws', async (c) => {
    const u = user(c)
    const ws = uuid(c.req.param('ws'), 'workspace')
    const workspaces = await choices(u)
    const current = workspaces.find((w) => w.id === ws)
    if (!current) throw new DomainError('not_found', 'This workspace does not exist, or you are not a member of it.')
    const tree = await visiblePageTree(deps, ws, u.id)
    if (tree[0]) return c.redirect(`/w/${ws}/pages/${tree[0].id}`, 303)
    return render(
      c,
      200,
      current.name,
      'pages',
      pagesSidebar({ workspaces, workspaceId: ws, tree, current: null }),
      emptyWorkspaceBody(current.name),
      ws,
    )
  })

  const showPage = async (c: PortalContext, status: number, panelOverride: Panel | null, flash: Flash | null) => {
    const u = user(c)
    const ws = uuid(c.req.param('ws'), 'workspace')
    const pageId = uuid(c.req.param('id'), 'page')
    const wantView = c.req.query('view')
    const page = await readPage(deps, u.id, pageId, 1000, wantView && /^[0-9a-f-]{32,36}$/i.test(wantView) ? wantView : undefined)
    if (page.node.workspace_id !== ws) return c.redirect(`/w/${page.node.workspace_id}/pages/${pageId}`, 303)
    let panel: Panel = panelOverride ?? { type: 'none' }
    if (!panelOverride) {
      const which = c.req.query('panel')
      if (which === 'connections') panel = { type: 'connections', list: await pageConnections(deps, u.id, pageId) }
      else if (which === 'share') panel = { type: 'share', share: await sharePanel(deps, u.id, pageId) }
      else if (which === 'add') {
        // Only someone who may add connections to this page sees the workspace's connections.
        const q = c.req.query('q') ?? ''
        try {
          const candidates = await connectionsToAdd(deps, u.id, pageId, q)
          const connected = new Set((await pageConnections(deps, u.id, pageId)).map((x) => x.install_id ?? x.connection_id))
          panel = { type: 'add', q, candidates, connected }
        } catch (e) {
          if (!(e instanceof DomainError) || e.code !== 'forbidden') throw e
          return showPage(
            c,
            e.status,
            { type: 'connections', list: await pageConnections(deps, u.id, pageId) },
            { kind: 'error', title: 'You cannot add connections to this page.', text: e.message },
          )
        }
      } else if (which === 'confirm') {
        // `connection=<id>` (internal) or `install=<id>` (an install of a public connection).
        const kind = c.req.query('install') !== undefined ? 'public' : 'internal'
        const cid = kind === 'public' ? uuid(c.req.query('install'), 'install') : uuid(c.req.query('connection'), 'connection')
        const found = (await connectionsToAdd(deps, u.id, pageId)).find((x) => x.kind === kind && x.id === cid)
        if (!found) throw new DomainError('not_found', 'No such connection in this workspace.')
        panel = { type: 'confirm', connection: found }
      }
    }
    const workspaces = await choices(u)
    const tree = await visiblePageTree(deps, ws, u.id)
    const body = pageView({
      workspaceId: ws,
      workspaceName: workspaces.find((w) => w.id === ws)?.name ?? '',
      page: {
        id: pageId,
        title: page.title,
        emoji: page.emoji,
        object: page.node.type === 'child_database' ? 'database' : 'page',
        blocks: page.blocks,
        truncated: page.truncated,
        ancestors: page.ancestors,
        rows: page.rows,
        views: page.views,
        view: page.view,
      },
      panel,
      csrf: c.get('csrf'),
      flash,
    })
    return render(
      c,
      status,
      page.title || 'Untitled',
      'pages',
      pagesSidebar({ workspaces, workspaceId: ws, tree, current: pageId }),
      body,
      ws,
    )
  }
  app.get('/w/:ws/pages/:id', (c) => showPage(c, 200, null, flashFromQuery(c)))

  return showPage
}
