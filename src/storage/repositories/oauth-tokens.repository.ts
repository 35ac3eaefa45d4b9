import { newId } from '../../domain/ids.js'
import type { OAuthCodeTable, OAuthInstallTable, OAuthTokenTable, Plan, PublicConnectionTable } from '../database.js'
import type { Db } from '../store.js'
import { appendEvent } from './events.repository.js'
import type { At } from './at.js'

/**
 * Authorization codes (`oauth_code`) and OAuth access/refresh tokens (`oauth_token`) of public
 * connections (docs/adr/0014-oauth-public-connections.md), by HMAC digest only. Each write that
 * changes what a client holds appends its change event (ADR 15) in the caller's transaction:
 * `oauth.token_issued`, `oauth.token_refreshed`, `oauth.token_revoked`, `oauth.code_replayed`,
 * `oauth.refresh_replayed` (actor `client:<client id>`). Codes are stored by `recordAuthorization`
 * (oauth-installs.repository.ts, event `oauth.authorized`); tokens of a removed install are revoked by
 * `removeOAuthInstall` (event `oauth.install_removed`).
 */

/** A new token's digest (HMAC-SHA-256, hex) and display hint; never the token. */
export interface NewTokenSecret {
  digest: string
  hint: string
}

/** Stores a new authorization code. Only `recordAuthorization` calls it (its event covers the code). */
export async function insertAuthorizationCode(db: Db, row: OAuthCodeTable): Promise<void> {
  await db.insertInto('oauth_code').values(row).execute()
}

/** An authorization code by digest, or undefined. */
export async function findAuthorizationCode(db: Db, digest: string): Promise<OAuthCodeTable | undefined> {
  return db.selectFrom('oauth_code').selectAll().where('digest', '=', digest).executeTakeFirst()
}

/**
 * Marks a code used (single use), before anything else can fail, so that any retry is a replay.
 * Bookkeeping of a secret's use, like recording a token's use (token-use.repository.ts): no event of its own (the `oauth.token_issued`
 * that follows records the exchange; a code spent on a removed install grants nothing).
 */
export async function spendAuthorizationCode(db: Db, digest: string, time: string): Promise<void> {
  await db.updateTable('oauth_code').set({ used_time: time }).where('digest', '=', digest).execute()
}

/** A token row with its install's connection and workspace. */
export type OAuthTokenWithInstall = OAuthTokenTable & { connection_id: string; workspace_id: string }

/** An OAuth token (access or refresh) by digest, with its install's connection and workspace, or undefined. */
export async function findOAuthTokenByDigest(db: Db, digest: string): Promise<OAuthTokenWithInstall | undefined> {
  return db
    .selectFrom('oauth_token as t')
    .innerJoin('oauth_install as i', 'i.id', 't.install_id')
    .selectAll('t')
    .select(['i.connection_id', 'i.workspace_id'])
    .where('t.digest', '=', digest)
    .executeTakeFirst()
}

/** What authenticating an access token needs, in one read: the token, its install, connection and workspace. */
export interface OAuthAccessContext {
  token: Pick<OAuthTokenTable, 'id' | 'digest' | 'kind' | 'revoked_time' | 'last_used_time'> & { revoked_by?: string | null }
  install: Pick<OAuthInstallTable, 'id' | 'bot_id' | 'user_id' | 'removed_time' | 'workspace_id'>
  connection: PublicConnectionTable
  workspace: { id: string; name: string; icon: string | null; plan: Plan }
}

/** An OAuth token by digest, joined with its install, public connection and workspace, or undefined. */
export async function findOAuthAccessContext(db: Db, digest: string): Promise<OAuthAccessContext | undefined> {
  const row = await db
    .selectFrom('oauth_token as t')
    .innerJoin('oauth_install as i', 'i.id', 't.install_id')
    .innerJoin('public_connection as c', 'c.id', 'i.connection_id')
    .innerJoin('workspace as w', 'w.id', 'i.workspace_id')
    .selectAll('c')
    .select([
      't.id as t_id',
      't.digest as t_digest',
      't.kind as t_kind',
      't.revoked_time as t_revoked',
      't.last_used_time as t_last_used',
      't.revoked_by as t_revoked_by',
      'i.id as i_id',
      'i.bot_id as i_bot',
      'i.user_id as i_user',
      'i.removed_time as i_removed',
      'i.workspace_id as i_ws',
      'w.name as w_name',
      'w.icon as w_icon',
      'w.plan as w_plan',
    ])
    .where('t.digest', '=', digest)
    .executeTakeFirst()
  if (!row) return undefined
  const {
    t_id,
    t_digest,
    t_kind,
    t_revoked,
    t_last_used,
    t_revoked_by,
    i_id,
    i_bot,
    i_user,
    i_removed,
    i_ws,
    w_name,
    w_icon,
    w_plan,
    ...connection
  } = row
  return {
    token: { id: t_id, digest: t_digest, kind: t_kind, revoked_time: t_revoked, last_used_time: t_last_used, revoked_by: t_revoked_by },
    install: { id: i_id, bot_id: i_bot, user_id: i_user, removed_time: i_removed, workspace_id: i_ws },
    connection,
    workspace: { id: i_ws, name: w_name, icon: w_icon, plan: w_plan },
  }
}

