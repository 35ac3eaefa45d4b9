import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'
import type { RateLimitConfig } from '../config.js'
import type { Logger } from '../logger.js'
import type { Plan } from '../domain/workspace.js'
import { memoryAttempts, type AttemptLimiterFactory } from './attempts.js'

/**
 * Notion's request limits as documented today (docs/reference/permissions-and-tokens.md §2.3): a per-connection
 * budget per 60-second window (180, or 600 on Business and Enterprise), spendable in one burst,
 * plus a per-workspace budget shared by all its connections. Counting is done by
 * rate-limiter-flexible (fixed window from the first request of a window); this module only
 * composes the two budgets and names the reason Notion reports.
 */
export type RateLimitDecision =
  | { type: 'allow' }
  | {
      type: 'deny'
      /** `additional_data.rate_limit_reason`. */
      reason: 'public_api_request_rate_limit' | 'public_api_space_request_rate_limit'
      /** Whole seconds until the window resets (`Retry-After`). */
      retryAfterSeconds: number
    }

export interface RateLimiter {
  /** Spends one request for `connectionKey` in `workspaceId`. */
  consume(connectionKey: string, workspaceId: string, plan: Plan): Promise<RateLimitDecision>
  /**
   * Where the budgets are counted: `off`, `per_node` (this process only), or `shared` (Redis, every
   * node together). `redis` is the Redis link's state when one is configured.
   */
  state?(): RateLimiterState
  /** Releases the Redis connection, if any. */
  close?(): Promise<void>
  /**
   * Starts a fresh window for every request budget (all counters back to zero). rate-limiter-flexible
   * reads its own time, not `deps.clock`, so the server calls this when the admin clock moves forward
   * by at least a window or moves back, and after a snapshot restore or a reset (ADR 23). Counters are
   * dropped by switching to a new key generation (Redis keys of the old one expire by their TTL).
   */
  clearWindows?(): void
  /**
   * Counters of failed sign-ins and client authentications (attempts.ts) on the same store: Redis
   * when configured (keys `octavo:auth:<prefix>:<digest>`, same in-process fallback), else memory.
   * On even when the request budgets are off. Absent: in memory.
   */
  attempts?: AttemptLimiterFactory
}

export interface RateLimiterState {
  mode: 'off' | 'per_node' | 'shared'
  redis: 'not_configured' | 'up' | 'down'
}

const isBusiness = (plan: Plan) => plan === 'business' || plan === 'enterprise'

/** In-process limiter (one node). */
export function createMemoryRateLimiter(config: RateLimitConfig): RateLimiter {
  if (!config.enabled)
    return { consume: async () => ({ type: 'allow' }), state: () => ({ mode: 'off', redis: 'not_configured' }), attempts: memoryAttempts }
  const make = (points: number, keyPrefix: string) => new RateLimiterMemory({ points, duration: config.windowSeconds, keyPrefix })
  return { ...compose(config, make), state: () => ({ mode: 'per_node', redis: 'not_configured' }), attempts: memoryAttempts }
}

/**
 * The limiter the configuration asks for: Redis-shared with `redisUrl` (redis-limiter.ts, imported
 * only then, so a node without Redis never loads ioredis), else per node.
 */
export async function createRateLimiter(config: RateLimitConfig, redisUrl: string | undefined, logger: Logger): Promise<RateLimiter> {
  if (!redisUrl) return createMemoryRateLimiter(config)
  const { createRedisRateLimiter } = await import('./redis-limiter.js')
  return createRedisRateLimiter(config, redisUrl, logger)
}

/** Composes the connection budget then the workspace budget over any rate-limiter-flexible store. */
export function compose(
  config: RateLimitConfig,
  make: (points: number, keyPrefix: string) => RateLimiterAbstract,
): Pick<RateLimiter, 'consume' | 'clearWindows'> {
  let generation = 0
  const budgets = () => {
    const g = generation === 0 ? '' : `:g${generation}`
    return {
      connection: {
        standard: make(config.connectionPerMinute, `conn${g}`),
        business: make(config.connectionPerMinuteBusiness, `conn-b${g}`),
      },
      workspace: { standard: make(config.workspacePerMinute, `ws${g}`), business: make(config.workspacePerMinuteBusiness, `ws-b${g}`) },
    }
  }
  let { connection, workspace } = budgets()
  const retryAfter = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000))
  return {
    async consume(connectionKey, workspaceId, plan) {
      const tier = isBusiness(plan) ? 'business' : 'standard'
      try {
        await connection[tier].consume(connectionKey)
      } catch (res) {
        if (res instanceof RateLimiterRes)
          return { type: 'deny', reason: 'public_api_request_rate_limit', retryAfterSeconds: retryAfter(res) }
        throw res
      }
      try {
        await workspace[tier].consume(workspaceId)
      } catch (res) {
        if (res instanceof RateLimiterRes)
          return { type: 'deny', reason: 'public_api_space_request_rate_limit', retryAfterSeconds: retryAfter(res) }
        throw res
      }
      return { type: 'allow' }
    },
    clearWindows() {
      generation += 1
      ;({ connection, workspace } = budgets())
    },
  }
}
