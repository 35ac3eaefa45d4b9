import { timingSafeEqual } from 'node:crypto'
import { newVerificationToken } from '../../auth/webhook-signature.js'
import { isoNow } from '../../domain/clock.js'
import { newId } from '../../domain/ids.js'
import { WEBHOOK_API_VERSIONS, WEBHOOK_EVENTS, isWebhookApiVersion } from '../../domain/webhooks.js'
import { DomainError } from '../../errors/domain-error.js'
import { principalOf } from '../../permissions/roles.js'
import { findConnection } from '../../storage/repositories/connections.repository.js'
import { lastEventSeq } from '../../storage/repositories/events.repository.js'
import { findPublicConnection } from '../../storage/repositories/public-connections.repository.js'
import * as repo from '../../storage/repositories/webhooks.repository.js'
import type { Db } from '../../storage/store.js'
import { getConnection } from '../connections.service.js'
import type { Deps } from '../deps.js'
import { getPublicConnection } from '../public-connections.service.js'
import { newDelivery, tokenContext } from './delivery.js'

/**
 * Webhook subscriptions, as Notion's connection → Webhooks tab manages them
 * (docs/reference/notion-api-2026.md §7.1), for the admin API, the CLI and the portal alike. A
 * subscription belongs to an internal connection (managed by the workspace's owners,
 * `decideConnectionManage`) or a public connection (its registrant or an owner of its workspace,
 * `decideManagePublicConnection`): every function checks that `actorId` manages it.
 *
 * Lifecycle: created `pending_verification` (or `active` with `autoVerify`), a handshake POST
 * `{"verification_token": "secret_…"}` goes to the URL; `verify` with that token makes it `active`;
 * `pause` / `resume`; the URL changes only before verification; event types and `api_version` any
 * time. Errors: DomainError `not_found`, `forbidden`, `invalid_input`.
 */

/** The public view of a subscription: never the verification token. */
export function presentSubscription(s: repo.SubscriptionRow) {
  return {
    object: 'webhook_subscription' as const,
    id: s.id,
    connection: { id: s.connection_id, kind: s.connection_kind },
    workspace_id: s.workspace_id,
    url: s.url,
    event_types: JSON.parse(s.event_types) as string[],
    api_version: s.api_version,
    status: s.status,
    auto_verify: s.auto_verify === 1,
    created_time: s.created_time,
    verified_time: s.verified_time,
  }
}
export type PresentedSubscription = ReturnType<typeof presentSubscription>

/** The public view of a delivery (log entry): the last attempt's outcome and body (never a handshake's). */
export function presentDelivery(d: repo.DeliveryRow) {
  return {
    object: 'webhook_delivery' as const,
    id: d.id,
    subscription_id: d.subscription_id,
    kind: d.kind,
    type: d.type,
    entity: d.entity_id ? { id: d.entity_id, type: d.entity_type } : null,
    timestamp: d.timestamp,
    status: d.status,
    attempts: d.attempts,
    next_attempt_time: d.status === 'pending' ? d.next_attempt_time : null,
    last_attempt:
      d.last_attempt_time === null
        ? null
        : { time: d.last_attempt_time, status_code: d.last_status_code, duration_ms: d.last_duration_ms, error: d.last_error },
    payload: d.last_payload ? (JSON.parse(d.last_payload) as unknown) : null,
    created_time: d.created_time,
  }
}
export type PresentedDelivery = ReturnType<typeof presentDelivery>

/** Which connection an id names, and the workspace it belongs to (for `as`). @throws DomainError not_found */
export async function webhookConnection(db: Db, connectionId: string): Promise<{ kind: 'internal' | 'public'; workspaceId: string }> {
  const c = await findConnection(db, connectionId)
  if (c) return { kind: 'internal', workspaceId: c.workspace_id }
  const p = await findPublicConnection(db, connectionId)
  if (p) return { kind: 'public', workspaceId: p.workspace_id }
  throw new DomainError('not_found', `No connection with id ${connectionId}.`)
}

/** The workspace of a subscription's connection (for `as`). @throws DomainError not_found */
export async function subscriptionWorkspace(db: Db, subscriptionId: string): Promise<string> {
  return (await loadSubscription(db, subscriptionId)).workspace_id
}

/** The workspace of a delivery's subscription (for `as`). @throws DomainError not_found */
export async function deliveryWorkspace(db: Db, deliveryId: string): Promise<string> {
  const d = await repo.findDelivery(db, deliveryId)
  if (!d) throw new DomainError('not_found', `No webhook delivery with id ${deliveryId}.`)
  return subscriptionWorkspace(db, d.subscription_id)
}

