import type { Hono } from 'hono'
import { DomainError } from '../../errors/domain-error.js'
import { getConnection } from '../../services/connections.service.js'
import { workspacesOf } from '../../services/portal.service.js'
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
import type { PortalShell } from '../shell.js'
import { developersSidebar, type Flash } from '../views/screens.js'
import { deliveriesView, webhooksView } from '../views/webhooks.js'

/**
 * Developer portal → an internal connection → Webhooks (issue 17; docs/webhooks.md): its subscriptions,
 * a creation form, verification with the token the endpoint received, pause/resume, test events,
 * deletion, and each subscription's delivery log with redelivery. Every action is a
 * subscriptions.service call as the signed-in person (an owner of the connection's workspace); a
 * refusal shows the service's message.
 */
export function connectionWebhooks(app: Hono<PortalEnv>, s: PortalShell): void {
  const { deps, user, render, form, uuid } = s

  const load = async (c: PortalContext) => {
    const u = user(c)
    const conn = await getConnection(deps, uuid(c.req.param('id'), 'connection'), u.id)
    const ws = (await workspacesOf(deps, u.id)).find((w) => w.id === conn.workspace_id)
    return { u, conn, header: { id: conn.id, name: conn.name, icon: conn.icon, workspaceName: ws?.name ?? '' } }
  }
  /** A subscription of this connection (another connection's is "not found"). */
  const loadSub = async (c: PortalContext) => {
    const ctx = await load(c)
    const sub = await getSubscription(deps, uuid(c.req.param('sub'), 'webhook subscription'), ctx.u.id)
    if (sub.connection.id !== ctx.conn.id) throw new DomainError('not_found', 'No webhook subscription with that id.')
    return { ...ctx, sub }
  }
  const DONE: Record<string, Flash> = {
    created: { kind: 'ok', text: 'Subscription created. The endpoint received its verification token.' },
    verified: { kind: 'ok', text: 'Subscription verified: deliveries start now.' },
    paused: { kind: 'ok', text: 'Subscription paused.' },
    resumed: { kind: 'ok', text: 'Subscription resumed.' },
    tested: { kind: 'ok', text: 'Test event queued.' },
    deleted: { kind: 'ok', text: 'Subscription deleted.' },
    redelivered: { kind: 'ok', text: 'Delivery queued again.' },
  }
  const flash = (c: PortalContext) => DONE[c.req.query('done') ?? ''] ?? null

  const list = async (c: PortalContext, status: number, f: Flash | null, values?: Parameters<typeof webhooksView>[0]['values']) => {
    const { u, conn, header } = await load(c)
    const subscriptions = await listSubscriptions(deps, conn.id, u.id)
    const body = webhooksView({ connection: header, subscriptions, csrf: c.get('csrf'), flash: f, ...(values ? { values } : {}) })
    return render(c, status, `${conn.name} · Webhooks`, 'developers', developersSidebar('connections'), body)
  }
  app.get('/developers/connections/:id/webhooks', (c) => list(c, 200, flash(c)))

  app.post('/developers/connections/:id/webhooks', async (c) => {
    const f = await form(c)
    const { u, conn } = await load(c)
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
    return c.redirect(`/developers/connections/${conn.id}/webhooks?done=created`, 303)
  })

  app.post('/developers/connections/:id/webhooks/:sub/verify', async (c) => {
    const f = await form(c)
    const { u, conn, sub } = await loadSub(c)
    try {
      await verifySubscription(deps, sub.id, u.id, one(f, 'verification_token').trim())
    } catch (e) {
      if (!(e instanceof DomainError)) throw e
      return list(c, e.status, { kind: 'error', title: 'Not verified.', text: e.message })
    }
    return c.redirect(`/developers/connections/${conn.id}/webhooks?done=verified`, 303)
  })

  for (const [action, done] of [
    ['pause', 'paused'],
    ['resume', 'resumed'],
    ['test', 'tested'],
    ['delete', 'deleted'],
  ] as const) {
    app.post(`/developers/connections/:id/webhooks/:sub/${action}`, async (c) => {
      await form(c)
      const { u, conn, sub } = await loadSub(c)
      if (action === 'pause' || action === 'resume') await setPaused(deps, sub.id, u.id, action === 'pause')
      else if (action === 'test') await sendTestEvent(deps, sub.id, u.id)
      else await deleteSubscription(deps, sub.id, u.id)
      return c.redirect(`/developers/connections/${conn.id}/webhooks?done=${done}`, 303)
    })
  }

  app.post('/developers/connections/:id/webhooks/deliveries/:delivery/redeliver', async (c) => {
    await form(c)
    const { u, conn } = await load(c)
    const d = await getDelivery(deps, uuid(c.req.param('delivery'), 'delivery'), u.id)
    const sub = await getSubscription(deps, d.subscription_id, u.id)
    if (sub.connection.id !== conn.id) throw new DomainError('not_found', 'No delivery with that id.')
    await redeliver(deps, d.id, u.id)
    return c.redirect(`/developers/connections/${conn.id}/webhooks/${sub.id}?done=redelivered`, 303)
  })

  app.get('/developers/connections/:id/webhooks/:sub', async (c) => {
    const { u, conn, header, sub } = await loadSub(c)
    const { deliveries } = await listDeliveryLog(deps, sub.id, u.id, { limit: 100 })
    const body = deliveriesView({ connection: header, subscription: sub, deliveries, csrf: c.get('csrf'), flash: flash(c) })
    return render(c, 200, `${conn.name} · Deliveries`, 'developers', developersSidebar('connections'), body)
  })
}
