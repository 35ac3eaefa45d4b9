import type { OAuthCaller } from '../../auth/principal.js'
import { isoNow } from '../../domain/clock.js'
import { DomainError } from '../../errors/domain-error.js'
import { unauthorized } from '../../errors/notion-error.js'
import { capabilitiesOf } from '../../permissions/capabilities.js'
import { decideListWorkspaceInstalls, decideRemoveInstall } from '../../permissions/decide-public-connection.js'
import { CONNECTION_SHARE_LEVEL, principalOf } from '../../permissions/roles.js'
import type { OAuthInstallTable } from '../../storage/database.js'
import { findBlock } from '../../storage/repositories/blocks.repository.js'
import {
  findInstall,
  listLiveInstalls,
  liveInstallsOfPerson,
  pagesSharedWithBot,
  removeOAuthInstall,
  shareWithInstall,
  unshareFromInstall,
} from '../../storage/repositories/oauth-installs.repository.js'
import { findOAuthAccessContext } from '../../storage/repositories/oauth-tokens.repository.js'
import { recordTokenUse } from '../../storage/repositories/token-use.repository.js'
import { findPublicConnectionSummary } from '../../storage/repositories/public-connections.repository.js'
import { findUser, findWorkspace } from '../../storage/repositories/workspaces.repository.js'
import type { Db } from '../../storage/store.js'
import { requireMayShare, shareAuditActor, shareCreditedTo, type ShareActor } from '../connections.service.js'
import type { Deps } from '../deps.js'
import { principalsForUser } from '../people-access.js'
import { explainUnknownToken } from '../../permissions/explain.js'
import { explainRefusedOAuthToken } from '../explain-denials.js'

/**
 * Installs of public connections (docs/adr/0014-oauth-public-connections.md; docs/reference/permissions-and-tokens.md
 * §2.1, §4): listing them, removing them (by the authorizer, an owner, or when the authorizer leaves),
 * sharing one more page with an install's bot, and authenticating an install's access token on every
 * `/v1` request. Who may do what: permissions/decide-public-connection.ts and
 * permissions/decide-connection-share.ts.
 */

/**
 * Authenticates a well-formed `ntn_3…` access token for the `/v1` API: found by digest (compared again
 * in constant time), not revoked, install not removed, connection still registered, and the
 * authorizing person still a member of the workspace (read per request, so leaving applies at once).
 * Any failure is 401 `unauthorized` "API token is invalid.".
 * @throws NotionApiError unauthorized
 */
export async function authenticateOAuthAccessToken(
  deps: Deps,
  token: string,
  digest = deps.secrets.tokenDigest(token),
): Promise<OAuthCaller> {
  const db = deps.store.db
  const load = () => loadOAuthAuth(db, digest)
  // With the caches on, events of the install's workspace (revocation, refresh, install removal, member
  // removal) and of the public connection's own workspace (its settings) drop the entry (services/caches.ts).
  const auth = deps.caches
    ? await deps.caches.bearer(db, 'oauth', digest, load, (a) => [a.ctx.install.workspace_id, a.ctx.connection.workspace_id])
    : await load()
  const ctx = auth?.ctx
  if (!auth || !ctx || !deps.secrets.digestsEqual(ctx.token.digest, digest) || ctx.token.kind !== 'access')
    throw unauthorized().explain(explainUnknownToken())
  if (ctx.token.revoked_time !== null || ctx.install.removed_time !== null)
    throw unauthorized().explain(await explainRefusedOAuthToken(db, ctx))
  if (!auth.member) throw unauthorized().explain(await explainRefusedOAuthToken(db, ctx))
  const now = deps.clock.now()
  // A cached token remembers its own last write, so the write stays at most once a minute per node.
  if (await recordTokenUse(db, 'oauth_token', ctx.token, now)) ctx.token.last_used_time = new Date(now).toISOString()
  return {
    kind: 'oauth',
    tokenId: ctx.token.id,
    botId: ctx.install.bot_id,
    connectionId: ctx.connection.id,
    connectionName: ctx.connection.name,
    workspaceId: ctx.workspace.id,
    workspaceName: ctx.workspace.name,
    workspaceIcon: ctx.workspace.icon,
    plan: ctx.workspace.plan,
    capabilities: capabilitiesOf(ctx.connection),
    principals: [principalOf.bot(ctx.install.bot_id)],
    userId: ctx.install.user_id,
    installId: ctx.install.id,
  }
}

/**
 * What authenticating an OAuth access token reads from the store, by digest: the token with its
 * install, public connection and workspace, and whether the authorizing person is still a member.
 * Undefined when no token has `digest`.
 */
async function loadOAuthAuth(db: Db, digest: string) {
  const ctx = await findOAuthAccessContext(db, digest)
  if (!ctx) return undefined
  return { ctx, member: (await principalsForUser(db, ctx.install.workspace_id, ctx.install.user_id)) !== null }
}

