import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { OAuthCaller } from '../auth/principal.js'
import { generateToken, tokenHint, tokenKind } from '../auth/token-format.js'
import { isoNow } from '../domain/clock.js'
import { newId } from '../domain/ids.js'
import { DomainError } from '../errors/domain-error.js'
import { unauthorized } from '../errors/notion-error.js'
import { MAX_BODY_BYTES } from '../http/body.js'
import { decideConnectionShare } from '../permissions/decide-connection-share.js'
import { CONNECTION_SHARE_LEVEL, ROLE, principalOf } from '../permissions/roles.js'
import type { OAuthInstallTable, PublicConnectionTable, UserTable } from '../storage/database.js'
import { grantOnPage, levelOnRoot, revokeOnPage } from '../storage/repositories/acl.repository.js'
import { audit } from '../storage/repositories/audit.repository.js'
import { findBlock, type BlockRow } from '../storage/repositories/blocks.repository.js'
import { liveInstallsOfPerson } from '../storage/repositories/oauth-installs.repository.js'
import { findUser, findWorkspace } from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'
import type { Deps } from './deps.js'
import { principalsForUser } from './people-access.js'
import { requireMayShare, shareAuditActor, shareCreditedTo, type ShareActor } from './connections.service.js'
import { capabilitiesOf } from '../permissions/capabilities.js'
import { loadPublicConnection, redirectUrisOf } from './public-connections.service.js'
import { ancestorIds, createNode } from './tree.service.js'

/**
 * Octavo's OAuth 2.0 authorization server for public connections, in Notion's shapes (digest §1.9, §7;
 * permissions-and-tokens.md §2.1, §4; RFC 6749, RFC 7636, RFC 9700; docs/adr/0014-oauth-public-connections.md).
 *
 * - Authorize (browser): `checkAuthorizeRequest` validates the query. A bad `client_id`, `redirect_uri`
 *   or `response_type` is an `AuthorizePageError` (never a redirect); later problems redirect with an
 *   RFC 6749 §4.1.2.1 `error`. `approve` records the install (its own bot, `bot_id`), shares the picked
 *   pages (full access required) or a duplicate of the template with the bot, and returns a code.
 * - Codes: 256 random bits, stored by HMAC digest, single use, 10 minutes. A replayed code revokes
 *   every token minted from it (RFC 9700 §4.1.2 / RFC 6749 §10.5).
 * - Tokens: `ntn_3…` access and `ntn_4…` refresh tokens, by digest only. Refresh rotates both; a
 *   reused refresh token is `invalid_grant` and revokes its grant (RFC 9700 §4.14.2). Access tokens do
 *   not expire (as Notion's); they stop on revocation, install removal, or when the authorizing person
 *   leaves the workspace (checked on every request).
 * - Errors are `OAuthError`: `{error, error_description?}` bodies (digest §7.3).
 */

export const CODE_TTL_MS = 10 * 60_000
const LAST_USED_GRANULARITY_MS = 60_000

/** An OAuth endpoint failure (RFC 6749 §5.2 codes), rendered as `{error, error_description?, request_id}`. */
export class OAuthError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type',
    readonly description?: string,
  ) {
    super(description ?? error)
    this.name = 'OAuthError'
  }
}

/** A problem with an authorize request that must not redirect: shown to the person as a plain page. */
export class AuthorizePageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AuthorizePageError'
  }
}

const sha256b64url = (text: string) => createHash('sha256').update(text, 'ascii').digest('base64url')
const PKCE_RE = /^[A-Za-z0-9\-._~]{43,128}$/

// ---------------------------------------------------------------------------------------------
// Client authentication

/**
 * Authenticates `Authorization: Basic base64(client_id:client_secret)` (client_secret_basic). Any
 * failure (no header, another scheme, unknown client, wrong secret) is 401 `invalid_client`, as live
 * Notion answers (digest §7.3). The secret is compared by HMAC digest in constant time.
 * @throws OAuthError invalid_client
 */
export async function authenticateClient(deps: Deps, header: string | undefined): Promise<PublicConnectionTable> {
  const basic = parseBasicClient(header)
  if (!basic) throw new OAuthError(401, 'invalid_client')
  const c = await deps.store.db.selectFrom('public_connection').selectAll().where('id', '=', basic.clientId).executeTakeFirst()
  if (!c || !deps.secrets.digestsEqual(c.secret_digest, deps.secrets.tokenDigest(basic.secret))) throw new OAuthError(401, 'invalid_client')
  return c
}

/**
 * The client id (lower-case UUID) and secret of an `Authorization: Basic` header, or undefined when
 * the header is missing, of another scheme, or not `client_id:client_secret` with a UUID client id.
 * Also used to key the throttle of failed client authentications on the claimed client.
 */
