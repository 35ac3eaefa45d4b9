import { hasCapability, type Capabilities } from './capabilities.js'
import { REQUIRED_LEVEL } from './roles.js'
import { versionReceives, type WebhookEventSpec } from '../domain/webhooks.js'

/**
 * Whether a webhook event goes to a subscription's connection (docs/reference/notion-api-2026.md §7.6):
 * the subscription is active and chose the event type, its `api_version` receives the event's family
 * (`database.*_updated` for 2022-06-28, `data_source.*` and `view.*` from 2025-09-03), the connection
 * has the event's capability (comment events: read comments; others: read content) and can read the
 * entity (level ≥ read on it, i.e. the page is shared with it). Pure; asked when the event is fanned
 * out and again just before each attempt, so an unshare or a capability change stops deliveries at once.
 */
export type WebhookDecision =
  { type: 'deliver' } | { type: 'skip'; reason: 'inactive' | 'not_subscribed' | 'other_version' | 'missing_capability' | 'no_access' }

export interface WebhookRequest {
  status: 'pending_verification' | 'active' | 'paused'
  /** The subscription's chosen event types. */
  eventTypes: string[]
  apiVersion: string
  type: string
  spec: WebhookEventSpec
  capabilities: Capabilities
  /** The connection's effective level on the entity (0 when none). */
  level: number
}

export function decideWebhookDelivery(req: WebhookRequest): WebhookDecision {
  if (req.status !== 'active') return { type: 'skip', reason: 'inactive' }
  if (!req.eventTypes.includes(req.type)) return { type: 'skip', reason: 'not_subscribed' }
  if (!versionReceives(req.apiVersion, req.spec.family)) return { type: 'skip', reason: 'other_version' }
  if (!hasCapability(req.capabilities, req.spec.capability)) return { type: 'skip', reason: 'missing_capability' }
  if (req.level < REQUIRED_LEVEL.read) return { type: 'skip', reason: 'no_access' }
  return { type: 'deliver' }
}
