/**
 * Errors raised by the service layer for operations outside Notion's `/v1` API: the admin API, the
 * CLI and (later) the portal. They carry an HTTP status and a stable code so each surface can render
 * them its own way, and a message written for a person ("Only workspace owners can create internal
 * connections.").
 */
export type DomainErrorCode = 'forbidden' | 'not_found' | 'invalid_input' | 'conflict' | 'unauthorized'

const STATUS: Record<DomainErrorCode, number> = {
  forbidden: 403,
  not_found: 404,
  invalid_input: 400,
  conflict: 409,
  unauthorized: 401,
}

export class DomainError extends Error {
  readonly code: DomainErrorCode
  readonly status: number
  constructor(code: DomainErrorCode, message: string) {
    super(message)
    this.name = 'DomainError'
    this.code = code
    this.status = STATUS[code]
  }
}
