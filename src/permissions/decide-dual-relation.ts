import type { AccessDecision } from './decide-access.js'
import { REQUIRED_LEVEL } from './roles.js'

/** The two sides of a two-way (`dual_property`) relation, as the caller's effective levels. */
export interface DualRelationRequest {
  /** The caller's level on the side it writes (its data source's database, or the row it writes). */
  ownLevel: number
  /**
   * The caller's level on the other side: the related data source's database (schema changes) or the
   * related row whose synced property would change (row writes). 0 when it cannot see it at all.
   */
  otherLevel: number
}

/**
 * Decides whether a caller may make a change that writes both sides of a two-way relation: create a
 * `dual_property` relation (it adds a property to the other data source), change or remove one (it
 * changes or deletes the other side's synced property and its values), or add or remove links in one
 * (each related row's synced property changes). Pure: the caller loads both levels.
 *
 * Rule (security issue "a viewer changes another database through a two-way relation"): such a change
 * writes the other data source, so it needs edit access ("Can edit", level 4) on both sides — the same
 * level a direct write to the other side needs. Order as `decideAccess`: a side the caller cannot see
 * is `not_found` (404, never revealing it exists), a side it sees below edit is `insufficient_level`
 * (403 restricted_resource). A one-way relation (`single_property`) needs only view access on the
 * target, and is not decided here.
 */
export function decideDualRelation(req: DualRelationRequest): AccessDecision {
  for (const level of [req.ownLevel, req.otherLevel]) {
    if (level < REQUIRED_LEVEL.read) return { type: 'deny', reason: 'not_found' }
    if (level < REQUIRED_LEVEL.edit) return { type: 'deny', reason: 'insufficient_level' }
  }
  return { type: 'allow' }
}
