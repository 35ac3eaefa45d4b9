import type { Hono } from 'hono'
import { parseId } from '../../domain/ids.js'
import { DomainError } from '../../errors/domain-error.js'
import { listOwnInstalls, listWorkspaceInstalls, removeInstall } from '../../services/oauth/installs.js'
import { workspacesOf } from '../../services/portal.service.js'
import {
  deletePublicConnection,
  describeCapabilities,
  getPublicConnection,
  listPublicConnections,
  refreshClientSecret,
  registerPublicConnection,
  revealClientSecret,
} from '../../services/public-connections.service.js'
import { capabilitiesFromForm, one } from '../form.js'
import type { PortalContext, PortalEnv } from '../session.js'
import type { PortalShell } from '../shell.js'
import type { Html } from '../views/layout.js'
import {
  developersSidebarWithPublic,
  newPublicConnectionView,
  publicConnectionView,
  publicConnectionsView,
  type OAuthFlash,
} from '../views/oauth.js'

/**
 * Developer portal → Public connections (issue 8; docs/adr/0014-oauth-public-connections.md):
 * `/developers/public-connections[/new|/{id}]` — register, configure, reveal and refresh the client
 * secret, delete; and the installs: the person's own, and every install of the workspaces they own,
 * each removable (`POST /developers/installs/{id}/remove`). Every action is a
 * public-connections.service / services/oauth call; a refusal shows the service's message.
 */

/** Registers `/developers/public-connections…` and `/developers/installs/{id}/remove`. */
export function publicConnections(app: Hono<PortalEnv>, s: PortalShell): void {
  const { deps, opts, user, form } = s
  const render = (c: PortalContext, status: number, title: string, body: Html) =>
    s.render(c, status, title, 'developers', developersSidebarWithPublic('public'), body)

  const flashes: Record<string, OAuthFlash> = {
    removed: { kind: 'ok', text: 'Install removed. Its tokens stopped working and its bot lost access to every page.' },
    deleted: { kind: 'ok', text: 'Public connection deleted, with every install.' },
  }

  app.get('/developers/public-connections', async (c) => {
    const u = user(c)
    const workspaces = await workspacesOf(deps, u.id)
    const workspaceInstalls = []
    for (const w of workspaces.filter((x) => x.role === 'owner'))
      workspaceInstalls.push({ id: w.id, name: w.name, installs: await listWorkspaceInstalls(deps, w.id, u.id) })
    const body = publicConnectionsView({
      connections: await listPublicConnections(deps, u.id),
      ownInstalls: await listOwnInstalls(deps, u.id),
      workspaceInstalls,
      csrf: c.get('csrf'),
      flash: flashes[c.req.query('done') ?? ''] ?? null,
    })
    return render(c, 200, 'Public connections', body)
  })

  const newForm = async (
    c: PortalContext,
    status: number,
    values: { workspace: string; name: string; icon: string; redirect_uris: string; template: string },
    flash: OAuthFlash | null,
  ) => {
    const u = user(c)
    const workspaces = (await workspacesOf(deps, u.id)).map((w) => ({ id: w.id, name: w.name, role: w.role }))
    return render(c, status, 'Register a public connection', newPublicConnectionView({ workspaces, values, csrf: c.get('csrf'), flash }))
  }
  app.get('/developers/public-connections/new', (c) =>
    newForm(c, 200, { workspace: '', name: '', icon: '', redirect_uris: '', template: '' }, null),
  )

  app.post('/developers/public-connections', async (c) => {
    const u = user(c)
    const f = await form(c)
    const values = {
      workspace: one(f, 'workspace_id'),
      name: one(f, 'name'),
      icon: one(f, 'icon').trim(),
      redirect_uris: one(f, 'redirect_uris'),
      template: one(f, 'template_page_id').trim(),
    }
    try {
      const capabilities = capabilitiesFromForm(f, 'none')
      const ws = parseId(values.workspace)
      if (!ws || !(await workspacesOf(deps, u.id)).some((w) => w.id === ws))
        throw new DomainError('not_found', 'You are not a member of that workspace.')
      let template: string | null = null
      if (values.template) {
        template = parseId(values.template) ?? null
        if (!template) throw new DomainError('invalid_input', 'The template page id is not a page id.')
      }
      const created = await registerPublicConnection(deps, {
        workspaceId: ws,
        actorId: u.id,
        name: values.name,
        icon: values.icon || null,
        redirectUris: values.redirect_uris.split(/\r?\n/),
        capabilities,
        templatePageId: template,
      })
      return configure(c, 200, created.connection.id, created.client_secret, {
        kind: 'ok',
        title: 'Public connection registered.',
        text: 'Copy its client secret now, or reveal it again later here.',
      })
    } catch (e) {
      if (!(e instanceof DomainError) || e.code === 'unauthorized') throw e
      return newForm(c, e.status, values, { kind: 'error', title: 'The connection was not registered.', text: e.message })
    }
  })

  const idParam = (c: PortalContext) => {
    const id = parseId(c.req.param('id') ?? '')
    if (!id) throw new DomainError('not_found', 'No public connection with that id.')
    return id
  }
  const configure = async (c: PortalContext, status: number, id: string, secret: string | null, flash: OAuthFlash | null) => {
    const u = user(c)
    const conn = await getPublicConnection(deps, id, u.id)
    return render(
      c,
      status,
      conn.name,
      publicConnectionView({
        connection: conn,
        capabilities: describeCapabilities(conn.capabilities),
        publicUrl: opts.publicUrl.replace(/\/$/, ''),
        secret,
        csrf: c.get('csrf'),
        flash,
      }),
    )
  }
  app.get('/developers/public-connections/:id', (c) => configure(c, 200, idParam(c), null, null))
  app.post('/developers/public-connections/:id/secret/reveal', async (c) => {
    await form(c)
    const secret = await revealClientSecret(deps, idParam(c), user(c).id)
    return configure(c, 200, idParam(c), secret, null)
  })
  app.post('/developers/public-connections/:id/secret/refresh', async (c) => {
    await form(c)
    const secret = await refreshClientSecret(deps, idParam(c), user(c).id)
    return configure(c, 200, idParam(c), secret, {
      kind: 'warn',
      title: 'New client secret issued.',
      text: 'The previous secret stopped working. Issued tokens keep working.',
    })
  })
  app.post('/developers/public-connections/:id/delete', async (c) => {
    await form(c)
    await deletePublicConnection(deps, idParam(c), user(c).id)
    return c.redirect('/developers/public-connections?done=deleted', 303)
  })
  app.post('/developers/installs/:id/remove', async (c) => {
    await form(c)
    const id = parseId(c.req.param('id') ?? '')
    if (!id) throw new DomainError('not_found', 'No install with that id.')
    await removeInstall(deps, id, user(c).id)
    return c.redirect('/developers/public-connections?done=removed', 303)
  })
}
