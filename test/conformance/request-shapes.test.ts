import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { APIErrorCode, type Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectedWorkspace, type Seed } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Every block type of SDK 5.26's `BlockObjectRequest` (read from the installed SDK's
 * `api-endpoints/common.d.ts`, so a new SDK type fails this test until it has a sample) is created
 * through the SDK and read back; and the request shapes real clients send: a text link
 * `{type: "url", url}` (@tryfabric/martian), original and duplicate synced blocks, tabs, heading_4.
 */

const rt = (content: string) => [{ type: 'text' as const, text: { content } }]

/** The block types of `BlockObjectRequest`, from the SDK's declaration file. */
function sdkBlockTypes(): string[] {
  const require = createRequire(import.meta.url)
  const file = join(dirname(require.resolve('@notionhq/client')), 'api-endpoints', 'common.d.ts')
  const text = readFileSync(file, 'utf8')
  const start = text.indexOf('export type BlockObjectRequest =')
  const end = text.indexOf('\nexport type', start + 10)
  return [
    ...new Set([...text.slice(start, end).matchAll(/\n {4}type\?: "([a-z_0-9]+)";\n {4}object\?: "block";/g)].map((m) => m[1] as string)),
  ]
}

/** A request sample per type; `refused` types are ones Notion itself no longer creates. */
const SAMPLES: Record<string, unknown> = {
  embed: { embed: { url: 'https://example.com/e' } },
  bookmark: { bookmark: { url: 'https://example.com/b' } },
  image: { image: { external: { url: 'https://example.com/i.png' } } },
  video: { video: { external: { url: 'https://example.com/v.mp4' } } },
  pdf: { pdf: { external: { url: 'https://example.com/p.pdf' } } },
  file: { file: { external: { url: 'https://example.com/f.zip' } } },
  audio: { audio: { external: { url: 'https://example.com/a.mp3' } } },
  code: { code: { rich_text: rt('x'), language: 'javascript' } },
  equation: { equation: { expression: 'x' } },
  divider: { divider: {} },
  breadcrumb: { breadcrumb: {} },
  tab: { tab: { children: [{ paragraph: { rich_text: rt('Tab A'), children: [{ paragraph: { rich_text: rt('in A') } }] } }] } },
  table_of_contents: { table_of_contents: {} },
  link_to_page: null,
  table_row: null,
  table: { table: { table_width: 1, children: [{ table_row: { cells: [rt('c')] } }] } },
  column_list: {
    column_list: {
      children: [
        { column: { children: [{ paragraph: { rich_text: rt('l') } }] } },
        { column: { children: [{ paragraph: { rich_text: rt('r') } }] } },
      ],
    },
  },
  column: null,
  heading_1: { heading_1: { rich_text: rt('h1') } },
  heading_2: { heading_2: { rich_text: rt('h2') } },
  heading_3: { heading_3: { rich_text: rt('h3') } },
  heading_4: { heading_4: { rich_text: rt('h4') } },
  paragraph: { paragraph: { rich_text: rt('p') } },
  bulleted_list_item: { bulleted_list_item: { rich_text: rt('b') } },
  numbered_list_item: { numbered_list_item: { rich_text: rt('n') } },
  quote: { quote: { rich_text: rt('q') } },
  to_do: { to_do: { rich_text: rt('t'), checked: true } },
  toggle: { toggle: { rich_text: rt('t') } },
  template: 'refused',
  callout: { callout: { rich_text: rt('c') } },
  synced_block: { synced_block: { synced_from: null, children: [{ paragraph: { rich_text: rt('synced') } }] } },
}

describe('request shapes of SDK 5.26 and real clients', () => {
  let server: TestServer
  let s: Seed
  let notion: Client
  beforeAll(async () => {
    server = await startTestServer()
    ;({ s, notion } = await connectedWorkspace(server))
  })
  afterAll(async () => server.stop())

  it('every BlockObjectRequest type has a sample here', () => {
    const types = sdkBlockTypes()
    expect(types.length).toBeGreaterThan(25)
    expect(types.filter((t) => !(t in SAMPLES))).toEqual([])
  })

  it('creates each type through blocks.children.append and reads it back', async () => {
    const samples: Record<string, unknown> = { ...SAMPLES, link_to_page: { link_to_page: { page_id: s.pages.child.id } } }
    for (const type of sdkBlockTypes()) {
      const sample = samples[type]
      if (sample === null) continue // only valid inside its parent (table_row, column)
      if (sample === 'refused') {
        const e = await apiError(
          notion.blocks.children.append({ block_id: s.pages.root.id, children: [{ [type]: { rich_text: rt('x') } }] as any }),
        )
        expect([type, e.code]).toEqual([type, APIErrorCode.ValidationError])
        continue
      }
      const res = await notion.blocks.children.append({ block_id: s.pages.root.id, children: [sample] as any })
      const block = res.results[0] as any
      expect([type, block.type]).toEqual([type, type])
      expect((await notion.blocks.retrieve({ block_id: block.id })) as any).toMatchObject({ type })
    }
  })

  it('synced blocks: original with children, duplicate pointing at it; a duplicate takes no children', async () => {
    const [orig] = (
      await notion.blocks.children.append({
        block_id: s.pages.root.id,
        children: [{ synced_block: { synced_from: null, children: [{ paragraph: { rich_text: rt('shared') } }] } }] as any,
      })
    ).results as any[]
    expect(orig.synced_block).toEqual({ synced_from: null })
    expect(orig.has_children).toBe(true)
    const [dup] = (
      await notion.blocks.children.append({
        block_id: s.pages.root.id,
        children: [{ synced_block: { synced_from: { block_id: orig.id } } }] as any,
      })
    ).results as any[]
    expect(dup.synced_block).toEqual({ synced_from: { type: 'block_id', block_id: orig.id } })
    const e = await apiError(
      notion.blocks.children.append({
        block_id: s.pages.root.id,
        children: [{ synced_block: { synced_from: { block_id: orig.id }, children: [{ paragraph: { rich_text: rt('x') } }] } }] as any,
      }),
    )
    expect(e.code).toBe(APIErrorCode.ValidationError)
  })

  it('tabs hold paragraphs only', async () => {
    const e = await apiError(
      notion.blocks.children.append({
        block_id: s.pages.root.id,
        children: [{ tab: { children: [{ quote: { rich_text: rt('q') } }] } }] as any,
      }),
    )
    expect(e.code).toBe(APIErrorCode.ValidationError)
    expect(e.message).toContain('should be `"paragraph"`')
  })

  it('a text link {type: "url", url} (what @tryfabric/martian sends) is accepted and answered as {url}', async () => {
    const [p] = (
      await notion.blocks.children.append({
        block_id: s.pages.root.id,
        children: [
          { paragraph: { rich_text: [{ type: 'text', text: { content: 'site', link: { type: 'url', url: 'https://example.com' } } }] } },
        ] as any,
      })
    ).results as any[]
    expect(p.paragraph.rich_text[0].text.link).toEqual({ url: 'https://example.com' })
    expect(p.paragraph.rich_text[0].href).toBe('https://example.com')
    const e = await apiError(
      notion.blocks.children.append({
        block_id: s.pages.root.id,
        children: [{ paragraph: { rich_text: [{ text: { content: 'x', link: { type: 'page', url: 'https://example.com' } } }] } }] as any,
      }),
    )
    expect(e.code).toBe(APIErrorCode.ValidationError)
  })
})
