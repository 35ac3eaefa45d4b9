import { expect } from 'vitest'
import type { TestServer } from './harness.js'

/**
 * A cookie-keeping browser stand-in for the portal over plain HTTP: GETs, and form posts with the
 * portal's `Origin` as browsers send it. Repeated fields (`string[]`) are sent once per value.
 */
export class PortalAgent {
  cookies = new Map<string, string>()
  constructor(private readonly base: string) {}

  async req(path: string, form?: Record<string, string | string[]>): Promise<{ status: number; location: string | null; text: string }> {
    const headers = new Headers()
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    let body: string | undefined
    if (form) {
      const p = new URLSearchParams()
      for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x)
      body = p.toString()
      headers.set('content-type', 'application/x-www-form-urlencoded')
      headers.set('origin', this.base)
    }
    const res = await fetch(`${this.base}${path}`, { method: form ? 'POST' : 'GET', headers, body, redirect: 'manual' })
    for (const c of res.headers.getSetCookie()) {
      const [k, v] = (c.split(';')[0] ?? '').split('=')
      if (k) this.cookies.set(k, v ?? '')
    }
    return { status: res.status, location: res.headers.get('location'), text: await res.text() }
  }

  /** The CSRF token of the form on `path`. @throws Error when the page has none. */
  async csrf(path: string): Promise<string> {
    const m = /name="_csrf" value="([^"]+)"/.exec((await this.req(path)).text)
    if (!m?.[1]) throw new Error(`no CSRF field on ${path}`)
    return m[1]
  }

  /** Signs in over HTTP (`POST /login`); expects the 303 of a successful sign-in. */
  static async signedIn(server: TestServer, email: string, password: string): Promise<PortalAgent> {
    const a = new PortalAgent(server.url)
    expect((await a.req('/login', { email, password, next: '/' })).status, `sign in ${email}`).toBe(303)
    return a
  }
}
