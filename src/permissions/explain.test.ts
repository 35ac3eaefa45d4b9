import { describe, expect, it } from 'vitest'
import * as x from './explain.js'

const sync = { kind: 'internal' as const, name: 'Sync' }
const ci = { kind: 'personal' as const, name: 'CI' }
const app = { kind: 'oauth' as const, name: 'Acme app' }
const caller = { type: 'connection' as const, id: 'c1', name: 'Sync', workspaceId: 'w1' }

describe('explanations: kind, reason and fix for each denial', () => {
  it.each([
    ['bad header', x.explainBadAuthorizationHeader(), 'bad_authorization_header', 'is not of the form "Bearer <token>"'],
    ['malformed', x.explainMalformedToken(), 'malformed_token', 'not a well-formed Notion token'],
    ['unknown', x.explainUnknownToken(), 'unknown_token', 'was never issued here'],
    ['refresh as bearer', x.explainRefreshTokenAsBearer(), 'refresh_token_as_bearer', 'OAuth refresh token'],
    [
      'refreshed',
      x.explainRefreshed({ who: sync, at: '2026-03-02T14:02:00.000Z', by: 'Ada', caller }),
      'refreshed',
      'The token of connection "Sync" was refreshed at 2026-03-02T14:02:00.000Z by Ada; this is the old token.',
    ],
    ['revoked, by nobody known', x.explainRevoked({ who: ci, at: 'T', caller }), 'revoked', 'personal access token "CI" was revoked at T.'],
    ['expired', x.explainExpired({ who: ci, at: 'T', caller }), 'expired', 'Personal access token "CI" expired at T.'],
    [
      'suspended',
      x.explainSuspended({ who: ci, creator: 'Ada', reason: 'creator_not_a_member', caller }),
      'suspended',
      'its creator Ada is no longer a member',
    ],
    [
      'policy',
      x.explainPolicy({ who: ci, plan: 'business', policy: 'workspace owners only', creator: 'Mia', caller }),
      'policy',
      "the Business workspace's personal access token policy allows workspace owners only",
    ],
    [
      'install removed',
      x.explainInstallRemoved({ who: app, at: 'T', caller }),
      'install_removed',
      'Public connection "Acme app" was removed',
    ],
    [
      'capability',
      x.explainMissingCapability({ who: sync, capability: 'update_content' }),
      'missing_capability',
      'Connection "Sync" lacks the "Update content" capability',
    ],
    [
      'level',
      x.explainInsufficientLevel({ who: ci, object: 'page', title: 'Plan', action: 'edit', level: 'view' }),
      'insufficient_level',
      'can only view page "Plan"',
    ],
    ['not found', x.explainNotFound({ object: 'page', id: 'p1' }), 'not_found', 'No page with ID p1 exists'],
    [
      'other workspace',
      x.explainOtherWorkspace({ who: sync, object: 'page', title: 'Plans', id: 'p1', workspace: 'Globex', callerWorkspace: 'Acme' }),
      'other_workspace',
      'is in workspace "Globex", but connection "Sync" belongs to workspace "Acme"',
    ],
    [
      'wrong kind',
      x.explainWrongKind({ id: 'd1', expected: 'data source', actual: 'database' }),
      'wrong_kind',
      'd1 is a database, not a data source.',
    ],
    [
      'unshared, with ancestors',
      x.explainUnshared({ who: sync, object: 'page', title: 'Roadmap', workspace: 'Acme', ancestors: ['Engineering', 'Company'] }),
      'unshared',
      'Share it, or one of its ancestors "Engineering", "Company", with connection "Sync" from ••• → Connections.',
    ],
    [
      'unshared, PAT',
      x.explainUnshared({ who: ci, object: 'page', title: 'Roadmap', workspace: 'Acme', ancestors: [], creator: 'Ada' }),
      'unshared',
      'but Ada, who created personal access token "CI", has no access to it.',
    ],
    [
      'restricted row',
      x.explainRestrictedRow({ who: sync, title: 'Pay', database: 'Salaries' }),
      'restricted_row',
      'Row "Pay" of database "Salaries" has its own restricted permissions',
    ],
    [
      'trashed via',
      x.explainTrashed({ object: 'page', title: 'Notes', via: 'Archive' }),
      'trashed',
      'Page "Notes" is inside "Archive", which is in the trash.',
    ],
    ['pat not allowed', x.explainPatNotAllowed({ who: ci, endpoint: 'users.list' }), 'pat_not_allowed', 'may not call users.list'],
    [
      'rate limit',
      x.explainRateLimited({ who: sync, scope: 'connection', budget: 180, windowSeconds: 60, retryAfterSeconds: 12 }),
      'rate_limited',
      'Rate limited: connection "Sync" spent its budget of 180 requests per 60 s per connection.',
    ],
    [
      'workspace rate limit',
      x.explainRateLimited({ who: sync, scope: 'workspace', budget: 1800, windowSeconds: 60, retryAfterSeconds: 1 }),
      'rate_limited',
      'per workspace (every connection together)',
    ],
  ])('%s', (_name, explanation, kind, text) => {
    expect(explanation.kind).toBe(kind)
    expect(`${explanation.reason} Fix: ${explanation.fix}`).toContain(text)
    expect(explanation.fix.length).toBeGreaterThan(10)
  })

  it('auth refusals name the credential so the journal can file them', () => {
    expect(x.explainRevoked({ who: sync, at: 'T', caller }).caller).toEqual(caller)
    expect(x.explainUnknownToken().caller).toBeUndefined()
  })
})
