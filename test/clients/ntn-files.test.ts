import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectedWorkspace, type Seed } from '../support/factories.js'
import { startTestServer, type TestServer } from '../support/harness.js'
import type { Client } from '@notionhq/client'

/**
 * Notion's own CLI, `ntn` (npm `ntn`, a devDependency: a prebuilt binary shipped inside the package,
 * nothing downloaded at install), pointed at Octavo with `NOTION_API_BASE_URL`: `ntn files create`
 * from stdin, `ntn files get` and `ntn files list` work against Octavo's `/v1/file_uploads`, and the
 * bytes it sent come back from the signed URL. `ntn` asks Notion's servers for the newest API version
 * unless told, so the test sets `NOTION_API_VERSION` (no network here).
 */

const NTN = join(process.cwd(), 'node_modules', '.bin', 'ntn')
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

function ntn(args: string[], env: Record<string, string>, stdin?: Buffer): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      NTN,
      args,
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
    child.stdin?.end(stdin ?? Buffer.alloc(0))
  })
}

describe('ntn files (Notion CLI) against Octavo', () => {
  let server: TestServer
  let s: Seed
  let notion: Client
  let home: string
  let env: Record<string, string>
  beforeAll(async () => {
    server = await startTestServer()
    ;({ s, notion } = await connectedWorkspace(server))
    home = mkdtempSync(join(tmpdir(), 'octavo-ntn-'))
    env = {
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      NOTION_KEYRING: '0',
      NOTION_API_TOKEN: s.token,
      NOTION_API_BASE_URL: server.url,
      NOTION_API_VERSION: '2026-03-11',
    }
  })
  afterAll(async () => {
    await server.stop()
    rmSync(home, { recursive: true, force: true })
  })

  it('ntn files create < file uploads to Octavo; list and get show it; the bytes come back', async () => {
    const bytes = randomBytes(50_000)
    const created = await ntn(['files', 'create', '--filename', 'chart.png', '--content-type', 'image/png'], env, bytes)
    expect(created.code, created.stderr).toBe(0)
    // `ntn files create` prints nothing when stdout is not a terminal; `ntn files list` names the upload.
    const listed = await ntn(['files', 'list'], env)
    expect(listed.code).toBe(0)
    const line = listed.stdout.split('\n').find((l) => l.includes('chart.png'))
    expect(line, listed.stdout).toMatch(/uploaded\s+image\/png\s+50000/)
    const id = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(line ?? '')?.[0]
    expect(id).toBeDefined()
    const upload = await notion.fileUploads.retrieve({ file_upload_id: id as string })
    expect(upload).toMatchObject({ status: 'uploaded', filename: 'chart.png', content_type: 'image/png', content_length: bytes.length })

    const got = await ntn(['files', 'get', id as string], env)
    expect(got.code).toBe(0)
    expect(got.stdout).toContain(id as string)

    // Attach it and read the bytes back through the signed URL.
    await s.share(s.pages.root.id)
    const res = await notion.blocks.children.append({
      block_id: s.pages.root.id,
      children: [{ image: { file_upload: { id: id as string } } }],
    })
    const url = (res.results[0] as unknown as { image: { file: { url: string } } }).image.file.url
    expect(sha(new Uint8Array(await (await fetch(url)).arrayBuffer()))).toBe(sha(bytes))
  })

  it('a refusal from Octavo reaches ntn as an error (bad content type)', async () => {
    const r = await ntn(['files', 'create', '--filename', 'x.exe', '--content-type', 'application/x-msdownload'], env, Buffer.from('MZ'))
    expect(r.code).not.toBe(0)
    expect(`${r.stdout}${r.stderr}`).toMatch(/not supported|validation/i)
  })
})
