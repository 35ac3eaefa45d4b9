import type { MemberRole } from '../domain/workspace.js'

/**
 * The rules of Notion's Admin API legal holds and workspace exports (docs/notion-admin-api.md,
 * docs/adr/0029-admin-api-holds-exports.md). Pure: services load the holds, roles and times and pass
 * them in; the messages are those every surface shows.
 */

/** A hold as the rules see it: its status and its dates in epoch milliseconds. */
export interface HoldTerms {
  id: string
  status: 'active' | 'released'
  startMs: number
  endMs: number | null
}

/** What happens to content a person is deleting permanently. */
export type HeldDeletionDecision = { type: 'delete' } | { type: 'preserve'; holdIds: string[] }

/**
 * Whether content authored by a custodian is kept when deleted permanently: every hold on the author
 * that is active and in force at `nowMs` (started, not past its end date) keeps a copy. The deletion
 * itself still happens for the person (as in Notion, where a hold preserves content without changing
 * what users see).
 */
export function decideHeldDeletion(holdsOnAuthor: readonly HoldTerms[], nowMs: number): HeldDeletionDecision {
  const inForce = holdsOnAuthor.filter((h) => h.status === 'active' && h.startMs <= nowMs && (h.endMs === null || h.endMs > nowMs))
  return inForce.length ? { type: 'preserve', holdIds: inForce.map((h) => h.id) } : { type: 'delete' }
}

export type HoldChange = 'update' | 'release' | 'add_users' | 'remove_user'

export type HoldDecision = { allowed: true } | { allowed: false; reason: 'released' | 'dates'; message: string }

/**
 * Whether a hold may change. A released hold is final (it can be read, never edited, released again
 * or given custodians); an end date must not come before the start date.
 */
export function decideLegalHoldChange(
  hold: Pick<HoldTerms, 'status' | 'startMs'>,
  change: HoldChange,
  newEndMs?: number | null,
): HoldDecision {
  if (hold.status === 'released')
    return { allowed: false, reason: 'released', message: 'This legal hold has been released and can no longer be changed.' }
  if (change === 'update' && newEndMs !== undefined && newEndMs !== null && newEndMs < hold.startMs)
    return { allowed: false, reason: 'dates', message: 'end_date must not be before start_date.' }
  return { allowed: true }
}

export type ExportDecision = { allowed: true } | { allowed: false; reason: 'not_member' | 'not_owner'; message: string }

/**
 * Whether a workspace export may run on behalf of a person: Notion's "Export all workspace content"
 * is a workspace owner's action (Settings → General), so the person named by `on_behalf_of_user_email`
 * must be an owner of the space (Admin API requirement unverified).
 */
export function decideWorkspaceExport(role: MemberRole | undefined): ExportDecision {
  if (role === undefined)
    return { allowed: false, reason: 'not_member', message: 'on_behalf_of_user_email must name a member of the workspace.' }
  if (role !== 'owner')
    return {
      allowed: false,
      reason: 'not_owner',
      message: 'on_behalf_of_user_email must name a workspace owner: only owners can export a workspace.',
    }
  return { allowed: true }
}
