import { DomainError } from '../errors/domain-error.js'
import type { Capabilities } from '../permissions/capabilities.js'
import { csrfValid, type PortalContext } from './session.js'

/** A parsed form: each field's value, or its values when repeated (checkbox lists). */
export type FormData = Record<string, string | string[]>

/**
 * Parses a urlencoded or multipart form body, keeping text fields only (files are dropped). Field
 * names are own keys of a prototype-less object, so `__proto__` or `constructor` are just names; the
 * NUL character is dropped from names and values.
 * @throws DomainError invalid_input when the body cannot be parsed as the form its content type
 *   announces (e.g. a multipart type without a valid multipart body).
 */
export async function readForm(c: PortalContext): Promise<FormData> {
  let body: Record<string, unknown>
  try {
    body = await c.req.parseBody({ all: true })
  } catch {
    throw new DomainError('invalid_input', 'The form could not be read. Reload the page and try again.')
  }
  const out: FormData = Object.create(null) as FormData
  // U+0000 is dropped from names and values, as from JSON bodies (http/body.ts parseJsonText):
  // PostgreSQL text cannot hold it.
  const clean = (x: string) => (x.includes('\u0000') ? x.replaceAll('\u0000', '') : x)
  for (const [key, v] of Object.entries(body)) {
    const k = clean(key)
    if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string').map(clean)
    else if (typeof v === 'string') out[k] = clean(v)
  }
  return out
}

/**
 * Parses a form and checks its per-session CSRF token (`_csrf`).
 * @throws DomainError forbidden when the token is missing or wrong.
 */
export async function readCheckedForm(c: PortalContext): Promise<FormData> {
  const f = await readForm(c)
  if (!csrfValid(c, f._csrf))
    throw new DomainError('forbidden', 'This form has expired or came from another site. Reload the page and try again.')
  return f
}

/** A field's first value, or `''`. */
export const one = (f: FormData, k: string): string => {
  const v = f[k]
  return (Array.isArray(v) ? v[0] : v) ?? ''
}

/** A field's values (none, one or many). */
export const many = (f: FormData, k: string): string[] => {
  const v = f[k]
  return v === undefined ? [] : Array.isArray(v) ? v : [v]
}

/**
 * The capability checkboxes shared by the internal- and public-connection forms: five content and
 * comment boxes (`on` when checked) and the `user_info` level (`fallback` when absent).
 * @throws DomainError invalid_input for an unknown user information level.
 */
export function capabilitiesFromForm(f: FormData, fallback?: Capabilities['userInfo']): Capabilities {
  const userInfo = one(f, 'user_info') || fallback
  if (userInfo !== 'none' && userInfo !== 'without_email' && userInfo !== 'with_email')
    throw new DomainError('invalid_input', 'Choose one user information level.')
  return {
    readContent: one(f, 'read_content') === 'on',
    updateContent: one(f, 'update_content') === 'on',
    insertContent: one(f, 'insert_content') === 'on',
    readComments: one(f, 'read_comments') === 'on',
    insertComments: one(f, 'insert_comments') === 'on',
    userInfo,
  }
}
