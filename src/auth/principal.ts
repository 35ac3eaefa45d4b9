import type { Capabilities } from '../permissions/capabilities.js'
import type { Plan } from '../storage/database.js'
import type { NotionVersion } from '../domain/versions.js'

/**
 * Who is calling the `/v1` API, resolved from the bearer token on every request (no cache, so a
 * refresh, capability change or unshare applies from the next request).
 */
export interface ApiCaller {
  kind: 'internal'
  tokenId: string
  /** The acting bot user; it is `created_by`/`last_edited_by` of what the caller writes. */
  botId: string
  connectionId: string
  connectionName: string
  workspaceId: string
  workspaceName: string
  workspaceIcon: string | null
  plan: Plan
  capabilities: Capabilities
  /** ACL principals this caller holds (`bot:<id>` for a connection). */
  principals: string[]
}

/** Per-request context handed to services: the caller and the negotiated Notion-Version. */
export interface RequestContext {
  caller: ApiCaller
  version: NotionVersion
}
