import { pino, type Logger } from 'pino'

/**
 * Structured JSON logs (pino). Secrets never reach a log line: the authorization header, cookies and
 * anything named like a token or key are redacted by path, and request logs carry only method, path,
 * status, duration and the request id.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'octavo' },
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
