import type { BlockObjectRequest, Client } from '@notionhq/client'
import { markdownToBlocks } from '@tryfabric/martian'
import { NotionToMarkdown } from 'notion-to-md'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectedWorkspace, rt, type Seed } from '../support/factories.js'
import { startTestServer, type TestServer } from '../support/harness.js'

/**
 * Markdown → `@tryfabric/martian` (Notion blocks, with `link: {type: "url", url}` on links) → Octavo
 * through the SDK (appended in chunks of ≤ 100 blocks, as Notion requires) → `notion-to-md` (walks
 * `blocks.children.list`) → Markdown, compared with the original; and the same document through
 * `PATCH /v1/pages/{id}/markdown` (`replace_content`) and `GET` back. A large sample covers links,
 * tables, nested lists, code, headings, quotes and images by URL.
 *
 * Normalisations (what the libraries change on their own, not Octavo), applied to both sides by
 * `normalise`, each named there:
 * 1. blank lines: notion-to-md puts blank lines between blocks and around a quote's children; they
 *    are dropped, as are trailing spaces.
 * 2. indentation: notion-to-md indents children by 4 spaces, the sample by 2; it is compared in levels.
 * 3. italic: notion-to-md writes `_x_`, the sample `*x*` (the same emphasis in CommonMark).
 * 4. quotes: martian makes `> text` a quote with empty text and the paragraph as its child, which
 *    notion-to-md writes as `> ` / `>` / `> text` / `>` lines; lines holding only `>` are dropped.
 * 5. images: martian drops the alt text (no caption) and notion-to-md then writes the file name as
 *    alt text; alt text is dropped (`![](url)`), the URL compared.
 * 6. tables: notion-to-md pads cells to the column width (`| row 0 | 0     |`, `| ----- |`); spaces
 *    around `|` are dropped and delimiter cells reduced to one `-`.
 */

const SECTIONS = 30

function sample(): string {
  const parts: string[] = []
  for (let i = 0; i < SECTIONS; i++) {
    parts.push(
      `## Section ${i}`,
      '',
      `Paragraph ${i} with **bold**, *italic*, ~~struck~~, \`code\` and a [link ${i}](https://example.com/page/${i}).`,
      '',
      `- item ${i}.1`,
      `  - nested ${i}.1.a with [a link](https://example.org/${i})`,
      `    - deeper ${i}.1.a.i`,
      `- item ${i}.2`,
      '',
      `1. first ${i}`,
      `2. second ${i}`,
      '',
      `> quoted ${i} with **bold**`,
      '',
      '```typescript',
      `const value${i} = ${i} // comment`,
      `console.log(value${i})`,
      '```',
      '',
      '| Name | Value |',
      '| --- | --- |',
      `| row ${i} | ${i * 2} |`,
      `| other | [x](https://example.com/t/${i}) |`,
      '',
      `![diagram ${i}](https://example.com/img/${i}.png)`,
      '',
      `### Sub ${i}`,
      '',
      `- [ ] todo ${i}`,
      `- [x] done ${i}`,
      '',
    )
  }
  return parts.join('\n')
}

/** The normalisations of the file's docstring; `indent` is the spaces per level of `md`. */
function normalise(md: string, indent: number): string {
  return md
    .split('\n')
    .map((l) => l.replace(/\s+$/, '')) // 1
    .filter((l) => l !== '' && !/^\s*>$/.test(l)) // 1, 4
    .map((l) => {
      const lead = /^[ \t]*/.exec(l)?.[0] ?? ''
      let rest = l.slice(lead.length)
      rest = rest.replace(/(^|[\s(])_([^_\s][^_]*)_(?=$|[\s.,)])/g, '$1*$2*') // 3
      rest = rest.replace(/!\[[^\]]*\]\(/g, '![](') // 5
      if (rest.startsWith('|')) rest = rest.replace(/\s*\|\s*/g, '|').replace(/^\|(-+\|)+$/, (m) => m.replace(/-+/g, '-')) // 6
      return `${'\t'.repeat(Math.floor(lead.replace(/\t/g, ' '.repeat(indent)).length / indent))}${rest}` // 2
    })
    .join('\n')
}

describe('@tryfabric/martian → Octavo → notion-to-md', () => {
  let server: TestServer
  let s: Seed
  let notion: Client
  beforeAll(async () => {
    server = await startTestServer()
    ;({ s, notion } = await connectedWorkspace(server))
  })
  afterAll(async () => server.stop())

  it('a large document converted by martian, created through the SDK in chunks of 100, reads back through notion-to-md unchanged', async () => {
    const md = sample()
    const blocks = markdownToBlocks(md) as BlockObjectRequest[]
    expect(blocks.length).toBeGreaterThan(100)
    const page = await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('Martian') } } })
    for (let i = 0; i < blocks.length; i += 100)
      await notion.blocks.children.append({ block_id: page.id, children: blocks.slice(i, i + 100) })
    const n2m = new NotionToMarkdown({ notionClient: notion })
    const back = n2m.toMarkdownString(await n2m.pageToMarkdown(page.id)).parent ?? ''
    expect(normalise(back, 4)).toBe(normalise(md, 2))
  })

  it('the same document through PATCH /v1/pages/{id}/markdown gives the same blocks, and GET reads it back stably', async () => {
    const md = sample()
    const page = await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt('Patched') } } })
    const patched = await notion.pages.updateMarkdown({ page_id: page.id, type: 'replace_content', replace_content: { new_str: md } })
    const n2m = new NotionToMarkdown({ notionClient: notion })
    const back = n2m.toMarkdownString(await n2m.pageToMarkdown(page.id)).parent ?? ''
    expect(normalise(back, 4)).toBe(normalise(md, 2))
    // GET answers what PATCH answered; it is Octavo's enhanced Markdown (tables as <table>, tabs).
    const got = await notion.pages.retrieveMarkdown({ page_id: page.id })
    expect(got.markdown).toBe(patched.markdown)
    expect(got.truncated).toBe(false)
    expect(got.markdown).toContain(
      '## Section 0\nParagraph 0 with **bold**, *italic*, ~~struck~~, `code` and a [link 0](https://example.com/page/0).',
    )
    expect(got.markdown).toContain('- item 0.1\n\t- nested 0.1.a with [a link](https://example.org/0)\n\t\t- deeper 0.1.a.i')
    expect(got.markdown).toContain('<table header-row="true">\n\t<tr>\n\t\t<td>Name</td>')
    expect(got.markdown).toContain('![diagram 0](https://example.com/img/0.png)')
    // Writing back what GET answered changes no block.
    const before = await notion.blocks.children.list({ block_id: page.id, page_size: 100 })
    const again = await notion.pages.updateMarkdown({
      page_id: page.id,
      type: 'replace_content',
      replace_content: { new_str: got.markdown },
    })
    expect(again.markdown).toBe(got.markdown)
    const after = await notion.blocks.children.list({ block_id: page.id, page_size: 100 })
    expect(after.results.map((b) => b.id)).toEqual(before.results.map((b) => b.id))
  })
})
