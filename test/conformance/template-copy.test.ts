import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTemplate } from '../../src/services/templates.service.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Applying a data-source template copies its live block tree, nested blocks included, in order, and
 * leaves behind what is in the trash together with everything under it (services/templates.service.ts
 * `copyTemplateContent`, the copy shared with the OAuth template duplicate).
 */
describe('template content copy', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => server?.stop())

  const rt = (content: string) => [{ type: 'text' as const, text: { content } }]
  const textOf = (b: any) => (b[b.type].rich_text as { plain_text: string }[]).map((r) => r.plain_text).join('')

  it('copies nested blocks in order and nothing under a trashed block', async () => {
    const s = await seedBasic(server)
    await s.share(s.pages.root.id)
    const notion = server.client(s.token)
    const db = (await notion.databases.create({
      parent: { type: 'page_id', page_id: s.pages.root.id },
      title: rt('Things'),
      initial_data_source: { properties: { Name: { title: {} } } },
    })) as any
    const dsId = db.data_sources[0].id as string
    const tpl = await createTemplate(server.deps, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      dataSourceId: dsId,
      title: 'Kit',
      isDefault: true,
      paragraphs: ['First'],
    })
    const appended = await notion.blocks.children.append({
      block_id: tpl.id,
      children: [
        {
          toggle: {
            rich_text: rt('Keep'),
            children: [{ paragraph: { rich_text: rt('Inside'), children: [{ paragraph: { rich_text: rt('Deeper') } }] } }],
          },
        },
        {
          toggle: {
            rich_text: rt('Trashed'),
            children: [{ paragraph: { rich_text: rt('Under trash'), children: [{ paragraph: { rich_text: rt('Far under trash') } }] } }],
          },
        },
      ],
    })
    await notion.blocks.delete({ block_id: (appended.results[1] as { id: string }).id })

    const page = await notion.pages.create({ parent: { data_source_id: dsId }, properties: {}, template: { type: 'default' } })
    const top = (await notion.blocks.children.list({ block_id: page.id })).results as any[]
    expect(top.map(textOf)).toEqual(['First', 'Keep'])
    const inside = (await notion.blocks.children.list({ block_id: top[1].id })).results as any[]
    expect(inside.map(textOf)).toEqual(['Inside'])
    expect(((await notion.blocks.children.list({ block_id: inside[0].id })).results as any[]).map(textOf)).toEqual(['Deeper'])
    // No stray copies: every block of the new page hangs from the page through copied blocks.
    const rows = await server.deps.store.db
      .selectFrom('block')
      .select(['id', 'parent_id'])
      .where('page_id', '=', page.id)
      .where('id', '!=', page.id)
      .execute()
    const ids = new Set([page.id, ...rows.map((r) => r.id)])
    expect(rows).toHaveLength(4)
    for (const r of rows) expect(ids.has(r.parent_id as string)).toBe(true)
  })
})
