import { afterEach, describe, expect, it } from 'vitest'
import { sweepOnce } from '../../src/services/webhooks/sweep.js'
import { adminCall, connectedWorkspace, rt } from '../support/factories.js'
import { startTestServer } from '../support/harness.js'
import { FAST_WEBHOOKS, startReceiver } from '../support/webhook-receiver.js'

/**
 * The retention sweep (docs/webhooks.md "Retention"): finished deliveries older than
 * `OCTAVO_WEBHOOK_RETENTION_MS` leave the log, pending ones stay whatever their age, and the sweep
 * runs at most once per `OCTAVO_WEBHOOK_SWEEP_MS` across the nodes of a store.
 */

const open: { stop?: () => Promise<void>; close?: () => Promise<void> }[] = []
afterEach(async () => {
  for (const x of open.splice(0)) await (x.stop ?? x.close)?.()
})

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (ok(v)) return v
    if (Date.now() > end) throw new Error(`timed out; last value ${JSON.stringify(v)}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe('retention sweep', () => {
  it('deletes delivered deliveries past the retention age and keeps a pending retry', async () => {
    const server = await startTestServer({
      env: { ...FAST_WEBHOOKS, OCTAVO_WEBHOOK_RETENTION_MS: '300', OCTAVO_WEBHOOK_SWEEP_MS: '50', OCTAVO_WEBHOOK_RETRY_BASE_MS: '600000' },
    })
    open.push(server)
    const ok = await startReceiver()
    const down = await startReceiver()
    open.push(ok, down)
    down.respond(() => ({ status: 503 }))
    const { s, notion } = await connectedWorkspace(server)
    const subscribe = async (url: string) =>
      (
        await adminCall(server, 'POST', `/connections/${s.connection.id}/webhooks`, {
          url,
          event_types: ['page.created'],
          auto_verify: true,
        })
      ).body.subscription.id as string
    const good = await subscribe(ok.url)
    const bad = await subscribe(down.url)
    const log = async (id: string) => (await adminCall(server, 'GET', `/webhooks/${id}/deliveries`)).body.deliveries as any[]
    await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('Old news') } } })
    await ok.waitFor((all) => all.some((r) => r.body?.type === 'page.created'))
    await down.waitFor((all) => all.some((r) => r.body?.type === 'page.created'))
    // The delivered one goes once it is older than 300 ms; the one waiting for its retry stays.
    await until(
      () => log(good),
      (d) => d.length === 0,
    )
    const pending = await log(bad)
    expect(pending.filter((d) => d.kind === 'event').map((d) => [d.kind, d.type, d.status])).toEqual([['event', 'page.created', 'pending']])
  })

  it('one sweep per interval across nodes: a second sweep within sweepMs does nothing, force runs it', async () => {
    const server = await startTestServer({ env: { ...FAST_WEBHOOKS, OCTAVO_WEBHOOKS: 'off' } })
    open.push(server)
    const settings = { retentionMs: 1000, sweepMs: 60_000 }
    const first = await sweepOnce(server.deps, settings, { force: true })
    expect(first.swept).toBe(true)
    expect(await sweepOnce(server.deps, settings)).toEqual({ swept: false, deliveriesDeleted: 0 })
    // Two at once (two nodes): at most one takes the turn.
    const both = await Promise.all([
      sweepOnce(server.deps, { ...settings, sweepMs: 10 }),
      sweepOnce(server.deps, { ...settings, sweepMs: 10 }),
    ])
    expect(both.filter((r) => r.swept).length).toBeLessThanOrEqual(1)
  })
})
