import { describe, expect, it } from 'vitest'
import type { MemberRole, PatPolicy, Plan } from '../domain/workspace.js'
import {
  PAT_CAPABILITIES_CREATOR_ONLY_MESSAGE,
  PAT_HOLDER_NOT_FULL_MEMBER_MESSAGE,
  PAT_NEEDS_A_CAPABILITY_MESSAGE,
  PAT_NOT_A_MEMBER_MESSAGE,
  PAT_NOT_FULL_MEMBER_MESSAGE,
  PAT_REVEAL_CREATOR_ONLY_MESSAGE,
  PAT_REVEAL_NOT_A_MEMBER_MESSAGE,
  decidePatCapabilityChange,
  decidePatCreation,
  decidePatListing,
  decidePatPolicyChange,
  decidePatReveal,
  decidePatRevoke,
  decidePatView,
  patNeedsPolicy,
  patSuspension,
  policyAdmits,
  policyRefusalMessage,
} from './decide-pat.js'

const ok = { allowed: true }
const no = (message: string, code?: string) => (code ? { allowed: false, message, code } : { allowed: false, message })
const G = 'g1'
const inGroup = ['user:u', 'members:w', 'group:g1']
const outside = ['user:u', 'members:w']
const policies: Record<string, { policy: PatPolicy; groupIds: string[] }> = {
  owners: { policy: 'owners_only', groupIds: [] },
  groups: { policy: 'owners_and_selected_groups', groupIds: [G] },
  noGroups: { policy: 'owners_and_selected_groups', groupIds: [] },
  all: { policy: 'all_members', groupIds: [] },
}

describe('policyAdmits', () => {
  it.each([
    // role, policy, principals → admitted
    ['owner', 'owners', outside, true],
    ['owner', 'noGroups', outside, true],
    ['membership_admin', 'owners', outside, false],
    ['membership_admin', 'all', outside, true],
    ['member', 'all', outside, true],
    ['member', 'groups', inGroup, true],
    ['member', 'groups', outside, false],
    ['member', 'noGroups', inGroup, false],
    ['restricted_member', 'all', inGroup, false],
    ['guest', 'all', outside, false],
  ] as const)('%s under %s → %s', (role, policy, principals, admitted) => {
    expect(policyAdmits(policies[policy]!, role, principals)).toBe(admitted)
  })
})

describe('decidePatCreation', () => {
  it.each([
    // role, notionApi, policy → expected
    [null, false, null, no(PAT_NOT_A_MEMBER_MESSAGE)],
    ['guest', false, null, no(PAT_NOT_FULL_MEMBER_MESSAGE)],
    ['restricted_member', true, 'all', no(PAT_NOT_FULL_MEMBER_MESSAGE)],
    ['member', false, null, ok],
    ['member', true, 'all', ok],
    ['member', true, 'owners', no(policyRefusalMessage('owners_only', 'create'))],
    ['member', true, null, no(policyRefusalMessage('owners_only', 'create'))],
    ['owner', true, null, ok],
    ['owner', true, 'owners', ok],
  ] as const)('%s (Notion API %s, policy %s) → %o', (role, notionApi, policy, expected) => {
    const person = { role: role as MemberRole | null, principals: outside }
    expect(decidePatCreation({ person, notionApi, policy: policy ? policies[policy]! : null })).toEqual(expected)
  })

  it('needs the policy only for full members other than owners asking for Notion API', () => {
    expect(patNeedsPolicy({ role: 'member' }, true)).toBe(true)
    expect(patNeedsPolicy({ role: 'membership_admin' }, true)).toBe(true)
    expect(patNeedsPolicy({ role: 'member' }, false)).toBe(false)
    expect(patNeedsPolicy({ role: 'owner' }, true)).toBe(false)
    expect(patNeedsPolicy({ role: 'guest' }, true)).toBe(false)
    expect(patNeedsPolicy({ role: null }, true)).toBe(false)
  })
})

