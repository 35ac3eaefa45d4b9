import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context } from 'hono'
import { BlockList, isIP } from 'node:net'

/**
 * The client address that throttles key on. Behind a reverse proxy the socket peer is the proxy, so
 * every user would share one budget; `X-Forwarded-For` is believed only from configured trusted
 * proxies (`OCTAVO_TRUSTED_PROXIES`), and then only up to the right-most address that is not itself a
 * trusted proxy, which is the one the last trusted hop saw (the same walk as Express's `proxy-addr`).
 * Everything left of it was written by the client and is ignored.
 */

/** Named ranges accepted in `OCTAVO_TRUSTED_PROXIES`, as in `proxy-addr`. */
const NAMED: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
}

/** Hops of `X-Forwarded-For` examined at most (a longer header stops at the last trusted hop). */
const MAX_HOPS = 32

/**
 * An IP address in canonical form: brackets and an IPv6 zone removed, IPv4-mapped IPv6
 * (`::ffff:10.0.0.1`) as IPv4. @returns undefined when `value` is not an IP address (e.g. has a port).
 */
export function normalizeAddress(value: string | undefined): string | undefined {
  if (!value) return undefined
  let a = value.trim()
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1)
  a = a.replace(/%[^%]*$/, '')
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(a)
  if (mapped?.[1]) a = mapped[1]
  return isIP(a) ? a.toLowerCase() : undefined
}

/**
 * Parses trusted proxy entries: IP addresses, CIDR ranges (`10.0.0.0/8`, `fd00::/8`) and the names
 * `loopback`, `linklocal`, `uniquelocal`.
 * @throws Error naming the first malformed entry.
 */
export function parseTrustedProxies(entries: string[]): BlockList {
  const list = new BlockList()
  for (const raw of entries) {
    const entry = raw.trim()
    if (!entry) continue
    for (const item of NAMED[entry.toLowerCase()] ?? [entry]) {
      const [addr, prefix, extra] = item.split('/')
      const ip = normalizeAddress(addr)
      const family = ip ? (isIP(ip) === 6 ? 'ipv6' : 'ipv4') : undefined
      const bits = prefix === undefined ? undefined : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN
      if (!ip || !family || extra !== undefined || Number.isNaN(bits) || (bits !== undefined && bits > (family === 'ipv6' ? 128 : 32))) {
        throw new Error(`Invalid trusted proxy "${entry}": expected an IP address, a CIDR range or loopback|linklocal|uniquelocal.`)
      }
      if (bits === undefined) list.addAddress(ip, family)
      else list.addSubnet(ip, bits, family)
    }
  }
  return list
}

/**
 * The client address for a request that came from socket peer `peer` with `X-Forwarded-For` `xff`:
 * the peer itself unless it is trusted; otherwise the right-most `X-Forwarded-For` address that is not
 * trusted (all trusted: the left-most). A malformed hop ends the walk at the last trusted address.
 * @returns an IP address, or `'unknown'` when the peer is unknown.
 */
export function clientAddressFrom(peer: string | undefined, xff: string | undefined, trusted: BlockList | null): string {
  const first = normalizeAddress(peer)
  if (!first) return 'unknown'
  const isTrusted = (a: string) => trusted !== null && trusted.check(a, isIP(a) === 6 ? 'ipv6' : 'ipv4')
  if (!isTrusted(first)) return first
  const hops = (xff ?? '').split(',')
  let current = first
  for (let i = hops.length - 1, seen = 0; i >= 0 && seen < MAX_HOPS; i--, seen++) {
    if (!hops[i]?.trim()) continue
    const a = normalizeAddress(hops[i])
    if (!a) return current
    current = a
    if (!isTrusted(a)) return a
  }
  return current
}

/** The socket peer's address as @hono/node-server reports it (undefined outside the Node server). */
export function peerAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address
  } catch {
    return undefined
  }
}

/** A per-request client address resolver for the given trusted proxies (none: the socket peer). */
export function clientAddressResolver(trustedProxies: string[]): (c: Context) => string {
  const trusted = trustedProxies.length ? parseTrustedProxies(trustedProxies) : null
  return (c) => clientAddressFrom(peerAddress(c), trusted ? c.req.header('x-forwarded-for') : undefined, trusted)
}
