import { isoNow } from '../domain/clock.js'
import { PAT_POLICIES as POLICIES, type PatPolicy, type Plan } from '../domain/workspace.js'
import { DomainError } from '../errors/domain-error.js'
import { PAT_POLICY_BY_PLAN, decidePatPolicyChange, describePolicy, policyAdmits, type PolicyRule } from '../permissions/decide-pat.js'
import { enforce } from '../permissions/decide-workspace.js'
import { findPatPolicyChoice, liveNotionApiPatCounts, patPolicyGroupIds, savePatPolicy } from '../storage/repositories/pats.repository.js'
import { existingGroupIds, groupNames } from '../storage/repositories/people.repository.js'
import { findWorkspace } from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'
import type { Deps } from './deps.js'
import { principalsForUser } from './people-access.js'

/**
 * The workspace's PAT creation policy: who may create (and keep using) personal access tokens with
 * the "Notion API" capability. Source: developers.notion.com "Personal access tokens" (seed 004),
 * docs/reference/permissions-and-tokens.md §2.1 and §7.3 step 1. The rules — the table of defaults
 * and choices per plan, who qualifies, who may change it — are permissions/decide-pat.ts; this reads
 * and writes the stored choice.
 */

// The rules live in permissions/decide-pat.ts; re-exported for existing callers.
export { PAT_POLICY_BY_PLAN, describePolicy, policyAdmits }

export const PAT_POLICIES: readonly PatPolicy[] = POLICIES

/** The policy in force for a workspace. */
export interface EffectivePatPolicy extends PolicyRule {
  plan: Plan
  /** Selected group ids (meaningful for `owners_and_selected_groups`). */
  groupIds: string[]
  /** Whether an owner may change it on this plan. */
  configurable: boolean
  choices: readonly PatPolicy[]
  /** True when no owner has chosen (the plan's default applies). */
  isDefault: boolean
}

/**
 * Reads the policy in force. A stored choice the plan does not offer (the plan changed since) falls
 * back to the plan's default; selected groups are kept (and read only when the policy uses them,
 * unless `withGroups`).
 */
export async function effectivePatPolicy(
  db: Db,
  workspaceId: string,
  plan: Plan,
  opts: { withGroups?: boolean } = {},
): Promise<EffectivePatPolicy> {
  const rule = PAT_POLICY_BY_PLAN[plan]
  const stored = await findPatPolicyChoice(db, workspaceId)
  const chosen = stored && rule.choices.includes(stored) ? stored : undefined
  const policy = chosen ?? rule.default
  // Groups matter only to "owners and selected groups"; skip the read otherwise (auth hot path).
  const groupIds = policy === 'owners_and_selected_groups' || opts.withGroups ? await patPolicyGroupIds(db, workspaceId) : []
  return {
    plan,
    policy,
    groupIds,
    configurable: rule.choices.length > 1,
    choices: rule.choices,
    isDefault: chosen === undefined,
  }
}

/** The policy in force, for display (admin API, CLI). @throws DomainError not_found */
export async function getPatPolicy(deps: Deps, workspaceId: string) {
  const ws = await findWorkspace(deps.store.db, workspaceId)
  if (!ws) throw new DomainError('not_found', `No workspace with id ${workspaceId}.`)
  return presentPolicy(deps.store.db, await effectivePatPolicy(deps.store.db, workspaceId, ws.plan, { withGroups: true }))
}

async function presentPolicy(db: Db, p: EffectivePatPolicy) {
  const groups = await groupNames(db, p.groupIds)
  return {
    plan: p.plan,
    policy: p.policy,
    description: describePolicy(p.policy),
    selected_groups: groups,
    configurable: p.configurable,
    choices: [...p.choices],
    is_default: p.isDefault,
  }
}

export interface SetPatPolicyInput {
  workspaceId: string
  actorId: string
  policy: PatPolicy
  /** With `owners_and_selected_groups`: the exact set of selected groups (omitted = unchanged). */
  groupIds?: string[]
}

/**
 * Changes the PAT creation policy (decidePatPolicyChange: workspace owners only; the plan must offer
 * the choice). Existing PATs are not revoked: each is checked against the new policy on its next
 * request. Appends `pat_policy.changed` with how many live PATs the change suspends and restores.
 * @throws DomainError forbidden (not an owner; plan not configurable) | invalid_input (choice or
 *   group not offered) | not_found (workspace)
 */
export async function setPatPolicy(deps: Deps, input: SetPatPolicyInput) {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const ws = await findWorkspace(trx, input.workspaceId)
    if (!ws) throw new DomainError('not_found', `No workspace with id ${input.workspaceId}.`)
    const actor = await principalsForUser(trx, ws.id, input.actorId)
    enforce(decidePatPolicyChange({ role: actor?.role, plan: ws.plan, policy: input.policy }))
    const unique = input.groupIds ? [...new Set(input.groupIds)] : undefined
    if (unique) {
      const found = await existingGroupIds(trx, ws.id, unique)
      const missing = unique.filter((g) => !found.includes(g))
      if (missing.length) throw new DomainError('invalid_input', `No group with id ${missing.join(', ')} in this workspace.`)
    }
    const before = await effectivePatPolicy(trx, ws.id, ws.plan, { withGroups: true })
    // The policy after the change, as effectivePatPolicy will read it (the plan offers the choice).
    const next: PolicyRule = { policy: input.policy, groupIds: unique ? [...unique].sort() : before.groupIds }
    const counts = await liveNotionApiPatCounts(trx, ws.id)
    let suspended = 0
    let restored = 0
    for (const [creator, count] of counts) {
      const p = await principalsForUser(trx, ws.id, creator)
      const was = p !== null && policyAdmits(before, p.role, p.principals)
      const now = p !== null && policyAdmits(next, p.role, p.principals)
      if (was && !now) suspended += count
      if (!was && now) restored += count
    }
    await savePatPolicy(
      trx,
      { workspaceId: ws.id, policy: input.policy, ...(unique ? { groupIds: unique } : {}), updatedBy: input.actorId },
      { actor: `user:${input.actorId}`, time },
      {
        from: { policy: before.policy, group_ids: before.groupIds },
        to: { policy: next.policy, group_ids: next.groupIds },
        suspended_tokens: suspended,
        restored_tokens: restored,
      },
    )
    const after = await effectivePatPolicy(trx, ws.id, ws.plan, { withGroups: true })
    return presentPolicy(trx, after)
  })
}
