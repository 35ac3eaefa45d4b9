import { Client, LogLevel, UnknownHTTPResponseError } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import { consent, sessionCookie } from '../support/oauth.js'

/**
 * Developer portal → Public connections over HTTP: register through the form (CSRF-checked), reveal and
 * refresh the client secret (the old one fails at once with the SDK), refusals for non-managers, and the
 * owners' view of every install of their workspace.
 */
describe('portal: public connections screens', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  const REDIRECT = 'http://127.0.0.1:9999/cb'
  const sdk = () => new Client({ baseUrl: server.url, retry: false, logLevel: LogLevel.ERROR, logger: () => {} })

  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
  })
  afterAll(async () => server?.stop())

  const session = async (userId: string) => {
    const cookie = await sessionCookie(server, userId)
    const get = (path: string) => fetch(`${server.url}${path}`, { headers: { cookie }, redirect: 'manual' })
    const csrf = async (path: string) => /name="_csrf" value="([^"]+)"/.exec(await (await get(path)).text())?.[1] as string
    const post = (path: string, form: Record<string, string>) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { cookie, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
        redirect: 'manual',
      })
    return { get, csrf, post }
  }

  it('a member registers a public connection, reveals and refreshes its secret; others are refused', async () => {
    const mia = await session(s.member.id)
    const token = await mia.csrf('/developers/public-connections/new')
    const form = {
      _csrf: token,
      name: 'Portal App',
      workspace_id: s.workspace.id,
      icon: '',
      redirect_uris: `${REDIRECT}\r\nhttp://127.0.0.1:9999/two`,
      read_content: 'on',
      user_info: 'without_email',
      template_page_id: '',
    }
    expect((await mia.post('/developers/public-connections', { ...form, _csrf: 'forged' })).status).toBe(403)
    const created = await mia.post('/developers/public-connections', form)
    expect(created.status).toBe(200)
    const page = await created.text()
    expect(page).toContain('Public connection registered.')
    const secret = /id="secret" type="text" readonly value="(secret_[A-Za-z0-9]{43})"/.exec(page)?.[1] as string
    const clientId = /id="client-id" type="text" readonly value="([0-9a-f-]{36})"/.exec(page)?.[1] as string
    expect(secret).toBeTruthy()
    expect((await sdk().oauth.introspect({ client_id: clientId, client_secret: secret, token: 'x' })).active).toBe(false)

    const shown = await (await mia.get(`/developers/public-connections/${clientId}`)).text()
    expect(shown).not.toContain(secret)
    const revealed = await (await mia.post(`/developers/public-connections/${clientId}/secret/reveal`, { _csrf: token })).text()
    expect(revealed).toContain(secret)
    const refreshed = await (await mia.post(`/developers/public-connections/${clientId}/secret/refresh`, { _csrf: token })).text()
    const next = /id="secret" type="text" readonly value="(secret_[A-Za-z0-9]{43})"/.exec(refreshed)?.[1] as string
    expect(next).not.toBe(secret)
    await expect(sdk().oauth.introspect({ client_id: clientId, client_secret: secret, token: 'x' })).rejects.toBeInstanceOf(
      UnknownHTTPResponseError,
    )

    const gus = await session(s.guest.id)
    const refused = await gus.get(`/developers/public-connections/${clientId}`)
    expect(refused.status).toBe(403)
    const gusNew = await gus.post('/developers/public-connections', {
      ...form,
      _csrf: await gus.csrf('/developers/public-connections/new'),
    })
    expect(gusNew.status).toBe(403)
    expect(await gusNew.text()).toContain('Only full members')

    // Mia installs it; the owner sees the install under the workspace and may remove it.
    const to = await consent(server, {
      userId: s.member.id,
      params: { client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', owner: 'user' },
      pageIds: [s.pages.child.id],
    })
    const tok = await sdk().oauth.token({
      client_id: clientId,
      client_secret: next,
      grant_type: 'authorization_code',
      code: to.searchParams.get('code') as string,
      redirect_uri: REDIRECT,
    })
    const olive = await session(s.owner.id)
    const list = await (await olive.get('/developers/public-connections')).text()
    expect(list).toContain('Installed in Acme')
    expect(list).toContain(tok.bot_id)
    const installId = /action="\/developers\/installs\/([0-9a-f-]{36})\/remove"/.exec(list)?.[1] as string
    const removed = await olive.post(`/developers/installs/${installId}/remove`, {
      _csrf: await olive.csrf('/developers/public-connections'),
    })
    expect(removed.status).toBe(303)
    expect((await sdk().oauth.introspect({ client_id: clientId, client_secret: next, token: tok.access_token })).active).toBe(false)
  })
})
