import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logger.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { shareWithConnection, createConnection } from '../../src/services/connections.service.js'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { createWorkspace } from '../../src/services/workspaces.service.js'
import { startTestServer, type TestServer } from '../support/harness.js'
import { CHILDREN_MEMO_LIMITS, childrenMemoBytes } from '../../src/api/blocks/blocks.service.js'

/**
 * A page read answered from the row cache and the presenter's memo, a page of children kept with its
 * parent's cached row, and `users.me` kept with its bot's cached row (ADR 44; their JSON text built
 * once, api/immutable-answers.ts), are byte for byte
 * the answers of a server without caches over the same store,
 * request id and server address aside, under every Notion-Version shape the memo keys by; and it
 * changes with the page.
 */
describe('page reads and children lists from the row cache', () => {
  let cached: TestServer
  let uncached: RunningServer
  let token: string
  let pageId: string
  let workspaceId: string
  let ownerId: string

  beforeAll(async () => {
    cached = await startTestServer({ env: { OCTAVO_CACHES: 'on', OCTAVO_EXPLAIN: 'on' } })
    uncached = await startServer({ ...cached.config, caches: false, port: 0 }, { logger: createLogger('silent') })
    const deps = cached.deps
    const { workspace, members } = await createWorkspace(deps, {
      name: 'Memo',
      plan: 'business',
      members: [{ name: 'Olive Owner', email: 'olive@memo.test', role: 'owner' }],
    })
    const owner = members[0]!
    const page = await createPageAsUser(deps, { workspaceId: workspace.id, actorId: owner.id, title: 'Plain "quoted" page ✓' })
    const made = await createConnection(deps, { workspaceId: workspace.id, actorId: owner.id, name: 'Reader' })
    await shareWithConnection(deps, made.connection.id, page.id, owner.id)
    token = made.token
    pageId = page.id
    workspaceId = workspace.id
    ownerId = owner.id
  })
  afterAll(async () => {
    await uncached?.close()
    await cached?.stop()
  })

  const read = async (base: string, version: string) => {
    const res = await fetch(`${base}/v1/pages/${pageId}`, { headers: { authorization: `Bearer ${token}`, 'notion-version': version } })
    const text = await res.text()
    const id = res.headers.get('x-notion-request-id')!
    // The page's `url` names the server it came from.
    return { status: res.status, text: text.replaceAll(base, '<server>'), id, type: res.headers.get('content-type') }
  }

  it('answers byte for byte as a server without caches, with its own request id last', async () => {
    for (const version of ['2022-06-28', '2025-09-03', '2026-03-11', '2026-12-01']) {
      const first = await read(cached.url, version)
      const again = await read(cached.url, version)
      const plain = await read(uncached.url, version)
      expect([first.status, again.status, plain.status]).toEqual([200, 200, 200])
      expect(again.type).toBe(plain.type)
      for (const r of [first, again, plain]) expect(r.text.endsWith(`,"request_id":"${r.id}"}`), version).toBe(true)
      const withoutId = (r: { text: string; id: string }) => r.text.replace(r.id, '<id>')
      expect(withoutId(again), version).toBe(withoutId(plain))
      expect(withoutId(first), version).toBe(withoutId(plain))
    }
    expect(cached.deps.caches!.stats.rowHits).toBeGreaterThan(0)
  })

  const children = async (base: string, query = '') => {
    const res = await fetch(`${base}/v1/blocks/${pageId}/children${query}`, {
      headers: { authorization: `Bearer ${token}`, 'notion-version': '2025-09-03' },
    })
    const id = res.headers.get('x-notion-request-id')!
    return { status: res.status, text: (await res.text()).replace(id, '<id>') }
  }
  const append = async (content: string) => {
    const res = await fetch(`${cached.url}/v1/blocks/${pageId}/children`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'notion-version': '2025-09-03', 'content-type': 'application/json' },
      body: JSON.stringify({ children: [{ paragraph: { rich_text: [{ text: { content } }] } }] }),
    })
    expect(res.status).toBe(200)
  }

  it('lists children byte for byte as a server without caches, again from the memo, and anew after an append', async () => {
    await append('First "child" ✓')
    await append('Second child')
    for (const query of ['', '?page_size=1']) {
      const first = await children(cached.url, query)
      const again = await children(cached.url, query)
      const plain = await children(uncached.url, query)
      expect([first.status, again.status, plain.status]).toEqual([200, 200, 200])
      expect(first.text, query).toBe(plain.text)
      expect(again.text, query).toBe(plain.text)
    }
    await append('Third child')
    const after = JSON.parse((await children(cached.url)).text) as {
      results: Array<{ paragraph: { rich_text: Array<{ plain_text: string }> } }>
    }
    expect(after.results.map((b) => b.paragraph.rich_text[0]!.plain_text)).toEqual(['First "child" ✓', 'Second child', 'Third child'])
    expect((await children(cached.url)).text).toBe((await children(uncached.url)).text)
  })

  it('answers users.me byte for byte as a server without caches, again from the memo, for each connection', async () => {
    const me = async (base: string, bearer: string) => {
      const res = await fetch(`${base}/v1/users/me`, { headers: { authorization: `Bearer ${bearer}`, 'notion-version': '2025-09-03' } })
      const id = res.headers.get('x-notion-request-id')!
      const text = await res.text()
      expect(text.endsWith(`,"request_id":"${id}"}`)).toBe(true)
      return { status: res.status, text: text.replace(id, '<id>') }
    }
    const other = await createConnection(cached.deps, { workspaceId, actorId: ownerId, name: 'Other "bot"' })
    for (const bearer of [token, other.token]) {
      const first = await me(cached.url, bearer)
      const again = await me(cached.url, bearer)
      const plain = await me(uncached.url, bearer)
      expect([first.status, again.status, plain.status]).toEqual([200, 200, 200])
      expect(first.text).toBe(plain.text)
      expect(again.text).toBe(plain.text)
    }
    const names = await Promise.all(
      [token, other.token].map(async (t) => (JSON.parse((await me(cached.url, t)).text) as { name: string }).name),
    )
    expect(names).toEqual(['Reader', 'Other "bot"'])
  })

  it('keeps pages of children within their budget, and answers the same past it', async () => {
    const before = childrenMemoBytes()
    expect(before).toBeLessThanOrEqual(CHILDREN_MEMO_LIMITS.bytes)
    await append('A child past the budget')
    const saved = CHILDREN_MEMO_LIMITS.bytes
    CHILDREN_MEMO_LIMITS.bytes = 0
    try {
      for (const query of ['', '?page_size=2']) {
        const first = await children(cached.url, query)
        const again = await children(cached.url, query)
        const plain = await children(uncached.url, query)
        expect(first.text, query).toBe(plain.text)
        expect(again.text, query).toBe(plain.text)
      }
      // Nothing was kept past the budget (earlier pages died with their rows or are still counted).
      expect(childrenMemoBytes()).toBeLessThanOrEqual(before)
    } finally {
      CHILDREN_MEMO_LIMITS.bytes = saved
    }
    await children(cached.url, '?page_size=3')
    expect(childrenMemoBytes()).toBeGreaterThan(0)
  })

  it('answers a large page of children with multi-byte text from its kept bytes, byte for byte and with the right Content-Length', async () => {
    // A child page of its own, so the other cases' lists stay as they were.
    const made = await fetch(`${cached.url}/v1/pages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'notion-version': '2025-09-03', 'content-type': 'application/json' },
      body: JSON.stringify({ parent: { page_id: pageId }, properties: { title: { title: [{ text: { content: 'Long list' } }] } } }),
    })
    expect(made.status).toBe(200)
    const longId = ((await made.json()) as { id: string }).id
    // 2- and 3-byte characters, an astral one (4 bytes, 2 UTF-16 units) and JSON escapes, past KEPT_AS_BYTES_FROM.
    const words = 'Grüße — 日本語 ✓ 🎉 "quoted" \\ back '.repeat(40)
    const res = await fetch(`${cached.url}/v1/blocks/${longId}/children`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'notion-version': '2025-09-03', 'content-type': 'application/json' },
      body: JSON.stringify({
        children: Array.from({ length: 20 }, (_, i) => ({ paragraph: { rich_text: [{ text: { content: `${i} ${words}` } }] } })),
      }),
    })
    expect(res.status).toBe(200)
    const list = async (base: string) => {
      const r = await fetch(`${base}/v1/blocks/${longId}/children`, {
        headers: { authorization: `Bearer ${token}`, 'notion-version': '2025-09-03' },
      })
      const bytes = Buffer.from(await r.arrayBuffer())
      const id = r.headers.get('x-notion-request-id')!
      expect(Number(r.headers.get('content-length'))).toBe(bytes.length)
      expect(r.headers.get('content-type')).toMatch(/^application\/json/)
      const text = bytes.toString('utf8')
      expect(text.endsWith(`,"request_id":"${id}"}`)).toBe(true)
      return { status: r.status, text: text.replace(id, '<id>'), idBytes: Buffer.byteLength(`,"request_id":"${id}"}`), bytes: bytes.length }
    }
    const before = childrenMemoBytes()
    const first = await list(cached.url)
    const kept = childrenMemoBytes() - before
    const again = await list(cached.url)
    const plain = await list(uncached.url)
    expect([first.status, again.status, plain.status]).toEqual([200, 200, 200])
    expect(first.text.length).toBeGreaterThan(16 * 1024)
    expect(first.text).toBe(plain.text)
    expect(again.text).toBe(plain.text)
    // Kept as its UTF-8 bytes (the answer without the request id and the closing brace), not as characters.
    expect(kept).toBe(first.bytes - first.idBytes)
    expect(kept).toBeGreaterThan(first.text.length)
  })

  it('explains a repeated 404 as a server without caches does, and names a retitled ancestor right after the edit', async () => {
    const secret = await createPageAsUser(cached.deps, { workspaceId, actorId: ownerId, title: 'Secret plan' })
    const inner = await createPageAsUser(cached.deps, { workspaceId, actorId: ownerId, title: 'Inner', parentId: secret.id })
    const editor = await createConnection(cached.deps, { workspaceId, actorId: ownerId, name: 'Editor' })
    await shareWithConnection(cached.deps, editor.connection.id, secret.id, ownerId)
    const explained = async (base: string) => {
      const res = await fetch(`${base}/v1/pages/${inner.id}`, {
        headers: { authorization: `Bearer ${token}`, 'notion-version': '2025-09-03' },
      })
      expect(res.status).toBe(404)
      await res.arrayBuffer()
      return decodeURIComponent(res.headers.get('x-octavo-explain') ?? '')
    }
    const first = await explained(cached.url)
    expect(first).toContain('Secret plan')
    expect(await explained(cached.url)).toBe(first)
    expect(await explained(uncached.url)).toBe(first)
    const rename = await fetch(`${cached.url}/v1/pages/${secret.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${editor.token}`, 'notion-version': '2025-09-03', 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { title: { title: [{ text: { content: 'Open plan' } }] } } }),
    })
    expect(rename.status).toBe(200)
    const after = await explained(cached.url)
    expect(after).toContain('Open plan')
    expect(after).not.toContain('Secret plan')
    expect(after).toBe(await explained(uncached.url))
  })

  it('answers with the new title right after an edit', async () => {
    await read(cached.url, '2025-09-03')
    const update = await fetch(`${cached.url}/v1/pages/${pageId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'notion-version': '2025-09-03', 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { title: { title: [{ text: { content: 'Renamed' } }] } } }),
    })
    expect(update.status).toBe(200)
    const after = JSON.parse((await read(cached.url, '2025-09-03')).text) as {
      properties: { title: { title: Array<{ plain_text: string }> } }
    }
    expect(after.properties.title.title.map((t) => t.plain_text).join('')).toBe('Renamed')
  })
})
