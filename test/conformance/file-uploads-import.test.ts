import { APIErrorCode, type Client } from '@notionhq/client'
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isPrivateAddress } from '../../src/services/file-import.js'
import { connectedWorkspace } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'

/**
 * `external_url` uploads (docs/file-uploads.md; docs/reference/notion-api-2026.md §1.4): Octavo
 * downloads the file itself, in the background, with a timeout, a size cap and at most three
 * redirects, and reports the outcome in `file_import_result`. Private and loopback addresses are
 * refused unless `OCTAVO_FILE_IMPORT_ALLOW_PRIVATE=on`, which these tests set to reach their own
 * local file server.
 */

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const MiB = 1024 * 1024

describe('external_url imports', () => {
  let server: TestServer
  let notion: Client
  let files: Server
  let base: string
  const png = randomBytes(3000)
  const big = randomBytes(5 * MiB + 10)
  beforeAll(async () => {
    files = createServer((req, res) => {
      const path = req.url ?? '/'
      if (path === '/logo.png') return res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length }).end(png)
      if (path === '/untyped/report.pdf') return res.writeHead(200).end(Buffer.from('%PDF-1.4 tiny'))
      if (path.startsWith('/hop/')) {
        const n = Number(path.slice(5))
        return res.writeHead(302, { location: n <= 1 ? '/logo.png' : `/hop/${n - 1}` }).end()
      }
      if (path === '/big.bin.txt') return res.writeHead(200, { 'content-type': 'text/plain' }).end(big) // chunked: no length
      if (path === '/declared-big.txt') return res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(6 * MiB) }).end()
      if (path === '/slow.txt') {
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.write('a')
        return undefined // never ends
      }
      if (path === '/page.exe') return res.writeHead(200, { 'content-type': 'application/x-msdownload' }).end('MZ')
      return res.writeHead(404).end()
    })
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`
    server = await startTestServer({ env: { OCTAVO_FILE_IMPORT_ALLOW_PRIVATE: 'on', OCTAVO_FILE_IMPORT_TIMEOUT: '1' } })
    ;({ notion } = await connectedWorkspace(server))
  })
  afterAll(async () => {
    await server.stop()
    files.closeAllConnections()
    await new Promise((r) => files.close(r))
  })

  async function settled(id: string) {
    for (let i = 0; i < 200; i++) {
      const u = await notion.fileUploads.retrieve({ file_upload_id: id })
      if (u.status !== 'pending') return u
      await new Promise((r) => setTimeout(r, 25))
    }
    throw new Error('the import did not finish')
  }

  it('imports a file: pending at once, then uploaded with a success result; attachable', async () => {
    const created = await notion.fileUploads.create({ mode: 'external_url', external_url: `${base}/logo.png`, filename: 'logo.png' })
    expect(created).toMatchObject({ status: 'pending', filename: 'logo.png' })
    expect(created).not.toHaveProperty('upload_url')
    const done = await settled(created.id)
    expect(done).toMatchObject({
      status: 'uploaded',
      content_type: 'image/png',
      content_length: 3000,
      file_import_result: { type: 'success', success: {} },
    })
    const page = await notion.pages.create({
      parent: { page_id: (await notion.search({ query: 'Root' })).results[0]?.id as string },
      properties: { title: { title: [{ text: { content: 'Imported' } }] } },
      children: [{ image: { file_upload: { id: created.id } } }],
    })
    const block = (await notion.blocks.children.list({ block_id: page.id })).results[0] as unknown as { image: { file: { url: string } } }
    expect(sha(new Uint8Array(await (await fetch(block.image.file.url)).arrayBuffer()))).toBe(sha(png))
  })

  it('follows up to three redirects and takes the name and type from the URL', async () => {
    expect(await settled((await notion.fileUploads.create({ mode: 'external_url', external_url: `${base}/hop/3` })).id)).toMatchObject({
      status: 'uploaded',
      filename: 'logo.png',
    })
    const tooMany = await settled((await notion.fileUploads.create({ mode: 'external_url', external_url: `${base}/hop/4` })).id)
    expect(tooMany).toMatchObject({
      status: 'failed',
      file_import_result: { type: 'error', error: { type: 'download_error', code: 'file_import_too_many_redirects' } },
    })
    expect(
      await settled((await notion.fileUploads.create({ mode: 'external_url', external_url: `${base}/untyped/report.pdf` })).id),
    ).toMatchObject({
      status: 'uploaded',
      filename: 'report.pdf',
      content_type: 'application/pdf',
    })
  })

  it('failures land in file_import_result: 404, over the plan limit (declared or streamed), timeout, unsupported type', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['/missing.png', { type: 'download_error', code: 'file_import_http_error', status_code: 404 }],
      ['/big.bin.txt', { type: 'validation_error', code: 'file_upload_invalid_size' }],
      ['/declared-big.txt', { type: 'validation_error', code: 'file_upload_invalid_size' }],
      ['/slow.txt', { type: 'download_error', code: 'file_import_timeout' }],
      ['/page.exe', { type: 'validation_error', code: 'file_import_invalid_type' }],
    ]
    for (const [path, error] of cases) {
      const u = await settled((await notion.fileUploads.create({ mode: 'external_url', external_url: `${base}${path}` })).id)
      expect(u, path).toMatchObject({ status: 'failed', file_import_result: { type: 'error', error } })
      expect((u.file_import_result as { imported_time: string }).imported_time).toMatch(/Z$/)
      const attach = await apiError(notion.fileUploads.send({ file_upload_id: u.id, file: { data: new Blob(['x']) } }))
      expect(attach.code).toBe(APIErrorCode.ValidationError)
    }
    const failed = (await notion.fileUploads.list({ status: 'failed' })).results
    expect(failed.length).toBe(cases.length + 1)
  })

  it('without the switch, private and loopback addresses and plain http are refused at create', async () => {
    const strict = await startTestServer()
    try {
      const { notion: n } = await connectedWorkspace(strict)
      for (const url of [
        `${base}/logo.png`,
        'https://127.0.0.1/logo.png',
        'https://localhost/logo.png',
        'https://[::1]/a.png',
        'https://10.1.2.3/a.png',
      ]) {
        const err = await apiError(n.fileUploads.create({ mode: 'external_url', external_url: url }))
        expect(err.code, url).toBe(APIErrorCode.ValidationError)
      }
    } finally {
      await strict.stop()
    }
  })

  it('classifies addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '100.64.0.1',
    ]) {
      expect(isPrivateAddress(a), a).toBe(true)
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isPrivateAddress(a), a).toBe(false)
  })
})
