import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminCall, connectedWorkspace } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'
import { seedPeople } from '../support/pats.js'
import { runCliInProcess } from '../support/cli-in-process.js'
import { emulatorCommands } from '../../src/cli/emulator-commands.js'

/**
 * The admin clock (`/_octavo/admin/clock`, ADR 23): the server's time moves without waiting, and the
 * rules that depend on it follow — PAT expiry, created/edited times, rate-limit windows.
 */
describe('admin clock', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ rateLimits: { enabled: true, connectionPerMinute: 3, workspacePerMinute: 1000 } })
  })
  afterAll(() => server.stop())

  it('reads the wall clock until moved, then freezes, sets, advances and resumes', async () => {
    const first = await adminCall(server, 'GET', '/clock')
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ mode: 'system', offset_ms: 0 })
    expect(Math.abs(Date.parse(first.body.now) - Date.now())).toBeLessThan(5000)

    const frozen = await adminCall(server, 'POST', '/clock', { action: 'freeze', to: '2030-01-01T00:00:00Z' })
    expect(frozen.body).toMatchObject({ mode: 'frozen', now: '2030-01-01T00:00:00.000Z' })
    const later = await adminCall(server, 'POST', '/clock', { action: 'advance', by: '1h30m' })
    expect(later.body.now).toBe('2030-01-01T01:30:00.000Z')
    expect((await adminCall(server, 'POST', '/clock', { action: 'advance', by: 250 })).body.now).toBe('2030-01-01T01:30:00.250Z')
    expect((await adminCall(server, 'POST', '/clock', { action: 'set', to: '2031-06-01T12:00:00Z' })).body.now).toBe(
      '2031-06-01T12:00:00.000Z',
    )
    const resumed = await adminCall(server, 'POST', '/clock', { action: 'resume' })
    expect(resumed.body).toMatchObject({ mode: 'system', offset_ms: 0 })
  })

  it('refuses bad moves with invalid_input and needs the admin key', async () => {
    for (const body of [
      { action: 'advance', by: 'soon' },
      { action: 'advance', by: -5 },
      { action: 'set', to: 'tomorrow' },
      { action: 'set' },
      { action: 'rewind' },
      { action: 'resume', extra: 1 },
    ]) {
      const res = await adminCall(server, 'POST', '/clock', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body).toMatchObject({ object: 'error', code: 'invalid_input' })
    }
    expect((await adminCall(server, 'GET', '/clock', undefined, 'wrong-key')).status).toBe(401)
  })

  it('stamps created_time from the moved clock', async () => {
    const { s, notion } = await connectedWorkspace(server)
    await adminCall(server, 'POST', '/clock', { action: 'freeze', to: '2029-03-04T05:06:07Z' })
    try {
      const page = await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: {} })
      expect('created_time' in page && page.created_time).toBe('2029-03-04T05:06:00.000Z')
    } finally {
      await adminCall(server, 'POST', '/clock', { action: 'resume' })
    }
  })

  it('expires a 7-day PAT when the clock moves 8 days on', async () => {
    const people = await seedPeople(server)
    const { token } = await people.pat(people.owner.id, { expiresInDays: 7 })
    const notion = server.client(token)
    expect((await notion.users.me({})).object).toBe('user')
    await adminCall(server, 'POST', '/clock', { action: 'advance', by: '8d' })
    try {
      const err = await apiError(notion.users.me({}))
      expect(err.status).toBe(401)
      expect(err.code).toBe('unauthorized')
    } finally {
      await adminCall(server, 'POST', '/clock', { action: 'resume' })
    }
  })

  it('starts a fresh rate-limit window when the clock moves a window on', async () => {
    const { notion } = await connectedWorkspace(server)
    for (let i = 0; i < 3; i++) await notion.users.me({})
    const limited = await apiError(notion.users.me({}))
    expect(limited.status).toBe(429)
    expect(limited.code).toBe('rate_limited')
    await adminCall(server, 'POST', '/clock', { action: 'advance', by: '61s' })
    try {
      expect((await notion.users.me({})).object).toBe('user')
    } finally {
      await adminCall(server, 'POST', '/clock', { action: 'resume' })
    }
  })

  it('moves through the CLI (`octavo clock`, `octavo snapshot`) against the running server', async () => {
    const cli = (...args: string[]) =>
      runCliInProcess([emulatorCommands], ['--data-dir', server.dataDir, '--json', ...args, '--url', server.url])
    expect(JSON.parse(await cli('clock', 'freeze', '2032-02-02T00:00:00Z'))).toMatchObject({
      mode: 'frozen',
      now: '2032-02-02T00:00:00.000Z',
    })
    expect(JSON.parse(await cli('clock', 'advance', '1d')).now).toBe('2032-02-03T00:00:00.000Z')
    expect(JSON.parse(await cli('clock', 'resume')).mode).toBe('system')
    expect(JSON.parse(await cli('snapshot', 'save', 'from-cli')).name).toBe('from-cli')
    expect(JSON.parse(await cli('snapshot', 'list')).snapshots.map((x: { name: string }) => x.name)).toContain('from-cli')
    expect(JSON.parse(await cli('snapshot', 'restore', 'from-cli')).restored.name).toBe('from-cli')
    await expect(cli('snapshot', 'restore', 'missing')).rejects.toThrow('No snapshot named "missing".')
  })
})
