import type { DenialKind, ExplainedCaller, Explanation } from '../errors/notion-error.js'
import type { RequiredCapability } from './capabilities.js'

/** The capability names as the connection's settings page shows them. */
export const CAPABILITY_LABELS: Record<RequiredCapability, string> = {
  read_content: 'Read content',
  update_content: 'Update content',
  insert_content: 'Insert content',
  read_comments: 'Read comments',
  insert_comments: 'Insert comments',
  user_info: 'Read user information',
  none: 'none',
}

/**
 * Plain-words explanations of refusals (ADR 22, docs/emulator.md). Pure: the code that decides a
 * refusal (auth.service, pats.service, oauth/installs, access.ts, the rate limit in api/router.ts)
 * gathers the facts it already holds and calls one of these, then attaches the result to the
 * `NotionApiError` it throws (`error.explain(…)`). The response body never changes; the request
 * journal records the explanation and the `x-octavo-explain` header carries it when enabled.
 *
 * Each function returns `{kind, reason, fix}`; `caller` is added where the request has no caller
 * yet (authentication refusals), so the journal can name the credential and file the entry under
 * its workspace. Table test: explain.test.ts.
 */

/** The kind of credential, as people call it. */
export type CallerKind = 'internal' | 'personal' | 'oauth'

/** A caller as explanations name it. */
export interface Who {
  kind: CallerKind
  name: string
}

/** `connection "Sync"`, `personal access token "CI"`, `public connection "Acme sync"`. */
export function describeCaller(who: Who): string {
  const noun = who.kind === 'internal' ? 'connection' : who.kind === 'personal' ? 'personal access token' : 'public connection'
  return `${noun} "${who.name}"`
}

const q = (s: string) => `"${s}"`

function make(kind: DenialKind, reason: string, fix: string, caller?: ExplainedCaller): Explanation {
  return caller ? { kind, reason, fix, caller } : { kind, reason, fix }
}

/** 401: the Authorization header is not `Bearer <token>`. */
export function explainBadAuthorizationHeader(): Explanation {
  return make(
    'bad_authorization_header',
    'The Authorization header is missing or is not of the form "Bearer <token>".',
    'Send "Authorization: Bearer ntn_…" with the token from the connection\'s page (Developers → the connection → Token).',
  )
}

/** 401: the bearer is not a well-formed token (prefix, length, checksum). */
export function explainMalformedToken(): Explanation {
  return make(
    'malformed_token',
    'The bearer token is not a well-formed Notion token (wrong prefix, length or checksum; it may be truncated or mistyped).',
    'Copy the whole token again from the connection\'s page; it starts with "ntn_".',
  )
}

/** 401: well formed, but no credential of this server holds it. */
export function explainUnknownToken(): Explanation {
  return make(
    'unknown_token',
    'No connection, personal access token or OAuth install of this server holds this token: it was never issued here (another server, or a store that was reset since).',
    'Use a token issued by this server: create a connection (octavo connection create, or Developers → New connection) and copy its token.',
  )
}

/** 401: an OAuth refresh token sent as a bearer. */
export function explainRefreshTokenAsBearer(): Explanation {
  return make(
    'refresh_token_as_bearer',
    'This is an OAuth refresh token; refresh tokens are only accepted by POST /v1/oauth/token.',
    'Send the access_token from the token response as the bearer, and use the refresh token only to get a new one.',
  )
}

const byWhom = (by: string | null | undefined) => (by ? ` by ${by}` : '')

/** 401: a token that was revoked (connection token revoked or deleted, PAT revoked, OAuth token revoked). */
export function explainRevoked(input: { who: Who; at: string; by?: string | null; caller: ExplainedCaller }): Explanation {
  return make(
    'revoked',
    `The token of ${describeCaller(input.who)} was revoked at ${input.at}${byWhom(input.by)}.`,
    input.who.kind === 'oauth'
      ? 'Send the person through the OAuth consent screen again to get a new access token.'
      : input.who.kind === 'personal'
        ? 'Create a new personal access token (Developers → Personal access tokens) and use it.'
        : "Use the connection's current token (Developers → the connection → Token), or refresh it there.",
    input.caller,
  )
}

