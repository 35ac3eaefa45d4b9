import { APIErrorCode, Client, LogLevel } from '@notionhq/client'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { apiError } from '../support/harness.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { cliJson, runCli } from './cli-process.js'

/**
 * The `octavo` CLI as a subprocess on a temporary data directory, with a real server started
 * in-process on the same store, so every set-up step is checked through the official SDK.
 */

type Person = { id: string; name: string; email: string; role: string }
type Created = { workspace: { id: string; name: string; plan: string }; members: Person[]; pages: { id: string; title: string }[] }
type Conn = { id: string; name: string; bot_id: string; token_hint: string | null; capabilities: Record<string, unknown> }

// Each CLI call starts a Node process (about a second): allow time for the longer journeys.
describe('octavo CLI', { timeout: 120_000 }, () => {
  let dir: string
  let server: RunningServer
  let notion: (token: string) => Client
  let ws: Created

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'octavo-cli-'))
    const config = loadConfig({ OCTAVO_DATA_DIR: dir, OCTAVO_PORT: '0', OCTAVO_DEMO: 'off', OCTAVO_LOG_LEVEL: 'silent' })
    config.rateLimits = { ...config.rateLimits, enabled: false }
    server = await startServer(config, { logger: createLogger('silent') })
    notion = (token) => new Client({ auth: token, baseUrl: server.url, retry: false, logLevel: LogLevel.ERROR, logger: () => {} })
    ws = await cliJson<Created>(
      [
        'workspace',
        'create',
        '--name',
        'Acme',
        '--plan',
        'plus',
        '--owner',
        'Olive Owner <olive@example.com>',
        '--member',
        'Mia Member <mia@example.com>',
        '--guest',
        'Gus Guest <gus@example.com>',
        '--page',
        'Root',
        '--page',
        'Secret',
      ],
      dir,
    )
  })
  afterAll(async () => {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('creates, lists and shows workspaces', async () => {
    expect(ws.workspace).toMatchObject({ name: 'Acme', plan: 'plus' })
    expect(ws.members.map((m) => [m.name, m.email, m.role])).toEqual([
      ['Olive Owner', 'olive@example.com', 'owner'],
      ['Mia Member', 'mia@example.com', 'member'],
      ['Gus Guest', 'gus@example.com', 'guest'],
    ])
    expect(ws.pages.map((p) => p.title)).toEqual(['Root', 'Secret'])

    const list = await cliJson<{ workspaces: { id: string; name: string }[] }>(['workspace', 'list'], dir)
    expect(list.workspaces.map((w) => w.id)).toContain(ws.workspace.id)
    const shown = await cliJson<{ workspace: { id: string }; members: Person[] }>(['workspace', 'show', 'Acme'], dir)
    expect(shown.workspace.id).toBe(ws.workspace.id)
    expect(shown.members).toHaveLength(3)

    const human = await runCli(['workspace', 'list'], dir)
    expect(human.code).toBe(0)
    expect(human.stdout).toContain(`${ws.workspace.id}  plus  Acme`)
  })

  it('adds and removes members, and creates pages as a person', async () => {
    const added = await cliJson<Person>(['member', 'add', ws.workspace.id, 'Nia New <nia@example.com>', '--role', 'member'], dir)
    expect(added).toMatchObject({ name: 'Nia New', email: 'nia@example.com', role: 'member' })
    const root = ws.pages[0] as { id: string }
    const child = await cliJson<{ id: string; parent_id: string }>(
      ['pages', 'create', ws.workspace.id, '--title', 'Child', '--parent', root.id, '--as', 'nia@example.com'],
      dir,
    )
    expect(child.parent_id).toBe(root.id)
    const tree = await cliJson<{ pages: { id: string; title: string; depth: number }[] }>(['pages', 'list', ws.workspace.id], dir)
    expect(tree.pages.map((p) => [p.title, p.depth])).toEqual([
      ['Root', 0],
      ['Child', 1],
      ['Secret', 0],
    ])
    const human = await runCli(['pages', 'list', 'Acme'], dir)
    expect(human.stdout).toContain(`${child.id}    Child`)

    const removed = await cliJson<{ removed: boolean; user_id: string }>(['member', 'remove', ws.workspace.id, 'nia@example.com'], dir)
    expect(removed).toEqual({ removed: true, workspace_id: ws.workspace.id, user_id: added.id })
    const again = await runCli(['member', 'remove', ws.workspace.id, added.id], dir)
    expect(again.code).toBe(1)
    expect(again.stderr).toBe(`octavo: User ${added.id} is not a member of workspace ${ws.workspace.id}.\n`)
  })

  it('refuses a guest a top-level page', async () => {
    const r = await runCli(['pages', 'create', ws.workspace.id, '--title', 'Nope', '--as', 'gus@example.com'], dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('octavo: Guests cannot create workspace pages.\n')
  })

  it('refuses to create a connection for a non-owner, with a clear message', async () => {
    const r = await runCli(['connection', 'create', ws.workspace.id, '--name', 'Sneaky', '--as', 'mia@example.com', '--json'], dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('octavo: Only workspace owners can create internal connections. This user is a member.\n')
    expect(JSON.parse(r.stdout)).toEqual({
      error: { code: 'forbidden', message: 'Only workspace owners can create internal connections. This user is a member.' },
    })
    const list = await cliJson<{ connections: Conn[] }>(['connection', 'list', ws.workspace.id], dir)
    expect(list.connections.map((c) => c.name)).not.toContain('Sneaky')

    const guest = await runCli(['connection', 'create', ws.workspace.id, '--name', 'Sneaky', '--as', 'gus@example.com'], dir)
    expect(guest.code).toBe(1)
    expect(guest.stderr).toBe('octavo: Only workspace owners can create internal connections. This user is a guest.\n')
    const listing = await runCli(['connection', 'list', ws.workspace.id, '--as', 'mia@example.com'], dir)
    expect(listing.code).toBe(1)
    expect(listing.stderr).toBe('octavo: Only workspace owners can see internal connections. This user is a member.\n')
  })

  it('walks the connection journey: create, share, unshare, capabilities, refresh, delete', async () => {
    const [root, secret] = ws.pages as [{ id: string; title: string }, { id: string; title: string }]
    const created = await cliJson<{ connection: Conn; token: string }>(
      ['connection', 'create', ws.workspace.id, '--name', 'CLI Bot', '--user-info', 'with_email'],
      dir,
    )
    expect(created.token).toMatch(/^ntn_/)
    expect(created.connection.capabilities).toEqual({
      readContent: true,
      updateContent: true,
      insertContent: true,
      readComments: false,
      insertComments: false,
      userInfo: 'with_email',
    })
    const cid = created.connection.id
    const bot = notion(created.token)
    expect((await bot.users.me({})).name).toBe('CLI Bot')

    const list = await cliJson<{ connections: Conn[] }>(['connection', 'list', 'Acme'], dir)
    expect(list.connections.find((c) => c.id === cid)?.token_hint).toBe(created.connection.token_hint)
    expect((await cliJson<{ token: string }>(['connection', 'token', cid], dir)).token).toBe(created.token)

    const before = await apiError(bot.pages.retrieve({ page_id: root.id }))
    expect([before.status, before.code]).toEqual([404, APIErrorCode.ObjectNotFound])

    expect(await cliJson(['connection', 'share', cid, root.id], dir)).toEqual({ connection_id: cid, page_id: root.id })
    expect((await bot.pages.retrieve({ page_id: root.id })).id).toBe(root.id)
    const shares = await cliJson<{ pages: { page_id: string; title: string }[] }>(['connection', 'pages', cid], dir)
    expect(shares.pages.map((p) => [p.page_id, p.title])).toEqual([[root.id, 'Root']])
    const secretErr = await apiError(bot.pages.retrieve({ page_id: secret.id }))
    expect(secretErr.code).toBe(APIErrorCode.ObjectNotFound)

    expect(await cliJson(['connection', 'unshare', cid, root.id], dir)).toEqual({ removed: true, connection_id: cid, page_id: root.id })
    expect((await apiError(bot.pages.retrieve({ page_id: root.id }))).code).toBe(APIErrorCode.ObjectNotFound)
    const notShared = await runCli(['connection', 'unshare', cid, root.id], dir)
    expect(notShared.stdout).toBe(`${root.id} was not shared directly with connection ${cid}; nothing changed.\n`)
    await cliJson(['connection', 'share', cid, root.id], dir)

    const caps = await cliJson<{ capabilities: Record<string, unknown> }>(
      ['connection', 'capabilities', cid, '--capabilities', 'update_content,insert_content'],
      dir,
    )
    expect(caps.capabilities).toMatchObject({ readContent: false, updateContent: true, insertContent: true, userInfo: 'with_email' })
    const restricted = await apiError(bot.pages.retrieve({ page_id: root.id }))
    expect([restricted.status, restricted.code, restricted.message]).toEqual([
      403,
      APIErrorCode.RestrictedResource,
      'Insufficient permissions for this endpoint.',
    ])
    const shown = await cliJson<{ capabilities: Record<string, unknown> }>(['connection', 'capabilities', cid], dir)
    expect(shown.capabilities).toEqual(caps.capabilities)
    await cliJson(['connection', 'capabilities', cid, '--capabilities', 'read_content,update_content,insert_content'], dir)
    expect((await bot.pages.retrieve({ page_id: root.id })).id).toBe(root.id)

    const refreshed = await cliJson<{ token: string }>(['connection', 'refresh', cid], dir)
    expect(refreshed.token).toMatch(/^ntn_/)
    expect(refreshed.token).not.toBe(created.token)
    const old = await apiError(bot.users.me({}))
    expect([old.status, old.code, old.message]).toEqual([401, APIErrorCode.Unauthorized, 'API token is invalid.'])
    expect((await notion(refreshed.token).pages.retrieve({ page_id: root.id })).id).toBe(root.id)
    expect((await cliJson<{ token: string }>(['connection', 'token', cid], dir)).token).toBe(refreshed.token)

    const audit = await cliJson<{ entries: { action: string; target: string }[] }>(['audit', ws.workspace.id], dir)
    const actions = audit.entries.map((e) => e.action)
    for (const a of [
      'connection.created',
      'page.connection_added',
      'page.connection_removed',
      'connection.capabilities_changed',
      'connection.token_refreshed',
      'connection.token_revealed',
    ]) {
      expect(actions).toContain(a)
    }
    expect(JSON.stringify(audit)).not.toContain(refreshed.token)

    expect(await cliJson(['connection', 'delete', cid], dir)).toEqual({ deleted: true, id: cid })
    expect((await apiError(notion(refreshed.token).users.me({}))).code).toBe(APIErrorCode.Unauthorized)
    const gone = await runCli(['connection', 'token', cid], dir)
    expect(gone.code).toBe(1)
    expect(gone.stderr).toBe(`octavo: No connection with id ${cid}.\n`)
  })

  it('lets a member with full access share a page, but not an owner-only action', async () => {
    const created = await cliJson<{ connection: Conn; token: string }>(
      ['connection', 'create', ws.workspace.id, '--name', 'Member-shared'],
      dir,
    )
    const root = ws.pages[0] as { id: string }
    await cliJson(['connection', 'share', created.connection.id, root.id, '--as', 'mia@example.com'], dir)
    expect((await notion(created.token).pages.retrieve({ page_id: root.id })).id).toBe(root.id)
    const guest = await runCli(['connection', 'share', created.connection.id, root.id, '--as', 'gus@example.com'], dir)
    expect(guest.code).toBe(1)
    expect(guest.stderr).toBe('octavo: Only people with full access to this page can add or remove connections on it.\n')
    const refresh = await runCli(['connection', 'refresh', created.connection.id, '--as', 'mia@example.com'], dir)
    expect(refresh.code).toBe(1)
    expect(refresh.stderr).toBe('octavo: Only workspace owners can refresh connection tokens. This user is a member.\n')
  })

  it('rejects bad input with one clear line and exit code 1', async () => {
    const cases: [string[], string][] = [
      [['connection', 'token', 'not-a-uuid'], 'octavo: connection-id must be a UUID, got "not-a-uuid".\n'],
      [['workspace', 'show', 'Nowhere'], 'octavo: No workspace named "Nowhere".\n'],
      [
        ['workspace', 'show', '00000000-0000-4000-8000-000000000000'],
        'octavo: No workspace with id 00000000-0000-4000-8000-000000000000.\n',
      ],
      [
        ['workspace', 'create', '--name', 'X', '--owner', 'no email here'],
        'octavo: Expected a person as "Name <email>", got "no email here".\n',
      ],
      [
        ['connection', 'create', 'Acme', '--name', 'X', '--capabilities', 'read_content,fly'],
        'octavo: Unknown capability "fly"; use read_content, update_content, insert_content, read_comments, insert_comments.\n',
      ],
      [['pages', 'create', 'Acme', '--title', 'X', '--as', 'nobody@example.com'], 'octavo: No user nobody@example.com.\n'],
      [['reset'], 'octavo: Refusing to reset without --yes: this deletes every workspace, page and connection.\n'],
      [['audit', 'Acme', '--limit', '0'], 'octavo: --limit must be a positive integer.\n'],
      [['serve', '--port', '70000'], 'octavo: --port must be an integer from 0 to 65535, got "70000".\n'],
    ]
    const results = await Promise.all(cases.map(([args]) => runCli(args, dir)))
    results.forEach((r, i) => {
      const [args, stderr] = cases[i] as [string[], string]
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 1, stderr })
    })
    const badEnv = await runCli(['workspace', 'list'], dir, { OCTAVO_PORT: 'abc' })
    expect([badEnv.code, badEnv.stderr]).toEqual([
      1,
      'octavo: Invalid configuration OCTAVO_PORT: Invalid input: expected number, received NaN\n',
    ])

    await cliJson(['workspace', 'create', '--name', 'Twin', '--owner', 'Olive Owner <olive@example.com>'], dir)
    await cliJson(['workspace', 'create', '--name', 'Twin', '--owner', 'Olive Owner <olive@example.com>'], dir)
    const twin = await runCli(['pages', 'list', 'Twin'], dir)
    expect([twin.code, twin.stderr]).toEqual([1, 'octavo: 2 workspaces are named "Twin"; use an id.\n'])

    const unknown = await runCli(['workspace', 'create', '--name', 'X', '--owner', 'A <a@b.co>', '--plan', 'gold'], dir)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain(
      "error: option '--plan <plan>' argument 'gold' is invalid. Allowed choices are free, plus, business, enterprise.",
    )
  })

  it('resets the store with --yes', async () => {
    expect(await cliJson(['reset', '--yes'], dir)).toEqual({ reset: true })
    expect(await cliJson(['workspace', 'list'], dir)).toEqual({ workspaces: [] })
    const human = await runCli(['workspace', 'list'], dir)
    expect(human.stdout).toBe('No workspaces. Create one with `octavo workspace create`.\n')
  })
})
