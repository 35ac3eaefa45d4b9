/**
 * Rate limits counted in Redis and shared by every node (ADR 6, ADR 11). limiter.ts `createRateLimiter`
 * imports this module only when `OCTAVO_REDIS_URL` is set, so a node without Redis never loads ioredis
 * (ADR 49).
 */
import { Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible'
import type { RateLimitConfig } from '../config.js'
import type { Logger } from '../logger.js'
import { memoryAttempts, type AttemptLimiterFactory } from './attempts.js'
import { compose, type RateLimiter } from './limiter.js'

/**
 * The same budgets counted in Redis (`OCTAVO_REDIS_URL`), so every node spends from one budget:
 * rate-limiter-flexible's `RateLimiterRedis` (an atomic Redis script per request, fixed window like
 * the memory limiter). When Redis is unreachable or slow (no answer within 500 ms), each budget
 * falls back to its in-process insurance limiter: Octavo keeps serving with per-node limits, logs
 * the change once (and the recovery once), and reports it through `state()` (`/readyz`, metrics).
 * Keys: `octavo:rl:<budget>:<connection or workspace id>`.
 */
export function createRedisRateLimiter(config: RateLimitConfig, redisUrl: string, logger: Logger): RateLimiter {
  const redis = new Redis(redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 500,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  })
  let link: 'connecting' | 'up' | 'down' = 'connecting'
  const down = (why: string) => {
    if (link === 'down') return
    link = 'down'
    logger.warn({ redis: 'down', reason: why }, 'Redis unavailable: rate limits are now counted per node until it returns')
  }
  redis.on('ready', () => {
    if (link === 'down') logger.info({ redis: 'up' }, 'Redis is back: rate limits are shared by every node again')
    link = 'up'
  })
  redis.on('error', (err: Error) => down(err.message))
  redis.on('close', () => down('connection closed'))
  const attempts: AttemptLimiterFactory = (o) =>
    new RateLimiterRedis({
      storeClient: redis,
      points: o.points,
      duration: o.durationSeconds,
      keyPrefix: `octavo:auth:${o.keyPrefix}`,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memoryAttempts({ ...o, keyPrefix: `insurance:auth:${o.keyPrefix}` }),
    })
  if (!config.enabled) {
    return {
      consume: async () => ({ type: 'allow' }),
      state: () => ({ mode: 'off', redis: link === 'up' ? 'up' : 'down' }),
      close: () => quit(redis),
      attempts,
    }
  }
  const make = (points: number, keyPrefix: string) =>
    new RateLimiterRedis({
      storeClient: redis,
      points,
      duration: config.windowSeconds,
      keyPrefix: `octavo:rl:${keyPrefix}`,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ points, duration: config.windowSeconds, keyPrefix: `insurance:${keyPrefix}` }),
    })
  return {
    ...compose(config, make),
    state: () => (link === 'up' ? { mode: 'shared', redis: 'up' } : { mode: 'per_node', redis: 'down' }),
    close: () => quit(redis),
    attempts,
  }
}

async function quit(redis: Redis): Promise<void> {
  redis.removeAllListeners('close')
  redis.removeAllListeners('error')
  redis.on('error', () => {})
  try {
    if (redis.status === 'ready') await redis.quit()
    else redis.disconnect()
  } catch {
    redis.disconnect()
  }
}
