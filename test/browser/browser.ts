import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core'

/**
 * Headless Chromium for the portal's browser tests: Debian's `chromium` package driven by
 * playwright-core (no browser download), with a fresh profile per run. Tests skip, with a message,
 * when /usr/bin/chromium is absent (`.ci/run` installs it).
 */

export const CHROMIUM = process.env.OCTAVO_CHROMIUM ?? '/usr/bin/chromium'
export const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) console.warn(`[browser tests] skipped: ${CHROMIUM} not found (apt-get install -y chromium)`)

/** Where screenshots go (gitignored); copies worth keeping live in docs/screenshots/. */
export const ARTIFACTS = resolve(process.env.OCTAVO_TEST_ARTIFACTS ?? 'test-artifacts/screenshots')

export interface Browser {
  context: BrowserContext
  page: Page
  /** Saves a full-page PNG as `<ARTIFACTS>/<name>.png`. */
  shot(name: string): Promise<string>
  close(): Promise<void>
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'octavo-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 860 },
    locale: 'en-US',
  })
  context.setDefaultTimeout(15_000)
  const page = context.pages()[0] ?? (await context.newPage())
  mkdirSync(ARTIFACTS, { recursive: true })
  return {
    context,
    page,
    shot: async (name) => {
      const path = join(ARTIFACTS, `${name}.png`)
      await page.screenshot({ path, fullPage: true })
      return path
    },
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** Waits until the locator's (single) element is visible; returns the locator. */
export async function visible(locator: Locator): Promise<Locator> {
  await locator.waitFor({ state: 'visible' })
  return locator
}

/** Waits until the locator matches exactly `n` visible elements (polls up to the default timeout). */
export async function count(locator: Locator, n: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let seen = -1
  while (Date.now() < deadline) {
    seen = 0
    for (const el of await locator.all()) if (await el.isVisible()) seen++
    if (seen === n) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`expected ${n} visible elements for ${String(locator)}, saw ${seen}`)
}
