import type { Capabilities } from '../permissions/capabilities.js'
import type { MemberRole, Plan } from '../domain/workspace.js'
import type { NotionVersion } from '../domain/versions.js'

/** What every caller of the `/v1` API has, whatever its token kind. */
interface ApiCallerBase {
  tokenId: string
  /** The acting bot user; it is `created_by`/`last_edited_by` of what the caller writes. */
  botId: string
  /** The credential's owner record: the connection id, or the PAT id for a personal access token. */
  connectionId: string
  /** Its display name (the connection's or the PAT's), used in `object_not_found` hints. */
  connectionName: string
  workspaceId: string
  workspaceName: string
  workspaceIcon: string | null
  plan: Plan
  /** What the token may do; levels come from the principals' ACL entries, capped by these. */
  capabilities: Capabilities
  /** ACL principals this caller holds (`bot:<id>` for a connection; the creator's for a PAT). */
  principals: string[]
}

/** An internal connection's bot token. */
export interface InternalCaller extends ApiCallerBase {
  kind: 'internal'
}

/**
 * A personal access token (docs/adr/0010-personal-access-tokens.md): its own bot user acting as
 * `userId`, with that person's current principals (read at authentication time, so a role, group or
 * membership change applies from the next request).
 */
export interface PersonalCaller extends ApiCallerBase {
  kind: 'personal'
  /** The PAT's creator: the person it acts as ("me" filters, private pages, `bot.owner`). */
  userId: string
  /** The creator's current workspace role. */
  role: MemberRole
  /** The PAT's capability bundles. */
  patCapabilities: { notionApi: boolean; workers: boolean }
}

/**
 * A public connection's OAuth access token (docs/adr/0014-oauth-public-connections.md): the install's
 * own bot (`botId`), holding only `bot:<botId>` (the pages picked at consent and later shares), capped
 * by the connection's capabilities. `connectionId` is the public connection's id (its `client_id`).
 */
export interface OAuthCaller extends ApiCallerBase {
  kind: 'oauth'
  /** The authorizing person: the bot's `owner`. */
  userId: string
  /** The install (one authorization) the token belongs to. */
  installId: string
}

/**
 * Who is calling the `/v1` API, resolved from the bearer token on every request (through the
 * in-process caches, which every request first syncs with the change events, so a refresh, revocation,
 * capability change, unshare or policy change applies from the next request: ADR 24).
 */
export type ApiCaller = InternalCaller | PersonalCaller | OAuthCaller

/**
 * The user a request acts for where Notion resolves "the authenticated user": `"me"` in people
 * filters and workspace-level private pages. A PAT's creator; a connection's own bot user.
 * Source: developers.notion.com "Personal access tokens" (seed 004).
 */
export function actingUserId(caller: ApiCaller): string {
  return caller.kind === 'personal' ? caller.userId : caller.botId
}

/** Per-request context handed to services: the caller and the negotiated Notion-Version. */
export interface RequestContext {
  caller: ApiCaller
  version: NotionVersion
  /** The request's `Notion-Beta` flags (http/middleware/notion-beta.ts); absent or empty when none. */
  betas?: readonly string[]
}
