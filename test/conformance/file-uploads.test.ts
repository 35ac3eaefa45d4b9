import { APIErrorCode, type Client } from '@notionhq/client'
import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildConnection, connectedWorkspace, type Seed } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'

/**
 * `/v1/file_uploads` through the official SDK (docs/reference/notion-api-2026.md §1,
 * docs/file-uploads.md): each mode end to end, the object's shape, listing, and the refusals of
 * create, send and complete.
 */

const MiB = 1024 * 1024
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

describe('file uploads', () => {
  let server: TestServer
  let s: Seed
  let notion: Client
  beforeAll(async () => {
    server = await startTestServer()
    ;({ s, notion } = await connectedWorkspace(server))
  })
  afterAll(async () => server.stop())

  const setPlan = (plan: 'free' | 'plus') =>
    server.deps.store.db.updateTable('workspace').set({ plan }).where('id', '=', s.workspace.id).execute()

  it('single_part: create → pending with upload_url, send → uploaded, retrieve and list show it', async () => {
    const created = await notion.fileUploads.create({ mode: 'single_part', filename: 'hello.txt', content_type: 'text/plain' })
    expect(created).toMatchObject({
      object: 'file_upload',
      status: 'pending',
      filename: 'hello.txt',
      content_type: 'text/plain',
      content_length: null,
      in_trash: false,
      upload_url: `${server.url}/v1/file_uploads/${created.id}/send`,
      created_by: { id: s.connection.bot_id, type: 'bot' },
    })
    expect(created).not.toHaveProperty('complete_url')
    expect(created).toHaveProperty('archived', false) // until 2026-03-11
    expect(Date.parse(created.expiry_time as string) - Date.parse(created.created_time)).toBe(60 * 60 * 1000)
    const sent = await notion.fileUploads.send({
      file_upload_id: created.id,
      file: { filename: 'hello.txt', data: new Blob(['hello world'], { type: 'text/plain' }) },
    })
    expect(sent).toMatchObject({
      id: created.id,
      status: 'uploaded',
      content_length: 11,
      filename: 'hello.txt',
      content_type: 'text/plain',
    })
    expect(sent).not.toHaveProperty('upload_url')
    expect(await notion.fileUploads.retrieve({ file_upload_id: created.id })).toMatchObject({ status: 'uploaded', content_length: 11 })
    const list = await notion.fileUploads.list({ status: 'uploaded' })
    expect(list).toMatchObject({ object: 'list', type: 'file_upload', file_upload: {} })
    expect(list.results.map((r) => r.id)).toContain(created.id)
    expect((await notion.fileUploads.list({ status: 'pending' })).results.map((r) => r.id)).not.toContain(created.id)
  })

  it('single_part without filename takes the name and type of the sent part', async () => {
    const created = await notion.fileUploads.create({})
    expect(created).toMatchObject({ status: 'pending', filename: null, content_type: null })
    const sent = await notion.fileUploads.send({
      file_upload_id: created.id,
      file: { filename: 'pic.png', data: new Blob([randomBytes(100)], { type: 'image/png' }) },
    })
    expect(sent).toMatchObject({ status: 'uploaded', filename: 'pic.png', content_type: 'image/png', content_length: 100 })
  })

  it('multi_part: parts in any order, complete → uploaded with number_of_parts', async () => {
    await setPlan('plus')
    try {
      const created = await notion.fileUploads.create({
        mode: 'multi_part',
        filename: 'big.mp4',
        content_type: 'video/mp4',
        number_of_parts: 2,
      })
      expect(created).toMatchObject({
        status: 'pending',
        number_of_parts: { total: 2, sent: 0 },
        complete_url: `${server.url}/v1/file_uploads/${created.id}/complete`,
      })
      const p1 = randomBytes(5 * MiB)
      const p2 = randomBytes(1000)
      const after2 = await notion.fileUploads.send({
        file_upload_id: created.id,
        part_number: '2',
        file: { filename: 'big.mp4', data: new Blob([p2], { type: 'video/mp4' }) },
      })
      expect(after2).toMatchObject({ status: 'pending', number_of_parts: { total: 2, sent: 1 } })
      const early = await apiError(notion.fileUploads.complete({ file_upload_id: created.id }))
      expect(early.code).toBe(APIErrorCode.ValidationError)
      expect(early.message).toMatch(/Missing part numbers: 1/)
      await notion.fileUploads.send({
        file_upload_id: created.id,
        part_number: '1',
        file: { filename: 'big.mp4', data: new Blob([p1], { type: 'video/mp4' }) },
      })
      const done = await notion.fileUploads.complete({ file_upload_id: created.id })
      expect(done).toMatchObject({ status: 'uploaded', content_length: 5 * MiB + 1000, number_of_parts: { total: 2, sent: 2 } })
      expect(done).not.toHaveProperty('complete_url')
    } finally {
      await setPlan('free')
    }
  })

  it('create refusals: bad mode, unsupported type, mismatched extension, missing multi_part fields, stray fields', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ mode: 'chunked' }, /body.mode/],
      [{ filename: 'a.exe' }, /extension `.exe` is not supported/],
      [{ content_type: 'application/x-msdownload' }, /not supported/],
      [{ filename: 'a.png', content_type: 'text/plain' }, /does not match/],
      [{ mode: 'multi_part', number_of_parts: 2 }, /body.filename should be defined/],
      [{ mode: 'multi_part', filename: 'a.txt' }, /body.number_of_parts should be defined/],
      [{ mode: 'single_part', number_of_parts: 2 }, /body.number_of_parts should be not present/],
      [{ mode: 'multi_part', filename: 'a.txt', number_of_parts: 10_001 }, /number_of_parts/],
      [{ filename: `${'a'.repeat(901)}.txt` }, /filename/],
      [{ mode: 'external_url' }, /body.external_url should be defined/],
      [{ external_url: 'https://example.com/a.png' }, /body.external_url should be not present/],
      [{ mode: 'external_url', external_url: 'http://example.com/a.png' }, /HTTPS/],
      [{ mode: 'external_url', external_url: 'https://127.0.0.1/a.png' }, /publicly reachable/],
    ]
    for (const [body, message] of cases) {
      const err = await apiError(notion.fileUploads.create(body as never)).catch((e: Error) => {
        throw new Error(`${JSON.stringify(body)}: ${e.message}`)
      })
      expect(err.code, JSON.stringify(body)).toBe(APIErrorCode.ValidationError)
      expect(err.message, JSON.stringify(body)).toMatch(message)
    }
  })

  it('send refusals: plan limit while streaming, wrong type, twice, part numbers, unknown upload', async () => {
    const big = await notion.fileUploads.create({ filename: 'big.bin.txt' })
    const over = await apiError(
      notion.fileUploads.send({ file_upload_id: big.id, file: { data: new Blob([randomBytes(5 * MiB + 1)], { type: 'text/plain' }) } }),
    )
    expect(over.code).toBe(APIErrorCode.ValidationError)
    expect(over.message).toMatch(/allowed limit of 5 MiB/)
    expect(await notion.fileUploads.retrieve({ file_upload_id: big.id })).toMatchObject({ status: 'pending' })

    const typed = await notion.fileUploads.create({ filename: 'a.png', content_type: 'image/png' })
    const wrong = await apiError(
      notion.fileUploads.send({ file_upload_id: typed.id, file: { filename: 'a.png', data: new Blob(['x'], { type: 'text/plain' }) } }),
    )
    expect(wrong.message).toMatch(/does not match/)

    const once = await notion.fileUploads.create({ filename: 'a.txt' })
    await notion.fileUploads.send({ file_upload_id: once.id, file: { data: new Blob(['x']) } })
    const twice = await apiError(notion.fileUploads.send({ file_upload_id: once.id, file: { data: new Blob(['y']) } }))
    expect(twice.message).toMatch(/status `uploaded`/)
    const notMulti = await apiError(notion.fileUploads.complete({ file_upload_id: once.id }))
    expect(notMulti.message).toMatch(/not a multi_part upload/)

    await setPlan('plus')
    try {
      const multi = await notion.fileUploads.create({ mode: 'multi_part', filename: 'm.txt', number_of_parts: 3 })
      for (const [part, re] of [
        [undefined, /part_number should be defined/],
        ['0', /between 1 and 3/],
        ['4', /between 1 and 3/],
        ['x', /between 1 and 3/],
      ] as const) {
        const err = await apiError(
          notion.fileUploads.send({ file_upload_id: multi.id, ...(part ? { part_number: part } : {}), file: { data: new Blob(['x']) } }),
        )
        expect(err.message).toMatch(re)
      }
      await notion.fileUploads.send({ file_upload_id: multi.id, part_number: '1', file: { data: new Blob(['small']) } })
      await notion.fileUploads.send({ file_upload_id: multi.id, part_number: '2', file: { data: new Blob(['small']) } })
      await notion.fileUploads.send({ file_upload_id: multi.id, part_number: '3', file: { data: new Blob(['small']) } })
      const small = await apiError(notion.fileUploads.complete({ file_upload_id: multi.id }))
      expect(small.message).toMatch(/at least 5 MiB/)
    } finally {
      await setPlan('free')
    }

    const unknown = await apiError(notion.fileUploads.retrieve({ file_upload_id: '00000000-0000-4000-8000-000000000000' }))
    expect(unknown.code).toBe(APIErrorCode.ObjectNotFound)
  })

  it('another connection cannot see, send to or list this connection’s uploads', async () => {
    const mine = await notion.fileUploads.create({ filename: 'mine.txt' })
    const other = await buildConnection(server, s, 'Other Bot')
    const theirs = server.client(other.token)
    expect((await apiError(theirs.fileUploads.retrieve({ file_upload_id: mine.id }))).code).toBe(APIErrorCode.ObjectNotFound)
    expect((await apiError(theirs.fileUploads.send({ file_upload_id: mine.id, file: { data: new Blob(['x']) } }))).code).toBe(
      APIErrorCode.ObjectNotFound,
    )
    expect((await theirs.fileUploads.list({})).results.map((r) => r.id)).not.toContain(mine.id)
  })

  it('list paginates newest first with a cursor', async () => {
    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push((await notion.fileUploads.create({ filename: `p${i}.txt` })).id)
    const first = await notion.fileUploads.list({ page_size: 2 })
    expect(first.has_more).toBe(true)
    expect(first.results.map((r) => r.id)).toEqual([ids[2], ids[1]])
    const second = await notion.fileUploads.list({ page_size: 2, start_cursor: first.next_cursor as string })
    expect(second.results[0]?.id).toBe(ids[0])
    const bad = await apiError(notion.fileUploads.list({ status: 'done' as never }))
    expect(bad.code).toBe(APIErrorCode.ValidationError)
  })

  it('needs insert content to create and read content to retrieve', async () => {
    const { notion: noInsert } = await connectedWorkspace(server, { insertContent: false })
    expect((await apiError(noInsert.fileUploads.create({}))).code).toBe(APIErrorCode.RestrictedResource)
    const { notion: noRead } = await connectedWorkspace(server, { readContent: false })
    expect((await apiError(noRead.fileUploads.list({}))).code).toBe(APIErrorCode.RestrictedResource)
  })

  void sha
})
