import { createHash, randomInt } from 'node:crypto'
import { crc32 } from 'node:zlib'

/**
 * Octavo's token format, shaped so that public secret scanners flag leaked Octavo tokens exactly as
 * they flag Notion's: `ntn_` + 11 digits + 35 base62 characters, 50 in all (gitleaks rule
 * `notion-api-token`, trufflehog `notion/v2`; see docs/reference/permissions-and-tokens.md §3.3).
 *
 * Layout: `ntn_` · kind digit · 10 random digits · 29 random base62 · 6-character base62 CRC-32 of
 * everything before it. The checksum lets Octavo (and scanners) reject look-alike strings without a
 * database read.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const TOKEN_RE = /^ntn_[0-9]{11}[A-Za-z0-9]{35}$/

/** The kind digit: what sort of credential a token is. */
export const TOKEN_KINDS = { internal: '1', personal: '2', oauth_access: '3', oauth_refresh: '4' } as const
export type TokenKind = keyof typeof TOKEN_KINDS

function base62Checksum(text: string): string {
  let n = crc32(Buffer.from(text, 'utf8'))
  let out = ''
  for (let i = 0; i < 6; i++) {
    out = BASE62[n % 62] + out
    n = Math.floor(n / 62)
  }
  return out
}

function randomChars(alphabet: string, count: number): string {
  let out = ''
  for (let i = 0; i < count; i++) out += alphabet[randomInt(alphabet.length)]
  return out
}

/** A fresh token of the given kind (about 206 random bits). */
export function generateToken(kind: TokenKind): string {
  const body = `ntn_${TOKEN_KINDS[kind]}${randomChars('0123456789', 10)}${randomChars(BASE62, 29)}`
  return body + base62Checksum(body)
}

/** True when the text has the token shape and a valid checksum. Does no I/O. */
export function isWellFormedToken(text: string): boolean {
  if (!TOKEN_RE.test(text)) return false
  return base62Checksum(text.slice(0, -6)) === text.slice(-6)
}

/** The kind encoded in a well-formed token, or undefined. */
export function tokenKind(text: string): TokenKind | undefined {
  const digit = text.charAt(4)
  return (Object.keys(TOKEN_KINDS) as TokenKind[]).find((k) => TOKEN_KINDS[k] === digit)
}

/** What may be shown of a token once it is stored: `ntn_…` and its last four characters. */
export function tokenHint(token: string): string {
  return `ntn_…${token.slice(-4)}`
}

/**
 * Why `text` cannot be used as a fixed token of `kind` (fixtures, ADR 23), or undefined when it can:
 * it must be well formed (shape and checksum, see above) and carry `kind`'s digit.
 */
export function fixedTokenProblem(text: string, kind: TokenKind): string | undefined {
  if (!isWellFormedToken(text))
    return 'A fixed token must be a well-formed Octavo token: ntn_, 11 digits and 35 letters or digits ending in its checksum (make one with `octavo fixture token`).'
  if (tokenKind(text) !== kind) return `A fixed ${kind} token starts with ntn_${TOKEN_KINDS[kind]}.`
  return undefined
}

/**
 * A well-formed token of `kind` derived from `seed` (same seed, same token): for fixtures that want
 * a known token in test code. Not secret by construction — use it only for test data.
 */
export function tokenFromSeed(kind: TokenKind, seed: string): string {
  const bytes = createHash('sha512').update(`octavo fixture token|${kind}|${seed}`).digest()
  let digits = ''
  let chars = ''
  for (let i = 0; i < 10; i++) digits += String(bytes[i]! % 10)
  for (let i = 0; i < 29; i++) chars += BASE62[bytes[10 + i]! % 62]
  const body = `ntn_${TOKEN_KINDS[kind]}${digits}${chars}`
  return body + base62Checksum(body)
}
