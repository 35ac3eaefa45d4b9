import { isWellFormedToken, tokenKind } from '../auth/token-format.js'
import type { ApiCaller } from '../auth/principal.js'
import { unauthorized } from '../errors/notion-error.js'
import { principalOf } from '../permissions/roles.js'
import { recordTokenUse } from '../storage/repositories/token-use.repository.js'
import { findTokenByDigest } from '../storage/repositories/tokens.repository.js'
import type { Deps } from './deps.js'
import { capabilitiesOf } from '../permissions/capabilities.js'
import { authenticatePersonalToken } from './pats.service.js'
import { authenticateOAuthAccessToken } from './oauth/installs.js'
import {
  explainBadAuthorizationHeader,
  explainMalformedToken,
  explainRefreshTokenAsBearer,
  explainUnknownToken,
} from '../permissions/explain.js'
import { explainRevokedConnectionToken } from './explain-denials.js'

const BEARER = /^[ \t]*bearer[ \t]+([^ \t]+)[ \t]*$/i

/**
 * Resolves an `Authorization` header to the calling connection or personal access token.
 *
 * Order and messages follow live Notion (docs/reference/notion-api.md §3.2): a header that is not exactly `Bearer <token>`
 * (scheme case-insensitive) → 401 'Authorization header must use the format "Bearer <token>".';
 * anything else that is not a live token → 401 "API token is invalid.". Malformed tokens and bad
 * checksums are refused without touching the store. Tokens are found by HMAC digest only, and the
 * digests are compared again in constant time.
 * @throws NotionApiError unauthorized
 */
export async function authenticateBearer(deps: Deps, header: string | undefined): Promise<ApiCaller> {
  const match = header === undefined ? null : BEARER.exec(header)
  if (!match?.[1]) throw unauthorized('Authorization header must use the format "Bearer <token>".').explain(explainBadAuthorizationHeader())
  const token = match[1]
  if (!isWellFormedToken(token)) throw unauthorized().explain(explainMalformedToken())
  // The kind digit routes the lookup: personal access tokens live in their own table (ADR 10).
  if (tokenKind(token) === 'personal') return authenticatePersonalToken(deps, token)
  // Public connections' OAuth access tokens live in `oauth_token` (ADR 14); a refresh token is never a bearer.
  if (tokenKind(token) === 'oauth_access') return authenticateOAuthAccessToken(deps, token)
  if (tokenKind(token) === 'oauth_refresh') throw unauthorized().explain(explainRefreshTokenAsBearer())
  const digest = deps.secrets.tokenDigest(token)
  const found = await findTokenByDigest(deps.store.db, digest)
  if (!found || !deps.secrets.digestsEqual(found.token.digest, digest)) throw unauthorized().explain(explainUnknownToken())
  if (found.token.revoked_time !== null)
    throw unauthorized().explain(await explainRevokedConnectionToken(deps.store.db, found.token, found.connection))
  await recordTokenUse(deps.store.db, 'token', found.token, deps.clock.now())
  const { connection, workspace } = found
  return {
    kind: 'internal',
    tokenId: found.token.id,
    botId: connection.bot_id,
    connectionId: connection.id,
    connectionName: connection.name,
    workspaceId: workspace.id,
    workspaceName: workspace.name,
    workspaceIcon: workspace.icon,
    plan: workspace.plan,
    capabilities: capabilitiesOf(connection),
    principals: [principalOf.bot(connection.bot_id)],
  }
}
