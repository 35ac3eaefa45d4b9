import { newId } from '../../domain/ids.js'
import { principalOf } from '../../permissions/roles.js'
import type { OAuthCodeTable, OAuthInstallTable, PublicConnectionTable } from '../database.js'
import type { Db } from '../store.js'
import { grantOnPage, revokeOnPage } from './acl.repository.js'
import { findBlock, type BlockRow } from './blocks.repository.js'
import { appendEvent } from './events.repository.js'
import { insertAuthorizationCode, revokeInstallTokens } from './oauth-tokens.repository.js'
import type { At } from './at.js'

/**
 * Installs of public connections (`oauth_install`: one per connection, workspace and authorizing
 * person, each with its own bot user; docs/adr/0014-oauth-public-connections.md). Each write appends
 * its change event (ADR 15) in the caller's transaction `db`, with the audit names of ADR 14:
 * `oauth.authorized` (an install created or re-authorized, and its code), `oauth.install_removed`,
 * `oauth.page_shared|page_unshared`.
 */

/** One install by id (removed or not), or undefined. */
export async function findInstall(db: Db, id: string): Promise<OAuthInstallTable | undefined> {
  return db.selectFrom('oauth_install').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The installs `userId` authorized in `workspaceId` that are not removed, oldest first. */
export async function liveInstallsOfPerson(db: Db, workspaceId: string, userId: string): Promise<OAuthInstallTable[]> {
  return db
    .selectFrom('oauth_install')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .where('removed_time', 'is', null)
    .orderBy('created_time')
    .orderBy('id')
    .execute()
}

/** The live installs authorized by `userId` (in one workspace, or all), or of `workspaceId` (everyone's), oldest first. */
export async function listLiveInstalls(db: Db, filter: { userId?: string; workspaceId?: string }): Promise<OAuthInstallTable[]> {
  let q = db.selectFrom('oauth_install').selectAll().where('removed_time', 'is', null)
  if (filter.userId) q = q.where('user_id', '=', filter.userId)
  if (filter.workspaceId) q = q.where('workspace_id', '=', filter.workspaceId)
  return q.orderBy('created_time').orderBy('id').execute()
}

/** The live installs of a public connection, oldest first. */
export async function liveInstallsOfConnection(db: Db, connectionId: string): Promise<OAuthInstallTable[]> {
  return db
    .selectFrom('oauth_install')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .where('removed_time', 'is', null)
    .orderBy('created_time')
    .orderBy('id')
    .execute()
}

/** The pages and databases shared with bot `botId` (its direct grants), oldest share first, with their titles. */
export async function pagesSharedWithBot(db: Db, botId: string): Promise<{ page_id: string; title_text: string | null }[]> {
  return db
    .selectFrom('page_grant as g')
    .innerJoin('block as b', 'b.id', 'g.page_id')
    .select(['g.page_id', 'b.title_text'])
    .where('g.principal', '=', principalOf.bot(botId))
    .orderBy('g.granted_time')
    .execute()
}

/**
 * "Allow" on the consent screen, as one write: finds the live install of (connection, workspace,
 * person) or creates it with its own bot user (named and iconed after the connection); records the
 * duplicated template page id, when there is one; stores the authorization code. The caller then
 * shares the picked pages (and the template copy) with `install.bot_id` in the same transaction.
 * Event `oauth.authorized` on the install `{connection_id, name, bot_id, page_ids,
 * duplicated_template_id, install_created}` (no separate event for the install row: this is it).
 * @returns the install (its `duplicated_template_id` updated).
 */
export async function recordAuthorization(
  db: Db,
  input: {
    connection: Pick<PublicConnectionTable, 'id' | 'name' | 'icon'>
    workspaceId: string
    userId: string
    pageIds: string[]
    duplicatedTemplateId: string | null
    code: Pick<OAuthCodeTable, 'digest' | 'redirect_uri' | 'redirect_uri_given' | 'code_challenge' | 'grant_id' | 'expires_time'>
  },
  at: At,
): Promise<OAuthInstallTable> {
  let install = await db
    .selectFrom('oauth_install')
    .selectAll()
    .where('connection_id', '=', input.connection.id)
    .where('workspace_id', '=', input.workspaceId)
    .where('user_id', '=', input.userId)
    .where('removed_time', 'is', null)
    .executeTakeFirst()
  const created = !install
  if (!install) {
    const botId = newId()
    await db
      .insertInto('user')
      .values({
        id: botId,
        type: 'bot',
        name: input.connection.name,
        avatar_url: input.connection.icon,
        email: null,
        created_time: at.time,
      })
      .execute()
    install = {
      id: newId(),
      connection_id: input.connection.id,
      workspace_id: input.workspaceId,
      user_id: input.userId,
      bot_id: botId,
      duplicated_template_id: input.duplicatedTemplateId,
      created_time: at.time,
      removed_time: null,
      removed_by: null,
    }
    await db.insertInto('oauth_install').values(install).execute()
  } else if (input.duplicatedTemplateId) {
    await db.updateTable('oauth_install').set({ duplicated_template_id: input.duplicatedTemplateId }).where('id', '=', install.id).execute()
    install = { ...install, duplicated_template_id: input.duplicatedTemplateId }
  }
  await insertAuthorizationCode(db, {
    ...input.code,
    install_id: install.id,
    connection_id: input.connection.id,
    created_time: at.time,
    used_time: null,
  })
  await appendEvent(db, {
    workspaceId: input.workspaceId,
    type: 'oauth.authorized',
    objectId: install.id,
    actor: at.actor,
    time: at.time,
    data: {
      connection_id: input.connection.id,
      name: input.connection.name,
      bot_id: install.bot_id,
      page_ids: input.pageIds,
      duplicated_template_id: input.duplicatedTemplateId,
      install_created: created,
    },
  })
  return install
}

/**
 * Removes an install: marks it removed, revokes its tokens (they get 401 from the next request) and
 * removes every share of its bot (ACLs recomputed). Event `oauth.install_removed` on the install
 * `{connection_id, bot_id, authorized_by, reason?}` (`reason`: `member_removed` | `member_left` |
 * `connection_deleted`, absent for a removal asked for directly).
 */
export async function removeOAuthInstall(
  db: Db,
  install: OAuthInstallTable,
  at: At,
  reason?: 'member_removed' | 'member_left' | 'connection_deleted',
): Promise<void> {
  await db.updateTable('oauth_install').set({ removed_time: at.time, removed_by: at.actor }).where('id', '=', install.id).execute()
  await revokeInstallTokens(db, install.id, at)
  const principal = principalOf.bot(install.bot_id)
  const grants = await db.selectFrom('page_grant').select('page_id').where('principal', '=', principal).execute()
  for (const g of grants) {
    const node = await findBlock(db, g.page_id)
    if (node) await revokeOnPage(db, node, principal, at)
  }
  await appendEvent(db, {
    workspaceId: install.workspace_id,
    type: 'oauth.install_removed',
    objectId: install.id,
    actor: at.actor,
    time: at.time,
    data: { connection_id: install.connection_id, bot_id: install.bot_id, authorized_by: install.user_id, ...(reason ? { reason } : {}) },
  })
}

/**
 * Shares page (or database) `node` and its descendants with an install's bot at `role`, credited to
 * `grantedBy` (a user id or `admin`). Event `oauth.page_shared` on the page `{install_id, bot_id}`.
 */
export async function shareWithInstall(
  db: Db,
  install: Pick<OAuthInstallTable, 'id' | 'bot_id' | 'workspace_id'>,
  node: BlockRow,
  grant: { role: number; grantedBy: string },
  at: At,
): Promise<void> {
  await grantOnPage(db, node, { principal: principalOf.bot(install.bot_id), role: grant.role, grantedBy: grant.grantedBy, time: at.time })
  await appendEvent(db, {
    workspaceId: install.workspace_id,
    type: 'oauth.page_shared',
    objectId: node.id,
    actor: at.actor,
    time: at.time,
    data: { install_id: install.id, bot_id: install.bot_id },
  })
}

/**
 * Removes an install's bot's direct share of `node`. Event `oauth.page_unshared` on the page
 * `{install_id, bot_id}` when there was one.
 * @returns whether there was a share to remove.
 */
export async function unshareFromInstall(
  db: Db,
  install: Pick<OAuthInstallTable, 'id' | 'bot_id' | 'workspace_id'>,
  node: BlockRow,
  at: At,
): Promise<boolean> {
  const changed = await revokeOnPage(db, node, principalOf.bot(install.bot_id), at)
  if (changed)
    await appendEvent(db, {
      workspaceId: install.workspace_id,
      type: 'oauth.page_unshared',
      objectId: node.id,
      actor: at.actor,
      time: at.time,
      data: { install_id: install.id, bot_id: install.bot_id },
    })
  return changed
}
