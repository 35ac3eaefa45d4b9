import { describe, expect, it } from 'vitest'
import { viewFilterWithQuickFilters } from './view-filter.js'

describe('viewFilterWithQuickFilters', () => {
  const leaf = { property: 'A', checkbox: { equals: true } }
  it('no quick filters: the saved filter as is', () => {
    expect(viewFilterWithQuickFilters(leaf, null)).toEqual({ filter: leaf, wrapped: false })
    expect(viewFilterWithQuickFilters(undefined, { B: {} })).toEqual({ filter: undefined, wrapped: false })
  })
  it('quick filters alone: one condition, or an and of them', () => {
    expect(viewFilterWithQuickFilters(null, { B: { number: { equals: 1 } } })).toEqual({
      filter: { property: 'B', number: { equals: 1 } },
      wrapped: false,
    })
    expect(viewFilterWithQuickFilters(null, { B: { number: { equals: 1 } }, C: {}, D: { checkbox: { equals: true } } }).filter).toEqual({
      and: [
        { property: 'B', number: { equals: 1 } },
        { property: 'D', checkbox: { equals: true } },
      ],
    })
  })
  it('a saved and takes the quick filters in; anything else is wrapped (an or one level deeper)', () => {
    expect(viewFilterWithQuickFilters({ and: [leaf] }, { B: { number: { equals: 1 } } })).toEqual({
      filter: { and: [leaf, { property: 'B', number: { equals: 1 } }] },
      wrapped: false,
    })
    expect(viewFilterWithQuickFilters(leaf, { B: { number: { equals: 1 } } })).toEqual({
      filter: { and: [leaf, { property: 'B', number: { equals: 1 } }] },
      wrapped: false,
    })
    expect(viewFilterWithQuickFilters({ or: [leaf] }, { B: { number: { equals: 1 } } })).toEqual({
      filter: { and: [{ or: [leaf] }, { property: 'B', number: { equals: 1 } }] },
      wrapped: true,
    })
  })
})
