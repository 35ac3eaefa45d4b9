import { isoNow } from '../domain/clock.js'
import { DomainError } from '../errors/domain-error.js'
import { ROLE, levelName, principalOf, type RoleName } from '../permissions/roles.js'
import {
  findGrant,
  inheritedEntries,
  isConnectionPrincipal,
  listPageGrants,
  restorePageGrants,
  setPageGrant,
} from '../storage/repositories/acl.repository.js'
import { findBlock, type BlockRow } from '../storage/repositories/blocks.repository.js'
import { findGroup } from '../storage/repositories/people.repository.js'
import { memberRole } from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'
import { levelOn } from './access.js'
import type { Deps } from './deps.js'
import { effectiveAccess } from './effective-access.js'
import { principalsForUser } from './people-access.js'

/**
 * People's page permissions (docs/reference/permissions-and-tokens.md §2.2; docs/adr/0009-people-permissions.md):
 * granting, changing and removing a page's access for the whole workspace, a group or a person
 * (guests included), restoring inherited access, and listing a page's effective access with the page
 * each entry comes from.
 *
 * Rules:
 * - Levels: full (5), edit (4), edit_content (3), comment (2), view (1), none (0). Sharing needs full
 *   access on the page; a person who cannot even view it gets `not_found`, never `forbidden`.
 * - A page inherits its parent's access. Adding a principal, or raising its level, adds a grant and the
 *   page keeps inheriting (later changes above still flow in). Lowering an inherited level, or
 *   removing an inherited principal, changes the page's access: it stops inheriting people (copy on
 *   break), then the change applies. `restorePageAccess` undoes that.
 * - Connections' shares (`bot:`) are not touched here and always flow down the tree.
 * - Every change is one acl.repository write (`setPageGrant`, `restorePageGrants`) that appends
 *   `grant.changed` per grant row and `page.share` / `page.unshare` / `page.access_restored`.
 */

export type AccessLevelName = RoleName
export const ACCESS_LEVELS: readonly AccessLevelName[] = ['full', 'edit', 'edit_content', 'comment', 'view', 'none']

export { levelName }

/** Who a page is shared with: everyone in the workspace (full members), a group, or a person. */
export type ShareTarget = { type: 'workspace' } | { type: 'group'; id: string } | { type: 'user'; id: string }

async function pageOf(db: Db, pageId: string): Promise<BlockRow> {
  const node = await findBlock(db, pageId)
  if (!node || (node.type !== 'child_page' && node.type !== 'child_database') || node.in_trash) {
    throw new DomainError('not_found', `No page or database with id ${pageId}.`)
  }
  return node
}

/** The workspace a page or database belongs to. @throws DomainError not_found */
export async function workspaceOfPage(db: Db, pageId: string): Promise<string> {
  return (await pageOf(db, pageId)).workspace_id
}

/**
 * The acting person's level on `node`, required to be at least `min`. Someone who cannot view the
 * page gets not_found (existence does not leak), someone who can view but not `min` gets forbidden.
 * @throws DomainError forbidden | not_found
 */
async function requireLevel(db: Db, node: BlockRow, actorId: string, min: number, what: string): Promise<void> {
  const who = await principalsForUser(db, node.workspace_id, actorId)
  if (!who) throw new DomainError('forbidden', `Only members of this workspace can ${what}.`)
  const level = await levelOn(db, who, node)
  if (level < ROLE.view) throw new DomainError('not_found', `No page or database with id ${node.id}.`)
  if (level < min) throw new DomainError('forbidden', `Only people with full access to this page can ${what}.`)
}

/** The principal string for a share target, checked against the workspace. @throws DomainError not_found */
async function principalFor(db: Db, workspaceId: string, target: ShareTarget): Promise<string> {
  switch (target.type) {
    case 'workspace':
      return principalOf.members(workspaceId)
    case 'group': {
      if ((await findGroup(db, target.id))?.workspace_id !== workspaceId)
        throw new DomainError('not_found', `No group with id ${target.id} in this workspace.`)
      return principalOf.group(target.id)
    }
    case 'user': {
      if (!(await memberRole(db, workspaceId, target.id))) {
        throw new DomainError('not_found', `User ${target.id} is not a member or guest of this workspace; add them first.`)
      }
      return principalOf.user(target.id)
    }
  }
}

