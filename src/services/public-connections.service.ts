import { randomInt } from 'node:crypto'
import { isoNow } from '../domain/clock.js'
import { newId } from '../domain/ids.js'
import { DomainError } from '../errors/domain-error.js'
import { DEFAULT_CAPABILITIES, capabilitiesOf, capabilityColumns, type Capabilities } from '../permissions/capabilities.js'
import { decideManagePublicConnection, decideRegisterPublicConnection, type ManageAction } from '../permissions/decide-public-connection.js'
import type { PublicConnectionTable } from '../storage/database.js'
import { levelOnRoot } from '../storage/repositories/acl.repository.js'
import { findBlock } from '../storage/repositories/blocks.repository.js'
import { liveInstallsOfConnection, removeOAuthInstall } from '../storage/repositories/oauth-installs.repository.js'
import {
  deletePublicConnectionRow,
  findPublicConnection,
  insertPublicConnection,
  listPublicConnectionsManagedBy,
  recordClientSecretRevealed,
  replaceClientSecret,
  updatePublicConnectionSettings,
} from '../storage/repositories/public-connections.repository.js'
import { findWorkspace } from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'
import type { Deps } from './deps.js'
import { principalsForUser } from './people-access.js'

/**
 * Public connections (OAuth clients): developers.notion.com "Authorization" and "Public connections",
 * docs/reference/notion-api.md §7, docs/reference/permissions-and-tokens.md §2.1 and §4, docs/adr/0014-oauth-public-connections.md.
 *
 * - Any full member (owner, membership admin, member) of a workspace may register one there; people of
 *   every workspace on this Octavo may then install it through `/v1/oauth/authorize`. The rules:
 *   permissions/decide-public-connection.ts.
 * - `client_id` is the connection's id (a dashed UUID, as Notion's); the client secret is
 *   `secret_` + 43 base62 characters (Notion's historical OAuth secret shape), stored as an HMAC digest
 *   and an AES-GCM sealed copy: revealable again and refreshable (the old one fails at once), like an
 *   internal connection's token.
 * - Redirect URIs: one or more absolute `http(s)` URIs without fragment, matched by exact string
 *   (RFC 9700 §4.1.3).
 * - Managed by its registrant and by the owners of the workspace it was registered in. Events (the
 *   repository writes them, storage/repositories/public-connections.repository.ts):
 *   `public_connection.created|secret_revealed|secret_refreshed|updated|deleted`.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const MAX_REDIRECT_URIS = 10

/** A fresh client secret: `secret_` + 43 base62 characters (about 256 bits). */
export function generateClientSecret(): string {
  let out = 'secret_'
  for (let i = 0; i < 43; i++) out += BASE62[randomInt(62)]
  return out
}

/** The AES-GCM context (AAD) of a client secret. */
const secretContext = (id: string) => `client|${id}`

/** The registered redirect URIs of a connection. */
export function redirectUrisOf(c: Pick<PublicConnectionTable, 'redirect_uris'>): string[] {
  return JSON.parse(c.redirect_uris) as string[]
}

/** Human names of a capability set, as the consent screen and the portal list them. */
export function describeCapabilities(caps: Capabilities): string[] {
  const out: string[] = []
  if (caps.readContent) out.push('Read content')
  if (caps.updateContent) out.push('Update content')
  if (caps.insertContent) out.push('Insert content')
  if (caps.readComments) out.push('Read comments')
  if (caps.insertComments) out.push('Insert comments')
  out.push(
    caps.userInfo === 'none'
      ? 'No user information'
      : caps.userInfo === 'without_email'
        ? 'Read user information without email addresses'
        : 'Read user information including email addresses',
  )
  return out
}

/** The public view of a public connection: never the secret, only its hint. */
export function presentPublicConnection(c: PublicConnectionTable) {
  return {
    id: c.id,
    client_id: c.id,
    workspace_id: c.workspace_id,
    name: c.name,
    icon: c.icon,
    redirect_uris: redirectUrisOf(c),
    template_page_id: c.template_page_id,
    capabilities: capabilitiesOf(c),
    client_secret_hint: c.secret_hint,
    created_by: c.created_by,
    created_time: c.created_time,
  }
}
export type PresentedPublicConnection = ReturnType<typeof presentPublicConnection>

/**
 * Checks and normalises redirect URIs: at least one, at most 10, each an absolute http(s) URI with no
 * fragment, no duplicates. Kept as typed (exact-match comparison).
 * @throws DomainError invalid_input
 */
