import { describe, expect, it } from 'vitest'
import { decideHeldDeletion, decideLegalHoldChange, decideWorkspaceExport } from './decide-legal-hold.js'

describe('decideHeldDeletion', () => {
  const hold = (id: string, over: Partial<{ status: 'active' | 'released'; startMs: number; endMs: number | null }> = {}) => ({
    id,
    status: 'active' as const,
    startMs: 100,
    endMs: null,
    ...over,
  })
  it('keeps a copy for every active hold in force', () => {
    expect(decideHeldDeletion([hold('a'), hold('b', { endMs: 500 })], 200)).toEqual({ type: 'preserve', holdIds: ['a', 'b'] })
  })
  it('deletes when no hold is in force: none, released, not started, ended', () => {
    expect(decideHeldDeletion([], 200)).toEqual({ type: 'delete' })
    expect(decideHeldDeletion([hold('a', { status: 'released' })], 200)).toEqual({ type: 'delete' })
    expect(decideHeldDeletion([hold('a', { startMs: 300 })], 200)).toEqual({ type: 'delete' })
    expect(decideHeldDeletion([hold('a', { endMs: 200 })], 200)).toEqual({ type: 'delete' })
  })
})

describe('decideLegalHoldChange', () => {
  it('refuses every change to a released hold', () => {
    for (const c of ['update', 'release', 'add_users', 'remove_user'] as const)
      expect(decideLegalHoldChange({ status: 'released', startMs: 0 }, c)).toMatchObject({ allowed: false, reason: 'released' })
  })
  it('refuses an end date before the start', () => {
    expect(decideLegalHoldChange({ status: 'active', startMs: 100 }, 'update', 50)).toMatchObject({ allowed: false, reason: 'dates' })
    expect(decideLegalHoldChange({ status: 'active', startMs: 100 }, 'update', 150)).toEqual({ allowed: true })
    expect(decideLegalHoldChange({ status: 'active', startMs: 100 }, 'update', null)).toEqual({ allowed: true })
  })
})

describe('decideWorkspaceExport', () => {
  it('allows owners only', () => {
    expect(decideWorkspaceExport('owner')).toEqual({ allowed: true })
    for (const r of ['membership_admin', 'member', 'restricted_member', 'guest'] as const)
      expect(decideWorkspaceExport(r)).toMatchObject({ allowed: false, reason: 'not_owner' })
    expect(decideWorkspaceExport(undefined)).toMatchObject({ allowed: false, reason: 'not_member' })
  })
})
