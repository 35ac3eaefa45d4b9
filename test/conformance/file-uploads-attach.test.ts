import { APIErrorCode, type Client } from '@notionhq/client'
import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Clock } from '../../src/domain/clock.js'
import { createLogger, redactTokens } from '../../src/logger.js'
import { buildDatabase, buildRow, connectedWorkspace, rt, type Seed } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Attaching uploads (docs/file-uploads.md; docs/reference/notion-api-2026.md §1.6–§1.7) through the
 * official SDK: media and file blocks (append, page create, update), page and database icons and
 * covers, `files` property values and comment attachments; the signed URL in every answer serves
 * the same bytes (checksums), honours Range, refuses tampering and stops after an hour (injected
 * clock); every refusal of attaching.
 */

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
type FileRef = { type: string; file?: { url: string; expiry_time: string } }

describe('attaching file uploads', () => {
  let server: TestServer
  let s: Seed
  let notion: Client
  let now = Date.parse('2026-06-01T10:00:00.000Z')
  const clock: Clock = { now: () => now }
  const logLines: string[] = []
  beforeAll(async () => {
    server = await startTestServer({
      clock,
      logger: createLogger('info', { write: (l: string) => void logLines.push(l) } as unknown as NodeJS.WritableStream),
    })
    ;({ s, notion } = await connectedWorkspace(server, { readComments: true, insertComments: true }))
  })
  afterAll(async () => server.stop())

  /** Creates and sends a single-part upload; returns its id and bytes. */
  async function upload(filename: string, type: string, bytes: Uint8Array = randomBytes(2048), client = notion) {
    const created = await client.fileUploads.create({ filename, content_type: type })
    await client.fileUploads.send({ file_upload_id: created.id, file: { filename, data: new Blob([bytes], { type }) } })
    return { id: created.id, bytes }
  }

  async function fetchFile(ref: FileRef | null | undefined, init: RequestInit = {}) {
    expect(ref?.type).toBe('file')
    const url = ref?.file?.url as string
    expect(url.startsWith(`${server.url}/_octavo/files/`)).toBe(true)
    return fetch(url, init)
  }

  it('image, video, audio, pdf and file blocks by append: the signed URL serves the same bytes', async () => {
    const img = await upload('chart.png', 'image/png')
    const vid = await upload('clip.mp4', 'video/mp4')
    const aud = await upload('talk.mp3', 'audio/mpeg')
    const pdf = await upload('report.pdf', 'application/pdf')
    const doc = await upload('notes.txt', 'text/plain')
    const res = await notion.blocks.children.append({
      block_id: s.pages.root.id,
      children: [
        { image: { type: 'file_upload', file_upload: { id: img.id } } },
        { video: { file_upload: { id: vid.id } } },
        { audio: { file_upload: { id: aud.id } } },
        { pdf: { file_upload: { id: pdf.id }, caption: rt('Q2') } },
        { file: { file_upload: { id: doc.id } } },
      ],
    })
    const blocks = res.results as unknown as Record<string, FileRef & Record<string, unknown>>[]
    const [ib, vb, ab, pb, fb] = blocks as [
      (typeof blocks)[0],
      (typeof blocks)[0],
      (typeof blocks)[0],
      (typeof blocks)[0],
      (typeof blocks)[0],
    ]
    expect(ib.image).toMatchObject({ type: 'file', file: { expiry_time: new Date(now + 3600_000).toISOString() } })
    expect(Object.keys((ib.image as FileRef).file as object).sort()).toEqual(['expiry_time', 'url'])
    expect(fb.file).toMatchObject({ type: 'file', name: 'notes.txt' })
    for (const [block, key, up, type] of [
      [ib, 'image', img, 'image/png'],
      [vb, 'video', vid, 'video/mp4'],
      [ab, 'audio', aud, 'audio/mpeg'],
      [pb, 'pdf', pdf, 'application/pdf'],
      [fb, 'file', doc, 'text/plain'],
    ] as const) {
      const r = await fetchFile(block[key] as FileRef)
      expect(r.status).toBe(200)
      expect(r.headers.get('content-type')).toBe(type)
      expect(r.headers.get('content-length')).toBe('2048')
      expect(r.headers.get('content-disposition')).toMatch(type === 'text/plain' ? /^attachment; filename="notes.txt"/ : /^inline;/)
      expect(sha(new Uint8Array(await r.arrayBuffer()))).toBe(sha(up.bytes))
    }
    // Retrieving the block again signs a fresh URL for the same file.
    const again = (await notion.blocks.retrieve({ block_id: String(ib.id) })) as unknown as { image: FileRef }
    expect(sha(new Uint8Array(await (await fetchFile(again.image)).arrayBuffer()))).toBe(sha(img.bytes))
    // The upload is now attached: no expiry, and it cannot be used again.
    expect(await notion.fileUploads.retrieve({ file_upload_id: img.id })).toMatchObject({ status: 'uploaded', expiry_time: null })
    const reuse = await apiError(
      notion.blocks.children.append({ block_id: s.pages.root.id, children: [{ image: { file_upload: { id: img.id } } }] }),
    )
    expect(reuse.code).toBe(APIErrorCode.ValidationError)
    expect(reuse.message).toMatch(/already attached/)
  })

  it('range requests, tampering and expiry of the signed URL', async () => {
    const bytes = randomBytes(10_000)
    const up = await upload('range.png', 'image/png', bytes)
    const res = await notion.blocks.children.append({ block_id: s.pages.root.id, children: [{ image: { file_upload: { id: up.id } } }] })
    const ref = (res.results[0] as unknown as { image: FileRef }).image
    const part = await fetchFile(ref, { headers: { range: 'bytes=100-199' } })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe('bytes 100-199/10000')
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true)
    const tail = await fetchFile(ref, { headers: { range: 'bytes=-10' } })
    expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(9990))).toBe(true)
    expect((await fetchFile(ref, { headers: { range: 'bytes=20000-' } })).status).toBe(416)
    const url = new URL(ref.file?.url as string)
    const sig = url.searchParams.get('signature') as string
    const tampered = new URL(url)
    tampered.searchParams.set('signature', `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`)
    expect((await fetch(tampered)).status).toBe(403)
    const later = new URL(url)
    later.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600_000))
    expect((await fetch(later)).status).toBe(403)
    const noSig = new URL(url)
    noSig.searchParams.delete('signature')
    expect((await fetch(noSig)).status).toBe(403)
    now += 3600_000 + 1
    try {
      expect((await fetch(url)).status).toBe(403)
    } finally {
      now -= 3600_000 + 1
    }
    expect((await fetch(url)).status).toBe(200)
    // The request log has the path of every fetch above, never the signature.
    expect(logLines.some((l) => l.includes(`/_octavo/files/${up.id}/`))).toBe(true)
    expect(logLines.some((l) => l.includes(sig))).toBe(false)
    expect(redactTokens(url.href)).not.toContain(sig)
  })

  it('block update swaps in another upload; a page create takes icon, cover and children uploads', async () => {
    const first = await upload('a.png', 'image/png')
    const second = await upload('b.png', 'image/png')
    const res = await notion.blocks.children.append({ block_id: s.pages.root.id, children: [{ image: { file_upload: { id: first.id } } }] })
    const id = res.results[0]?.id as string
    const updated = (await notion.blocks.update({ block_id: id, image: { file_upload: { id: second.id } } })) as unknown as {
      image: FileRef
    }
    expect(sha(new Uint8Array(await (await fetchFile(updated.image)).arrayBuffer()))).toBe(sha(second.bytes))

    const icon = await upload('icon.png', 'image/png')
    const cover = await upload('cover.jpg', 'image/jpeg')
    const inner = await upload('inner.png', 'image/png')
    const page = (await notion.pages.create({
      parent: { page_id: s.pages.root.id },
      properties: { title: { title: rt('With files') } },
      icon: { type: 'file_upload', file_upload: { id: icon.id } },
      cover: { file_upload: { id: cover.id } },
      children: [{ image: { file_upload: { id: inner.id } } }],
    })) as unknown as { id: string; icon: FileRef; cover: FileRef }
    expect(sha(new Uint8Array(await (await fetchFile(page.icon)).arrayBuffer()))).toBe(sha(icon.bytes))
    expect(sha(new Uint8Array(await (await fetchFile(page.cover)).arrayBuffer()))).toBe(sha(cover.bytes))
    const children = await notion.blocks.children.list({ block_id: page.id })
    const child = children.results[0] as unknown as { image: FileRef }
    expect(sha(new Uint8Array(await (await fetchFile(child.image)).arrayBuffer()))).toBe(sha(inner.bytes))

    const icon2 = await upload('icon2.png', 'image/png')
    const patched = (await notion.pages.update({ page_id: page.id, icon: { file_upload: { id: icon2.id } } })) as unknown as {
      icon: FileRef
    }
    expect(sha(new Uint8Array(await (await fetchFile(patched.icon)).arrayBuffer()))).toBe(sha(icon2.bytes))
  })

  it('database icon and cover, and files property values', async () => {
    const icon = await upload('db.png', 'image/png')
    const { database, dataSourceId } = await buildDatabase(notion, s.pages.root.id, {
      title: 'Docs',
      properties: { Name: { title: {} }, Attachments: { files: {} } },
    })
    const withIcon = (await notion.databases.update({ database_id: database.id, icon: { file_upload: { id: icon.id } } })) as unknown as {
      icon: FileRef
    }
    expect(sha(new Uint8Array(await (await fetchFile(withIcon.icon)).arrayBuffer()))).toBe(sha(icon.bytes))
    const a = await upload('spec.pdf', 'application/pdf')
    const b = await upload('photo.png', 'image/png')
    const rowId = await buildRow(notion, dataSourceId, 'Row', {
      Attachments: { files: [{ file_upload: { id: a.id } }, { name: 'Photo', type: 'file_upload', file_upload: { id: b.id } }] },
    })
    const row = (await notion.pages.retrieve({ page_id: rowId })) as unknown as {
      properties: { Attachments: { files: (FileRef & { name: string })[] } }
    }
    const files = row.properties.Attachments.files
    expect(files.map((f) => f.name)).toEqual(['spec.pdf', 'Photo'])
    expect(sha(new Uint8Array(await (await fetchFile(files[0])).arrayBuffer()))).toBe(sha(a.bytes))
    expect(sha(new Uint8Array(await (await fetchFile(files[1])).arrayBuffer()))).toBe(sha(b.bytes))
  })

  it('comment attachments come back with their category and a signed URL', async () => {
    const img = await upload('shot.png', 'image/png')
    const doc = await upload('minutes.txt', 'text/plain')
    const comment = (await notion.comments.create({
      parent: { page_id: s.pages.root.id },
      rich_text: rt('See attached'),
      attachments: [{ file_upload_id: img.id }, { type: 'file_upload', file_upload_id: doc.id }],
    })) as unknown as { id: string; attachments: { category: string; file: { url: string; expiry_time: string } }[] }
    expect(comment.attachments.map((a) => a.category)).toEqual(['image', 'productivity'])
    expect(sha(new Uint8Array(await (await fetch(comment.attachments[1]?.file.url as string)).arrayBuffer()))).toBe(sha(doc.bytes))
    const again = (await notion.comments.retrieve({ comment_id: comment.id })) as unknown as typeof comment
    expect(again.attachments[0]?.file.url).toMatch(/\/_octavo\/files\//)
  })

  it('refusals: pending, wrong type, expired, unknown, another workspace, twice in one request', async () => {
    const pending = await notion.fileUploads.create({ filename: 'p.png' })
    const notUploaded = await apiError(
      notion.blocks.children.append({ block_id: s.pages.root.id, children: [{ image: { file_upload: { id: pending.id } } }] }),
    )
    expect(notUploaded.message).toMatch(/status `pending`/)

    const video = await upload('v.mp4', 'video/mp4')
    for (const call of [
      () => notion.blocks.children.append({ block_id: s.pages.root.id, children: [{ image: { file_upload: { id: video.id } } }] }),
      () => notion.pages.update({ page_id: s.pages.child.id, icon: { file_upload: { id: video.id } } }),
      () => notion.blocks.children.append({ block_id: s.pages.root.id, children: [{ pdf: { file_upload: { id: video.id } } }] }),
    ]) {
      const err = await apiError(call())
      expect(err.code).toBe(APIErrorCode.ValidationError)
      expect(err.message).toMatch(/content type `video\/mp4`/)
    }

    const twice = await upload('t.png', 'image/png')
    const dup = await apiError(
      notion.blocks.children.append({
        block_id: s.pages.root.id,
        children: [{ image: { file_upload: { id: twice.id } } }, { image: { file_upload: { id: twice.id } } }],
      }),
    )
    expect(dup.message).toMatch(/already attached/)
    // Nothing of the refused request was written: the upload is still free.
    expect(await notion.fileUploads.retrieve({ file_upload_id: twice.id })).toMatchObject({ status: 'uploaded' })

    const unknown = await apiError(
      notion.blocks.children.append({
        block_id: s.pages.root.id,
        children: [{ image: { file_upload: { id: '00000000-0000-4000-8000-000000000001' } } }],
      }),
    )
    expect(unknown.message).toBe('Could not find file upload with ID: 00000000-0000-4000-8000-000000000001.')

    const other = await connectedWorkspace(server)
    const foreign = await upload('f.png', 'image/png', randomBytes(10), other.notion)
    const err = await apiError(
      notion.blocks.children.append({ block_id: s.pages.root.id, children: [{ image: { file_upload: { id: foreign.id } } }] }),
    )
    expect(err.message).toBe(`Could not find file upload with ID: ${foreign.id}.`)

    const late = await upload('late.png', 'image/png')
    const pendingLate = await notion.fileUploads.create({ filename: 'late2.png' })
    now += 2 * 3600_000
    try {
      expect(await notion.fileUploads.retrieve({ file_upload_id: late.id })).toMatchObject({ status: 'expired' })
      const expiredIds = (await notion.fileUploads.list({ status: 'expired' })).results.map((r) => r.id)
      expect(expiredIds).toEqual(expect.arrayContaining([late.id, pendingLate.id]))
      expect((await notion.fileUploads.list({ status: 'uploaded' })).results.map((r) => r.id)).not.toContain(late.id)
      const expired = await apiError(
        notion.blocks.children.append({ block_id: s.pages.root.id, children: [{ image: { file_upload: { id: late.id } } }] }),
      )
      expect(expired.message).toMatch(/has expired/)
      const sendLate = await apiError(notion.fileUploads.send({ file_upload_id: pendingLate.id, file: { data: new Blob(['x']) } }))
      expect(sendLate.message).toMatch(/has expired/)
    } finally {
      now -= 2 * 3600_000
    }
  })
})