async function loadSubscription(db: Db, id: string): Promise<repo.SubscriptionRow> {
  const s = await repo.findSubscription(db, id)
  if (!s) throw new DomainError('not_found', `No webhook subscription with id ${id}.`)
  return s
}

/** @throws DomainError forbidden | not_found unless `actorId` manages the connection */
async function requireManager(deps: Deps, kind: 'internal' | 'public', connectionId: string, actorId: string): Promise<void> {
  if (kind === 'internal') await getConnection(deps, connectionId, actorId)
  else await getPublicConnection(deps, connectionId, actorId)
}

async function loadManaged(deps: Deps, id: string, actorId: string): Promise<repo.SubscriptionRow> {
  const s = await loadSubscription(deps.store.db, id)
  await requireManager(deps, s.connection_kind, s.connection_id, actorId)
  return s
}

/**
 * An endpoint URL: absolute `http` or `https`, no credentials, at most 2,000 characters. Whether the
 * address may be private is the sender's check (`OCTAVO_WEBHOOK_ALLOW_PRIVATE`).
 * @throws DomainError invalid_input
 */
export function validateEndpointUrl(url: string): string {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new DomainError('invalid_input', `The endpoint URL ${JSON.stringify(url)} is not a valid URL.`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new DomainError('invalid_input', 'The endpoint URL must use http or https.')
  if (u.username || u.password) throw new DomainError('invalid_input', 'The endpoint URL must not carry credentials.')
  if (url.length > 2000) throw new DomainError('invalid_input', 'The endpoint URL is longer than 2,000 characters.')
  return u.toString()
}

/** A non-empty list of known event types, without repeats. @throws DomainError invalid_input */
export function validateEventTypes(types: string[]): string[] {
  if (types.length === 0) throw new DomainError('invalid_input', 'Choose at least one event type.')
  const unknown = types.filter((t) => !(t in WEBHOOK_EVENTS))
  if (unknown.length) throw new DomainError('invalid_input', `Unknown event type ${unknown.join(', ')}.`)
  return [...new Set(types)]
}

function validateApiVersion(v: string): string {
  if (!isWebhookApiVersion(v)) throw new DomainError('invalid_input', `api_version must be one of ${WEBHOOK_API_VERSIONS.join(', ')}.`)
  return v
}

export interface CreateSubscriptionInput {
  connectionId: string
  actorId: string
  url: string
  eventTypes: string[]
  /** Default `2026-03-11`, the newest. */
  apiVersion?: string
  /** Active at once, without entering the token back (for tests and scripts). */
  autoVerify?: boolean
}

/**
 * Creates a subscription and queues its handshake POST. With `autoVerify` the subscription is active
 * at once and the answer carries its `verification_token` (so a script can check signatures);
 * otherwise the token reaches only the endpoint, as in Notion.
 * @throws DomainError not_found | forbidden | invalid_input
 */
export async function createSubscription(
  deps: Deps,
  input: CreateSubscriptionInput,
): Promise<{ subscription: PresentedSubscription; verification_token?: string }> {
  const { kind, workspaceId } = await webhookConnection(deps.store.db, input.connectionId)
  await requireManager(deps, kind, input.connectionId, input.actorId)
  const url = validateEndpointUrl(input.url)
  const eventTypes = validateEventTypes(input.eventTypes)
  const apiVersion = validateApiVersion(input.apiVersion ?? '2026-03-11')
  const time = isoNow(deps.clock)
  const id = newId()
  const token = newVerificationToken()
  return deps.store.transaction(async (trx) => {
    const row: repo.SubscriptionRow = {
      id,
      workspace_id: workspaceId,
      connection_kind: kind,
      connection_id: input.connectionId,
      url,
      event_types: JSON.stringify(eventTypes),
      api_version: apiVersion,
      status: input.autoVerify ? 'active' : 'pending_verification',
      auto_verify: input.autoVerify ? 1 : 0,
      token_sealed: deps.secrets.encrypt(token, tokenContext(id)),
      start_seq: await lastEventSeq(trx),
      created_by: input.actorId,
      created_time: time,
      verified_time: input.autoVerify ? time : null,
    }
    await repo.insertSubscription(trx, row, { actor: principalOf.user(input.actorId), time })
    await repo.insertDeliveries(trx, [handshake(row, time)])
    return { subscription: presentSubscription(row), ...(input.autoVerify ? { verification_token: token } : {}) }
  })
}

function handshake(sub: repo.SubscriptionRow, time: string): repo.DeliveryRow {
  return newDelivery(sub, {
    kind: 'verification',
    type: 'verification',
    workspaceId: sub.workspace_id,
    entity: null,
    accessId: null,
    timestamp: time,
    authors: [],
    data: null,
    dueMs: Date.now(),
  })
}

/** The subscriptions of a connection. @throws DomainError not_found | forbidden */
export async function listSubscriptions(deps: Deps, connectionId: string, actorId: string): Promise<PresentedSubscription[]> {
  const { kind } = await webhookConnection(deps.store.db, connectionId)
  await requireManager(deps, kind, connectionId, actorId)
  return (await repo.listSubscriptionsOfConnection(deps.store.db, connectionId)).map(presentSubscription)
}

/** One subscription. @throws DomainError not_found | forbidden */
export async function getSubscription(deps: Deps, id: string, actorId: string): Promise<PresentedSubscription> {
  return presentSubscription(await loadManaged(deps, id, actorId))
}

/**
 * Changes the URL (only before verification, as in Notion), the event types or the `api_version`.
 * @throws DomainError not_found | forbidden | invalid_input
 */
export async function updateSubscription(
  deps: Deps,
  id: string,
  actorId: string,
  patch: { url?: string; eventTypes?: string[]; apiVersion?: string },
): Promise<PresentedSubscription> {
  const sub = await loadManaged(deps, id, actorId)
  const next: repo.SubscriptionPatch = {}
  if (patch.url !== undefined) {
    const url = validateEndpointUrl(patch.url)
    if (url !== sub.url && sub.status !== 'pending_verification')
      throw new DomainError('invalid_input', 'The URL of a verified subscription cannot change; delete it and create a new one.')
    next.url = url
  }
  if (patch.eventTypes !== undefined) next.event_types = JSON.stringify(validateEventTypes(patch.eventTypes))
  if (patch.apiVersion !== undefined) next.api_version = validateApiVersion(patch.apiVersion)
  const time = isoNow(deps.clock)
  await deps.store.transaction(async (trx) => {
    await repo.updateSubscription(trx, sub, next, { actor: principalOf.user(actorId), time })
    // A new URL before verification gets the handshake again.
    if (next.url !== undefined && next.url !== sub.url) await repo.insertDeliveries(trx, [handshake({ ...sub, ...next }, time)])
  })
  return presentSubscription({ ...sub, ...next })
}

/**
 * Enters the verification token back: the subscription becomes active (Notion's Verify dialog).
 * @throws DomainError not_found | forbidden | invalid_input (already verified, or the token does not match)
 */
export async function verifySubscription(deps: Deps, id: string, actorId: string, token: string): Promise<PresentedSubscription> {
  const sub = await loadManaged(deps, id, actorId)
  if (sub.status !== 'pending_verification') throw new DomainError('invalid_input', 'This subscription is already verified.')
  const expected = Buffer.from(deps.secrets.decrypt(sub.token_sealed, tokenContext(sub.id)))
  const given = Buffer.from(token)
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new DomainError('invalid_input', 'The verification token does not match.')
  const time = isoNow(deps.clock)
  const next = { status: 'active' as const, verified_time: time }
  await deps.store.transaction((trx) => repo.updateSubscription(trx, sub, next, { actor: principalOf.user(actorId), time }))
  return presentSubscription({ ...sub, ...next })
}

/** Sends the handshake again (Notion's "Resend token"). @throws DomainError not_found | forbidden | invalid_input (verified) */
export async function resendVerification(deps: Deps, id: string, actorId: string): Promise<PresentedDelivery> {
  const sub = await loadManaged(deps, id, actorId)
  if (sub.status !== 'pending_verification') throw new DomainError('invalid_input', 'This subscription is already verified.')
  const d = handshake(sub, isoNow(deps.clock))
  await deps.store.transaction((trx) => repo.insertDeliveries(trx, [d]))
  return presentDelivery(d)
}

/**
 * The verification token of a verified subscription (its signing key), for its managers — before
 * verification it reaches only the endpoint, as in Notion.
 * @throws DomainError not_found | forbidden | invalid_input (not verified yet)
 */
export async function revealVerificationToken(deps: Deps, id: string, actorId: string): Promise<string> {
  const sub = await loadManaged(deps, id, actorId)
  if (sub.status === 'pending_verification')
    throw new DomainError('invalid_input', 'The token of an unverified subscription is only sent to its endpoint.')
  return deps.secrets.decrypt(sub.token_sealed, tokenContext(sub.id))
}

/**
 * Pauses a verified subscription (no delivery; queued deliveries are skipped) or resumes it (it receives
 * the changes made after the resumption, none made while paused).
 * @throws DomainError not_found | forbidden | invalid_input (not verified)
 */
export async function setPaused(deps: Deps, id: string, actorId: string, paused: boolean): Promise<PresentedSubscription> {
  const sub = await loadManaged(deps, id, actorId)
  if (sub.status === 'pending_verification') throw new DomainError('invalid_input', 'Verify the subscription first.')
  const next: repo.SubscriptionPatch = { status: paused ? 'paused' : 'active' }
  await deps.store.transaction(async (trx) => {
    // Resumed, it sees the changes made from now on: none made while it was paused.
    if (!paused && sub.status === 'paused') next.start_seq = await lastEventSeq(trx)
    await repo.updateSubscription(trx, sub, next, { actor: principalOf.user(actorId), time: isoNow(deps.clock) })
  })
  return presentSubscription({ ...sub, ...next })
}

/** Deletes a subscription and its delivery log. @throws DomainError not_found | forbidden */
export async function deleteSubscription(deps: Deps, id: string, actorId: string): Promise<void> {
  const sub = await loadManaged(deps, id, actorId)
  await deps.store.transaction((trx) => repo.deleteSubscription(trx, sub, { actor: principalOf.user(actorId), time: isoNow(deps.clock) }))
}

/**
 * A subscription's delivery log, newest first, `limit` (1–100, default 50) at a time after `cursor`.
 * @throws DomainError not_found | forbidden | invalid_input (cursor)
 */
export async function listDeliveryLog(
  deps: Deps,
  id: string,
  actorId: string,
  opts: { limit?: number; cursor?: string } = {},
): Promise<{ deliveries: PresentedDelivery[]; next_cursor: string | null }> {
  const sub = await loadManaged(deps, id, actorId)
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 100)
  let after: repo.DeliveryRow | undefined
  if (opts.cursor) {
    after = await repo.findDelivery(deps.store.db, opts.cursor)
    if (!after || after.subscription_id !== sub.id)
      throw new DomainError('invalid_input', 'The cursor is not a delivery of this subscription.')
  }
  const rows = await repo.listDeliveries(deps.store.db, sub.id, limit + 1, after)
  const page = rows.slice(0, limit)
  return { deliveries: page.map(presentDelivery), next_cursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null }
}

