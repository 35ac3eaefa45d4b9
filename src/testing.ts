import type { Client } from '@notionhq/client'
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig, type Config } from './config.js'
import { adjustableClock, parseDuration, type AdjustableClock, type ClockState } from './domain/clock.js'
import type { FixtureInput } from './domain/fixture.js'
import { createLogger } from './logger.js'
import { startServer, type RunningServer } from './server.js'
import type { JournalEntry, JournalFilter } from './http/emulator/journal.js'
import type { Faults } from './http/emulator/faults.js'
import { createSqliteStore, migratedSqliteImage } from './storage/store.js'
import { loadFixture, type LoadedFixture, type LoadedWorkspace } from './services/fixtures.service.js'
import { listSnapshots, restoreSnapshot, saveSnapshot, type SnapshotInfo } from './services/snapshots.service.js'

/**
 * `octavo/testing`: Octavo inside the test's own process (ADR 23, docs/testing.md), in the manner of
 * moto's decorators and Firebase's emulator helpers. `startOctavo()` opens an in-memory SQLite store,
 * loads a fixture (by default a small workspace with one connection) through the services, listens on
 * 127.0.0.1 on a free port, and hands back the base URL, ready `@notionhq/client` clients with their
 * tokens, and the emulator controls: `reset()`, `snapshot()` / `restore()`, `clock`, `journal()` (the
 * request journal with explained denials, ADR 22), `faults` (fault rules), `admin()` and `close()`.
 *
 * Needs `@notionhq/client` (a peer dependency) for `client()` / `notion`.
 */

/** What `startOctavo` accepts. Every field is optional. */
export interface StartOctavoOptions {
  /**
   * The state to start from: a fixture object (docs/fixture.schema.json), the path of a JSON fixture
   * file, or `'empty'` for an empty store. Default: DEFAULT_FIXTURE (workspace "Acme", owner Ada,
   * page "Home" shared with connection "Integration").
   */
  fixture?: FixtureInput | string | 'empty'
  /** Start with the clock frozen at this time (ISO-8601 or Date); default: the wall clock. */
  frozenAt?: string | Date
  /**
   * Notion's request limits (`429 rate_limited`): off by default; `true` for Notion's budgets, or
   * your own per-minute numbers.
   */
  rateLimits?: boolean | { connectionPerMinute?: number; workspacePerMinute?: number }
  /** Options for every SDK client made by `client()` (e.g. `{ retry: false }` or a `notionVersion`). */
  clientOptions?: Omit<ClientOptions, 'auth' | 'baseUrl'>
  /** pino level for the server's log (default `silent`). */
  logLevel?: 'silent' | 'error' | 'warn' | 'info' | 'debug'
  /** A store URL instead of the in-memory one (e.g. a PostgreSQL `?schema=` of your own). */
  databaseUrl?: string
}

/** The clock as the test library exposes it: the server's own, moved in-process. */
export interface TestClock {
  /** The server time now. */
  now(): Date
  /** Stops time (at `at`, or now). */
  freeze(at?: string | Date): ClockState
  /** Jumps to `at`. */
  set(at: string | Date): ClockState
  /** Moves forward by milliseconds or a duration text (`'90d'`, `'10m'`, `'1h30m'`, `'250ms'`). */
  advance(by: number | string): ClockState
  /** Back to the wall clock. */
  resume(): ClockState
  state(): ClockState
}

