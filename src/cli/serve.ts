import type { Command } from 'commander'
import { join, relative } from 'node:path'
import type { Config } from '../config.js'
import {
  DEMO_CONNECTION_NAME,
  DEMO_OWNER,
  DEMO_SHARED_PAGE_TITLE,
  DEMO_WORKSPACE_NAME,
  UNSHARED_CONNECTION_NAME,
  findDemo,
  seedDemo,
} from '../demo/seed.js'
import { DomainError } from '../errors/domain-error.js'
import { createLogger } from '../logger.js'
import { createDeps, startServer, type RunningServer } from '../server.js'
import { listWorkspaces } from '../storage/repositories/workspaces.repository.js'
import { configFor, globalsOf, print } from './runtime.js'
import { readFileSync } from 'node:fs'
import { loadFixture, type LoadedFixture } from '../services/fixtures.service.js'

/**
 * `octavo serve`: loads the configuration, opens the store, seeds the demo workspace when the store
 * is empty (no workspaces) and the demo is on, starts the server and prints how to reach it.
 *
 * Secrets: the admin key is never printed (only the file it lives in); the demo tokens are printed
 * to stdout on start (they are revealable by owners anyway) and never reach the logger. Logs (pino
 * JSON) go to stderr, so `--json` output on stdout stays machine-readable.
 *
 * A restart on the same data directory keeps everything and does not seed again; the banner then
 * reveals the existing demo tokens (an audited reveal, as the demo owner).
 */

export interface ServeOptions {
  host?: string
  port?: string
  demo?: boolean
  /** `--fixture <file>`: a JSON fixture (docs/fixture.schema.json) loaded into an empty store instead of the demo. */
  fixture?: string
}

interface DemoSummary {
  seeded: boolean
  workspace_id: string
  workspace_name: string
  owner: string
  connections: { id: string; name: string; token: string; shared: string[] }[]
}

/** Reads `--fixture <file>` (JSON). @throws DomainError invalid_input when unreadable or not JSON. */
function readFixtureFile(file: string): unknown {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new DomainError('invalid_input', `Cannot read the fixture ${file}: ${(err as Error).message}`)
  }
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw new DomainError('invalid_input', `The fixture ${file} is not valid JSON: ${(err as Error).message}`)
  }
}

/** Parses `--port`. @throws DomainError invalid_input */
function parsePort(text: string): number {
  const n = Number(text)
  if (!/^\d+$/.test(text) || n > 65535) throw new DomainError('invalid_input', `--port must be an integer from 0 to 65535, got "${text}".`)
  return n
}

/**
 * Runs `octavo serve` until SIGINT or SIGTERM, which close the server gracefully (in-flight requests
 * finish, then the store closes; exit code 0). @throws DomainError | Error on bad options, a bad
 * configuration or a port already in use.
 */
