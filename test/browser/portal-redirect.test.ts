import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setPassword } from '../../src/services/portal-auth.service.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import { hasChromium, launchBrowser, type Browser } from './browser.js'

/**
 * The open redirect after sign-in, in the browser that exploited it: `/login?next=%2F%09%2Fevil.test`
 * used to answer `Location: /\t/evil.test`, which Chromium (dropping the tab) followed to
 * http://evil.test/. Signing in with it, and following such a link while signed in, must end on the
 * portal's origin.
 */
describe.skipIf(!hasChromium)('portal in a browser: no open redirect after sign-in', { timeout: 120_000 }, () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  let b: Browser
  const PW = 'member-passphrase-1'

  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
    await setPassword(server.deps, s.member.id, PW)
    b = await launchBrowser()
  })
  afterAll(async () => {
    await b?.close()
    await server?.stop()
  })

  it('signs in with a tab-smuggled next and stays on the portal; so does the link when signed in', async () => {
    const origin = new URL(server.url).origin
    await b.page.goto(`${server.url}/login?next=%2F%09%2Fevil.test`)
    await b.page.getByLabel('E-mail').fill(s.member.email as string)
    await b.page.getByLabel('Password').fill(PW)
    await b.page.getByRole('button', { name: 'Sign in' }).click()
    await b.page.waitForURL((u) => u.pathname.startsWith('/w/'))
    expect(new URL(b.page.url()).origin).toBe(origin)

    // Signed in, the link itself redirects at once (a GET, which CSP form-action does not cover).
    for (const next of ['%2F%09%2Fevil.test', '%2F%5Cevil.test', '%2F.%2F%2Fevil.test']) {
      // The page the browser asks for after the redirect: the portal's, or evil.test's.
      const landed = b.page.waitForRequest((r) => r.isNavigationRequest() && !new URL(r.url()).pathname.startsWith('/login'))
      await b.page.goto(`${server.url}/login?next=${next}`).catch(() => undefined)
      expect(new URL((await landed).url()).origin, next).toBe(origin)
      await b.page.waitForURL((u) => u.pathname.startsWith('/w/'))
      expect(new URL(b.page.url()).origin, next).toBe(origin)
    }
  })
})
