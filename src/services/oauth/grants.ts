import { createHash, timingSafeEqual } from 'node:crypto'
import { generateToken, tokenHint, tokenKind } from '../../auth/token-format.js'
import { isoNow } from '../../domain/clock.js'
import { capabilitiesOf } from '../../permissions/capabilities.js'
import type { OAuthInstallTable, PublicConnectionTable, UserTable } from '../../storage/database.js'
import { findInstall } from '../../storage/repositories/oauth-installs.repository.js'
import {
  findAuthorizationCode,
  findOAuthTokenByDigest,
  issueTokenPair,
  revokeGrant,
  rotateTokenPair,
  spendAuthorizationCode,
  type NewTokenSecret,
  type OAuthTokenWithInstall,
} from '../../storage/repositories/oauth-tokens.repository.js'
import { findUser, findWorkspace } from '../../storage/repositories/workspaces.repository.js'
import type { Db } from '../../storage/store.js'
import type { Deps } from '../deps.js'
import { redirectUrisOf } from '../public-connections.service.js'
import { PKCE_RE } from './authorize.js'
import { OAuthError, bodyString } from './client-auth.js'
import { liveInstall } from './installs.js'

/**
 * The token endpoints of Octavo's OAuth 2.0 authorization server, for an authenticated client
 * (`authenticateClient`): `POST /v1/oauth/token|introspect|revoke` (docs/reference/notion-api.md
 * §1.9, §7.2–7.4; RFC 6749, RFC 7009, RFC 7662, RFC 9700; docs/adr/0014-oauth-public-connections.md).
 *
 * - Codes are single use: a replayed code revokes every token minted from it (RFC 9700 §4.1.2 /
 *   RFC 6749 §10.5).
 * - Tokens: `ntn_3…` access and `ntn_4…` refresh tokens, by digest only. Refresh rotates both; a
 *   reused refresh token is `invalid_grant` and revokes its grant (RFC 9700 §4.14.2). Access tokens do
 *   not expire (as Notion's); they stop on revocation, install removal, or when the authorizing person
 *   leaves the workspace (checked on every request, services/oauth/installs.ts).
 * - Errors are `OAuthError`: `{error, error_description?}` bodies (docs/reference/notion-api.md §7.3).
 */

const sha256b64url = (text: string) => createHash('sha256').update(text, 'ascii').digest('base64url')

type OwnerUser = {
  type: 'user'
  user:
    | { object: 'user'; id: string; name: string | null; avatar_url: string | null; type: 'person'; person: { email: string } }
    | { object: 'user'; id: string }
}

function ownerOf(u: UserTable | undefined, id: string): OwnerUser {
  if (!u) return { type: 'user', user: { object: 'user', id } }
  return {
    type: 'user',
    user: { object: 'user', id: u.id, name: u.name, avatar_url: u.avatar_url, type: 'person', person: { email: u.email ?? '' } },
  }
}

/** SDK `OauthTokenResponse` (docs/reference/notion-api.md §7.2), without `request_id` (the route adds it). */
export interface TokenResponse {
  access_token: string
  token_type: 'bearer'
  refresh_token: string
  bot_id: string
  workspace_id: string
  workspace_name: string | null
  workspace_icon: string | null
  owner: OwnerUser
  duplicated_template_id: string | null
}

/** A fresh access and refresh token: the tokens for the answer, their digests and hints for the store. */
function newPair(deps: Deps): {
  tokens: { access: string; refresh: string }
  secrets: { access: NewTokenSecret; refresh: NewTokenSecret }
} {
  const access = generateToken('oauth_access')
  const refresh = generateToken('oauth_refresh')
  return {
    tokens: { access, refresh },
    secrets: {
      access: { digest: deps.secrets.tokenDigest(access), hint: tokenHint(access) },
      refresh: { digest: deps.secrets.tokenDigest(refresh), hint: tokenHint(refresh) },
    },
  }
}

async function tokenResponse(db: Db, install: OAuthInstallTable, tokens: { access: string; refresh: string }): Promise<TokenResponse> {
  const ws = await findWorkspace(db, install.workspace_id)
  return {
    access_token: tokens.access,
    token_type: 'bearer',
    refresh_token: tokens.refresh,
    bot_id: install.bot_id,
    workspace_id: install.workspace_id,
    workspace_name: ws?.name ?? null,
    workspace_icon: ws?.icon ?? null,
    owner: ownerOf(await findUser(db, install.user_id), install.user_id),
    duplicated_template_id: install.duplicated_template_id,
  }
}

