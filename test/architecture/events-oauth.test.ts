import { Client, LogLevel, UnknownHTTPResponseError } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { oauthCommands } from '../../src/cli/oauth-commands.js'
import { lastEventSeq, listEvents, type ChangeEvent } from '../../src/storage/repositories/events.repository.js'
import { runCliInProcess } from '../support/cli-in-process.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import { consent } from '../support/oauth.js'

/**
 * Change events (ADR 15) of public connections and OAuth, each write made through its real surface —
 * the admin API over HTTP (register, update, reveal and refresh the secret, install shares, delete),
 * the consent screen over HTTP (install, with a template copy), the SDK (token issue, refresh, revoke,
 * replay) and the CLI in-process (install removal) — asserting the exact list of new events (type and
 * object id, in `seq` order), and that a refused write appends none.
 */
describe('change events of public connections and OAuth', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  const REDIRECT = 'http://127.0.0.1:9999/cb'
  let templateId: string
  let clientId: string
  let clientSecret: string
  let installId: string
  const sdk = () => new Client({ baseUrl: server.url, retry: false, logLevel: LogLevel.ERROR, logger: () => {} })
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/_octavo/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${server.config.adminKey}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    return { status: res.status, body: (await res.json()) as any }
  }
  const octavo = (args: string[]) =>
    runCliInProcess([oauthCommands], ['--data-dir', server.dataDir, ...args], { databaseUrl: server.config.databaseUrl })
  /** Runs `write` and returns the events it appended. */
  const eventsOf = async (write: () => Promise<unknown>): Promise<ChangeEvent[]> => {
    const afterSeq = await lastEventSeq(server.deps.store.db)
    await write()
    return listEvents(server.deps.store.db, { afterSeq })
  }
  const pairs = (events: ChangeEvent[]) => events.map((e) => [e.type, e.objectId])
  const failsWith = async (p: Promise<unknown>, status: number) => {
    await expect(p).rejects.toSatisfy((e: unknown) => e instanceof UnknownHTTPResponseError && e.status === status)
  }

  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
    await s.share(s.pages.root.id)
    // A template page with nested content and a sub-page (which a template copy leaves behind).
    const notion = server.client(s.token)
    const tpl = await notion.pages.create({
      parent: { page_id: s.pages.root.id },
      properties: { title: { title: [{ text: { content: 'Starter kit' } }] } },
      children: [
        {
          paragraph: {
            rich_text: [{ text: { content: 'Read me' } }],
            children: [{ bulleted_list_item: { rich_text: [{ text: { content: 'nested' } }] } }],
          },
        },
        { heading_2: { rich_text: [{ text: { content: 'Tasks' } }] } },
      ],
    })
    templateId = tpl.id
    await notion.pages.create({ parent: { page_id: templateId }, properties: { title: { title: [{ text: { content: 'Not copied' } }] } } })
  })
  afterAll(async () => server?.stop())

  it('admin API: register, update, reveal and refresh the secret append one event each; refused writes none', async () => {
    const ws = s.workspace.id
    let created: any
    const reg = await eventsOf(async () => {
      created = await admin('POST', `/workspaces/${ws}/public-connections`, {
        name: 'Events App',
        redirect_uris: [REDIRECT],
        template_page_id: templateId,
        as: s.member.email,
      })
    })
    expect(created.status).toBe(200)
    clientId = created.body.connection.client_id
    expect(pairs(reg)).toEqual([['public_connection.created', clientId]])
    expect(reg[0]).toMatchObject({ workspaceId: ws, actor: `user:${s.member.id}`, data: { name: 'Events App', redirect_uris: [REDIRECT] } })

    expect(
      pairs(
        await eventsOf(async () =>
          expect((await admin('PATCH', `/public-connections/${clientId}`, { name: 'Events App 2', as: s.member.email })).status).toBe(200),
        ),
      ),
    ).toEqual([['public_connection.updated', clientId]])
    expect(
      pairs(
        await eventsOf(async () =>
          expect((await admin('GET', `/public-connections/${clientId}/client-secret?as=${s.member.email}`)).status).toBe(200),
        ),
      ),
    ).toEqual([['public_connection.secret_revealed', clientId]])
    let refreshed: any
    const ref = await eventsOf(async () => {
      refreshed = await admin('POST', `/public-connections/${clientId}/client-secret/refresh`, { as: s.member.email })
    })
    expect(pairs(ref)).toEqual([['public_connection.secret_refreshed', clientId]])
    clientSecret = refreshed.body.client_secret
    expect(JSON.stringify(ref)).not.toContain(clientSecret)

    // Refused (decide-public-connection): a guest registers, changes, refreshes or deletes nothing.
    const refused = await eventsOf(async () => {
      expect(
        (await admin('POST', `/workspaces/${ws}/public-connections`, { name: 'G', redirect_uris: [REDIRECT], as: s.guest.email })).status,
      ).toBe(403)
      expect((await admin('PATCH', `/public-connections/${clientId}`, { name: 'Hijacked', as: s.guest.email })).status).toBe(403)
      expect((await admin('POST', `/public-connections/${clientId}/client-secret/refresh`, { as: s.guest.email })).status).toBe(403)
      expect((await admin('DELETE', `/public-connections/${clientId}?as=${s.guest.email}`)).status).toBe(403)
    })
    expect(refused).toEqual([])
  })

  it('consent (pages + template copy), then token issue, refresh, revoke and code replay through the SDK', async () => {
    let to!: URL
    const installed = await eventsOf(async () => {
      to = await consent(server, {
        userId: s.member.id,
        params: { client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', owner: 'user' },
        pageIds: [s.pages.child.id],
        template: true,
      })
    })
    const code = to.searchParams.get('code') as string
    expect(code).toBeTruthy()
    let tok!: Awaited<ReturnType<Client['oauth']['token']>>
    const issued = await eventsOf(async () => {
      tok = await sdk().oauth.token({
        client_id: clientId,
        client_secret: clientSecret,
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
      })
    })
    const copyId = tok.duplicated_template_id as string
    expect(copyId).toBeTruthy()
    const authorized = installed.find((e) => e.type === 'oauth.authorized') as ChangeEvent
    installId = authorized.objectId as string
    // The sign-in of the test helper's portal session, the authorization and the picked page's grant to
    // the install's bot, then the template copy: the page (private to the member: its grant), then its
    // blocks in tree order (paragraph, its nested item, heading), each with its parent, and last the
    // copy's grant to the install's bot.
    expect(installed.map((e) => e.type)).toEqual([
      'user.signed_in',
      'oauth.authorized',
      'grant.changed',
      'page.created',
      'grant.changed',
      'block.appended',
      'block.appended',
      'block.appended',
      'grant.changed',
    ])
    const grants = installed.filter((e) => e.type === 'grant.changed')
    expect(grants.map((e) => [e.objectId, (e.data as { principal: string }).principal])).toEqual([
      [s.pages.child.id, expect.stringMatching(/^bot:/)],
      [copyId, `user:${s.member.id}`],
      [copyId, expect.stringMatching(/^bot:/)],
    ])
    expect(authorized).toMatchObject({
      actor: `user:${s.member.id}`,
      data: { connection_id: clientId, page_ids: [s.pages.child.id], duplicated_template_id: copyId, install_created: true },
    })
    const [, , page, para, nested, heading] = installed.filter((e) => e.type !== 'grant.changed') as [
      ChangeEvent,
      ChangeEvent,
      ChangeEvent,
      ChangeEvent,
      ChangeEvent,
      ChangeEvent,
    ]
    expect(page).toMatchObject({
      objectId: copyId,
      workspaceId: s.workspace.id,
      actor: `user:${s.member.id}`,
      data: { parent_type: 'workspace', parent_id: null },
    })
    expect(para.data).toMatchObject({ parent_id: copyId, type: 'paragraph' })
    expect(nested.data).toMatchObject({ parent_id: para.objectId, type: 'bulleted_list_item' })
    expect(heading.data).toMatchObject({ parent_id: copyId, type: 'heading_2' })
    const copied = await server.client(tok.access_token).blocks.children.list({ block_id: copyId })
    expect(copied.results.map((b) => b.id)).toEqual([para.objectId, heading.objectId])

    expect(pairs(issued)).toEqual([['oauth.token_issued', installId]])
    expect(issued[0]?.actor).toBe(`client:${clientId}`)

    let second!: Awaited<ReturnType<Client['oauth']['token']>>
    const refreshed = await eventsOf(async () => {
      second = await sdk().oauth.token({
        client_id: clientId,
        client_secret: clientSecret,
        grant_type: 'refresh_token',
        refresh_token: tok.refresh_token as string,
      })
    })
    expect(pairs(refreshed)).toEqual([['oauth.token_refreshed', installId]])

    // A refused exchange (unknown code) and a refused client (wrong secret) append nothing.
    const refused = await eventsOf(async () => {
      await failsWith(
        sdk().oauth.token({
          client_id: clientId,
          client_secret: clientSecret,
          grant_type: 'authorization_code',
          code: 'not-a-code',
          redirect_uri: REDIRECT,
        }),
        400,
      )
      await failsWith(sdk().oauth.revoke({ client_id: clientId, client_secret: 'secret_wrong', token: second.access_token }), 401)
    })
    expect(refused).toEqual([])

    expect(
      pairs(await eventsOf(() => sdk().oauth.revoke({ client_id: clientId, client_secret: clientSecret, token: second.access_token }))),
    ).toEqual([['oauth.token_revoked', installId]])
    // Revoking a revoked token changes nothing, and says nothing.
    expect(
      await eventsOf(() => sdk().oauth.revoke({ client_id: clientId, client_secret: clientSecret, token: second.access_token })),
    ).toEqual([])
    const replay = await eventsOf(() =>
      failsWith(
        sdk().oauth.token({
          client_id: clientId,
          client_secret: clientSecret,
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT,
        }),
        400,
      ),
    )
    expect(pairs(replay)).toEqual([['oauth.code_replayed', installId]])
    const refreshReplay = await eventsOf(() =>
      failsWith(
        sdk().oauth.token({
          client_id: clientId,
          client_secret: clientSecret,
          grant_type: 'refresh_token',
          refresh_token: tok.refresh_token as string,
        }),
        400,
      ),
    )
    expect(pairs(refreshReplay)).toEqual([['oauth.refresh_replayed', installId]])
  })

  it('CLI: install removal appends oauth.install_removed; a refused removal none', async () => {
    const refused = await eventsOf(() =>
      expect(octavo(['install', 'remove', installId, '--as', s.guest.email as string])).rejects.toThrow(
        /Only the person who authorized this connection/,
      ),
    )
    expect(refused).toEqual([])
    const removed = await eventsOf(async () =>
      expect(await octavo(['install', 'remove', installId, '--as', s.member.email as string])).toContain('Removed install'),
    )
    // The install's bot loses its grants (the picked page and the template copy), then the install goes.
    expect(pairs(removed)).toEqual([
      ['grant.changed', expect.any(String)],
      ['grant.changed', expect.any(String)],
      ['oauth.install_removed', installId],
    ])
    expect(removed.slice(0, 2).every((e) => (e.data as { principal: string }).principal.startsWith('bot:'))).toBe(true)
    expect(removed[2]).toMatchObject({ actor: `user:${s.member.id}`, data: { connection_id: clientId, authorized_by: s.member.id } })
  })

  it('admin API: install shares, and deleting the connection removes each install then the registration', async () => {
    const to = await consent(server, {
      userId: s.owner.id,
      params: { client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', owner: 'user' },
      pageIds: [s.pages.child.id],
    })
    expect(to.searchParams.get('code')).toBeTruthy()
    const [ownerInstall] = (await admin('GET', `/workspaces/${s.workspace.id}/installs?scope=own`)).body.installs as { id: string }[]
    const id = ownerInstall!.id
    expect(
      pairs(await eventsOf(async () => expect((await admin('PUT', `/installs/${id}/pages/${s.pages.secret.id}`, {})).status).toBe(200))),
    ).toEqual([
      ['grant.changed', s.pages.secret.id],
      ['oauth.page_shared', s.pages.secret.id],
    ])
    expect(
      pairs(await eventsOf(async () => expect((await admin('DELETE', `/installs/${id}/pages/${s.pages.secret.id}`)).status).toBe(200))),
    ).toEqual([
      ['grant.changed', s.pages.secret.id],
      ['oauth.page_unshared', s.pages.secret.id],
    ])
    // Refused: the guest has no full access to the page.
    expect(
      await eventsOf(async () =>
        expect((await admin('PUT', `/installs/${id}/pages/${s.pages.secret.id}`, { as: s.guest.email })).status).toBe(403),
      ),
    ).toEqual([])

    const deleted = await eventsOf(async () =>
      expect((await admin('DELETE', `/public-connections/${clientId}?as=${s.member.email}`)).status).toBe(200),
    )
    // The install's bot loses its grant on the page picked at consent, then the install, then the registration.
    expect(pairs(deleted)).toEqual([
      ['grant.changed', s.pages.child.id],
      ['oauth.install_removed', id],
      ['public_connection.deleted', clientId],
    ])
    expect(deleted[1]?.data).toMatchObject({ reason: 'connection_deleted' })
    expect(deleted[2]?.data).toEqual({ name: 'Events App 2', installs_removed: 1 })
  })
})
