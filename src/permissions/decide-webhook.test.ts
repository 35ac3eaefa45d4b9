import { describe, expect, it } from 'vitest'
import { DEFAULT_CAPABILITIES } from './capabilities.js'
import { decideWebhookDelivery, type WebhookRequest } from './decide-webhook.js'
import { WEBHOOK_EVENTS } from '../domain/webhooks.js'
import { ROLE } from './roles.js'

const base: WebhookRequest = {
  status: 'active',
  eventTypes: ['page.created', 'comment.created', 'database.schema_updated', 'data_source.schema_updated'],
  apiVersion: '2025-09-03',
  type: 'page.created',
  spec: WEBHOOK_EVENTS['page.created']!,
  capabilities: DEFAULT_CAPABILITIES,
  level: ROLE.edit,
}
const of = (type: string) => ({ type, spec: WEBHOOK_EVENTS[type]! })

describe('decideWebhookDelivery', () => {
  it.each([
    ['shared page, active, subscribed', {}, { type: 'deliver' }],
    ['pending verification', { status: 'pending_verification' }, { type: 'skip', reason: 'inactive' }],
    ['paused', { status: 'paused' }, { type: 'skip', reason: 'inactive' }],
    ['type not chosen', of('page.moved'), { type: 'skip', reason: 'not_subscribed' }],
    ['unshared page', { level: 0 }, { type: 'skip', reason: 'no_access' }],
    ['view level is enough', { level: ROLE.view }, { type: 'deliver' }],
    ['no read content', { capabilities: { ...DEFAULT_CAPABILITIES, readContent: false } }, { type: 'skip', reason: 'missing_capability' }],
    ['comment without read comments', of('comment.created'), { type: 'skip', reason: 'missing_capability' }],
    [
      'comment with read comments',
      { ...of('comment.created'), capabilities: { ...DEFAULT_CAPABILITIES, readComments: true } },
      { type: 'deliver' },
    ],
    ['database.schema_updated on 2025-09-03', of('database.schema_updated'), { type: 'skip', reason: 'other_version' }],
    ['database.schema_updated on 2022-06-28', { ...of('database.schema_updated'), apiVersion: '2022-06-28' }, { type: 'deliver' }],
    [
      'data_source.* on 2022-06-28',
      { ...of('data_source.schema_updated'), apiVersion: '2022-06-28' },
      { type: 'skip', reason: 'other_version' },
    ],
    ['data_source.* on 2026-03-11', { ...of('data_source.schema_updated'), apiVersion: '2026-03-11' }, { type: 'deliver' }],
  ] as const)('%s', (_name, patch, expected) => {
    expect(decideWebhookDelivery({ ...base, ...(patch as Partial<WebhookRequest>) })).toEqual(expected)
  })
})
