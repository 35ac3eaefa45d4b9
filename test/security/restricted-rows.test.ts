import { APIErrorCode, type Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setPageAccess } from '../../src/services/page-permissions.service.js'
import { createPat } from '../../src/services/pats.service.js'
import { setPassword } from '../../src/services/portal-auth.service.js'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { sessionCookie } from '../support/oauth.js'
import { apiError, seedBasic, startTestServer, steppingClock, type TestServer } from '../support/harness.js'

/**
 * Restricted database rows stay hidden from every listing (security issue: "Restricted rows leak
 * through queries"). An owner removes the workspace's access to some rows of a database every member
 * can read: the member's PAT gets 404 on those rows, and now also never sees them — id, title or
 * values — in `POST /v1/data_sources/{id}/query` (SQL plans, the index-driven sort plan, the
 * computed-property plan), the legacy `POST /v1/databases/{id}/query`, search, nor in the portal's
 * database view and page view. Pages stay full: hidden rows are left out before LIMIT.
 */

const rt = (content: string) => [{ type: 'text' as const, text: { content } }]
type Row = { id: string; properties: Record<string, { type: string; title?: { plain_text: string }[] }> }

describe('rows a person cannot open are left out of queries and listings', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  let owner: Client // Olive's PAT
  let member: Client // Mia's PAT
  let memberToken: string
  let databaseId: string
  let dsId: string
  const rows: string[] = [] // Row 0 … Row 11, oldest first
  let hidden: Set<string>
  let visibleNewestFirst: string[]
  let closedChild: string

  beforeAll(async () => {
    server = await startTestServer({ clock: steppingClock('2025-01-01T00:00:00.000Z') })
    s = await seedBasic(server)
    // Plus plan: every member may create PATs (as in test/admin/people-permissions.test.ts).
    await server.deps.store.db.updateTable('workspace').set({ plan: 'plus' }).where('id', '=', s.workspace.id).execute()
    owner = server.client((await createPat(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, name: 'olive' })).token)
    memberToken = (await createPat(server.deps, { workspaceId: s.workspace.id, actorId: s.member.id, name: 'mia' })).token
    member = server.client(memberToken)
    const db = (await owner.databases.create({
      parent: { type: 'page_id', page_id: s.pages.root.id },
      title: rt('Salaries'),
      initial_data_source: {
        properties: { Name: { title: {} }, Score: { number: {} }, Double: { formula: { expression: 'prop("Score") * 2' } } } as never,
      },
    })) as unknown as { id: string; data_sources: { id: string }[] }
    databaseId = db.id
    dsId = (db.data_sources[0] as { id: string }).id
    for (let i = 0; i < 12; i++) {
      rows.push(
        (
          await owner.pages.create({
            parent: { data_source_id: dsId },
            properties: { Name: { title: rt(`Row ${i}`) }, Score: { number: i } } as never,
          })
        ).id,
      )
    }
    // The three newest rows and one in the middle: Olive keeps full access, the workspace loses it.
    hidden = new Set([rows[11], rows[10], rows[9], rows[4]] as string[])
    for (const id of hidden) {
      await setPageAccess(server.deps, { pageId: id, actorId: s.owner.id, target: { type: 'user', id: s.owner.id }, level: 'full' })
      await setPageAccess(server.deps, { pageId: id, actorId: s.owner.id, target: { type: 'workspace' }, level: 'none' })
    }
    visibleNewestFirst = [...rows].reverse().filter((id) => !hidden.has(id))
    // A restricted child page under Child, for the page listings.
    closedChild = (
      await createPageAsUser(server.deps, {
        workspaceId: s.workspace.id,
        actorId: s.owner.id,
        title: 'Closed minutes',
        parentId: s.pages.child.id,
      })
    ).id
    await setPageAccess(server.deps, { pageId: closedChild, actorId: s.owner.id, target: { type: 'user', id: s.owner.id }, level: 'full' })
    await setPageAccess(server.deps, { pageId: closedChild, actorId: s.owner.id, target: { type: 'workspace' }, level: 'none' })
  })
  afterAll(async () => server?.stop())

  const ids = (r: { results: unknown[] }) => (r.results as Row[]).map((x) => x.id)
  const noLeak = (body: unknown) => {
    const text = JSON.stringify(body)
    for (const id of hidden) expect(text).not.toContain(id)
    for (const i of [11, 10, 9, 4]) expect(text).not.toContain(`"Row ${i}"`)
  }

  it('the member cannot open the restricted rows; the owner can', async () => {
    for (const id of hidden) {
      expect((await apiError(member.pages.retrieve({ page_id: id }))).code).toBe(APIErrorCode.ObjectNotFound)
      expect((await owner.pages.retrieve({ page_id: id })).id).toBe(id)
    }
  })

  it('a plain query leaves them out, and every page is full (filtered before LIMIT)', async () => {
    const all = await member.dataSources.query({ data_source_id: dsId })
    expect(ids(all)).toEqual(visibleNewestFirst)
    noLeak(all)
    // Pages of 3: the hidden rows are the three newest, so filtering after LIMIT would give a short first page.
    const seen: string[] = []
    let cursor: string | undefined
    for (let n = 0; n < 10; n++) {
      const page = await member.dataSources.query({ data_source_id: dsId, page_size: 3, ...(cursor ? { start_cursor: cursor } : {}) })
      noLeak(page)
      seen.push(...ids(page))
      if (!page.has_more) break
      expect(page.results).toHaveLength(3)
      cursor = page.next_cursor as string
    }
    expect(seen).toEqual(visibleNewestFirst)
    expect((await owner.dataSources.query({ data_source_id: dsId })).results).toHaveLength(12)
  })

  it('filters and sorts on stored values (including the index-driven sort plan) leave them out', async () => {
    const filtered = await member.dataSources.query({
      data_source_id: dsId,
      filter: { property: 'Score', number: { greater_than_or_equal_to: 3 } },
      sorts: [{ property: 'Score', direction: 'descending' }],
      page_size: 2,
    })
    expect(ids(filtered)).toEqual([rows[8], rows[7]])
    noLeak(filtered)
    const title = await member.dataSources.query({ data_source_id: dsId, filter: { property: 'Name', title: { contains: 'Row 1' } } })
    expect(ids(title)).toEqual([rows[1]])
    const byTitle = await member.dataSources.query({ data_source_id: dsId, sorts: [{ property: 'Name', direction: 'ascending' }] })
    expect(ids(byTitle)).toHaveLength(8)
    noLeak(byTitle)
  })

  it('filters and sorts on computed values (finished in JS) leave them out', async () => {
    const res = await member.dataSources.query({
      data_source_id: dsId,
      filter: { property: 'Double', formula: { number: { greater_than: 6 } } },
      sorts: [{ property: 'Double', direction: 'descending' }],
    })
    expect(ids(res)).toEqual([rows[8], rows[7], rows[6], rows[5]])
    noLeak(res)
  })

  it('a cursor naming a restricted row gives an empty last page', async () => {
    const res = await member.dataSources.query({ data_source_id: dsId, start_cursor: rows[10] as string })
    expect(res.results).toEqual([])
    expect(res.has_more).toBe(false)
  })

  it('the legacy databases/{id}/query (2022-06-28) leaves them out', async () => {
    const res = await server.raw(`/v1/databases/${databaseId}/query`, {
      method: 'POST',
      token: memberToken,
      version: '2022-06-28',
      body: JSON.stringify({ page_size: 100 }),
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { results: Row[] }
    expect(body.results.map((r) => r.id)).toEqual(visibleNewestFirst)
    noLeak(body)
  })

  it('search does not return them (nor the restricted child page)', async () => {
    const res = await member.search({ query: 'Row' })
    const found = (res.results as { id: string }[]).map((r) => r.id)
    expect(found.sort()).toEqual([...visibleNewestFirst].sort())
    noLeak(res)
    expect(JSON.stringify(await member.search({ query: 'Closed minutes' }))).not.toContain(closedChild)
  })

  it('block children leave out a restricted child page too (blocks.service.ts, unchanged)', async () => {
    const children = await member.blocks.children.list({ block_id: s.pages.child.id })
    const listed = (children.results as { id: string }[]).map((b) => b.id)
    expect(listed).toContain(s.pages.grandchild.id)
    expect(listed).not.toContain(closedChild)
    expect((await owner.blocks.children.list({ block_id: s.pages.child.id })).results.map((b) => b.id)).toContain(closedChild)
    expect((await apiError(member.pages.retrieve({ page_id: closedChild }))).code).toBe(APIErrorCode.ObjectNotFound)
  })

  it('the portal lists only the rows and child pages the person can open', async () => {
    await setPassword(server.deps, s.member.id, 'correct horse battery')
    const cookie = await sessionCookie(server, s.member.id)
    const get = async (path: string) => {
      const res = await fetch(`${server.url}${path}`, { headers: { cookie }, redirect: 'manual' })
      return { status: res.status, text: await res.text() }
    }
    const dbView = await get(`/w/${s.workspace.id}/pages/${databaseId}`)
    expect(dbView.status).toBe(200)
    expect(dbView.text).toContain('Database · 8 rows')
    for (const i of [0, 3, 8]) expect(dbView.text).toContain(`>Row ${i}</a>`)
    for (const i of [11, 10, 9, 4]) expect(dbView.text).not.toContain(`Row ${i}<`)
    for (const id of hidden) expect(dbView.text).not.toContain(id)
    const childView = await get(`/w/${s.workspace.id}/pages/${s.pages.child.id}`)
    expect(childView.status).toBe(200)
    expect(childView.text).toContain('Grandchild')
    expect(childView.text).not.toContain('Closed minutes')
    expect(childView.text).not.toContain(closedChild)
    // The owner still sees everything.
    const olive = await sessionCookie(server, s.owner.id)
    const ownerView = await (await fetch(`${server.url}/w/${s.workspace.id}/pages/${databaseId}`, { headers: { cookie: olive } })).text()
    expect(ownerView).toContain('Database · 12 rows')
    expect(
      await (await fetch(`${server.url}/w/${s.workspace.id}/pages/${s.pages.child.id}`, { headers: { cookie: olive } })).text(),
    ).toContain('Closed minutes')
  })
})
