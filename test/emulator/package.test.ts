import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

/**
 * Packaging (ADR 23): `npm pack` builds Octavo (prepack), the tarball installs into a fresh project,
 * and a `node:test` file there starts Octavo with `octavo/testing` and talks to it with the SDK; the
 * `octavo` bin runs. The install uses the npm cache first (`--prefer-offline`: only the npm registry is
 * needed when the cache lacks something) and runs no install scripts, so better-sqlite3's native
 * binary is copied from this checkout's install instead of downloaded.
 */
const root = resolve(import.meta.dirname, '../..')
const work = mkdtempSync(join(tmpdir(), 'octavo-pack-'))
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' },
  })

describe('npm pack → install → octavo/testing in a fresh project', () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }))

  it('installs from the tarball and runs a node:test file with the library and the SDK', () => {
    npm(['pack', '--pack-destination', work, '--silent'], root)
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))
    expect(tarball).toBeDefined()
    const sdkVersion = (createRequire(join(root, 'package.json'))('@notionhq/client/package.json') as { version: string }).version
    const project = join(work, 'app')
    execFileSync('mkdir', ['-p', project])
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'octavo-pack-check',
        private: true,
        type: 'module',
        devDependencies: { octavo: `file:../${tarball}`, '@notionhq/client': sdkVersion },
      }),
    )
    npm(['install', '--prefer-offline', '--ignore-scripts', '--no-package-lock'], project)
    // The native binary install scripts would have built or downloaded.
    const binary = join(
      dirname(createRequire(join(root, 'package.json')).resolve('better-sqlite3/package.json')),
      'build/Release/better_sqlite3.node',
    )
    const target = join(project, 'node_modules/better-sqlite3/build/Release')
    execFileSync('mkdir', ['-p', target])
    copyFileSync(binary, join(target, 'better_sqlite3.node'))
    expect(existsSync(join(project, 'node_modules/octavo/dist/testing.js'))).toBe(true)
    expect(existsSync(join(project, 'node_modules/octavo/src'))).toBe(false)

    writeFileSync(
      join(project, 'integration.test.mjs'),
      `import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Client } from '@notionhq/client'
import { startOctavo } from 'octavo/testing'
import { loadConfig } from 'octavo'

test('an integration against Octavo', async () => {
  assert.equal(typeof loadConfig, 'function')
  const octavo = await startOctavo()
  try {
    const notion = new Client({ auth: octavo.tokens.Integration, baseUrl: octavo.url })
    const me = await notion.users.me({})
    assert.equal(me.name, 'Integration')
    const page = await notion.pages.create({ parent: { page_id: octavo.workspace.pages.home }, properties: { title: { title: [{ text: { content: 'From the tarball' } }] } } })
    await octavo.reset()
    await assert.rejects(notion.pages.retrieve({ page_id: page.id }), { code: 'object_not_found' })
  } finally {
    await octavo.close()
  }
})
`,
    )
    const out = execFileSync(process.execPath, ['--test', 'integration.test.mjs'], { cwd: project, encoding: 'utf8' })
    expect(out).toMatch(/# pass 1/)
    const help = execFileSync(join(project, 'node_modules/.bin/octavo'), ['--help'], { cwd: project, encoding: 'utf8' })
    expect(help).toContain('serve')
    expect(help).toContain('snapshot')
  }, 600_000)
})
