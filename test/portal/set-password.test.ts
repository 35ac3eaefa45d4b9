import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyPassword } from '../../src/services/portal-auth.service.js'
import { REPO } from '../e2e/cli-process.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/** Giving people portal passwords: the admin API and `octavo user set-password` (stdin). */
describe('setting portal passwords', { timeout: 60_000 }, () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
  })
  afterAll(async () => server.stop())

  const admin = (path: string, body: unknown, key = server.config.adminKey) =>
    fetch(`${server.url}/_octavo/admin${path}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  it('admin API: PUT /_octavo/admin/users/{e-mail or id}/password', async () => {
    const ok = await admin(`/users/${encodeURIComponent(s.member.email as string)}/password`, { password: 'members-new-password' })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ user_id: s.member.id, email: s.member.email })
    expect((await verifyPassword(server.deps, s.member.email as string, 'members-new-password')).id).toBe(s.member.id)

    const short = await admin(`/users/${s.member.id}/password`, { password: 'short' })
    expect(short.status).toBe(400)
    expect(await short.json()).toMatchObject({ code: 'invalid_input', message: 'A password needs at least 8 characters.' })
    const bot = await admin(`/users/${s.connection.bot_id}/password`, { password: 'a bot has none' })
    expect(bot.status).toBe(404)
    const unknown = await admin('/users/nobody%40example.com/password', { password: 'whatever-long' })
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ code: 'not_found', message: 'No user nobody@example.com.' })
    expect((await admin(`/users/${s.member.id}/password`, { password: 'members-new-password' }, 'wrong-key')).status).toBe(401)
  })

  it('CLI: octavo user set-password <e-mail> reads the password from stdin', async () => {
    const run = (args: string[], input: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const env: NodeJS.ProcessEnv = { ...process.env, OCTAVO_DATA_DIR: server.dataDir, OCTAVO_LOG_LEVEL: 'silent' }
        for (const k of ['OCTAVO_DATABASE_URL', 'OCTAVO_SECRET_KEY', 'OCTAVO_ADMIN_KEY']) delete env[k]
        // The CLI opens the same store as the server (SQLite in the data dir, or the test's PostgreSQL schema).
        if (server.config.databaseUrl.startsWith('postgres')) env.OCTAVO_DATABASE_URL = server.config.databaseUrl
        const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], { cwd: REPO, env })
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
        child.on('error', reject)
        child.on('close', (code) => resolve({ code, stdout, stderr }))
        child.stdin.end(input)
      })
    const ok = await run(['user', 'set-password', s.owner.email as string], 'owners-cli-password\n')
    expect(ok.stderr).toBe('')
    expect(ok.code).toBe(0)
    expect(ok.stdout).toContain(`Password set for ${s.owner.email}.`)
    expect(ok.stdout).not.toContain('owners-cli-password')
    expect((await verifyPassword(server.deps, s.owner.email as string, 'owners-cli-password')).id).toBe(s.owner.id)

    const bad = await run(['user', 'set-password', s.owner.email as string], 'short\n')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toBe('octavo: A password needs at least 8 characters.\n')
  })
})