export function parseBasicClient(header: string | undefined): { clientId: string; secret: string } | undefined {
  const m = header ? /^[ \t]*basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(header) : null
  if (!m?.[1]) return undefined
  const decoded = Buffer.from(m[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  const clientId = decodeURIComponentSafe(decoded.slice(0, colon))
  const secret = decodeURIComponentSafe(decoded.slice(colon + 1))
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(clientId)) return undefined
  return { clientId: clientId.toLowerCase(), secret }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

// ---------------------------------------------------------------------------------------------
// Authorize

/** A validated authorize request. */
export interface AuthorizeRequest {
  connection: PublicConnectionTable
  /** Where the answer goes: the given `redirect_uri`, or the only registered one. */
  redirectUri: string
  redirectUriGiven: boolean
  state: string | null
  codeChallenge: string | null
}

/** A request the person may see, or an error to send back to the client's redirect URI. */
export type AuthorizeCheck = { ok: true; request: AuthorizeRequest } | { ok: false; redirect: string }

/** `redirect_uri` with `params` added to its query (existing query parameters kept). */
export function redirectWith(redirectUri: string, params: Record<string, string | null>): string {
  const url = new URL(redirectUri)
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v)
  return url.toString()
}

/**
 * Validates `GET /v1/oauth/authorize` parameters (digest §7.1; RFC 6749 §4.1.2.1; RFC 7636).
 * In order: `client_id` (unknown → page), `redirect_uri` (not registered exactly, or absent while
 * several are registered → page), `response_type` (missing or not `code` → page), then `owner`
 * (must be `user`) and PKCE (`code_challenge_method` must be `S256`, the challenge 43–128 base64url
 * characters), which redirect with `error=invalid_request`.
 * @throws AuthorizePageError
 */
export async function checkAuthorizeRequest(deps: Deps, q: Record<string, string | undefined>): Promise<AuthorizeCheck> {
  const clientId = (q.client_id ?? '').trim().toLowerCase()
  if (!clientId) throw new AuthorizePageError('The link is missing its client_id, so Octavo cannot tell which connection asks for access.')
  const connection = /^[0-9a-f-]{36}$/.test(clientId)
    ? await deps.store.db.selectFrom('public_connection').selectAll().where('id', '=', clientId).executeTakeFirst()
    : undefined
  if (!connection) throw new AuthorizePageError('No public connection has this client_id. Check the link that brought you here.')
  const registered = redirectUrisOf(connection)
  const given = q.redirect_uri
  let redirectUri: string
  if (given === undefined || given === '') {
    if (registered.length !== 1) throw new AuthorizePageError(`The link is missing its redirect_uri, and ${connection.name} has several registered; Octavo will not guess where to send you.`)
    redirectUri = registered[0] as string
  } else {
    if (!registered.includes(given)) throw new AuthorizePageError(`The redirect_uri in the link is not one that ${connection.name} registered, so Octavo will not send you there.`)
    redirectUri = given
  }
  if (q.response_type === undefined || q.response_type === '') throw new AuthorizePageError('The link is missing response_type (it must be "code").')
  if (q.response_type !== 'code') throw new AuthorizePageError(`Unsupported response_type ${JSON.stringify(q.response_type)}; only "code" is supported.`)
  const state = q.state ?? null
  const fail = (error: string, description: string) => ({ ok: false as const, redirect: redirectWith(redirectUri, { error, error_description: description, state }) })
  if (q.owner !== 'user') return fail('invalid_request', 'owner must be "user".')
  let codeChallenge: string | null = null
  if (q.code_challenge !== undefined) {
    if (q.code_challenge_method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256.')
    if (!PKCE_RE.test(q.code_challenge)) return fail('invalid_request', 'code_challenge must be 43 to 128 base64url characters.')
    codeChallenge = q.code_challenge
  } else if (q.code_challenge_method !== undefined) {
    return fail('invalid_request', 'code_challenge_method was given without code_challenge.')
  }
  return { ok: true, request: { connection, redirectUri, redirectUriGiven: given !== undefined && given !== '', state, codeChallenge } }
}

/**
 * The pages a person may pick in a workspace: where they may add a connection
 * (`decideConnectionShare`: full access, and not a guest).
 */
export async function pickablePageIds(db: Db, workspaceId: string, userId: string, pageIds: string[]): Promise<Set<string>> {
  const who = await principalsForUser(db, workspaceId, userId)
  const out = new Set<string>()
  if (!who) return out
  for (const id of pageIds) {
    const node = await findBlock(db, id)
    if (!node || node.workspace_id !== workspaceId || node.in_trash === 1 || !node.perm_root_id) continue
    if (node.type !== 'child_page' && node.type !== 'child_database') continue
    const level = await levelOnRoot(db, node.perm_root_id, who.principals)
    if (decideConnectionShare({ kind: 'person', role: who.role, level }).allowed) out.add(id)
  }
  return out
}

/**
 * Whether a connection's template may still be duplicated: the template page exists in the connection's
 * workspace, is not in the trash (nor under a trashed page), and the person who registered the
 * connection is still a member there who can at least view it. Registration checks the same
 * (`public-connections.service.ts`), but the template is copied live at each install, so access lost
 * since then must stop the copy (security issue: "a template leaks after its author loses access").
 * @returns true when there is a template and it may be copied; false when there is none or it is gone.
 */
export async function templateAvailable(db: Db, c: Pick<PublicConnectionTable, 'workspace_id' | 'created_by' | 'template_page_id'>): Promise<boolean> {
  if (!c.template_page_id) return false
  const tpl = await findBlock(db, c.template_page_id)
  if (!tpl || tpl.workspace_id !== c.workspace_id || tpl.type !== 'child_page' || tpl.in_trash === 1 || !tpl.perm_root_id) return false
  if (await underTrashedPage(db, tpl)) return false
  const who = await principalsForUser(db, c.workspace_id, c.created_by)
  if (!who) return false
  return (await levelOnRoot(db, tpl.perm_root_id, who.principals)) >= ROLE.view
}

/** Whether one of a page's ancestor pages (its `path`) is in the trash. */
async function underTrashedPage(db: Db, node: BlockRow): Promise<boolean> {
  for (const id of ancestorIds(node).slice(1)) if ((await findBlock(db, id))?.in_trash === 1) return true
  return false
}

/** The consent screen's refusal when a connection's template can no longer be copied. */
export function templateGoneMessage(name: string): string {
  return `${name}'s template is no longer available: the person who registered ${name} can no longer access it. Nothing was duplicated; pick pages to share instead, or ask the developer to choose another template.`
}

export interface ApproveInput {
  request: AuthorizeRequest
  userId: string
  workspaceId: string
  /** Pages (or databases) to share with the install's bot; each needs the person's full access. */
  pageIds: string[]
  /** Duplicate the connection's template into the person's private pages instead of / besides picking. */
  duplicateTemplate: boolean
}

/**
 * "Allow": finds or creates the install for (connection, workspace, person) — one bot per install,
 * re-authorizing keeps its `bot_id` and adds pages — shares the picked pages and/or a duplicate of the
 * template with the bot, and issues a single-use code. Audited `oauth.authorized`.
 * @returns the redirect URL carrying `code` and `state`.
 * @throws DomainError forbidden (not a member; a page without full access) | invalid_input (nothing picked)
 */
export async function approve(deps: Deps, input: ApproveInput): Promise<string> {
  const { request } = input
  const time = isoNow(deps.clock)
  const code = randomBytes(32).toString('base64url')
  await deps.store.transaction(async (trx) => {
    const c = await loadPublicConnection(trx, request.connection.id)
    const ws = await findWorkspace(trx, input.workspaceId)
    const who = ws ? await principalsForUser(trx, ws.id, input.userId) : null
    if (!ws || !who) throw new DomainError('forbidden', 'You are not a member of that workspace.')
    const wanted = [...new Set(input.pageIds)]
    const allowed = await pickablePageIds(trx, ws.id, input.userId, wanted)
    const refused = wanted.filter((id) => !allowed.has(id))
    if (refused.length) throw new DomainError('forbidden', 'You can only share pages where you have full access.')
    const duplicate = input.duplicateTemplate && c.template_page_id !== null
    // Checked again at every install: the registrant may have lost access since registration.
    if (duplicate && !(await templateAvailable(trx, c))) throw new DomainError('forbidden', templateGoneMessage(c.name))
    if (wanted.length === 0 && !duplicate) throw new DomainError('invalid_input', `Pick at least one page for ${c.name}${c.template_page_id ? ', or duplicate its template' : ''}.`)

    let install = await trx
      .selectFrom('oauth_install')
      .selectAll()
      .where('connection_id', '=', c.id)
      .where('workspace_id', '=', ws.id)
      .where('user_id', '=', input.userId)
      .where('removed_time', 'is', null)
      .executeTakeFirst()
    if (!install) {
      const botId = newId()
      await trx.insertInto('user').values({ id: botId, type: 'bot', name: c.name, avatar_url: c.icon, email: null, created_time: time }).execute()
      install = { id: newId(), connection_id: c.id, workspace_id: ws.id, user_id: input.userId, bot_id: botId, duplicated_template_id: null, created_time: time, removed_time: null, removed_by: null }
      await trx.insertInto('oauth_install').values(install).execute()
    }
    const principal = principalOf.bot(install.bot_id)
    for (const id of wanted) {
      const node = (await findBlock(trx, id)) as BlockRow
      await grantOnPage(trx, node, { principal, role: CONNECTION_SHARE_LEVEL, grantedBy: input.userId, time })
    }
    let duplicatedId: string | null = null
    if (duplicate && c.template_page_id) {
      duplicatedId = await duplicateTemplate(trx, c.template_page_id, ws.id, input.userId, time)
      if (duplicatedId) {
        const node = (await findBlock(trx, duplicatedId)) as BlockRow
        await grantOnPage(trx, node, { principal, role: CONNECTION_SHARE_LEVEL, grantedBy: input.userId, time })
        await trx.updateTable('oauth_install').set({ duplicated_template_id: duplicatedId }).where('id', '=', install.id).execute()
      }
    }
    await trx
      .insertInto('oauth_code')
      .values({
        digest: deps.secrets.tokenDigest(`code|${code}`),
        install_id: install.id,
        connection_id: c.id,
        redirect_uri: request.redirectUri,
        redirect_uri_given: request.redirectUriGiven ? 1 : 0,
        code_challenge: request.codeChallenge,
        grant_id: newId(),
        created_time: time,
        expires_time: new Date(deps.clock.now() + CODE_TTL_MS).toISOString(),
        used_time: null,
      })
      .execute()
    await audit(trx, {
      workspaceId: ws.id,
      actor: `user:${input.userId}`,
      action: 'oauth.authorized',
      target: install.id,
      meta: { connection_id: c.id, name: c.name, bot_id: install.bot_id, page_ids: wanted, duplicated_template_id: duplicatedId },
      time,
    })
  })
  return redirectWith(request.redirectUri, { code, state: request.state })
}

/** "Cancel": the redirect URL with `error=access_denied` and `state` (digest §7.1). */
export function denyRedirect(request: AuthorizeRequest): string {
  return redirectWith(request.redirectUri, { error: 'access_denied', state: request.state })
}

/**
 * Duplicates a template page (its title, properties, icon, cover and non-page blocks, recursively) as
 * a private top-level page of `userId` in `workspaceId`. Child pages and databases are not copied.
 * @returns the new page id, or null when the template no longer exists.
 */
async function duplicateTemplate(db: Db, templateId: string, workspaceId: string, userId: string, time: string): Promise<string | null> {
  const tpl = await findBlock(db, templateId)
  if (!tpl || tpl.type !== 'child_page' || tpl.in_trash === 1) return null
  const props = JSON.parse(tpl.properties ?? '{}') as Record<string, unknown> & { title?: { title?: unknown } }
  // A database row keeps its title under its title property; a page under `title`.
  const titleValue = (Object.values(props).find((v) => (v as { type?: string })?.type === 'title') as { title?: unknown[] } | undefined)?.title
  const title = (titleValue ?? (Array.isArray(props.title) ? props.title : (props.title?.title ?? []))) as never[]
  const page = await createNode(db, {
    workspaceId,
    parent: { type: 'workspace' },
    section: 'private',
    privateOwner: userId,
    kind: 'page',
    title,
    properties: { title },
    icon: tpl.icon ? (JSON.parse(tpl.icon) as Record<string, unknown>) : null,
    cover: tpl.cover ? (JSON.parse(tpl.cover) as Record<string, unknown>) : null,
    actor: userId,
    time,
  })
  const copyChildren = async (fromParent: string, toParent: string, parentType: 'page_id' | 'block_id') => {
    const children = await db
      .selectFrom('block')
      .selectAll()
      .where('parent_id', '=', fromParent)
      .where('in_trash', '=', 0)
      .where('type', 'not in', ['child_page', 'child_database'])
      .orderBy('position')
      .execute()
    for (const b of children) {
      const id = newId()
      await db
        .insertInto('block')
        .values({ ...b, id, workspace_id: workspaceId, parent_type: parentType, parent_id: toParent, page_id: page.id, created_time: time, created_by: userId, last_edited_time: time, last_edited_by: userId })
        .execute()
      await copyChildren(b.id, id, 'block_id')
    }
  }
  await copyChildren(tpl.id, page.id, 'page_id')
  return page.id
}

// ---------------------------------------------------------------------------------------------
// Token endpoint

type OwnerUser = { type: 'user'; user: { object: 'user'; id: string; name: string | null; avatar_url: string | null; type: 'person'; person: { email: string } } | { object: 'user'; id: string } }

function ownerOf(u: UserTable | undefined, id: string): OwnerUser {
  if (!u) return { type: 'user', user: { object: 'user', id } }
  return { type: 'user', user: { object: 'user', id: u.id, name: u.name, avatar_url: u.avatar_url, type: 'person', person: { email: u.email ?? '' } } }
}

/** SDK `OauthTokenResponse` (digest §7.2), without `request_id` (the route adds it). */
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

async function mintPair(deps: Deps, db: Db, install: OAuthInstallTable, grantId: string, time: string): Promise<TokenResponse> {
  const access = generateToken('oauth_access')
  const refresh = generateToken('oauth_refresh')
  for (const [kind, token] of [['access', access], ['refresh', refresh]] as const) {
    await db
      .insertInto('oauth_token')
      .values({ id: newId(), install_id: install.id, grant_id: grantId, kind, digest: deps.secrets.tokenDigest(token), hint: tokenHint(token), created_time: time, used_time: null, revoked_time: null, revoked_by: null, last_used_time: null })
      .execute()
  }
  const ws = await findWorkspace(db, install.workspace_id)
  return {
    access_token: access,
    token_type: 'bearer',
    refresh_token: refresh,
    bot_id: install.bot_id,
    workspace_id: install.workspace_id,
    workspace_name: ws?.name ?? null,
    workspace_icon: ws?.icon ?? null,
    owner: ownerOf(await findUser(db, install.user_id), install.user_id),
    duplicated_template_id: install.duplicated_template_id,
  }
}

async function revokeGrant(db: Db, grantId: string, by: string, time: string): Promise<void> {
  await db.updateTable('oauth_token').set({ revoked_time: time, revoked_by: by }).where('grant_id', '=', grantId).where('revoked_time', 'is', null).execute()
}

/** A live install (not removed, authorizing person still a member), or undefined. */
async function liveInstall(db: Db, installId: string): Promise<OAuthInstallTable | undefined> {
  const i = await db.selectFrom('oauth_install').selectAll().where('id', '=', installId).executeTakeFirst()
  if (!i || i.removed_time !== null) return undefined
  if (!(await principalsForUser(db, i.workspace_id, i.user_id))) return undefined
  return i
}

/** The JSON body of a token/introspect/revoke request: an object, or `invalid_request`. */
export function oauthBody(text: string, contentType: string | undefined): Record<string, unknown> {
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) throw new OAuthError(400, 'invalid_request', 'The request body is too large (the limit is 500KB).')
  if (!text.trim()) return {}
  if (contentType?.toLowerCase().includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text))
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new OAuthError(400, 'invalid_request', 'The request body must be JSON.')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new OAuthError(400, 'invalid_request', 'The request body must be a JSON object.')
  return parsed as Record<string, unknown>
}

