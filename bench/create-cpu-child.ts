/**
 * Child process of bench/create-cpu.ts: opens the data directory in OCTAVO_DATA_DIR (a copy of a
 * bench/data-sources.ts fixture) with the source tree named by OCTAVO_BENCH_TREE (default: this
 * one), so one harness can alternate two checkouts; creates a connection that the fixture's root
 * page is shared with, starts the real server (`startServer`: the same store and checkpointer as
 * `octavo serve`) and prints `{"url", "token", "dataSourceId"}` on stdout once it listens. Stops on
 * SIGTERM. Not a user command.
 */
import { join } from 'node:path'

const tree = process.env.OCTAVO_BENCH_TREE ?? join(import.meta.dirname, '..')
const load = (path: string) => import(join(tree, path))
const { loadConfig } = (await load('src/config.ts')) as typeof import('../src/config.js')
const { createLogger } = (await load('src/logger.ts')) as typeof import('../src/logger.js')
const { createDeps, startServer } = (await load('src/server.ts')) as typeof import('../src/server.js')
const { createConnection, shareWithConnection } = (await load(
  'src/services/connections.service.ts',
)) as typeof import('../src/services/connections.service.js')

const config = loadConfig(process.env)
const deps = await createDeps(config, { logger: createLogger('silent') })
const db = deps.store.db
const owner = await db.selectFrom('workspace_member').select('user_id').where('role', '=', 'owner').executeTakeFirstOrThrow()
const root = await db.selectFrom('block').select(['id', 'workspace_id']).where('title_text', '=', 'bench root').executeTakeFirstOrThrow()
const dataSource = await db.selectFrom('data_source').select('id').executeTakeFirstOrThrow()
const conn = await createConnection(deps, { workspaceId: root.workspace_id, actorId: owner.user_id, name: 'create-cpu' })
await shareWithConnection(deps, conn.connection.id, root.id, owner.user_id)
const server = await startServer(config, { deps, logger: createLogger('silent') })
process.stdout.write(`${JSON.stringify({ url: server.url, token: conn.token, dataSourceId: dataSource.id })}\n`)
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0))
})
