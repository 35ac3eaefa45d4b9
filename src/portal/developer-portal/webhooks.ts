import type { Hono } from 'hono'
import { DomainError } from '../../errors/domain-error.js'
import { getConnection } from '../../services/connections.service.js'
import { workspacesOf } from '../../services/portal.service.js'
import { getPublicConnection } from '../../services/public-connections.service.js'
import {
  createSubscription,
  deleteSubscription,
  getDelivery,
  getSubscription,
  listDeliveryLog,
  listSubscriptions,
  redeliver,
  sendTestEvent,
  setPaused,
  verifySubscription,
} from '../../services/webhooks/subscriptions.service.js'
import { many, one } from '../form.js'
import type { PortalContext, PortalEnv } from '../session.js'
import { flashFromQuery } from '../notices.js'
import type { PortalShell } from '../shell.js'
import type { Html } from '../views/layout.js'
import { developersSidebarWithPublic, publicConnectionHead } from '../views/oauth.js'
import { connectionHead, developersSidebar, type Flash } from '../views/screens.js'
import { deliveriesView, webhooksView } from '../views/webhooks.js'

/**
 * Developer portal → a connection → Webhooks (issue 17; docs/webhooks.md), for internal connections
 * (`/developers/connections/{id}/webhooks…`) and public ones (`/developers/public-connections/{id}/webhooks…`):
 * the connection's subscriptions, a creation form, verification with the token the endpoint received,
 * pause/resume, test events, deletion, and each subscription's delivery log with redelivery. Every
 * action is a subscriptions.service call as the signed-in person (an owner of an internal connection's
 * workspace; a public connection's registrant or an owner of its workspace); a refusal shows the
 * service's message. Notices after a redirect come from the shared table (`notices.ts`, `webhook_*` codes).
 */

/** What differs between the two kinds of connection: where the tab lives, its header and sidebar. */
interface WebhooksHost {
  /** The route prefix of a connection, with `:id`. */
  route: string
  /** The connection (checking the person may see it) and the tab's header. */
  load(c: PortalContext, userId: string): Promise<{ id: string; name: string; head: Html }>
  sidebar: Html
}

/** Internal connections: `/developers/connections/{id}/webhooks…`. */
export function connectionWebhooks(app: Hono<PortalEnv>, s: PortalShell): void {
  webhooksTab(app, s, {
    route: '/developers/connections/:id',
    sidebar: developersSidebar('connections'),
    load: async (c, userId) => {
      const conn = await getConnection(s.deps, s.uuid(c.req.param('id'), 'connection'), userId)
      const ws = (await workspacesOf(s.deps, userId)).find((w) => w.id === conn.workspace_id)
      const header = { id: conn.id, name: conn.name, icon: conn.icon, workspaceName: ws?.name ?? '' }
      return { id: conn.id, name: conn.name, head: connectionHead(header, 'webhooks') }
    },
  })
}

/** Public connections: `/developers/public-connections/{id}/webhooks…` (registered in the OAuth area). */
export function publicConnectionWebhooks(app: Hono<PortalEnv>, s: PortalShell): void {
  webhooksTab(app, s, {
    route: '/developers/public-connections/:id',
    sidebar: developersSidebarWithPublic('public'),
    load: async (c, userId) => {
      const conn = await getPublicConnection(s.deps, s.uuid(c.req.param('id'), 'public connection'), userId)
      return { id: conn.id, name: conn.name, head: publicConnectionHead(conn, 'webhooks') }
    },
  })
}

