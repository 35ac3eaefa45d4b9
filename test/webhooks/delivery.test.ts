import { verifyWebhookSignature } from '@notionhq/client'
import { afterEach, describe, expect, it } from 'vitest'
import { adminCall, connectedWorkspace, rt } from '../support/factories.js'
import { startTestServer, type TestServer } from '../support/harness.js'
import { FAST_WEBHOOKS, startReceiver, type Receiver } from '../support/webhook-receiver.js'

/**
 * Webhook delivery (issue 17, docs/webhooks.md): the verification handshake, retries after 500s and
 * timeouts, aggregation, the delivery log, redelivery, test events, pause/resume, and the private
 * address switch. Real server, SDK writes, a receiver on 127.0.0.1.
 */

const open: { stop?: () => Promise<void>; close?: () => Promise<void> }[] = []
afterEach(async () => {
  for (const x of open.splice(0)) await (x.stop ?? x.close)?.()
})

async function setUp(env: Record<string, string> = {}) {
  const server = await startTestServer({ env: { ...FAST_WEBHOOKS, ...env } })
  open.push(server)
  const receiver = await startReceiver()
  open.push(receiver)
  const { s, notion } = await connectedWorkspace(server)
  return { server, receiver, s, notion }
}

async function subscribe(server: TestServer, connectionId: string, receiver: Receiver, body: Record<string, unknown> = {}) {
  const res = await adminCall(server, 'POST', `/connections/${connectionId}/webhooks`, {
    url: receiver.url,
    event_types: ['page.created', 'page.content_updated'],
    auto_verify: true,
    ...body,
  })
  expect(res.status).toBe(201)
  return res.body as { subscription: { id: string; status: string }; verification_token?: string }
}

