import * as z from 'zod'

/**
 * Fault injection (ADR 22, docs/emulator.md): rules that make matching `/v1` requests fail the way
 * Notion fails, so an integration's retry and error paths can be tested.
 *
 * A rule = match × fire × action:
 * - match (every given field must match): `endpoint` (SDK method, `pages.retrieve`), `method`
 *   (`GET`…), `path` (a pattern over the request path: `*` is one path segment or part of one, `**`
 *   any run of segments, e.g. `/v1/pages/*`, `/v1/blocks/**`), `caller` (connection / PAT / public
 *   connection id or name, case-insensitive), `workspace` (id);
 * - fire: `always` (default), `times: N` (the next N matches, then the rule is spent and removed),
 *   or `probability: p` in [0, 1] with an optional `seed` (a seeded PRNG per rule, so a run repeats);
 * - action (exactly one): `error` — a Notion error in Notion's envelope: `rate_limited` (429, with
 *   `Retry-After: retry_after` seconds, default 1), `internal_server_error` (500), `bad_gateway` (502),
 *   `service_unavailable` (503), `gateway_timeout` (504), `conflict_error` (409); `latency` — delay the
 *   request then serve it normally: `{ms}` fixed, or `{min_ms, max_ms}` uniform (seeded when the rule
 *   has a seed); `drop: true` — destroy the TCP connection without an answer.
 *
 * Rules are checked after the credential is authenticated (so a fault never hides a 401 and rules can
 * match the caller and workspace), before `Notion-Version`, the rate limit and the handler. The first
 * matching rule whose fire condition holds acts; a latency rule delays, then later rules still apply.
 * In memory, per process; `OCTAVO_FAULTS` loads rules at start-up.
 */

/** The Notion errors a rule can answer with, and their statuses and messages (docs/reference/notion-api.md §3). */
export const FAULT_ERRORS = {
  rate_limited: { status: 429, message: 'You have been rate limited. Please try again in a few minutes.' },
  internal_server_error: { status: 500, message: 'Unexpected error occurred.' },
  bad_gateway: { status: 502, message: 'Bad Gateway' },
  service_unavailable: { status: 503, message: 'Notion is unavailable, please try again later.' },
  gateway_timeout: { status: 504, message: 'Gateway Timeout' },
  conflict_error: { status: 409, message: 'Conflict occurred while saving. Please try again.' },
} as const

export type FaultErrorCode = keyof typeof FAULT_ERRORS

/** A rule as given to the admin API, the CLI or the configuration file (strict: unknown keys refused). */
export const FaultRuleInput = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 letters, digits, "_", "-" or "."')
      .optional(),
    endpoint: z.string().min(1).max(100).optional(),
    method: z
      .string()
      .regex(/^(get|post|patch|delete|GET|POST|PATCH|DELETE)$/, 'must be GET, POST, PATCH or DELETE')
      .transform((m) => m.toUpperCase())
      .optional(),
    path: z.string().startsWith('/', 'must start with "/"').max(500).optional(),
    caller: z.string().min(1).max(200).optional(),
    workspace: z.string().min(1).max(100).optional(),
    times: z.number().int().positive().max(1_000_000).optional(),
    probability: z.number().min(0).max(1).optional(),
    seed: z.number().int().optional(),
    error: z.enum(Object.keys(FAULT_ERRORS) as [FaultErrorCode, ...FaultErrorCode[]]).optional(),
    retry_after: z.number().int().min(0).max(3600).optional(),
    latency: z
      .union([
        z.strictObject({ ms: z.number().int().min(0).max(60_000) }),
        z.strictObject({ min_ms: z.number().int().min(0).max(60_000), max_ms: z.number().int().min(0).max(60_000) }),
      ])
      .optional(),
    drop: z.literal(true).optional(),
  })
  .refine((r) => [r.error !== undefined, r.latency !== undefined, r.drop !== undefined].filter(Boolean).length === 1, {
    message: 'give exactly one action: error, latency or drop',
  })
  .refine((r) => !(r.times !== undefined && r.probability !== undefined), { message: 'give times or probability, not both' })
  .refine((r) => r.retry_after === undefined || r.error === 'rate_limited', { message: 'retry_after goes with error "rate_limited"' })
  .refine((r) => !r.latency || !('min_ms' in r.latency) || r.latency.min_ms <= r.latency.max_ms, {
    message: 'latency min_ms must be ≤ max_ms',
  })

export type FaultRuleInput = z.output<typeof FaultRuleInput>

/** A stored rule, as listed by the admin API and `/readyz`. */
export interface FaultRule extends FaultRuleInput {
  id: string
  /** Matches remaining for a `times` rule. */
  remaining?: number
  /** How many requests it acted on. */
  fired: number
}

/** What a matching rule does to one request. */
export type FaultAction =
  | { type: 'error'; ruleId: string; code: FaultErrorCode; status: number; message: string; retryAfter?: number }
  | { type: 'latency'; ruleId: string; ms: number }
  | { type: 'drop'; ruleId: string }