/** 401: a connection token replaced by a refresh, or an OAuth access token replaced by a token refresh. */
export function explainRefreshed(input: { who: Who; at: string; by?: string | null; caller: ExplainedCaller }): Explanation {
  return make(
    'refreshed',
    `The token of ${describeCaller(input.who)} was refreshed at ${input.at}${byWhom(input.by)}; this is the old token.`,
    input.who.kind === 'oauth'
      ? 'Use the access token returned by the latest POST /v1/oauth/token (grant_type refresh_token).'
      : 'Use the new token (Developers → the connection → Token).',
    input.caller,
  )
}

/** 401: a personal access token past its expiry. */
export function explainExpired(input: { who: Who; at: string; caller: ExplainedCaller }): Explanation {
  return make(
    'expired',
    `${capitalise(describeCaller(input.who))} expired at ${input.at}.`,
    'Create a new personal access token (Developers → Personal access tokens) with a longer expiry.',
    input.caller,
  )
}

/** 401: a PAT whose creator left the workspace or is no longer a full member. */
export function explainSuspended(input: {
  who: Who
  creator: string
  reason: 'creator_not_a_member' | 'creator_not_a_full_member'
  caller: ExplainedCaller
}): Explanation {
  const why =
    input.reason === 'creator_not_a_member' ? 'is no longer a member of the workspace' : 'is no longer a full member (now a guest)'
  return make(
    'suspended',
    `${capitalise(describeCaller(input.who))} is suspended: its creator ${input.creator} ${why}.`,
    `Make ${input.creator} a member again, or use a token created by a current member.`,
    input.caller,
  )
}

/** 401: a PAT whose "Notion API" capability the workspace's PAT policy no longer admits. */
export function explainPolicy(input: { who: Who; plan: string; policy: string; creator: string; caller: ExplainedCaller }): Explanation {
  return make(
    'policy',
    `${capitalise(describeCaller(input.who))} is suspended: the ${capitalise(input.plan)} workspace's personal access token policy allows ${input.policy}, and its creator ${input.creator} is not among them.`,
    'A workspace owner can widen the policy (Settings → Connections → Personal access tokens), or use a token created by someone it allows.',
    input.caller,
  )
}

/** 401: an OAuth token of an install that was removed, or whose authorizing person left. */
export function explainInstallRemoved(input: { who: Who; at: string | null; caller: ExplainedCaller }): Explanation {
  return make(
    'install_removed',
    input.at
      ? `${capitalise(describeCaller(input.who))} was removed from the workspace at ${input.at}.`
      : `The person who installed ${describeCaller(input.who)} is no longer a member of the workspace.`,
    'Install the connection again through the OAuth consent screen.',
    input.caller,
  )
}

/** 403: a capability the credential lacks. */
export function explainMissingCapability(input: { who: Who; capability: RequiredCapability }): Explanation {
  const label = CAPABILITY_LABELS[input.capability]
  return make(
    'missing_capability',
    `${capitalise(describeCaller(input.who))} lacks the "${label}" capability this endpoint needs.`,
    input.who.kind === 'personal'
      ? 'Create a personal access token with the "Notion API" capability.'
      : `Turn on "${label}" in the connection's Capabilities (Developers → the connection → Capabilities).`,
  )
}

/** 403: visible, but below the level the action needs (e.g. read-only share and an update). */
export function explainInsufficientLevel(input: { who: Who; object: string; title: string; action: string; level: string }): Explanation {
  return make(
    'insufficient_level',
    `${capitalise(describeCaller(input.who))} can only ${input.level} ${input.object} ${q(input.title)}, and this request would ${input.action} it.`,
    `Share ${q(input.title)} with ${describeCaller(input.who)} at a higher access level (••• → Connections, or the Share menu).`,
  )
}

/** 404: no object with this id exists on this server. */
export function explainNotFound(input: { object: string; id: string }): Explanation {
  return make(
    'not_found',
    `No ${input.object} with ID ${input.id} exists on this server (in any workspace, trash included).`,
    "Check the ID (copy it from the page's link, the part after the title), and that the object was not deleted permanently.",
  )
}

