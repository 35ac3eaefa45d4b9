import { describe, expect, it } from 'vitest'
import { decideDualRelation } from './decide-dual-relation.js'
import { ROLE } from './roles.js'

describe('decideDualRelation', () => {
  it.each([
    // own level, other level → expected
    [ROLE.edit, ROLE.edit, { type: 'allow' }],
    [ROLE.full, ROLE.full, { type: 'allow' }],
    [ROLE.full, ROLE.edit, { type: 'allow' }],
    [ROLE.edit, ROLE.full, { type: 'allow' }],
    // The other side only viewable, commentable or content-editable: refused (403).
    [ROLE.full, ROLE.view, { type: 'deny', reason: 'insufficient_level' }],
    [ROLE.full, ROLE.comment, { type: 'deny', reason: 'insufficient_level' }],
    [ROLE.edit, ROLE.edit_content, { type: 'deny', reason: 'insufficient_level' }],
    // The other side not visible at all: as if it did not exist (404).
    [ROLE.full, ROLE.none, { type: 'deny', reason: 'not_found' }],
    // The own side below edit is refused the same way.
    [ROLE.view, ROLE.full, { type: 'deny', reason: 'insufficient_level' }],
    [ROLE.edit_content, ROLE.edit, { type: 'deny', reason: 'insufficient_level' }],
    [ROLE.none, ROLE.full, { type: 'deny', reason: 'not_found' }],
    [ROLE.view, ROLE.none, { type: 'deny', reason: 'insufficient_level' }],
  ] as const)('own %i, other %i → %o', (ownLevel, otherLevel, expected) => {
    expect(decideDualRelation({ ownLevel, otherLevel })).toEqual(expected)
  })
})
