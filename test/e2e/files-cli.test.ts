import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliJson, runCli } from './cli-process.js'

/**
 * `octavo files quota` and `octavo files sweep` (src/cli/file-commands.ts; docs/file-uploads.md) as
 * subprocesses on a temporary data directory: set, show and lift a workspace's storage quota (units
 * accepted), refusals for a bad size and an unknown workspace, and a sweep run by hand.
 */
describe('octavo files (CLI)', { timeout: 120_000 }, () => {
  let dir: string
  let ws: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'octavo-files-cli-'))
    const created = await cliJson<{ workspace: { id: string } }>(
      ['workspace', 'create', '--name', 'Acme', '--owner', 'Olive Owner <olive@example.com>'],
      dir,
    )
    ws = created.workspace.id
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('sets, shows and lifts the storage quota; refuses bad sizes and unknown workspaces', async () => {
    expect(await cliJson(['files', 'quota', ws], dir)).toEqual({ workspace_id: ws, quota_bytes: null, used_bytes: 0 })
    expect(await cliJson(['files', 'quota', ws, '2MiB'], dir)).toEqual({ workspace_id: ws, quota_bytes: 2 * 1024 * 1024, used_bytes: 0 })
    const human = await runCli(['files', 'quota', ws], dir)
    expect(human.stdout).toBe(`Workspace ${ws}: 0 bytes used, quota 2097152 bytes.\n`)
    expect(await cliJson(['files', 'quota', ws, 'none'], dir)).toMatchObject({ quota_bytes: null })
    const bad = await runCli(['files', 'quota', ws, 'lots'], dir)
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('Expected a size such as 1048576, 500MB or 2GiB')
    const unknown = await runCli(['files', 'quota', '00000000-0000-4000-8000-000000000000', '5'], dir)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('No workspace with id')
  })

  it('sweeps by hand', async () => {
    expect(await cliJson(['files', 'sweep'], dir)).toEqual({ swept: true, expired: 0, released: 0, blobs_deleted: 0, blobs_kept: 0 })
  })
})
