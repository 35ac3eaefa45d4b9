import { APIErrorCode } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setPassword } from '../../src/services/portal-auth.service.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import { count, hasChromium, launchBrowser, visible, type Browser } from './browser.js'

/**
 * The internal-connection journey of seeds 000–003, walked in a real browser against a real server,
 * each effect checked with the official SDK (issue 5, tests 1–4):
 * 1. an owner creates a connection and copies its token: an SDK call gets 404;
 * 2. a member adds the connection from a page's ••• menu: the SDK reads the page and its child;
 * 3. the owner refreshes the token: the old one gets 401, the new one works;
 * 4. the owner unchecks "Update content": an SDK update gets 403, with the same token.
 * Steps run in order and share state; screenshots of each main screen go to test-artifacts/.
 */
describe.skipIf(!hasChromium)('portal in a browser: internal connections (seed steps 1–4)', { timeout: 120_000 }, () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  let b: Browser
  const OWNER_PW = 'owner-passphrase-1'
  const MEMBER_PW = 'member-passphrase-1'
  let connectionUrl = ''
  let token = ''

  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
    await setPassword(server.deps, s.owner.id, OWNER_PW)
    await setPassword(server.deps, s.member.id, MEMBER_PW)
    b = await launchBrowser()
    await b.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url })
  })
  afterAll(async () => {
    await b?.close()
    await server?.stop()
  })

  async function signIn(email: string, password: string) {
    await b.context.clearCookies()
    await b.page.goto(`${server.url}/login`)
    await b.page.getByLabel('E-mail').fill(email)
    await b.page.getByLabel('Password').fill(password)
    await b.page.getByRole('button', { name: 'Sign in' }).click()
    await b.page.waitForURL((u) => !u.pathname.startsWith('/login'))
  }

  it('sign-in refuses a wrong password, then lets the owner in', async () => {
    await b.page.goto(`${server.url}/`)
    expect(new URL(b.page.url()).pathname).toBe('/login')
    await b.shot('01-sign-in')
    await b.page.getByLabel('E-mail').fill(s.owner.email as string)
    await b.page.getByLabel('Password').fill('not the password')
    await b.page.getByRole('button', { name: 'Sign in' }).click()
    expect(await (await visible(b.page.getByRole('alert'))).textContent()).toBe('Wrong e-mail or password.')
    await signIn(s.owner.email as string, OWNER_PW)
    await visible(b.page.getByText(`Signed in as ${s.owner.name}`))
  })

  it('1. the owner creates a connection and copies its token; the SDK gets 404 until a page is shared', async () => {
    await b.page.getByRole('link', { name: 'Developer portal' }).click()
    await visible(b.page.getByRole('heading', { name: 'Internal connections' }))
    await visible(b.page.getByRole('link', { name: 'Test Bot' })) // created by seedBasic: every owner sees it
    await b.page.getByRole('link', { name: 'Create a new connection' }).click()
    await b.page.getByLabel('Name').fill('Browser Bot')
    await b.page.getByLabel('Workspace').selectOption({ label: 'Acme' })
    await b.page.getByLabel(/Icon/).fill('🤖')
    await b.shot('03-new-connection')
    await b.page.getByRole('button', { name: 'Create connection' }).click()
    await visible(b.page.getByRole('heading', { name: 'Browser Bot' }))
    await visible(b.page.getByText('Connection created.'))
    connectionUrl = new URL(b.page.url()).pathname

    // Hidden until "Show"; "Copy" puts it on the clipboard without showing it.
    const field = b.page.getByRole('textbox', { name: 'Installation access token' })
    expect(await field.getAttribute('type')).toBe('password')
    expect(await field.inputValue()).not.toMatch(/^ntn_/)
    await b.page.getByRole('button', { name: 'Copy' }).click()
    await visible(b.page.getByRole('button', { name: 'Copied' }))
    const copied = (await b.page.evaluate('navigator.clipboard.readText()')) as string
    expect(copied).toMatch(/^ntn_/)
    await b.page.getByRole('button', { name: 'Show' }).click()
    token = await b.page.getByRole('textbox', { name: 'Installation access token' }).inputValue()
    expect(token).toBe(copied)
    await b.shot('04-connection-configuration')

    const notion = server.client(token)
    expect((await notion.users.me({})).name).toBe('Browser Bot')
    const err = await apiError(notion.pages.retrieve({ page_id: s.pages.root.id }))
    expect(err.status).toBe(404)
    expect(err.code).toBe(APIErrorCode.ObjectNotFound)

    await b.page.getByRole('link', { name: 'Internal connections' }).first().click()
    await visible(b.page.getByRole('link', { name: 'Browser Bot' }))
    await b.shot('02-internal-connections')
  })

  it('a member sees why they cannot create or manage connections', async () => {
    await signIn(s.member.email as string, MEMBER_PW)
    await b.page.goto(`${server.url}/developers/connections`)
    await visible(b.page.getByText('You cannot create or manage internal connections here.'))
    await visible(b.page.getByText('Only workspace owners can see internal connections. This user is a member.'))
    await count(b.page.getByRole('link', { name: 'Create a new connection' }), 0)
    await b.shot('08-member-refusal')
    await b.page.goto(`${server.url}${connectionUrl}`)
    await visible(b.page.getByText('Only workspace owners can see internal connections.'))
  })

  it('2. a member adds the connection from the page’s ••• menu; the SDK reads the page and its child', async () => {
    await b.page.getByRole('link', { name: 'Pages' }).click()
    await b.page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Root' }).click()
    await visible(b.page.getByRole('heading', { level: 1, name: 'Root' }))
    await b.page.getByLabel('Page actions (•••)').click()
    await b.page.getByRole('navigation', { name: 'Page actions' }).getByRole('link', { name: 'Connections' }).click()
    await visible(b.page.getByText('No connection can access this page.'))
    await b.page.getByRole('link', { name: '+ Add connection' }).click()
    await b.page.getByLabel('Search connections').fill('brow')
    await count(b.page.locator('#conn-list li:not([hidden])'), 1) // the live filter hides "Test Bot"
    await b.shot('06-add-connection-search')
    await b.page.getByRole('link', { name: 'Select Browser Bot' }).click()
    await visible(b.page.getByText('Browser Bot will access this page and all of its child pages'))
    await b.shot('07-add-connection-confirm')
    await b.page.getByRole('button', { name: 'Confirm' }).click()
    await visible(b.page.getByText('Connection added.'))
    await visible(b.page.locator('#connections').getByText('Added to this page'))

    const notion = server.client(token)
    expect((await notion.pages.retrieve({ page_id: s.pages.root.id })).id).toBe(s.pages.root.id)
    const children = await notion.blocks.children.list({ block_id: s.pages.root.id })
    expect(children.results.map((r) => r.id)).toContain(s.pages.child.id)
    expect((await notion.pages.retrieve({ page_id: s.pages.child.id })).id).toBe(s.pages.child.id)
    expect((await apiError(notion.pages.retrieve({ page_id: s.pages.secret.id }))).code).toBe(APIErrorCode.ObjectNotFound)

    // The API writes some content; the portal renders it.
    await notion.blocks.children.append({
      block_id: s.pages.root.id,
      children: [
        { heading_2: { rich_text: [{ text: { content: 'Written through the API' } }] } },
        {
          paragraph: {
            rich_text: [
              { text: { content: 'Browser Bot ' } },
              { text: { content: 'appended', link: null }, annotations: { bold: true } },
              { text: { content: ' these blocks.' } },
            ],
          },
        },
        { to_do: { rich_text: [{ text: { content: 'Share a page' } }], checked: true } },
        { to_do: { rich_text: [{ text: { content: 'Refresh the token' } }], checked: false } },
        { code: { language: 'typescript', rich_text: [{ text: { content: 'await notion.pages.retrieve({ page_id })' } }] } },
      ],
    })
    await b.page.goto(`${server.url}${new URL(b.page.url()).pathname}`)
    await visible(b.page.getByRole('heading', { name: 'Written through the API' }))
    await visible(b.page.locator('article strong', { hasText: 'appended' }))
    await b.shot('05-page-view')

    // On the child page the connection is inherited, and the page says why.
    await b.page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Child', exact: true }).click()
    await b.page.getByLabel('Page actions (•••)').click()
    await b.page.getByRole('navigation', { name: 'Page actions' }).getByRole('link', { name: 'Connections' }).click()
    const panel = b.page.locator('#connections')
    await visible(panel.getByText('Inherited from Root'))
    await panel.getByText('Why can Browser Bot see this page?').click()
    await visible(panel.getByText('Because “Root” is shared with Browser Bot, and “Child” is inside it'))
    await visible(panel.getByRole('button', { name: 'Remove from “Root”' }))
    await b.shot('09-page-connections-inherited')
  })

  it('3. the owner refreshes the token after a confirmation: the old token gets 401, the new one works', async () => {
    await signIn(s.owner.email as string, OWNER_PW)
    await b.page.goto(`${server.url}${connectionUrl}`)
    await b.page.getByRole('link', { name: 'Refresh' }).click()
    const dialog = b.page.getByRole('alertdialog')
    expect(await (await visible(dialog)).textContent()).toContain('the current token stops working at once')
    await b.shot('10-refresh-confirmation')
    await dialog.getByRole('button', { name: 'Refresh token' }).click()
    await visible(b.page.getByText('New token issued.'))
    const fresh = await b.page.getByRole('textbox', { name: 'Installation access token' }).inputValue()
    expect(fresh).toMatch(/^ntn_/)
    expect(fresh).not.toBe(token)

    const old = await apiError(server.client(token).users.me({}))
    expect(old.status).toBe(401)
    expect(old.code).toBe(APIErrorCode.Unauthorized)
    expect((await server.client(fresh).pages.retrieve({ page_id: s.pages.root.id })).id).toBe(s.pages.root.id)
    token = fresh
  })

  it('4. the owner unchecks "Update content": an SDK update gets 403 while reads still work with the same token', async () => {
    const notion = server.client(token)
    await notion.pages.update({ page_id: s.pages.child.id, properties: { title: { title: [{ text: { content: 'Child (edited)' } }] } } })

    await b.page.getByLabel('Update content').uncheck()
    await b.page.getByLabel('Read user information without email addresses').check()
    await b.page.getByRole('button', { name: 'Save changes' }).click()
    await visible(b.page.getByText('Capabilities saved. The token did not change.'))
    expect(await b.page.getByLabel('Update content').isChecked()).toBe(false)
    expect(await b.page.getByLabel('Read user information without email addresses').isChecked()).toBe(true)

    const denied = await apiError(
      notion.pages.update({ page_id: s.pages.child.id, properties: { title: { title: [{ text: { content: 'again' } }] } } }),
    )
    expect(denied.status).toBe(403)
    expect(denied.code).toBe(APIErrorCode.RestrictedResource)
    expect((await notion.pages.retrieve({ page_id: s.pages.child.id })).id).toBe(s.pages.child.id)
    await b.page.getByRole('button', { name: 'Show' }).click()
    expect(await b.page.getByRole('textbox', { name: 'Installation access token' }).inputValue()).toBe(token)
  })

  it('Content access → Edit access adds and removes pages with the page picker', async () => {
    await b.page.getByRole('link', { name: 'Content access' }).click()
    await visible(b.page.locator('main').getByRole('link', { name: 'Root' }))
    await b.shot('11-content-access')
    await b.page.getByRole('link', { name: 'Edit access' }).click()
    await visible(b.page.getByText('included through “Root”').first())
    await b.shot('12-edit-access-picker')
    await b.page.getByLabel('Search pages').fill('sec')
    await count(b.page.locator('#picker-list label:not([hidden])'), 1)
    await b.shot('13-edit-access-search')
    await b.page.getByRole('checkbox', { name: 'Secret', exact: true }).check()
    await b.page.getByRole('button', { name: 'Save access' }).click()
    await visible(b.page.getByText('Access saved.'))
    const notion = server.client(token)
    expect((await notion.pages.retrieve({ page_id: s.pages.secret.id })).id).toBe(s.pages.secret.id)

    await b.page.getByRole('button', { name: 'Remove access to Secret' }).click()
    await visible(b.page.getByText('Connection removed.'))
    expect((await apiError(notion.pages.retrieve({ page_id: s.pages.secret.id }))).code).toBe(APIErrorCode.ObjectNotFound)

    await b.page.getByRole('link', { name: 'Edit access' }).click()
    await b.page.getByRole('checkbox', { name: 'Root', exact: true }).uncheck()
    await b.page.getByRole('button', { name: 'Save access' }).click()
    await visible(b.page.getByText('Nothing is shared with this connection yet'))
    expect((await apiError(notion.pages.retrieve({ page_id: s.pages.child.id }))).code).toBe(APIErrorCode.ObjectNotFound)
  })
})