describe('decidePatCapabilityChange', () => {
  const api = { notionApi: true, workers: false }
  const workers = { notionApi: false, workers: true }
  const none = { notionApi: false, workers: false }
  const member = { role: 'member' as const, principals: outside }
  it.each([
    [false, 'active', workers, api, member, 'all', no(PAT_CAPABILITIES_CREATOR_ONLY_MESSAGE)],
    [true, 'revoked', workers, api, member, 'all', no('This personal access token is revoked.', 'conflict')],
    [true, 'expired', workers, api, member, 'all', no('This personal access token is expired.', 'conflict')],
    [true, 'active', api, none, member, null, no(PAT_NEEDS_A_CAPABILITY_MESSAGE, 'invalid_input')],
    [true, 'active', workers, api, { role: 'guest' as const, principals: [] }, null, no(PAT_HOLDER_NOT_FULL_MEMBER_MESSAGE)],
    [true, 'active', workers, api, member, 'owners', no(policyRefusalMessage('owners_only', 'hold'))],
    [true, 'active', workers, api, member, 'all', ok],
    [true, 'active', api, workers, member, 'owners', ok],
    [true, 'active', workers, api, { role: 'owner' as const, principals: [] }, null, ok],
  ] as const)('creator %s, %s, %o → %o by %o under %s', (isCreator, state, from, to, person, policy, expected) => {
    expect(decidePatCapabilityChange({ isCreator, state, from, to, person, policy: policy ? policies[policy]! : null })).toEqual(expected)
  })
})

describe('reveal, view, revoke and the admin listing', () => {
  it.each([
    [true, true, 'active', ok],
    [false, true, 'active', no(PAT_REVEAL_CREATOR_ONLY_MESSAGE)],
    [true, false, 'active', no(PAT_REVEAL_NOT_A_MEMBER_MESSAGE)],
    [true, true, 'expired', no('This personal access token is expired; create a new one.', 'conflict')],
  ] as const)('reveal: creator %s, member %s, %s → %o', (isCreator, isMember, state, expected) => {
    expect(decidePatReveal({ isCreator, isMember, state })).toEqual(expected)
  })

  it.each([
    [true, 'guest', ok],
    [false, 'owner', ok],
    [
      false,
      'membership_admin',
      no("Only workspace owners can revoke other members' personal access tokens. This user is a membership admin."),
    ],
    [false, 'guest', no("Only workspace owners can revoke other members' personal access tokens. This user is a guest.")],
    [
      false,
      null,
      no("Only workspace owners can revoke other members' personal access tokens. This user is not a member of this workspace."),
    ],
  ] as const)('revoke: creator %s, %s → %o', (isCreator, role, expected) => {
    expect(decidePatRevoke({ isCreator, role })).toEqual(expected)
    expect(decidePatView({ isCreator, role }).allowed).toBe(expected.allowed)
  })

  it('lets Notion’s Admin API route revoke any PAT, and only owners list them all', () => {
    expect(decidePatRevoke({ adminApi: true })).toEqual(ok)
    expect(decidePatListing('owner')).toEqual(ok)
    expect(decidePatListing('member')).toEqual(
      no('Only workspace owners can see every personal access token of the workspace. This user is a member.'),
    )
  })
})

describe('decidePatPolicyChange', () => {
  it.each([
    ['owner', 'business', 'all_members', ok],
    ['owner', 'enterprise', 'owners_and_selected_groups', ok],
    [
      'owner',
      'free',
      'all_members',
      no('The PAT creation policy is not configurable on the free plan (it is always "workspace owners only").'),
    ],
    [
      'owner',
      'plus',
      'all_members',
      no('The PAT creation policy is not configurable on the plus plan (it is always "all workspace members").'),
    ],
    [
      'owner',
      'business',
      'owners_and_selected_groups',
      no('The business plan offers "owners_only", "all_members"; not "owners_and_selected_groups".', 'invalid_input'),
    ],
    [
      'membership_admin',
      'business',
      'all_members',
      no('Only workspace owners can change who may create personal access tokens. This user is a membership admin.'),
    ],
    ['member', 'free', 'all_members', no('Only workspace owners can change who may create personal access tokens. This user is a member.')],
  ] as const)('%s on %s → %s: %o', (role, plan, policy, expected) => {
    expect(decidePatPolicyChange({ role: role as MemberRole, plan: plan as Plan, policy })).toEqual(expected)
  })
})

describe('patSuspension', () => {
  it.each([
    [null, true, null, 'creator_not_a_member'],
    ['guest', false, null, 'creator_not_a_full_member'],
    ['restricted_member', true, 'all', 'creator_not_a_full_member'],
    ['member', true, 'owners', 'policy'],
    ['member', false, 'owners', null],
    ['member', true, 'all', null],
    ['owner', true, null, null],
  ] as const)('%s (Notion API %s) under %s → %s', (role, notionApi, policy, expected) => {
    expect(
      patSuspension({
        person: { role: role as MemberRole | null, principals: outside },
        notionApi,
        policy: policy ? policies[policy]! : null,
      }),
    ).toBe(expected)
  })
})