const str = (body: Record<string, unknown>, key: string): string | undefined => {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw new OAuthError(400, 'invalid_request', `${key} should be a string.`)
  return v
}

/**
 * `POST /v1/oauth/token` for an authenticated client (digest §7.2).
 * - `authorization_code`: `code` single use and unexpired, issued to this client. `redirect_uri` must
 *   equal the authorize request's when that carried one or several URIs are registered; it is not
 *   allowed when exactly one is registered and the authorize URL had none. With PKCE, `code_verifier`
 *   must hash (S256) to the challenge; without a challenge a `code_verifier` is `invalid_grant` (PKCE
 *   downgrade, RFC 9700 §2.1.1). A replayed code revokes everything minted from it.
 * - `refresh_token`: returns a new access and refresh token and revokes the old pair; an already
 *   rotated (or revoked) refresh token is `invalid_grant` and revokes its grant.
 * Every success mints a fresh pair. Audited `oauth.token_issued|token_refreshed|code_replayed|refresh_replayed`.
 * @throws OAuthError invalid_request | invalid_grant | unsupported_grant_type
 */
export async function exchangeToken(deps: Deps, client: PublicConnectionTable, body: Record<string, unknown>): Promise<TokenResponse> {
  const grantType = str(body, 'grant_type')
  if (!grantType) throw new OAuthError(400, 'invalid_request', 'grant_type is required.')
  const time = isoNow(deps.clock)
  if (grantType === 'authorization_code') {
    const code = str(body, 'code')
    if (!code) throw new OAuthError(400, 'invalid_request', 'code is required.')
    const redirectUri = str(body, 'redirect_uri')
    const verifier = str(body, 'code_verifier')
    const outcome = await deps.store.transaction(async (trx) => {
      const row = await trx.selectFrom('oauth_code').selectAll().where('digest', '=', deps.secrets.tokenDigest(`code|${code}`)).executeTakeFirst()
      if (!row || row.connection_id !== client.id) return { error: new OAuthError(400, 'invalid_grant', 'Invalid code.') }
      if (row.used_time !== null) {
        await revokeGrant(trx, row.grant_id, 'code_replay', time)
        const i = await trx.selectFrom('oauth_install').select('workspace_id').where('id', '=', row.install_id).executeTakeFirst()
        await audit(trx, { workspaceId: i?.workspace_id ?? null, actor: `client:${client.id}`, action: 'oauth.code_replayed', target: row.install_id, meta: { grant_id: row.grant_id }, time })
        return { error: new OAuthError(400, 'invalid_grant', 'Invalid code: this code has been revoked.') }
      }
      if (Date.parse(row.expires_time) <= deps.clock.now()) return { error: new OAuthError(400, 'invalid_grant', 'Invalid code: this code has expired.') }
      const registered = redirectUrisOf(client)
      if (row.redirect_uri_given === 1 || registered.length > 1) {
        if (redirectUri === undefined) return { error: new OAuthError(400, 'invalid_request', 'redirect_uri is required.') }
        if (redirectUri !== row.redirect_uri) return { error: new OAuthError(400, 'invalid_grant', 'redirect_uri does not match the one used in the authorization request.') }
      } else if (redirectUri !== undefined) {
        return { error: new OAuthError(400, 'invalid_request', 'redirect_uri is not allowed: the authorization request had none and one redirect URI is registered.') }
      }
      if (row.code_challenge === null) {
        // PKCE downgrade (RFC 9700 §2.1.1): a verifier for a code issued without a challenge means the
        // authorization request was not the one this client started; refuse rather than ignore it.
        if (verifier !== undefined) return { error: new OAuthError(400, 'invalid_grant', 'code_verifier was given, but the authorization request had no code_challenge.') }
      } else {
        if (!verifier) return { error: new OAuthError(400, 'invalid_request', 'code_verifier is required.') }
        const a = Buffer.from(sha256b64url(verifier))
        const b = Buffer.from(row.code_challenge)
        if (!PKCE_RE.test(verifier) || a.length !== b.length || !timingSafeEqual(a, b)) return { error: new OAuthError(400, 'invalid_grant', 'code_verifier does not match the code_challenge.') }
      }
      // Spent before anything can fail, so a retry after any answer is a replay.
      await trx.updateTable('oauth_code').set({ used_time: time }).where('digest', '=', row.digest).execute()
      const install = await liveInstall(trx, row.install_id)
      if (!install) return { error: new OAuthError(400, 'invalid_grant', 'Invalid code: this code has been revoked.') }
      const res = await mintPair(deps, trx, install, row.grant_id, time)
      await audit(trx, { workspaceId: install.workspace_id, actor: `client:${client.id}`, action: 'oauth.token_issued', target: install.id, meta: { bot_id: install.bot_id, grant_id: row.grant_id }, time })
      return { res }
    })
    if ('error' in outcome) throw outcome.error
    return outcome.res
  }
  if (grantType === 'refresh_token') {
    const refresh = str(body, 'refresh_token')
    if (!refresh) throw new OAuthError(400, 'invalid_request', 'refresh_token is required.')
    const outcome = await deps.store.transaction(async (trx) => {
      const row = await trx
        .selectFrom('oauth_token as t')
        .innerJoin('oauth_install as i', 'i.id', 't.install_id')
        .selectAll('t')
        .select(['i.connection_id', 'i.workspace_id'])
        .where('t.digest', '=', deps.secrets.tokenDigest(refresh))
        .executeTakeFirst()
      if (!row || row.kind !== 'refresh' || row.connection_id !== client.id) return { error: new OAuthError(400, 'invalid_grant', 'Invalid refresh token.') }
      if (row.used_time !== null || row.revoked_time !== null) {
        if (row.used_time !== null) {
          await revokeGrant(trx, row.grant_id, 'refresh_replay', time)
          await audit(trx, { workspaceId: row.workspace_id, actor: `client:${client.id}`, action: 'oauth.refresh_replayed', target: row.install_id, meta: { grant_id: row.grant_id }, time })
        }
        return { error: new OAuthError(400, 'invalid_grant', 'Token has been expired or revoked.') }
      }
      const install = await liveInstall(trx, row.install_id)
      if (!install) return { error: new OAuthError(400, 'invalid_grant', 'Token has been expired or revoked.') }
      await trx.updateTable('oauth_token').set({ used_time: time, revoked_time: time, revoked_by: 'rotated' }).where('id', '=', row.id).execute()
      // The pair's access token goes too: one live pair per grant.
      await trx.updateTable('oauth_token').set({ revoked_time: time, revoked_by: 'rotated' }).where('grant_id', '=', row.grant_id).where('kind', '=', 'access').where('revoked_time', 'is', null).execute()
      const res = await mintPair(deps, trx, install, row.grant_id, time)
      await audit(trx, { workspaceId: install.workspace_id, actor: `client:${client.id}`, action: 'oauth.token_refreshed', target: install.id, meta: { bot_id: install.bot_id, grant_id: row.grant_id }, time })
      return { res }
    })
    if ('error' in outcome) throw outcome.error
    return outcome.res
  }
  throw new OAuthError(400, 'unsupported_grant_type', `Unsupported grant_type ${JSON.stringify(grantType)}; use authorization_code or refresh_token.`)
}