/** A running in-process Octavo. */
export interface Octavo {
  /** `http://127.0.0.1:<port>`: the SDK's `baseUrl`. */
  url: string
  /** The admin API's bearer key (random per start). */
  adminKey: string
  /** Ids, tokens and client secrets of everything the fixture made (empty for `'empty'`). */
  fixture: LoadedFixture
  /** The fixture's first workspace (undefined for `'empty'`). */
  workspace: LoadedWorkspace | undefined
  /** Every token the fixture made: connections by name, then PATs by name. */
  tokens: Record<string, string>
  /** An SDK client for the fixture's first connection (throws when it has none). */
  notion: Client
  /** An SDK client for a token, or for a connection / PAT of the fixture by name. */
  client(tokenOrName: string, options?: Omit<ClientOptions, 'auth' | 'baseUrl'>): Client
  /** Back to the state right after start (the fixture loaded), in a few milliseconds. */
  reset(): Promise<void>
  /** Saves the whole store as snapshot `name` (default `"default"`). */
  snapshot(name?: string): Promise<SnapshotInfo>
  /** Restores snapshot `name` (default `"default"`). @throws when there is none. */
  restore(name?: string): Promise<SnapshotInfo>
  /** The snapshots held. */
  snapshots(): SnapshotInfo[]
  /** Loads another fixture on top (or, with `reset`, instead). */
  load(fixture: FixtureInput | string, opts?: { reset?: boolean }): Promise<LoadedFixture>
  /** The server clock: PAT expiry, OAuth codes, timestamps and rate-limit windows follow it. */
  clock: TestClock
  /**
   * The request journal, newest first: each `/v1` request with its caller, SDK endpoint, status, Notion
   * error code and, for a refusal, the explanation (docs/emulator.md). `filter` as the admin API's.
   */
  journal(filter?: JournalFilter): JournalEntry[]
  /** Fault rules: `add({endpoint, error | latency | drop, times?, probability?, seed?})`, `list()`, `remove(id)`, `clear()`. */
  faults: Faults
  /** Calls the admin API (`/_octavo/admin<path>`); resolves to `{status, body}`. */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>
  /** The underlying server (deps, limiter) for advanced use. */
  server: RunningServer
  /** Stops the server and frees the store. */
  close(): Promise<void>
}

/** The fixture `startOctavo()` loads when given none: the smallest useful workspace. */
export const DEFAULT_FIXTURE: FixtureInput = {
  workspaces: [
    {
      name: 'Acme',
      plan: 'free',
      people: [
        { name: 'Ada Owner', email: 'ada@acme.test', role: 'owner' },
        { name: 'Bob Member', email: 'bob@acme.test', role: 'member' },
      ],
      pages: [
        {
          key: 'home',
          title: 'Home',
          content: [{ paragraph: { rich_text: [{ text: { content: 'Welcome to Acme.' } }] } }],
        },
        { key: 'private', title: 'Private', content: [] },
      ],
      connections: [{ name: 'Integration', shared_with: ['home'] }],
    },
  ],
}

/** The SDK's constructor options. */
export type ClientOptions = NonNullable<ConstructorParameters<typeof Client>[0]>

const START_SNAPSHOT = 'octavo-start'
let migrated: Promise<Buffer> | undefined

async function readFixture(fixture: FixtureInput | string): Promise<unknown> {
  if (typeof fixture !== 'string') return fixture
  return JSON.parse(await readFile(fixture, 'utf8')) as unknown
}

const toMs = (at: string | Date): number => {
  const ms = at instanceof Date ? at.getTime() : Date.parse(at)
  if (Number.isNaN(ms)) throw new RangeError(`Not a date-time: ${String(at)}`)
  return ms
}

function testClock(clock: AdjustableClock): TestClock {
  return {
    now: () => new Date(clock.now()),
    freeze: (at) => clock.freeze(at === undefined ? undefined : toMs(at)),
    set: (at) => clock.set(toMs(at)),
    advance: (by) => {
      const ms = typeof by === 'number' ? by : parseDuration(by)
      if (ms === undefined) throw new RangeError(`Not a duration: ${String(by)} (e.g. 90d, 10m, 1h30m, 250ms)`)
      return clock.advance(ms)
    },
    resume: () => clock.resume(),
    state: () => clock.state(),
  }
}

/**
 * Starts Octavo in this process. Resolves once it listens and the fixture is loaded.
 * @throws Error when the fixture is invalid (its message names the place) or the store cannot open.
 */