/** The request facts rules match on. */
export interface FaultRequest {
  endpoint: string | null
  method: string
  path: string
  callerId: string
  callerName: string
  workspaceId: string
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `/v1/pages/*` → a RegExp over the whole path (`*` within a segment, `**` across segments). */
export function pathPattern(pattern: string): RegExp {
  const src = pattern
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('')
  return new RegExp(`^${src}/?$`)
}

interface LiveRule {
  rule: FaultRule
  path?: RegExp
  random: () => number
}

/** A describable summary of a rule's action ("error 503 service_unavailable", "latency 200 ms", "drop"). */
export function describeAction(r: FaultRuleInput): string {
  if (r.error) return `error ${FAULT_ERRORS[r.error].status} ${r.error}`
  if (r.latency) return 'ms' in r.latency ? `latency ${r.latency.ms} ms` : `latency ${r.latency.min_ms}–${r.latency.max_ms} ms`
  return 'dropped connection'
}

/**
 * What `/readyz` (which needs no key) shows of a rule: its id, what it matches on besides the caller
 * and workspace (whose names and ids it leaves out), its action and how often it fired.
 */
export function faultSummary(r: FaultRule): Record<string, unknown> {
  return {
    id: r.id,
    ...(r.endpoint ? { endpoint: r.endpoint } : {}),
    ...(r.method ? { method: r.method } : {}),
    ...(r.path ? { path: r.path } : {}),
    ...(r.caller !== undefined || r.workspace !== undefined ? { scoped: true } : {}),
    action: describeAction(r),
    fired: r.fired,
    ...(r.remaining !== undefined ? { remaining: r.remaining } : {}),
  }
}

/** The active fault rules of one process. */
export class Faults {
  private rules: LiveRule[] = []
  private counter = 0

  /**
   * Adds a rule (validated input) and returns it. A rule with the id of an existing one replaces it.
   */
  add(input: FaultRuleInput): FaultRule {
    const id = input.id ?? `fault_${++this.counter}`
    const rule: FaultRule = { ...input, id, fired: 0, ...(input.times !== undefined ? { remaining: input.times } : {}) }
    const live: LiveRule = {
      rule,
      random: input.seed !== undefined ? seeded(input.seed) : Math.random,
      ...(input.path ? { path: pathPattern(input.path) } : {}),
    }
    this.rules = [...this.rules.filter((r) => r.rule.id !== id), live]
    return rule
  }

  /** The active rules, in matching order. */
  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r.rule }))
  }

  /** Removes one rule. @returns whether it existed. */
  remove(id: string): boolean {
    const before = this.rules.length
    this.rules = this.rules.filter((r) => r.rule.id !== id)
    return this.rules.length !== before
  }

  /** Removes every rule. @returns how many there were. */
  clear(): number {
    const n = this.rules.length
    this.rules = []
    return n
  }

  get size(): number {
    return this.rules.length
  }

  /**
   * The actions the rules take on `req`, in order: any number of latencies, then at most one error or
   * drop (which ends the list). Spends `times` rules and removes them when spent.
   */
  match(req: FaultRequest): FaultAction[] {
    if (this.rules.length === 0) return []
    const out: FaultAction[] = []
    const caller = [req.callerId.toLowerCase(), req.callerName.toLowerCase()]
    for (const live of [...this.rules]) {
      const r = live.rule
      if (r.endpoint !== undefined && r.endpoint !== req.endpoint) continue
      if (r.method !== undefined && r.method !== req.method) continue
      if (r.workspace !== undefined && r.workspace !== req.workspaceId) continue
      if (r.caller !== undefined && !caller.includes(r.caller.toLowerCase())) continue
      if (live.path && !live.path.test(req.path)) continue
      if (r.probability !== undefined && !(live.random() < r.probability)) continue
      r.fired++
      if (r.remaining !== undefined) {
        r.remaining--
        if (r.remaining <= 0) this.remove(r.id)
      }
      if (r.latency) {
        const ms = 'ms' in r.latency ? r.latency.ms : Math.round(r.latency.min_ms + live.random() * (r.latency.max_ms - r.latency.min_ms))
        out.push({ type: 'latency', ruleId: r.id, ms })
        continue
      }
      if (r.drop) out.push({ type: 'drop', ruleId: r.id })
      else if (r.error) {
        const e = FAULT_ERRORS[r.error]
        out.push({
          type: 'error',
          ruleId: r.id,
          code: r.error,
          status: e.status,
          message: e.message,
          ...(r.error === 'rate_limited' ? { retryAfter: r.retry_after ?? 1 } : {}),
        })
      }
      break
    }
    return out
  }
}

/**
 * Reads `OCTAVO_FAULTS`: a JSON array of rules, inline (starting with `[`) or in a file at that path.
 * @throws Error naming the first invalid rule.
 */
export function parseFaultRules(text: string): FaultRuleInput[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new Error(`not valid JSON: ${(err as Error).message}`, { cause: err })
  }
  if (!Array.isArray(parsed)) throw new Error('expected a JSON array of fault rules')
  return parsed.map((r, i) => {
    const res = FaultRuleInput.safeParse(r)
    if (!res.success) {
      const issue = res.error.issues[0]
      throw new Error(`rule ${i}: ${issue?.path.join('.') || 'rule'}: ${issue?.message}`)
    }
    return res.data
  })
}
