import { APIErrorCode, APIResponseError } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Concurrent writers (runs on both stores): appends to different pages at once must each either
 * succeed, with every acknowledged block stored, or lose a write race with Notion's 409
 * `conflict_error` (docs/reference/notion-api.md §3.2) and store nothing — never a 500. On PostgreSQL, SERIALIZABLE
 * transactions retry serialization failures before giving up (ADR 11).
 */
describe('blocks: concurrent appends', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => {
    await server.stop()
  })

  it('acknowledges each append with its blocks stored, or answers 409 conflict_error with nothing stored', async () => {
    const s = await seedBasic(server)
    await s.share(s.pages.root.id)
    const pages = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        createPageAsUser(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, title: `Log ${i}`, parentId: s.pages.root.id }),
      ),
    )
    const notion = server.client(s.token)
    const outcomes: { page: string; label: string; ok: boolean }[] = []
    await Promise.all(
      pages.map(async (page, w) => {
        for (let round = 0; round < 6; round++) {
          const label = `writer ${w} round ${round}`
          const children = Array.from({ length: 10 }, (_, k) => ({ paragraph: { rich_text: [{ text: { content: `${label} #${k}` } }] } }))
          try {
            const res = await notion.blocks.children.append({ block_id: page.id, children })
            expect(res.results).toHaveLength(10)
            outcomes.push({ page: page.id, label, ok: true })
          } catch (err) {
            expect(err).toBeInstanceOf(APIResponseError)
            const e = err as APIResponseError
            expect({ status: e.status, code: e.code, message: e.message }).toEqual({
              status: 409,
              code: APIErrorCode.ConflictError,
              message: 'Conflict occurred while saving. Please try again.',
            })
            outcomes.push({ page: page.id, label, ok: false })
          }
        }
      }),
    )
    expect(outcomes).toHaveLength(48)
    expect(outcomes.some((o) => o.ok)).toBe(true)
    for (const page of pages) {
      const stored = await notion.blocks.children.list({ block_id: page.id, page_size: 100 })
      const texts = stored.results.map((b) => ('paragraph' in b ? b.paragraph.rich_text.map((t) => t.plain_text).join('') : ''))
      for (const o of outcomes.filter((x) => x.page === page.id)) {
        const written = texts.filter((t) => t.startsWith(`${o.label} #`))
        // Acknowledged: all ten blocks, in order. Refused: none of them.
        expect(written).toEqual(o.ok ? Array.from({ length: 10 }, (_, k) => `${o.label} #${k}`) : [])
      }
    }
  })
})
