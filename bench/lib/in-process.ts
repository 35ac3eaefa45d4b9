import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { createConnection, shareWithConnection } from '../../src/services/connections.service.js'
import type { Deps } from '../../src/services/deps.js'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { createWorkspace } from '../../src/services/workspaces.service.js'

/**
 * Shared set-up of the in-process benchmarks (bench/title-only.ts, bench/children-service.ts,
 * bench/markdown.ts, bench/webhooks-drain.ts): the real server on a fresh SQLite store, a workspace
 * whose root page is shared with one connection, and a timed loop with an optional CPU profile.
 */

/**
 * Starts the real server in this process on a fresh SQLite data directory (`<tmp>/<prefix>…`),
 * silent, without the demo, rate limits or webhooks. `close()` stops it and removes the directory.
 */
export async function startInProcessServer(prefix: string): Promise<{ server: RunningServer; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const config = loadConfig({
    OCTAVO_DATA_DIR: dir,
    OCTAVO_PORT: '0',
    OCTAVO_DEMO: 'off',
    OCTAVO_LOG_LEVEL: 'silent',
    OCTAVO_WEBHOOKS: 'off',
  })
  config.rateLimits = { ...config.rateLimits, enabled: false }
  const server = await startServer(config, { logger: createLogger('silent') })
  return {
    server,
    close: async () => {
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * A workspace named "Bench" on `plan` (default business) with one owner, a root page, and a
 * connection with the default capabilities that the root page is shared with.
 */
export async function sharedWorkspace(
  deps: Deps,
  opts: { plan?: Parameters<typeof createWorkspace>[1]['plan']; connectionName?: string } = {},
) {
  const { workspace, members } = await createWorkspace(deps, {
    name: 'Bench',
    plan: opts.plan ?? 'business',
    members: [{ name: 'Owner', email: 'owner@bench.test', role: 'owner' }],
  })
  const owner = members[0] as { id: string }
  const root = await createPageAsUser(deps, { workspaceId: workspace.id, actorId: owner.id, title: 'Root' })
  const { connection, token } = await createConnection(deps, {
    workspaceId: workspace.id,
    actorId: owner.id,
    name: opts.connectionName ?? 'Bench',
  })
  await shareWithConnection(deps, connection.id, root.id, owner.id)
  return { workspace, owner, root, connection, token }
}

const post = (session: Session, method: string, params: object = {}) =>
  new Promise<unknown>((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))))

/**
 * Runs `run` `iterations` times and returns each call's CPU time of this process (`process.cpuUsage`,
 * ms) and wall time (ms), both sorted ascending. With `profileFile`, the loop is profiled (V8 CPU
 * profile, 100 µs sampling) and the profile written there (read it with bench/profile-top.ts).
 */
export async function timeCalls(
  run: () => Promise<unknown>,
  iterations: number,
  profileFile?: string,
): Promise<{ cpu: number[]; times: number[] }> {
  const session = profileFile ? new Session() : undefined
  if (session) {
    session.connect()
    await post(session, 'Profiler.enable')
    await post(session, 'Profiler.setSamplingInterval', { interval: 100 })
    await post(session, 'Profiler.start')
  }
  const cpu: number[] = []
  const times: number[] = []
  for (let i = 0; i < iterations; i++) {
    const t = performance.now()
    const c = process.cpuUsage()
    await run()
    const d = process.cpuUsage(c)
    cpu.push((d.user + d.system) / 1000)
    times.push(performance.now() - t)
  }
  if (session && profileFile) {
    const { profile } = (await post(session, 'Profiler.stop')) as { profile: unknown }
    writeFileSync(profileFile, JSON.stringify(profile))
    console.log(`wrote ${profileFile}`)
    session.disconnect()
  }
  cpu.sort((a, b) => a - b)
  times.sort((a, b) => a - b)
  return { cpu, times }
}
