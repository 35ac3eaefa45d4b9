import { createHash } from 'node:crypto'
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'

/**
 * Budgets of failed authentication attempts (portal sign-in, OAuth client authentication), counted by
 * rate-limiter-flexible on the same store as the API's budgets: Redis when `OCTAVO_REDIS_URL` is set
 * (every node spends from one budget; an atomic script per attempt), else in this process. They stay
 * on when `OCTAVO_RATE_LIMITS=off`, which only concerns Notion's request budgets.
 *
 * Each throttle has two budgets: per key and client address (e.g. e-mail + address), and per client
 * address alone. Keys are stored as SHA-256 digests (no e-mail addresses in Redis).
 */

/** Builds one fixed-window counter: `points` per `durationSeconds`, keys under `keyPrefix`. */
export type AttemptLimiterFactory = (o: { keyPrefix: string; points: number; durationSeconds: number }) => RateLimiterAbstract

/** In-process counters (one node). */
export const memoryAttempts: AttemptLimiterFactory = (o) =>
  new RateLimiterMemory({ keyPrefix: o.keyPrefix, points: o.points, duration: o.durationSeconds })

export interface AttemptBudget {
  /** Attempts allowed per window. */
  points: number
  /** Window length, seconds (fixed window from the first attempt). */
  durationSeconds: number
}

const digest = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 32)
const seconds = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000))

export class AttemptThrottle {
  private readonly perKey: RateLimiterAbstract
  private readonly perAddress: RateLimiterAbstract

  /**
   * @param name prefix of the stored keys (`<name>_key`, `<name>_addr`)
   * @param perKey budget per key and client address
   * @param perAddress budget per client address
   */
  constructor(
    make: AttemptLimiterFactory,
    name: string,
    private readonly budgets: { perKey: AttemptBudget; perAddress: AttemptBudget },
  ) {
    this.perKey = make({ keyPrefix: `${name}_key`, ...budgets.perKey })
    this.perAddress = make({ keyPrefix: `${name}_addr`, ...budgets.perAddress })
  }

  private keys(key: string, address: string) {
    return { k: digest(`${key}\n${address}`), a: digest(address) }
  }

  /** Spends one point of each budget; @returns 0 when both allowed it, else seconds until they reset. */
  private async spend(k: string, a: string): Promise<number> {
    let wait = 0
    for (const [limiter, key] of [
      [this.perKey, k],
      [this.perAddress, a],
    ] as const) {
      try {
        await limiter.consume(key)
      } catch (res) {
        if (!(res instanceof RateLimiterRes)) throw res
        wait = Math.max(wait, seconds(res))
      }
    }
    return wait
  }

  /**
   * Takes one attempt before checking credentials (atomic: of N concurrent attempts exactly the
   * budget's worth get 0). Call `succeeded` when the credentials were right, so that success costs
   * nothing.
   * @returns 0 when the attempt may proceed, else seconds to wait (`Retry-After`).
   */
  async take(key: string, address: string): Promise<number> {
    const { k, a } = this.keys(key, address)
    return this.spend(k, a)
  }

  /** Refunds a `take` that succeeded: forgets the key's failures and returns the address's point. */
  async succeeded(key: string, address: string): Promise<void> {
    const { k, a } = this.keys(key, address)
    await Promise.all([this.perKey.delete(k), this.perAddress.reward(a, 1)])
  }

  /**
   * Records a failure after the check (for checks too cheap to need `take`).
   * @returns 0 while within the budgets, else seconds to wait: the failure is to be answered 429.
   */
  async failed(key: string, address: string): Promise<number> {
    const { k, a } = this.keys(key, address)
    return this.spend(k, a)
  }

  /** Seconds until another attempt is allowed when a budget is used up, else 0 (reads only). */
  async blocked(key: string, address: string): Promise<number> {
    const { k, a } = this.keys(key, address)
    const [rk, ra] = await Promise.all([this.perKey.get(k), this.perAddress.get(a)])
    const wait = (r: RateLimiterRes | null, points: number) => (r && r.consumedPoints >= points ? seconds(r) : 0)
    return Math.max(wait(rk, this.budgets.perKey.points), wait(ra, this.budgets.perAddress.points))
  }
}
