import { describe, expect, it } from 'vitest'
import { ARCHIVED_ANCESTOR_MESSAGE, ARCHIVED_MESSAGE, decideTrashedWrite } from './decide-trash.js'

const allow = { type: 'allow' }
const archived = { type: 'deny', reason: 'archived', message: ARCHIVED_MESSAGE }
const ancestor = { type: 'deny', reason: 'archived_ancestor', message: ARCHIVED_ANCESTOR_MESSAGE }

describe('decideTrashedWrite', () => {
  it.each([
    // self in trash, ancestor in trash, restores self → expected
    [false, false, false, allow],
    [false, false, true, allow],
    [true, false, false, archived],
    [true, false, true, allow],
    [false, true, false, ancestor],
    [false, true, true, ancestor],
    [true, true, false, ancestor],
    [true, true, true, ancestor],
  ] as const)('self %s, ancestor %s, restoring %s → %o', (selfInTrash, ancestorInTrash, restoresSelf, expected) => {
    expect(decideTrashedWrite({ selfInTrash, ancestorInTrash, restoresSelf })).toEqual(expected)
  })
})
