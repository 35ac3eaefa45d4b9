import type { Command } from 'commander'
import { loadConfig, type Config } from '../config.js'
import { parseId } from '../domain/ids.js'
import { DomainError } from '../errors/domain-error.js'
import { NotionApiError } from '../errors/notion-error.js'
import { createLogger } from '../logger.js'
import type { Capabilities } from '../permissions/capabilities.js'
import { createDeps } from '../server.js'
import type { Deps } from '../services/deps.js'
import type { MemberRole, UserInfoLevel } from '../storage/database.js'

/**
 * What every CLI command shares: the global options (`--data-dir`, `--json`), opening the store
 * through the same `createDeps` the server uses, printing a result either as JSON or for a person,
 * and turning failures into one line on stderr and exit code 1.
 */

export interface GlobalOptions {
  dataDir?: string
  json?: boolean
  /** `--config <file>`: JSON settings file (else `OCTAVO_CONFIG`). */
  config?: string
}

/** The program-level options, wherever they were given on the command line. */
export function globalsOf(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions
}

/** The configuration for a command (`OCTAVO_*` variables; `--data-dir` wins over `OCTAVO_DATA_DIR`). */
export function configFor(cmd: Command, overrides: Partial<Pick<Config, 'host' | 'port' | 'demo'>> = {}): Config {
  const { dataDir, config } = globalsOf(cmd)
  return loadConfig(process.env, { ...overrides, ...(dataDir ? { dataDir } : {}), ...(config ? { configFile: config } : {}) })
}

/**
 * Runs a store command: opens the store, runs `fn`, prints what it returns (`json` with `--json`,
 * else `human(result)`), and closes the store. Failures propagate to `main` (see `reportError`).
 */
export async function withStore<T>(cmd: Command, fn: (deps: Deps) => Promise<T>, human: (result: T) => string): Promise<void> {
  const config = configFor(cmd)
  // Commands are short-lived: only errors are logged (to stderr) unless OCTAVO_LOG_LEVEL says otherwise.
  const logger = createLogger(process.env.OCTAVO_LOG_LEVEL ?? 'error', process.stderr)
  const deps = await createDeps(config, { logger })
  try {
    const result = await fn(deps)
    print(cmd, result, human)
  } finally {
    await deps.store.close()
  }
}

/**
 * Prints a command's result: one JSON document with `--json` (indented, or on one line when
 * `compact`), else the human-readable text.
 */
export function print<T>(cmd: Command, result: T, human: (result: T) => string, compact = false): void {
  if (globalsOf(cmd).json) process.stdout.write(`${JSON.stringify(result, null, compact ? undefined : 2)}\n`)
  else {
    const text = human(result)
    if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
  }
}

/**
 * Reports a failure: one line `octavo: <message>` on stderr (and, with `--json`, an
 * `{"error":{code,message}}` document on stdout), and exit code 1. Domain errors carry a message
 * written for a person ("Only workspace owners can create internal connections. …").
 */
export function reportError(err: unknown, json: boolean): void {
  const code = err instanceof DomainError || err instanceof NotionApiError ? err.code : 'error'
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'Unknown error'
  if (json) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`)
  process.stderr.write(`octavo: ${message}\n`)
  process.exitCode = 1
}

/** Parses a UUID argument (dashed or not). @throws DomainError invalid_input */
export function uuidArg(value: string, name: string): string {
  const id = parseId(value)
  if (!id) throw new DomainError('invalid_input', `${name} must be a UUID, got "${value}".`)
  return id
}

/**
 * Parses `"Name <email>"` (or a bare e-mail, whose local part becomes the name).
 * @throws DomainError invalid_input
 */
export function parsePerson(text: string, role: MemberRole): { name: string; email: string; role: MemberRole } {
  const m = /^\s*(.*?)\s*<\s*([^<>\s]+@[^<>\s]+\.[^<>\s]+)\s*>\s*$/.exec(text)
  if (m) return { name: m[1] || (m[2] as string).split('@')[0] || (m[2] as string), email: (m[2] as string).toLowerCase(), role }
  const bare = /^\s*([^<>\s]+@[^<>\s]+\.[^<>\s]+)\s*$/.exec(text)
  if (bare) return { name: (bare[1] as string).split('@')[0] as string, email: (bare[1] as string).toLowerCase(), role }
  throw new DomainError('invalid_input', `Expected a person as "Name <email>", got "${text}".`)
}

export const CAPABILITY_NAMES = ['read_content', 'update_content', 'insert_content', 'read_comments', 'insert_comments'] as const
export const USER_INFO_LEVELS = ['none', 'without_email', 'with_email'] as const

/**
 * Parses `--capabilities read_content,insert_comments` into the exact set of content and comment
 * capabilities (the listed ones on, the others off); `""` or `none` turns them all off.
 * @throws DomainError invalid_input for an unknown name.
 */
export function parseCapabilities(list: string): Omit<Capabilities, 'userInfo'> {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s && s !== 'none')
  for (const n of names) {
    if (!(CAPABILITY_NAMES as readonly string[]).includes(n)) {
      throw new DomainError('invalid_input', `Unknown capability "${n}"; use ${CAPABILITY_NAMES.join(', ')}.`)
    }
  }
  return {
    readContent: names.includes('read_content'),
    updateContent: names.includes('update_content'),
    insertContent: names.includes('insert_content'),
    readComments: names.includes('read_comments'),
    insertComments: names.includes('insert_comments'),
  }
}

/** Whether `v` is a user-information capability level (`none`, `without_email`, `with_email`). */
export function isUserInfoLevel(v: string): v is UserInfoLevel {
  return (USER_INFO_LEVELS as readonly string[]).includes(v)
}

/** `read_content, insert_content; user info: none` */
export function describeCapabilities(c: Capabilities): string {
  const on = [
    c.readContent && 'read_content',
    c.updateContent && 'update_content',
    c.insertContent && 'insert_content',
    c.readComments && 'read_comments',
    c.insertComments && 'insert_comments',
  ].filter(Boolean)
  return `${on.length ? on.join(', ') : 'no content or comment capabilities'}; user info: ${c.userInfo}`
}

/** Left-aligned columns for human-readable tables. */
export function columns(rows: string[][], indent = ''): string {
  const widths: number[] = []
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  return rows.map((r) => indent + r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n')
}
