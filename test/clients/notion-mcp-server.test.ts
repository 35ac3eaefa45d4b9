import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import type { Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectedWorkspace, rt, type Seed } from '../support/factories.js'
import { startTestServer, type TestServer } from '../support/harness.js'

/**
 * The official Notion MCP server (`@notionhq/notion-mcp-server` 2.5.2) against Octavo: its stdio
 * server is spawned as a user would run it (`npx @notionhq/notion-mcp-server`), with `BASE_URL`
 * pointing at Octavo and `NOTION_TOKEN` the connection's token (the two variables its source reads:
 * `BASE_URL` replaces the OpenAPI spec's `servers[0].url`, `NOTION_TOKEN` becomes `Authorization:
 * Bearer …`). An MCP client (`@modelcontextprotocol/sdk`) lists its tools and calls its page-Markdown
 * tools (sent with their own default `Notion-Version: 2026-03-11`) and an ordinary one (retrieve a
 * page, `2025-09-03`). The tools answer the API's JSON as text; errors come back as text too,
 * `{"status":"error", …Notion's error}` (whose own `status`, the HTTP one, wins).
 */

const require = createRequire(import.meta.url)
const CLI = join(dirname(require.resolve('@notionhq/notion-mcp-server/package.json')), 'bin', 'cli.mjs')

interface ToolText {
  content: Array<{ type: string; text?: string }>
}

describe('official Notion MCP server against Octavo', () => {
  let server: TestServer
  let s: Seed
  let notion: Client
  let mcp: McpClient
  let toolNames: string[]

  beforeAll(async () => {
    server = await startTestServer()
    ;({ s, notion } = await connectedWorkspace(server))
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', BASE_URL: server.url, NOTION_TOKEN: s.token },
      stderr: 'pipe',
    })
    mcp = new McpClient({ name: 'octavo-test', version: '1.0.0' })
    await mcp.connect(transport)
    toolNames = (await mcp.listTools()).tools.map((t) => t.name)
  }, 60_000)
  afterAll(async () => {
    await mcp?.close()
    await server.stop()
  })

  const tool = (suffix: string): string => {
    const name = toolNames.find((n) => n.endsWith(suffix))
    if (!name) throw new Error(`no MCP tool ending in ${suffix}: ${toolNames.join(', ')}`)
    return name
  }
  const call = async (suffix: string, args: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const res = (await mcp.callTool({ name: tool(suffix), arguments: args })) as ToolText
    const text = res.content.find((c) => c.type === 'text')?.text ?? ''
    return JSON.parse(text) as Record<string, unknown>
  }

  it('lists the page-Markdown tools among its tools', () => {
    expect(toolNames).toEqual(
      expect.arrayContaining([tool('retrieve-page-markdown'), tool('update-page-markdown'), tool('retrieve-a-page')]),
    )
  })

  it('reads a page through retrieve-a-page and its Markdown through retrieve-page-markdown', async () => {
    const page = await notion.pages.create({
      parent: { page_id: s.pages.root.id },
      properties: { title: { title: rt('MCP notes') } },
      markdown: '## Agenda\n- first **bold** item\n- second [link](https://example.com/x)',
    })
    const got = await call('retrieve-a-page', { page_id: page.id })
    expect(got).toMatchObject({ object: 'page', id: page.id })
    expect(((got.properties as Record<string, { title?: Array<{ plain_text: string }> }>).title?.title ?? [])[0]?.plain_text).toBe(
      'MCP notes',
    )
    const md = await call('retrieve-page-markdown', { page_id: page.id })
    expect(md).toMatchObject({
      object: 'page_markdown',
      id: page.id,
      markdown: '## Agenda\n- first **bold** item\n- second [link](https://example.com/x)',
      truncated: false,
      unknown_block_ids: [],
    })
  })

  it('edits through update-page-markdown (update_content, replace_content, insert_content) and the SDK sees the blocks', async () => {
    const page = await notion.pages.create({
      parent: { page_id: s.pages.root.id },
      properties: { title: { title: rt('MCP edit') } },
      markdown: 'Hello world',
    })
    const updated = await call('update-page-markdown', {
      page_id: page.id,
      type: 'update_content',
      update_content: { content_updates: [{ old_str: 'world', new_str: '*MCP*' }] },
    })
    expect(updated).toMatchObject({ object: 'page_markdown', markdown: 'Hello *MCP*' })
    const replaced = await call('update-page-markdown', {
      page_id: page.id,
      type: 'replace_content',
      replace_content: { new_str: '# Title\n- [ ] task\n```js\nx()\n```' },
    })
    expect(replaced.markdown).toBe('# Title\n- [ ] task\n```js\nx()\n```')
    const inserted = await call('update-page-markdown', {
      page_id: page.id,
      type: 'insert_content',
      insert_content: { content: '> quoted' },
    })
    expect(inserted.markdown).toBe('# Title\n- [ ] task\n```js\nx()\n```\n> quoted')
    const blocks = await notion.blocks.children.list({ block_id: page.id })
    expect(blocks.results.map((b) => ('type' in b ? b.type : ''))).toEqual(['heading_1', 'to_do', 'code', 'quote'])
  })

  it("passes Notion's errors through: not found, ambiguous update", async () => {
    const missing = await call('retrieve-page-markdown', { page_id: '0b9c2a4e-6b1f-4c1e-9a55-3f8f0e1d2c3b' })
    expect(missing).toMatchObject({ status: 404, object: 'error', code: 'object_not_found' })
    const page = await notion.pages.create({
      parent: { page_id: s.pages.root.id },
      properties: { title: { title: rt('MCP err') } },
      markdown: 'a\na',
    })
    const twice = await call('update-page-markdown', {
      page_id: page.id,
      type: 'update_content',
      update_content: { content_updates: [{ old_str: 'a', new_str: 'b' }] },
    })
    expect(twice).toMatchObject({ status: 400, code: 'validation_error' })
    expect(String(twice.message)).toContain('replace_all_matches')
  })
})
