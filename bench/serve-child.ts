/**
 * Child process of bench/data-sources.ts: starts the real Octavo server on the data directory given
 * in OCTAVO_DATA_DIR (already seeded) and prints `{"url": …}` on stdout once it listens. Stops on
 * SIGTERM. Not a user command.
 */
import { loadConfig } from '../src/config.js'
import { createLogger } from '../src/logger.js'
import { startServer } from '../src/server.js'

const config = loadConfig(process.env)
const server = await startServer(config, { logger: createLogger('silent') })
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`)
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0))
})
