import type { Hono } from 'hono'
import * as z from 'zod'
import { DomainError } from '../errors/domain-error.js'
import type { AppEnv } from '../http/context.js'
import type { Deps } from '../services/deps.js'
import {
  createSubscription,
  deleteSubscription,
  deliveryWorkspace,
  getDelivery,
  getSubscription,
  listDeliveryLog,
  listSubscriptions,
  redeliver,
  resendVerification,
  revealVerificationToken,
  sendTestEvent,
  setPaused,
  subscriptionWorkspace,
  updateSubscription,
  verifySubscription,
  webhookConnection,
} from '../services/webhooks/subscriptions.service.js'
import type { AdminHelpers } from './pats.routes.js'

/**
 * Webhook subscriptions on Octavo's admin API (`/_octavo/admin`), over
 * services/webhooks/subscriptions.service.ts (the CLI uses the same functions; docs/webhooks.md).
 * `connection_id` names an internal connection or a public connection (its `client_id`). Actions run
 * as `as` (e-mail or id; default the first owner of the connection's workspace) and need them to
 * manage the connection.
 *
 * | Method and path | Does |
 * |---|---|
 * | `POST /connections/{id}/webhooks` `{url, event_types, api_version?, auto_verify?, as?}` | create; `{subscription, verification_token?}` (the token only with `auto_verify`) |
 * | `GET /connections/{id}/webhooks` `?as` | the connection's subscriptions |
 * | `GET /webhooks/{id}` `?as` | one subscription |
 * | `PATCH /webhooks/{id}` `{url?, event_types?, api_version?, as?}` | change it (the URL only before verification) |
 * | `DELETE /webhooks/{id}` `?as` | delete it and its log |
 * | `POST /webhooks/{id}/verify` `{verification_token, as?}` | enter the handshake's token: active |
 * | `POST /webhooks/{id}/verification/resend` `{as?}` | send the handshake again |
 * | `GET /webhooks/{id}/verification-token` `?as` | the signing token of a verified subscription |
 * | `POST /webhooks/{id}/pause`, `/resume` `{as?}` | pause or resume deliveries |
 * | `POST /webhooks/{id}/test` `{as?}` | queue a test event |
 * | `GET /webhooks/{id}/deliveries` `?limit&cursor&as` | the delivery log, newest first |
 * | `GET /webhook-deliveries/{id}` `?as` | one delivery |
 * | `POST /webhook-deliveries/{id}/redeliver` `{as?}` | send a finished delivery again |
 */
export function registerWebhookAdminRoutes(app: Hono<AppEnv>, deps: Deps, h: AdminHelpers): void {
  const db = deps.store.db
  const As = z.strictObject({ as: z.string().optional() })
  const subActor = async (id: string, as: string | undefined) => h.actor(await subscriptionWorkspace(db, id), as)

  app.post('/connections/:connection_id/webhooks', async (c) => {
    const cid = h.id(c, 'connection_id')
    const b = await h.body(
      c,
      z.strictObject({
        url: z.string(),
        event_types: z.array(z.string()),
        api_version: z.string().optional(),
        auto_verify: z.boolean().optional(),
        as: z.string().optional(),
      }),
    )
    const { workspaceId } = await webhookConnection(db, cid)
    const res = await createSubscription(deps, {
      connectionId: cid,
      actorId: await h.actor(workspaceId, b.as),
      url: b.url,
      eventTypes: b.event_types,
      ...(b.api_version !== undefined ? { apiVersion: b.api_version } : {}),
      autoVerify: b.auto_verify ?? false,
    })
    return c.json(res, 201)
  })
  app.get('/connections/:connection_id/webhooks', async (c) => {
    const cid = h.id(c, 'connection_id')
    const { workspaceId } = await webhookConnection(db, cid)
    return c.json({ webhooks: await listSubscriptions(deps, cid, await h.actor(workspaceId, c.req.query('as'))) })
  })
  app.get('/webhooks/:webhook_id', async (c) => {
    const id = h.id(c, 'webhook_id')
    return c.json(await getSubscription(deps, id, await subActor(id, c.req.query('as'))))
  })
  app.patch('/webhooks/:webhook_id', async (c) => {
    const id = h.id(c, 'webhook_id')
    const b = await h.body(
      c,
      z.strictObject({
        url: z.string().optional(),
        event_types: z.array(z.string()).optional(),
        api_version: z.string().optional(),
        as: z.string().optional(),
      }),
    )
    return c.json(
      await updateSubscription(deps, id, await subActor(id, b.as), {
        ...(b.url !== undefined ? { url: b.url } : {}),
        ...(b.event_types !== undefined ? { eventTypes: b.event_types } : {}),
        ...(b.api_version !== undefined ? { apiVersion: b.api_version } : {}),
      }),
    )
  })
  app.delete('/webhooks/:webhook_id', async (c) => {
    const id = h.id(c, 'webhook_id')
    await deleteSubscription(deps, id, await subActor(id, c.req.query('as')))
    return c.json({ deleted: true })
  })
  app.post('/webhooks/:webhook_id/verify', async (c) => {
    const id = h.id(c, 'webhook_id')
    const b = await h.body(c, z.strictObject({ verification_token: z.string(), as: z.string().optional() }))
    return c.json(await verifySubscription(deps, id, await subActor(id, b.as), b.verification_token))
  })
  app.post('/webhooks/:webhook_id/verification/resend', async (c) => {
    const id = h.id(c, 'webhook_id')
    const b = await h.body(c, As)
    return c.json(await resendVerification(deps, id, await subActor(id, b.as)), 202)
  })
  app.get('/webhooks/:webhook_id/verification-token', async (c) => {
    const id = h.id(c, 'webhook_id')
    return c.json({ verification_token: await revealVerificationToken(deps, id, await subActor(id, c.req.query('as'))) })
  })
  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    app.post(`/webhooks/:webhook_id/${action}`, async (c) => {
      const id = h.id(c, 'webhook_id')
      const b = await h.body(c, As)
      return c.json(await setPaused(deps, id, await subActor(id, b.as), paused))
    })
  }
  app.post('/webhooks/:webhook_id/test', async (c) => {
    const id = h.id(c, 'webhook_id')
    const b = await h.body(c, As)
    return c.json(await sendTestEvent(deps, id, await subActor(id, b.as)), 202)
  })
  app.get('/webhooks/:webhook_id/deliveries', async (c) => {
    const id = h.id(c, 'webhook_id')
    const limitText = c.req.query('limit')
    const limit = limitText === undefined ? undefined : Number(limitText)
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 100))
      throw new DomainError('invalid_input', 'limit must be an integer from 1 to 100.')
    const cursor = c.req.query('cursor')
    return c.json(
      await listDeliveryLog(deps, id, await subActor(id, c.req.query('as')), {
        ...(limit !== undefined ? { limit } : {}),
        ...(cursor ? { cursor } : {}),
      }),
    )
  })
  app.get('/webhook-deliveries/:delivery_id', async (c) => {
    const id = h.id(c, 'delivery_id')
    return c.json(await getDelivery(deps, id, await h.actor(await deliveryWorkspace(db, id), c.req.query('as'))))
  })
  app.post('/webhook-deliveries/:delivery_id/redeliver', async (c) => {
    const id = h.id(c, 'delivery_id')
    const b = await h.body(c, As)
    return c.json(await redeliver(deps, id, await h.actor(await deliveryWorkspace(db, id), b.as)), 202)
  })
}
