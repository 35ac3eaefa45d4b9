import { isoNow } from '../domain/clock.js'
import { newId } from '../domain/ids.js'
import { textRun } from '../domain/rich-text.js'
import { DomainError } from '../errors/domain-error.js'
import { decideMemberAdd, decideMemberAdder, enforce } from '../permissions/decide-workspace.js'
import type { MemberRole, Plan, UserTable, WorkspaceTable } from '../storage/database.js'
import { addMember as addMemberRow, insertPerson } from '../storage/repositories/people.repository.js'
import {
  createWorkspace as storeWorkspace,
  findUserByEmail,
  findWorkspace,
  listMembers,
  listWorkspaceNodes,
  memberRole,
} from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'
import type { Deps } from './deps.js'
import { removeWorkspaceMember } from './people.service.js'
import { createNode } from './tree.service.js'

/**
 * Workspaces, their people and their top-level pages: the set-up surface shared by the admin API,
 * the CLI and the demo seed.
 */

export interface PersonInput {
  name: string
  email: string
  role: MemberRole
  avatarUrl?: string | null
}

export interface CreateWorkspaceInput {
  name: string
  plan?: Plan
  icon?: string | null
  /** The first person is usually the owner; at least one owner is required. */
  members: PersonInput[]
  /** Titles of top-level pages to create, owned by the first owner. */
  pages?: string[]
}

/** Upserts a person by e-mail (people are global; membership is per workspace). */
async function ensurePerson(db: Db, p: PersonInput, time: string): Promise<UserTable> {
  const existing = await findUserByEmail(db, p.email)
  if (existing) return existing
  const user: UserTable = {
    id: newId(),
    type: 'person',
    name: p.name,
    avatar_url: p.avatarUrl ?? null,
    email: p.email.toLowerCase(),
    created_time: time,
  }
  await insertPerson(db, user)
  return user
}

/**
 * Creates a workspace with its members and top-level pages.
 * @throws DomainError invalid_input when no member is an owner.
 */
export async function createWorkspace(deps: Deps, input: CreateWorkspaceInput) {
  if (!input.members.some((m) => m.role === 'owner')) {
    throw new DomainError('invalid_input', 'A workspace needs at least one owner.')
  }
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const workspace: WorkspaceTable = {
      id: newId(),
      name: input.name,
      icon: input.icon ?? null,
      plan: input.plan ?? 'free',
      created_time: time,
    }
    const people: (UserTable & { role: MemberRole })[] = []
    for (const m of input.members) people.push({ ...(await ensurePerson(trx, m, time)), role: m.role })
    const owner = people.find((p) => p.role === 'owner') as UserTable
    await storeWorkspace(
      trx,
      workspace,
      people.map((p) => ({ userId: p.id, role: p.role })),
      { actor: `user:${owner.id}`, time },
    )
    const pages = []
    for (const title of input.pages ?? []) {
      const row = await createNode(trx, {
        workspaceId: workspace.id,
        parent: { type: 'workspace' },
        kind: 'page',
        title: [textRun(title)],
        properties: { title: [textRun(title)] },
        actor: owner.id,
        time,
      })
      pages.push({ id: row.id, title })
    }
    return { workspace, members: people, pages }
  })
}

/**
 * Adds a person to a workspace (creating the person if the e-mail is new) or changes their role.
 * With `actorId`, that person's rules apply (docs/reference/permissions-and-tokens.md §2.2): owners add anyone;
 * membership admins add and re-role people below admin level only; nobody else adds people. Without
 * it, the operator (admin key, CLI) acts.
 * @throws DomainError not_found for an unknown workspace | forbidden
 */
export async function addMember(deps: Deps, workspaceId: string, person: PersonInput, actorId?: string) {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    if (!(await findWorkspace(trx, workspaceId))) throw new DomainError('not_found', `No workspace with id ${workspaceId}.`)
    if (actorId !== undefined) {
      // Checked before anything is looked up for the target (decideMemberAdd's first step).
      const role = await memberRole(trx, workspaceId, actorId)
      enforce(decideMemberAdder(role))
      const existing = await findUserByEmail(trx, person.email)
      const current = existing ? await memberRole(trx, workspaceId, existing.id) : undefined
      enforce(decideMemberAdd({ actor: { kind: 'person', role }, role: person.role, current }))
    }
    const user = await ensurePerson(trx, person, time)
    await addMemberRow(trx, { workspaceId, userId: user.id, role: person.role }, { actor: actorId ? `user:${actorId}` : 'admin', time })
    return { ...user, role: person.role }
  })
}

/**
 * Removes a person from a workspace (see people.service.ts `removeWorkspaceMember`): membership,
 * groups and `user:` page grants end at once; shares they made with connections stay (a share
 * outlives its sharer, as Notion documents). `actorId` applies the role rules; without it, the
 * operator acts.
 * @throws DomainError not_found | forbidden | conflict (the last owner)
 */
export async function removeMember(deps: Deps, workspaceId: string, userId: string, actorId?: string) {
  await removeWorkspaceMember(deps, { workspaceId, userId, actorId })
}

/** A workspace with its members. @throws DomainError not_found */
export async function getWorkspace(deps: Deps, workspaceId: string) {
  const workspace = await findWorkspace(deps.store.db, workspaceId)
  if (!workspace) throw new DomainError('not_found', `No workspace with id ${workspaceId}.`)
  const members = await listMembers(deps.store.db, workspaceId)
  return { workspace, members }
}

/**
 * Every page and database of a workspace as a flat, depth-first list with depth and title
 * (for set-up scripts that need ids). Trashed nodes are included and marked.
 */
export async function listWorkspacePages(deps: Deps, workspaceId: string) {
  const rows = await listWorkspaceNodes(deps.store.db, workspaceId)
  const byParent = new Map<string, typeof rows>()
  for (const r of rows) {
    const key = (r.path ?? '/').split('/').filter(Boolean).at(-1) ?? ''
    const list = byParent.get(key) ?? []
    list.push(r)
    byParent.set(key, list)
  }
  const out: {
    id: string
    object: 'page' | 'database'
    title: string
    parent_id: string | null
    depth: number
    in_trash: boolean
    is_row: boolean
  }[] = []
  const visit = (key: string, depth: number) => {
    const list = (byParent.get(key) ?? []).sort((a, b) => a.position - b.position || a.created_time.localeCompare(b.created_time))
    for (const r of list) {
      out.push({
        id: r.id,
        object: r.type === 'child_page' ? 'page' : 'database',
        title: titleOf(r.properties, r.type),
        parent_id: key || null,
        depth,
        in_trash: r.in_trash === 1,
        is_row: r.parent_type === 'data_source_id',
      })
      visit(r.id, depth + 1)
    }
  }
  visit('', 0)
  return out
}

function titleOf(properties: string | null, type: string): string {
  if (!properties) return ''
  const p = JSON.parse(properties) as Record<string, unknown>
  const title = (type === 'child_database' ? p.title : p.title) as { plain_text: string }[] | undefined
  return (title ?? []).map((t) => t.plain_text).join('')
}

/**
 * Deletes everything in the store. The outbox keeps one `store.reset` event by `actor` (`admin` for
 * the admin API, `cli` for the CLI), so readers resuming from a `seq` see the reset.
 */
export async function resetStore(deps: Deps, actor: 'admin' | 'cli'): Promise<void> {
  await deps.store.truncateAll({ actor, time: isoNow(deps.clock) })
}