export function validateRedirectUris(uris: string[]): string[] {
  const list = uris.map((u) => u.trim()).filter(Boolean)
  if (list.length === 0) throw new DomainError('invalid_input', 'A public connection needs at least one redirect URI.')
  if (list.length > MAX_REDIRECT_URIS)
    throw new DomainError('invalid_input', `A public connection has at most ${MAX_REDIRECT_URIS} redirect URIs.`)
  for (const u of list) {
    let url: URL
    try {
      url = new URL(u)
    } catch {
      throw new DomainError('invalid_input', `Redirect URI ${JSON.stringify(u)} is not an absolute URI.`)
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new DomainError('invalid_input', `Redirect URI ${JSON.stringify(u)} must use http or https.`)
    if (url.hash || u.includes('#')) throw new DomainError('invalid_input', `Redirect URI ${JSON.stringify(u)} must not have a fragment.`)
  }
  if (new Set(list).size !== list.length) throw new DomainError('invalid_input', 'Redirect URIs must be different from each other.')
  return list
}

/** @throws DomainError not_found */
export async function loadPublicConnection(db: Db, id: string): Promise<PublicConnectionTable> {
  const c = await findPublicConnection(db, id)
  if (!c) throw new DomainError('not_found', `No public connection with id ${id}.`)
  return c
}

/** Its registrant, or an owner of the workspace it was registered in (`decideManagePublicConnection`). @throws DomainError forbidden */
async function requireManager(db: Db, c: PublicConnectionTable, actorId: string, action: ManageAction): Promise<void> {
  const isRegistrant = c.created_by === actorId
  const role = isRegistrant ? null : ((await principalsForUser(db, c.workspace_id, actorId))?.role ?? null)
  const decision = decideManagePublicConnection({ isRegistrant, role }, action)
  if (!decision.allowed) throw new DomainError('forbidden', decision.message)
}

/** @throws DomainError not_found | invalid_input (not a page of the workspace, or the person cannot read it) */
async function checkTemplate(db: Db, workspaceId: string, actorId: string, pageId: string): Promise<void> {
  const node = await findBlock(db, pageId)
  const who = await principalsForUser(db, workspaceId, actorId)
  const visible =
    node &&
    who &&
    node.workspace_id === workspaceId &&
    node.type === 'child_page' &&
    node.in_trash === 0 &&
    node.perm_root_id &&
    (await levelOnRoot(db, node.perm_root_id, who.principals)) > 0
  if (!visible) throw new DomainError('invalid_input', `The template must be a page of this workspace that you can see; ${pageId} is not.`)
}

export interface RegisterPublicConnectionInput {
  workspaceId: string
  actorId: string
  name: string
  icon?: string | null
  redirectUris: string[]
  capabilities?: Partial<Capabilities>
  /** A page of `workspaceId` offered for duplication at consent. */
  templatePageId?: string | null
}

/**
 * Registers a public connection. Any full member of the workspace may.
 * @returns the connection and its client secret (the one time it is handed out unasked).
 * @throws DomainError forbidden (guest, restricted member or not a member) | invalid_input | not_found
 */
export async function registerPublicConnection(deps: Deps, input: RegisterPublicConnectionInput) {
  const name = input.name.trim()
  if (!name) throw new DomainError('invalid_input', 'A public connection needs a name.')
  if (name.length > 100) throw new DomainError('invalid_input', 'A connection name is at most 100 characters.')
  const redirectUris = validateRedirectUris(input.redirectUris)
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    if (!(await findWorkspace(trx, input.workspaceId))) throw new DomainError('not_found', `No workspace with id ${input.workspaceId}.`)
    const who = await principalsForUser(trx, input.workspaceId, input.actorId)
    const decision = decideRegisterPublicConnection(who?.role ?? null)
    if (!decision.allowed) throw new DomainError('forbidden', decision.message)
    if (input.templatePageId) await checkTemplate(trx, input.workspaceId, input.actorId, input.templatePageId)
    const id = newId()
    const secret = generateClientSecret()
    const row: PublicConnectionTable = {
      id,
      workspace_id: input.workspaceId,
      name,
      icon: input.icon ?? null,
      redirect_uris: JSON.stringify(redirectUris),
      template_page_id: input.templatePageId ?? null,
      secret_digest: deps.secrets.tokenDigest(secret),
      secret_sealed: deps.secrets.encrypt(secret, secretContext(id)),
      secret_hint: `secret_…${secret.slice(-4)}`,
      created_by: input.actorId,
      created_time: time,
      ...capabilityColumns({ ...DEFAULT_CAPABILITIES, ...input.capabilities }),
    }
    await insertPublicConnection(trx, row, { actor: `user:${input.actorId}`, time })
    return { connection: presentPublicConnection(row), client_secret: secret }
  })
}