function webhooksTab(app: Hono<PortalEnv>, s: PortalShell, host: WebhooksHost): void {
  const { deps, user, form, uuid } = s
  const render = (c: PortalContext, status: number, title: string, body: Html) =>
    s.render(c, status, title, 'developers', host.sidebar, body)
  const tab = `${host.route}/webhooks`

  const load = async (c: PortalContext) => {
    const u = user(c)
    const conn = await host.load(c, u.id)
    return { u, conn, base: `${host.route.replace(':id', conn.id)}/webhooks` }
  }
  /** A subscription of this connection (another connection's is "not found"). */
  const loadSub = async (c: PortalContext) => {
    const ctx = await load(c)
    const sub = await getSubscription(deps, uuid(c.req.param('sub'), 'webhook subscription'), ctx.u.id)
    if (sub.connection.id !== ctx.conn.id) throw new DomainError('not_found', 'No webhook subscription with that id.')
    return { ...ctx, sub }
  }

  const list = async (c: PortalContext, status: number, f: Flash | null, values?: Parameters<typeof webhooksView>[0]['values']) => {
    const { u, conn, base } = await load(c)
    const subscriptions = await listSubscriptions(deps, conn.id, u.id)
    const body = webhooksView({ head: conn.head, base, subscriptions, csrf: c.get('csrf'), flash: f, ...(values ? { values } : {}) })
    return render(c, status, `${conn.name} · Webhooks`, body)
  }
  app.get(tab, (c) => list(c, 200, flashFromQuery(c)))

  app.post(tab, async (c) => {
    const f = await form(c)
    const { u, conn, base } = await load(c)
    const values = {
      url: one(f, 'url'),
      events: many(f, 'event'),
      apiVersion: one(f, 'api_version'),
      autoVerify: one(f, 'auto_verify') === '1',
    }
    try {
      await createSubscription(deps, {
        connectionId: conn.id,
        actorId: u.id,
        url: values.url,
        eventTypes: values.events,
        apiVersion: values.apiVersion || '2026-03-11',
        autoVerify: values.autoVerify,
      })
    } catch (e) {
      if (!(e instanceof DomainError)) throw e
      return list(c, e.status, { kind: 'error', title: 'The subscription was not created.', text: e.message }, values)
    }
    return c.redirect(`${base}?done=webhook_created`, 303)
  })

  app.post(`${tab}/:sub/verify`, async (c) => {
    const f = await form(c)
    const { u, sub, base } = await loadSub(c)
    try {
      await verifySubscription(deps, sub.id, u.id, one(f, 'verification_token').trim())
    } catch (e) {
      if (!(e instanceof DomainError)) throw e
      return list(c, e.status, { kind: 'error', title: 'Not verified.', text: e.message })
    }
    return c.redirect(`${base}?done=webhook_verified`, 303)
  })

  for (const [action, done] of [
    ['pause', 'webhook_paused'],
    ['resume', 'webhook_resumed'],
    ['test', 'webhook_tested'],
    ['delete', 'webhook_deleted'],
  ] as const) {
    app.post(`${tab}/:sub/${action}`, async (c) => {
      await form(c)
      const { u, sub, base } = await loadSub(c)
      if (action === 'pause' || action === 'resume') await setPaused(deps, sub.id, u.id, action === 'pause')
      else if (action === 'test') await sendTestEvent(deps, sub.id, u.id)
      else await deleteSubscription(deps, sub.id, u.id)
      return c.redirect(`${base}?done=${done}`, 303)
    })
  }

  app.post(`${tab}/deliveries/:delivery/redeliver`, async (c) => {
    await form(c)
    const { u, conn, base } = await load(c)
    const d = await getDelivery(deps, uuid(c.req.param('delivery'), 'delivery'), u.id)
    const sub = await getSubscription(deps, d.subscription_id, u.id)
    if (sub.connection.id !== conn.id) throw new DomainError('not_found', 'No delivery with that id.')
    await redeliver(deps, d.id, u.id)
    return c.redirect(`${base}/${sub.id}?done=webhook_redelivered`, 303)
  })

  app.get(`${tab}/:sub`, async (c) => {
    const { u, conn, sub, base } = await loadSub(c)
    const { deliveries } = await listDeliveryLog(deps, sub.id, u.id, { limit: 100 })
    const body = deliveriesView({ head: conn.head, base, subscription: sub, deliveries, csrf: c.get('csrf'), flash: flashFromQuery(c) })
    return render(c, 200, `${conn.name} · Deliveries`, body)
  })
}
