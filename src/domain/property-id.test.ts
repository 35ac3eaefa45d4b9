import { describe, expect, it } from 'vitest'
import { newPropertyId } from './schema.js'
import type { Schema } from './properties.js'

/**
 * Property ids key the schema object, and JavaScript orders integer-like keys first: an all-digit id
 * reordered a data source's properties (seen in CI: ['Notes', 'Name', 'Size'] for a schema created as
 * Name, Size, Notes). About 1 in 1,600 random ids is all digits, so 100,000 draws would hold about 60.
 */
describe('newPropertyId', () => {
  it('draws 4 URL-safe characters, never all digits, never an id the schema holds', () => {
    const taken = { abcd: {} } as unknown as Schema
    const ids = Array.from({ length: 100_000 }, () => newPropertyId(taken))
    expect(ids.filter((id) => !/^[A-Za-z0-9]{4}$/.test(id))).toEqual([])
    expect(ids.filter((id) => /^\d+$/.test(id))).toEqual([])
    expect(ids).not.toContain('abcd')
  })

  it('keeps a schema in insertion order however many properties it gets', () => {
    const schema: Record<string, unknown> = {}
    const order: string[] = []
    for (let i = 0; i < 5_000; i++) {
      const id = newPropertyId(schema as Schema)
      schema[id] = { name: `P${i}` }
      order.push(id)
    }
    expect(Object.keys(JSON.parse(JSON.stringify(schema)) as object)).toEqual(order)
  })
})
