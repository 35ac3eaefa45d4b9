import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { isPrivateAddress } from '../private-addresses.js'

/**
 * One HTTP POST of a webhook body, bounded: a total time limit (`timeoutMs`, connect to last byte),
 * at most `maxResponseBytes` of the answer read (the rest dropped, the socket closed), no redirect
 * followed (a 3xx is a failed attempt, as any non-2xx), and optionally no loopback, private or
 * link-local address (checked on the resolved address, so a name that resolves to 127.0.0.1 is
 * refused too). Never throws: failures come back as `error`.
 */

export interface PostOptions {
  timeoutMs: number
  maxResponseBytes: number
  allowPrivate: boolean
}

export interface PostResult {
  /** The HTTP status, or null when no answer came. */
  status: number | null
  /** Why the attempt failed without an answer (timeout, refused address, connection error). */
  error: string | null
  durationMs: number
}

/** A DNS lookup that fails for private addresses (used when `allowPrivate` is off). */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0)
    const bad = addresses.find((a) => isPrivateAddress(a.address))
    if (bad || addresses.length === 0) {
      const e = Object.assign(new Error(`The receiver's address ${bad?.address ?? '(none)'} is not allowed.`), { code: 'EPRIVATE' })
      return callback(e, '', 0)
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses)
    const first = addresses[0] as LookupAddress
    callback(null, first.address, first.family)
  })
}

// Connections to receivers are kept alive and reused (one process-wide pool per scheme).
const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 64 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 64 }) }

/**
 * POSTs `body` to `url` with `headers`. See the module comment. A request that fails at once on a
 * kept-alive socket the receiver had just closed (`ECONNRESET`/`EPIPE` on a reused socket: the
 * receiver's idle timeout raced the reuse) is sent again once on a new connection, as Node's
 * documentation advises (`request.reusedSocket`); otherwise such a delivery would wait for its
 * backoff (11 minutes by default) for no fault of the receiver.
 */
export async function postWebhook(url: string, body: string, headers: Record<string, string>, opts: PostOptions): Promise<PostResult> {
  const first = await postOnce(url, body, headers, opts)
  if (!first.staleSocket) return first.result
  const again = await postOnce(url, body, headers, opts, true)
  return { ...again.result, durationMs: again.result.durationMs + first.result.durationMs }
}

function postOnce(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: PostOptions,
  fresh = false,
): Promise<{ result: PostResult; staleSocket: boolean }> {
  const started = performance.now()
  const done = (status: number | null, error: string | null): PostResult => ({
    status,
    error,
    durationMs: Math.round(performance.now() - started),
  })
  return new Promise((resolveWith) => {
    const resolve = (result: PostResult, staleSocket = false) => resolveWith({ result, staleSocket })
    let u: URL
    try {
      u = new URL(url)
    } catch {
      return resolve(done(null, 'The URL is not valid.'))
    }
    const host = u.hostname.replace(/^\[|\]$/g, '')
    if (!opts.allowPrivate && isIP(host) && isPrivateAddress(host))
      return resolve(done(null, `The receiver's address ${host} is not allowed.`))
    let settled = false
    const finish = (r: PostResult, staleSocket = false) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(r, staleSocket)
    }
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest
    const req = send(
      u,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        ...(opts.allowPrivate ? {} : { lookup: publicOnlyLookup }),
        // The retry after a stale kept-alive socket uses a connection of its own.
        agent: fresh ? false : u.protocol === 'https:' ? agents.https : agents.http,
      },
      (res: IncomingMessage) => {
        let read = 0
        res.on('data', (chunk: Buffer) => {
          read += chunk.length
          if (read > opts.maxResponseBytes) {
            finish(done(res.statusCode ?? null, null))
            res.destroy()
          }
        })
        res.on('end', () => finish(done(res.statusCode ?? null, null)))
        res.on('error', () => finish(done(res.statusCode ?? null, null)))
        res.on('close', () => finish(done(res.statusCode ?? null, null)))
      },
    )
    const timer = setTimeout(() => {
      finish(done(null, `No answer within ${opts.timeoutMs} ms.`))
      req.destroy()
    }, opts.timeoutMs)
    req.on('error', (err: NodeJS.ErrnoException) =>
      finish(
        done(null, err.message || err.code || 'Connection failed.'),
        !fresh && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE'),
      ),
    )
    req.end(body)
  })
}
