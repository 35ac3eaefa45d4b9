import { Client, LogLevel } from '@notionhq/client'
import { runCliInProcess } from '../support/cli-in-process.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { oauthCommands } from '../../src/cli/oauth-commands.js'
import { adminCall } from '../support/factories.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import { consent } from '../support/oauth.js'

/**
 * Public connections and installs on the admin API (`/_octavo/admin`) and the CLI (`octavo
 * public-connection …`, `octavo install …`, run in-process on the server's own data directory), each
 * effect checked through the SDK.
 */
describe('public connections on the admin API and the CLI', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  const REDIRECT = 'http://127.0.0.1:9999/cb'
  const call = (method: string, path: string, body?: unknown) => adminCall(server, method, path, body)
  async function octavo(args: string[]): Promise<string> {
    return runCliInProcess([oauthCommands], ['--data-dir', server.dataDir, ...args], { databaseUrl: server.config.databaseUrl })
  }
  const sdk = () => new Client({ baseUrl: server.url, retry: false, logLevel: LogLevel.ERROR, logger: () => {} })
  const install = async (clientId: string, clientSecret: string, userId: string, pageId: string) => {
    const to = await consent(server, {
      userId,
      params: { client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', owner: 'user' },
      pageIds: [pageId],
    })
    return sdk().oauth.token({
      client_id: clientId,
      client_secret: clientSecret,
      grant_type: 'authorization_code',
      code: to.searchParams.get('code') as string,
      redirect_uri: REDIRECT,
    })
  }

  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
  })
  afterAll(async () => server?.stop())

  it('admin API: register (full members only), reveal, refresh, list installs, remove one, delete', async () => {
    const ws = s.workspace.id
    const guest = await call('POST', `/workspaces/${ws}/public-connections`, { name: 'G', redirect_uris: [REDIRECT], as: s.guest.email })
    expect(guest.status).toBe(403)
    const bad = await call('POST', `/workspaces/${ws}/public-connections`, { name: 'B', redirect_uris: ['ftp://x'], as: s.member.email })
    expect(bad.status).toBe(400)
    const created = await call('POST', `/workspaces/${ws}/public-connections`, {
      name: 'Admin App',
      redirect_uris: [REDIRECT],
      capabilities: { insert_content: false },
      as: s.member.email,
    })
    expect(created.status).toBe(200)
    const id = created.body.connection.client_id as string
    expect(created.body.client_secret).toMatch(/^secret_[A-Za-z0-9]{43}$/)
    expect(created.body.connection.capabilities.insertContent).toBe(false)
    expect((await call('GET', `/public-connections/${id}/client-secret?as=${s.member.email}`)).body.client_secret).toBe(
      created.body.client_secret,
    )
    // The workspace owner manages it too; the guest does not.
    expect((await call('GET', `/public-connections/${id}`)).status).toBe(200)
    expect((await call('GET', `/public-connections/${id}?as=${s.guest.email}`)).status).toBe(403)
    const refreshed = (await call('POST', `/public-connections/${id}/client-secret/refresh`, { as: s.member.email })).body
      .client_secret as string
    expect(refreshed).not.toBe(created.body.client_secret)
    const patched = await call('PATCH', `/public-connections/${id}`, {
      redirect_uris: [REDIRECT, 'http://127.0.0.1:9999/two'],
      as: s.member.email,
    })
    expect(patched.body.redirect_uris).toEqual([REDIRECT, 'http://127.0.0.1:9999/two'])

    const tok = await install(id, refreshed, s.member.id, s.pages.child.id)
    const listed = await call('GET', `/workspaces/${ws}/installs`)
    const row = listed.body.installs.find((i: { bot_id: string }) => i.bot_id === tok.bot_id)
    expect(row).toMatchObject({
      connection: { id, name: 'Admin App' },
      authorized_by: { id: s.member.id },
      pages: [{ id: s.pages.child.id }],
      active: true,
    })
    expect((await call('GET', `/workspaces/${ws}/installs?as=${s.member.email}`)).status).toBe(403)
    expect((await call('GET', `/workspaces/${ws}/installs?scope=own&as=${s.member.email}`)).body.installs).toHaveLength(1)
    expect((await call('DELETE', `/installs/${row.id}?as=${s.guest.email}`)).status).toBe(403)
    expect((await call('DELETE', `/installs/${row.id}`)).body).toEqual({ removed: true, id: row.id })
    expect((await apiError(server.client(tok.access_token).users.me({}))).status).toBe(401)

    const tok2 = await install(id, refreshed, s.owner.id, s.pages.child.id)
    const ownerInstall = (await call('GET', `/workspaces/${ws}/installs`)).body.installs.find(
      (i: { bot_id: string }) => i.bot_id === tok2.bot_id,
    )
    expect((await apiError(server.client(tok2.access_token).pages.retrieve({ page_id: s.pages.secret.id }))).status).toBe(404)
    expect((await call('PUT', `/installs/${ownerInstall.id}/pages/${s.pages.secret.id}`, { as: s.guest.email })).status).toBe(403)
    expect((await call('PUT', `/installs/${ownerInstall.id}/pages/${s.pages.secret.id}`, {})).body).toEqual({
      install_id: ownerInstall.id,
      page_id: s.pages.secret.id,
      changed: true,
    })
    expect((await server.client(tok2.access_token).pages.retrieve({ page_id: s.pages.secret.id })).id).toBe(s.pages.secret.id)
    expect((await call('DELETE', `/installs/${ownerInstall.id}/pages/${s.pages.secret.id}`)).body.changed).toBe(true)
    expect((await apiError(server.client(tok2.access_token).pages.retrieve({ page_id: s.pages.secret.id }))).status).toBe(404)
    expect((await call('DELETE', `/public-connections/${id}?as=${s.member.email}`)).body.deleted).toBe(true)
    expect((await apiError(server.client(tok2.access_token).users.me({}))).status).toBe(401)
    expect((await call('GET', `/public-connections/${id}`)).status).toBe(404)
    const audit = await call('GET', `/workspaces/${ws}/audit?action=public_connection.*,oauth.install_removed`)
    expect(audit.status).toBe(200)
    const text = JSON.stringify(audit.body)
    for (const a of [
      'public_connection.created',
      'public_connection.secret_revealed',
      'public_connection.secret_refreshed',
      'public_connection.updated',
      'public_connection.deleted',
      'oauth.install_removed',
    ])
      expect(text).toContain(a)
    expect(text).not.toContain(refreshed)
    expect(text).not.toContain(created.body.client_secret)
  })

  it('CLI: create, show, secret, install list and remove', async () => {
    const out = JSON.parse(
      await octavo([
        '--json',
        'public-connection',
        'create',
        'Acme',
        '--name',
        'CLI App',
        '--redirect-uri',
        REDIRECT,
        '--capabilities',
        'read_content',
        '--as',
        s.member.email as string,
      ]),
    ) as {
      connection: { client_id: string; capabilities: { readContent: boolean; updateContent: boolean } }
      client_secret: string
    }
    expect(out.connection.capabilities).toMatchObject({ readContent: true, updateContent: false })
    const id = out.connection.client_id
    expect(await octavo(['public-connection', 'show', id, '--as', s.member.email as string])).toContain(`client id: ${id}`)
    expect((await octavo(['public-connection', 'secret', id, '--as', s.member.email as string])).trim()).toBe(out.client_secret)
    await expect(octavo(['public-connection', 'secret', id, '--as', s.guest.email as string])).rejects.toThrow(
      /Only the person who registered/,
    )

    const tok = await install(id, out.client_secret, s.member.id, s.pages.secret.id)
    const table = await octavo(['install', 'list', 'Acme'])
    expect(table).toContain('CLI App')
    expect(table).toContain(tok.bot_id)
    const installs = JSON.parse(await octavo(['--json', 'install', 'list', 'Acme', '--own', '--as', s.member.email as string])) as {
      installs: { id: string; bot_id: string }[]
    }
    const mine = installs.installs.find((i) => i.bot_id === tok.bot_id) as { id: string }
    expect(await octavo(['install', 'share', mine.id, s.pages.root.id, '--as', s.member.email as string])).toContain('Shared page')
    expect((await server.client(tok.access_token).pages.retrieve({ page_id: s.pages.grandchild.id })).id).toBe(s.pages.grandchild.id)
    expect(await octavo(['install', 'remove', mine.id, '--as', s.member.email as string])).toContain('Removed install')
    expect((await apiError(server.client(tok.access_token).users.me({}))).status).toBe(401)
  })
})
