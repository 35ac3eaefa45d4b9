import type { Db } from '../store.js'
import { revokeOnPage } from './acl.repository.js'
import type { At } from './at.js'
import { findBlock } from './blocks.repository.js'
import { appendEvent } from './events.repository.js'

/**
 * Page grants (`page_grant`) ended in bulk when their holder goes: a person removed from a workspace
 * (or leaving it), a group deleted. Single grants are written by acl.repository.ts (`grantOnPage`,
 * `revokeOnPage`); this adds what acl.repository has no function for — finding every grant of one
 * principal in a workspace and dropping them, with their `grant.changed` events (ADR 15).
 */

/**
 * Drops every page grant of `principal` (`user:<id>`, `group:<id>`) in a workspace, re-materialising
 * the affected roots (acl.repository `revokeOnPage`); a grant whose page no longer exists is deleted
 * as is. Appends one `grant.changed` per grant (`object_id` = the page, `data`: principal, `level: null`
 * (removed) and `reason`).
 * @returns how many grants were dropped.
 */
export async function dropGrantsOfPrincipal(
  db: Db,
  input: { workspaceId: string; principal: string; reason: string },
  at: At,
): Promise<number> {
  const grants = await db
    .selectFrom('page_grant')
    .select('page_id')
    .where('workspace_id', '=', input.workspaceId)
    .where('principal', '=', input.principal)
    .orderBy('page_id')
    .execute()
  for (const g of grants) {
    const node = await findBlock(db, g.page_id)
    if (node) await revokeOnPage(db, node, input.principal)
    else await db.deleteFrom('page_grant').where('page_id', '=', g.page_id).where('principal', '=', input.principal).execute()
    await appendEvent(db, {
      workspaceId: input.workspaceId,
      type: 'grant.changed',
      objectType: 'page',
      objectId: g.page_id,
      actor: at.actor,
      time: at.time,
      data: { principal: input.principal, level: null, reason: input.reason },
    })
  }
  return grants.length
}