type TokenLookup = { row: { id: string; kind: 'access' | 'refresh'; grant_id: string; created_time: string; revoked_time: string | null; used_time: string | null; install_id: string }; install: OAuthInstallTable }

async function findClientToken(deps: Deps, db: Db, client: PublicConnectionTable, token: string): Promise<TokenLookup | undefined> {
  const kind = tokenKind(token)
  if (kind !== 'oauth_access' && kind !== 'oauth_refresh') return undefined
  const row = await db
    .selectFrom('oauth_token')
    .select(['id', 'kind', 'grant_id', 'created_time', 'revoked_time', 'used_time', 'install_id'])
    .where('digest', '=', deps.secrets.tokenDigest(token))
    .executeTakeFirst()
  if (!row) return undefined
  const install = await db.selectFrom('oauth_install').selectAll().where('id', '=', row.install_id).executeTakeFirst()
  if (!install || install.connection_id !== client.id) return undefined
  return { row, install }
}

/**
 * `POST /v1/oauth/introspect` (digest §7.4; RFC 7662 for the inactive case): for a live access or
 * refresh token of this client, `{active:true, scope, iat}` (`scope` lists the connection's
 * capabilities, `iat` the issue time in Unix seconds); otherwise only `{active:false}`.
 * @throws OAuthError invalid_request (no token)
 */
