import type { Context } from 'hono'
import { networkInterfaces } from 'node:os'
import type { AppEnv } from './context.js'

/**
 * Which host names this server answers to, against DNS rebinding (a page on `rebind.evil.test` whose
 * name later resolves to 127.0.0.1 reaches Octavo with `Host: rebind.evil.test:7728` and a matching
 * `Origin`, so neither a Host-derived origin check nor the browser's same-origin policy stops it).
 *
 * Allowed: the host of the public URL (`OCTAVO_PUBLIC_URL`), the listen address (`127.0.0.1:<port>`,
 * `localhost:<port>`, `[::1]:<port>`, the configured listen host, and every local interface address
 * when listening on 0.0.0.0 or ::), and each `OCTAVO_ALLOWED_HOSTS` entry (`name` = that name on any
 * port, `name:port` = that port only). Names an attacker can register never appear here by default.
 *
 * - A `Host` header without a port matches any entry of that name: nginx's `$host` drops the port, and
 *   the name is what a rebinding attacker controls. A `Host` with a port must match the entry's port.
 * - An `Origin` (portal form posts) is compared on scheme (public URL only), host name and effective
 *   port; never with the request's own `Host`.
 */
export interface HostPolicy {
  /** Whether a `Host` header value names this server. Missing or malformed → false. */
  allowsHost(host: string | undefined): boolean
  /** Whether an `Origin` header value is one of this server's origins. Missing or `null` → false. */
  allowsOrigin(origin: string | undefined): boolean
  /** Adds the address the server listens on, once known (port 0 resolved). */
  listening(host: string, port: number): void
}

interface Entry {
  hostname: string
  /** null: any port. */
  port: number | null
  /** null: any scheme. */
  scheme: 'http:' | 'https:' | null
}

const HOST_RE = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?)(?::([0-9]{1,5}))?$/

/** Normalises a host name as the WHATWG URL parser does (case, IPv4 forms, IPv6 compression), or undefined. */
function normalHostname(name: string): string | undefined {
  try {
    return new URL(`http://${name}/`).hostname
  } catch {
    return undefined
  }
}

/**
 * Parses `name` or `name:port` (IPv6 in brackets) as found in a `Host` header or an
 * `OCTAVO_ALLOWED_HOSTS` entry. @returns undefined when malformed.
 */
export function parseHostValue(value: string): { hostname: string; port: number | null } | undefined {
  const m = HOST_RE.exec(value.trim())
  if (!m?.[1]) return undefined
  const hostname = normalHostname(m[1])
  if (!hostname) return undefined
  const port = m[2] === undefined ? null : Number(m[2])
  if (port !== null && port > 65535) return undefined
  return { hostname, port }
}

const UNSPECIFIED = new Set(['0.0.0.0', '::', '[::]'])

/**
 * Builds the policy. `publicUrl` may be undefined (then only the listen address and `allowedHosts`).
 * @throws Error when an `allowedHosts` entry is malformed (the message names it).
 */
export function createHostPolicy(o: { publicUrl?: string | undefined; allowedHosts?: string[] }): HostPolicy {
  const entries: Entry[] = []
  if (o.publicUrl) {
    const u = new URL(o.publicUrl)
    const scheme = u.protocol === 'https:' ? 'https:' : 'http:'
    entries.push({ hostname: u.hostname, port: u.port ? Number(u.port) : scheme === 'https:' ? 443 : 80, scheme })
  }
  for (const raw of o.allowedHosts ?? []) {
    const parsed = parseHostValue(raw)
    if (!parsed) throw new Error(`Invalid allowed host "${raw}": expected name or name:port.`)
    entries.push({ ...parsed, scheme: null })
  }
  const allowedHosts = new Set<string>()
  const matchHost = (e: Entry, hostname: string, port: number | null) =>
    e.hostname === hostname && (e.port === null || port === null || e.port === port)
  return {
    allowsHost(host) {
      if (!host) return false
      // Every request asks: remember the few `Host` values already allowed (never refused ones, so a
      // client cannot grow this), and parse only the others.
      if (allowedHosts.has(host)) return true
      const h = parseHostValue(host)
      const ok = h !== undefined && entries.some((e) => matchHost(e, h.hostname, h.port))
      if (ok && allowedHosts.size < 64) allowedHosts.add(host)
      return ok
    },
    allowsOrigin(origin) {
      if (!origin || origin === 'null') return false
      let u: URL
      try {
        u = new URL(origin)
      } catch {
        return false
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return false
      const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80
      return entries.some(
        (e) => e.hostname === u.hostname && (e.port === null || e.port === port) && (e.scheme === null || e.scheme === u.protocol),
      )
    },
    listening(host, port) {
      const names = ['127.0.0.1', 'localhost', '[::1]']
      if (UNSPECIFIED.has(host)) {
        for (const list of Object.values(networkInterfaces()))
          for (const i of list ?? []) names.push(i.family === 'IPv6' ? `[${i.address.replace(/%.*$/, '')}]` : i.address)
      } else names.push(host.includes(':') && !host.startsWith('[') ? `[${host}]` : host)
      for (const n of names) {
        const hostname = normalHostname(n)
        if (hostname) entries.push({ hostname, port, scheme: null })
      }
    },
  }
}

/** Notion's `/v1` and the admin surfaces answer JSON envelopes; the OAuth client endpoints their own shape. */
const OAUTH_CLIENT_PATH = /^\/v1\/oauth\/(?:token|introspect|revoke)\/?$/
const JSON_PATH = /^\/(?:v1|_octavo|admin\/v1|healthz|readyz|metrics)(?:\/|$)/
const MESSAGE =
  'This server does not answer to that host name. Use the address in OCTAVO_PUBLIC_URL, or add the name to OCTAVO_ALLOWED_HOSTS.'

/**
 * 421 Misdirected Request (RFC 9110 §15.5.20) in the shape of the surface the path belongs to: the
 * front door's answer (http/middleware/front-door.ts), before any route runs, to every request whose
 * `Host` the policy does not allow: Notion's error envelope on `/v1`, `/_octavo`, `/admin/v1` and the
 * operations endpoints, `{error, error_description}` on the OAuth client endpoints, and a plain HTML
 * page elsewhere (portal).
 */
export function misdirected(c: Context<AppEnv>): Response {
  const requestId = c.get('requestId') ?? ''
  const path = c.req.path
  c.header('Cache-Control', 'no-store')
  if (OAUTH_CLIENT_PATH.test(path)) return c.json({ error: 'invalid_request', error_description: MESSAGE, request_id: requestId }, 421)
  if (JSON_PATH.test(path) && !path.startsWith('/v1/oauth/authorize')) {
    // Notion has no code for a wrong Host; `invalid_request` is the SDK's generic code for a request
    // Notion does not serve (docs/reference/notion-api.md §3, "Unsupported request"), so the SDK raises an APIResponseError
    // carrying status 421 and this message instead of an UnknownHTTPResponseError.
    return c.json({ object: 'error', status: 421, code: 'invalid_request', message: MESSAGE, request_id: requestId }, 421)
  }
  c.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'")
  c.header('X-Content-Type-Options', 'nosniff')
  return c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Misdirected request</title></head><body><h1>Misdirected request</h1><p>${MESSAGE}</p></body></html>`,
    421,
  )
}