async function insertPair(
  db: Db,
  installId: string,
  grantId: string,
  pair: { access: NewTokenSecret; refresh: NewTokenSecret },
  time: string,
): Promise<void> {
  await db
    .insertInto('oauth_token')
    .values(
      (['access', 'refresh'] as const).map((kind) => ({
        id: newId(),
        install_id: installId,
        grant_id: grantId,
        kind,
        digest: pair[kind].digest,
        hint: pair[kind].hint,
        created_time: time,
        used_time: null,
        revoked_time: null,
        revoked_by: null,
        last_used_time: null,
      })),
    )
    .execute()
}

/**
 * Stores the access and refresh token minted for an exchanged code (grant `grantId`).
 * Event `oauth.token_issued` on the install `{bot_id, grant_id}`.
 */
export async function issueTokenPair(
  db: Db,
  input: {
    install: Pick<OAuthInstallTable, 'id' | 'workspace_id' | 'bot_id'>
    grantId: string
    pair: { access: NewTokenSecret; refresh: NewTokenSecret }
  },
  at: At,
): Promise<void> {
  await insertPair(db, input.install.id, input.grantId, input.pair, at.time)
  await appendEvent(db, {
    workspaceId: input.install.workspace_id,
    type: 'oauth.token_issued',
    objectId: input.install.id,
    actor: at.actor,
    time: at.time,
    data: { bot_id: input.install.bot_id, grant_id: input.grantId },
  })
}

/**
 * Rotation (RFC 9700 §4.14.2): marks refresh token `refreshTokenId` used and revoked, revokes the
 * grant's live access token (one live pair per grant), and stores the new pair.
 * Event `oauth.token_refreshed` on the install `{bot_id, grant_id}`.
 */
export async function rotateTokenPair(
  db: Db,
  input: {
    install: Pick<OAuthInstallTable, 'id' | 'workspace_id' | 'bot_id'>
    grantId: string
    refreshTokenId: string
    pair: { access: NewTokenSecret; refresh: NewTokenSecret }
  },
  at: At,
): Promise<void> {
  await db
    .updateTable('oauth_token')
    .set({ used_time: at.time, revoked_time: at.time, revoked_by: 'rotated' })
    .where('id', '=', input.refreshTokenId)
    .execute()
  await db
    .updateTable('oauth_token')
    .set({ revoked_time: at.time, revoked_by: 'rotated' })
    .where('grant_id', '=', input.grantId)
    .where('kind', '=', 'access')
    .where('revoked_time', 'is', null)
    .execute()
  await insertPair(db, input.install.id, input.grantId, input.pair, at.time)
  await appendEvent(db, {
    workspaceId: input.install.workspace_id,
    type: 'oauth.token_refreshed',
    objectId: input.install.id,
    actor: at.actor,
    time: at.time,
    data: { bot_id: input.install.bot_id, grant_id: input.grantId },
  })
}

/** Why a grant's tokens are revoked, and the event each cause appends. */
const REVOKE_CAUSES = {
  /** `POST /v1/oauth/revoke` by the client (RFC 7009). */
  revoked: { type: 'oauth.token_revoked', by: null },
  /** A code presented twice (RFC 6749 §10.5, RFC 9700 §4.1.2). */
  code_replayed: { type: 'oauth.code_replayed', by: 'code_replay' },
  /** A rotated refresh token presented again (RFC 9700 §4.14.2). */
  refresh_replayed: { type: 'oauth.refresh_replayed', by: 'refresh_replay' },
} as const

/**
 * Revokes every live token of grant `grantId` (the access and refresh tokens minted from one code).
 * Event by `cause`: `oauth.token_revoked` | `oauth.code_replayed` | `oauth.refresh_replayed`, on install
 * `installId` `{grant_id}`. `revoked_by` is the actor for a revocation, `code_replay` / `refresh_replay`
 * for a replay.
 */
export async function revokeGrant(
  db: Db,
  input: { grantId: string; installId: string; workspaceId: string | null },
  cause: keyof typeof REVOKE_CAUSES,
  at: At,
): Promise<void> {
  const { type, by } = REVOKE_CAUSES[cause]
  await db
    .updateTable('oauth_token')
    .set({ revoked_time: at.time, revoked_by: by ?? at.actor })
    .where('grant_id', '=', input.grantId)
    .where('revoked_time', 'is', null)
    .execute()
  await appendEvent(db, {
    workspaceId: input.workspaceId,
    type,
    objectId: input.installId,
    actor: at.actor,
    time: at.time,
    data: { grant_id: input.grantId },
  })
}

/** Revokes every live token of an install. Only `removeOAuthInstall` calls it (its event covers the tokens). */
export async function revokeInstallTokens(db: Db, installId: string, at: At): Promise<void> {
  await db
    .updateTable('oauth_token')
    .set({ revoked_time: at.time, revoked_by: at.actor })
    .where('install_id', '=', installId)
    .where('revoked_time', 'is', null)
    .execute()
}