export async function introspectToken(deps: Deps, client: PublicConnectionTable, body: Record<string, unknown>) {
  const token = str(body, 'token')
  if (!token) throw new OAuthError(400, 'invalid_request', 'token is required.')
  const found = await findClientToken(deps, deps.store.db, client, token)
  if (!found || found.row.revoked_time !== null || !(await liveInstall(deps.store.db, found.install.id))) return { active: false as const }
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
  return { active: true as const, scope, iat: Math.floor(Date.parse(found.row.created_time) / 1000) }
}

/**
 * `POST /v1/oauth/revoke` (digest §7.4; RFC 7009): revokes the token's whole grant (access and refresh
 * tokens minted from the same code). The next request with it is 401. Unknown or foreign tokens are
 * answered the same way (200 `{}`), so the endpoint reveals nothing. Audited `oauth.token_revoked`.
 * @throws OAuthError invalid_request (no token)
 */
export async function revokeClientToken(deps: Deps, client: PublicConnectionTable, body: Record<string, unknown>): Promise<Record<string, never>> {
  const token = str(body, 'token')
  if (!token) throw new OAuthError(400, 'invalid_request', 'token is required.')
  const time = isoNow(deps.clock)
  await deps.store.transaction(async (trx) => {
    const found = await findClientToken(deps, trx, client, token)
    if (!found || found.row.revoked_time !== null) return
    await revokeGrant(trx, found.row.grant_id, `client:${client.id}`, time)
    await audit(trx, { workspaceId: found.install.workspace_id, actor: `client:${client.id}`, action: 'oauth.token_revoked', target: found.install.id, meta: { grant_id: found.row.grant_id }, time })
  })
  return {}
}

