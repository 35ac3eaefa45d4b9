import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedDemo, type DemoSeed } from '../../src/demo/seed.js'
import { startTestServer, type TestServer } from '../support/harness.js'
import { REPO } from './cli-process.js'

/** `npm run example` (examples/sharing-journey.ts) against a real server holding the demo workspace. */
describe('examples/sharing-journey.ts', { timeout: 120_000 }, () => {
  let server: TestServer
  let demo: DemoSeed
  beforeAll(async () => {
    server = await startTestServer()
    demo = await seedDemo(server.deps)
  })
  afterAll(async () => {
    await server.stop()
  })

  const run = (env: Record<string, string>) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const { OCTAVO_ADMIN_KEY: _k, OCTAVO_DATA_DIR: _d, ...outer } = process.env
      const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'examples/sharing-journey.ts')], {
        cwd: REPO,
        env: { ...outer, ...env },
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      child.on('error', reject)
      child.on('close', (code) => resolve({ code, stdout, stderr }))
    })

  it('walks the journey and exits 0', async () => {
    const r = await run({ OCTAVO_URL: server.url, OCTAVO_ADMIN_KEY: server.config.adminKey })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const out = r.stdout
    expect(out).toContain(`Octavo sharing journey against ${server.url}`)
    expect(out).toContain(`page "Getting started" ${demo.pages.gettingStarted}`)
    expect(out).toContain('✓ pages.retrieve → 404 object_not_found')
    expect(out).toContain(
      `Could not find page with ID: ${demo.pages.gettingStarted}. Make sure the relevant pages and databases are shared with your integration "Sharing journey`,
    )
    expect(out).toContain('✓ pages.retrieve → "Getting started"')
    expect(out).toContain('- [child_page] Appendix: error codes')
    expect(out).toMatch(/✓ blocks\.children\.list: \d+ blocks, 9 child pages, \d+ levels/)
    expect(out).toMatch(/✓ search → \d+ results, "Getting started" among them; unshared pages absent/)
    expect(out).toContain('✓ old token: users.me → 401 unauthorized')
    expect(out).toContain('✓ new token: pages.retrieve →')
    expect(out).toContain('Journey complete.')
    // The example cleans up after itself: only the demo's two connections remain.
    const left = await server.deps.store.db.selectFrom('connection').select('name').where('workspace_id', '=', demo.workspaceId).execute()
    expect(left.map((c) => c.name).sort()).toEqual(['Demo integration', 'Unshared integration'])
  })

  it('fails with one clear line and exit code 1 when the admin key is wrong', async () => {
    const r = await run({ OCTAVO_URL: server.url, OCTAVO_ADMIN_KEY: 'octavo_admin_wrong_key_0000' })
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('\n✗ Admin API GET /workspaces answered 401: The admin API needs "Authorization: Bearer <admin key>".\n')
  })

  it('says how to start Octavo when nothing listens at OCTAVO_URL', async () => {
    const r = await run({ OCTAVO_URL: 'http://127.0.0.1:9', OCTAVO_ADMIN_KEY: server.config.adminKey })
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('\n✗ fetch failed (is Octavo running at http://127.0.0.1:9? start it with `npm start`)\n')
  })
})
