import { describe, expect, it } from 'vitest'
import type { MemberRole } from '../domain/workspace.js'
import {
  GUESTS_REFUSED_MESSAGE,
  NEEDS_FULL_ACCESS_MESSAGE,
  NOT_A_MEMBER_MESSAGE,
  decideConnectionShare,
} from './decide-connection-share.js'
import { ROLE } from './roles.js'

const ok = { allowed: true }
const full = { allowed: false, message: NEEDS_FULL_ACCESS_MESSAGE }
const guest = { allowed: false, message: GUESTS_REFUSED_MESSAGE }
const outsider = { allowed: false, message: NOT_A_MEMBER_MESSAGE }

describe('decideConnectionShare', () => {
  it.each([
    // role, level → expected
    ['owner', ROLE.full, ok],
    ['owner', ROLE.edit, full],
    ['owner', ROLE.view, full],
    ['owner', ROLE.none, full],
    ['membership_admin', ROLE.full, ok],
    ['membership_admin', ROLE.edit, full],
    ['member', ROLE.full, ok],
    ['member', ROLE.edit, full],
    ['member', ROLE.comment, full],
    ['member', ROLE.none, full],
    ['restricted_member', ROLE.full, ok],
    ['restricted_member', ROLE.view, full],
    ['guest', ROLE.full, guest],
    ['guest', ROLE.edit, full],
    ['guest', ROLE.view, full],
    ['guest', ROLE.none, full],
    [null, ROLE.full, outsider],
    [null, ROLE.none, outsider],
  ] as const)('%s at level %i → %o', (role, level, expected) => {
    expect(decideConnectionShare({ kind: 'person', role: role as MemberRole | null, level })).toEqual(expected)
  })

  it('lets the operator (admin key without a person, CLI without --as) act on any page', () => {
    expect(decideConnectionShare({ kind: 'operator' })).toEqual(ok)
  })
})
