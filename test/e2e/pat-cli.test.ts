import { Client, LogLevel } from '@notionhq/client'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { apiError } from '../support/harness.js'
import { cliJson, runCli } from './cli-process.js'

/** `octavo pat …`, `octavo pat-policy …` and `octavo audit` filters as subprocesses, checked through the SDK. */
describe('octavo pat CLI', { timeout: 120_000 }, () => {
  let dir: string
  let server: RunningServer
  let ws: { workspace: { id: string }; members: { id: string; email: string; role: string }[]; pages: { id: string }[] }
  const notion = (token: string) => new Client({ auth: token, baseUrl: server.url, retry: false, logLevel: LogLevel.ERROR, logger: () => {} })

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'octavo-pat-cli-'))
    const config = loadConfig({ OCTAVO_DATA_DIR: dir, OCTAVO_PORT: '0', OCTAVO_DEMO: 'off', OCTAVO_LOG_LEVEL: 'silent' })
    config.rateLimits = { ...config.rateLimits, enabled: false }
    server = await startServer(config, { logger: createLogger('silent') })
    ws = await cliJson(['workspace', 'create', '--name', 'Initech', '--plan', 'business', '--owner', 'Bill <bill@initech.test>', '--member', 'Pete <pete@initech.test>', '--page', 'TPS'], dir)
  })
  afterAll(async () => {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('sets the policy, creates, lists and revokes PATs, refuses the admin a reveal, and filters the audit log', async () => {
    // Six subprocesses (a few seconds each on a busy machine); the rules themselves are covered in-process.
    const id = ws.workspace.id
    expect(await cliJson(['pat-policy', 'set', id, 'all_members'], dir)).toMatchObject({ policy: 'all_members', is_default: false })
    const created = await cliJson<{ token: string; pat: { id: string; bot_id: string; expires_time: string } }>(
      ['pat', 'create', id, '--name', 'Pete script', '--expires-in', '30', '--as', 'pete@initech.test'],
      dir,
    )
    expect((await notion(created.token).pages.retrieve({ page_id: ws.pages[0]!.id })).id).toBe(ws.pages[0]!.id)

    const human = await runCli(['pat', 'list', id, '--status', 'active'], dir)
    expect(human.code).toBe(0)
    expect(human.stdout).toContain('Pete script')
    expect(human.stdout).toContain('pete@initech.test')
    expect(human.stdout).not.toContain(created.token)

    const adminReveal = await runCli(['pat', 'token', created.pat.id], dir)
    expect(adminReveal.code).toBe(1)
    expect(adminReveal.stderr).toMatch(/Only the creator/)
    expect(adminReveal.stdout + adminReveal.stderr).not.toContain(created.token)

    expect(await cliJson(['pat', 'revoke', created.pat.id], dir)).toMatchObject({ changed: true, pat: { status: 'revoked' } })
    expect((await apiError(notion(created.token).users.me({}))).status).toBe(401)

    const byPete = await cliJson<{ entries: { action: string; actor: string }[] }>(['audit', id, '--action', 'pat.*', '--actor', 'pete@initech.test'], dir)
    expect(byPete.entries.map((e) => e.action)).toEqual(['pat.created'])
  })
})