/** The public connections a person manages: those they registered and those of workspaces they own. */
export async function listPublicConnections(deps: Deps, actorId: string): Promise<PresentedPublicConnection[]> {
  return (await listPublicConnectionsManagedBy(deps.store.db, actorId)).map(presentPublicConnection)
}

/** One public connection, for its managers. @throws DomainError forbidden | not_found */
export async function getPublicConnection(deps: Deps, id: string, actorId: string): Promise<PresentedPublicConnection> {
  const c = await loadPublicConnection(deps.store.db, id)
  await requireManager(deps.store.db, c, actorId, 'view')
  return presentPublicConnection(c)
}

/** Reveals the client secret again. Audited. @throws DomainError forbidden | not_found */
export async function revealClientSecret(deps: Deps, id: string, actorId: string): Promise<string> {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const c = await loadPublicConnection(trx, id)
    await requireManager(trx, c, actorId, 'reveal_secret')
    const secret = deps.secrets.decrypt(c.secret_sealed, secretContext(c.id))
    await recordClientSecretRevealed(trx, c, { actor: `user:${actorId}`, time })
    return secret
  })
}

/**
 * Replaces the client secret: the old one fails client authentication from the next request. Tokens
 * already issued keep working (they belong to installs, not to the secret).
 * @throws DomainError forbidden | not_found
 */
export async function refreshClientSecret(deps: Deps, id: string, actorId: string): Promise<string> {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const c = await loadPublicConnection(trx, id)
    await requireManager(trx, c, actorId, 'refresh_secret')
    const secret = generateClientSecret()
    await replaceClientSecret(
      trx,
      c,
      {
        secret_digest: deps.secrets.tokenDigest(secret),
        secret_sealed: deps.secrets.encrypt(secret, secretContext(c.id)),
        secret_hint: `secret_…${secret.slice(-4)}`,
      },
      { actor: `user:${actorId}`, time },
    )
    return secret
  })
}

export interface UpdatePublicConnectionInput {
  name?: string
  icon?: string | null
  redirectUris?: string[]
  capabilities?: Partial<Capabilities>
  templatePageId?: string | null
}

/**
 * Changes a public connection's name, icon, redirect URIs, capabilities or template. Capability
 * changes apply to every install from the next request.
 * @throws DomainError forbidden | invalid_input | not_found
 */
export async function updatePublicConnection(
  deps: Deps,
  id: string,
  actorId: string,
  patch: UpdatePublicConnectionInput,
): Promise<PresentedPublicConnection> {
  const time = isoNow(deps.clock)
  return deps.store.transaction(async (trx) => {
    const c = await loadPublicConnection(trx, id)
    await requireManager(trx, c, actorId, 'update')
    const next: PublicConnectionTable = { ...c }
    if (patch.name !== undefined) {
      const name = patch.name.trim()
      if (!name) throw new DomainError('invalid_input', 'A public connection needs a name.')
      next.name = name
    }
    if (patch.icon !== undefined) next.icon = patch.icon
    if (patch.redirectUris !== undefined) next.redirect_uris = JSON.stringify(validateRedirectUris(patch.redirectUris))
    if (patch.capabilities) Object.assign(next, capabilityColumns({ ...capabilitiesOf(c), ...patch.capabilities }))
    if (patch.templatePageId !== undefined) {
      if (patch.templatePageId) await checkTemplate(trx, c.workspace_id, actorId, patch.templatePageId)
      next.template_page_id = patch.templatePageId
    }
    await updatePublicConnectionSettings(trx, next, Object.keys(patch), { actor: `user:${actorId}`, time })
    return presentPublicConnection(next)
  })
}

/**
 * Deletes a public connection: every install is removed (its bot loses its shares, its tokens stop at
 * once; event `oauth.install_removed` with `reason: "connection_deleted"` each), then the registration
 * (event `public_connection.deleted`). @throws DomainError forbidden | not_found
 */
export async function deletePublicConnection(deps: Deps, id: string, actorId: string): Promise<void> {
  const at = { actor: `user:${actorId}`, time: isoNow(deps.clock) }
  await deps.store.transaction(async (trx) => {
    const c = await loadPublicConnection(trx, id)
    await requireManager(trx, c, actorId, 'delete')
    const installs = await liveInstallsOfConnection(trx, c.id)
    for (const i of installs) await removeOAuthInstall(trx, i, at, 'connection_deleted')
    await deletePublicConnectionRow(trx, c, installs.length, at)
  })
}
