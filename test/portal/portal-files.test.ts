import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setPassword } from '../../src/services/portal-auth.service.js'
import { connectedWorkspace, type Seed } from '../support/factories.js'
import { startTestServer, type TestServer } from '../support/harness.js'
import type { Client } from '@notionhq/client'

/**
 * The portal shows uploaded files on pages (docs/file-uploads.md "Portal"): an image block as an
 * `<img>` with a same-origin signed URL that serves the bytes, file and PDF blocks as links; a
 * person who cannot open the page gets no page and no file URL. Plain HTTP with a cookie-keeping
 * client, as test/portal/portal-http.test.ts.
 */

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

async function signIn(base: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
    body: new URLSearchParams({ email, password, next: '/' }).toString(),
    redirect: 'manual',
  })
  expect(res.status).toBe(303)
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
}

describe('portal: uploaded files on pages', () => {
  let server: TestServer
  let s: Seed
  let notion: Client
  const PW = 'correct horse battery'
  beforeAll(async () => {
    server = await startTestServer()
    ;({ s, notion } = await connectedWorkspace(server))
    for (const p of [s.owner, s.guest]) await setPassword(server.deps, p.id, PW)
    await s.share(s.pages.root.id)
  })
  afterAll(async () => server.stop())

  async function upload(filename: string, type: string, bytes: Uint8Array) {
    const created = await notion.fileUploads.create({ filename, content_type: type })
    await notion.fileUploads.send({ file_upload_id: created.id, file: { filename, data: new Blob([bytes], { type }) } })
    return created.id
  }

  it('an image block renders as <img> with a signed same-origin URL serving its bytes; a PDF and a file as links', async () => {
    const png = randomBytes(5000)
    const pdf = randomBytes(3000)
    const img = await upload('chart.png', 'image/png', png)
    const doc = await upload('report.pdf', 'application/pdf', pdf)
    const txt = await upload('notes.txt', 'text/plain', Buffer.from('hello'))
    await notion.blocks.children.append({
      block_id: s.pages.root.id,
      children: [
        { image: { file_upload: { id: img }, caption: [{ text: { content: 'Q3 chart' } }] } },
        { pdf: { file_upload: { id: doc } } },
        { file: { file_upload: { id: txt } } },
        { image: { external: { url: 'https://example.com/x.png' } } },
      ],
    })
    const cookie = await signIn(server.url, 'olive@example.com', PW)
    const page = await fetch(`${server.url}/w/${s.workspace.id}/pages/${s.pages.root.id}`, { headers: { cookie } })
    expect(page.status).toBe(200)
    const html = await page.text()
    const imgSrc = /<img src="(\/_octavo\/files\/[^"]+)" alt="Q3 chart"/.exec(html)?.[1]
    expect(imgSrc).toBeDefined()
    const src = (imgSrc as string).replaceAll('&amp;', '&')
    expect(src).toMatch(new RegExp(`^/_octavo/files/${img}/chart\\.png\\?expires=\\d+&signature=[0-9a-f]{64}$`))
    const got = await fetch(`${server.url}${src}`)
    expect(got.status).toBe(200)
    expect(got.headers.get('content-type')).toBe('image/png')
    expect(sha(new Uint8Array(await got.arrayBuffer()))).toBe(sha(png))
    // PDF and file blocks: links (download) to their signed URLs.
    const pdfHref = new RegExp(`Pdf: <a href="(/_octavo/files/${doc}/report\\.pdf\\?[^"]+)" download="report\\.pdf">report\\.pdf</a>`).exec(
      html,
    )?.[1]
    expect(pdfHref).toBeDefined()
    expect(sha(new Uint8Array(await (await fetch(`${server.url}${(pdfHref as string).replaceAll('&amp;', '&')}`)).arrayBuffer()))).toBe(
      sha(pdf),
    )
    expect(html).toMatch(new RegExp(`File: <a href="/_octavo/files/${txt}/notes\\.txt\\?`))
    // An external image stays a link (the portal fetches nothing from third parties).
    expect(html).toContain('Image: <a href="https://example.com/x.png"')
    // No stored marker leaks into the page.
    expect(html).not.toContain('file_upload_id')
  })

  it('a person who cannot open the page sees neither the page nor a file URL', async () => {
    const cookie = await signIn(server.url, 'gus@example.com', PW)
    const page = await fetch(`${server.url}/w/${s.workspace.id}/pages/${s.pages.root.id}`, { headers: { cookie } })
    expect(page.status).toBe(404)
    expect(await page.text()).not.toContain('/_octavo/files/')
  })
})
