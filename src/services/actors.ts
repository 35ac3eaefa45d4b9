import { parseId } from '../domain/ids.js'
import { DomainError } from '../errors/domain-error.js'
import {
  findUser,
  findUserByEmail,
  findWorkspace,
  listMembers,
  listWorkspaces,
  workspaceOfConnection,
} from '../storage/repositories/workspaces.repository.js'
import { findGroup } from '../storage/repositories/people.repository.js'
import type { Db } from '../storage/store.js'
import type { ShareActor } from './connections.service.js'

/**
 * Who acts, for the set-up surfaces (admin API, CLI): Notion reserves some actions to a person
 * (creating a connection, sharing a page), so those surfaces run them as a named person, by default
 * the workspace's first owner. The services then apply the same rules as for that person in the
 * portal (an owner-only action by a member is refused there, not here).
 */

/**
 * Resolves `as` (a user id, dashed or not, or an e-mail) to a user id, or, when `as` is absent, the
 * workspace's first owner (members are listed in joining order).
 * @throws DomainError not_found "No user <as>." | "Workspace <id> has no owner."
 */
export async function resolveActor(db: Db, workspaceId: string, as: string | undefined): Promise<string> {
  if (as) {
    const id = parseId(as)
    const user = id ? await findUser(db, id) : await findUserByEmail(db, as)
    if (!user) throw new DomainError('not_found', `No user ${as}.`)
    return user.id
  }
  const owner = (await listMembers(db, workspaceId)).find((m) => m.role === 'owner')
  if (!owner) throw new DomainError('not_found', `Workspace ${workspaceId} has no owner.`)
  return owner.id
}

/**
 * Who adds or removes a connection (internal, or an install of a public one) on a page from the admin
 * API or the CLI: the person named by `as`, to whom `decideConnectionShare` applies (full access, not a
 * guest), or — without `as` — the operator, credited to the workspace's first owner and not limited.
 * @throws DomainError not_found (see `resolveActor`)
 */
export async function resolveShareActor(db: Db, workspaceId: string, as: string | undefined): Promise<ShareActor> {
  if (as) return resolveActor(db, workspaceId, as)
  return { operator: true, recordAs: await resolveActor(db, workspaceId, undefined) }
}

/**
 * The workspace a connection belongs to.
 * @throws DomainError not_found "No connection with id <id>."
 */
export async function connectionWorkspace(db: Db, connectionId: string): Promise<string> {
  const workspaceId = await workspaceOfConnection(db, connectionId)
  if (!workspaceId) throw new DomainError('not_found', `No connection with id ${connectionId}.`)
  return workspaceId
}

/**
 * The workspace a group belongs to.
 * @throws DomainError not_found "No group with id <id>."
 */
export async function groupWorkspace(db: Db, groupId: string): Promise<string> {
  const g = await findGroup(db, groupId)
  if (!g) throw new DomainError('not_found', `No group with id ${groupId}.`)
  return g.workspace_id
}

/**
 * Resolves a workspace reference typed by a person: its id (dashed or not) or its exact name.
 * @throws DomainError not_found (no such workspace) | invalid_input (the name is ambiguous)
 */
export async function resolveWorkspace(db: Db, ref: string): Promise<string> {
  const id = parseId(ref)
  if (id) {
    if (!(await findWorkspace(db, id))) throw new DomainError('not_found', `No workspace with id ${id}.`)
    return id
  }
  const matches = (await listWorkspaces(db)).filter((w) => w.name === ref)
  if (matches.length === 0) throw new DomainError('not_found', `No workspace named "${ref}".`)
  if (matches.length > 1) throw new DomainError('invalid_input', `${matches.length} workspaces are named "${ref}"; use an id.`)
  return (matches[0] as { id: string }).id
}
