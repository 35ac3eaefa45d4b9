import { Client, LogLevel } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setPageAccess } from '../../src/services/page-permissions.service.js'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { createWorkspace, removeMember } from '../../src/services/workspaces.service.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import { consent, registerApp, sessionCookie } from '../support/oauth.js'

/**
 * Security issue, "a template leaks after its author loses access": a public connection's template is
 * checked when it is registered, but copied live at every install, into any workspace. The registrant's
 * access is checked again at install time; when it is gone (access removed, registrant removed from the
 * workspace, template trashed) the consent screen says so and refuses to copy it.
 */
describe('OAuth template: copied only while its registrant can still access it', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  let bea: { id: string }
  let beaWorkspace: string
  const REDIRECT = 'http://127.0.0.1:9999/callback'
  const sdk = () => new Client({ baseUrl: server.url, retry: false, logLevel: LogLevel.ERROR, logger: () => {} })

  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
    const beta = await createWorkspace(server.deps, {
      name: 'Beta Co',
      members: [{ name: 'Bea', email: 'bea@beta.example', role: 'owner' }],
    })
    bea = beta.members[0] as { id: string }
    beaWorkspace = beta.workspace.id
  })
  afterAll(async () => server?.stop())

  /** A template page written by the owner (with a secret line) and a connection registered by Mia with it. */
  const setup = async (name: string) => {
    const tpl = await createPageAsUser(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, title: `${name} template` })
    const app = await registerApp(server, {
      workspaceId: s.workspace.id,
      actorId: s.member.id,
      redirectUris: [REDIRECT],
      name,
      templatePageId: tpl.id,
    })
    const params = { client_id: app.clientId, redirect_uri: REDIRECT, response_type: 'code', owner: 'user' }
    return { tpl, app, params }
  }

  /** Bea's consent with "duplicate the template" ticked: the raw POST answer. */
  const consentWithTemplate = async (params: Record<string, string>) => {
    const cookie = await sessionCookie(server, bea.id)
    const page = await (await fetch(`${server.url}/v1/oauth/authorize?${new URLSearchParams(params)}`, { headers: { cookie } })).text()
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] as string
    const res = await fetch(`${server.url}/v1/oauth/authorize`, {
      method: 'POST',
      headers: { cookie, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...params, _csrf: csrf, workspace_id: beaWorkspace, template: 'on', decision: 'allow' }),
      redirect: 'manual',
    })
    return { page, res, body: await res.text() }
  }

  const beaPrivatePages = async () =>
    (
      await server.deps.store.db
        .selectFrom('block')
        .select('title_text')
        .where('workspace_id', '=', beaWorkspace)
        .where('type', '=', 'child_page')
        .execute()
    ).map((r) => r.title_text)

  const expectRefused = async (params: Record<string, string>, name: string) => {
    const before = await beaPrivatePages()
    const { page, res, body } = await consentWithTemplate(params)
    // The consent screen says so before anything is clicked, and no longer offers the copy…
    expect(page).toContain(`${name}&#39;s template is no longer available`)
    expect(page).not.toContain('name="template"')
    // …and a forced POST is refused with the same reason, without a code or a copy.
    expect(res.status).toBe(403)
    expect(res.headers.get('location')).toBeNull()
    expect(body).toContain('Nothing was shared.')
    expect(body).toContain(`${name}&#39;s template is no longer available: the person who registered ${name} can no longer access it.`)
    expect(await beaPrivatePages()).toEqual(before)
  }

  it('copies the template while the registrant can see it (control)', async () => {
    const { tpl, app, params } = await setup('Control App')
    const to = await consent(server, { userId: bea.id, params, template: true })
    const res = await sdk().oauth.token({
      client_id: app.clientId,
      client_secret: app.clientSecret,
      grant_type: 'authorization_code',
      code: to.searchParams.get('code') as string,
      redirect_uri: REDIRECT,
    })
    expect(res.duplicated_template_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(res.duplicated_template_id).not.toBe(tpl.id)
  })

  it('refuses once the registrant lost access to the template page', async () => {
    const { tpl, params } = await setup('Lost Access App')
    await setPageAccess(server.deps, { pageId: tpl.id, actorId: s.owner.id, target: { type: 'user', id: s.owner.id }, level: 'full' })
    await setPageAccess(server.deps, { pageId: tpl.id, actorId: s.owner.id, target: { type: 'workspace' }, level: 'none' })
    await expectRefused(params, 'Lost Access App')
  })

  it('refuses once the template is in the trash', async () => {
    const { tpl, params } = await setup('Trashed Template App')
    await s.share(tpl.id)
    await server.client(s.token).pages.update({ page_id: tpl.id, in_trash: true })
    await expectRefused(params, 'Trashed Template App')
  })

  it('refuses once the registrant is no longer a member of the workspace', async () => {
    const { params } = await setup('Gone Registrant App')
    await removeMember(server.deps, s.workspace.id, s.member.id)
    await expectRefused(params, 'Gone Registrant App')
  })
})
