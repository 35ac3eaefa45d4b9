import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KEYS_FROM_SEARCH } from '../../src/api/search/search.service.js'
import { createLogger } from '../../src/logger.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { createConnection, shareWithConnection, unshareFromConnection } from '../../src/services/connections.service.js'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { moveNode } from '../../src/services/tree.service.js'
import { createWorkspace } from '../../src/services/workspaces.service.js'
import { findBlock } from '../../src/storage/repositories/blocks.repository.js'
import type { BlockRow } from '../../src/storage/repositories/blocks.repository.js'
import { startTestServer, type TestServer } from '../support/harness.js'

/**
 * Search keeps, per set of principals, the readable roots and the keys of the nodes under them, and per
 * workspace the trash flags of the containers it checked (caches' `derived` entries, ADR 45). They must
 * never outlive a change: after a share, an unshare, a move, a new page, a title edit, a trash of the page
 * or of its parent, made through another server over the same store (only the change log tells this
 * one) or through this server itself (a local commit), the very next search answers what a server
 * without caches answers. Each step first searches `KEYS_FROM_SEARCH` times (the keys are built from that
 * search on), for a title query the title index answers (`roadmap`), a title query too short for it
 * (`ro`) and no query.
 */
describe('search after changes, with the visible set kept in the caches', () => {
  let cached: TestServer
  let other: RunningServer
  let token: string
  let connectionId: string
  let ownerId: string
  let workspaceId: string
  const pages: Record<string, string> = {}

  beforeAll(async () => {
    cached = await startTestServer({ env: { OCTAVO_CACHES: 'on' } })
    other = await startServer({ ...cached.config, caches: false, port: 0 }, { logger: createLogger('silent') })
    const deps = cached.deps
    const { workspace, members } = await createWorkspace(deps, {
      name: 'Visible',
      plan: 'business',
      members: [{ name: 'Olive Owner', email: 'olive@visible.test', role: 'owner' }],
    })
    ownerId = members[0]!.id
    workspaceId = workspace.id
    const page = async (name: string, title: string, parentId?: string) => {
      const row = await createPageAsUser(deps, { workspaceId, actorId: ownerId, title, parentId })
      pages[name] = row.id
    }
    await page('shared', 'Shared roadmap')
    await page('child', 'Child roadmap', pages.shared)
    await page('other', 'Other roadmap')
    await page('secret', 'Secret roadmap')
    await page('hidden', 'Hidden roadmap', pages.secret)
    const made = await createConnection(deps, { workspaceId, actorId: ownerId, name: 'Finder' })
    token = made.token
    connectionId = made.connection.id
    await shareWithConnection(deps, connectionId, pages.shared!, ownerId)
  })
  afterAll(async () => {
    await other?.close()
    await cached?.stop()
  })

  /** The search's answer as text (request id and server address out) and its results' ids. */
  const search = async (base: string, query: string | undefined) => {
    const res = await fetch(`${base}/v1/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'notion-version': '2025-09-03', 'content-type': 'application/json' },
      body: JSON.stringify(query === undefined ? { page_size: 100 } : { query, page_size: 100 }),
    })
    expect(res.status).toBe(200)
    const id = res.headers.get('x-notion-request-id')!
    const text = (await res.text()).replace(id, '<id>').replaceAll(base, '<server>')
    return { text, ids: (JSON.parse(text) as { results: { id: string }[] }).results.map((r) => r.id) }
  }
  const queries = ['roadmap', 'ro', undefined]

  /** Searches the caching server `KEYS_FROM_SEARCH` times per query (keys built, trash flags remembered). */
  const warm = async () => {
    for (const query of queries) for (let i = 0; i < KEYS_FROM_SEARCH; i++) await search(cached.url, query)
  }
  /** The caching server answers as the cache-less one, and with exactly `expected` (page names, any order). */
  const expectAnswers = async (expected: string[], step: string) => {
    for (const query of queries) {
      const got = await search(cached.url, query)
      const plain = await search(other.url, query)
      expect(got.text, `${step}, query ${String(query)}`).toBe(plain.text)
      expect([...got.ids].sort(), `${step}, query ${String(query)}`).toEqual(expected.map((n) => pages[n]).sort())
    }
  }
  const block = async (name: string) => (await findBlock(cached.deps.store.db, pages[name]!)) as BlockRow
  const patchPage = async (base: string, name: string, body: unknown) => {
    const res = await fetch(`${base}/v1/pages/${pages[name]}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'notion-version': '2025-09-03', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    expect(res.status).toBe(200)
  }

  it('starts with the shared page and its child', async () => {
    await warm()
    await expectAnswers(['shared', 'child'], 'start')
    expect(cached.deps.caches!.stats.derivedHits).toBeGreaterThan(0)
  })

  it('sees a share made through another server', async () => {
    await warm()
    await shareWithConnection(other.deps, connectionId, pages.other!, ownerId)
    await expectAnswers(['shared', 'child', 'other'], 'share')
  })

  it('sees an unshare made through another server', async () => {
    await warm()
    await unshareFromConnection(other.deps, connectionId, pages.other!, ownerId)
    await expectAnswers(['shared', 'child'], 'unshare')
  })

  it('sees a page moved under a shared one through another server', async () => {
    await warm()
    const [hidden, shared] = [await block('hidden'), await block('shared')]
    await other.deps.store.transaction((trx) =>
      moveNode(trx, hidden, { type: 'page_id', parent: shared }, ownerId, new Date().toISOString()),
    )
    await expectAnswers(['shared', 'child', 'hidden'], 'move in')
  })

  it('sees a page moved out of the shared one through this server', async () => {
    await warm()
    const [hidden, secret] = [await block('hidden'), await block('secret')]
    await cached.deps.store.transaction((trx) =>
      moveNode(trx, hidden, { type: 'page_id', parent: secret }, ownerId, new Date().toISOString()),
    )
    await expectAnswers(['shared', 'child'], 'move out')
  })

  it('sees a page created under the shared one through another server', async () => {
    await warm()
    const row = await createPageAsUser(other.deps, { workspaceId, actorId: ownerId, title: 'New roadmap', parentId: pages.shared })
    pages.added = row.id
    await expectAnswers(['shared', 'child', 'added'], 'create')
  })

  it('sees a title edited through another server, and through this one', async () => {
    await warm()
    await patchPage(other.url, 'added', { properties: { title: { title: [{ text: { content: 'New plan' } }] } } })
    // `roadmap` and `ro` no longer match it; the listing without a query still has it.
    for (const query of ['roadmap', 'ro']) {
      const got = await search(cached.url, query)
      expect(got.text, `title edit, query ${query}`).toBe((await search(other.url, query)).text)
      expect(got.ids, query).not.toContain(pages.added)
    }
    await warm()
    await patchPage(cached.url, 'added', { properties: { title: { title: [{ text: { content: 'New roadmap again' } }] } } })
    await expectAnswers(['shared', 'child', 'added'], 'title edit here')
  })

  it('sees a page trashed through another server', async () => {
    await warm()
    await patchPage(other.url, 'added', { in_trash: true })
    await expectAnswers(['shared', 'child'], 'trash')
  })

  it("drops a child whose parent is trashed through another server (the parent's trash flag was remembered)", async () => {
    await shareWithConnection(cached.deps, connectionId, pages.child!, ownerId)
    await warm()
    await expectAnswers(['shared', 'child'], 'child shared')
    await patchPage(other.url, 'shared', { in_trash: true })
    await expectAnswers([], 'parent trashed')
    await patchPage(cached.url, 'shared', { in_trash: false })
    await warm()
    await expectAnswers(['shared', 'child'], 'parent restored here')
  })

  it("re-checks the title of what the index's trigrams match apart (not adjacent)", async () => {
    // Holds `roa`, `dma` and `map` (the trigrams the kept keys ask the index for) but not `roadmap`.
    const row = await createPageAsUser(cached.deps, { workspaceId, actorId: ownerId, title: 'Roa dma map', parentId: pages.shared })
    await warm()
    const got = await search(cached.url, 'roadmap')
    expect(got.text).toBe((await search(other.url, 'roadmap')).text)
    expect(got.ids).not.toContain(row.id)
    expect([...got.ids].sort()).toEqual([pages.shared, pages.child].sort())
    expect((await search(cached.url, 'dma')).ids).toContain(row.id)
  })
})
