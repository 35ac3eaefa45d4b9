import { isWellFormedToken, tokenKind } from '../auth/token-format.js'
import type { ApiCaller, InternalCaller } from '../auth/principal.js'
import { unauthorized } from '../errors/notion-error.js'
import { principalOf } from '../permissions/roles.js'
import { lastUseIsStale, recordTokenUse } from '../storage/repositories/token-use.repository.js'
import { findTokenByDigest, type TokenContext } from '../storage/repositories/tokens.repository.js'
import type { Deps } from './deps.js'
import { capabilitiesOf } from '../permissions/capabilities.js'
import { authenticatePersonalToken } from './pats.service.js'
import { authenticateOAuthAccessToken } from './oauth/installs.js'
import { bindCaches } from './caches.js'
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
 * digests are compared again in constant time. With `deps.caches`, the request first syncs the
 * in-process caches with the change events, then reads the connection token through them; the
 * caller it returns may use the ACL cache (services/caches.ts).
 *
 * `socket` (the request's socket, or any object that lives as long as the client's HTTP connection):
 * a keep-alive connection that sends the same token again reuses the digest computed for it (see
 * `digestOf`).
 * @throws NotionApiError unauthorized
 */
export async function authenticateBearer(deps: Deps, header: string | undefined, socket?: object): Promise<ApiCaller> {
  const match = header === undefined ? null : BEARER.exec(header)
  if (!match?.[1]) throw unauthorized('Authorization header must use the format "Bearer <token>".').explain(explainBadAuthorizationHeader())
  const token = match[1]
  // A token this connection already sent passed the format check then (`digestOf` keeps no other).
  if (!sentBefore(deps, token, socket) && !isWellFormedToken(token)) throw unauthorized().explain(explainMalformedToken())
  const caches = deps.caches
  // Every change committed on any node before this request arrived applies to it (services/caches.ts).
  if (caches) await caches.syncForRequest(deps.store.db)
  const caller = await callerOf(deps, token, socket)
  return caches ? bindCaches(caller, caches) : caller
}

/** The last token each client socket sent, with its digest under those secrets (see `digestOf`). */
const lastDigests = new WeakMap<object, { secrets: Deps['secrets']; token: string; digest: string }>()

/**
 * `secrets.tokenDigest(token)`, remembered per client connection: an integration sends the same
 * token on every request of a keep-alive connection, and the HMAC was about 4% of a page read's CPU
 * (bench/RESULTS.md, session 7). The entry lives as long as the connection (a WeakMap on it) and
 * holds what that connection sent last. Behind a proxy one upstream connection carries many clients'
 * requests, so the new token is compared with the remembered one in constant time (`sameToken`): its
 * timing tells nothing of another client's token.
 */
function digestOf(deps: Deps, token: string, socket: object | undefined): string {
  if (!socket) return deps.secrets.tokenDigest(token)
  const last = lastDigests.get(socket)
  if (last && last.secrets === deps.secrets && sameToken(last.token, token)) return last.digest
  const digest = deps.secrets.tokenDigest(token)
  lastDigests.set(socket, { secrets: deps.secrets, token, digest })
  return digest
}

/** Whether `socket` sent `token` last (compared as in `digestOf`): it was well formed then. */
function sentBefore(deps: Deps, token: string, socket: object | undefined): boolean {
  const last = socket && lastDigests.get(socket)
  return !!last && last.secrets === deps.secrets && sameToken(last.token, token)
}

/**
 * Equality of two well-formed tokens in time independent of where they differ: every character is
 * compared (the length is the token format's, not a secret).
 */
function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/**
 * Token rows (as the token cache keeps them) and the digest they were last found equal to in constant
 * time: the same cached row met again with the same digest needs no second comparison.
 */
const verified = new WeakMap<object, string>()

/**
 * The caller built from a connection token's context (`findTokenByDigest`: token, connection and
 * workspace rows), kept with that object: with `deps.caches`, a token met again is the same object
 * until a change event of its workspace drops it from the token cache (services/caches.ts: any change
 * to the token, its connection's name, bot or capabilities, or the workspace's name, icon or plan is
 * such an event), so a kept caller is the one that would be built now. Without caches every request
 * reads a new object and builds a new caller. Frozen, its capabilities and principals too: requests
 * share it. Issue 19: the caller, its capabilities and principals were about 0.6 KiB a request.
 */
const keptCallers = new WeakMap<TokenContext, InternalCaller>()

async function callerOf(deps: Deps, token: string, socket: object | undefined): Promise<ApiCaller> {
  // The kind digit routes the lookup: personal access tokens live in their own table (ADR 10).
  const kind = tokenKind(token)
  if (kind === 'personal') return authenticatePersonalToken(deps, token, digestOf(deps, token, socket))
  // Public connections' OAuth access tokens live in `oauth_token` (ADR 14); a refresh token is never a bearer.
  if (kind === 'oauth_access') return authenticateOAuthAccessToken(deps, token, digestOf(deps, token, socket))
  if (kind === 'oauth_refresh') throw unauthorized().explain(explainRefreshTokenAsBearer())
  const digest = digestOf(deps, token, socket)
  const db = deps.store.db
  const found = deps.caches ? await deps.caches.token(db, digest, () => findTokenByDigest(db, digest)) : await findTokenByDigest(db, digest)
  if (!found || (verified.get(found.token) !== digest && !deps.secrets.digestsEqual(found.token.digest, digest)))
    throw unauthorized().explain(explainUnknownToken())
  verified.set(found.token, digest)
  if (found.token.revoked_time !== null)
    throw unauthorized().explain(await explainRevokedConnectionToken(db, found.token, found.connection))
  const now = deps.clock.now()
  // A cached token remembers its own last write, so the write stays at most once a minute per node.
  // (`recordTokenUse` asks `lastUseIsStale` too; asked first, a fresh use costs no call and no promise.)
  if (lastUseIsStale(found.token.last_used_time, now) && (await recordTokenUse(db, 'token', found.token, now)))
    found.token.last_used_time = new Date(now).toISOString()
  const kept = keptCallers.get(found)
  if (kept) return kept
  const { connection, workspace } = found
  const caller: InternalCaller = Object.freeze({
    kind: 'internal',
    tokenId: found.token.id,
    botId: connection.bot_id,
    connectionId: connection.id,
    connectionName: connection.name,
    workspaceId: workspace.id,
    workspaceName: workspace.name,
    workspaceIcon: workspace.icon,
    plan: workspace.plan,
    capabilities: Object.freeze(capabilitiesOf(connection)),
    principals: Object.freeze([principalOf.bot(connection.bot_id)]) as string[],
  })
  keptCallers.set(found, caller)
  return caller
}
