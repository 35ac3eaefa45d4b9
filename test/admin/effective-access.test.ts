import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { peopleCommands } from '../../src/cli/people-commands.js'
import { runCliInProcess } from '../support/cli-in-process.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import { installApp, sessionCookie } from '../support/oauth.js'

/**
 * One answer to "who can reach this page, at which level, through which page" (`effectiveAccess`):
 * the admin API's `GET /pages/{id}/permissions`, the CLI's `octavo access show` and the portal's
 * ••• → Connections panel agree, for the workspace, a group, a person, an internal connection's bot and
 * an OAuth install's bot alike (the install's bot used to be listed without a name by the admin API).
 */
describe('effective access of a page: admin API, CLI and portal', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  let groupId: string
  let installBot: string
  const REDIRECT = 'http://127.0.0.1:9999/cb'

  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/_octavo/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${server.config.adminKey}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    return { status: res.status, body: (await res.json()) as any }
  }

  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
    await s.share(s.pages.root.id)
    groupId = (await admin('POST', `/workspaces/${s.workspace.id}/groups`, { name: 'Design' })).body.id
    expect((await admin('PUT', `/pages/${s.pages.child.id}/permissions/groups/${groupId}`, { level: 'comment' })).status).toBe(200)
    expect((await admin('PUT', `/pages/${s.pages.grandchild.id}/permissions/users/${s.guest.id}`, { level: 'view' })).status).toBe(200)
    // Mia installs "Calendar Sync" and picks Child at consent.
    const { token: res } = await installApp(server, {
      workspaceId: s.workspace.id,
      ownerId: s.owner.id,
      userId: s.member.id,
      pageIds: [s.pages.child.id],
      name: 'Calendar Sync',
      redirectUri: REDIRECT,
    })
    installBot = res.bot_id
  })
  afterAll(async () => server?.stop())

  it('the admin API names every principal, bots of internal connections and installs alike, with the page granting it', async () => {
    const { root, child, grandchild } = s.pages
    const r = await admin('GET', `/pages/${grandchild.id}/permissions`)
    expect(r.status).toBe(200)
    const entries = r.body.entries as any[]
    expect(entries.map((e) => [e.type, e.name, e.level, e.source_page_id])).toEqual([
      ['workspace', 'Acme', 'full', root.id],
      ['group', 'Design', 'comment', child.id],
      ['user', 'Gus Guest', 'view', grandchild.id],
      ['connection', 'Test Bot', 'edit', root.id],
      ['connection', 'Calendar Sync', 'edit', child.id],
    ])
    const install = entries.find((e) => e.principal === `bot:${installBot}`)
    expect(install).toMatchObject({
      type: 'connection',
      name: 'Calendar Sync',
      inherited: true,
      source_title: 'Child',
      granted_by_name: 'Mia Member',
      connection: { kind: 'public', authorized_by_name: 'Mia Member', active: true, install_id: expect.any(String) },
    })
    expect(entries.find((e) => e.principal === `bot:${s.connection.bot_id}`)).toMatchObject({
      source_title: 'Root',
      connection: { kind: 'internal', connection_id: s.connection.id, install_id: null },
    })
  })

  it('the CLI shows the same entries', async () => {
    const out = await runCliInProcess([peopleCommands], ['--data-dir', server.dataDir, '--json', 'access', 'show', s.pages.grandchild.id], {
      databaseUrl: server.config.databaseUrl,
    })
    const api = (await admin('GET', `/pages/${s.pages.grandchild.id}/permissions`)).body
    expect(JSON.parse(out)).toEqual(api)
  })

  it('the portal lists the same connections, each with the page whose share grants it', async () => {
    const cookie = await sessionCookie(server, s.owner.id)
    const page = (id: string) => `/w/${s.workspace.id}/pages/${id}`
    const html = await (await fetch(`${server.url}${page(s.pages.grandchild.id)}?panel=connections`, { headers: { cookie } })).text()
    const testBot = html.indexOf('<span class="title">Test Bot</span>')
    const calendar = html.indexOf('<span class="title">Calendar Sync</span>')
    expect(testBot).toBeGreaterThan(0)
    expect(calendar).toBeGreaterThan(testBot) // internal connections first, then installs
    expect(html).toContain(`Inherited from <a href="${page(s.pages.root.id)}">Root</a>`)
    expect(html).toContain(`Inherited from <a href="${page(s.pages.child.id)}">Child</a> by Mia Member`)
    expect(html).toContain('Public connection · installed by Mia Member')
    // People, groups and the workspace are not connections: they stay out of this panel.
    expect(html).not.toContain('Design')
  })
})
