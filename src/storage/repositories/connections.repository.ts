import { capabilitiesOf, capabilityColumns, type Capabilities } from '../../permissions/capabilities.js'
import type { ConnectionTable, TokenTable } from '../database.js'
import type { Db } from '../store.js'
import { revokeEveryGrantOf, type At } from './acl.repository.js'
import { appendEvent } from './events.repository.js'
import { createConnectionToken, revokeConnectionTokens } from './tokens.repository.js'

/**
 * Internal connections (`connection`, each with its bot `user` and its `token` rows) and the reads that
 * name the connections reaching a page (internal connections and installs of public ones). Every write
 * appends its change events in the caller's transaction (ADR 15) with the existing audit names:
 * `connection.created|token_revealed|token_refreshed|capabilities_changed|deleted`, and `token.created`
 * / `token.revoked` for the connection's tokens.
 */

/** One connection by id. */
export async function findConnection(db: Db, id: string): Promise<ConnectionTable | undefined> {
  return db.selectFrom('connection').selectAll().where('id', '=', id).executeTakeFirst()
}

/** A workspace's internal connections, oldest first, each with its live token's hint (null when none). */
export async function listConnectionsWithHints(db: Db, workspaceId: string): Promise<(ConnectionTable & { hint: string | null })[]> {
  return db
    .selectFrom('connection as c')
    .leftJoin('token as t', (j) => j.onRef('t.connection_id', '=', 'c.id').on('t.revoked_time', 'is', null))
    .selectAll('c')
    .select('t.hint')
    .where('c.workspace_id', '=', workspaceId)
    .orderBy('c.created_time')
    .execute()
}

/** A workspace's internal connections by name (then id): id, name and icon only. */
export async function listConnectionNames(db: Db, workspaceId: string): Promise<{ id: string; name: string; icon: string | null }[]> {
  return db
    .selectFrom('connection')
    .select(['id', 'name', 'icon'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('name')
    .orderBy('id')
    .execute()
}

/** The internal connections whose bots are `botIds`. */
export async function connectionsOfBots(
  db: Db,
  botIds: string[],
): Promise<Pick<ConnectionTable, 'id' | 'name' | 'icon' | 'bot_id' | 'created_time'>[]> {
  if (botIds.length === 0) return []
  return db.selectFrom('connection').select(['id', 'name', 'icon', 'bot_id', 'created_time']).where('bot_id', 'in', botIds).execute()
}

/** An install of a public connection as page listings show it: the connection's name and icon, who authorized it. */
export interface InstallListing {
  id: string
  connection_id: string
  bot_id: string
  user_id: string
  name: string
  icon: string | null
  created_time: string
  authorized_by_name: string | null
  authorized_by_email: string | null
}

/**
 * The live (not removed) installs of public connections in a workspace, by connection name, then
 * authorization time and id; only those of `botIds` when given.
 */
export async function liveInstallListings(db: Db, workspaceId: string, botIds?: string[]): Promise<InstallListing[]> {
  if (botIds && botIds.length === 0) return []
  let q = db
    .selectFrom('oauth_install as i')
    .innerJoin('public_connection as c', 'c.id', 'i.connection_id')
    .leftJoin('user as u', 'u.id', 'i.user_id')
    .select([
      'i.id',
      'i.connection_id',
      'i.bot_id',
      'i.user_id',
      'c.name',
      'c.icon',
      'i.created_time',
      'u.name as authorized_by_name',
      'u.email as authorized_by_email',
    ])
    .where('i.workspace_id', '=', workspaceId)
    .where('i.removed_time', 'is', null)
  if (botIds) q = q.where('i.bot_id', 'in', botIds)
  return q.orderBy('c.name').orderBy('i.created_time').orderBy('i.id').execute()
}

/**
 * Creates an internal connection: its bot user, the connection row and its first token row, appending
 * `connection.created` (`{name, capabilities}`) then `token.created`.
 */
export async function createConnection(db: Db, connection: ConnectionTable, token: TokenTable, at: At): Promise<void> {
  await db
    .insertInto('user')
    .values({
      id: connection.bot_id,
      type: 'bot',
      name: connection.name,
      avatar_url: connection.icon,
      email: null,
      created_time: connection.created_time,
    })
    .execute()
  await db.insertInto('connection').values(connection).execute()
  await appendEvent(db, {
    workspaceId: connection.workspace_id,
    type: 'connection.created',
    objectId: connection.id,
    actor: at.actor,
    time: at.time,
    data: { name: connection.name, capabilities: capabilitiesOf(connection) },
  })
  await createConnectionToken(db, token, at)
}

/** Records that an owner revealed the connection's token again: `connection.token_revealed` (no secret). */
export async function recordTokenRevealed(db: Db, connection: ConnectionTable, at: At): Promise<void> {
  await appendEvent(db, {
    workspaceId: connection.workspace_id,
    type: 'connection.token_revealed',
    objectId: connection.id,
    actor: at.actor,
    time: at.time,
  })
}

/**
 * Replaces the connection's token: revokes the live one(s) (`token.revoked`), stores `token`
 * (`token.created`), then appends `connection.token_refreshed`.
 */
export async function refreshConnectionToken(db: Db, connection: ConnectionTable, token: TokenTable, at: At): Promise<void> {
  await revokeConnectionTokens(db, connection.id, at)
  await createConnectionToken(db, token, at)
  await appendEvent(db, {
    workspaceId: connection.workspace_id,
    type: 'connection.token_refreshed',
    objectId: connection.id,
    actor: at.actor,
    time: at.time,
  })
}

/** Sets the connection's capabilities to `next`: `connection.capabilities_changed` with `{from, to}`. */
export async function updateConnectionCapabilities(db: Db, connection: ConnectionTable, next: Capabilities, at: At): Promise<void> {
  await db.updateTable('connection').set(capabilityColumns(next)).where('id', '=', connection.id).execute()
  await appendEvent(db, {
    workspaceId: connection.workspace_id,
    type: 'connection.capabilities_changed',
    objectId: connection.id,
    actor: at.actor,
    time: at.time,
    data: { from: capabilitiesOf(connection), to: next },
  })
}

/**
 * Deletes a connection: its bot's page shares (`grant.changed` each), its tokens (`token.revoked` for
 * the live one, then the rows go) and the connection row, then appends `connection.deleted` (`{name}`).
 * The bot user stays, so old comments and edits still name it.
 */
export async function deleteConnection(db: Db, connection: ConnectionTable, at: At): Promise<void> {
  await revokeEveryGrantOf(db, `bot:${connection.bot_id}`, at)
  await revokeConnectionTokens(db, connection.id, at)
  await db.deleteFrom('token').where('connection_id', '=', connection.id).execute()
  await db.deleteFrom('connection').where('id', '=', connection.id).execute()
  await appendEvent(db, {
    workspaceId: connection.workspace_id,
    type: 'connection.deleted',
    objectId: connection.id,
    actor: at.actor,
    time: at.time,
    data: { name: connection.name },
  })
}
