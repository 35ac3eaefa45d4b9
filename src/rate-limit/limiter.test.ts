import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_RATE_LIMITS } from '../config.js'
import type { Plan } from '../domain/workspace.js'
import { createMemoryRateLimiter } from './limiter.js'

/**
 * The composed Notion budgets over rate-limiter-flexible, as tables: per connection 180 (600 on
 * Business/Enterprise) per 60 s window, spendable in one burst, and a per-workspace budget.
 * Time is moved with fake timers; the limiter itself is the real library.
 */
describe('rate limiter', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'))
  })
  afterEach(() => vi.useRealTimers())

  async function burst(n: number, plan: Plan, limits = DEFAULT_RATE_LIMITS, key = 'c1', ws = 'w1') {
    const limiter = createMemoryRateLimiter(limits)
    const out = []
    for (let i = 0; i < n; i++) out.push(await limiter.consume(key, ws, plan))
    return { out, limiter }
  }

  it.each([
    ['free', 180],
    ['plus', 180],
    ['business', 600],
    ['enterprise', 600],
  ] as const)('%s: the first %i requests of a window pass in one burst, the next is refused', async (plan, budget) => {
    const { out } = await burst(budget + 1, plan)
    expect(out.slice(0, budget).every((d) => d.type === 'allow')).toBe(true)
    expect(out[budget]).toEqual({ type: 'deny', reason: 'public_api_request_rate_limit', retryAfterSeconds: 60 })
  })

  it('tells how long until the window resets, and admits again after it', async () => {
    const { limiter } = await burst(180, 'free')
    vi.advanceTimersByTime(45_000)
    expect(await limiter.consume('c1', 'w1', 'free')).toEqual({
      type: 'deny',
      reason: 'public_api_request_rate_limit',
      retryAfterSeconds: 15,
    })
    vi.advanceTimersByTime(15_001)
    expect(await limiter.consume('c1', 'w1', 'free')).toEqual({ type: 'allow' })
  })

  it('budgets connections separately but shares the workspace budget', async () => {
    const limits = { ...DEFAULT_RATE_LIMITS, connectionPerMinute: 3, workspacePerMinute: 5 }
    const limiter = createMemoryRateLimiter(limits)
    const seq = []
    for (const key of ['a', 'a', 'a', 'a', 'b', 'b', 'b'])
      seq.push((await limiter.consume(key, 'w', 'free')).type === 'allow' ? key : `${key}✗`)
    // a: 3 allowed, 4th refused by its own budget; b: 2 allowed, then the workspace budget (5) is spent.
    expect(seq).toEqual(['a', 'a', 'a', 'a✗', 'b', 'b', 'b✗'])
    const last = await limiter.consume('c', 'w', 'free')
    expect(last).toMatchObject({ type: 'deny', reason: 'public_api_space_request_rate_limit' })
  })

  it('admits everything when turned off', async () => {
    const { out } = await burst(1000, 'free', { ...DEFAULT_RATE_LIMITS, enabled: false })
    expect(out.every((d) => d.type === 'allow')).toBe(true)
  })
})
