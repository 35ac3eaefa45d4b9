import type { MemberRole } from '../domain/workspace.js'
import { ROLE } from './roles.js'

/**
 * Who may add a connection to a page or remove it from one: an internal connection's bot or an
 * install of a public connection (OAuth). Notion's rule (page ••• → Connections; "Add connections"
 * needs full access to the page, and the OAuth page picker "shows only pages they have full access to",
 * reference/notion-api.md §OAuth and docs/reference/permissions-and-tokens.md §2.1–2.2):
 *
 * - the person needs **full access** to the page, whatever their workspace role — owners included, so
 *   an owner cannot hand a connection a page they cannot open themselves (a member's private page);
 * - **guests** never manage connections, even on pages shared with them at full access (they are
 *   outside the workspace: no sidebar, no connections);
 * - removing a connection needs the same as adding one;
 * - the operator (the admin key, or the CLI without `--as`) is not a person and is not limited.
 */

/** Who acts: a person with their workspace role (null when not a member) and level on the page, or the operator. */
export type ConnectionShareActor = { kind: 'operator' } | { kind: 'person'; role: MemberRole | null; level: number }

/** The outcome: allowed, or refused with the message shown to the person (admin API, portal, CLI). */
export type ConnectionShareDecision = { allowed: true } | { allowed: false; message: string }

export const NOT_A_MEMBER_MESSAGE = 'Only members of this workspace can add connections to its pages.'
export const NEEDS_FULL_ACCESS_MESSAGE = 'Only people with full access to this page can add or remove connections on it.'
export const GUESTS_REFUSED_MESSAGE = 'Guests cannot add or remove connections on pages.'

/**
 * Decides whether `actor` may add a connection to a page or remove one from it. Pure: the caller loads
 * the person's role (`principalsForUser`) and their effective level on the page (one `root_acl` read on
 * its permission root). Checks in order: membership, full access, then role (a guest without full
 * access hears about full access, the first thing missing).
 */
export function decideConnectionShare(actor: ConnectionShareActor): ConnectionShareDecision {
  if (actor.kind === 'operator') return { allowed: true }
  if (actor.role === null) return { allowed: false, message: NOT_A_MEMBER_MESSAGE }
  if (actor.level < ROLE.full) return { allowed: false, message: NEEDS_FULL_ACCESS_MESSAGE }
  if (actor.role === 'guest') return { allowed: false, message: GUESTS_REFUSED_MESSAGE }
  return { allowed: true }
}
