import { hash, verify, type Algorithm } from '@node-rs/argon2'
import { createHash, randomBytes } from 'node:crypto'
import { isoNow } from '../domain/clock.js'
import { DomainError } from '../errors/domain-error.js'
import type { UserTable } from '../storage/database.js'
import * as portalAuth from '../storage/repositories/portal-auth.repository.js'
import { findUser, findUserByEmail } from '../storage/repositories/workspaces.repository.js'
import type { Deps } from './deps.js'

/**
 * People's sign-in to the web portal (docs/adr/0013-web-portal.md):
 * - passwords are stored only as argon2id PHC strings (OWASP's minimum parameters: 19 MiB, 2 passes,
 *   1 lane; @node-rs/argon2's defaults), set by `setPassword` (CLI `octavo user set-password`, admin
 *   API `PUT /_octavo/admin/users/{user}/password`);
 * - a session id is 32 random bytes (base64url) handed to the browser once; the store keeps only its
 *   SHA-256, and the session ends after `SESSION_TTL_MS` or on sign-out.
 * Throttling of failed sign-ins lives with the HTTP surface (src/portal/session.ts, on the shared limiter of src/rate-limit/attempts.ts), which knows
 * the client address.
 */

/** Sessions last 7 days from sign-in (absolute), in milliseconds. */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000
/** NIST SP 800-63B: at least 8 characters; long passphrases allowed. */
export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 256

const ARGON2ID = 2 as Algorithm
const HASH_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 }

let dummyHash: Promise<string> | undefined
/** A hash to verify against when the e-mail is unknown, so both cases cost one argon2 verification. */
function dummy(): Promise<string> {
  dummyHash ??= hash(randomBytes(16).toString('hex'), HASH_OPTIONS)
  return dummyHash
}

/** SHA-256 hex of a session id: the only form in which the store holds it. */
export function sessionDigest(sessionId: string): string {
  return createHash('sha256').update(sessionId, 'utf8').digest('hex')
}

/**
 * Sets (or replaces) a person's portal password and ends their open sessions (change event
 * `user.password_set`, actor `actor`: `admin`, `cli`, …).
 * @throws DomainError not_found (no such person; bots have no password) | invalid_input (length)
 */
export async function setPassword(
  deps: Deps,
  userId: string,
  password: string,
  actor = 'admin',
): Promise<{ user_id: string; email: string | null }> {
  if (password.length < PASSWORD_MIN) throw new DomainError('invalid_input', `A password needs at least ${PASSWORD_MIN} characters.`)
  if (password.length > PASSWORD_MAX) throw new DomainError('invalid_input', `A password has at most ${PASSWORD_MAX} characters.`)
  const user = await findUser(deps.store.db, userId)
  if (!user || user.type !== 'person') throw new DomainError('not_found', `No person with id ${userId}.`)
  const digest = await hash(password, HASH_OPTIONS)
  const time = isoNow(deps.clock)
  await deps.store.transaction(async (trx) => portalAuth.setPasswordHash(trx, { userId: user.id, hash: digest }, { actor, time }))
  return { user_id: user.id, email: user.email }
}

/** Whether a person has a portal password. */
export async function hasPassword(deps: Deps, userId: string): Promise<boolean> {
  return (await portalAuth.findPasswordHash(deps.store.db, userId)) !== undefined
}

/**
 * Checks an e-mail and password. Unknown e-mails, people without a password and wrong passwords all
 * fail the same way, after the same amount of work.
 * @throws DomainError unauthorized "Wrong e-mail or password."
 */
export async function verifyPassword(deps: Deps, email: string, password: string): Promise<UserTable> {
  const user = email ? await findUserByEmail(deps.store.db, email.trim()) : undefined
  const stored = user ? await portalAuth.findPasswordHash(deps.store.db, user.id) : undefined
  const ok = await verify(stored ?? (await dummy()), password.slice(0, PASSWORD_MAX)).catch(() => false)
  if (!user || !stored || !ok || user.type !== 'person') throw new DomainError('unauthorized', 'Wrong e-mail or password.')
  return user
}

/**
 * Opens a session for a person (sign-in; change event `user.signed_in`).
 * @returns the session id for the cookie (never stored) and its expiry (ISO-8601).
 */
export async function createSession(deps: Deps, userId: string): Promise<{ sessionId: string; expires: string }> {
  const sessionId = randomBytes(32).toString('base64url')
  const now = deps.clock.now()
  const time = new Date(now).toISOString()
  const expires = new Date(now + SESSION_TTL_MS).toISOString()
  await deps.store.transaction(async (trx) =>
    portalAuth.createSession(trx, { digest: sessionDigest(sessionId), userId, expires }, { actor: `user:${userId}`, time }),
  )
  return { sessionId, expires }
}

/** The person behind a session id, or null when it is unknown or expired (an expired row is deleted). */
export async function sessionUser(deps: Deps, sessionId: string | undefined): Promise<UserTable | null> {
  if (!sessionId || sessionId.length > 200) return null
  const digest = sessionDigest(sessionId)
  const row = await portalAuth.findSession(deps.store.db, digest)
  if (!row) return null
  if (row.expires_time <= isoNow(deps.clock)) {
    await portalAuth.dropExpiredSession(deps.store.db, digest)
    return null
  }
  const user = await findUser(deps.store.db, row.user_id)
  return user?.type === 'person' ? user : null
}

/** Ends a session (sign out; the change event `user.signed_out`). Unknown ids are ignored. */
export async function endSession(deps: Deps, sessionId: string | undefined): Promise<void> {
  if (!sessionId) return
  const time = isoNow(deps.clock)
  await deps.store.transaction(async (trx) => portalAuth.endSession(trx, sessionDigest(sessionId), time))
}