// ---------------------------------------------------------------------------------------------
// Bearer authentication

/**
 * Authenticates a well-formed `ntn_3…` access token for the `/v1` API: found by digest (compared again
 * in constant time), not revoked, install not removed, connection still registered, and the
 * authorizing person still a member of the workspace (read per request, so leaving applies at once).
 * Any failure is 401 `unauthorized` "API token is invalid.".
 * @throws NotionApiError unauthorized
 */
export async function authenticateOAuthAccessToken(deps: Deps, token: string): Promise<OAuthCaller> {
  const db = deps.store.db
  const digest = deps.secrets.tokenDigest(token)
  const row = await db
    .selectFrom('oauth_token as t')
    .innerJoin('oauth_install as i', 'i.id', 't.install_id')
    .innerJoin('public_connection as c', 'c.id', 'i.connection_id')
    .innerJoin('workspace as w', 'w.id', 'i.workspace_id')
    .selectAll('c')
    .select(['t.id as t_id', 't.digest as t_digest', 't.kind as t_kind', 't.revoked_time as t_revoked', 't.last_used_time as t_last_used', 'i.id as i_id', 'i.bot_id as i_bot', 'i.user_id as i_user', 'i.removed_time as i_removed', 'i.workspace_id as i_ws', 'w.name as w_name', 'w.icon as w_icon', 'w.plan as w_plan'])
    .where('t.digest', '=', digest)
    .executeTakeFirst()
  if (!row || !deps.secrets.digestsEqual(row.t_digest, digest) || row.t_kind !== 'access' || row.t_revoked !== null || row.i_removed !== null) throw unauthorized()
  if (!(await principalsForUser(db, row.i_ws, row.i_user))) throw unauthorized()
  const now = deps.clock.now()
  if (now - (row.t_last_used ? Date.parse(row.t_last_used) : 0) >= LAST_USED_GRANULARITY_MS) {
    await db.updateTable('oauth_token').set({ last_used_time: isoNow(deps.clock) }).where('id', '=', row.t_id).execute()
  }
  return {
    kind: 'oauth',
    tokenId: row.t_id,
    botId: row.i_bot,
    connectionId: row.id,
    connectionName: row.name,
    workspaceId: row.i_ws,
    workspaceName: row.w_name,
    workspaceIcon: row.w_icon,
    plan: row.w_plan,
    capabilities: capabilitiesOf(row),
    principals: [principalOf.bot(row.i_bot)],
    userId: row.i_user,
    installId: row.i_id,
  }
}

