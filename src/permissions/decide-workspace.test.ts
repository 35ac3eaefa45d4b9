import { describe, expect, it } from 'vitest'
import type { MemberRole } from '../domain/workspace.js'
import {
  ADMIN_ADD_MESSAGE,
  ADMIN_REMOVAL_MESSAGE,
  ADMIN_ROLE_CHANGE_MESSAGE,
  LAST_OWNER_MESSAGE,
  decideGroupChange,
  decideMemberAdd,
  decideMemberRemoval,
  decideOwnerOnly,
  decidePeopleAdmin,
  decideRoleChange,
  enforce,
} from './decide-workspace.js'

const ok = { allowed: true }
const no = (message: string) => ({ allowed: false, message })
const conflict = { allowed: false, message: LAST_OWNER_MESSAGE, code: 'conflict' }
const peopleAdmins = (doing: string) => no(`Only workspace owners and membership admins can ${doing}.`)

describe('decideOwnerOnly: the one wording of owner-only refusals', () => {
  it.each([
    ['owner', ok],
    ['membership_admin', no('Only workspace owners can see the audit log. This user is a membership admin.')],
    ['member', no('Only workspace owners can see the audit log. This user is a member.')],
    ['restricted_member', no('Only workspace owners can see the audit log. This user is a restricted member.')],
    ['guest', no('Only workspace owners can see the audit log. This user is a guest.')],
    [null, no('Only workspace owners can see the audit log. This user is not a member of this workspace.')],
  ] as const)('%s → %o', (role, expected) => {
    expect(decideOwnerOnly(role as MemberRole | null, 'see the audit log')).toEqual(expected)
  })
})

describe('decidePeopleAdmin and decideGroupChange', () => {
  it.each([
    ['owner', true],
    ['membership_admin', true],
    ['member', false],
    ['restricted_member', false],
    ['guest', false],
    [null, false],
  ] as const)('%s manages people: %s', (role, allowed) => {
    expect(decidePeopleAdmin(role as MemberRole | null, 'manage members')).toEqual(allowed ? ok : peopleAdmins('manage members'))
    expect(decideGroupChange(role as MemberRole | null, 'manage')).toEqual(allowed ? ok : peopleAdmins('manage groups'))
    expect(decideGroupChange(role as MemberRole | null, 'members')).toEqual(allowed ? ok : peopleAdmins('manage group members'))
  })
})

describe('decideRoleChange', () => {
  it.each([
    // actor, from, to, owners → expected
    ['owner', 'member', 'owner', 1, ok],
    ['owner', 'owner', 'member', 2, ok],
    ['owner', 'owner', 'member', 1, conflict],
    ['owner', 'owner', 'owner', 1, ok],
    ['membership_admin', 'member', 'guest', 1, ok],
    ['membership_admin', 'guest', 'restricted_member', 1, ok],
    ['membership_admin', 'member', 'membership_admin', 1, no(ADMIN_ROLE_CHANGE_MESSAGE)],
    ['membership_admin', 'owner', 'member', 2, no(ADMIN_ROLE_CHANGE_MESSAGE)],
    ['membership_admin', 'membership_admin', 'member', 1, no(ADMIN_ROLE_CHANGE_MESSAGE)],
    ['member', 'guest', 'member', 1, peopleAdmins('change member roles')],
    ['guest', 'member', 'guest', 1, peopleAdmins('change member roles')],
    [null, 'member', 'guest', 1, peopleAdmins('change member roles')],
  ] as const)('%s: %s → %s with %i owner(s) → %o', (actorRole, from, to, owners, expected) => {
    expect(decideRoleChange({ actorRole: actorRole as MemberRole | null, from, to, owners })).toEqual(expected)
  })
})

describe('decideMemberRemoval', () => {
  it.each([
    [{ kind: 'operator' }, 'owner', 2, ok],
    [{ kind: 'operator' }, 'owner', 1, conflict],
    [{ kind: 'self' }, 'guest', 1, ok],
    [{ kind: 'self' }, 'owner', 1, conflict],
    [{ kind: 'self' }, 'owner', 2, ok],
    [{ kind: 'person', role: 'owner' }, 'membership_admin', 1, ok],
    [{ kind: 'person', role: 'owner' }, 'owner', 2, ok],
    [{ kind: 'person', role: 'membership_admin' }, 'member', 1, ok],
    [{ kind: 'person', role: 'membership_admin' }, 'membership_admin', 1, no(ADMIN_REMOVAL_MESSAGE)],
    [{ kind: 'person', role: 'membership_admin' }, 'owner', 3, no(ADMIN_REMOVAL_MESSAGE)],
    [{ kind: 'person', role: 'member' }, 'guest', 1, peopleAdmins('remove people from the workspace')],
    [{ kind: 'person', role: null }, 'guest', 1, peopleAdmins('remove people from the workspace')],
  ] as const)('%o removes a %s (%i owners) → %o', (actor, target, owners, expected) => {
    expect(decideMemberRemoval({ actor, target, owners })).toEqual(expected)
  })
})

describe('decideMemberAdd', () => {
  it.each([
    [{ kind: 'operator' }, 'owner', undefined, ok],
    [{ kind: 'person', role: 'owner' }, 'membership_admin', 'member', ok],
    [{ kind: 'person', role: 'membership_admin' }, 'guest', undefined, ok],
    [{ kind: 'person', role: 'membership_admin' }, 'member', 'guest', ok],
    [{ kind: 'person', role: 'membership_admin' }, 'owner', undefined, no(ADMIN_ADD_MESSAGE)],
    [{ kind: 'person', role: 'membership_admin' }, 'member', 'owner', no(ADMIN_ADD_MESSAGE)],
    [{ kind: 'person', role: 'member' }, 'guest', undefined, peopleAdmins('add people to the workspace')],
  ] as const)('%o adds a %s (now %s) → %o', (actor, role, current, expected) => {
    expect(decideMemberAdd({ actor, role, current })).toEqual(expected)
  })
})

describe('enforce', () => {
  it('throws a refusal as a DomainError with its code (forbidden by default)', () => {
    expect(() => enforce({ allowed: true })).not.toThrow()
    expect(() => enforce({ allowed: false, message: 'No.' })).toThrow(
      expect.objectContaining({ code: 'forbidden', status: 403, message: 'No.' }),
    )
    expect(() => enforce({ allowed: false, message: 'Last.', code: 'conflict' })).toThrow(
      expect.objectContaining({ code: 'conflict', status: 409 }),
    )
  })
})
