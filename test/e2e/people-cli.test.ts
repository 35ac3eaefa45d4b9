import { runCliInProcess } from '../support/cli-in-process.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { maintenanceCommands, pageCommands, workspaceCommands } from '../../src/cli/commands.js'
import { peopleCommands } from '../../src/cli/people-commands.js'
import { runCli } from './cli-process.js'

type Created = { workspace: { id: string }; members: { id: string; email: string; role: string }[]; pages: { id: string; title: string }[] }

/**
 * `octavo member role`, `group …`, `access …` and `pages create --private` on one store. The commands
 * run in-process (the binary's commander definitions, output captured) to keep the suite fast; one
 * subprocess checks that the binary wires them in and reports a refusal on stderr with exit code 1.
 */
describe('octavo CLI: people, groups, page permissions', { timeout: 120_000 }, () => {
  let dir: string
  let ws: Created

  async function octavo(args: string[]): Promise<string> {
    return runCliInProcess([workspaceCommands, peopleCommands, pageCommands, maintenanceCommands], ['--data-dir', dir, ...args])
  }
  const json = async <T = Record<string, unknown>>(args: string[]) => JSON.parse(await octavo(['--json', ...args])) as T

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'octavo-people-cli-'))
    ws = await json<Created>([
      'workspace',
      'create',
      '--name',
      'Acme',
      '--owner',
      'Olive <olive@example.com>',
      '--member',
      'Mia <mia@example.com>',
      '--guest',
      'Gus <gus@example.com>',
      '--page',
      'Root',
    ])
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('manages roles, groups and page access, and refuses what the rules refuse', async () => {
    const root = ws.pages[0]?.id as string
    const mia = ws.members.find((m) => m.email === 'mia@example.com')?.id as string
    const group = await json<{ id: string; name: string }>(['group', 'create', 'Acme', '--name', 'Design'])
    expect(group.name).toBe('Design')
    await json(['group', 'add', group.id, 'mia@example.com'])
    expect(await json(['member', 'role', 'Acme', 'mia@example.com', 'restricted_member'])).toMatchObject({
      role: 'restricted_member',
      previous_role: 'member',
    })
    expect(await json(['access', 'check', root, 'mia@example.com'])).toMatchObject({ level: 'none', role: 'restricted_member' })
    expect(await json(['access', 'grant', root, '--group', group.id, '--level', 'comment'])).toMatchObject({
      level: 'comment',
      previous_level: 'none',
    })
    expect(await json(['access', 'check', root, mia])).toMatchObject({ level: 'comment' })
    expect(await octavo(['access', 'show', root])).toMatch(/comment\s+group\s+Design/)
    await json(['group', 'rename', group.id, '--name', 'Brand'])
    expect((await json<{ groups: { name: string }[] }>(['group', 'list', 'Acme'])).groups.map((g) => g.name)).toEqual(['Brand'])

    // A private page: only its creator; the workspace's other members see nothing.
    const diary = await json<{ id: string; private: boolean }>([
      'pages',
      'create',
      'Acme',
      '--title',
      'Diary',
      '--private',
      '--as',
      'olive@example.com',
    ])
    expect(diary.private).toBe(true)
    expect(await json(['member', 'role', 'Acme', 'mia@example.com', 'member'])).toMatchObject({ role: 'member' })
    expect(await json(['access', 'check', diary.id, mia])).toMatchObject({ level: 'none' })
    await json(['access', 'grant', diary.id, '--user', 'gus@example.com', '--level', 'view'])
    expect(await json(['access', 'check', diary.id, 'gus@example.com'])).toMatchObject({ level: 'view' })
    await json(['access', 'revoke', diary.id, '--user', 'gus@example.com'])
    expect(await json(['access', 'check', diary.id, 'gus@example.com'])).toMatchObject({ level: 'none' })

    // Denials.
    await expect(octavo(['access', 'grant', root, '--workspace', '--level', 'view', '--as', 'gus@example.com'])).rejects.toThrow(
      /^No page or database/,
    )
    await expect(octavo(['group', 'create', 'Acme', '--name', 'X', '--as', 'mia@example.com'])).rejects.toThrow(
      'Only workspace owners and membership admins',
    )
    await expect(octavo(['access', 'revoke', root, '--workspace', '--user', 'gus@example.com'])).rejects.toThrow('exactly one of')
    await expect(octavo(['member', 'role', 'Acme', 'mia@example.com', 'admin'])).rejects.toThrow('role must be one of')
    await expect(octavo(['access', 'restore', root])).rejects.toThrow('top-level page')

    // Mia leaves: her group goes with her; the audit log has every step.
    await json(['member', 'remove', 'Acme', 'mia@example.com', '--as', 'mia@example.com'])
    expect((await json<{ groups: { members: unknown[] }[] }>(['group', 'list', 'Acme'])).groups[0]?.members).toEqual([])
    await json(['group', 'delete', group.id])
    const audit = await json<{ entries: { action: string }[] }>(['audit', 'Acme'])
    expect(audit.entries.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'group.created',
        'group.member_added',
        'group.renamed',
        'group.deleted',
        'member.role_changed',
        'page.share',
        'page.unshare',
        'member.left',
      ]),
    )

    // The binary wires the commands in and reports a refusal on stderr with exit code 1.
    const bin = await runCli(['access', 'grant', root, '--workspace', '--level', 'view', '--as', 'gus@example.com'], dir)
    expect(bin.code).toBe(1)
    expect(bin.stderr).toMatch(/^octavo: No page or database/)
  })
})
