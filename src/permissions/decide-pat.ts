import type { MemberRole, PatPolicy, Plan } from '../domain/workspace.js'
import { ALLOWED, decideOwnerOnly, isFullMember, refuse, type Decision } from './decide-workspace.js'
import { principalOf } from './roles.js'

/**
 * The rules of personal access tokens (PATs) and of the workspace's PAT creation policy: developers.notion.com
 * "Personal access tokens" (seed 004), docs/reference/permissions-and-tokens.md §2.1 and §7.3 step 1,
 * docs/adr/0010-personal-access-tokens.md. Pure: services load the person's role and principals, the
 * token and the policy, and pass them in; the messages are those of every surface.
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

/** The part of the policy in force that decides who qualifies. */
export interface PolicyRule {
  policy: PatPolicy
  /** Selected group ids (meaningful for `owners_and_selected_groups`). */
  groupIds: readonly string[]
}

/** A person as the PAT rules see them: their role (null = not a member) and principals (`group:<id>`, …). */
export interface PatPerson {
  role: MemberRole | null | undefined
  principals: readonly string[]
}

/** Human wording of a policy, for messages and the CLI. */
export function describePolicy(p: PatPolicy): string {
  return p === 'owners_only'
    ? 'workspace owners only'
    : p === 'all_members'
      ? 'all workspace members'
      : 'workspace owners and selected groups'
}

/**
 * Whether a person with `role` and `principals` may create, and keep using, PATs with the "Notion API"
 * capability under `policy`.
 */
