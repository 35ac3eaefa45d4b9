import type { Hono } from 'hono'
import { DomainError } from '../../errors/domain-error.js'
import { setInstallPageShare } from '../../services/oauth/installs.js'
import { shareWithConnection, unshareFromConnection } from '../../services/connections.service.js'
import { connectionsToAdd, pageConnections } from '../../services/portal.service.js'
import { one } from '../form.js'
import type { PortalContext, PortalEnv } from '../session.js'
import type { PortalShell } from '../shell.js'
import type { ShowPage } from './page.js'

/**
 * A page's ••• → Connections panel (issue 5; docs/adr/0013-web-portal.md): add or remove an internal
 * connection (connections.service.ts) or an install of a public connection (services/oauth/installs.ts's
 * setInstallPageShare) on the page, as the signed-in person. A share inherited from an ancestor is
 * removed where it was granted. A refusal re-renders the panel with the service's message.
 */

/** Registers `POST /w/{ws}/pages/{id}/connections|installs` and their `…/{cid|iid}/remove`. */
export function pageConnectionsPanel(app: Hono<PortalEnv>, s: PortalShell, showPage: ShowPage): void {
  const { deps, user, form, uuid } = s

  /** A refused page action re-renders the Connections panel with the service's message. */
  const refusedOnPage = async (c: PortalContext, e: unknown, title: string) => {
    if (!(e instanceof DomainError) || e.code === 'not_found') throw e
    const u = user(c)
    const list = await pageConnections(deps, u.id, uuid(c.req.param('id'), 'page'))
    return showPage(c, e.status, { type: 'connections', list }, { kind: 'error', title, text: e.message })
  }

  app.post('/w/:ws/pages/:id/connections', async (c) => {
    const u = user(c)
    const f = await form(c)
    const pageId = uuid(c.req.param('id'), 'page')
    const cid = uuid(one(f, 'connection_id'), 'connection')
    try {
      const inWs = (await connectionsToAdd(deps, u.id, pageId)).some((x) => x.kind === 'internal' && x.id === cid)
      if (!inWs) throw new DomainError('not_found', 'No such connection in this workspace.')
      await shareWithConnection(deps, cid, pageId, u.id)
    } catch (e) {
      return refusedOnPage(c, e, 'The connection was not added.')
    }
    return c.redirect(`/w/${c.req.param('ws')}/pages/${pageId}?panel=connections&done=added#connections`, 303)
  })

  app.post('/w/:ws/pages/:id/connections/:cid/remove', async (c) => {
    const u = user(c)
    const f = await form(c)
    const pageId = uuid(c.req.param('id'), 'page')
    const cid = uuid(c.req.param('cid'), 'connection')
    const source = uuid(one(f, 'source_page_id'), 'page')
    try {
      // The person must see this page; the share is removed where it was granted (this page or an ancestor).
      const entry = (await pageConnections(deps, u.id, pageId)).find(
        (x) => x.kind === 'internal' && x.connection_id === cid && x.source_page_id === source,
      )
      if (!entry) throw new DomainError('not_found', 'That connection has no access to this page through that page any more.')
      await unshareFromConnection(deps, cid, source, u.id)
    } catch (e) {
      return refusedOnPage(c, e, 'The connection was not removed.')
    }
    return c.redirect(`/w/${c.req.param('ws')}/pages/${pageId}?panel=connections&done=removed#connections`, 303)
  })

  // An install of a public connection (OAuth) on a page: the same bot share as an internal connection,
  // through services/oauth/installs.ts's setInstallPageShare (full access on the page needed; audited
  // oauth.page_shared|page_unshared).
  app.post('/w/:ws/pages/:id/installs', async (c) => {
    const u = user(c)
    const f = await form(c)
    const pageId = uuid(c.req.param('id'), 'page')
    const iid = uuid(one(f, 'install_id'), 'install')
    try {
      const inWs = (await connectionsToAdd(deps, u.id, pageId)).some((x) => x.kind === 'public' && x.id === iid)
      if (!inWs) throw new DomainError('not_found', 'No such connection in this workspace.')
      await setInstallPageShare(deps, iid, pageId, u.id, true)
    } catch (e) {
      return refusedOnPage(c, e, 'The connection was not added.')
    }
    return c.redirect(`/w/${c.req.param('ws')}/pages/${pageId}?panel=connections&done=added#connections`, 303)
  })

  app.post('/w/:ws/pages/:id/installs/:iid/remove', async (c) => {
    const u = user(c)
    const f = await form(c)
    const pageId = uuid(c.req.param('id'), 'page')
    const iid = uuid(c.req.param('iid'), 'install')
    const source = uuid(one(f, 'source_page_id'), 'page')
    try {
      // As for internal connections: the share is removed where it was granted (this page or an ancestor).
      const entry = (await pageConnections(deps, u.id, pageId)).find(
        (x) => x.kind === 'public' && x.install_id === iid && x.source_page_id === source,
      )
      if (!entry) throw new DomainError('not_found', 'That connection has no access to this page through that page any more.')
      await setInstallPageShare(deps, iid, source, u.id, false)
    } catch (e) {
      return refusedOnPage(c, e, 'The connection was not removed.')
    }
    return c.redirect(`/w/${c.req.param('ws')}/pages/${pageId}?panel=connections&done=removed#connections`, 303)
  })
}
