import { isoNow } from '../domain/clock.js'
import { DomainError } from '../errors/domain-error.js'
import { principalOf } from '../permissions/roles.js'
import type { MemberRole, PatPolicy, Plan } from '../storage/database.js'
import { audit } from '../storage/repositories/audit.repository.js'
import { findWorkspace } from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'
import type { Deps } from './deps.js'
import { isFullMember, principalsForUser } from './people-access.js'

/**
 * The workspace's PAT creation policy: who may create (and keep using) personal access tokens with
 * the "Notion API" capability. Source: developers.notion.com "Personal access tokens" (seed 004),
 * permissions-and-tokens.md §2.1 and §7.3 step 1.
 *
 * | Plan       | Default                        | Admin choices                                   |
 * |------------|--------------------------------|-------------------------------------------------|
 * | Free       | owners only                    | not configurable                                |
 * | Plus       | all members                    | not configurable                                |
 * | Business   | owners only                    | owners only, all members                        |
 * | Enterprise | owners and selected groups     | owners only, owners and selected groups, all    |
 *
 * Guests and restricted members never qualify; owners always do. With "owners and selected groups"
 * and no group selected, only owners qualify. The policy is evaluated on every request of a PAT, so a
 * change suspends (401) or restores a member's existing PATs from the next request; it never revokes.
 */
export const PAT_POLICY_BY_PLAN: Record<Plan, { default: PatPolicy; choices: readonly PatPolicy[] }> = {
  free: { default: 'owners_only', choices: ['owners_only'] },
  plus: { default: 'all_members', choices: ['all_members'] },
  business: { default: 'owners_only', choices: ['owners_only', 'all_members'] },
  enterprise: { default: 'owners_and_selected_groups', choices: ['owners_only', 'owners_and_selected_groups', 'all_members'] },
}

export const PAT_POLICIES: readonly PatPolicy[] = ['owners_only', 'owners_and_selected_groups', 'all_members']

