import { describe, expect, it } from 'vitest'
import { isoTime } from '../../src/http/emulator/index.js'

/** The journal's `time` (http/emulator/index.ts `isoTime`) is `toISOString`'s, to the character. */
describe('journal entry times', () => {
  it('formats every epoch ms as toISOString does, across seconds, days and years, and outside 1970–9999', () => {
    const cases = [
      0, 1, 9, 10, 99, 100, 999, 1000, 1001, 1.5, -1, -1000, 951_782_400_000, 253_402_300_799_999, 253_402_300_800_000, 8.64e15,
    ]
    for (let ms = 1_767_225_599_990; ms < 1_767_225_600_010; ms++) cases.push(ms)
    let seed = 19
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
      cases.push(Math.floor((seed / 2_147_483_648) * 2.6e14))
    }
    for (const ms of cases) expect(isoTime(ms), String(ms)).toBe(new Date(ms).toISOString())
  })
})
