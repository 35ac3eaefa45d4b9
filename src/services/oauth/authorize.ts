import { randomBytes } from 'node:crypto'
import { isoNow } from '../../domain/clock.js'
import { newId } from '../../domain/ids.js'
import { DomainError } from '../../errors/domain-error.js'
import { decideConnectionShare } from '../../permissions/decide-connection-share.js'
import { INSTALL_NOT_A_MEMBER_MESSAGE, decideInstall } from '../../permissions/decide-public-connection.js'
import { CONNECTION_SHARE_LEVEL, ROLE, principalOf } from '../../permissions/roles.js'
import type { PublicConnectionTable } from '../../storage/database.js'
import { grantOnPage, levelOnRoot } from '../../storage/repositories/acl.repository.js'
import { findBlock, type BlockRow } from '../../storage/repositories/blocks.repository.js'
import { recordAuthorization } from '../../storage/repositories/oauth-installs.repository.js'
import { findPublicConnection } from '../../storage/repositories/public-connections.repository.js'
import { findWorkspace } from '../../storage/repositories/workspaces.repository.js'
import type { Db } from '../../storage/store.js'
import type { Deps } from '../deps.js'
import { principalsForUser } from '../people-access.js'
import { loadPublicConnection, redirectUrisOf } from '../public-connections.service.js'
import { copyTemplateContent } from '../templates.service.js'
import { ancestorIds, createNode } from '../tree.service.js'

/**
 * The browser half of Octavo's OAuth 2.0 authorization server (docs/reference/notion-api.md §1.9,
 * §7.1; docs/reference/permissions-and-tokens.md §2.1, §4; RFC 6749, RFC 7636, RFC 9700;
 * docs/adr/0014-oauth-public-connections.md), served by portal/oauth/consent.ts:
 *
 * - `checkAuthorizeRequest` validates the query. A bad `client_id`, `redirect_uri` or `response_type`
 *   is an `AuthorizePageError` (never a redirect); later problems redirect with an RFC 6749 §4.1.2.1
 *   `error`.
 * - `approve` ("Allow") records the install (its own bot, `bot_id`), shares the picked pages (full
 *   access required) and/or a duplicate of the template with the bot, and issues a code: 256 random
 *   bits, stored by HMAC digest, single use, 10 minutes (`CODE_TTL_MS`).
 * - `denyRedirect` ("Cancel") sends `error=access_denied` back.
 */

/** How long an authorization code can be exchanged, in ms (10 minutes). */
export const CODE_TTL_MS = 10 * 60_000

/** PKCE code challenges and verifiers: 43–128 unreserved characters (RFC 7636 §4.1–4.2). */
export const PKCE_RE = /^[A-Za-z0-9\-._~]{43,128}$/

/** A problem with an authorize request that must not redirect: shown to the person as a plain page. */
export class AuthorizePageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AuthorizePageError'
  }
}

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
 * Validates `GET /v1/oauth/authorize` parameters (docs/reference/notion-api.md §7.1; RFC 6749
 * §4.1.2.1; RFC 7636). In order: `client_id` (unknown → page), `redirect_uri` (not registered exactly,
 * or absent while several are registered → page), `response_type` (missing or not `code` → page),
 * then `owner` (must be `user`) and PKCE (`code_challenge_method` must be `S256`, the challenge 43–128
 * base64url characters), which redirect with `error=invalid_request`.
 * @throws AuthorizePageError
 */
