import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setPassword } from '../../src/services/portal-auth.service.js'
import { connectedWorkspace, rt, type Seed } from '../support/factories.js'
import { installApp } from '../support/oauth.js'
import { startTestServer, type TestServer } from '../support/harness.js'
import { PortalAgent } from '../support/portal-agent.js'
import { FAST_WEBHOOKS, startReceiver, type Receiver } from '../support/webhook-receiver.js'
import type { Client } from '@notionhq/client'

/** The connection's Webhooks tab in the portal, over HTTP as a browser uses it (docs/webhooks.md). */

const PW = 'correct horse battery'
let server: TestServer
let receiver: Receiver
let s: Seed
let notion: Client

beforeAll(async () => {
  server = await startTestServer({ env: FAST_WEBHOOKS })
  receiver = await startReceiver()
  ;({ s, notion } = await connectedWorkspace(server))
  for (const p of [s.owner, s.member]) await setPassword(server.deps, p.id, PW)
})
afterAll(async () => {
  await server?.stop()
  await receiver?.close()
})

describe('portal: connection → Webhooks', () => {
  it('an owner creates a subscription, verifies it with the token the endpoint got, sees deliveries, redelivers', async () => {
    const a = await PortalAgent.signedIn(server, s.owner.email!, PW)
    const tab = `/developers/connections/${s.connection.id}/webhooks`
    expect((await a.req(`/developers/connections/${s.connection.id}`)).text).toContain(`href="${tab}"`)
    const csrf = await a.csrf(tab)
    const created = await a.req(tab, { _csrf: csrf, url: receiver.url, event: ['page.created'], api_version: '2025-09-03' })
    expect(created).toMatchObject({ status: 303, location: `${tab}?done=webhook_created` })
    await receiver.waitFor((all) => all.length === 1)
    const token = receiver.received[0]!.body.verification_token as string
    const page = (await a.req(`${tab}?done=webhook_created`)).text
    expect(page).toContain('Subscription created. The endpoint received its verification token.')
    expect(page).toContain(receiver.url)
    expect(page).toContain('pending verification')
    const subId = /webhooks\/([0-9a-f-]{36})\/verify/.exec(page)![1]!
    const wrong = await a.req(`${tab}/${subId}/verify`, { _csrf: csrf, verification_token: 'secret_wrong' })
    expect(wrong.status).toBe(400)
    expect(wrong.text).toContain('The verification token does not match.')
    expect((await a.req(`${tab}/${subId}/verify`, { _csrf: csrf, verification_token: token })).location).toBe(
      `${tab}?done=webhook_verified`,
    )
    const p = await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('Via portal') } } })
    await receiver.waitFor(() => receiver.events().some((e) => e.entity.id === p.id))
    let log = ''
    // Until the page's delivery is finished too (its outcome is recorded just after the receiver answers):
    // the handshake's and the page's rows then both offer a redelivery, the page's first (newest first).
    for (let i = 0; i < 100 && (log.match(/deliveries\/[0-9a-f-]{36}\/redeliver/g) ?? []).length < 2; i++) {
      log = (await a.req(`${tab}/${subId}`)).text
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(log).toContain(p.id)
    const deliveryId = /deliveries\/([0-9a-f-]{36})\/redeliver/.exec(log)![1]!
    expect((await a.req(`${tab}/deliveries/${deliveryId}/redeliver`, { _csrf: csrf })).location).toBe(
      `${tab}/${subId}?done=webhook_redelivered`,
    )
    await receiver.waitFor(() => receiver.events().filter((e) => e.entity.id === p.id).length === 2)
    // Without the CSRF token: refused, nothing changes.
    expect((await a.req(`${tab}/${subId}/delete`, {})).status).toBe(403)
    expect((await a.req(`${tab}/${subId}/delete`, { _csrf: csrf })).location).toBe(`${tab}?done=webhook_deleted`)
  })

  it('a member who does not manage the connection is refused', async () => {
    const m = await PortalAgent.signedIn(server, s.member.email!, PW)
    expect((await m.req(`/developers/connections/${s.connection.id}/webhooks`)).status).toBe(403)
  })

  it('a public connection has a Webhooks tab too: its registrant subscribes, events of an install arrive; a member is refused', async () => {
    const { app, token } = await installApp(server, {
      workspaceId: s.workspace.id,
      ownerId: s.owner.id,
      userId: s.member.id,
      pageIds: [s.pages.child.id],
      name: 'Public hooks',
    })
    const a = await PortalAgent.signedIn(server, s.owner.email!, PW)
    const tab = `/developers/public-connections/${app.clientId}/webhooks`
    expect((await a.req(`/developers/public-connections/${app.clientId}`)).text).toContain(`href="${tab}"`)
    const csrf = await a.csrf(tab)
    const created = await a.req(tab, {
      _csrf: csrf,
      url: receiver.url,
      event: ['page.created'],
      api_version: '2025-09-03',
      auto_verify: '1',
    })
    expect(created).toMatchObject({ status: 303, location: `${tab}?done=webhook_created` })
    const page = (await a.req(tab)).text
    expect(page).toContain('Public hooks')
    const subId = /webhooks\/([0-9a-f-]{36})\/pause/.exec(page)![1]!
    const p = await server
      .client(token.access_token)
      .pages.create({ parent: { page_id: s.pages.child.id }, properties: { title: { title: rt('Via install') } } })
    await receiver.waitFor(() => receiver.events().some((e) => e.entity.id === p.id))
    expect(receiver.events().find((e) => e.entity.id === p.id)).toMatchObject({ integration_id: app.clientId, subscription_id: subId })
    let log = ''
    for (let i = 0; i < 100 && !log.includes(p.id); i++) {
      log = (await a.req(`${tab}/${subId}`)).text
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(log).toContain(p.id)
    expect((await a.req(`${tab}/${subId}/pause`, { _csrf: csrf })).location).toBe(`${tab}?done=webhook_paused`)
    expect((await a.req(`${tab}?done=webhook_paused`)).text).toContain('Subscription paused.')
    // The installing member neither registered it nor owns the workspace.
    const m = await PortalAgent.signedIn(server, s.member.email!, PW)
    expect([403, 404]).toContain((await m.req(tab)).status)
    expect([403, 404]).toContain((await m.req(`${tab}/${subId}/delete`, { _csrf: await m.csrf('/developers/public-connections') })).status)
    expect((await a.req(tab)).text).toContain(receiver.url)
  })
})
