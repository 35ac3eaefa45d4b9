import { lookup as dnsLookup } from 'node:dns'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { isPrivateAddress } from './private-addresses.js'
import { validationError } from '../errors/notion-error.js'

/**
 * Fetching the file of an `external_url` upload (issue 14; docs/file-uploads.md;
 * docs/reference/notion-api-2026.md §1.4): HTTPS only, at most `MAX_REDIRECTS` redirects, a
 * timeout for the whole download and a size cap, and no private, loopback, link-local or other
 * non-public address (server-side request forgery) unless `allowPrivate` (a configuration switch
 * for local testing, which also allows plain `http:`). Addresses are checked when the connection is
 * made (a `lookup` hook), so a name that resolves differently the second time cannot slip through.
 */

export const MAX_REDIRECTS = 3

export { isPrivateAddress }

/** A failed import, reported in `file_import_result.error`. */
export class ImportError extends Error {
  constructor(
    readonly type: 'validation_error' | 'download_error' | 'upload_error' | 'internal_system_error',
    readonly code: string,
    message: string,
    readonly statusCode: number | null = null,
  ) {
    super(message)
    this.name = 'ImportError'
  }
}

export interface ImportOptions {
  allowPrivate: boolean
  timeoutMs: number
  maxBytes: number
}

/**
 * Checks an `external_url` at create time: an absolute `https:` URL (or `http:` with `allowPrivate`)
 * without credentials, whose host is not a literal private address.
 * @throws NotionApiError validation_error
 */
export function checkImportUrl(text: string, allowPrivate: boolean): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw validationError('body failed validation: body.external_url should be a valid URL.')
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
    throw validationError('The external_url must be an HTTPS URL of a publicly reachable file.')
  }
  if (url.username || url.password) throw validationError('The external_url must not contain credentials.')
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (!allowPrivate && (isIP(host) ? isPrivateAddress(host) : host === 'localhost' || host.endsWith('.localhost'))) {
    throw validationError('The external_url must point to a publicly reachable host.')
  }
  return url
}

/** A `lookup` for http(s).request that refuses private addresses. */
function safeLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4)
      const list = addresses as unknown as { address: string; family: number }[]
      const ok = allowPrivate ? list : list.filter((a) => !isPrivateAddress(a.address))
      if (ok.length === 0 || ok.length !== list.length) {
        const e = Object.assign(new Error(`${hostname} resolves to a non-public address.`), { code: 'EPRIVATE' })
        return callback(e, '', 4)
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list)
      const first = list[0] as { address: string; family: number }
      callback(null, first.address, first.family)
    })
  }
}

function get(url: URL, opts: ImportOptions, signal: AbortSignal): Promise<IncomingMessage> {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (!opts.allowPrivate && isIP(host) && isPrivateAddress(host)) {
    return Promise.reject(
      new ImportError('validation_error', 'file_import_private_address', 'The external_url points to a non-public address.'),
    )
  }
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'GET', lookup: safeLookup(opts.allowPrivate), signal, headers: { 'user-agent': 'Octavo file import' } },
      resolve,
    )
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPRIVATE')
        reject(new ImportError('validation_error', 'file_import_private_address', 'The external_url points to a non-public address.'))
      else if (err.name === 'AbortError')
        reject(new ImportError('download_error', 'file_import_timeout', 'Downloading the external file timed out.'))
      else
        reject(
          new ImportError(
            'download_error',
            'file_import_download_failed',
            `Downloading the external file failed (${err.code ?? err.message}).`,
          ),
        )
    })
    req.end()
  })
}

/** A fetched external file: its body (consume it or destroy it) and what the server said about it. */
export interface FetchedFile {
  body: IncomingMessage
  contentType: string | null
  contentLength: number | null
  /** The last path segment of the final URL, or null. */
  filename: string | null
}

/**
 * GETs `url`, following at most `MAX_REDIRECTS` redirects (each re-checked), refusing non-2xx
 * answers and a declared length over `maxBytes`. The caller streams `body` (the size cap must be
 * enforced while streaming as well; the declared length may lie) within `signal`.
 * @throws ImportError
 */
export async function fetchExternalFile(start: URL, opts: ImportOptions, signal: AbortSignal): Promise<FetchedFile> {
  let url = start
  for (let hop = 0; ; hop++) {
    const res = await get(url, opts, signal)
    const status = res.statusCode ?? 0
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume()
      if (hop >= MAX_REDIRECTS)
        throw new ImportError(
          'download_error',
          'file_import_too_many_redirects',
          `The external_url redirected more than ${MAX_REDIRECTS} times.`,
          status,
        )
      let next: URL
      try {
        next = new URL(res.headers.location, url)
      } catch {
        throw new ImportError('download_error', 'file_import_bad_redirect', 'The external_url redirected to an invalid URL.', status)
      }
      if (next.protocol !== 'https:' && !(opts.allowPrivate && next.protocol === 'http:')) {
        throw new ImportError(
          'validation_error',
          'file_import_bad_redirect',
          'The external_url redirected to a URL that is not HTTPS.',
          status,
        )
      }
      url = next
      continue
    }
    if (status < 200 || status >= 300) {
      res.resume()
      throw new ImportError(
        'download_error',
        'file_import_http_error',
        `The external file could not be downloaded (HTTP ${status}).`,
        status,
      )
    }
    const declared = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : null
    if (declared !== null && Number.isFinite(declared) && declared > opts.maxBytes) {
      res.destroy()
      throw new ImportError('validation_error', 'file_upload_invalid_size', sizeMessage(opts.maxBytes), status)
    }
    const segment = decodeURIComponentSafe(url.pathname.split('/').pop() ?? '')
    return {
      body: res,
      contentType: res.headers['content-type'] ?? null,
      contentLength: declared !== null && Number.isFinite(declared) ? declared : null,
      filename: segment || null,
    }
  }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** "5 MiB", "5 GiB", "20 MiB" for a byte count. */
export function formatBytes(n: number): string {
  if (n >= 1024 ** 3 && n % 1024 ** 3 === 0) return `${n / 1024 ** 3} GiB`
  if (n >= 1024 ** 2 && n % 1024 ** 2 === 0) return `${n / 1024 ** 2} MiB`
  return `${n} bytes`
}

/** Notion's over-the-limit wording (docs/reference/notion-api-2026.md §1.4, external_url imports). */
export function sizeMessage(limit: number): string {
  return `The file size is not within the allowed limit of ${formatBytes(limit)}. Please try again with a new file upload.`
}