// ---------------------------------------------------------------------------------------------
// Installs: listing and removal

/** An install as the portal, CLI and admin API show it. */
export interface PresentedInstall {
  id: string
  bot_id: string
  connection: { id: string; name: string; icon: string | null }
  workspace: { id: string; name: string }
  authorized_by: { id: string; name: string | null; email: string | null }
  created_time: string
  duplicated_template_id: string | null
  pages: { id: string; title: string }[]
  /** Whether its tokens currently work (false once the authorizing person has left). */
  active: boolean
}

async function presentInstalls(db: Db, rows: OAuthInstallTable[]): Promise<PresentedInstall[]> {
  const out: PresentedInstall[] = []
  for (const i of rows) {
    const c = await db.selectFrom('public_connection').select(['id', 'name', 'icon']).where('id', '=', i.connection_id).executeTakeFirst()
    const ws = await findWorkspace(db, i.workspace_id)
    const u = await findUser(db, i.user_id)
    const grants = await db
      .selectFrom('page_grant as g')
      .innerJoin('block as b', 'b.id', 'g.page_id')
      .select(['g.page_id', 'b.title_text'])
      .where('g.principal', '=', principalOf.bot(i.bot_id))
      .orderBy('g.granted_time')
      .execute()
    out.push({
      id: i.id,
      bot_id: i.bot_id,
      connection: { id: i.connection_id, name: c?.name ?? '', icon: c?.icon ?? null },
      workspace: { id: i.workspace_id, name: ws?.name ?? '' },
      authorized_by: { id: i.user_id, name: u?.name ?? null, email: u?.email ?? null },
      created_time: i.created_time,
      duplicated_template_id: i.duplicated_template_id,
      pages: grants.map((g) => ({ id: g.page_id, title: g.title_text ?? '' })),
      active: (await principalsForUser(db, i.workspace_id, i.user_id)) !== null,
    })
  }
  return out
}

/** A person's own live installs, in every workspace (or one). */
export async function listOwnInstalls(deps: Deps, userId: string, workspaceId?: string): Promise<PresentedInstall[]> {
  let q = deps.store.db.selectFrom('oauth_install').selectAll().where('user_id', '=', userId).where('removed_time', 'is', null)
  if (workspaceId) q = q.where('workspace_id', '=', workspaceId)
  return presentInstalls(deps.store.db, await q.orderBy('created_time').orderBy('id').execute())
}

/** Every live install of a workspace, for its owners. @throws DomainError forbidden */
export async function listWorkspaceInstalls(deps: Deps, workspaceId: string, actorId: string): Promise<PresentedInstall[]> {
  const db = deps.store.db
  const who = await principalsForUser(db, workspaceId, actorId)
  if (who?.role !== 'owner') throw new DomainError('forbidden', 'Only workspace owners can see every public connection installed in the workspace.')
  const rows = await db.selectFrom('oauth_install').selectAll().where('workspace_id', '=', workspaceId).where('removed_time', 'is', null).orderBy('created_time').orderBy('id').execute()
  return presentInstalls(db, rows)
}

