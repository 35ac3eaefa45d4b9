/**
 * Child process of bench/file-uploads.ts: starts the real Octavo server on a fresh data directory
 * (OCTAVO_DATA_DIR), seeds a paid workspace with one connection, and prints `{"url", "token"}` once it
 * listens. Stops on SIGTERM. Not a user command.
 */
import { loadConfig } from '../src/config.js'
import { createLogger } from '../src/logger.js'
import { startServer } from '../src/server.js'
import { createConnection } from '../src/services/connections.service.js'
import { createWorkspace } from '../src/services/workspaces.service.js'

const config = loadConfig({ ...process.env, OCTAVO_DEMO: 'off', OCTAVO_RATE_LIMITS: 'off', OCTAVO_PORT: '0' })
const server = await startServer(config, { logger: createLogger('silent') })
const { workspace, members } = await createWorkspace(server.deps, {
  name: 'Bench',
  plan: 'plus',
  members: [{ name: 'Owner', email: 'owner@example.com', role: 'owner' }],
})
const { token } = await createConnection(server.deps, {
  workspaceId: workspace.id,
  actorId: (members[0] as { id: string }).id,
  name: 'Bench',
})
process.stdout.write(`${JSON.stringify({ url: server.url, token })}\n`)
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0))
})
