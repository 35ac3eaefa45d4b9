import { request } from 'node:http'

/**
 * One HTTP/1.1 request with node:http, for what fetch cannot send: a chosen `Host` header (DNS
 * rebinding), `X-Forwarded-For` from the test's own socket, any `Origin`.
 */
export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** The `name=value` pairs of `Set-Cookie`. */
  cookies: string[]
}

export function rawRequest(
  baseUrl: string,
  path: string,
  o: { method?: string; host?: string; headers?: Record<string, string>; form?: Record<string, string>; json?: unknown } = {},
): Promise<RawResponse> {
  const url = new URL(baseUrl)
  const headers: Record<string, string> = { ...o.headers }
  let body: string | undefined
  if (o.form) {
    body = new URLSearchParams(o.form).toString()
    headers['content-type'] = 'application/x-www-form-urlencoded'
  } else if (o.json !== undefined) {
    body = JSON.stringify(o.json)
    headers['content-type'] = 'application/json'
  }
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body))
  headers.host = o.host ?? url.host
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname: url.hostname, port: url.port, path, method: o.method ?? (body !== undefined ? 'POST' : 'GET'), headers, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (d: Buffer) => chunks.push(d))
        res.on('end', () => {
          const setCookie = res.headers['set-cookie'] ?? []
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            cookies: setCookie.map((c) => c.split(';')[0] ?? ''),
          })
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}