/**
 * Sets `target`'s level on a page (`none` removes it). See the module rules for when the page stops
 * inheriting. Takes effect from the next request.
 * @returns the principal, its new and previous effective level on the page, and whether the page now
 *   inherits its parent's people access.
 * @throws DomainError not_found (page, group, person, or nothing to remove) | forbidden (not full access)
 */
export async function setPageAccess(deps: Deps, input: { pageId: string; actorId: string; target: ShareTarget; level: AccessLevelName }) {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const node = await pageOf(trx, input.pageId)
    await requireLevel(trx, node, input.actorId, ROLE.full, 'share this page')
    const principal = await principalFor(trx, node.workspace_id, input.target)
    const level = ROLE[input.level]
    const own = await findGrant(trx, node.id, principal)
    const inherited = node.inherits ? ((await inheritedEntries(trx, node)).find((e) => e.principal === principal)?.role ?? 0) : 0
    const previous = Math.max(own?.role ?? 0, inherited)
    if (level === ROLE.none && previous === 0) throw new DomainError('not_found', `${principal} has no access to this page to remove.`)
    // Copy on break: lowering or removing an inherited entry stops the page inheriting people first.
    const change = { principal, level, previous, breaksInheritance: inherited > level, grantedBy: input.actorId }
    await setPageGrant(trx, node, change, { actor: principalOf.user(input.actorId), time })
    return { page_id: node.id, principal, level: input.level, previous_level: levelName(previous), inherits: node.inherits === 1 }
  })
}

/**
 * Notion's "Restore" ("Page access is different from <parent>"): the page's own people grants go,
 * and it inherits its parent's access again. Connections' shares stay.
 * @throws DomainError not_found | forbidden | invalid_input (a top-level page has nothing to inherit)
 *   | conflict (the page already inherits with no grants of its own)
 */
export async function restorePageAccess(deps: Deps, input: { pageId: string; actorId: string }) {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const node = await pageOf(trx, input.pageId)
    await requireLevel(trx, node, input.actorId, ROLE.full, 'change access to this page')
    if (!node.path || node.path === '/') throw new DomainError('invalid_input', 'A top-level page has no parent to inherit access from.')
    const ownPeople = (await listPageGrants(trx, node.id)).filter((g) => !isConnectionPrincipal(g.principal))
    if (node.inherits && ownPeople.length === 0) throw new DomainError('conflict', 'This page already has the same access as its parent.')
    await restorePageGrants(trx, node, { actor: principalOf.user(input.actorId), time })
    return { page_id: node.id, inherits: true }
  })
}

/**
 * A page's effective access (`effectiveAccess`, effective-access.ts): every principal with a level on
 * it — the workspace, groups, people, internal connections' bots and OAuth installs' bots, each named
 * — with its level and the page the entry comes from (`inherited` when that is an ancestor). Also
 * whether the page inherits its parent's people access and whether its access differs from its
 * parent's. The actor must be able to view the page.
 * @throws DomainError not_found | forbidden
 */
export async function getPageAccess(deps: Deps, input: { pageId: string; actorId: string }) {
  const db = deps.store.db
  const node = await pageOf(db, input.pageId)
  await requireLevel(db, node, input.actorId, ROLE.view, 'see who has access to this page')
  const entries = await effectiveAccess(db, node)
  const ownPeople = (await listPageGrants(db, node.id)).filter((g) => !isConnectionPrincipal(g.principal))
  const top = !node.path || node.path === '/'
  return {
    page_id: node.id,
    parent_page_id: top ? null : ((node.path as string).split('/').filter(Boolean).at(-1) ?? null),
    inherits: node.inherits === 1,
    access_differs: !top && (node.inherits === 0 || ownPeople.length > 0),
    entries,
  }
}

/**
 * A person's effective level on a page, computed exactly as the API does for a person (principals
 * from principalsForUser, then one ACL read on the page's root): `none` when they are not a member.
 * @throws DomainError not_found (page)
 */
export async function personLevelOnPage(deps: Deps, input: { pageId: string; userId: string }) {
  const db = deps.store.db
  const node = await pageOf(db, input.pageId)
  const who = await principalsForUser(db, node.workspace_id, input.userId)
  const level = who ? await levelOn(db, who, node) : 0
  return { page_id: node.id, user_id: input.userId, role: who?.role ?? null, level: levelName(level) }
}
