import { describe, expect, it } from 'vitest'
import { eventBody, newDelivery } from '../../src/services/webhooks/delivery.js'
import type { SubscriptionRow } from '../../src/storage/repositories/webhooks.repository.js'

/**
 * The event body is built as text with the stored `authors` and `data` spliced in (delivery.ts): it
 * must be byte for byte Notion's payload serialised by JSON.stringify in Notion's field order (SDK
 * `BaseWebhookPayload`), for every shape a delivery row takes.
 */

const sub = { id: 'sub-1', api_version: '2025-09-03' } as SubscriptionRow

function expected(d: ReturnType<typeof newDelivery>, extra: Parameters<typeof eventBody>[2]): string {
  const payload: Record<string, unknown> = {
    id: d.id,
    timestamp: d.timestamp,
    workspace_id: d.workspace_id,
    workspace_name: extra.workspaceName,
    subscription_id: sub.id,
    integration_id: extra.integrationId,
    type: d.type,
    authors: JSON.parse(d.authors) as unknown,
    ...(extra.accessibleBy ? { accessible_by: extra.accessibleBy } : {}),
    attempt_number: d.attempts,
    api_version: sub.api_version,
    ...(d.entity_id ? { entity: { id: d.entity_id, type: d.entity_type } } : {}),
    ...(d.data ? { data: JSON.parse(d.data) as unknown } : {}),
  }
  return JSON.stringify(payload)
}

describe('eventBody', () => {
  const base = {
    kind: 'event' as const,
    type: 'page.properties_updated',
    workspaceId: 'ws-1',
    entity: { id: 'page-1', type: 'page' },
    accessId: 'page-1',
    timestamp: '2026-12-06T13:00:00.000Z',
    authors: [{ id: 'u-1', type: 'person' }],
    data: { parent: { id: 'p', type: 'page' }, updated_properties: ['title', 'Été "quoted" \\ \u2028'] },
    dueMs: 0,
  }
  const cases = {
    'an internal connection': { row: base, extra: { workspaceName: 'Acme', integrationId: 'c-1', accessibleBy: null } },
    'a public connection (accessible_by)': {
      row: base,
      extra: { workspaceName: 'Ünïcode "ws"', integrationId: 'pc-1', accessibleBy: [{ id: 'b-1', type: 'bot' }] },
    },
    'no entity, no data, no workspace': {
      row: { ...base, entity: null, data: null, workspaceId: null, authors: [] },
      extra: { workspaceName: '', integrationId: 'c-1', accessibleBy: [] },
    },
  }
  for (const [name, { row, extra }] of Object.entries(cases))
    it(`is Notion's payload as JSON.stringify writes it: ${name}`, () => {
      const d = { ...newDelivery(sub, row), attempts: 3 }
      expect(eventBody(d, sub, extra)).toBe(expected(d, extra))
    })
})
