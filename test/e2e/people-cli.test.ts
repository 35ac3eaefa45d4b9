import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliJson, runCli } from './cli-process.js'

type Created = { workspace: { id: string }; members: { id: string; email: string; role: string }[]; pages: { id: string; title: string }[] }

/** `octavo member role`, `group …` and `access …` as subprocesses on one store (each call ≈ 1 s). */
describe('octavo CLI: people, groups, page permissions', { timeout: 120_000 }, () => {
  let dir: string
  let ws: Created
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'octavo-people-cli-'))
    ws = await cliJson<Created>(
      ['workspace', 'create', '--name', 'Acme', '--owner', 'Olive <olive@example.com>', '--member', 'Mia <mia@example.com>', '--guest', 'Gus <gus@example.com>', '--page', 'Root'],
      dir,
    )
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('manages roles, groups and page access, and refuses what the rules refuse', async () => {
    const root = ws.pages[0]?.id as string
    const mia = ws.members.find((m) => m.email === 'mia@example.com')?.id as string
    const group = await cliJson<{ id: string; name: string }>(['group', 'create', 'Acme', '--name', 'Design'], dir)
    expect(group.name).toBe('Design')
    await cliJson(['group', 'add', group.id, 'mia@example.com'], dir)
    await cliJson(['member', 'role', 'Acme', 'mia@example.com', 'restricted_member'], dir)
    const granted = await cliJson<{ level: string; previous_level: string }>(['access', 'grant', root, '--group', group.id, '--level', 'comment'], dir)
    expect(granted).toMatchObject({ level: 'comment', previous_level: 'none' })
    expect(await cliJson<{ level: string }>(['access', 'check', root, mia], dir)).toMatchObject({ level: 'comment' })
    const human = await runCli(['access', 'show', root], dir)
    expect(human.stdout).toMatch(/comment\s+group\s+Design/)

    // Denials: a guest cannot see the page (not found); two targets at once.
    const guest = await runCli(['access', 'grant', root, '--workspace', '--level', 'view', '--as', 'gus@example.com'], dir)
    expect(guest.code).toBe(1)
    expect(guest.stderr).toMatch(/^octavo: No page or database/)
    const twoTargets = await runCli(['access', 'revoke', root, '--workspace', '--user', 'gus@example.com'], dir)
    expect(twoTargets.code).toBe(1)
    expect(twoTargets.stderr).toContain('exactly one of')

    // Mia leaves: her group goes with her; the audit log has every step.
    await cliJson(['member', 'remove', 'Acme', 'mia@example.com', '--as', 'mia@example.com'], dir)
    const groups = await cliJson<{ groups: { members: unknown[] }[] }>(['group', 'list', 'Acme'], dir)
    expect(groups.groups[0]?.members).toEqual([])
    const audit = await cliJson<{ entries: { action: string }[] }>(['audit', 'Acme'], dir)
    expect(audit.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['group.created', 'group.member_added', 'member.role_changed', 'page.share', 'member.left']))
  })
})
