import type { Db } from '../store.js'
import type { PortalSessionTable } from '../database.js'
import type { At } from './at.js'
import { appendEvent } from './events.repository.js'

/**
 * Portal passwords (`user_password`: argon2id PHC strings) and sessions (`portal_session`: SHA-256
 * digests of session ids only); docs/adr/0013-web-portal.md. Writes append their change events in the
 * caller's transaction (ADR 15), outside any workspace: `user.password_set`, `user.signed_in`,
 * `user.signed_out`.
 */

/** A person's password hash (PHC string), or undefined when they have none. */
export async function findPasswordHash(db: Db, userId: string): Promise<string | undefined> {
  const row = await db.selectFrom('user_password').select('hash').where('user_id', '=', userId).executeTakeFirst()
  return row?.hash
}

/**
 * Sets (or replaces) a person's password hash and ends every open session of theirs; appends
 * `user.password_set`.
 */
export async function setPasswordHash(db: Db, input: { userId: string; hash: string }, at: At): Promise<void> {
  await db
    .insertInto('user_password')
    .values({ user_id: input.userId, hash: input.hash, updated_time: at.time })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ hash: input.hash, updated_time: at.time }))
    .execute()
  await db.deleteFrom('portal_session').where('user_id', '=', input.userId).execute()
  await appendEvent(db, { workspaceId: null, type: 'user.password_set', objectId: input.userId, actor: at.actor, time: at.time })
}

/**
 * Opens a session (sign-in): stores its digest with its expiry, drops sessions that expired by
 * `at.time` (so abandoned ones do not pile up), and appends `user.signed_in` (actor: the person).
 */
export async function createSession(db: Db, input: { digest: string; userId: string; expires: string }, at: At): Promise<void> {
  await db.deleteFrom('portal_session').where('expires_time', '<=', at.time).execute()
  await db
    .insertInto('portal_session')
    .values({ id_digest: input.digest, user_id: input.userId, created_time: at.time, expires_time: input.expires, last_seen_time: at.time })
    .execute()
  await appendEvent(db, { workspaceId: null, type: 'user.signed_in', objectId: input.userId, actor: at.actor, time: at.time })
}

/** A session by the digest of its id. */
export async function findSession(db: Db, digest: string): Promise<PortalSessionTable | undefined> {
  return db.selectFrom('portal_session').selectAll().where('id_digest', '=', digest).executeTakeFirst()
}

/** Deletes a session found expired when presented (housekeeping, no event: nobody acted). */
export async function dropExpiredSession(db: Db, digest: string): Promise<void> {
  await db.deleteFrom('portal_session').where('id_digest', '=', digest).execute()
}

/**
 * Ends a session (sign-out) and appends `user.signed_out` (actor: the person). Unknown digests change
 * nothing and append nothing.
 */
export async function endSession(db: Db, digest: string, time: string): Promise<void> {
  const row = await findSession(db, digest)
  if (!row) return
  await db.deleteFrom('portal_session').where('id_digest', '=', digest).execute()
  await appendEvent(db, { workspaceId: null, type: 'user.signed_out', objectId: row.user_id, actor: `user:${row.user_id}`, time })
}

/**
 * Ends every portal session of a person at an administrator's request (Notion's Admin API
 * `POST /admin/v1/managed_users/revoke_session`) and appends `user.sessions_revoked` with
 * `data: {sessions}` (how many were open), even when none was.
 * @returns how many sessions ended
 */
export async function revokeSessionsOf(db: Db, userId: string, at: At): Promise<number> {
  const res = await db.deleteFrom('portal_session').where('user_id', '=', userId).executeTakeFirst()
  const sessions = Number(res.numDeletedRows)
  await appendEvent(db, {
    workspaceId: null,
    type: 'user.sessions_revoked',
    objectId: userId,
    actor: at.actor,
    time: at.time,
    data: { sessions },
  })
  return sessions
}
