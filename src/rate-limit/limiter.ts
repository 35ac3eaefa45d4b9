import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible'
import type { RateLimitConfig } from '../config.js'
import type { Plan } from '../storage/database.js'

/**
 * Notion's request limits as documented today (permissions-and-tokens.md §2.3): a per-connection
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
}

const isBusiness = (plan: Plan) => plan === 'business' || plan === 'enterprise'

/** In-process limiter (one node). A shared Redis-backed one arrives with the scale-out issue. */
export function createMemoryRateLimiter(config: RateLimitConfig): RateLimiter {
  if (!config.enabled) return { consume: async () => ({ type: 'allow' }) }
  const make = (points: number, keyPrefix: string) => new RateLimiterMemory({ points, duration: config.windowSeconds, keyPrefix })
  const connection = { standard: make(config.connectionPerMinute, 'conn'), business: make(config.connectionPerMinuteBusiness, 'conn-b') }
  const workspace = { standard: make(config.workspacePerMinute, 'ws'), business: make(config.workspacePerMinuteBusiness, 'ws-b') }
  const retryAfter = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000))
  return {
    async consume(connectionKey, workspaceId, plan) {
      const tier = isBusiness(plan) ? 'business' : 'standard'
      try {
        await connection[tier].consume(connectionKey)
      } catch (res) {
        if (res instanceof RateLimiterRes) return { type: 'deny', reason: 'public_api_request_rate_limit', retryAfterSeconds: retryAfter(res) }
        throw res
      }
      try {
        await workspace[tier].consume(workspaceId)
      } catch (res) {
        if (res instanceof RateLimiterRes) return { type: 'deny', reason: 'public_api_space_request_rate_limit', retryAfterSeconds: retryAfter(res) }
        throw res
      }
      return { type: 'allow' }
    },
  }
}
