import { APIErrorCode } from '@notionhq/client'
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOAuthApp } from '../../examples/oauth-app.js'
import { setPassword } from '../../src/services/portal-auth.service.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import { registerApp } from '../support/oauth.js'
import { hasChromium, launchBrowser, visible, type Browser } from './browser.js'

/** A free loopback port (the redirect URI must be registered before the app listens). */
async function freePort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as { port: number }).port
  await new Promise<void>((r) => srv.close(() => r()))
  return port
}

/**
 * The whole public-connection install in headless Chromium (issue 8): the example app
 * (examples/oauth-app.ts) on a loopback port sends the browser to Octavo's authorize URL; the person
 * signs in, sees the consent screen, picks one page and allows; the app exchanges the code with the
 * SDK and lists only the picked page and its child. Then Cancel, a page shared later (and unshared) from
 * its ••• → Connections menu, and removal from the portal.
 */
describe.skipIf(!hasChromium)('OAuth install flow in a browser', { timeout: 120_000 }, () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  let b: Browser
  let app: Awaited<ReturnType<typeof startOAuthApp>>
  const PW = 'member-passphrase-1'

  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
    await setPassword(server.deps, s.member.id, PW)
    const port = await freePort()
    const registered = await registerApp(server, {
      workspaceId: s.workspace.id,
      actorId: s.member.id,
      redirectUris: [`http://127.0.0.1:${port}/callback`],
      name: 'Example App',
    })
    app = await startOAuthApp({ octavoUrl: server.url, clientId: registered.clientId, clientSecret: registered.clientSecret, port })
    b = await launchBrowser()
  })
  afterAll(async () => {
    await b?.close()
    await app?.close()
    await server?.stop()
  })

  it('app → sign in → consent (pick a page) → allow → the app reads only the picked pages', async () => {
    await b.page.goto(app.url)
    await b.page.getByRole('link', { name: 'Connect to Octavo' }).click()
    // Signed out: Octavo's sign-in first, then back to the consent screen.
    await b.page.waitForURL((u) => u.pathname === '/login')
    await b.page.getByLabel('E-mail').fill(s.member.email as string)
    await b.page.getByLabel('Password').fill(PW)
    await b.page.getByRole('button', { name: 'Sign in' }).click()
    await visible(b.page.getByRole('heading', { name: 'Example App wants to access your Octavo workspace' }))
    await visible(b.page.getByText('Read content'))
    await b.page.getByRole('checkbox', { name: 'Child', exact: true }).check()
    await b.shot('oauth-01-consent')
    await b.page.getByRole('button', { name: 'Allow access' }).click()

    await b.page.waitForURL((u) => u.origin === app.url && u.pathname === '/callback')
    await visible(b.page.getByRole('heading', { name: 'Connected' }))
    const listed = (await b.page.locator('#pages li').allTextContents()).sort()
    expect(listed).toEqual(['Child', 'Grandchild'])
    await b.shot('oauth-02-app-connected')

    const install = app.installs.at(-1)
    expect(install?.workspaceName).toBe('Acme')
    expect(await b.page.locator('#bot-id').textContent()).toBe(install?.botId)
    const bot = server.client(install?.accessToken as string)
    expect((await apiError(bot.pages.retrieve({ page_id: s.pages.root.id }))).code).toBe(APIErrorCode.ObjectNotFound)
    expect((await bot.pages.retrieve({ page_id: s.pages.grandchild.id })).id).toBe(s.pages.grandchild.id)
  })

  it('Cancel sends the person back with error=access_denied', async () => {
    await b.page.goto(app.url)
    await b.page.getByRole('link', { name: 'Connect to Octavo' }).click()
    await visible(b.page.getByRole('button', { name: 'Cancel' }))
    await b.page.getByRole('button', { name: 'Cancel' }).click()
    await b.page.waitForURL((u) => u.origin === app.url)
    await visible(b.page.getByText('access_denied'))
  })

  it('a page shared later from ••• → Connections becomes readable by the install; removing it makes it 404', async () => {
    const bot = server.client(app.installs.at(-1)?.accessToken as string)
    expect((await apiError(bot.pages.retrieve({ page_id: s.pages.secret.id }))).code).toBe(APIErrorCode.ObjectNotFound)
    await b.page.goto(`${server.url}/w/${s.workspace.id}/pages/${s.pages.secret.id}`)
    await visible(b.page.getByRole('heading', { level: 1, name: 'Secret' }))
    await b.page.getByLabel('Page actions (•••)').click()
    await b.page.getByRole('navigation', { name: 'Page actions' }).getByRole('link', { name: 'Connections' }).click()
    await b.page.getByRole('link', { name: '+ Add connection' }).click()
    await b.page.getByLabel('Search connections').fill('exam')
    await visible(b.page.locator('#conn-list li:not([hidden])').getByText('Public connection · installed by Mia Member'))
    await b.page.getByRole('link', { name: 'Select Example App (installed by Mia Member)' }).click()
    await visible(b.page.getByText('Example App will access this page and all of its child pages'))
    await b.page.getByRole('button', { name: 'Confirm' }).click()
    await visible(b.page.getByText('Connection added.'))
    const panel = b.page.locator('#connections')
    await visible(panel.getByText('Added to this page'))
    await b.shot('oauth-04-page-connections-install')
    expect((await bot.pages.retrieve({ page_id: s.pages.secret.id })).id).toBe(s.pages.secret.id)

    await panel.getByRole('button', { name: 'Remove' }).click()
    await visible(b.page.getByText('Connection removed.'))
    expect((await apiError(bot.pages.retrieve({ page_id: s.pages.secret.id }))).code).toBe(APIErrorCode.ObjectNotFound)
    expect((await bot.pages.retrieve({ page_id: s.pages.child.id })).id).toBe(s.pages.child.id)
  })

  it('the person removes the install in the portal; its token stops at once', async () => {
    const install = app.installs.at(-1)
    await b.page.goto(`${server.url}/developers/connections`)
    await b.page.getByRole('link', { name: 'Public connections' }).click()
    await visible(b.page.getByRole('heading', { name: 'Connections you authorized' }))
    await b.shot('oauth-03-public-connections')
    await b.page.getByRole('button', { name: 'Remove Example App from Acme' }).click()
    await visible(b.page.getByText('Install removed.'))
    expect((await apiError(server.client(install?.accessToken as string).users.me({}))).status).toBe(401)
  })
})
