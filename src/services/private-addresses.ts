import { BlockList, isIP } from 'node:net'

/**
 * Which IP addresses are not public: loopback, RFC 1918 and unique-local, CGNAT, link-local,
 * benchmarking, IETF protocol assignments, multicast and reserved ranges, IPv4-mapped IPv6 included.
 * One list for every outbound fetch a token can cause (server-side request forgery): `external_url`
 * file imports (services/file-import.ts) and webhook deliveries (services/webhooks/sender.ts), each
 * behind its own configuration switch.
 */

const PRIVATE = new BlockList()
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4')
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6')

/** Whether an IP address is private, loopback, link-local, multicast or otherwise not public; true for anything that is not an IP address. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 4) return PRIVATE.check(address, 'ipv4')
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
    if (mapped) return PRIVATE.check(mapped[1] as string, 'ipv4')
    return PRIVATE.check(address, 'ipv6')
  }
  return true
}