async function log(server: TestServer, subId: string) {
  const res = await adminCall(server, 'GET', `/webhooks/${subId}/deliveries`)
  expect(res.status).toBe(200)
  return res.body.deliveries as any[]
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (ok(v)) return v
    if (Date.now() > end) throw new Error(`timed out; last value ${JSON.stringify(v)}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe('verification handshake', () => {
  it('the first POST carries the token, signed with it; active once entered back; then events flow', async () => {
    const { server, receiver, s, notion } = await setUp()
    const { subscription, verification_token } = await subscribe(server, s.connection.id, receiver, { auto_verify: false })
    expect(subscription.status).toBe('pending_verification')
    expect(verification_token).toBeUndefined()
    await receiver.waitFor((all) => all.length === 1)
    const hello = receiver.received[0]!
    expect(Object.keys(hello.body)).toEqual(['verification_token'])
    const token = hello.body.verification_token as string
    expect(token).toMatch(/^secret_[A-Za-z0-9_-]{43}$/)
    expect(
      await verifyWebhookSignature({ body: hello.raw, signature: hello.headers['x-notion-signature'] as string, verificationToken: token }),
    ).toBe(true)
    // Not verified yet: no events, and the token cannot be read back.
    await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('Before') } } })
    expect((await adminCall(server, 'GET', `/webhooks/${subscription.id}/verification-token`)).status).toBe(400)
    const wrong = await adminCall(server, 'POST', `/webhooks/${subscription.id}/verify`, { verification_token: 'secret_wrong' })
    expect(wrong).toMatchObject({ status: 400, body: { code: 'invalid_input', message: 'The verification token does not match.' } })
    const ok = await adminCall(server, 'POST', `/webhooks/${subscription.id}/verify`, { verification_token: token })
    expect(ok.body.status).toBe('active')
    const page = await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('After') } } })
    await receiver.waitFor(() => receiver.events().some((e) => e.entity.id === page.id))
    expect(receiver.events().map((e) => e.entity.id)).toEqual([page.id])
    // A verified subscription's URL is fixed, as in Notion.
    const moved = await adminCall(server, 'PATCH', `/webhooks/${subscription.id}`, { url: 'http://127.0.0.1:1/elsewhere' })
    expect(moved.status).toBe(400)
  })

  it('refuses bad input and other people', async () => {
    const { server, receiver, s } = await setUp()
    const bad = (body: Record<string, unknown>) => adminCall(server, 'POST', `/connections/${s.connection.id}/webhooks`, body)
    expect((await bad({ url: 'ftp://x', event_types: ['page.created'] })).body.code).toBe('invalid_input')
    expect((await bad({ url: receiver.url, event_types: [] })).body.message).toBe('Choose at least one event type.')
    expect((await bad({ url: receiver.url, event_types: ['page.exploded'] })).body.message).toBe('Unknown event type page.exploded.')
    expect((await bad({ url: receiver.url, event_types: ['page.created'], api_version: '2021-05-11' })).status).toBe(400)
    expect((await bad({ url: receiver.url, event_types: ['page.created'], colour: 1 })).status).toBe(400)
    // A member (not an owner) does not manage an internal connection.
    const member = await bad({ url: receiver.url, event_types: ['page.created'], as: s.member.email })
    expect(member.status).toBe(403)
    const { subscription } = await subscribe(server, s.connection.id, receiver)
    expect((await adminCall(server, 'GET', `/webhooks/${subscription.id}?as=${s.member.email}`)).status).toBe(403)
    expect((await adminCall(server, 'GET', `/webhooks/${subscription.id}/deliveries?as=${s.guest.email}`)).status).toBe(403)
    expect((await adminCall(server, 'GET', `/webhooks/${subscription.id}`, undefined, 'wrong-key-wrong-key')).status).toBe(401)
  })
})

describe('retries, timeouts, aggregation', () => {
  it('retries after 500s with the same event id and a growing attempt_number, then records success', async () => {
    const { server, receiver, s, notion } = await setUp()
    receiver.respond((r, i) => ({ status: r.body?.type && i < 3 ? 500 : 200 }))
    const { subscription } = await subscribe(server, s.connection.id, receiver)
    await receiver.waitFor((all) => all.length >= 1) // the handshake (answered 500 too)
    const page = await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('Retry') } } })
    await receiver.waitFor(() => receiver.events().filter((e) => e.entity.id === page.id).length >= 3)
    const tries = receiver.events().filter((e) => e.entity.id === page.id)
    expect(new Set(tries.map((e) => e.id)).size).toBe(1)
    expect(tries.map((e) => e.attempt_number)).toEqual(tries.map((_, i) => i + 1))
    const entry = await until(
      () => log(server, subscription.id),
      (l) => l.some((d) => d.entity?.id === page.id && d.status === 'delivered'),
    )
    const d = entry.find((x) => x.entity?.id === page.id)
    expect(d).toMatchObject({ status: 'delivered', attempts: tries.length, last_attempt: { status_code: 200, error: null } })
    expect(d.payload.id).toBe(tries[0].id)
  })

  it('a receiver slower than the timeout gets the event again; the last failure is recorded after max attempts', async () => {
    const { server, receiver, s, notion } = await setUp({ OCTAVO_WEBHOOK_TIMEOUT_MS: '200', OCTAVO_WEBHOOK_MAX_ATTEMPTS: '3' })
    const { subscription } = await subscribe(server, s.connection.id, receiver)
    receiver.respond((r) => (r.body?.type ? { status: 200, delayMs: 1000 } : { status: 200 }))
    const page = await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('Slow') } } })
    const failed = await until(
      () => log(server, subscription.id),
      (l) => l.some((d) => d.entity?.id === page.id && d.status === 'failed'),
    )
    const d = failed.find((x) => x.entity?.id === page.id)
    expect(d.attempts).toBe(3)
    expect(d.last_attempt.error).toBe('No answer within 200 ms.')
    expect(
      receiver
        .events()
        .filter((e) => e.entity.id === page.id)
        .map((e) => e.attempt_number),
    ).toEqual([1, 2, 3])
    // Redeliver: the receiver is fast again.
    receiver.respond(() => ({ status: 200 }))
    const again = await adminCall(server, 'POST', `/webhook-deliveries/${d.id}/redeliver`, {})
    expect(again.status).toBe(202)
    await until(
      () => adminCall(server, 'GET', `/webhook-deliveries/${d.id}`),
      (r) => r.body.status === 'delivered',
    )
    expect(
      receiver
        .events()
        .filter((e) => e.entity.id === page.id)
        .at(-1).attempt_number,
    ).toBe(4)
  })

  it('page.content_updated bursts within the window collapse into one delivery', async () => {
    const { server, receiver, s, notion } = await setUp({ OCTAVO_WEBHOOK_AGGREGATION_MS: '400' })
    await subscribe(server, s.connection.id, receiver)
    const ids: string[] = []
    for (const text of ['a', 'b', 'c']) {
      const r = await notion.blocks.children.append({ block_id: s.pages.child.id, children: [{ paragraph: { rich_text: rt(text) } }] })
      ids.push(r.results[0]!.id)
    }
    await receiver.waitFor(() => receiver.events().length >= 1)
    await new Promise((r) => setTimeout(r, 300))
    const events = receiver.events().filter((e) => e.type === 'page.content_updated')
    expect(events).toHaveLength(1)
    expect(events[0].data.updated_blocks).toEqual(ids.map((id) => ({ id, type: 'block' })))
  })
})

describe('log, test event, pause', () => {
  it('test event, pause (events skipped), resume (events flow), log newest first', async () => {
    const { server, receiver, s, notion } = await setUp()
    const { subscription, verification_token } = await subscribe(server, s.connection.id, receiver)
    const test = await adminCall(server, 'POST', `/webhooks/${subscription.id}/test`, {})
    expect(test.status).toBe(202)
    await receiver.waitFor(() => receiver.events().some((e) => e.type === 'octavo.test'))
    const t = receiver.received.find((r) => r.body?.type === 'octavo.test')!
    expect(
      await verifyWebhookSignature({
        body: t.raw,
        signature: t.headers['x-notion-signature'] as string,
        verificationToken: verification_token!,
      }),
    ).toBe(true)
    expect((await adminCall(server, 'POST', `/webhooks/${subscription.id}/pause`, {})).body.status).toBe('paused')
    const hidden = await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('While paused') } } })
    expect((await adminCall(server, 'POST', `/webhooks/${subscription.id}/resume`, {})).body.status).toBe('active')
    const seen = await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('Resumed') } } })
    await receiver.waitFor(() => receiver.events().some((e) => e.entity?.id === seen.id))
    expect(receiver.events().some((e) => e.entity?.id === hidden.id)).toBe(false)
    // The outcome is recorded once the receiver has answered: wait for it.
    const entries = await until(
      () => log(server, subscription.id),
      (l) => l[0]?.status === 'delivered',
    )
    expect(entries[0]).toMatchObject({ type: 'page.created', entity: { id: seen.id, type: 'page' }, status: 'delivered' })
    expect(entries.at(-1)).toMatchObject({ kind: 'verification', payload: null })
    expect(JSON.stringify(entries)).not.toContain(verification_token)
    const page1 = await adminCall(server, 'GET', `/webhooks/${subscription.id}/deliveries?limit=1`)
    const page2 = await adminCall(server, 'GET', `/webhooks/${subscription.id}/deliveries?limit=1&cursor=${page1.body.next_cursor}`)
    expect(page2.body.deliveries[0].id).toBe(entries[1].id)
    expect((await adminCall(server, 'DELETE', `/webhooks/${subscription.id}`)).body).toEqual({ deleted: true })
    expect((await adminCall(server, 'GET', `/webhooks/${subscription.id}`)).status).toBe(404)
  })

  it('OCTAVO_WEBHOOK_ALLOW_PRIVATE=off refuses loopback receivers', async () => {
    const { server, receiver, s, notion } = await setUp({ OCTAVO_WEBHOOK_ALLOW_PRIVATE: 'off', OCTAVO_WEBHOOK_MAX_ATTEMPTS: '1' })
    const { subscription } = await subscribe(server, s.connection.id, receiver)
    await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('Nope') } } })
    const entries = await until(
      () => log(server, subscription.id),
      (l) => l.some((d) => d.kind === 'event' && d.status === 'failed'),
    )
    expect(entries.find((d) => d.kind === 'event').last_attempt.error).toBe("The receiver's address 127.0.0.1 is not allowed.")
    expect(receiver.received).toHaveLength(0)
  })
})

describe('kept-alive connections', () => {
  it('a receiver that drops a reused connection gets the event again at once on a new one (no backoff)', async () => {
    const { createServer: tcp } = await import('node:net')
    // Answers the first request of each connection (keep-alive), resets the connection on the second.
    const bodies: string[] = []
    const server = tcp((sock) => {
      let n = 0
      let buf = ''
      sock.on('data', (c) => {
        buf += c.toString('utf8')
        const head = buf.indexOf('\r\n\r\n')
        if (head < 0) return
        const len = Number(/content-length: (\d+)/i.exec(buf.slice(0, head))?.[1] ?? 0)
        if (buf.length < head + 4 + len) return
        bodies.push(buf.slice(head + 4, head + 4 + len))
        buf = ''
        if (++n === 1) sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok')
        else sock.resetAndDestroy()
      })
      sock.on('error', () => {})
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    open.push({ close: () => new Promise<void>((r) => server.close(() => r())) })
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`
    const { server: octavo, s, notion } = await setUp({ OCTAVO_WEBHOOK_RETRY_BASE_MS: '600000' })
    const sub = await adminCall(octavo, 'POST', `/connections/${s.connection.id}/webhooks`, {
      url,
      event_types: ['page.created'],
      auto_verify: true,
    })
    expect(sub.status).toBe(201)
    const id = sub.body.subscription.id as string
    for (const title of ['one', 'two', 'three']) {
      await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt(title) } } })
      await until(
        () => log(octavo, id),
        (l) => l.filter((d) => d.kind === 'event' && d.status === 'delivered').length === ['one', 'two', 'three'].indexOf(title) + 1,
      )
    }
    const events = (await log(octavo, id)).filter((d) => d.kind === 'event')
    expect(events.map((d) => [d.status, d.attempts])).toEqual([
      ['delivered', 1],
      ['delivered', 1],
      ['delivered', 1],
    ])
  })
})