export async function serveCommand(opts: ServeOptions, cmd: Command): Promise<void> {
  const overrides: Partial<Pick<Config, 'host' | 'port' | 'demo'>> = {}
  if (opts.host !== undefined) overrides.host = opts.host
  if (opts.port !== undefined) overrides.port = parsePort(opts.port)
  // `--no-demo` only overrides OCTAVO_DEMO when given.
  if (cmd.getOptionValueSource('demo') === 'cli') overrides.demo = opts.demo !== false
  const fixtureDocument = opts.fixture === undefined ? undefined : readFixtureFile(opts.fixture)
  if (fixtureDocument !== undefined) overrides.demo = false
  const dataDirHint = globalsOf(cmd).dataDir ?? process.env.OCTAVO_DATA_DIR
  const adminKeyFromEnv = Boolean(process.env.OCTAVO_ADMIN_KEY)
  const config = configFor(cmd, overrides)
  const adminKeyFile = join(config.dataDir, 'admin.key')

  // Signals are handled from the start: one arriving while the demo is being seeded lets the seed
  // finish, then stops (so a restart never finds a half-seeded demo).
  let server: RunningServer | undefined
  let stopping: NodeJS.Signals | undefined
  const shutdown = (running: RunningServer) => {
    const force = setTimeout(
      () => {
        process.stderr.write(`octavo: requests still open after ${config.shutdownTimeoutSeconds + 5} s; exiting anyway.\n`)
        process.exit(1)
      },
      (config.shutdownTimeoutSeconds + 5) * 1000,
    )
    force.unref()
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`octavo: ${err instanceof Error ? err.message : String(err)}\n`)
        process.exit(1)
      },
    )
  }
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1) // a second Ctrl+C: stop waiting
    stopping = signal
    process.stderr.write(`octavo: ${signal} received, stopping…\n`)
    if (server) shutdown(server)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  const logger = createLogger(config.logLevel, process.stderr)
  const deps = await createDeps(config, { logger })
  let demo: DemoSummary | null = null
  let workspaceCount: number
  let fixture: LoadedFixture | null = null
  try {
    workspaceCount = (await listWorkspaces(deps.store.db)).length
    if (fixtureDocument !== undefined) {
      if (workspaceCount > 0)
        throw new DomainError(
          'conflict',
          'The store is not empty; --fixture loads into an empty store (use a fresh --data-dir, or OCTAVO_DATABASE_URL=:memory:).',
        )
      fixture = await loadFixture(deps, fixtureDocument)
      workspaceCount = fixture.workspaces.length
    }
    if (config.demo && workspaceCount === 0) {
      const seed = await seedDemo(deps)
      workspaceCount = 1
      logger.info({ workspaceId: seed.workspaceId }, 'seeded the demo workspace')
      demo = {
        seeded: true,
        workspace_id: seed.workspaceId,
        workspace_name: DEMO_WORKSPACE_NAME,
        owner: `${DEMO_OWNER.name} <${DEMO_OWNER.email}>`,
        connections: [
          { ...seed.connections.demo, shared: [DEMO_SHARED_PAGE_TITLE] },
          { ...seed.connections.unshared, shared: [] },
        ],
      }
    } else if (config.demo) {
      const found = await findDemo(deps)
      if (found) {
        demo = {
          seeded: false,
          workspace_id: found.workspaceId,
          workspace_name: DEMO_WORKSPACE_NAME,
          owner: found.ownerEmail,
          connections: found.connections.map((c) => ({ ...c, shared: c.name === DEMO_CONNECTION_NAME ? [DEMO_SHARED_PAGE_TITLE] : [] })),
        }
      }
    }
  } catch (e) {
    await deps.store.close()
    throw e
  }
  if (stopping) {
    await deps.store.close()
    process.exit(0)
  }

  try {
    server = await startServer(config, { deps, defaultMetrics: true })
  } catch (e) {
    await deps.store.close()
    throw e
  }
  if (stopping) return shutdown(server)
  const rel = relative(process.cwd(), config.dataDir) || '.'
  const shownDir = rel.startsWith('..') ? config.dataDir : rel
  const cliPrefix = `npm run octavo --${dataDirHint ? ` --data-dir ${shownDir.includes(' ') ? JSON.stringify(shownDir) : shownDir}` : ''}`
  const info = {
    url: server.url,
    portal_url: `${server.url}/`,
    api_url: `${server.url}/v1`,
    admin_url: `${server.url}/_octavo/admin`,
    admin_key_file: adminKeyFromEnv ? null : adminKeyFile,
    admin_key_source: adminKeyFromEnv ? 'OCTAVO_ADMIN_KEY' : 'file',
    data_dir: config.dataDir,
    workspaces: workspaceCount,
    demo,
    ...(fixture ? { fixture } : {}),
  }
  // One line with --json, so a supervisor can read it as soon as the server listens.
  print(cmd, info, () => banner(info, cliPrefix), true)
}

function banner(
  info: {
    url: string
    api_url: string
    admin_url: string
    admin_key_file: string | null
    data_dir: string
    workspaces: number
    demo: DemoSummary | null
    fixture?: LoadedFixture
  },
  cli: string,
): string {
  const lines = [
    `Octavo is running at ${info.url}`,
    '',
    `  Web portal   ${info.url}/   (sign in; ${info.demo ? 'demo mode: "sign in as" a demo person' : `passwords: ${cli} user set-password <e-mail>`})`,
    `  Notion API   ${info.api_url}   (new Client({ auth: <token>, baseUrl: '${info.url}' }))`,
    `  Admin API    ${info.admin_url}   (Authorization: Bearer <admin key>)`,
    `  Admin key    ${info.admin_key_file ? `in ${info.admin_key_file}` : 'from OCTAVO_ADMIN_KEY'}`,
    `  Data dir     ${info.data_dir}`,
    '',
    'Administer in the web portal, or with the CLI or the admin API, e.g.',
    `  ${cli} workspace list`,
    `  ${cli} connection create <workspace> --name "My integration"`,
    `  ${cli} connection share <connection-id> <page-id>`,
  ]
  const d = info.demo
  if (d) {
    lines.push(
      '',
      `Demo workspace "${d.workspace_name}" ${d.seeded ? '(seeded now)' : '(seeded on an earlier start)'}: ${d.workspace_id}`,
      `  owner: ${d.owner}`,
    )
    for (const c of d.connections) {
      lines.push(`  "${c.name}" (${c.shared.length ? `shared: "${c.shared.join('", "')}"` : 'nothing shared'}) token:`, `    ${c.token}`)
    }
    const token = d.connections.find((c) => c.name === DEMO_CONNECTION_NAME)?.token
    if (token) {
      lines.push('', 'Try it:', `  curl -s ${info.url}/v1/users/me -H "Authorization: Bearer ${token}" -H "Notion-Version: 2025-09-03"`)
    }
    if (!d.connections.some((c) => c.name === UNSHARED_CONNECTION_NAME))
      lines.push(`  (the "${UNSHARED_CONNECTION_NAME}" connection was deleted)`)
  } else if (info.fixture) {
    lines.push('', 'Fixture loaded:')
    for (const w of info.fixture.workspaces) {
      lines.push(`  workspace "${w.name}": ${w.id}`)
      for (const [name, c] of Object.entries(w.connections)) lines.push(`  connection "${name}" token:`, `    ${c.token}`)
    }
  } else if (info.workspaces === 0) {
    lines.push('', `The store is empty (demo off). Create a workspace with: ${cli} workspace create --name <name> --owner "Name <email>"`)
  }
  lines.push('', 'Press Ctrl+C to stop.')
  return lines.join('\n')
}