/** Marks an install removed, revokes its tokens and removes its bot's shares. Used inside a transaction. */
export async function removeInstallRows(db: Db, install: OAuthInstallTable, by: string, time: string): Promise<void> {
  await db.updateTable('oauth_install').set({ removed_time: time, removed_by: by }).where('id', '=', install.id).execute()
  await db.updateTable('oauth_token').set({ revoked_time: time, revoked_by: by }).where('install_id', '=', install.id).where('revoked_time', 'is', null).execute()
  const principal = principalOf.bot(install.bot_id)
  const grants = await db.selectFrom('page_grant').select('page_id').where('principal', '=', principal).execute()
  for (const g of grants) {
    const node = await findBlock(db, g.page_id)
    if (node) await revokeOnPage(db, node, principal)
  }
}

/**
 * Removes every live install that `userId` authorized in `workspaceId` (tokens revoked, bot shares
 * dropped: `removeInstallRows`), inside the caller's transaction: used when the person is removed from
 * the workspace or leaves it (people.service.ts `removeWorkspaceMember`), so that re-adding them does
 * not bring the tokens back (ADR 14: access returns only through a new authorization). `actor` is
 * `user:<id>` or `admin`. Each is audited `oauth.install_removed` with `meta.reason`
 * (`member_removed` | `member_left`).
 * @returns how many installs were removed.
 */
export async function removeInstallsOfDepartingMember(db: Db, input: { workspaceId: string; userId: string; actor: string; reason: 'member_removed' | 'member_left'; time: string }): Promise<number> {
  const installs = await liveInstallsOfPerson(db, input.workspaceId, input.userId)
  for (const i of installs) {
    await removeInstallRows(db, i, input.actor, input.time)
    await audit(db, {
      workspaceId: i.workspace_id,
      actor: input.actor,
      action: 'oauth.install_removed',
      target: i.id,
      meta: { connection_id: i.connection_id, bot_id: i.bot_id, authorized_by: i.user_id, reason: input.reason },
      time: input.time,
    })
  }
  return installs.length
}

/**
 * Removes an install: by the person who authorized it, or by an owner of its workspace (or `admin`,
 * the admin API's key holder acting for an owner). Its tokens get 401 from the next request and its bot
 * loses every share. Audited `oauth.install_removed`.
 * @throws DomainError forbidden | not_found
 */
export async function removeInstall(deps: Deps, installId: string, actorId: string): Promise<void> {
  const time = isoNow(deps.clock)
  await deps.store.transaction(async (trx) => {
    const i = await trx.selectFrom('oauth_install').selectAll().where('id', '=', installId).executeTakeFirst()
    if (!i || i.removed_time !== null) throw new DomainError('not_found', `No installed public connection with id ${installId}.`)
    if (i.user_id !== actorId) {
      const who = await principalsForUser(trx, i.workspace_id, actorId)
      if (who?.role !== 'owner') throw new DomainError('forbidden', 'Only the person who authorized this connection, or a workspace owner, can remove it.')
    }
    await removeInstallRows(trx, i, `user:${actorId}`, time)
    await audit(trx, { workspaceId: i.workspace_id, actor: `user:${actorId}`, action: 'oauth.install_removed', target: i.id, meta: { connection_id: i.connection_id, bot_id: i.bot_id, authorized_by: i.user_id }, time })
  })
}

/**
 * Shares one more page (and so its descendants) with an install's bot after consent — Notion's
 * ••• → Connections on a page, for a public connection. The same rule as for internal connections
 * (`requireMayShare`, permissions/decide-connection-share.ts): full access to the page, never a guest;
 * the operator (`{operator: true, recordAs}`) always. `unshare` removes a direct share the same way.
 * Audited `oauth.page_shared|page_unshared` (actor `admin` for the operator).
 * @throws DomainError forbidden | not_found
 */
export async function setInstallPageShare(deps: Deps, installId: string, pageId: string, actor: ShareActor, share: boolean): Promise<{ install_id: string; page_id: string; changed: boolean }> {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const i = await trx.selectFrom('oauth_install').selectAll().where('id', '=', installId).executeTakeFirst()
    if (!i || i.removed_time !== null) throw new DomainError('not_found', `No installed public connection with id ${installId}.`)
    const node = await findBlock(trx, pageId)
    if (!node || node.workspace_id !== i.workspace_id || node.in_trash === 1 || (node.type !== 'child_page' && node.type !== 'child_database')) {
      throw new DomainError('not_found', `No page or database with id ${pageId} in this workspace.`)
    }
    await requireMayShare(trx, i.workspace_id, actor, node)
    const principal = principalOf.bot(i.bot_id)
    let changed = true
    if (share) await grantOnPage(trx, node, { principal, role: CONNECTION_SHARE_LEVEL, grantedBy: shareCreditedTo(actor), time })
    else changed = await revokeOnPage(trx, node, principal)
    if (changed) await audit(trx, { workspaceId: i.workspace_id, actor: shareAuditActor(actor), action: share ? 'oauth.page_shared' : 'oauth.page_unshared', target: pageId, meta: { install_id: i.id, bot_id: i.bot_id }, time })
    return { install_id: i.id, page_id: pageId, changed }
  })
}

/** The workspace of an install. @throws DomainError not_found */
export async function installWorkspace(db: Db, installId: string): Promise<string> {
  const i = await db.selectFrom('oauth_install').select('workspace_id').where('id', '=', installId).executeTakeFirst()
  if (!i) throw new DomainError('not_found', `No installed public connection with id ${installId}.`)
  return i.workspace_id
}
