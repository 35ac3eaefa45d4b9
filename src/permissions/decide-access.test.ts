import { describe, expect, it } from 'vitest'
import { DEFAULT_CAPABILITIES, type Capabilities } from './capabilities.js'
import { decideAccess } from './decide-access.js'
import { ROLE } from './roles.js'

const caps = (over: Partial<Capabilities> = {}): Capabilities => ({ ...DEFAULT_CAPABILITIES, ...over })

describe('decideAccess', () => {
  it.each([
    // capability, caps, action, level → expected
    ['read_content', caps(), 'read', ROLE.edit, { type: 'allow' }],
    ['read_content', caps(), 'read', ROLE.view, { type: 'allow' }],
    ['read_content', caps(), 'read', ROLE.none, { type: 'deny', reason: 'not_found' }],
    ['read_content', caps({ readContent: false }), 'read', ROLE.edit, { type: 'deny', reason: 'missing_capability' }],
    ['read_content', caps({ readContent: false }), 'read', ROLE.none, { type: 'deny', reason: 'missing_capability' }],
    ['update_content', caps(), 'edit', ROLE.edit, { type: 'allow' }],
    ['update_content', caps(), 'edit', ROLE.comment, { type: 'deny', reason: 'insufficient_level' }],
    ['update_content', caps(), 'edit', ROLE.view, { type: 'deny', reason: 'insufficient_level' }],
    ['update_content', caps({ updateContent: false }), 'edit', ROLE.full, { type: 'deny', reason: 'missing_capability' }],
    ['insert_content', caps({ insertContent: false }), 'edit', ROLE.full, { type: 'deny', reason: 'missing_capability' }],
    ['insert_comments', caps(), 'comment', ROLE.edit, { type: 'deny', reason: 'missing_capability' }],
    ['insert_comments', caps({ insertComments: true }), 'comment', ROLE.comment, { type: 'allow' }],
    ['insert_comments', caps({ insertComments: true }), 'comment', ROLE.view, { type: 'deny', reason: 'insufficient_level' }],
    ['read_comments', caps({ readComments: true }), 'read', ROLE.view, { type: 'allow' }],
    ['none', caps({ readContent: false }), 'share', ROLE.full, { type: 'allow' }],
    ['none', caps(), 'share', ROLE.edit, { type: 'deny', reason: 'insufficient_level' }],
    ['user_info', caps(), 'read', ROLE.full, { type: 'deny', reason: 'missing_capability' }],
    ['user_info', caps({ userInfo: 'without_email' }), 'read', ROLE.view, { type: 'allow' }],
  ] as const)('%s with %o, %s at level %i → %o', (capability, capabilities, action, level, expected) => {
    expect(decideAccess({ capability, capabilities, action, level })).toEqual(expected)
  })
})