export async function checkAuthorizeRequest(deps: Deps, q: Record<string, string | undefined>): Promise<AuthorizeCheck> {
  const clientId = (q.client_id ?? '').trim().toLowerCase()
  if (!clientId) throw new AuthorizePageError('The link is missing its client_id, so Octavo cannot tell which connection asks for access.')
  const connection = /^[0-9a-f-]{36}$/.test(clientId) ? await findPublicConnection(deps.store.db, clientId) : undefined
  if (!connection) throw new AuthorizePageError('No public connection has this client_id. Check the link that brought you here.')
  const registered = redirectUrisOf(connection)
  const given = q.redirect_uri
  let redirectUri: string
  if (given === undefined || given === '') {
    if (registered.length !== 1)
      throw new AuthorizePageError(
        `The link is missing its redirect_uri, and ${connection.name} has several registered; Octavo will not guess where to send you.`,
      )
    redirectUri = registered[0] as string
  } else {
    if (!registered.includes(given))
      throw new AuthorizePageError(
        `The redirect_uri in the link is not one that ${connection.name} registered, so Octavo will not send you there.`,
      )
    redirectUri = given
  }
  if (q.response_type === undefined || q.response_type === '')
    throw new AuthorizePageError('The link is missing response_type (it must be "code").')
  if (q.response_type !== 'code')
    throw new AuthorizePageError(`Unsupported response_type ${JSON.stringify(q.response_type)}; only "code" is supported.`)
  const state = q.state ?? null
  const fail = (error: string, description: string) => ({
    ok: false as const,
    redirect: redirectWith(redirectUri, { error, error_description: description, state }),
  })
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
export async function templateAvailable(
  db: Db,
  c: Pick<PublicConnectionTable, 'workspace_id' | 'created_by' | 'template_page_id'>,
): Promise<boolean> {
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
 * re-authorizing keeps its `bot_id` and adds pages — and issues a single-use code
 * (`recordAuthorization`, event `oauth.authorized`), then shares the picked pages and/or a duplicate
 * of the template with the bot (the copy's events: `page.created`, `block.appended`), in one
 * transaction. Who may: `decideInstall` (a member of the workspace) and, per page,
 * `decideConnectionShare` (full access, not a guest).
 * @returns the redirect URL carrying `code` and `state`.
 * @throws DomainError forbidden (not a member; a page without full access; the template is gone) |
 *   invalid_input (nothing picked) | not_found (the connection was deleted meanwhile)
 */
export async function approve(deps: Deps, input: ApproveInput): Promise<string> {
  const { request } = input
  const time = isoNow(deps.clock)
  const code = randomBytes(32).toString('base64url')
  await deps.store.transaction(async (trx) => {
    const c = await loadPublicConnection(trx, request.connection.id)
    const ws = await findWorkspace(trx, input.workspaceId)
    const who = ws ? await principalsForUser(trx, ws.id, input.userId) : null
    const decision = decideInstall(who?.role ?? null)
    if (!decision.allowed || !ws) throw new DomainError('forbidden', decision.allowed ? INSTALL_NOT_A_MEMBER_MESSAGE : decision.message)
    const wanted = [...new Set(input.pageIds)]
    const allowed = await pickablePageIds(trx, ws.id, input.userId, wanted)
    const refused = wanted.filter((id) => !allowed.has(id))
    if (refused.length) throw new DomainError('forbidden', 'You can only share pages where you have full access.')
    const duplicate = input.duplicateTemplate && c.template_page_id !== null
    // Checked again at every install: the registrant may have lost access since registration.
    if (duplicate && !(await templateAvailable(trx, c))) throw new DomainError('forbidden', templateGoneMessage(c.name))
    if (wanted.length === 0 && !duplicate)
      throw new DomainError(
        'invalid_input',
        `Pick at least one page for ${c.name}${c.template_page_id ? ', or duplicate its template' : ''}.`,
      )

    const duplicatedId = duplicate ? newId() : null
    const install = await recordAuthorization(
      trx,
      {
        connection: c,
        workspaceId: ws.id,
        userId: input.userId,
        pageIds: wanted,
        duplicatedTemplateId: duplicatedId,
        code: {
          digest: deps.secrets.tokenDigest(`code|${code}`),
          redirect_uri: request.redirectUri,
          redirect_uri_given: request.redirectUriGiven ? 1 : 0,
          code_challenge: request.codeChallenge,
          grant_id: newId(),
          expires_time: new Date(deps.clock.now() + CODE_TTL_MS).toISOString(),
        },
      },
      { actor: `user:${input.userId}`, time },
    )
    const share = { principal: principalOf.bot(install.bot_id), role: CONNECTION_SHARE_LEVEL, grantedBy: input.userId, time }
    for (const id of wanted) await grantOnPage(trx, (await findBlock(trx, id)) as BlockRow, share)
    if (duplicatedId && c.template_page_id) {
      const copy = await duplicateTemplatePage(trx, c.template_page_id, {
        id: duplicatedId,
        workspaceId: ws.id,
        userId: input.userId,
        time,
      })
      await grantOnPage(trx, copy, share)
    }
  })
  return redirectWith(request.redirectUri, { code, state: request.state })
}

/** "Cancel": the redirect URL with `error=access_denied` and `state` (docs/reference/notion-api.md §7.1). */
export function denyRedirect(request: AuthorizeRequest): string {
  return redirectWith(request.redirectUri, { error: 'access_denied', state: request.state })
}

/**
 * Duplicates a template page as page `to.id`, a private top-level page of `to.userId` in
 * `to.workspaceId`: its title, icon and cover (`createNode`), then its content blocks, recursively
 * (`copyTemplateContent`, the same copy as a data-source template's). Child pages and databases are
 * not copied. Events `page.created`, then `block.appended` per block.
 * @throws DomainError forbidden when the template page no longer exists (checked before by `templateAvailable`).
 */
async function duplicateTemplatePage(
  db: Db,
  templateId: string,
  to: { id: string; workspaceId: string; userId: string; time: string },
): Promise<BlockRow> {
  const tpl = await findBlock(db, templateId)
  if (!tpl || tpl.type !== 'child_page' || tpl.in_trash === 1) throw new DomainError('forbidden', 'The template is no longer available.')
  const props = JSON.parse(tpl.properties ?? '{}') as Record<string, unknown> & { title?: { title?: unknown } }
  // A database row keeps its title under its title property; a page under `title`.
  const titleValue = (Object.values(props).find((v) => (v as { type?: string })?.type === 'title') as { title?: unknown[] } | undefined)
    ?.title
  const title = (titleValue ?? (Array.isArray(props.title) ? props.title : (props.title?.title ?? []))) as never[]
  const page = await createNode(db, {
    id: to.id,
    workspaceId: to.workspaceId,
    parent: { type: 'workspace' },
    section: 'private',
    privateOwner: to.userId,
    kind: 'page',
    title,
    properties: { title },
    icon: tpl.icon ? (JSON.parse(tpl.icon) as Record<string, unknown>) : null,
    cover: tpl.cover ? (JSON.parse(tpl.cover) as Record<string, unknown>) : null,
    actor: to.userId,
    time: to.time,
  })
  await copyTemplateContent(db, tpl, page.id, to.userId, to.time)
  return page
}
