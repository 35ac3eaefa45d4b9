import { Client, LogLevel } from '@notionhq/client'
import { runCliInProcess } from '../support/cli-in-process.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { maintenanceCommands, workspaceCommands } from '../../src/cli/commands.js'
import { patCommands } from '../../src/cli/pat-commands.js'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { apiError } from '../support/harness.js'
import { runCli } from './cli-process.js'

/**
 * `octavo pat …`, `octavo pat-policy …` and `octavo audit` filters on the store a running server uses,
 * checked through the SDK. The commands run in-process (the same commander definitions as the binary,
 * output captured) to keep the suite fast; one subprocess checks that the binary wires them in.
 */
describe('octavo pat CLI', { timeout: 120_000 }, () => {
  let dir: string
  let server: RunningServer
  const notion = (token: string) =>
    new Client({ auth: token, baseUrl: server.url, retry: false, logLevel: LogLevel.ERROR, logger: () => {} })

  /** Runs `octavo --data-dir <dir> <args>` in-process; returns stdout, or throws the command's error. */
  async function octavo(args: string[]): Promise<string> {
    return runCliInProcess([workspaceCommands, patCommands, maintenanceCommands], ['--data-dir', dir, ...args])
  }
  const json = async <T>(args: string[]) => JSON.parse(await octavo(['--json', ...args])) as T

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'octavo-pat-cli-'))
    const config = loadConfig({ OCTAVO_DATA_DIR: dir, OCTAVO_PORT: '0', OCTAVO_DEMO: 'off', OCTAVO_LOG_LEVEL: 'silent' })
    config.rateLimits = { ...config.rateLimits, enabled: false }
    server = await startServer(config, { logger: createLogger('silent') })
  })
  afterAll(async () => {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('sets the policy, creates, lists and revokes PATs, refuses the admin a reveal, and filters the audit log', async () => {
    const ws = await json<{ workspace: { id: string }; pages: { id: string }[] }>([
      'workspace',
      'create',
      '--name',
      'Initech',
      '--plan',
      'business',
      '--owner',
      'Bill <bill@initech.test>',
      '--member',
      'Pete <pete@initech.test>',
      '--page',
      'TPS',
    ])
    const id = ws.workspace.id
    expect(await json(['pat-policy', 'show', id])).toMatchObject({ policy: 'owners_only', configurable: true, is_default: true })
    await expect(octavo(['pat', 'create', id, '--name', 'Pete script', '--as', 'pete@initech.test'])).rejects.toThrow(/not allowed/)
    expect(await octavo(['pat-policy', 'set', id, 'all_members'])).toBe('PAT creation policy: all workspace members.\n')
    await expect(octavo(['pat-policy', 'set', id, 'everyone'])).rejects.toThrow(/policy must be one of/)

    const created = await json<{ token: string; pat: { id: string; bot_id: string } }>([
      'pat',
      'create',
      id,
      '--name',
      'Pete script',
      '--expires-in',
      '30',
      '--as',
      'pete@initech.test',
    ])
    expect((await notion(created.token).pages.retrieve({ page_id: ws.pages[0]!.id })).id).toBe(ws.pages[0]!.id)

    const table = await octavo(['pat', 'list', id, '--status', 'active'])
    expect(table).toContain('Pete script')
    expect(table).toContain('pete@initech.test')
    expect(table).not.toContain(created.token)
    expect(await octavo(['pat', 'list', id, '--own', '--as', 'bill@initech.test'])).toBe('No personal access tokens.\n')

    await expect(octavo(['pat', 'token', created.pat.id])).rejects.toThrow(/Only the creator/)
    expect((await octavo(['pat', 'token', created.pat.id, '--as', 'pete@initech.test'])).trim()).toBe(created.token)

    expect(await json(['pat', 'revoke', created.pat.id])).toMatchObject({
      changed: true,
      pat: { status: 'revoked', revoked_by: { type: 'user' } },
    })
    expect((await apiError(notion(created.token).users.me({}))).status).toBe(401)

    const byPete = await json<{ entries: { action: string }[] }>(['audit', id, '--action', 'pat.*', '--actor', 'pete@initech.test'])
    expect(byPete.entries.map((e) => e.action).sort()).toEqual(['pat.created', 'pat.revealed'])
    const revoked = await json<{ entries: { action: string; actor: string }[] }>(['audit', id, '--action', 'pat.revoked'])
    expect(revoked.entries.map((e) => e.action)).toEqual(['pat.revoked'])

    // The binary registers the commands (one subprocess: each costs seconds on a busy machine).
    const bin = await runCli(['pat', 'list', id, '--status', 'revoked'], dir)
    expect(bin.code).toBe(0)
    expect(bin.stdout).toContain('Pete script')
  })
})
