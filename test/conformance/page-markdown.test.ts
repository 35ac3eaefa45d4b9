import { APIErrorCode, type Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lastEventSeq, listEvents, type ChangeEvent } from '../../src/storage/repositories/events.repository.js'
import { connectedWorkspace, type Seed } from '../support/factories.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Page Markdown through the official SDK 5.26 (`pages.retrieveMarkdown`, `pages.updateMarkdown`,
 * `pages.create({markdown})`; docs/markdown.md, docs/reference/notion-api-2026.md §2): the page_markdown shape,
 * every PATCH operation, child-page protection, errors, events, and bad input (no 5xx).
 */

const rt = (content: string) => [{ type: 'text' as const, text: { content } }]

describe('page markdown', () => {
  let server: TestServer
  let s: Seed
  let notion: Client
  beforeAll(async () => {
    server = await startTestServer()
    ;({ s, notion } = await connectedWorkspace(server))
  })
  afterAll(async () => server.stop())

  async function page(markdown: string, title = 'Doc'): Promise<string> {
    const p = await notion.pages.create({ parent: { page_id: s.pages.root.id }, properties: { title: { title: rt(title) } }, markdown })
    return p.id
  }

  async function eventsOf(fn: () => Promise<unknown>): Promise<ChangeEvent[]> {
    const after = await lastEventSeq(server.deps.store.db)
    await fn()
    return listEvents(server.deps.store.db, { afterSeq: after })
  }

  it('creates a page from Markdown and reads it back: blocks and the page_markdown object', async () => {
    const md = [
      '## Plan {color="blue"}',
      'Some **bold** and *italic* text with a [link](https://example.com/a) and $e=mc^2$',
      '- one',
      '\t- nested',
      '1. first',
      '2. second',
      '- [x] done',
      '```js',
      'console.log(1)',
      '```',
      '<callout icon="🚀" color="blue_background">',
      '\tLift off',
      '</callout>',
      '<details>',
      '<summary>More</summary>',
      '\tHidden',
      '</details>',
      '<table header-row="true">',
      '\t<tr>',
      '\t\t<td>a</td>',
      '\t\t<td>b</td>',
      '\t</tr>',
      '</table>',
      '---',
    ].join('\n')
    const id = await page(md)
    const blocks = (await notion.blocks.children.list({ block_id: id })).results as Array<{ type: string; has_children: boolean }>
    expect(blocks.map((b) => b.type)).toEqual([
      'heading_2',
      'paragraph',
      'bulleted_list_item',
      'numbered_list_item',
      'numbered_list_item',
      'to_do',
      'code',
      'callout',
      'toggle',
      'table',
      'divider',
    ])
    expect(blocks[2]?.has_children).toBe(true)
    const got = await notion.pages.retrieveMarkdown({ page_id: id })
    expect(Object.keys(got)).toEqual(['object', 'id', 'markdown', 'truncated', 'unknown_block_ids', 'request_id'])
    expect(got).toMatchObject({ object: 'page_markdown', id, truncated: false, unknown_block_ids: [] })
    expect(got.markdown).toBe(md.replace('<details>\n<summary>More</summary>', '<details><summary>More</summary>'))
  })

  it('takes the first # heading as the title when properties has none', async () => {
    const p = (await notion.pages.create({ parent: { page_id: s.pages.root.id }, markdown: '# My title\nBody' })) as any
    expect(p.properties.title.title[0].plain_text).toBe('My title')
    expect((await notion.pages.retrieveMarkdown({ page_id: p.id })).markdown).toBe('Body')
  })

  it('lists child pages as <page> tags and protects them from deletion', async () => {
    const id = await page('intro')
    const sub = await notion.pages.create({ parent: { page_id: id }, properties: { title: { title: rt('Sub') } } })
    const md = (await notion.pages.retrieveMarkdown({ page_id: id })).markdown
    expect(md).toBe(`intro\n<page url="${server.deps.publicUrl}/${sub.id.replace(/-/g, '')}">Sub</page>`)
    const e = await apiError(notion.pages.updateMarkdown({ page_id: id, type: 'replace_content', replace_content: { new_str: 'gone' } }))
    expect(e.code).toBe(APIErrorCode.ValidationError)
    expect(e.message).toContain(sub.id)
    const kept = await notion.pages.updateMarkdown({
      page_id: id,
      type: 'replace_content',
      replace_content: { new_str: `new\n${md.split('\n')[1]}` },
    })
    expect(kept.markdown).toBe(`new\n${md.split('\n')[1]}`)
    const gone = await notion.pages.updateMarkdown({
      page_id: id,
      type: 'replace_content',
      replace_content: { new_str: 'gone', allow_deleting_content: true },
    })
    expect(gone.markdown).toBe('gone')
    expect(((await notion.pages.retrieve({ page_id: sub.id })) as any).in_trash).toBe(true)
  })

  it('every edit answers exactly what GET then reads (the answer is built from the reconciled blocks where their order is known)', async () => {
    const id = await page('one\n1. a\n2. b\n- x\n\t- y\ntwo')
    const sub = await notion.pages.create({ parent: { page_id: id }, properties: { title: { title: rt('Sub') } } })
    const subTag = (await notion.pages.retrieveMarkdown({ page_id: id })).markdown.split('\n').pop() as string
    const edits: Array<Parameters<Client['pages']['updateMarkdown']>[0]> = [
      { page_id: id, type: 'update_content', update_content: { content_updates: [{ old_str: 'one', new_str: 'zero\n1. first' }] } },
      { page_id: id, type: 'replace_content', replace_content: { new_str: `${subTag}\nhead\n1. a\n3. c` } }, // the child page moves: out of order
      { page_id: id, type: 'insert_content', insert_content: { content: '> q', position: { type: 'start' } } },
      { page_id: id, type: 'replace_content_range', replace_content_range: { content: '- only', content_range: 'head...c' } },
      {
        page_id: id,
        type: 'replace_content',
        replace_content: { new_str: `new\n${subTag}\n<details>\n<summary>t</summary>\n\tin\n</details>` },
      },
    ]
    for (const edit of edits) {
      const answered = await notion.pages.updateMarkdown(edit)
      expect((await notion.pages.retrieveMarkdown({ page_id: id })).markdown).toBe(answered.markdown)
    }
    expect((await notion.pages.retrieveMarkdown({ page_id: id })).markdown).toContain(sub.id.replace(/-/g, ''))
  })

  it('update_content: one match, replace_all_matches, not found, several matches, empty old_str', async () => {
    const id = await page('alpha\nbeta\nalpha again')
    const r = await notion.pages.updateMarkdown({
      page_id: id,
      type: 'update_content',
      update_content: { content_updates: [{ old_str: 'beta', new_str: '**BETA**' }] },
    })
    expect(r.markdown).toBe('alpha\n**BETA**\nalpha again')
    const many = await apiError(
      notion.pages.updateMarkdown({
        page_id: id,
        type: 'update_content',
        update_content: { content_updates: [{ old_str: 'alpha', new_str: 'x' }] },
      }),
    )
    expect([many.status, many.code]).toEqual([400, APIErrorCode.ValidationError])
    const all = await notion.pages.updateMarkdown({
      page_id: id,
      type: 'update_content',
      update_content: { content_updates: [{ old_str: 'alpha', new_str: 'omega', replace_all_matches: true }] },
    })
    expect(all.markdown).toBe('omega\n**BETA**\nomega again')
    for (const old_str of ['nowhere', '', 'OMEGA']) {
      const e = await apiError(
        notion.pages.updateMarkdown({
          page_id: id,
          type: 'update_content',
          update_content: { content_updates: [{ old_str, new_str: 'x' }] },
        }),
      )
      expect([e.status, e.code]).toEqual([400, APIErrorCode.ValidationError])
    }
  })

  it('update_content keeps unchanged blocks (same ids) and writes only the changed one: events', async () => {
    const id = await page('one\ntwo\nthree')
    const before = (await notion.blocks.children.list({ block_id: id })).results.map((b) => b.id)
    const events = await eventsOf(() =>
      notion.pages.updateMarkdown({
        page_id: id,
        type: 'update_content',
        update_content: { content_updates: [{ old_str: 'two', new_str: 'TWO' }] },
      }),
    )
    const after = (await notion.blocks.children.list({ block_id: id })).results.map((b) => b.id)
    expect(after[0]).toBe(before[0])
    expect(after[2]).toBe(before[2])
    expect(after[1]).not.toBe(before[1])
    expect(events.map((e) => [e.type, e.objectId])).toEqual([
      ['block.deleted', before[1]],
      ['block.appended', after[1]],
    ])
    expect([...new Set(events.map((e) => e.actor))]).toEqual([`bot:${s.connection.bot_id}`])
    const none = await eventsOf(async () => {
      await apiError(
        notion.pages.updateMarkdown({
          page_id: id,
          type: 'update_content',
          update_content: { content_updates: [{ old_str: 'zzz', new_str: 'x' }] },
        }),
      )
    })
    expect(none).toEqual([])
  })

  it('insert_content: end by default, start, after a selection; after + position refused', async () => {
    const id = await page('a\nb\nc')
    expect((await notion.pages.updateMarkdown({ page_id: id, type: 'insert_content', insert_content: { content: 'z' } })).markdown).toBe(
      'a\nb\nc\nz',
    )
    expect(
      (
        await notion.pages.updateMarkdown({
          page_id: id,
          type: 'insert_content',
          insert_content: { content: '0', position: { type: 'start' } },
        })
      ).markdown,
    ).toBe('0\na\nb\nc\nz')
    expect(
      (await notion.pages.updateMarkdown({ page_id: id, type: 'insert_content', insert_content: { content: '- new', after: 'a...b' } }))
        .markdown,
    ).toBe('0\na\nb\n- new\nc\nz')
    const both = await apiError(
      notion.pages.updateMarkdown({
        page_id: id,
        type: 'insert_content',
        insert_content: { content: 'x', after: 'a', position: { type: 'end' } },
      }),
    )
    expect([both.status, both.code]).toEqual([400, APIErrorCode.ValidationError])
    const missing = await apiError(
      notion.pages.updateMarkdown({ page_id: id, type: 'insert_content', insert_content: { content: 'x', after: 'nope' } }),
    )
    expect([missing.status, missing.code]).toEqual([400, APIErrorCode.ValidationError])
  })

  it('replace_content_range replaces the matched range', async () => {
    const id = await page('a\nb\nc\nd')
    const r = await notion.pages.updateMarkdown({
      page_id: id,
      type: 'replace_content_range',
      replace_content_range: { content: '## mid', content_range: 'b...c' },
    })
    expect(r.markdown).toBe('a\n## mid\nd')
  })

  it('GET of a block id answers that subtree; a database or unknown id is refused', async () => {
    const id = await page('- top\n\t- inner')
    const [top] = (await notion.blocks.children.list({ block_id: id })).results
    expect((await notion.pages.retrieveMarkdown({ page_id: top!.id })).markdown).toBe('- top\n\t- inner')
    const missing = await apiError(notion.pages.retrieveMarkdown({ page_id: '0f0f0f0f-0000-4000-8000-000000000000' }))
    expect([missing.status, missing.code]).toEqual([404, APIErrorCode.ObjectNotFound])
    const secret = await apiError(notion.pages.retrieveMarkdown({ page_id: s.pages.secret.id }))
    expect([secret.status, secret.code]).toEqual([404, APIErrorCode.ObjectNotFound])
    const patchBlock = await apiError(
      notion.pages.updateMarkdown({ page_id: top!.id, type: 'replace_content', replace_content: { new_str: 'x' } }),
    )
    expect([patchBlock.status, patchBlock.code]).toEqual([400, APIErrorCode.ValidationError])
  })

  it('capabilities: no read content → 403 on GET; no update content → 403 on PATCH', async () => {
    const { s: s2, notion: ro } = await connectedWorkspace(server, { readContent: true, updateContent: false, insertContent: false })
    const e = await apiError(
      ro.pages.updateMarkdown({ page_id: s2.pages.root.id, type: 'replace_content', replace_content: { new_str: 'x' } }),
    )
    expect([e.status, e.code]).toEqual([403, APIErrorCode.RestrictedResource])
    const { s: s3, notion: wo } = await connectedWorkspace(server, { readContent: false })
    const g = await apiError(wo.pages.retrieveMarkdown({ page_id: s3.pages.root.id }))
    expect([g.status, g.code]).toEqual([403, APIErrorCode.RestrictedResource])
  })

  it('Notion-Version 2026-12-01: v2 by default where v1 and v2 coincide; v1, differing constructs and mid-block `after` refused', async () => {
    const call = async (path: string, method = 'GET', body?: unknown) => {
      const res = await server.raw(path, {
        token: s.token,
        version: '2026-12-01',
        method,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      })
      return { status: res.status, body: (await res.json()) as any }
    }
    const created = await call('/v1/pages', 'POST', {
      parent: { page_id: s.pages.root.id },
      properties: { title: { title: rt('V2') } },
      markdown: '# Plan\n\nSome **bold** text\n\n- one\n\t- nested\n- two\n\n```js\nx\n```',
    })
    expect(created.status).toBe(200)
    const id = created.body.id as string
    const got = await call(`/v1/pages/${id}/markdown`)
    expect(got.body).toMatchObject({ object: 'page_markdown', truncated: false, unknown_block_ids: [] })
    expect(got.body.markdown).toBe('# Plan\n\nSome **bold** text\n\n- one\n\t- nested\n\n- two\n\n```js\nx\n```')
    // A block whose v1 form differs in v2 (a toggle) is shown as <unknown>, and kept by edits around it.
    const toggle = await notion.blocks.children.append({
      block_id: id,
      children: [{ toggle: { rich_text: rt('More'), children: [{ paragraph: { rich_text: rt('inside') } }] } }] as never,
    })
    const toggleId = toggle.results[0]?.id as string
    const withToggle = await call(`/v1/pages/${id}/markdown`)
    expect(withToggle.body.unknown_block_ids).toEqual([toggleId])
    expect(withToggle.body.markdown).toContain(`<unknown url="${server.deps.publicUrl}/${toggleId.replace(/-/g, '')}" alt="toggle"/>`)
    // Following unknown_block_ids gets further: the toggle's id answers its children.
    const inner = await call(`/v1/pages/${toggleId}/markdown`)
    expect(inner.body).toMatchObject({ id: toggleId, markdown: 'inside', unknown_block_ids: [] })
    const edited = await call(`/v1/pages/${id}/markdown`, 'PATCH', {
      type: 'update_content',
      update_content: { content_updates: [{ old_str: '- two', new_str: '- three' }] },
    })
    expect(edited.status).toBe(200)
    expect(edited.body.markdown).toContain('- three')
    expect(edited.body.unknown_block_ids).toEqual([toggleId])
    // v1 refused; v1-only syntax refused in v2 (no guessing); v2 explicit works.
    const v1 = await call(`/v1/pages/${id}/markdown?markdown_version=v1`)
    expect(v1.status).toBe(400)
    expect(v1.body.code).toBe(APIErrorCode.ValidationError)
    for (const markdown of [
      '<details>\n<summary>x</summary>\n</details>',
      'Text {color="blue"}',
      'one\ntwo',
      '<span underline="true">u</span>',
    ]) {
      const r = await call(`/v1/pages/${id}/markdown`, 'PATCH', { type: 'insert_content', insert_content: { content: markdown } })
      expect(r.status, markdown).toBe(400)
      expect(r.body.code).toBe(APIErrorCode.ValidationError)
    }
    // insert_content.after must match the start of one block; position after_content takes any text.
    const mid = await call(`/v1/pages/${id}/markdown`, 'PATCH', { type: 'insert_content', insert_content: { content: 'X', after: 'bold' } })
    expect(mid.status).toBe(400)
    expect(mid.body.message).toContain('must match the start of exactly one block')
    const atStart = await call(`/v1/pages/${id}/markdown`, 'PATCH', {
      type: 'insert_content',
      insert_content: { content: 'After some', after: 'Some **bold**' },
    })
    expect(atStart.body.markdown).toContain('Some **bold** text\n\nAfter some')
    const anchored = await call(`/v1/pages/${id}/markdown`, 'PATCH', {
      type: 'insert_content',
      insert_content: { content: 'Anchored', position: { type: 'after_content', anchor: 'bold' } },
    })
    expect(anchored.body.markdown).toContain('Some **bold** text\n\nAnchored')
    const range = await call(`/v1/pages/${id}/markdown`, 'PATCH', {
      type: 'replace_content_range',
      replace_content_range: { content: 'x', content_range: '# Plan' },
    })
    expect(range.status).toBe(400)
  })

  it('bad input: markdown with children, unbalanced Markdown, deep nesting, 1 MB body, wrong type; Notion errors, no 5xx', async () => {
    const both = await apiError(
      notion.pages.create({ parent: { page_id: s.pages.root.id }, markdown: 'x', children: [{ paragraph: { rich_text: rt('y') } }] }),
    )
    expect([both.status, both.code]).toEqual([400, APIErrorCode.ValidationError])
    const id = await page('<details>\n<callout>\n**open [link(\n```\nunclosed')
    expect((await notion.pages.retrieveMarkdown({ page_id: id })).object).toBe('page_markdown')
    const deep = Array.from({ length: 200 }, (_, i) => `${'\t'.repeat(i)}- x`).join('\n')
    const d = await apiError(notion.pages.updateMarkdown({ page_id: id, type: 'replace_content', replace_content: { new_str: deep } }))
    expect([d.status, d.code]).toEqual([400, APIErrorCode.ValidationError])
    const big = await server.raw(`/v1/pages/${id}/markdown`, {
      method: 'PATCH',
      token: s.token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'replace_content', replace_content: { new_str: 'x'.repeat(1_000_000) } }),
    })
    expect(big.status).toBeLessThan(500)
    expect(((await big.json()) as { object: string }).object).toBe('error')
    const wrong = await server.raw(`/v1/pages/${id}/markdown`, {
      method: 'PATCH',
      token: s.token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'replace_everything' }),
    })
    expect(wrong.status).toBe(400)
    expect(((await wrong.json()) as { code: string }).code).toBe('validation_error')
  })

  it('10,000-level nesting (indentation, container tags, quotes, lists, emphasis): validation_error or literal text, never a 5xx', async () => {
    const id = await page('start')
    const replace = (new_str: string) => notion.pages.updateMarkdown({ page_id: id, type: 'replace_content', replace_content: { new_str } })
    const N = 10_000
    // Indentation and container tags nest blocks: refused past 64 levels, with Notion's error.
    for (const deep of [
      `- a\n${'\t'.repeat(N)}- x`,
      `${'<details><summary>x</summary>\n'.repeat(N)}y\n${'</details>\n'.repeat(N)}`,
      `${'<callout>\n'.repeat(N)}y\n${'</callout>\n'.repeat(N)}`,
      `${'<columns>\n<column>\n'.repeat(N)}y\n${'</column>\n</columns>\n'.repeat(N)}`,
    ]) {
      const e = await apiError(replace(deep))
      expect([e.status, e.code]).toEqual([400, APIErrorCode.ValidationError])
      expect(e.message).toContain('nested too deeply')
    }
    // Unclosed tags by the thousand: each is a block with no children.
    const unclosed = await replace('<details>\n'.repeat(N))
    expect(unclosed.markdown.split('</details>').length - 1).toBe(N)
    // One-line markers and emphasis do not nest blocks: one block whose text keeps what it cannot hold.
    const quotes = await replace(`${'> '.repeat(N)}x`)
    const q = await notion.blocks.children.list({ block_id: id })
    expect(q.results.map((b) => ('type' in b ? b.type : ''))).toEqual(['quote'])
    expect(quotes.markdown.startsWith('> ')).toBe(true)
    await replace(`${'- '.repeat(N)}x`)
    expect((await notion.blocks.children.list({ block_id: id })).results.map((b) => ('type' in b ? b.type : ''))).toEqual([
      'bulleted_list_item',
    ])
    const stars = await replace(`${'*'.repeat(N)}x${'*'.repeat(N)}`)
    expect(stars.markdown).toContain('\\*\\*x\\*\\*')
    const nested = await replace(`${'**a '.repeat(3000)}x${' a**'.repeat(3000)}`)
    expect(nested.object).toBe('page_markdown')
    const links = await replace(`${'[a'.repeat(N)}x${'](u)'.repeat(N)}`)
    expect(links.object).toBe('page_markdown')
  }, 120_000)

  it('a block tree nested deeper than GET renders (children 200 levels down, built through the blocks API) answers truncated, not a stack overflow', async () => {
    const id = await page('top')
    let parent = id
    for (let level = 0; level < 205; level++) {
      const r = await notion.blocks.children.append({
        block_id: parent,
        children: [{ bulleted_list_item: { rich_text: rt(`level ${level}`) } }],
      })
      parent = (r.results[0] as { id: string }).id
    }
    const got = await notion.pages.retrieveMarkdown({ page_id: id })
    expect(got.truncated).toBe(true)
    expect(got.markdown).toContain(`${'\t'.repeat(200)}- level 200`)
    expect(got.markdown).not.toContain('level 201')
  }, 60_000)

  it('invalid ranges and selections: validation_error naming what did not match; edits cannot grow the page without bound', async () => {
    const id = await page('alpha\nbeta\ngamma')
    const bad = async (p: Promise<unknown>, text: string) => {
      const e = await apiError(p)
      expect([e.status, e.code]).toEqual([400, APIErrorCode.ValidationError])
      expect(e.message).toContain(text)
    }
    const range = (content_range: string) =>
      notion.pages.updateMarkdown({ page_id: id, type: 'replace_content_range', replace_content_range: { content: 'x', content_range } })
    await bad(range('delta...gamma'), 'Could not find the text "delta...gamma"')
    await bad(range('gamma...alpha'), 'Could not find the text "gamma...alpha"') // end before start
    await bad(range('...'), 'Could not find the text "..."')
    await bad(range(''), 'Could not find the text ""')
    await bad(
      notion.pages.updateMarkdown({ page_id: id, type: 'insert_content', insert_content: { content: 'x', after: '...' } }),
      'Could not find the text "..."',
    )
    await bad(
      notion.pages.updateMarkdown({
        page_id: id,
        type: 'update_content',
        update_content: { content_updates: [{ old_str: 'zeta', new_str: 'x' }] },
      }),
      'Could not find the text of content_updates[0].old_str',
    )
    // 100 updates at most (the schema's bound).
    const many = await server.raw(`/v1/pages/${id}/markdown`, {
      method: 'PATCH',
      token: s.token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'update_content',
        update_content: { content_updates: Array.from({ length: 101 }, () => ({ old_str: 'a', new_str: 'b' })) },
      }),
    })
    expect(many.status).toBe(400)
    // The second update would grow every "a" of the first's result 200,000-fold: refused before the text is built.
    await bad(
      notion.pages.updateMarkdown({
        page_id: id,
        type: 'update_content',
        update_content: {
          content_updates: [
            { old_str: 'a', new_str: 'a'.repeat(200_000), replace_all_matches: true },
            { old_str: 'a', new_str: 'a'.repeat(200_000), replace_all_matches: true },
          ],
        },
      }),
      'too large',
    )
    expect((await notion.pages.retrieveMarkdown({ page_id: id })).markdown).toBe('alpha\nbeta\ngamma')
  }, 60_000)
})
