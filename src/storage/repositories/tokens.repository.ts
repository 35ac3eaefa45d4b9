import type { Db } from '../store.js'
import { compiledOnce } from './compiled.js'
import type { ConnectionTable, Plan, TokenTable } from '../database.js'
import { appendEvent } from './events.repository.js'

/** A live token with its connection and workspace: everything authentication needs, in one read. */
export interface TokenContext {
  token: Pick<TokenTable, 'id' | 'digest' | 'bot_id' | 'kind' | 'revoked_time' | 'last_used_time'>
  connection: ConnectionTable
  workspace: { id: string; name: string; icon: string | null; plan: Plan }
}

/** Finds a token by its HMAC digest, joined with its connection and workspace. */
export async function findTokenByDigest(db: Db, digest: string): Promise<TokenContext | undefined> {
  const [row] = await tokenByDigest(db, digest)
  if (!row) return undefined
  const { t_id, t_digest, t_bot_id, t_kind, t_revoked_time, t_last_used_time, w_name, w_icon, w_plan, ...connection } = row
  return {
    token: { id: t_id, digest: t_digest, bot_id: t_bot_id, kind: t_kind, revoked_time: t_revoked_time, last_used_time: t_last_used_time },
    connection,
    workspace: { id: connection.workspace_id, name: w_name, icon: w_icon, plan: w_plan },
  }
}

/** `findTokenByDigest`'s statement, compiled once (it runs on every request the token cache misses). */
const tokenByDigest = compiledOnce(1, (db, digest) =>
  db
    .selectFrom('token as t')
    .innerJoin('connection as c', 'c.id', 't.connection_id')
    .innerJoin('workspace as w', 'w.id', 't.workspace_id')
    .selectAll('c')
    .select([
      't.id as t_id',
      't.digest as t_digest',
      't.bot_id as t_bot_id',
      't.kind as t_kind',
      't.revoked_time as t_revoked_time',
      't.last_used_time as t_last_used_time',
      'w.name as w_name',
      'w.icon as w_icon',
      'w.plan as w_plan',
    ])
    .where('t.digest', '=', digest as string),
)

/** The connection's current (unrevoked) token, if any. */
export async function findActiveConnectionToken(db: Db, connectionId: string): Promise<TokenTable | undefined> {
  return db.selectFrom('token').selectAll().where('connection_id', '=', connectionId).where('revoked_time', 'is', null).executeTakeFirst()
}

/**
 * Stores one connection token row (digest and sealed secret only, never the token) and appends
 * `token.created` (object id = the token's id, data `{connection_id}`).
 * @param at who issues it (`user:<id>`, …) and when (ISO-8601).
 */
export async function createConnectionToken(db: Db, row: TokenTable, at: { actor: string; time: string }): Promise<void> {
  await db.insertInto('token').values(row).execute()
  await appendEvent(db, {
    workspaceId: row.workspace_id,
    type: 'token.created',
    objectId: row.id,
    actor: at.actor,
    time: at.time,
    data: { connection_id: row.connection_id },
  })
}

/**
 * Revokes every live token of a connection (`revoked_by` = `at.actor`), appending `token.revoked` per
 * token (object id = the token's id, data `{connection_id}`). The token fails from the next request.
 */
export async function revokeConnectionTokens(db: Db, connectionId: string, at: { actor: string; time: string }): Promise<void> {
  const live = await db
    .selectFrom('token')
    .select(['id', 'workspace_id'])
    .where('connection_id', '=', connectionId)
    .where('revoked_time', 'is', null)
    .execute()
  if (live.length === 0) return
  await db
    .updateTable('token')
    .set({ revoked_time: at.time, revoked_by: at.actor })
    .where('connection_id', '=', connectionId)
    .where('revoked_time', 'is', null)
    .execute()
  for (const t of live) {
    await appendEvent(db, {
      workspaceId: t.workspace_id,
      type: 'token.revoked',
      objectId: t.id,
      actor: at.actor,
      time: at.time,
      data: { connection_id: connectionId },
    })
  }
}
