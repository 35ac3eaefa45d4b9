import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { lcs } from './page-markdown.service.js'

/** Length of a longest common subsequence, by the textbook table (the reference for `lcs`). */
function lcsLength(a: string[], b: string[]): number {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0))
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--) t[i]![j] = a[i] === b[j] ? t[i + 1]![j + 1]! + 1 : Math.max(t[i + 1]![j]!, t[i]![j + 1]!)
  return t[0]![0]!
}

describe('lcs (the reconcile of page Markdown edits)', () => {
  it('pairs equal keys in increasing order, as many as the textbook table finds', () => {
    const seq = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { maxLength: 30 })
    fc.assert(
      fc.property(seq, seq, (a, b) => {
        const pairs = lcs(a, b)
        for (const [k, [i, j]] of pairs.entries()) {
          expect(a[i]).toBe(b[j])
          if (k > 0) {
            const [pi, pj] = pairs[k - 1] as [number, number]
            expect(i > pi && j > pj).toBe(true)
          }
        }
        expect(pairs.length).toBe(lcsLength(a, b))
      }),
      { numRuns: 300, seed: 42 },
    )
  })

  it('a rewrite sharing no key keeps nothing', () => {
    expect(lcs(['a', 'b', 'c'], ['x', 'y'])).toEqual([])
  })
})