/**
 * `POST /v1/oauth/token` for an authenticated client (docs/reference/notion-api.md §7.2).
 * - `authorization_code`: `code` single use and unexpired, issued to this client. `redirect_uri` must
 *   equal the authorize request's when that carried one or several URIs are registered; it is not
 *   allowed when exactly one is registered and the authorize URL had none. With PKCE, `code_verifier`
 *   must hash (S256) to the challenge; without a challenge a `code_verifier` is `invalid_grant` (PKCE
 *   downgrade, RFC 9700 §2.1.1). A replayed code revokes everything minted from it.
 * - `refresh_token`: returns a new access and refresh token and revokes the old pair; an already
 *   rotated (or revoked) refresh token is `invalid_grant` and revokes its grant.
 * Every success mints a fresh pair. Events `oauth.token_issued|token_refreshed|code_replayed|refresh_replayed`.
 * @throws OAuthError invalid_request | invalid_grant | unsupported_grant_type
 */
export async function exchangeToken(deps: Deps, client: PublicConnectionTable, body: Record<string, unknown>): Promise<TokenResponse> {
  const grantType = bodyString(body, 'grant_type')
  if (!grantType) throw new OAuthError(400, 'invalid_request', 'grant_type is required.')
  const at = { actor: `client:${client.id}`, time: isoNow(deps.clock) }
  if (grantType === 'authorization_code') {
    const code = bodyString(body, 'code')
    if (!code) throw new OAuthError(400, 'invalid_request', 'code is required.')
    const redirectUri = bodyString(body, 'redirect_uri')
    const verifier = bodyString(body, 'code_verifier')
    // Failures are returned, not thrown, so that what they wrote (a spent code, a revoked grant) commits.
    const outcome = await deps.store.transaction(async (trx) => {
      const row = await findAuthorizationCode(trx, deps.secrets.tokenDigest(`code|${code}`))
      if (!row || row.connection_id !== client.id) return { error: new OAuthError(400, 'invalid_grant', 'Invalid code.') }
      if (row.used_time !== null) {
        const i = await findInstall(trx, row.install_id)
        await revokeGrant(
          trx,
          { grantId: row.grant_id, installId: row.install_id, workspaceId: i?.workspace_id ?? null },
          'code_replayed',
          at,
        )
        return { error: new OAuthError(400, 'invalid_grant', 'Invalid code: this code has been revoked.') }
      }
      if (Date.parse(row.expires_time) <= deps.clock.now())
        return { error: new OAuthError(400, 'invalid_grant', 'Invalid code: this code has expired.') }
      const registered = redirectUrisOf(client)
      if (row.redirect_uri_given === 1 || registered.length > 1) {
        if (redirectUri === undefined) return { error: new OAuthError(400, 'invalid_request', 'redirect_uri is required.') }
        if (redirectUri !== row.redirect_uri)
          return { error: new OAuthError(400, 'invalid_grant', 'redirect_uri does not match the one used in the authorization request.') }
      } else if (redirectUri !== undefined) {
        return {
          error: new OAuthError(
            400,
            'invalid_request',
            'redirect_uri is not allowed: the authorization request had none and one redirect URI is registered.',
          ),
        }
      }
      if (row.code_challenge === null) {
        // PKCE downgrade (RFC 9700 §2.1.1): a verifier for a code issued without a challenge means the
        // authorization request was not the one this client started; refuse rather than ignore it.
        if (verifier !== undefined)
          return {
            error: new OAuthError(400, 'invalid_grant', 'code_verifier was given, but the authorization request had no code_challenge.'),
          }
      } else {
        if (!verifier) return { error: new OAuthError(400, 'invalid_request', 'code_verifier is required.') }
        const a = Buffer.from(sha256b64url(verifier))
        const b = Buffer.from(row.code_challenge)
        if (!PKCE_RE.test(verifier) || a.length !== b.length || !timingSafeEqual(a, b))
          return { error: new OAuthError(400, 'invalid_grant', 'code_verifier does not match the code_challenge.') }
      }
      // Spent before anything can fail, so a retry after any answer is a replay.
      await spendAuthorizationCode(trx, row.digest, at.time)
      const install = await liveInstall(trx, row.install_id)
      if (!install) return { error: new OAuthError(400, 'invalid_grant', 'Invalid code: this code has been revoked.') }
      const pair = newPair(deps)
      await issueTokenPair(trx, { install, grantId: row.grant_id, pair: pair.secrets }, at)
      return { res: await tokenResponse(trx, install, pair.tokens) }
    })
    if ('error' in outcome) throw outcome.error
    return outcome.res
  }
  if (grantType === 'refresh_token') {
    const refresh = bodyString(body, 'refresh_token')
    if (!refresh) throw new OAuthError(400, 'invalid_request', 'refresh_token is required.')
    const outcome = await deps.store.transaction(async (trx) => {
      const row = await findOAuthTokenByDigest(trx, deps.secrets.tokenDigest(refresh))
      if (!row || row.kind !== 'refresh' || row.connection_id !== client.id)
        return { error: new OAuthError(400, 'invalid_grant', 'Invalid refresh token.') }
      if (row.used_time !== null || row.revoked_time !== null) {
        if (row.used_time !== null)
          await revokeGrant(
            trx,
            { grantId: row.grant_id, installId: row.install_id, workspaceId: row.workspace_id },
            'refresh_replayed',
            at,
          )
        return { error: new OAuthError(400, 'invalid_grant', 'Token has been expired or revoked.') }
      }
      const install = await liveInstall(trx, row.install_id)
      if (!install) return { error: new OAuthError(400, 'invalid_grant', 'Token has been expired or revoked.') }
      const pair = newPair(deps)
      await rotateTokenPair(trx, { install, grantId: row.grant_id, refreshTokenId: row.id, pair: pair.secrets }, at)
      return { res: await tokenResponse(trx, install, pair.tokens) }
    })
    if ('error' in outcome) throw outcome.error
    return outcome.res
  }
  throw new OAuthError(
    400,
    'unsupported_grant_type',
    `Unsupported grant_type ${JSON.stringify(grantType)}; use authorization_code or refresh_token.`,
  )
}

