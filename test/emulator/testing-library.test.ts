import { APIResponseError } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOctavo, type Octavo } from '../../src/testing.js'

/** `octavo/testing` (ADR 23): in-process Octavo with ready SDK clients, reset, snapshots and the clock. */
describe('startOctavo', () => {
  let octavo: Octavo
  beforeAll(async () => {
    octavo = await startOctavo({ clientOptions: { retry: false } })
  })
  afterAll(() => octavo.close())

  it('serves the default fixture to a ready SDK client', async () => {
    const me = await octavo.notion.users.me({})
    expect(me.type === 'bot' && me.name).toBe('Integration')
    const home = octavo.workspace!.pages.home!
    const blocks = await octavo.notion.blocks.children.list({ block_id: home })
    expect(blocks.results).toHaveLength(1)
    const err = await octavo.notion.pages.retrieve({ page_id: octavo.workspace!.pages.private! }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(APIResponseError)
    expect((err as APIResponseError).code).toBe('object_not_found')
    expect(octavo.client('Integration')).toBeDefined()
    expect(octavo.tokens.Integration).toMatch(/^ntn_1/)
  })

  it('reset() drops everything written since start; snapshot()/restore() go back to a named point', async () => {
    const home = octavo.workspace!.pages.home!
    const a = await octavo.notion.pages.create({ parent: { page_id: home }, properties: {} })
    await octavo.snapshot('after-a')
    const b = await octavo.notion.pages.create({ parent: { page_id: home }, properties: {} })
    await octavo.restore('after-a')
    expect((await octavo.notion.pages.retrieve({ page_id: a.id })).id).toBe(a.id)
    await expect(octavo.notion.pages.retrieve({ page_id: b.id })).rejects.toMatchObject({ code: 'object_not_found' })
    await octavo.reset()
    await expect(octavo.notion.pages.retrieve({ page_id: a.id })).rejects.toMatchObject({ code: 'object_not_found' })
    expect(octavo.snapshots().map((s) => s.name)).toEqual(['after-a'])
  })

  it('journal() lists requests with the explanation of a refusal; faults make the next call fail as Notion would', async () => {
    const hidden = octavo.workspace!.pages.private!
    await octavo.notion.pages.retrieve({ page_id: hidden }).catch(() => undefined)
    const [last] = octavo.journal({ endpoint: 'pages.retrieve' })
    expect(last).toMatchObject({ status: 404, error_code: 'object_not_found', endpoint: 'pages.retrieve' })
    expect(last?.explanation?.reason).toBeTruthy()
    const rule = octavo.faults.add({ endpoint: 'users.me', error: 'service_unavailable', times: 1 })
    expect(octavo.faults.list().map((r) => r.id)).toEqual([rule.id])
    await expect(octavo.notion.users.me({})).rejects.toMatchObject({ code: 'service_unavailable' })
    await expect(octavo.notion.users.me({})).resolves.toMatchObject({ object: 'user' })
    expect(octavo.faults.list()).toEqual([])
  })

  it('moves the server clock in-process', async () => {
    octavo.clock.freeze('2030-05-01T10:00:00Z')
    try {
      const page = await octavo.notion.pages.create({ parent: { page_id: octavo.workspace!.pages.home! }, properties: {} })
      expect('created_time' in page && page.created_time).toBe('2030-05-01T10:00:00.000Z')
      octavo.clock.advance('2h')
      expect(octavo.clock.now().toISOString()).toBe('2030-05-01T12:00:00.000Z')
      expect((await octavo.admin('GET', '/clock')).body.now).toBe('2030-05-01T12:00:00.000Z')
    } finally {
      octavo.clock.resume()
    }
  })

  it('starts empty or from another fixture, with rate limits when asked', async () => {
    const empty = await startOctavo({ fixture: 'empty' })
    try {
      expect(empty.fixture.workspaces).toEqual([])
      expect(() => empty.notion).toThrow('no connection')
    } finally {
      await empty.close()
    }
    const limited = await startOctavo({
      fixture: new URL('../../examples/fixtures/acme.json', import.meta.url).pathname,
      rateLimits: { connectionPerMinute: 2 },
      clientOptions: { retry: false },
    })
    try {
      await limited.notion.users.me({})
      await limited.notion.users.me({})
      await expect(limited.notion.users.me({})).rejects.toMatchObject({ code: 'rate_limited' })
      limited.clock.advance('1m')
      expect((await limited.client('Sync').users.me({})).object).toBe('user')
      expect((await limited.client("Ada's script").users.me({})).object).toBe('user')
    } finally {
      await limited.close()
    }
  })
})
