import { APIErrorCode } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { levelOnRoot } from '../../src/storage/repositories/acl.repository.js'
import { buildConnection, rt } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'
import { consent, registerApp } from '../support/oauth.js'
import { seedPeople } from '../support/pats.js'

/**
 * `parent: {workspace: true}` on `POST /v1/databases`, with the official SDK, for the three caller
 * kinds — one rule with `POST /v1/pages` (services/workspace-level.ts): an internal connection gets
 * the validation error; a PAT creates a private database of its creator (seed 004); an OAuth install
 * creates a private database of the authorizing person, shared with its bot (ADR 0014).
 */
const REDIRECT = 'http://127.0.0.1:9999/callback'

describe('workspace-level databases by caller kind', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedPeople>>
  beforeAll(async () => {
    server = await startTestServer()
    s = await seedPeople(server, 'plus')
  })
  afterAll(async () => server?.stop())

  const blocksNamed = (title: string) =>
    server.deps.store.db
      .selectFrom('block')
      .select('id')
      .where('workspace_id', '=', s.workspace.id)
      .where('title_text', '=', title)
      .execute()

  it('internal connection: refused with the validation error, nothing created', async () => {
    const { notion } = await buildConnection(server, s, 'Bot')
    const err = await apiError(
      notion.databases.create({
        parent: { type: 'workspace', workspace: true },
        title: rt('Internal DB'),
        initial_data_source: { properties: { Name: { title: {} } } },
      }),
    )
    expect(err.status).toBe(400)
    expect(err.code).toBe(APIErrorCode.ValidationError)
    expect(err.message).toBe(
      'body failed validation: body.parent.workspace: internal connections cannot create workspace-level databases. Use a page_id parent.',
    )
    // The refusal comes before the schema is read: a bad schema still answers the parent refusal.
    const bad = await apiError(
      notion.request({
        path: 'databases',
        method: 'post',
        body: { parent: { workspace: true }, initial_data_source: { properties: { X: { sparkle: {} } } } },
      }),
    )
    expect(bad.message).toBe(err.message)
    expect(await blocksNamed('internal db')).toHaveLength(0)
  })

  it('PAT: a private database of its creator, under 2025-09-03 and 2022-06-28', async () => {
    const mine = server.client((await s.pat(s.member.id)).token)
    const db = (await mine.databases.create({
      parent: { type: 'workspace', workspace: true },
      title: rt('Reading list'),
      initial_data_source: { properties: { Name: { title: {} }, Done: { checkbox: {} } } },
    })) as any
    expect(db.object).toBe('database')
    expect(db.parent).toEqual({ type: 'workspace', workspace: true })
    expect(db.data_sources).toHaveLength(1)
    // Rows can be added to it; the creator's other PATs see it; the owner's do not (private).
    const row = await mine.pages.create({
      parent: { data_source_id: db.data_sources[0].id },
      properties: { Name: { title: rt('Dune') } } as never,
    })
    const again = server.client((await s.pat(s.member.id, { name: 'Second' })).token)
    expect((await again.databases.retrieve({ database_id: db.id })).id).toBe(db.id)
    expect((await again.pages.retrieve({ page_id: row.id })).id).toBe(row.id)
    const owner = server.client((await s.pat(s.owner.id)).token)
    expect((await apiError(owner.databases.retrieve({ database_id: db.id }))).code).toBe(APIErrorCode.ObjectNotFound)
    expect((await owner.search({ query: 'Reading list' })).results).toHaveLength(0)
    expect(await levelOnRoot(server.deps.store.db, db.id, [`user:${s.member.id}`])).toBe(5)
    expect(await levelOnRoot(server.deps.store.db, db.id, [`members:${s.workspace.id}`])).toBe(0)

    const legacy = server.client((await s.pat(s.member.id, { name: 'Legacy' })).token, '2022-06-28')
    const old = (await legacy.request({
      path: 'databases',
      method: 'post',
      body: { parent: { type: 'workspace', workspace: true }, title: rt('Old style'), properties: { Name: { title: {} } } },
    })) as any
    expect(old.parent).toEqual({ type: 'workspace', workspace: true })
    expect(Object.keys(old.properties)).toEqual(['Name'])
    expect((await apiError(owner.databases.retrieve({ database_id: old.id }))).status).toBe(404)
  })

  it('OAuth install: a private database of the authorizing person, shared with the install bot only', async () => {
    const app = await registerApp(server, { workspaceId: s.workspace.id, actorId: s.owner.id, redirectUris: [REDIRECT] })
    const to = await consent(server, {
      userId: s.member.id,
      params: { client_id: app.clientId, redirect_uri: REDIRECT, response_type: 'code', owner: 'user' },
      pageIds: [s.pages.other.id],
    })
    const sdk = server.client('')
    const res = await sdk.oauth.token({
      client_id: app.clientId,
      client_secret: app.clientSecret,
      grant_type: 'authorization_code',
      code: to.searchParams.get('code') as string,
      redirect_uri: REDIRECT,
    })
    const bot = server.client(res.access_token)
    const db = (await bot.databases.create({
      parent: { type: 'workspace', workspace: true },
      title: rt('App data'),
      initial_data_source: { properties: { Name: { title: {} } } },
    })) as any
    expect(db.parent).toEqual({ type: 'workspace', workspace: true })
    expect((await bot.databases.retrieve({ database_id: db.id })).id).toBe(db.id)
    expect(await levelOnRoot(server.deps.store.db, db.id, [`user:${s.member.id}`])).toBe(5)
    expect(await levelOnRoot(server.deps.store.db, db.id, [`user:${s.owner.id}`, `members:${s.workspace.id}`])).toBe(0)
    // The person sees it with a PAT; another install of the same app (another person) does not.
    expect((await server.client((await s.pat(s.member.id)).token).databases.retrieve({ database_id: db.id })).id).toBe(db.id)
    const to2 = await consent(server, {
      userId: s.owner.id,
      params: { client_id: app.clientId, redirect_uri: REDIRECT, response_type: 'code', owner: 'user' },
      pageIds: [s.pages.root.id],
    })
    const res2 = await sdk.oauth.token({
      client_id: app.clientId,
      client_secret: app.clientSecret,
      grant_type: 'authorization_code',
      code: to2.searchParams.get('code') as string,
      redirect_uri: REDIRECT,
    })
    expect((await apiError(server.client(res2.access_token).databases.retrieve({ database_id: db.id }))).code).toBe(
      APIErrorCode.ObjectNotFound,
    )
  })
})
