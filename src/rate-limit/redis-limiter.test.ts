import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { DEFAULT_RATE_LIMITS } from '../config.js'
import { createLogger } from '../logger.js'
import { createRedisRateLimiter } from './redis-limiter.js'

/**
 * The Redis-backed limiter: two limiters (two nodes) spend one budget; an unreachable Redis falls
 * back to per-node limits at once, logs it once, and reports it.
 */
const REDIS = process.env.OCTAVO_TEST_REDIS_URL
if (!REDIS) console.warn('[octavo] OCTAVO_TEST_REDIS_URL is unset: the shared-budget limiter test is skipped.')

const limits = { ...DEFAULT_RATE_LIMITS, connectionPerMinute: 5, workspacePerMinute: 100 }

function captureLogger() {
  const lines: string[] = []
  const logger = createLogger('info', { write: (l: string) => void lines.push(l) } as unknown as NodeJS.WritableStream)
  return { logger, lines }
}

describe('Redis rate limiter', () => {
  it.skipIf(!REDIS)('spends one budget across two nodes', async () => {
    const a = createRedisRateLimiter(limits, REDIS!, createLogger('silent'))
    const b = createRedisRateLimiter(limits, REDIS!, createLogger('silent'))
    try {
      await new Promise((r) => setTimeout(r, 300))
      expect(a.state?.()).toEqual({ mode: 'shared', redis: 'up' })
      const key = randomUUID()
      const out = []
      for (let i = 0; i < 8; i++) out.push((await (i % 2 ? b : a).consume(key, randomUUID(), 'free')).type)
      expect(out).toEqual(['allow', 'allow', 'allow', 'allow', 'allow', 'deny', 'deny', 'deny'])
    } finally {
      await a.close?.()
      await b.close?.()
    }
  })

  it('falls back to per-node limits when Redis is unreachable, logging once', async () => {
    const { logger, lines } = captureLogger()
    const limiter = createRedisRateLimiter(limits, 'redis://127.0.0.1:1', logger)
    try {
      const out = []
      for (let i = 0; i < 7; i++) out.push((await limiter.consume('k', 'w', 'free')).type)
      expect(out).toEqual(['allow', 'allow', 'allow', 'allow', 'allow', 'deny', 'deny'])
      await new Promise((r) => setTimeout(r, 500))
      expect(limiter.state?.()).toEqual({ mode: 'per_node', redis: 'down' })
      expect(lines.filter((l) => l.includes('Redis unavailable')).length).toBe(1)
    } finally {
      await limiter.close?.()
    }
  })
})
