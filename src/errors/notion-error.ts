/**
 * The one error type of Octavo's API, rendered as Notion's error envelope:
 * `{"object":"error","status":<int>,"code":"<code>","message":"<text>","request_id":"<uuid>"}`
 * plus `additional_data` when present.
 *
 * Codes, statuses and message texts follow the digest (docs/reference/notion-api.md §3), which
 * takes them from the official OpenAPI, the SDK's `APIErrorCode` and live measurements.
 */

/** Every error code Octavo emits, with its HTTP status. Adding a code without a status fails to compile. */
export const STATUS_BY_CODE = {
  invalid_json: 400,
  invalid_request_url: 400,
  invalid_request: 400,
  validation_error: 400,
  missing_version: 400,
  invalid_beta: 400,
  unauthorized: 401,
  restricted_resource: 403,
  object_not_found: 404,
  conflict_error: 409,
  rate_limited: 429,
  internal_server_error: 500,
  bad_gateway: 502,
  service_unavailable: 503,
  gateway_timeout: 504,
  service_overload: 529,
} as const

export type NotionErrorCode = keyof typeof STATUS_BY_CODE

/** Values of `additional_data`: Notion documents them as strings or string arrays. */
export type AdditionalData = Record<string, string | string[]>

/**
 * Why a request was refused, in plain words, and what fixes it (docs/emulator.md, ADR 22). Set by
 * the code that decides the refusal (`NotionApiError.explain`), never guessed afterwards. It never
 * reaches the response body: the request journal records it, and the `x-octavo-explain` header
 * carries it when the server runs with `OCTAVO_EXPLAIN=on`.
 */
export interface Explanation {
  /** The kind of denial, e.g. `unshared`, `revoked`, `missing_capability`, `rate_limited`. */
  kind: DenialKind
  /** What happened, naming the objects and the caller ("page 'Roadmap' … is not shared with connection 'Sync'"). */
  reason: string
  /** What to do about it. */
  fix: string
  /**
   * The credential the refusal concerns when the request never got a caller (a revoked, expired or
   * suspended token): lets the journal file the entry under its workspace and name it.
   */
  caller?: ExplainedCaller
}

/** A credential named in an explanation or a journal entry. */
export interface ExplainedCaller {
  type: 'connection' | 'personal_access_token' | 'oauth_install'
  /** The connection id, PAT id, or OAuth install id. */
  id: string
  name: string
  workspaceId: string
}

/** Every kind of denial the permission engine explains (docs/emulator.md lists them with examples). */
export type DenialKind =
  | 'bad_authorization_header'
  | 'malformed_token'
  | 'unknown_token'
  | 'refresh_token_as_bearer'
  | 'revoked'
  | 'refreshed'
  | 'expired'
  | 'suspended'
  | 'policy'
  | 'install_removed'
  | 'missing_capability'
  | 'insufficient_level'
  | 'not_found'
  | 'other_workspace'
  | 'wrong_kind'
  | 'unshared'
  | 'restricted_row'
  | 'trashed'
  | 'pat_not_allowed'
  | 'rate_limited'
  | 'fault'

export class NotionApiError extends Error {
  readonly code: NotionErrorCode
  readonly status: number
  readonly additionalData: AdditionalData | undefined
  /** Extra response headers, e.g. `Retry-After` on 429. */
  readonly headers: Record<string, string>
  /** Why, in plain words, where the refusal was decided (see `Explanation`); never part of the body. */
  explanation: Explanation | undefined

  constructor(
    code: NotionErrorCode,
    message: string,
    options: { additionalData?: AdditionalData; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    // A refusal (4xx) is an answer, not a fault: its stack is never logged (error-handler.ts logs
    // only unexpected errors), and capturing one cost ~2.5 µs of a 401's CPU (bench/RESULTS.md,
    // session 6). 5xx errors keep theirs.
    const limit = Error.stackTraceLimit
    if (STATUS_BY_CODE[code] < 500) Error.stackTraceLimit = 0
    try {
      super(message, { cause: options.cause })
    } finally {
      Error.stackTraceLimit = limit
    }
    this.name = 'NotionApiError'
    this.code = code
    this.status = STATUS_BY_CODE[code]
    this.additionalData = options.additionalData
    this.headers = options.headers ?? {}
  }

  /**
   * Attaches the reason and fix to this error and returns it: `throw unauthorized().explain(…)`.
   * The body stays Notion's exact envelope.
   */
  explain(explanation: Explanation | undefined): this {
    this.explanation = explanation
    return this
  }

  /** The JSON body, with keys in the order live Notion sends them. */
  toBody(requestId: string): Record<string, unknown> {
    return {
      object: 'error',
      status: this.status,
      code: this.code,
      message: this.message,
      request_id: requestId,
      ...(this.additionalData ? { additional_data: this.additionalData } : {}),
    }
  }
}

/** Object kinds named in `object_not_found` messages. */
export type ObjectKind = 'page' | 'block' | 'database' | 'data_source' | 'user' | 'comment'

/**
 * 404 for an object that does not exist or that the token may not see. Notion answers both cases
 * the same way, so existence never leaks: "Could not find page with ID: <id>. Make sure the
 * relevant pages and databases are shared with your integration "<name>"." (docs/reference/notion-api.md §3.2).
 */
export function objectNotFound(kind: ObjectKind, id: string, integrationName?: string): NotionApiError {
  const hint =
    integrationName === undefined
      ? 'Make sure the relevant pages and databases are shared with your integration.'
      : `Make sure the relevant pages and databases are shared with your integration "${integrationName}".`
  return new NotionApiError('object_not_found', `Could not find ${kind} with ID: ${id}. ${hint}`)
}

/**
 * 404 without the sharing hint, for objects that are not shared content: users, and the comments
 * list's unknown block ("Could not find block with ID: <id>.", docs/reference/notion-api.md §1.7).
 */
export function objectNotFoundPlain(kind: ObjectKind, id: string): NotionApiError {
  return new NotionApiError('object_not_found', `Could not find ${kind} with ID: ${id}.`)
}

/** 400 `validation_error` with a message already in Notion's grammar. */
export function validationError(message: string, additionalData?: AdditionalData): NotionApiError {
  return new NotionApiError('validation_error', message, additionalData ? { additionalData } : {})
}

/** 403 for a capability the token lacks. Live message: "Insufficient permissions for this endpoint." */
export function restrictedResource(message = 'Insufficient permissions for this endpoint.'): NotionApiError {
  return new NotionApiError('restricted_resource', message)
}

/** 400 for an unknown path, a wrong method or a route not mounted under the request's version. */
export function invalidRequestUrl(): NotionApiError {
  return new NotionApiError('invalid_request_url', 'Invalid request URL.')
}

/** 401 for a missing, malformed, unknown or revoked token. */
export function unauthorized(message = 'API token is invalid.'): NotionApiError {
  return new NotionApiError('unauthorized', message)
}
