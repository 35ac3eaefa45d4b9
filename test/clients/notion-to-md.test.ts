import { NotionToMarkdown } from 'notion-to-md'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectedWorkspace } from '../support/factories.js'
import { startTestServer, type TestServer } from '../support/harness.js'

/**
 * notion-to-md, a widely used client of the official SDK, converts an Octavo page unchanged: it walks
 * `blocks.children.list` recursively and renders every common block type.
 */
describe('notion-to-md against Octavo', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => server.stop())

  it('renders a shared page tree to markdown', async () => {
    const { s, notion } = await connectedWorkspace(server)
    const t = (content: string, annotations = {}) => [{ text: { content }, annotations }]
    await notion.blocks.children.append({
      block_id: s.pages.child.id,
      children: [{ paragraph: { rich_text: t('inside the child page') } }],
    })
    await notion.blocks.children.append({
      block_id: s.pages.root.id,
      children: [
        { heading_1: { rich_text: t('Release plan') } },
        { paragraph: { rich_text: [...t('Ship '), ...t('carefully', { bold: true }), ...t('.')] } },
        { bulleted_list_item: { rich_text: t('one'), children: [{ bulleted_list_item: { rich_text: t('nested') } }] } },
        { numbered_list_item: { rich_text: t('first') } },
        { to_do: { rich_text: t('check'), checked: true } },
        { toggle: { rich_text: t('More'), children: [{ paragraph: { rich_text: t('hidden detail') } }] } },
        { code: { rich_text: t('const x = 1'), language: 'typescript' } },
        { quote: { rich_text: t('quoted') } },
        { divider: {} },
        {
          table: {
            table_width: 2,
            has_column_header: true,
            children: [{ table_row: { cells: [t('a'), t('b')] } }, { table_row: { cells: [t('1'), t('2')] } }],
          },
        },
        { bookmark: { url: 'https://example.com' } },
      ],
    })
    const n2m = new NotionToMarkdown({ notionClient: notion })
    const blocks = await n2m.pageToMarkdown(s.pages.root.id)
    const md = n2m.toMarkdownString(blocks).parent
    expect(md).toContain('# Release plan')
    expect(md).toContain('Ship **carefully**.')
    expect(md).toMatch(/- one\n\s+- nested/)
    expect(md).toContain('1. first')
    expect(md).toContain('- [x] check')
    expect(md).toContain('hidden detail')
    expect(md).toContain('```typescript\nconst x = 1\n```')
    expect(md).toContain('> quoted')
    expect(md).toContain('| a | b |')
    expect(md).toContain('[bookmark](https://example.com)')
    // Child pages are walked too: their heading and content follow.
    expect(md).toMatch(/## Child\n[\s\S]*inside the child page/)
  })
})
