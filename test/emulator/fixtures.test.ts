import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixtureJsonSchema } from '../../src/domain/fixture.js'
import { isWellFormedToken, tokenFromSeed } from '../../src/auth/token-format.js'
import { listEvents } from '../../src/storage/repositories/events.repository.js'
import { adminCall } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'

const acme = JSON.parse(readFileSync(new URL('../../examples/fixtures/acme.json', import.meta.url), 'utf8')) as Record<string, any>
const SYNC_TOKEN = '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'
const PAT_TOKEN = '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'

/**
 * Declarative fixtures (ADR 23): `POST /_octavo/admin/fixtures` loads examples/fixtures/acme.json through
 * the services; the result is checked through the SDK with the fixture's fixed tokens.
 */
describe('fixtures', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(() => server.stop())

  it('publishes the JSON Schema generated from the zod schema', () => {
    const published = JSON.parse(readFileSync(new URL('../../docs/fixture.schema.json', import.meta.url), 'utf8')) as unknown
    expect(published, 'run npm run docs:fixture-schema').toEqual(fixtureJsonSchema())
  })

  it('loads people, pages with blocks, a database with rows, connections, shares, a PAT and a public connection', async () => {
    const res = await adminCall(server, 'POST', '/fixtures', { fixture: acme, reset: true })
    expect(res.status).toBe(201)
    const w = res.body.workspaces[0]
    expect(w.connections.Sync.token).toBe(SYNC_TOKEN)
    expect(w.personal_access_tokens["Ada's script"].token).toBe(PAT_TOKEN)
    expect(w.public_connections['Acme Cloud'].client_secret).toMatch(/^secret_/)
    expect(Object.keys(w.people).sort()).toEqual(['ada@acme.test', 'bob@acme.test', 'gus@acme.test'])

    const sync = server.client(SYNC_TOKEN)
    const me = await sync.users.me({})
    expect(me.type === 'bot' && me.name).toBe('Sync')
    const blocks = await sync.blocks.children.list({ block_id: w.pages.engineering })
    expect(blocks.results.map((b) => ('type' in b ? b.type : ''))).toEqual([
      'heading_1',
      'paragraph',
      'toggle',
      'child_page',
      'child_database',
    ])
    const toggle = blocks.results[2]!
    expect('has_children' in toggle && toggle.has_children).toBe(true)

    const rows = await sync.dataSources.query({
      data_source_id: w.data_sources.tasks,
      sorts: [{ property: 'Estimate', direction: 'descending' }],
    })
    const names = rows.results.map((r) => ('properties' in r ? (r.properties.Name as any).title[0].plain_text : ''))
    expect(names).toEqual(['Write the fixture loader', 'Document it'])
    const first = rows.results[0] as any
    expect(first.properties.Status.select.name).toBe('Done')
    expect(first.properties.Due.date.start).toBe('2026-01-15')
    expect(first.id).toBe(w.pages['task-1'])

    // Unshared: the Salaries page exists but is not shared with Sync.
    expect((await apiError(sync.pages.retrieve({ page_id: w.pages.secret }))).code).toBe('object_not_found')
    // Reader sees only the roadmap, and cannot write.
    const reader = server.client(w.connections.Reader.token)
    expect((await reader.pages.retrieve({ page_id: w.pages.roadmap })).id).toBe(w.pages.roadmap)
    expect((await apiError(reader.pages.retrieve({ page_id: w.pages.engineering }))).code).toBe('object_not_found')
    expect((await apiError(reader.blocks.children.append({ block_id: w.pages.roadmap, children: [] }))).status).toBe(403)
    // The PAT acts as Ada: it reads the Salaries page.
    expect((await server.client(PAT_TOKEN).pages.retrieve({ page_id: w.pages.secret })).id).toBe(w.pages.secret)

    // Written through the services: change events exist for what was created.
    const events = await listEvents(server.deps.store.db, { afterSeq: 0, limit: 10_000 })
    const types = new Set(events.map((e: { type: string }) => e.type))
    for (const t of ['page.created', 'database.created', 'data_source.created', 'block.appended', 'page.connection_added'])
      expect(types, t).toContain(t)
  })

  it('loads the same content every time (reset: true)', async () => {
    const titles = async () => {
      const w = (await adminCall(server, 'POST', '/fixtures', { fixture: acme, reset: true })).body.workspaces[0]
      const sync = server.client(SYNC_TOKEN)
      const found = await sync.search({ sort: { direction: 'ascending', timestamp: 'last_edited_time' } })
      return { ids: Object.keys(w.pages).sort(), titles: found.results.map((r: any) => r.object).sort(), count: found.results.length }
    }
    expect(await titles()).toEqual(await titles())
  })

  it('refuses a bad fixture with invalid_input naming the place, and a fixed token in use with conflict', async () => {
    const bad = async (fixture: unknown) => (await adminCall(server, 'POST', '/fixtures', { fixture, reset: true })).body
    expect(await bad({ workspaces: [] })).toMatchObject({ status: 400, code: 'invalid_input' })
    expect((await bad({ workspaces: [{ name: 'X', people: [{ name: 'A', email: 'a@x.test', role: 'member' }] }] })).message).toContain(
      'needs an owner',
    )
    const withBlock = structuredClone(acme)
    withBlock.workspaces[0].pages[0].content = [{ paragraph: { rich_text: 'nope' } }]
    const blockErr = await bad(withBlock)
    expect(blockErr.code).toBe('invalid_input')
    expect(blockErr.message).toMatch(/^workspaces\[0\]\.pages\[0\]: body failed validation/)
    const withToken = structuredClone(acme)
    withToken.workspaces[0].connections[0].token = 'ntn_1234'
    expect((await bad(withToken)).message).toContain('well-formed')
    const twice = structuredClone(acme)
    twice.workspaces[0].connections[1].token = SYNC_TOKEN
    expect(await bad(twice)).toMatchObject({ status: 409, code: 'conflict' })
    const badShare = structuredClone(acme)
    badShare.workspaces[0].connections[0].shared_with = ['nowhere']
    expect((await bad(badShare)).message).toContain('"nowhere"')
  })

  it('derives well-formed fixed tokens from a seed', () => {
    expect(tokenFromSeed('internal', 'acme-sync')).toBe(SYNC_TOKEN)
    expect(isWellFormedToken(tokenFromSeed('personal', 'x'))).toBe(true)
    expect(tokenFromSeed('personal', 'x').startsWith('ntn_2')).toBe(true)
  })
})
