import { Client, LogLevel, UnknownHTTPResponseError, APIErrorCode } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { removeInstall, listOwnInstalls, listWorkspaceInstalls, setInstallPageShare } from '../../src/services/oauth/installs.js'
import { refreshClientSecret, registerPublicConnection } from '../../src/services/public-connections.service.js'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { addMember, createWorkspace, removeMember } from '../../src/services/workspaces.service.js'
import { listAudit } from '../../src/storage/repositories/audit.repository.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import { consent, pkcePair, registerApp, sessionCookie } from '../support/oauth.js'

/**
 * Public connections' OAuth with the official SDK (issue 8; docs/reference/notion-api.md §7): `oauth.token` (code and
 * refresh grants), `oauth.introspect`, `oauth.revoke`, and what the resulting token may do. Codes come
 * from the real consent screen over HTTP (test/support/oauth.ts).
 */
describe('OAuth public connections with the SDK', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  let app: Awaited<ReturnType<typeof registerApp>>
  const REDIRECT = 'http://127.0.0.1:9999/callback'
  let sdk: Client

  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
    app = await registerApp(server, {
      workspaceId: s.workspace.id,
      actorId: s.member.id,
      redirectUris: [REDIRECT, 'http://127.0.0.1:9999/other'],
    })
    sdk = new Client({ baseUrl: server.url, retry: false, logLevel: LogLevel.ERROR, logger: () => {} })
  })
  afterAll(async () => server?.stop())

  const params = (extra: Record<string, string> = {}) => ({
    client_id: app.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    owner: 'user',
    state: 'st-1',
    ...extra,
  })
  const codeFor = async (userId: string, pageIds: string[], extra: Record<string, string> = {}) => {
    const to = await consent(server, { userId, params: params(extra), pageIds })
    expect(to.origin + to.pathname).toBe(REDIRECT)
    expect(to.searchParams.get('state')).toBe(extra.state ?? 'st-1')
    return to.searchParams.get('code') as string
  }
  const exchange = (code: string, redirect_uri: string | null = REDIRECT) =>
    sdk.oauth.token({
      client_id: app.clientId,
      client_secret: app.clientSecret,
      grant_type: 'authorization_code',
      code,
      ...(redirect_uri ? { redirect_uri } : {}),
    })
  const oauthFailure = async (p: Promise<unknown>) => {
    try {
      await p
    } catch (e) {
      if (e instanceof UnknownHTTPResponseError) return { status: e.status, body: JSON.parse(e.body) as Record<string, string> }
      throw e
    }
    throw new Error('expected an OAuth failure')
  }

  it('exchanges a code for a token response with every key the SDK types, owner = the authorizing person', async () => {
    const code = await codeFor(s.owner.id, [s.pages.child.id])
    const res = await exchange(code)
    expect(Object.keys(res).sort()).toEqual(
      [
        'access_token',
        'bot_id',
        'duplicated_template_id',
        'owner',
        'refresh_token',
        'request_id',
        'token_type',
        'workspace_icon',
        'workspace_id',
        'workspace_name',
      ].sort(),
    )
    expect(res.token_type).toBe('bearer')
    expect(res.access_token).toMatch(/^ntn_3[0-9]{10}[A-Za-z0-9]{35}$/)
    expect(res.refresh_token).toMatch(/^ntn_4/)
    expect(res.workspace_id).toBe(s.workspace.id)
    expect(res.workspace_name).toBe('Acme')
    expect(res.duplicated_template_id).toBeNull()
    expect(res.owner).toEqual({
      type: 'user',
      user: {
        object: 'user',
        id: s.owner.id,
        name: 'Olive Owner',
        avatar_url: null,
        type: 'person',
        person: { email: 'olive@example.com' },
      },
    })

    const bot = server.client(res.access_token)
    const me = await bot.users.me({})
    expect(me.id).toBe(res.bot_id)
    expect(me.type === 'bot' && me.bot).toMatchObject({
      owner: { type: 'user', user: { id: s.owner.id, type: 'person' } },
      workspace_id: s.workspace.id,
      workspace_name: null,
    })
    // Only the picked page and its descendants.
    expect((await bot.pages.retrieve({ page_id: s.pages.child.id })).id).toBe(s.pages.child.id)
    expect((await bot.pages.retrieve({ page_id: s.pages.grandchild.id })).id).toBe(s.pages.grandchild.id)
    expect((await apiError(bot.pages.retrieve({ page_id: s.pages.root.id }))).code).toBe(APIErrorCode.ObjectNotFound)
    expect((await apiError(bot.pages.retrieve({ page_id: s.pages.secret.id }))).code).toBe(APIErrorCode.ObjectNotFound)
    const found = await bot.search({})
    expect(found.results.map((r) => r.id).sort()).toEqual([s.pages.child.id, s.pages.grandchild.id].sort())
  })

  it('refresh rotates both tokens; the old access token stops; an old refresh token is invalid_grant and revokes the grant', async () => {
    const first = await exchange(await codeFor(s.owner.id, [s.pages.child.id]))
    const second = await sdk.oauth.token({
      client_id: app.clientId,
      client_secret: app.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token as string,
    })
    expect(second.access_token).not.toBe(first.access_token)
    expect(second.refresh_token).not.toBe(first.refresh_token)
    expect(second.bot_id).toBe(first.bot_id)
    expect((await apiError(server.client(first.access_token).users.me({}))).status).toBe(401)
    expect((await server.client(second.access_token).users.me({})).id).toBe(first.bot_id)
    const third = await sdk.oauth.token({
      client_id: app.clientId,
      client_secret: app.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: second.refresh_token as string,
    })
    expect((await server.client(third.access_token).users.me({})).id).toBe(first.bot_id)

    const reuse = await oauthFailure(
      sdk.oauth.token({
        client_id: app.clientId,
        client_secret: app.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token as string,
      }),
    )
    expect(reuse.status).toBe(400)
    expect(reuse.body).toMatchObject({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' })
    expect(reuse.body.request_id).toMatch(/^[0-9a-f-]{36}$/)
    // Replay detection (RFC 9700 §4.14.2): the live pair of that grant is revoked too.
    expect((await apiError(server.client(third.access_token).users.me({}))).status).toBe(401)
  })

  it('a reused code is invalid_grant and revokes the tokens it minted', async () => {
    const code = await codeFor(s.owner.id, [s.pages.child.id])
    const res = await exchange(code)
    expect((await server.client(res.access_token).users.me({})).id).toBe(res.bot_id)
    const again = await oauthFailure(exchange(code))
    expect(again).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid code: this code has been revoked.' },
    })
    expect((await apiError(server.client(res.access_token).users.me({}))).status).toBe(401)
    const refresh = await oauthFailure(
      sdk.oauth.token({
        client_id: app.clientId,
        client_secret: app.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: res.refresh_token as string,
      }),
    )
    expect(refresh.body.error).toBe('invalid_grant')
  })

  it('redirect_uri must match; it is required when the authorize URL had one', async () => {
    const code = await codeFor(s.owner.id, [s.pages.child.id])
    expect(await oauthFailure(exchange(code, 'http://127.0.0.1:9999/other'))).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    })
    expect(await oauthFailure(exchange(code, null))).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', error_description: 'redirect_uri is required.' },
    })
    // A refused attempt does not spend the code: the legitimate exchange still works.
    expect((await exchange(code)).workspace_id).toBe(s.workspace.id)
  })

  it('redirect_uri is not allowed when one URI is registered and the authorize URL omitted it', async () => {
    const single = await registerApp(server, { workspaceId: s.workspace.id, actorId: s.owner.id, redirectUris: [REDIRECT], name: 'Single' })
    const p = { client_id: single.clientId, response_type: 'code', owner: 'user' }
    const get = async () =>
      (await consent(server, { userId: s.owner.id, params: p, pageIds: [s.pages.child.id] })).searchParams.get('code') as string
    const withUri = await oauthFailure(
      sdk.oauth.token({
        client_id: single.clientId,
        client_secret: single.clientSecret,
        grant_type: 'authorization_code',
        code: await get(),
        redirect_uri: REDIRECT,
      }),
    )
    expect(withUri).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
    const ok = await sdk.oauth.token({
      client_id: single.clientId,
      client_secret: single.clientSecret,
      grant_type: 'authorization_code',
      code: await get(),
    })
    expect(ok.workspace_id).toBe(s.workspace.id)
  })

  it('PKCE (S256): the right verifier works, a wrong or missing one does not', async () => {
    const { verifier, challenge } = pkcePair()
    const extra = { code_challenge: challenge, code_challenge_method: 'S256' }
    const token = (code: string, code_verifier?: string) =>
      sdk.request<{ access_token: string }>({
        path: 'oauth/token',
        method: 'post',
        body: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...(code_verifier ? { code_verifier } : {}) },
        auth: { client_id: app.clientId, client_secret: app.clientSecret },
      })
    expect(await oauthFailure(token(await codeFor(s.owner.id, [s.pages.child.id], extra), pkcePair().verifier))).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'code_verifier does not match the code_challenge.' },
    })
    expect(await oauthFailure(token(await codeFor(s.owner.id, [s.pages.child.id], extra)))).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    })
    const ok = await token(await codeFor(s.owner.id, [s.pages.child.id], extra), verifier)
    expect(ok.access_token).toMatch(/^ntn_3/)
    // A plain challenge method is refused at authorize, back at the client.
    const to = await fetch(
      `${server.url}/v1/oauth/authorize?${new URLSearchParams(params({ code_challenge: challenge, code_challenge_method: 'plain' }))}`,
      { redirect: 'manual' },
    )
    expect(to.status).toBe(302)
    const loc = new URL(to.headers.get('location') as string)
    expect(loc.searchParams.get('error')).toBe('invalid_request')
    expect(loc.searchParams.get('state')).toBe('st-1')
  })

  it('client authentication failures: 401 {"error":"invalid_client"} with WWW-Authenticate, on every endpoint', async () => {
    const wrong = await oauthFailure(
      sdk.oauth.token({
        client_id: app.clientId,
        client_secret: 'secret_wrong',
        grant_type: 'authorization_code',
        code: 'x',
        redirect_uri: REDIRECT,
      }),
    )
    expect(wrong.status).toBe(401)
    expect(Object.keys(wrong.body).sort()).toEqual(['error', 'request_id'])
    expect(wrong.body.error).toBe('invalid_client')
    for (const path of ['token', 'introspect', 'revoke']) {
      for (const authorization of [
        undefined,
        'Bearer abc',
        `Basic ${Buffer.from(`${app.clientId}:nope`).toString('base64')}`,
        `Basic ${Buffer.from(`00000000-0000-4000-8000-000000000000:${app.clientSecret}`).toString('base64')}`,
      ]) {
        const res = await fetch(`${server.url}/v1/oauth/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          body: '{"token":"x"}',
        })
        expect(res.status).toBe(401)
        expect(res.headers.get('www-authenticate')).toBe('Basic realm="OAuth"')
        expect(((await res.json()) as { error: string }).error).toBe('invalid_client')
      }
    }
  })

  it('a refreshed client secret replaces the old one at once', async () => {
    const other = await registerApp(server, { workspaceId: s.workspace.id, actorId: s.member.id, name: 'Rotating' })
    const fresh = await refreshClientSecret(server.deps, other.clientId, s.member.id)
    const introspect = (secret: string) => sdk.oauth.introspect({ client_id: other.clientId, client_secret: secret, token: 'ntn_x' })
    expect((await oauthFailure(introspect(other.clientSecret))).status).toBe(401)
    expect(await introspect(fresh)).toMatchObject({ active: false })
  })

  it('introspects live and revoked tokens; revocation makes the next request 401', async () => {
    const res = await exchange(await codeFor(s.owner.id, [s.pages.child.id]))
    const live = await sdk.oauth.introspect({ client_id: app.clientId, client_secret: app.clientSecret, token: res.access_token })
    expect(live.active).toBe(true)
    expect(live.scope).toBe('read_content update_content insert_content')
    expect(typeof live.iat).toBe('number')
    expect(Math.abs((live.iat as number) - Date.now() / 1000)).toBeLessThan(120)
    expect(
      (await sdk.oauth.introspect({ client_id: app.clientId, client_secret: app.clientSecret, token: res.refresh_token as string })).active,
    ).toBe(true)

    const revoked = await sdk.oauth.revoke({ client_id: app.clientId, client_secret: app.clientSecret, token: res.access_token })
    expect(Object.keys(revoked)).toEqual(['request_id'])
    expect((await apiError(server.client(res.access_token).users.me({}))).status).toBe(401)
    const dead = await sdk.oauth.introspect({ client_id: app.clientId, client_secret: app.clientSecret, token: res.access_token })
    expect(Object.keys(dead).sort()).toEqual(['active', 'request_id'])
    expect(dead.active).toBe(false)
    // The grant's refresh token went with it.
    expect(
      (await sdk.oauth.introspect({ client_id: app.clientId, client_secret: app.clientSecret, token: res.refresh_token as string })).active,
    ).toBe(false)
    // Unknown tokens: 200, nothing revealed.
    expect(await sdk.oauth.revoke({ client_id: app.clientId, client_secret: app.clientSecret, token: 'ntn_nothing' })).toHaveProperty(
      'request_id',
    )
    // Another client cannot introspect this client's tokens.
    const other = await registerApp(server, { workspaceId: s.workspace.id, actorId: s.owner.id, name: 'Other' })
    const res2 = await exchange(await codeFor(s.owner.id, [s.pages.child.id]))
    expect(
      (await sdk.oauth.introspect({ client_id: other.clientId, client_secret: other.clientSecret, token: res2.access_token })).active,
    ).toBe(false)
  })

  it('a refresh token is never a bearer token; bad bodies are invalid_request / unsupported_grant_type', async () => {
    const res = await exchange(await codeFor(s.owner.id, [s.pages.child.id]))
    expect((await apiError(server.client(res.refresh_token as string).users.me({}))).status).toBe(401)
    const basic = `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`
    const post = (body: string) =>
      fetch(`${server.url}/v1/oauth/token`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/json' }, body })
    const bad = await post('{nope')
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: string }).error).toBe('invalid_request')
    const grant = await post('{"grant_type":"password"}')
    expect(await grant.json()).toMatchObject({ error: 'unsupported_grant_type' })
    expect(grant.headers.get('cache-control')).toBe('no-store')
    expect(((await (await post('{"grant_type":"authorization_code","code":"nope"}')).json()) as { error: string }).error).toBe(
      'invalid_grant',
    )
    for (const junk of [
      '[]',
      'null',
      '"x"',
      '{"grant_type":5}',
      '{"grant_type":"refresh_token"}',
      `{"grant_type":"authorization_code","code":"${'x'.repeat(600_000)}"}`,
    ]) {
      const r = await post(junk)
      // A body over the 500 KB limit is 413, in the same {error, error_description} shape.
      expect(r.status).toBe(junk.length > 500 * 1024 ? 413 : 400)
      expect(((await r.json()) as { error: string }).error).toBe('invalid_request')
    }
  })

  it('capabilities cap the token: a read-only connection cannot update, even on picked pages', async () => {
    const ro = await registerApp(server, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      redirectUris: [REDIRECT],
      name: 'Reader',
      capabilities: { readContent: true, updateContent: false, insertContent: false },
    })
    const to = await consent(server, {
      userId: s.owner.id,
      params: { client_id: ro.clientId, redirect_uri: REDIRECT, response_type: 'code', owner: 'user' },
      pageIds: [s.pages.child.id],
    })
    const res = await sdk.oauth.token({
      client_id: ro.clientId,
      client_secret: ro.clientSecret,
      grant_type: 'authorization_code',
      code: to.searchParams.get('code') as string,
      redirect_uri: REDIRECT,
    })
    const bot = server.client(res.access_token)
    expect((await bot.pages.retrieve({ page_id: s.pages.child.id })).id).toBe(s.pages.child.id)
    expect(
      (await apiError(bot.pages.update({ page_id: s.pages.child.id, properties: { title: { title: [{ text: { content: 'x' } }] } } })))
        .code,
    ).toBe(APIErrorCode.RestrictedResource)
  })

  it('re-authorizing mints a fresh pair for the same bot and adds the newly picked pages', async () => {
    const a = await exchange(await codeFor(s.member.id, [s.pages.child.id]))
    const b = await exchange(await codeFor(s.member.id, [s.pages.secret.id]))
    expect(b.bot_id).toBe(a.bot_id)
    expect(b.access_token).not.toBe(a.access_token)
    const bot = server.client(b.access_token)
    expect((await bot.pages.retrieve({ page_id: s.pages.secret.id })).id).toBe(s.pages.secret.id)
    expect((await bot.pages.retrieve({ page_id: s.pages.child.id })).id).toBe(s.pages.child.id)
    expect((await server.client(a.access_token).users.me({})).id).toBe(a.bot_id)
  })

  it('a person in several workspaces picks the workspace on the consent screen', async () => {
    const { workspace: other } = await createWorkspace(server.deps, {
      name: 'Side Project',
      members: [{ name: 'Olive Owner', email: 'olive@example.com', role: 'owner' }],
    })
    const sidePage = await createPageAsUser(server.deps, { workspaceId: other.id, actorId: s.owner.id, title: 'Side notes' })
    const cookie = await sessionCookie(server, s.owner.id)
    const first = await (await fetch(`${server.url}/v1/oauth/authorize?${new URLSearchParams(params())}`, { headers: { cookie } })).text()
    expect(first).toContain('<select id="workspace" name="workspace"')
    expect(first).toContain('Side Project')
    expect(first).not.toContain(sidePage.id)
    const second = await (
      await fetch(`${server.url}/v1/oauth/authorize?${new URLSearchParams({ ...params(), workspace: other.id })}`, { headers: { cookie } })
    ).text()
    expect(second).toContain(sidePage.id)
    expect(second).not.toContain(s.pages.root.id)
    const to = await consent(server, { userId: s.owner.id, params: params(), workspaceId: other.id, pageIds: [sidePage.id] })
    const res = await exchange(to.searchParams.get('code') as string)
    expect(res.workspace_id).toBe(other.id)
    expect(res.workspace_name).toBe('Side Project')
    expect((await server.client(res.access_token).pages.retrieve({ page_id: sidePage.id })).id).toBe(sidePage.id)
    // A page of the other workspace cannot be smuggled into this install.
    await expect(
      consent(server, { userId: s.owner.id, params: params(), workspaceId: other.id, pageIds: [s.pages.root.id] }),
    ).rejects.toThrow(/403/)
  })

  it('a workspace-level page is a private page of the authorizing person, shared with the bot', async () => {
    const res = await exchange(await codeFor(s.member.id, [s.pages.child.id]))
    const bot = server.client(res.access_token)
    const page = await bot.pages.create({
      parent: { type: 'workspace', workspace: true },
      properties: { title: { title: [{ text: { content: 'From the app' } }] } },
    })
    expect((await bot.pages.retrieve({ page_id: page.id })).id).toBe(page.id)
    const { levelOnRoot } = await import('../../src/storage/repositories/acl.repository.js')
    expect(await levelOnRoot(server.deps.store.db, page.id, [`user:${s.member.id}`])).toBe(5)
    expect(await levelOnRoot(server.deps.store.db, page.id, [`user:${s.owner.id}`, `members:${s.workspace.id}`])).toBe(0)
  })

  it('works for people of another workspace; duplicating the template shares the copy', async () => {
    const tpl = await createPageAsUser(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, title: 'Starter kit' })
    const withTpl = await registerApp(server, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      redirectUris: [REDIRECT],
      name: 'Templated',
      templatePageId: tpl.id,
    })
    const { workspace, members } = await createWorkspace(server.deps, {
      name: 'Beta Co',
      members: [{ name: 'Bea', email: 'bea@beta.example', role: 'owner' }],
    })
    const bea = members[0] as { id: string }
    const to = await consent(server, {
      userId: bea.id,
      params: { client_id: withTpl.clientId, redirect_uri: REDIRECT, response_type: 'code', owner: 'user' },
      template: true,
    })
    const res = await sdk.oauth.token({
      client_id: withTpl.clientId,
      client_secret: withTpl.clientSecret,
      grant_type: 'authorization_code',
      code: to.searchParams.get('code') as string,
      redirect_uri: REDIRECT,
    })
    expect(res.workspace_id).toBe(workspace.id)
    expect(res.workspace_name).toBe('Beta Co')
    expect(res.duplicated_template_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(res.duplicated_template_id).not.toBe(tpl.id)
    const page = await server.client(res.access_token).pages.retrieve({ page_id: res.duplicated_template_id as string })
    expect(page.id).toBe(res.duplicated_template_id)
    expect((await apiError(server.client(res.access_token).pages.retrieve({ page_id: tpl.id }))).code).toBe(APIErrorCode.ObjectNotFound)
  })

  it('the consent screen refuses pages without full access, and a missing or wrong CSRF token', async () => {
    // A guest has no full access to Root: the page is not offered, and forcing it is refused.
    const cookie = await sessionCookie(server, s.member.id)
    const pageHtml = await (
      await fetch(`${server.url}/v1/oauth/authorize?${new URLSearchParams(params())}`, { headers: { cookie } })
    ).text()
    const csrf = /name="_csrf" value="([^"]+)"/.exec(pageHtml)?.[1] as string
    const post = (form: URLSearchParams) =>
      fetch(`${server.url}/v1/oauth/authorize`, {
        method: 'POST',
        headers: { cookie, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
        redirect: 'manual',
      })
    const noCsrf = new URLSearchParams({ ...params(), workspace_id: s.workspace.id, page: s.pages.child.id, decision: 'allow' })
    const r1 = await post(noCsrf)
    expect(r1.status).toBe(403)
    expect(r1.headers.get('location')).toBeNull()
    const guestCookie = await sessionCookie(server, s.guest.id)
    const guestHtml = await (
      await fetch(`${server.url}/v1/oauth/authorize?${new URLSearchParams(params())}`, { headers: { cookie: guestCookie } })
    ).text()
    expect(guestHtml).not.toContain(s.pages.root.id)
    const guestCsrf = /name="_csrf" value="([^"]+)"/.exec(guestHtml)?.[1] as string
    const forced = await fetch(`${server.url}/v1/oauth/authorize`, {
      method: 'POST',
      headers: { cookie: guestCookie, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...params(), _csrf: guestCsrf, workspace_id: s.workspace.id, page: s.pages.root.id, decision: 'allow' }),
      redirect: 'manual',
    })
    expect(forced.status).toBe(403)
    expect(await forced.text()).toContain('You can only share pages where you have full access.')
    expect(csrf).toBeTruthy()
  })

  it('authorize: bad client_id, redirect_uri or response_type never redirect; Cancel redirects with access_denied; signed-out visitors sign in first', async () => {
    const get = (p: Record<string, string>, cookie?: string) =>
      fetch(`${server.url}/v1/oauth/authorize?${new URLSearchParams(p)}`, {
        redirect: 'manual',
        ...(cookie ? { headers: { cookie } } : {}),
      })
    for (const bad of [
      params({ client_id: '00000000-0000-4000-8000-000000000000' }),
      params({ client_id: 'garbage' }),
      params({ redirect_uri: 'https://evil.example/cb' }),
      params({ redirect_uri: `${REDIRECT}/` }),
      (({ response_type: _r, ...rest }) => rest)(params()),
      params({ response_type: 'token' }),
    ]) {
      const res = await get(bad)
      expect(res.status).toBe(400)
      expect(res.headers.get('location')).toBeNull()
      expect(res.headers.get('content-type')).toContain('text/html')
    }
    // Several redirect URIs registered and none given: no guessing.
    const none = await get((({ redirect_uri: _r, ...rest }) => rest)(params()))
    expect(none.status).toBe(400)

    const signedOut = await get(params())
    expect(signedOut.status).toBe(303)
    const login = new URL(signedOut.headers.get('location') as string, server.url)
    expect(login.pathname).toBe('/login')
    expect(login.searchParams.get('next')).toBe(`/v1/oauth/authorize?${new URLSearchParams(params())}`)

    const owner = await get(params({ owner: 'workspace' }), await sessionCookie(server, s.owner.id))
    expect(owner.status).toBe(302)
    expect(new URL(owner.headers.get('location') as string).searchParams.get('error')).toBe('invalid_request')

    const cancelled = await consent(server, { userId: s.owner.id, params: params({ state: 'xyz' }), decision: 'cancel' })
    expect(cancelled.origin + cancelled.pathname).toBe(REDIRECT)
    expect(Object.fromEntries(cancelled.searchParams)).toEqual({ error: 'access_denied', state: 'xyz' })
  })

  it('sees pages created later under a picked page, and pages shared with the install later', async () => {
    const res = await exchange(await codeFor(s.owner.id, [s.pages.child.id]))
    const bot = server.client(res.access_token)
    const later = await createPageAsUser(server.deps, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      title: 'Later',
      parentId: s.pages.grandchild.id,
    })
    expect((await bot.pages.retrieve({ page_id: later.id })).id).toBe(later.id)
    expect((await apiError(bot.pages.retrieve({ page_id: s.pages.secret.id }))).status).toBe(404)
    const install = (await listOwnInstalls(server.deps, s.owner.id)).find((i) => i.bot_id === res.bot_id) as { id: string }
    await expect(setInstallPageShare(server.deps, install.id, s.pages.secret.id, s.guest.id, true)).rejects.toThrow(/full access/)
    await setInstallPageShare(server.deps, install.id, s.pages.secret.id, s.owner.id, true)
    expect((await bot.pages.retrieve({ page_id: s.pages.secret.id })).id).toBe(s.pages.secret.id)
    expect((await setInstallPageShare(server.deps, install.id, s.pages.secret.id, s.owner.id, false)).changed).toBe(true)
    expect((await apiError(bot.pages.retrieve({ page_id: s.pages.secret.id }))).status).toBe(404)
  })

  it('stops at once when the authorizing person leaves the workspace', async () => {
    const { members } = await addMember(server.deps, s.workspace.id, { name: 'Leo Leaver', email: 'leo@example.com', role: 'member' }).then(
      (m) => ({ members: [m] }),
    )
    const leo = members[0] as unknown as { id: string }
    const page = await createPageAsUser(server.deps, { workspaceId: s.workspace.id, actorId: leo.id, title: 'Leo notes' })
    const res = await exchange(await codeFor(leo.id, [page.id]))
    const bot = server.client(res.access_token)
    expect((await bot.pages.retrieve({ page_id: page.id })).id).toBe(page.id)
    await removeMember(server.deps, s.workspace.id, leo.id)
    expect((await apiError(bot.pages.retrieve({ page_id: page.id }))).status).toBe(401)
    expect((await sdk.oauth.introspect({ client_id: app.clientId, client_secret: app.clientSecret, token: res.access_token })).active).toBe(
      false,
    )
    expect(
      (
        await oauthFailure(
          sdk.oauth.token({
            client_id: app.clientId,
            client_secret: app.clientSecret,
            grant_type: 'refresh_token',
            refresh_token: res.refresh_token as string,
          }),
        )
      ).body.error,
    ).toBe('invalid_grant')
  })

  it('installs: the authorizing person and workspace owners list and remove them; others cannot; audited', async () => {
    const mine = await exchange(await codeFor(s.member.id, [s.pages.child.id]))
    const own = await listOwnInstalls(server.deps, s.member.id)
    const install = own.find((i) => i.bot_id === mine.bot_id)
    expect(install).toBeDefined()
    expect(install?.pages.map((p) => p.id)).toContain(s.pages.child.id)
    await expect(listWorkspaceInstalls(server.deps, s.workspace.id, s.member.id)).rejects.toThrow(/Only workspace owners/)
    const all = await listWorkspaceInstalls(server.deps, s.workspace.id, s.owner.id)
    expect(all.map((i) => i.bot_id)).toContain(mine.bot_id)
    const ownerInstall = all.find((i) => i.authorized_by.id === s.owner.id)
    await expect(removeInstall(server.deps, ownerInstall?.id as string, s.member.id)).rejects.toThrow(/Only the person who authorized/)

    await removeInstall(server.deps, install?.id as string, s.owner.id)
    expect((await apiError(server.client(mine.access_token).users.me({}))).status).toBe(401)
    expect((await listOwnInstalls(server.deps, s.member.id)).some((i) => i.id === install?.id)).toBe(false)
    const entries = await listAudit(server.deps.store.db, s.workspace.id, { actions: ['oauth.*'] })
    const actions = new Set(entries.map((e) => e.action))
    for (const a of [
      'oauth.authorized',
      'oauth.token_issued',
      'oauth.token_refreshed',
      'oauth.code_replayed',
      'oauth.refresh_replayed',
      'oauth.token_revoked',
      'oauth.install_removed',
    ])
      expect(actions).toContain(a)
    expect(JSON.stringify(entries)).not.toContain(mine.access_token)
  })

  it('registration: full members only; redirect URIs are checked', async () => {
    await expect(
      registerPublicConnection(server.deps, { workspaceId: s.workspace.id, actorId: s.guest.id, name: 'G', redirectUris: [REDIRECT] }),
    ).rejects.toThrow(/Only full members/)
    await expect(
      registerPublicConnection(server.deps, { workspaceId: s.workspace.id, actorId: s.member.id, name: 'G', redirectUris: ['not a url'] }),
    ).rejects.toThrow(/not an absolute URI/)
    await expect(
      registerPublicConnection(server.deps, {
        workspaceId: s.workspace.id,
        actorId: s.member.id,
        name: 'G',
        redirectUris: ['http://x.example/cb#frag'],
      }),
    ).rejects.toThrow(/fragment/)
    await expect(
      registerPublicConnection(server.deps, { workspaceId: s.workspace.id, actorId: s.member.id, name: 'G', redirectUris: [] }),
    ).rejects.toThrow(/at least one/)
    const row = await server.deps.store.db
      .selectFrom('public_connection')
      .selectAll()
      .where('id', '=', app.clientId)
      .executeTakeFirstOrThrow()
    expect(JSON.stringify(row)).not.toContain(app.clientSecret)
  })
})
