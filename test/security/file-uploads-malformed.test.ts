import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectedWorkspace } from '../support/factories.js'
import { startTestServer, type TestServer } from '../support/harness.js'

/**
 * Bad bodies on `POST /v1/file_uploads/{id}/send` (issue 14, "Bad input"): truncated multipart,
 * wrong or missing boundary, not multipart at all, a huge declared Content-Length with a tiny body,
 * a chunked body past the plan limit. Each answers Notion's 400 envelope, never a 5xx or a hang, and
 * leaves the upload pending and usable.
 */

describe('malformed /send bodies', () => {
  let server: TestServer
  let token: string
  beforeAll(async () => {
    server = await startTestServer()
    token = (await connectedWorkspace(server)).s.token
  })
  afterAll(async () => server.stop())

  async function pending(): Promise<string> {
    const res = await server.raw('/v1/file_uploads', { method: 'POST', token, body: JSON.stringify({ filename: 'm.txt' }) })
    return ((await res.json()) as { id: string }).id
  }
  const send = (id: string, body: string | Uint8Array, contentType: string) =>
    server.raw(`/v1/file_uploads/${id}/send`, { method: 'POST', token, body, headers: { 'content-type': contentType } })

  async function expect400(res: Response, message: RegExp) {
    const body = (await res.json()) as Record<string, unknown>
    expect(res.status).toBe(400)
    expect(body).toMatchObject({ object: 'error', status: 400, code: 'validation_error' })
    expect(body.message).toMatch(message)
    expect(typeof body.request_id).toBe('string')
  }

  const part = (boundary: string, content: string, close = true) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="m.txt"\r\nContent-Type: text/plain\r\n\r\n${content}\r\n${close ? `--${boundary}--\r\n` : ''}`

  it('a well-formed raw multipart body works', async () => {
    const id = await pending()
    const res = await send(id, part('XyZ', 'hello'), 'multipart/form-data; boundary=XyZ')
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: 'uploaded', content_length: 5 })
  })

  it('truncated, wrong boundary, no boundary, not multipart, no file part', async () => {
    const id = await pending()
    await expect400(await send(id, part('XyZ', 'hello', false).slice(0, -10), 'multipart/form-data; boundary=XyZ'), /multipart|body.file/)
    await expect400(
      await send(id, `--XyZ\r\nContent-Disposition: form-data; name="file"; filename="m.txt"\r\n`, 'multipart/form-data; boundary=XyZ'),
      /multipart|body.file/,
    )
    await expect400(await send(id, part('XyZ', 'hello'), 'multipart/form-data; boundary=Other'), /multipart|body.file/)
    await expect400(await send(id, part('XyZ', 'hello'), 'multipart/form-data'), /boundary/)
    await expect400(await send(id, JSON.stringify({ file: 'hello' }), 'application/json'), /multipart\/form-data/)
    await expect400(
      await send(
        id,
        `--XyZ\r\nContent-Disposition: form-data; name="part_number"\r\n\r\n1\r\n--XyZ--\r\n`,
        'multipart/form-data; boundary=XyZ',
      ),
      /body.file should be defined/,
    )
    const garbage = await send(id, Buffer.from([0, 1, 2, 255, 13, 10, 45, 45]), 'multipart/form-data; boundary=XyZ')
    expect(garbage.status).toBe(400)
    // Still pending and usable.
    const ok = await send(id, part('XyZ', 'fine'), 'multipart/form-data; boundary=XyZ')
    expect(await ok.json()).toMatchObject({ status: 'uploaded', content_length: 4 })
  })

  it('a chunked body past the plan limit is cut off while streaming', async () => {
    const id = await pending()
    const boundary = 'B0und'
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="m.txt"\r\nContent-Type: text/plain\r\n\r\n`,
    )
    let sent = 0
    const chunk = Buffer.alloc(256 * 1024, 97)
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(head)
        if (sent > 64 * 1024 * 1024) return controller.close() // would be 64 MB: the server stops long before
        sent += chunk.length
        controller.enqueue(chunk)
      },
    })
    const res = await fetch(`${server.url}/v1/file_uploads/${id}/send`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
      headers: {
        authorization: `Bearer ${token}`,
        'notion-version': '2025-09-03',
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
    } as RequestInit)
    await expect400(res, /allowed limit of 5 MiB/)
    expect(sent).toBeLessThan(32 * 1024 * 1024)
  })

  it('a 5 GiB Content-Length with a tiny body is answered at once, without waiting for the body', async () => {
    const id = await pending()
    const { port } = new URL(server.url)
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1')
      let data = ''
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new Error(`no answer in time: ${data}`))
      }, 5000)
      socket.on('data', (d) => {
        data += d.toString()
        if (data.includes('\r\n\r\n') && data.includes('}')) {
          clearTimeout(timer)
          socket.destroy()
          resolve(data)
        }
      })
      socket.on('error', reject)
      socket.write(
        `POST /v1/file_uploads/${id}/send HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\nNotion-Version: 2025-09-03\r\n` +
          `Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: ${5 * 1024 ** 3}\r\n\r\n--XyZ\r\n`,
      )
    })
    expect(answer).toMatch(/^HTTP\/1.1 400/)
    expect(answer).toMatch(/"code":"validation_error"/)
    expect(answer).toMatch(/allowed limit of 5 MiB/)
  })
})
