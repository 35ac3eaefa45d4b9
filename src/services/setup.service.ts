import { isoNow } from '../domain/clock.js'
import { textRun } from '../domain/rich-text.js'
import { DomainError } from '../errors/domain-error.js'
import { ROLE } from '../permissions/roles.js'
import { levelOnRoot } from '../storage/repositories/acl.repository.js'
import { findBlock } from '../storage/repositories/blocks.repository.js'
import type { Deps } from './deps.js'
import { principalsForUser } from './people-access.js'
import { createNode } from './tree.service.js'

/**
 * Creates a page as a person (admin API and CLI set-up): a top-level page in the workspace section
 * (every full member gets full access) or, with `private`, in the person's private section (only they
 * have access, docs/adr/0009-people-permissions.md), or a child of a page the person can edit.
 * Guests cannot create top-level pages; restricted members only private ones.
 * @throws DomainError forbidden | not_found
 */
export async function createPageAsUser(
  deps: Deps,
  input: { workspaceId: string; actorId: string; title: string; parentId?: string | undefined; private?: boolean | undefined },
) {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const who = await principalsForUser(trx, input.workspaceId, input.actorId)
    if (!who) throw new DomainError('forbidden', 'Only members of this workspace can create pages in it.')
    if (input.parentId) {
      const parent = await findBlock(trx, input.parentId)
      if (!parent || parent.workspace_id !== input.workspaceId || parent.type !== 'child_page') {
        throw new DomainError('not_found', `No page with id ${input.parentId} in this workspace.`)
      }
      const level = await levelOnRoot(trx, parent.perm_root_id as string, who.principals)
      if (level < ROLE.view) throw new DomainError('not_found', `No page with id ${input.parentId} in this workspace.`)
      if (level < ROLE.edit) throw new DomainError('forbidden', 'This person cannot edit the parent page.')
    } else if (who.role === 'guest') {
      throw new DomainError('forbidden', 'Guests cannot create workspace pages.')
    } else if (who.role === 'restricted_member' && !input.private) {
      throw new DomainError('forbidden', 'Restricted members can only create private pages.')
    }
    const title = [textRun(input.title)]
    const row = await createNode(trx, {
      workspaceId: input.workspaceId,
      parent: input.parentId ? { type: 'page_id', id: input.parentId } : { type: 'workspace' },
      section: input.private ? 'private' : 'workspace',
      kind: 'page',
      title,
      properties: { title },
      actor: input.actorId,
      time,
    })
    return {
      id: row.id,
      title: input.title,
      parent_id: input.parentId ?? null,
      ...(!input.parentId && { private: input.private === true }),
    }
  })
}
