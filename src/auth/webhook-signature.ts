import { createHmac, randomBytes } from 'node:crypto'

/**
 * Notion's webhook signature (docs/reference/notion-api-2026.md §7.2): `X-Notion-Signature:
 * sha256=<hex>`, the lowercase hex HMAC-SHA-256 of the exact body bytes sent, keyed by the
 * subscription's verification token (its UTF-8 bytes). The SDK's `verifyWebhookSignature` checks
 * exactly this; the verification handshake is signed the same way.
 */
export function signWebhookBody(body: string, verificationToken: string): string {
  return `sha256=${createHmac('sha256', Buffer.from(verificationToken, 'utf8')).update(body, 'utf8').digest('hex')}`
}

/** A new verification token, shaped like Notion's (`secret_` + 43 base64url characters, 256 bits). */
export function newVerificationToken(): string {
  return `secret_${randomBytes(32).toString('base64url')}`
}