/** 404: the object exists, but in another workspace than the caller's. */
export function explainOtherWorkspace(input: {
  who: Who
  object: string
  title: string
  id: string
  workspace: string
  callerWorkspace: string
}): Explanation {
  return make(
    'other_workspace',
    `${capitalise(input.object)} ${q(input.title)} (${input.id}) is in workspace ${q(input.workspace)}, but ${describeCaller(input.who)} belongs to workspace ${q(input.callerWorkspace)}.`,
    `Use a token of a connection in ${q(input.workspace)}; a token only ever reaches its own workspace.`,
  )
}

/** 404: the id names an object of another kind (a block where a page is expected, …). */
export function explainWrongKind(input: { id: string; expected: string; actual: string }): Explanation {
  return make(
    'wrong_kind',
    `${input.id} is a ${input.actual}, not a ${input.expected}.`,
    `Call the ${input.actual} endpoint with this ID, or pass the ID of a ${input.expected}.`,
  )
}

/**
 * 404: the object exists in the caller's workspace but is not shared with it. `ancestors` are the
 * titles of the pages and databases above it, nearest first (any of them shared would do).
 */
export function explainUnshared(input: {
  who: Who
  object: string
  title: string
  workspace: string
  ancestors: string[]
  creator?: string
}): Explanation {
  const tail = input.ancestors.length ? `, or one of its ancestors ${input.ancestors.map(q).join(', ')},` : ''
  if (input.who.kind === 'personal') {
    const person = input.creator ?? 'its creator'
    return make(
      'unshared',
      `${capitalise(input.object)} ${q(input.title)} exists in workspace ${q(input.workspace)}, but ${person}, who created ${describeCaller(input.who)}, has no access to it.`,
      `Someone with full access can share it${tail} with ${person} (Share menu).`,
    )
  }
  return make(
    'unshared',
    `${capitalise(input.object)} ${q(input.title)} exists in workspace ${q(input.workspace)} but is not shared with ${describeCaller(input.who)}.`,
    `Share it${tail} with ${describeCaller(input.who)} from ••• → Connections.`,
  )
}

/** 404: a database row with its own restricted permissions that leave the caller out. */
export function explainRestrictedRow(input: { who: Who; title: string; database: string }): Explanation {
  return make(
    'restricted_row',
    `Row ${q(input.title)} of database ${q(input.database)} has its own restricted permissions, and ${describeCaller(input.who)} is not among them (sharing the database does not reach it).`,
    `Share the row ${q(input.title)} itself with ${describeCaller(input.who)}, or remove its restriction.`,
  )
}

/** 404: the block or page is in the trash (itself, or one of its ancestors). */
export function explainTrashed(input: { object: string; title: string; via?: string }): Explanation {
  return make(
    'trashed',
    input.via
      ? `${capitalise(input.object)} ${q(input.title)} is inside ${q(input.via)}, which is in the trash.`
      : `${capitalise(input.object)} ${q(input.title)} is in the trash.`,
    `Restore ${q(input.via ?? input.title)} from the trash (PATCH in_trash: false, or Trash in the sidebar).`,
  )
}

/** 403: the endpoint is not open to personal access tokens (e.g. listing users). */
export function explainPatNotAllowed(input: { who: Who; endpoint: string }): Explanation {
  return make(
    'pat_not_allowed',
    `${capitalise(describeCaller(input.who))} may not call ${input.endpoint}: Notion keeps it to connections.`,
    'Call it with a connection token instead.',
  )
}

/** 429: a budget spent. `scope` says whose budget: the caller's own, or the workspace's shared one. */
export function explainRateLimited(input: {
  who: Who
  scope: 'connection' | 'workspace'
  budget: number
  windowSeconds: number
  retryAfterSeconds: number
}): Explanation {
  const per =
    input.scope === 'workspace'
      ? 'per workspace (every connection together)'
      : `per ${input.who.kind === 'personal' ? 'person' : input.who.kind === 'oauth' ? 'install' : 'connection'}`
  return make(
    'rate_limited',
    `Rate limited: ${describeCaller(input.who)} spent its budget of ${input.budget} requests per ${input.windowSeconds} s ${per}.`,
    `Wait ${input.retryAfterSeconds} s (the Retry-After header) and slow down; the SDK retries 429 by itself when retries are on.`,
  )
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}