/** A token of this client (access or refresh, any state), or undefined for anything else. */
async function findClientToken(
  deps: Deps,
  db: Db,
  client: PublicConnectionTable,
  token: string,
): Promise<OAuthTokenWithInstall | undefined> {
  const kind = tokenKind(token)
  if (kind !== 'oauth_access' && kind !== 'oauth_refresh') return undefined
  const row = await findOAuthTokenByDigest(db, deps.secrets.tokenDigest(token))
  return row && row.connection_id === client.id ? row : undefined
}

/**
 * `POST /v1/oauth/introspect` (docs/reference/notion-api.md §7.4; RFC 7662 for the inactive case): for
 * a live access or refresh token of this client, `{active:true, scope, iat}` (`scope` lists the
 * connection's capabilities, `iat` the issue time in Unix seconds); otherwise only `{active:false}`.
 * @throws OAuthError invalid_request (no token)
 */
export async function introspectToken(deps: Deps, client: PublicConnectionTable, body: Record<string, unknown>) {
  const token = bodyString(body, 'token')
  if (!token) throw new OAuthError(400, 'invalid_request', 'token is required.')
  const found = await findClientToken(deps, deps.store.db, client, token)
  if (!found || found.revoked_time !== null || !(await liveInstall(deps.store.db, found.install_id))) return { active: false as const }
  const caps = capabilitiesOf(client)
  const scope = [
    caps.readContent && 'read_content',
    caps.updateContent && 'update_content',
    caps.insertContent && 'insert_content',
    caps.readComments && 'read_comments',
    caps.insertComments && 'insert_comments',
    caps.userInfo !== 'none' && `read_user_${caps.userInfo === 'with_email' ? 'with_email' : 'without_email'}`,
  ]
    .filter(Boolean)
    .join(' ')
  return { active: true as const, scope, iat: Math.floor(Date.parse(found.created_time) / 1000) }
}

/**
 * `POST /v1/oauth/revoke` (docs/reference/notion-api.md §7.4; RFC 7009): revokes the token's whole
 * grant (access and refresh tokens minted from the same code). The next request with it is 401.
 * Unknown or foreign tokens are answered the same way (200 `{}`), so the endpoint reveals nothing.
 * Event `oauth.token_revoked`.
 * @throws OAuthError invalid_request (no token)
 */
export async function revokeClientToken(
  deps: Deps,
  client: PublicConnectionTable,
  body: Record<string, unknown>,
): Promise<Record<string, never>> {
  const token = bodyString(body, 'token')
  if (!token) throw new OAuthError(400, 'invalid_request', 'token is required.')
  const at = { actor: `client:${client.id}`, time: isoNow(deps.clock) }
  await deps.store.transaction(async (trx) => {
    const found = await findClientToken(deps, trx, client, token)
    if (!found || found.revoked_time !== null) return
    await revokeGrant(trx, { grantId: found.grant_id, installId: found.install_id, workspaceId: found.workspace_id }, 'revoked', at)
  })
  return {}
}
