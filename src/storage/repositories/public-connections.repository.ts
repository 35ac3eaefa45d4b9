import type { PublicConnectionTable } from '../database.js'
import type { Db } from '../store.js'
import { appendEvent } from './events.repository.js'
import type { At } from './at.js'

/**
 * The `public_connection` table (OAuth clients, docs/adr/0014-oauth-public-connections.md): reads,
 * and the one write function per change, each appending its change event (ADR 15) in the caller's
 * transaction `db`: `public_connection.created|updated|secret_refreshed|deleted`, and
 * `public_connection.secret_revealed` for a reveal (no change, but audited). Event data never holds a
 * secret.
 */

/** One public connection by id (its `client_id`), or undefined. */
export async function findPublicConnection(db: Db, id: string): Promise<PublicConnectionTable | undefined> {
  return db.selectFrom('public_connection').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Name and icon of a public connection (what an install shows), or undefined once it is deleted. */
export async function findPublicConnectionSummary(
  db: Db,
  id: string,
): Promise<{ id: string; name: string; icon: string | null } | undefined> {
  return db.selectFrom('public_connection').select(['id', 'name', 'icon']).where('id', '=', id).executeTakeFirst()
}

/**
 * The public connections `userId` manages: those they registered, and those registered in a
 * workspace they own. Oldest first.
 */
export async function listPublicConnectionsManagedBy(db: Db, userId: string): Promise<PublicConnectionTable[]> {
  return db
    .selectFrom('public_connection')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('created_by', '=', userId),
        eb(
          'workspace_id',
          'in',
          eb.selectFrom('workspace_member').select('workspace_id').where('user_id', '=', userId).where('role', '=', 'owner'),
        ),
      ]),
    )
    .orderBy('created_time')
    .orderBy('id')
    .execute()
}

/** Stores a new public connection (digest and sealed secret only). Event `public_connection.created` `{name, redirect_uris}`. */
export async function insertPublicConnection(db: Db, row: PublicConnectionTable, at: At): Promise<void> {
  await db.insertInto('public_connection').values(row).execute()
  await appendEvent(db, {
    workspaceId: row.workspace_id,
    type: 'public_connection.created',
    objectId: row.id,
    actor: at.actor,
    time: at.time,
    data: { name: row.name, redirect_uris: JSON.parse(row.redirect_uris) as string[] },
  })
}

/**
 * Writes a public connection's settings (name, icon, redirect URIs, capabilities, template; never its
 * id, workspace or secret). Event `public_connection.updated` `{fields}` (the request's field names).
 */
export async function updatePublicConnectionSettings(db: Db, next: PublicConnectionTable, fields: string[], at: At): Promise<void> {
  const {
    id: _id,
    workspace_id: _ws,
    secret_digest: _d,
    secret_sealed: _s,
    secret_hint: _h,
    created_by: _by,
    created_time: _t,
    ...set
  } = next
  await db.updateTable('public_connection').set(set).where('id', '=', next.id).execute()
  await appendEvent(db, {
    workspaceId: next.workspace_id,
    type: 'public_connection.updated',
    objectId: next.id,
    actor: at.actor,
    time: at.time,
    data: { fields },
  })
}

/** Replaces the client secret (HMAC digest, sealed copy, hint). Event `public_connection.secret_refreshed`. */
export async function replaceClientSecret(
  db: Db,
  c: Pick<PublicConnectionTable, 'id' | 'workspace_id'>,
  secret: Pick<PublicConnectionTable, 'secret_digest' | 'secret_sealed' | 'secret_hint'>,
  at: At,
): Promise<void> {
  await db
    .updateTable('public_connection')
    .set({ secret_digest: secret.secret_digest, secret_sealed: secret.secret_sealed, secret_hint: secret.secret_hint })
    .where('id', '=', c.id)
    .execute()
  await appendEvent(db, {
    workspaceId: c.workspace_id,
    type: 'public_connection.secret_refreshed',
    objectId: c.id,
    actor: at.actor,
    time: at.time,
  })
}

/** Records that the client secret was revealed (no change): event `public_connection.secret_revealed`. */
export async function recordClientSecretRevealed(db: Db, c: Pick<PublicConnectionTable, 'id' | 'workspace_id'>, at: At): Promise<void> {
  await appendEvent(db, {
    workspaceId: c.workspace_id,
    type: 'public_connection.secret_revealed',
    objectId: c.id,
    actor: at.actor,
    time: at.time,
  })
}

/**
 * Deletes a public connection's registration (its installs must have been removed first:
 * `removeOAuthInstall`). Event `public_connection.deleted` `{name, installs_removed}`.
 */
export async function deletePublicConnectionRow(
  db: Db,
  c: Pick<PublicConnectionTable, 'id' | 'workspace_id' | 'name'>,
  installsRemoved: number,
  at: At,
): Promise<void> {
  await db.deleteFrom('public_connection').where('id', '=', c.id).execute()
  await appendEvent(db, {
    workspaceId: c.workspace_id,
    type: 'public_connection.deleted',
    objectId: c.id,
    actor: at.actor,
    time: at.time,
    data: { name: c.name, installs_removed: installsRemoved },
  })
}