/** The policy in force for a workspace. */
export interface EffectivePatPolicy {
  plan: Plan
  policy: PatPolicy
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
export async function effectivePatPolicy(db: Db, workspaceId: string, plan: Plan, opts: { withGroups?: boolean } = {}): Promise<EffectivePatPolicy> {
  const rule = PAT_POLICY_BY_PLAN[plan]
  const stored = await db.selectFrom('workspace_pat_policy').select('policy').where('workspace_id', '=', workspaceId).executeTakeFirst()
  const chosen = stored && rule.choices.includes(stored.policy) ? stored.policy : undefined
  const policy = chosen ?? rule.default
  // Groups matter only to "owners and selected groups"; skip the read otherwise (auth hot path).
  const groups =
    policy === 'owners_and_selected_groups' || opts.withGroups
      ? await db.selectFrom('workspace_pat_policy_group').select('group_id').where('workspace_id', '=', workspaceId).orderBy('group_id').execute()
      : []
  return {
    plan,
    policy,
    groupIds: groups.map((g) => g.group_id),
    configurable: rule.choices.length > 1,
    choices: rule.choices,
    isDefault: chosen === undefined,
  }
}

/**
 * Whether a person with `role` and `principals` may create, and keep using, PATs with the "Notion API"
 * capability under `policy`. Pure.
 */
export function policyAdmits(policy: Pick<EffectivePatPolicy, 'policy' | 'groupIds'>, role: MemberRole, principals: readonly string[]): boolean {
  if (role === 'owner') return true
  if (!isFullMember(role)) return false
  switch (policy.policy) {
    case 'all_members':
      return true
    case 'owners_only':
      return false
    case 'owners_and_selected_groups':
      return policy.groupIds.some((g) => principals.includes(principalOf.group(g)))
  }
}

/** Human wording of a policy, for messages and the CLI. */
export function describePolicy(p: PatPolicy): string {
  return p === 'owners_only' ? 'workspace owners only' : p === 'all_members' ? 'all workspace members' : 'workspace owners and selected groups'
}

/** The policy in force, for display (admin API, CLI). @throws DomainError not_found */
export async function getPatPolicy(deps: Deps, workspaceId: string) {
  const ws = await findWorkspace(deps.store.db, workspaceId)
  if (!ws) throw new DomainError('not_found', `No workspace with id ${workspaceId}.`)
  return presentPolicy(deps.store.db, await effectivePatPolicy(deps.store.db, workspaceId, ws.plan, { withGroups: true }))
}

async function presentPolicy(db: Db, p: EffectivePatPolicy) {
  const groups = p.groupIds.length
    ? await db.selectFrom('workspace_group').select(['id', 'name']).where('id', 'in', p.groupIds).orderBy('name').execute()
    : []
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
 * Changes the PAT creation policy (workspace owners only; the plan must offer the choice). Existing
 * PATs are not revoked: each is checked against the new policy on its next request. Audited as
 * `pat_policy.changed` with how many active PATs the change suspends and restores.
 * @throws DomainError forbidden (not an owner; plan not configurable) | invalid_input (choice or
 *   group not offered) | not_found (workspace)
 */
export async function setPatPolicy(deps: Deps, input: SetPatPolicyInput) {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const ws = await findWorkspace(trx, input.workspaceId)
    if (!ws) throw new DomainError('not_found', `No workspace with id ${input.workspaceId}.`)
    const actor = await principalsForUser(trx, ws.id, input.actorId)
    if (actor?.role !== 'owner') {
      throw new DomainError('forbidden', 'Only workspace owners can change who may create personal access tokens.')
    }
    const rule = PAT_POLICY_BY_PLAN[ws.plan]
    if (rule.choices.length === 1) {
      throw new DomainError('forbidden', `The PAT creation policy is not configurable on the ${ws.plan} plan (it is always "${describePolicy(rule.default)}").`)
    }
    if (!rule.choices.includes(input.policy)) {
      throw new DomainError('invalid_input', `The ${ws.plan} plan offers ${rule.choices.map((c) => `"${c}"`).join(', ')}; not "${input.policy}".`)
    }
    if (input.groupIds) {
      const unique = [...new Set(input.groupIds)]
      const found = unique.length
        ? await trx.selectFrom('workspace_group').select('id').where('workspace_id', '=', ws.id).where('id', 'in', unique).execute()
        : []
      const missing = unique.filter((g) => !found.some((f) => f.id === g))
      if (missing.length) throw new DomainError('invalid_input', `No group with id ${missing.join(', ')} in this workspace.`)
    }
    const before = await effectivePatPolicy(trx, ws.id, ws.plan, { withGroups: true })
    const admittedBefore = await admittedCreators(trx, ws.id, before)
    await trx
      .insertInto('workspace_pat_policy')
      .values({ workspace_id: ws.id, policy: input.policy, updated_by: input.actorId, updated_time: time })
      .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ policy: input.policy, updated_by: input.actorId, updated_time: time }))
      .execute()
    if (input.groupIds) {
      await trx.deleteFrom('workspace_pat_policy_group').where('workspace_id', '=', ws.id).execute()
      const unique = [...new Set(input.groupIds)]
      if (unique.length) await trx.insertInto('workspace_pat_policy_group').values(unique.map((g) => ({ workspace_id: ws.id, group_id: g }))).execute()
    }
    const after = await effectivePatPolicy(trx, ws.id, ws.plan, { withGroups: true })
    const admittedAfter = await admittedCreators(trx, ws.id, after)
    let suspended = 0
    let restored = 0
    for (const [creator, count] of admittedBefore.counts) {
      const was = admittedBefore.admitted.has(creator)
      const now = admittedAfter.admitted.has(creator)
      if (was && !now) suspended += count
      if (!was && now) restored += count
    }
    await audit(trx, {
      workspaceId: ws.id,
      actor: `user:${input.actorId}`,
      action: 'pat_policy.changed',
      target: ws.id,
      meta: {
        from: { policy: before.policy, group_ids: before.groupIds },
        to: { policy: after.policy, group_ids: after.groupIds },
        suspended_tokens: suspended,
        restored_tokens: restored,
      },
      time,
    })
    return presentPolicy(trx, after)
  })
}

/** The creators of live Notion-API PATs in a workspace, how many each has, and which the policy admits. */
async function admittedCreators(db: Db, workspaceId: string, policy: EffectivePatPolicy) {
  const rows = await db
    .selectFrom('personal_access_token')
    .select('creator_id')
    .where('workspace_id', '=', workspaceId)
    .where('revoked_time', 'is', null)
    .where('cap_notion_api', '=', 1)
    .execute()
  const counts = new Map<string, number>()
  for (const r of rows) counts.set(r.creator_id, (counts.get(r.creator_id) ?? 0) + 1)
  const admitted = new Set<string>()
  for (const creator of counts.keys()) {
    const p = await principalsForUser(db, workspaceId, creator)
    if (p && policyAdmits(policy, p.role, p.principals)) admitted.add(creator)
  }
  return { counts, admitted }
}