/** One delivery of a subscription the actor manages. @throws DomainError not_found | forbidden */
export async function getDelivery(deps: Deps, deliveryId: string, actorId: string): Promise<PresentedDelivery> {
  const d = await repo.findDelivery(deps.store.db, deliveryId)
  if (!d) throw new DomainError('not_found', `No webhook delivery with id ${deliveryId}.`)
  await loadManaged(deps, d.subscription_id, actorId)
  return presentDelivery(d)
}

/**
 * Sends a finished delivery again (same event id; `attempt_number` goes on).
 * @throws DomainError not_found | forbidden | invalid_input (still pending or being sent)
 */
export async function redeliver(deps: Deps, deliveryId: string, actorId: string): Promise<PresentedDelivery> {
  const d = await repo.findDelivery(deps.store.db, deliveryId)
  if (!d) throw new DomainError('not_found', `No webhook delivery with id ${deliveryId}.`)
  await loadManaged(deps, d.subscription_id, actorId)
  if (d.status === 'pending' || d.status === 'delivering') throw new DomainError('invalid_input', 'This delivery is still queued.')
  const now = new Date().toISOString()
  await deps.store.transaction((trx) => repo.requeueDelivery(trx, d.id, now))
  return presentDelivery({ ...d, status: 'pending', next_attempt_time: now })
}

/**
 * Queues a test event (Octavo's own type `octavo.test`, signed like any event, `data.message`), sent
 * whatever the subscription's status.
 * @throws DomainError not_found | forbidden
 */
export async function sendTestEvent(deps: Deps, id: string, actorId: string): Promise<PresentedDelivery> {
  const sub = await loadManaged(deps, id, actorId)
  const d = newDelivery(sub, {
    kind: 'test',
    type: 'octavo.test',
    workspaceId: sub.workspace_id,
    entity: null,
    accessId: null,
    timestamp: isoNow(deps.clock),
    authors: [{ id: actorId, type: 'person' }],
    data: { message: 'A test event from Octavo.' },
    dueMs: Date.now(),
  })
  await deps.store.transaction((trx) => repo.insertDeliveries(trx, [d]))
  return presentDelivery(d)
}