/** A live install (not removed, authorizing person still a member), or undefined. */
export async function liveInstall(db: Db, installId: string): Promise<OAuthInstallTable | undefined> {
  const i = await findInstall(db, installId)
  if (!i || i.removed_time !== null) return undefined
  if (!(await principalsForUser(db, i.workspace_id, i.user_id))) return undefined
  return i
}

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
    const c = await findPublicConnectionSummary(db, i.connection_id)
    const ws = await findWorkspace(db, i.workspace_id)
    const u = await findUser(db, i.user_id)
    const grants = await pagesSharedWithBot(db, i.bot_id)
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
  const db = deps.store.db
  return presentInstalls(db, await listLiveInstalls(db, { userId, ...(workspaceId ? { workspaceId } : {}) }))
}

/** Every live install of a workspace, for its owners (`decideListWorkspaceInstalls`). @throws DomainError forbidden */
export async function listWorkspaceInstalls(deps: Deps, workspaceId: string, actorId: string): Promise<PresentedInstall[]> {
  const db = deps.store.db
  const who = await principalsForUser(db, workspaceId, actorId)
  const decision = decideListWorkspaceInstalls(who?.role ?? null)
  if (!decision.allowed) throw new DomainError('forbidden', decision.message)
  return presentInstalls(db, await listLiveInstalls(db, { workspaceId }))
}

/**
 * Removes every live install that `userId` authorized in `workspaceId` (tokens revoked, bot shares
 * dropped: `removeOAuthInstall`), inside the caller's transaction: used when the person is removed from
 * the workspace or leaves it (people.service.ts `removeWorkspaceMember`), so that re-adding them does
 * not bring the tokens back (ADR 14: access returns only through a new authorization). `actor` is
 * `user:<id>` or `admin`. Each appends `oauth.install_removed` with `data.reason`
 * (`member_removed` | `member_left`).
 * @returns how many installs were removed.
 */
export async function removeInstallsOfDepartingMember(
  db: Db,
  input: { workspaceId: string; userId: string; actor: string; reason: 'member_removed' | 'member_left'; time: string },
): Promise<number> {
  const installs = await liveInstallsOfPerson(db, input.workspaceId, input.userId)
  for (const i of installs) await removeOAuthInstall(db, i, { actor: input.actor, time: input.time }, input.reason)
  return installs.length
}

/**
 * Removes an install: by the person who authorized it, or by an owner of its workspace
 * (`decideRemoveInstall`; the admin API and the CLI act as such a person). Its tokens get 401 from
 * the next request and its bot loses every share. Event `oauth.install_removed`.
 * @throws DomainError forbidden | not_found
 */
export async function removeInstall(deps: Deps, installId: string, actorId: string): Promise<void> {
  const time = isoNow(deps.clock)
  await deps.store.transaction(async (trx) => {
    const i = await findInstall(trx, installId)
    if (!i || i.removed_time !== null) throw new DomainError('not_found', `No installed public connection with id ${installId}.`)
    const isAuthorizer = i.user_id === actorId
    const role = isAuthorizer ? null : ((await principalsForUser(trx, i.workspace_id, actorId))?.role ?? null)
    const decision = decideRemoveInstall({ isAuthorizer, role })
    if (!decision.allowed) throw new DomainError('forbidden', decision.message)
    await removeOAuthInstall(trx, i, { actor: `user:${actorId}`, time })
  })
}

/**
 * Shares one more page (and so its descendants) with an install's bot after consent — Notion's
 * ••• → Connections on a page, for a public connection. The same rule as for internal connections
 * (`requireMayShare`, permissions/decide-connection-share.ts): full access to the page, never a guest;
 * the operator (`{operator: true, recordAs}`) always. `unshare` removes a direct share the same way.
 * Events `oauth.page_shared|page_unshared` (actor `admin` for the operator).
 * @throws DomainError forbidden | not_found
 */
export async function setInstallPageShare(
  deps: Deps,
  installId: string,
  pageId: string,
  actor: ShareActor,
  share: boolean,
): Promise<{ install_id: string; page_id: string; changed: boolean }> {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const i = await findInstall(trx, installId)
    if (!i || i.removed_time !== null) throw new DomainError('not_found', `No installed public connection with id ${installId}.`)
    const node = await findBlock(trx, pageId)
    if (
      !node ||
      node.workspace_id !== i.workspace_id ||
      node.in_trash === 1 ||
      (node.type !== 'child_page' && node.type !== 'child_database')
    ) {
      throw new DomainError('not_found', `No page or database with id ${pageId} in this workspace.`)
    }
    await requireMayShare(trx, i.workspace_id, actor, node)
    const at = { actor: shareAuditActor(actor), time }
    let changed = true
    if (share) await shareWithInstall(trx, i, node, { role: CONNECTION_SHARE_LEVEL, grantedBy: shareCreditedTo(actor) }, at)
    else changed = await unshareFromInstall(trx, i, node, at)
    return { install_id: i.id, page_id: pageId, changed }
  })
}

/** The workspace of an install. @throws DomainError not_found */
export async function installWorkspace(db: Db, installId: string): Promise<string> {
  const i = await findInstall(db, installId)
  if (!i) throw new DomainError('not_found', `No installed public connection with id ${installId}.`)
  return i.workspace_id
}