export function policyAdmits(policy: PolicyRule, role: MemberRole, principals: readonly string[]): boolean {
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

/**
 * Whether deciding about `person` needs the policy (a full member other than an owner asking for the
 * "Notion API" capability): callers read the policy only then (the authentication hot path).
 */
export function patNeedsPolicy(person: Pick<PatPerson, 'role'>, notionApi: boolean): boolean {
  return notionApi && !!person.role && person.role !== 'owner' && isFullMember(person.role)
}

/** Fail closed: a decision that needs the policy and was given none applies the strictest one. */
const STRICTEST: PolicyRule = { policy: 'owners_only', groupIds: [] }

export const PAT_NOT_A_MEMBER_MESSAGE = 'Only members of this workspace can create personal access tokens in it.'
export const PAT_NOT_FULL_MEMBER_MESSAGE = 'Guests and restricted members cannot create personal access tokens.'
export const PAT_HOLDER_NOT_FULL_MEMBER_MESSAGE = 'Guests and restricted members cannot hold personal access tokens.'
export const PAT_REVEAL_CREATOR_ONLY_MESSAGE = 'Only the creator of a personal access token can reveal or copy it; workspace admins cannot.'
export const PAT_REVEAL_NOT_A_MEMBER_MESSAGE = 'Only members of this workspace can reveal its tokens.'
export const PAT_CAPABILITIES_CREATOR_ONLY_MESSAGE = "Only a token's creator can change its capabilities."
export const PAT_NEEDS_A_CAPABILITY_MESSAGE = 'A personal access token needs at least one capability: Notion API or Workers.'

/** "This workspace lets <who> <verb> personal access tokens with Notion API access; this member is not allowed." */
export function policyRefusalMessage(policy: PatPolicy, verb: 'create' | 'hold'): string {
  return `This workspace lets ${describePolicy(policy)} ${verb} personal access tokens with Notion API access; this member is not allowed.`
}

/**
 * Creating a PAT with the "Notion API" capability (`notionApi`) or without it (Workers only): members
 * only, never guests or restricted members, and "Notion API" only when `policy` admits the person
 * (`policy` is needed when `patNeedsPolicy`; without it the strictest policy, owners only, applies).
 */
export function decidePatCreation(input: { person: PatPerson; notionApi: boolean; policy?: PolicyRule | null }): Decision {
  const { role, principals } = input.person
  if (!role) return refuse(PAT_NOT_A_MEMBER_MESSAGE)
  if (!isFullMember(role)) return refuse(PAT_NOT_FULL_MEMBER_MESSAGE)
  const policy = input.policy ?? STRICTEST
  if (input.notionApi && !policyAdmits(policy, role, principals)) return refuse(policyRefusalMessage(policy.policy, 'create'))
  return ALLOWED
}

/** A PAT's lifecycle state: revoked beats expired. */
export type PatState = 'active' | 'expired' | 'revoked'

/**
 * Changing a PAT's capability bundles from `from` to `to`: its creator only (`isCreator`), an active
 * token (409 otherwise), at least one bundle (400), a full member, and adding "Notion API" needs the
 * policy's leave (`policy` needed then; without it, owners only).
 */
export function decidePatCapabilityChange(input: {
  isCreator: boolean
  state: PatState
  from: { notionApi: boolean; workers: boolean }
  to: { notionApi: boolean; workers: boolean }
  person: PatPerson
  policy?: PolicyRule | null
}): Decision {
  if (!input.isCreator) return refuse(PAT_CAPABILITIES_CREATOR_ONLY_MESSAGE)
  if (input.state !== 'active') return refuse(`This personal access token is ${input.state}.`, 'conflict')
  if (!input.to.notionApi && !input.to.workers) return refuse(PAT_NEEDS_A_CAPABILITY_MESSAGE, 'invalid_input')
  const { role, principals } = input.person
  if (!role || !isFullMember(role)) return refuse(PAT_HOLDER_NOT_FULL_MEMBER_MESSAGE)
  const policy = input.policy ?? STRICTEST
  if (input.to.notionApi && !input.from.notionApi && !policyAdmits(policy, role, principals))
    return refuse(policyRefusalMessage(policy.policy, 'hold'))
  return ALLOWED
}

/**
 * Revealing a PAT's secret again: its creator only — never a workspace owner or admin ("Admins cannot
 * reveal or copy another member's token secret", seed 004) —, still a member, and only while active
 * (409 otherwise).
 */
export function decidePatReveal(input: { isCreator: boolean; isMember: boolean; state: PatState }): Decision {
  if (!input.isCreator) return refuse(PAT_REVEAL_CREATOR_ONLY_MESSAGE)
  if (!input.isMember) return refuse(PAT_REVEAL_NOT_A_MEMBER_MESSAGE)
  if (input.state !== 'active') return refuse(`This personal access token is ${input.state}; create a new one.`, 'conflict')
  return ALLOWED
}

/** Seeing one PAT: its creator, or a workspace owner. */
export function decidePatView(input: { isCreator: boolean; role: MemberRole | null | undefined }): Decision {
  return input.isCreator ? ALLOWED : decideOwnerOnly(input.role, "see other members' personal access tokens")
}

/** Revoking a PAT: its creator, a workspace owner (any PAT of the workspace), or Notion's Admin API route (`adminApi`). */
export function decidePatRevoke(
  input: { adminApi: true } | { adminApi?: false; isCreator: boolean; role: MemberRole | null | undefined },
): Decision {
  if (input.adminApi || input.isCreator) return ALLOWED
  return decideOwnerOnly(input.role, "revoke other members' personal access tokens")
}

/** The admin listing of every PAT of the workspace (Settings → Connections): owners only. */
export function decidePatListing(role: MemberRole | null | undefined): Decision {
  return decideOwnerOnly(role, 'see every personal access token of the workspace')
}

/**
 * Changing the PAT creation policy to `policy` on `plan`: owners only, the plan must offer a choice
 * (forbidden otherwise), and the choice must be one it offers (400).
 */
export function decidePatPolicyChange(input: { role: MemberRole | null | undefined; plan: Plan; policy: PatPolicy }): Decision {
  const asOwner = decideOwnerOnly(input.role, 'change who may create personal access tokens')
  if (!asOwner.allowed) return asOwner
  const rule = PAT_POLICY_BY_PLAN[input.plan]
  if (rule.choices.length === 1) {
    return refuse(`The PAT creation policy is not configurable on the ${input.plan} plan (it is always "${describePolicy(rule.default)}").`)
  }
  if (!rule.choices.includes(input.policy)) {
    return refuse(`The ${input.plan} plan offers ${rule.choices.map((c) => `"${c}"`).join(', ')}; not "${input.policy}".`, 'invalid_input')
  }
  return ALLOWED
}

/** Why an active PAT currently gets 401: its creator left, is no longer a full member, or the policy excludes them. */
export type PatSuspension = 'creator_not_a_member' | 'creator_not_a_full_member' | 'policy'

/**
 * Why an otherwise active PAT is refused right now, or null: its creator (`person`) is no longer a
 * member or a full member, or its "Notion API" capability (`notionApi`) is no longer admitted by
 * `policy` (needed when `patNeedsPolicy(person, notionApi)`; without it, owners only). Evaluated per request, never cached.
 */
export function patSuspension(input: { person: PatPerson; notionApi: boolean; policy?: PolicyRule | null }): PatSuspension | null {
  const { role, principals } = input.person
  if (!role) return 'creator_not_a_member'
  if (!isFullMember(role)) return 'creator_not_a_full_member'
  if (input.notionApi && !policyAdmits(input.policy ?? STRICTEST, role, principals)) return 'policy'
  return null
}