export async function startOctavo(options: StartOctavoOptions = {}): Promise<Octavo> {
  const sdk = await import('@notionhq/client').catch(() => {
    throw new Error('octavo/testing needs @notionhq/client: npm install --save-dev @notionhq/client')
  })
  const adminKey = `octavo_admin_${randomBytes(18).toString('base64url')}`
  const config: Config = loadConfig({
    OCTAVO_DATA_DIR: join(tmpdir(), 'octavo-testing'),
    OCTAVO_DATABASE_URL: options.databaseUrl ?? ':memory:',
    OCTAVO_SECRET_KEY: randomBytes(32).toString('hex'),
    OCTAVO_ADMIN_KEY: adminKey,
    OCTAVO_HOST: '127.0.0.1',
    OCTAVO_PORT: '0',
    OCTAVO_DEMO: 'off',
    OCTAVO_LOG_LEVEL: options.logLevel ?? 'silent',
  })
  const limits = options.rateLimits
  config.rateLimits = {
    ...config.rateLimits,
    enabled: limits !== undefined && limits !== false,
    ...(typeof limits === 'object' && limits.connectionPerMinute
      ? { connectionPerMinute: limits.connectionPerMinute, connectionPerMinuteBusiness: limits.connectionPerMinute }
      : {}),
    ...(typeof limits === 'object' && limits.workspacePerMinute
      ? { workspacePerMinute: limits.workspacePerMinute, workspacePerMinuteBusiness: limits.workspacePerMinute }
      : {}),
  }
  const clock = adjustableClock()
  if (options.frozenAt !== undefined) clock.freeze(toMs(options.frozenAt))
  // The in-memory store starts from a copy of one migrated per process (migrations run once).
  const store = options.databaseUrl ? undefined : await createSqliteStore(':memory:', { from: await (migrated ??= migratedSqliteImage()) })
  const server = await startServer(config, { clock, logger: createLogger(config.logLevel), ...(store ? { store } : {}) })
  const deps = server.deps
  let fixture: LoadedFixture = { workspaces: [] }
  try {
    if (options.fixture !== 'empty') fixture = await loadFixture(deps, await readFixture(options.fixture ?? DEFAULT_FIXTURE))
    await saveSnapshot(deps, START_SNAPSHOT)
  } catch (err) {
    await server.close()
    throw err
  }
  const tokens: Record<string, string> = {}
  const collect = (f: LoadedFixture) => {
    for (const w of f.workspaces) {
      for (const [name, c] of Object.entries(w.connections)) tokens[name] = c.token
      for (const [name, p] of Object.entries(w.personal_access_tokens)) tokens[name] ??= p.token
    }
  }
  collect(fixture)
  const client = (tokenOrName: string, more: Omit<ClientOptions, 'auth' | 'baseUrl'> = {}): Client =>
    new sdk.Client({ ...options.clientOptions, ...more, auth: tokens[tokenOrName] ?? tokenOrName, baseUrl: server.url })
  const first = fixture.workspaces[0] && Object.values(fixture.workspaces[0].connections)[0]
  let notion: Client | undefined
  return {
    url: server.url,
    adminKey,
    fixture,
    workspace: fixture.workspaces[0],
    tokens,
    get notion(): Client {
      if (!first) throw new Error('The fixture made no connection, so there is no default client; use client(token).')
      return (notion ??= client(first.token))
    },
    client,
    reset: async () => {
      await restoreSnapshot(deps, START_SNAPSHOT)
    },
    snapshot: (name = 'default') => saveSnapshot(deps, name),
    restore: (name = 'default') => restoreSnapshot(deps, name),
    snapshots: () => listSnapshots(deps).filter((s) => s.name !== START_SNAPSHOT),
    load: async (more, opts = {}) => {
      const loaded = await loadFixture(deps, await readFixture(more), opts)
      collect(loaded)
      return loaded
    },
    clock: testClock(clock),
    journal: (filter) => server.emulator.journal.list(filter),
    faults: server.emulator.faults,
    admin: async (method, path, body) => {
      const res = await fetch(`${server.url}/_octavo/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      return { status: res.status, body: (await res.json()) as any }
    },
    server,
    close: () => server.close(),
  }
}

export type { ClockState, FixtureInput, JournalEntry, JournalFilter, LoadedFixture, LoadedWorkspace, SnapshotInfo }
