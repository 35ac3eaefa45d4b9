import { pino, type Logger } from 'pino'

/**
 * Token-shaped text: Octavo's and Notion's bearer tokens (`ntn_…`, src/auth/token-format.ts),
 * OAuth client secrets and Notion's legacy integration tokens (`secret_…`, 43 base62), and the
 * admin key (`octavo_admin_…`), also with the underscore percent-encoded as in a URL. Shorter runs
 * (`secret_hint`) are not tokens.
 */
const TOKEN_SHAPED = /(?:ntn|secret|octavo_admin)(?:_|%5[fF])[A-Za-z0-9_-]{16,}/g

/** The signature of a signed file URL (services/file-urls.ts), which works without a token. */
const FILE_URL_SIGNATURE = /(signature(?:=|%3[dD]))[0-9a-f]{64}/g

/** `text` with every token-shaped run (and file-URL signature) replaced by `[redacted]`. Pure; safe on any string. */
export function redactTokens(text: string): string {
  return text.replace(TOKEN_SHAPED, '[redacted]').replace(FILE_URL_SIGNATURE, '$1[redacted]')
}

/**
 * Structured JSON logs (pino). Secrets never reach a log line: the authorization header, cookies and
 * anything named like a token or key are redacted by path, request logs carry only method, path,
 * status, duration and the request id, and every line is scanned before it is written so that a
 * token-shaped string anywhere (a token pasted into a URL path, an error message quoting a request)
 * is replaced by `[redacted]`.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'octavo' },
      hooks: { streamWrite: redactTokens },
      redact: {
        paths: [
          'authorization',
          '*.authorization',
          'headers.authorization',
          'req.headers.authorization',
          'token',
          '*.token',
          'secret',
          '*.secret',
          'adminKey',
          '*.adminKey',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? process.stdout,
  )
}

export type { Logger }
