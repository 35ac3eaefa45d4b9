import { hasCapability, type Capabilities, type RequiredCapability } from './capabilities.js'
import { REQUIRED_LEVEL, type PageAction } from './roles.js'

/**
 * The outcome of an access decision. Notion never reveals that an object exists to a token that may
 * not see it, so "no level at all" is `not_found` (404), while a capability gap is `forbidden` (403).
 */
export type AccessDecision = { type: 'allow' } | { type: 'deny'; reason: 'missing_capability' | 'not_found' | 'insufficient_level' }

export interface AccessRequest {
  capabilities: Capabilities
  /** The capability the endpoint needs (checked before the page, as Notion does). */
  capability: RequiredCapability
  action: PageAction
  /** The principal's effective level on the page, 0 when none or when the page does not exist. */
  level: number
}

/**
 * Decides whether a token may perform `action` on a page. Pure: the caller loads the effective level
 * (one ACL lookup on the page's permission root) and the capabilities.
 *
 * Order: capability (403), then visibility (404), then level (403). Visibility needs only "can view";
 * a page the principal can see but not edit answers 403 `restricted_resource`.
 */
export function decideAccess(req: AccessRequest): AccessDecision {
  if (!hasCapability(req.capabilities, req.capability)) return { type: 'deny', reason: 'missing_capability' }
  if (req.level < REQUIRED_LEVEL.read) return { type: 'deny', reason: 'not_found' }
  if (req.level < REQUIRED_LEVEL[req.action]) return { type: 'deny', reason: 'insufficient_level' }
  return { type: 'allow' }
}
