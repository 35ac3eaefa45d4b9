import { describe, expect, it } from 'vitest'
import { clientAddressFrom, parseTrustedProxies } from './client-address.js'

/** The right-most-untrusted walk over `X-Forwarded-For` (what `proxy-addr` does), and its configuration. */
describe('client address behind trusted proxies', () => {
  const trusted = parseTrustedProxies(['127.0.0.1', '10.0.0.0/8', 'fd00::/8'])
  const cases: [peer: string, xff: string | undefined, expected: string][] = [
    ['203.0.113.9', '198.51.100.1', '203.0.113.9'], // untrusted peer: its header is ignored
    ['127.0.0.1', undefined, '127.0.0.1'], // trusted peer, no header: the peer
    ['127.0.0.1', '198.51.100.1', '198.51.100.1'],
    ['127.0.0.1', '1.1.1.1, 198.51.100.1', '198.51.100.1'], // the client's own entries are left of nginx's
    ['127.0.0.1', '198.51.100.1, 10.1.2.3', '198.51.100.1'], // trusted hops are skipped
    ['::ffff:127.0.0.1', '198.51.100.1', '198.51.100.1'], // IPv4-mapped peer
    ['fd00::1', '2001:db8::1', '2001:db8::1'],
    ['127.0.0.1', '10.0.0.1, 10.0.0.2', '10.0.0.1'], // all trusted: the left-most
    ['127.0.0.1', 'garbage, 10.0.0.2', '10.0.0.2'], // a malformed hop stops at the last trusted one
    ['127.0.0.1', '198.51.100.1:5555', '127.0.0.1'],
    ['127.0.0.1', ' , 198.51.100.7 ,', '198.51.100.7'],
  ]
  it.each(cases)('peer %s, X-Forwarded-For %s → %s', (peer, xff, expected) => {
    expect(clientAddressFrom(peer, xff, trusted)).toBe(expected)
  })

  it('without trusted proxies the peer is the client', () => {
    expect(clientAddressFrom('127.0.0.1', '198.51.100.1', null)).toBe('127.0.0.1')
    expect(clientAddressFrom(undefined, '198.51.100.1', trusted)).toBe('unknown')
  })

  it('accepts loopback|linklocal|uniquelocal and refuses malformed entries', () => {
    const named = parseTrustedProxies(['loopback', 'uniquelocal'])
    expect(clientAddressFrom('127.0.0.5', '192.168.1.2, 198.51.100.3', named)).toBe('198.51.100.3')
    for (const bad of ['10.0.0.0/33', 'example.com', '10.0.0.1/8/8', '::1/129', '1.2.3.4:80'])
      expect(() => parseTrustedProxies([bad]), bad).toThrow(/Invalid trusted proxy/)
  })
})
