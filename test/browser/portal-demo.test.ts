import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedDemo, type DemoSeed } from '../../src/demo/seed.js'
import { startTestServer, type TestServer } from '../support/harness.js'
import { hasChromium, launchBrowser, visible, type Browser } from './browser.js'

/**
 * Demo mode in a browser: "sign in as" a demo person, the page tree they can see, and the demo's
 * "Getting started" page rendered read-only (most block types), with its connection listed.
 */
describe.skipIf(!hasChromium)('portal in a browser: demo mode', { timeout: 120_000 }, () => {
  let server: TestServer
  let demo: DemoSeed
  let b: Browser
  beforeAll(async () => {
    server = await startTestServer({ env: { OCTAVO_DEMO: 'on' } })
    demo = await seedDemo(server.deps)
    b = await launchBrowser()
  })
  afterAll(async () => {
    await b?.close()
    await server?.stop()
  })

  it('signs in as a demo member and renders the demo pages and their connections', async () => {
    await b.page.goto(`${server.url}/`)
    await visible(b.page.getByRole('group', { name: 'Sign in as a demo person' }))
    await b.shot('14-sign-in-demo')
    await b.page.getByRole('button', { name: /Grace Hopper/ }).click()
    await b.page.waitForURL((u) => u.pathname.startsWith('/w/'))
    await b.page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Getting started' }).click()
    await visible(b.page.getByRole('heading', { level: 1, name: /Getting started/ }))
    await visible(b.page.getByRole('heading', { name: 'What you can do here' }))
    expect(await b.page.locator('article pre code').first().textContent()).toContain('object_not_found')
    expect(await b.page.locator('article ul.todo input[checked]').count()).toBe(2)
    await b.shot('15-demo-page')

    await b.page.getByLabel('Page actions (•••)').click()
    await b.page.getByRole('navigation', { name: 'Page actions' }).getByRole('link', { name: 'Connections' }).click()
    const panel = b.page.locator('#connections')
    await visible(panel.locator('.title', { hasText: 'Demo integration' }))
    expect(await panel.getByText('Added to this page').count()).toBe(1)

    // Keyboard: the skip link comes first; the ••• menu opens with Enter and closes with Escape,
    // giving focus back to its button.
    await b.page.goto(`${server.url}/w/${demo.workspaceId}/pages/${demo.pages.gettingStarted}`)
    await b.page.keyboard.press('Tab')
    expect(await b.page.evaluate('document.activeElement.textContent')).toBe('Skip to content')
    const menu = b.page.getByLabel('Page actions (•••)')
    await menu.focus()
    await b.page.keyboard.press('Enter')
    await visible(b.page.getByRole('navigation', { name: 'Page actions' }).getByRole('link', { name: 'Connections' }))
    await b.page.keyboard.press('Escape')
    expect(await b.page.locator('details.menu').getAttribute('open')).toBeNull()
    expect(await b.page.evaluate('document.activeElement.getAttribute("aria-label")')).toBe('Page actions (•••)')

    // The deepest page inherits the share from "Getting started", six levels up.
    await b.page.goto(`${server.url}/w/${demo.workspaceId}/pages/${demo.pages.appendix}?panel=connections`)
    await visible(b.page.locator('#connections').getByText('Inherited from Getting started'))
  })
})
