import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Key material for tokens, kept outside the database (docs/reference/permissions-and-tokens.md §3.2):
 * - a pepper for `HMAC-SHA-256(pepper, token)`, the only value by which a token is looked up;
 * - a key-encryption key for AES-256-GCM, used only to reveal an internal connection's token again.
 * Both are derived with HKDF from one 32-byte master key (env `OCTAVO_SECRET_KEY` or the key file).
 * Losing the master key makes every token unusable and unrevealable; rotating it needs re-issuing.
 */
export interface Secrets {
  /** Hex HMAC of a token, used as its lookup key. */
  tokenDigest(token: string): string
  /** Constant-time equality of two hex digests. */
  digestsEqual(a: string, b: string): boolean
  /** AES-256-GCM encryption bound to `context` (AAD), returned as base64url `iv.tag.ciphertext`. */
  encrypt(plaintext: string, context: string): string
  /** Inverse of `encrypt`. Throws if the ciphertext or context was tampered with. */
  decrypt(sealed: string, context: string): string
  /**
   * Hex HMAC-SHA-256 of `data` under a key derived for signed file URLs (docs/file-uploads.md): the
   * URL's only protection, so it never leaves the server except inside the URL.
   */
  fileUrlMac(data: string): string
}

/** Builds the secrets from a 32-byte master key. */
export function createSecrets(masterKey: Buffer): Secrets {
  if (masterKey.length !== 32) throw new Error('The Octavo master key must be 32 bytes.')
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), Buffer.from(info), 32))
  const pepper = derive('octavo token digest v1')
  const kek = derive('octavo token encryption v1')
  const fileUrlKey = derive('octavo file url v1')
  return {
    tokenDigest: (token) => createHmac('sha256', pepper).update(token, 'utf8').digest('hex'),
    digestsEqual: (a, b) => {
      const x = Buffer.from(a, 'hex')
      const y = Buffer.from(b, 'hex')
      return x.length === y.length && timingSafeEqual(x, y)
    },
    encrypt: (plaintext, context) => {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', kek, iv)
      cipher.setAAD(Buffer.from(context, 'utf8'))
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      return [iv, cipher.getAuthTag(), ct].map((b) => b.toString('base64url')).join('.')
    },
    fileUrlMac: (data) => createHmac('sha256', fileUrlKey).update(data, 'utf8').digest('hex'),
    decrypt: (sealed, context) => {
      const [iv, tag, ct] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'))
      if (!iv || !tag || !ct) throw new Error('Malformed sealed secret.')
      const decipher = createDecipheriv('aes-256-gcm', kek, iv)
      decipher.setAAD(Buffer.from(context, 'utf8'))
      decipher.setAuthTag(tag)
      return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8')
    },
  }
}

/** Parses a master key given as 64 hex characters or base64 of 32 bytes. */
export function parseMasterKey(text: string): Buffer {
  const t = text.trim()
  const buf = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64')
  if (buf.length !== 32) throw new Error('OCTAVO_SECRET_KEY must be 32 bytes, as 64 hex characters or base64.')
  return buf
}
