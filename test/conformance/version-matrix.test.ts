import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { APIErrorCode } from '@notionhq/client'
import {
  BETA_FLAGS,
  NOTION_VERSIONS,
  VERSION_BEHAVIOURS,
  behaves,
  type BehaviourName,
  type NotionVersion,
} from '../../src/domain/versions.js'
import { buildDatabase, buildRow, connectedWorkspace } from '../support/factories.js'
import { startTestServer, type TestServer } from '../support/harness.js'

/**
 * The version matrix (docs/views-and-versions.md): every behaviour of the one table in
 * src/domain/versions.ts (`VERSION_BEHAVIOURS`), observed over raw HTTP under every accepted
 * Notion-Version — and, where a behaviour has a beta flag, under each version with that flag — and
 * compared with what the table says. A behaviour added to the table without a probe here fails
 * the type check (`probes` is keyed by `BehaviourName`).
 */

describe('version matrix', () => {
  let server: TestServer
  let token: string
  let pageId: string
  let rowId: string
  let databaseId: string
  let dsId: string
  let namelessId: string
  let mdPageId: string
  let paragraphId: string
  let notesId: string
  let meetingNoteId: string

  beforeAll(async () => {
    server = await startTestServer()
    const { s, notion } = await connectedWorkspace(server, { userInfo: 'without_email' })
    token = s.token
    pageId = s.pages.child.id
    const tags = await buildDatabase(notion, s.pages.root.id, {
      title: 'Matrix tags',
      properties: { Name: { title: {} }, Label: { rich_text: {} } } as never,
    })
    const tagId = await buildRow(notion, tags.dataSourceId, 'Tag', { Label: { rich_text: [{ text: { content: 'red' } }] } })
    const built = await buildDatabase(notion, s.pages.root.id, {
      title: 'Matrix',
      properties: {
        Name: { title: {} },
        Score: { number: {} },
        Double: { formula: { expression: 'prop("Score") * 2' } },
        Stage: { status: {} },
        Notes: { rich_text: {} },
        Empty: { number: {} },
        Link: { relation: { data_source_id: tags.dataSourceId, single_property: {} } },
      } as never,
    })
    databaseId = built.database.id
    dsId = built.dataSourceId
    await notion.dataSources.update({
      data_source_id: dsId,
      properties: {
        Labels: { rollup: { relation_property_name: 'Link', rollup_property_name: 'Label', function: 'show_original' } },
      } as never,
    })
    rowId = await buildRow(notion, dsId, 'Shipped', {
      Score: { number: 4 },
      Stage: { status: { name: 'Done' } },
      Notes: { rich_text: [{ text: { content: 'kale' } }] },
      Link: { relation: [{ id: tagId }] },
    })
    const row = (await notion.pages.retrieve({ page_id: rowId })) as { properties: Record<string, { id: string }> }
    notesId = (row.properties.Notes as { id: string }).id
    namelessId = s.member.id
    const para = (text: string) => ({ paragraph: { rich_text: [{ text: { content: text } }] } })
    mdPageId = (
      await notion.pages.create({
        parent: { page_id: s.pages.root.id },
        properties: { title: { title: [{ text: { content: 'Markdown matrix' } }] } },
        children: [para('Alpha one'), para('Beta two')] as never,
      })
    ).id
    paragraphId = (await notion.blocks.children.list({ block_id: mdPageId })).results[0]!.id
    // A meeting note from an audio block (issue 15): `meeting_notes`, or `transcription` before 2026-03-11.
    const audio = await notion.blocks.children.append({
      block_id: s.pages.root.id,
      children: [{ audio: { external: { url: 'https://example.com/call.mp3' } } }],
    })
    meetingNoteId = (await notion.blocks.meetingNotes.create({ source: { type: 'block', block_id: audio.results[0]!.id } })).id
    await server.deps.store.db.updateTable('user').set({ name: null }).where('id', '=', namelessId).execute()
  })
  afterAll(async () => server.stop())

  async function call(version: string, path: string, init: { method?: string; body?: unknown; beta?: string } = {}) {
    const res = await server.raw(path, {
      token,
      version,
      method: init.method ?? 'GET',
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      headers: init.beta !== undefined ? { 'notion-beta': init.beta } : {},
    })
    return { status: res.status, body: (await res.json()) as any }
  }

  /** Queries the rows of the matrix database with `filter` under `version` (data-source or legacy endpoint). */
  async function queryIds(version: NotionVersion, filter: unknown, beta?: string) {
    const path = behaves('dataSources', version) ? `/v1/data_sources/${dsId}/query` : `/v1/databases/${databaseId}/query`
    const r = await call(version, path, { method: 'POST', body: { filter }, ...(beta ? { beta } : {}) })
    return r.status === 200 ? (r.body.results as { id: string }[]).map((x) => x.id) : r.body.code
  }

  /** For each behaviour: whether it is observed under `version` with `betas`. */
  const probes: Record<BehaviourName, (v: NotionVersion, beta?: string) => Promise<boolean>> = {
    richTextProperty: async (v) => {
      const notes = (await call(v, `/v1/pages/${rowId}`)).body.properties.Notes
      expect(['rich_text', 'text']).toContain(notes.type)
      expect(notes[notes.type][0].plain_text).toBe('kale')
      return notes.type === 'rich_text'
    },
    emptyValuesAsNull: async (v) => {
      const props = (await call(v, `/v1/pages/${rowId}`)).body.properties
      if ('Empty' in props) expect(props.Empty.number).toBeNull()
      return 'Empty' in props
    },
    appendReturnsChildren: async (v) => {
      const r = await call(v, `/v1/blocks/${pageId}/children`, {
        method: 'PATCH',
        body: { children: [{ object: 'block', type: 'divider', divider: {} }] },
      })
      expect(r.status).toBe(200)
      if (r.body.object === 'block') expect(r.body.id).toBe(pageId)
      else expect(r.body.results[0].type).toBe('divider')
      return r.body.object === 'list'
    },
    rollupArrayPluralTypes: async (v) => {
      const labels = (await call(v, `/v1/pages/${rowId}`)).body.properties.Labels
      expect(labels.rollup.type).toBe('array')
      const el = labels.rollup.array[0]
      expect(['rich_text', 'text']).toContain(el.type)
      expect(el[el.type][0].plain_text).toBe('red')
      return el.type === 'rich_text'
    },
    blockRichText: async (v) => {
      const p = (await call(v, `/v1/blocks/${paragraphId}`)).body.paragraph
      expect((p.rich_text ?? p.text)[0].plain_text).toBe('Alpha one')
      expect('rich_text' in p).toBe(!('text' in p))
      return 'rich_text' in p
    },
    filterKeysRenamed: async (v) => {
      const byOld = await queryIds(v, { property: 'Notes', text: { contains: 'kale' } })
      expect(await queryIds(v, { property: 'Notes', rich_text: { contains: 'kale' } })).toEqual([rowId])
      if (byOld !== 'validation_error') expect(byOld).toEqual([rowId])
      return byOld === 'validation_error'
    },
    typedPropertyItems: async (v) => {
      const r = (await call(v, `/v1/pages/${rowId}/properties/${notesId}`)).body
      expect(r.object).toBe('list')
      expect(r.results[0].object).toBe('property_item')
      expect('id' in r.results[0]).toBe(r.type === 'property_item')
      return r.type === 'property_item' && r.property_item.next_url === null
    },
    listDatabasesRemoved: async (v) => {
      const r = await call(v, '/v1/databases')
      if (r.status === 200) expect(r.body).toMatchObject({ object: 'list', type: 'database' })
      else expect(r.body.code).toBe('invalid_request_url')
      return r.status === 400
    },
    dataSources: async (v) => (await call(v, `/v1/data_sources/${dsId}`)).status === 200,
    dropsArchived: async (v) => !('archived' in (await call(v, `/v1/pages/${pageId}`)).body),
    titleOnlyLists: async (v) => {
      const path = behaves('dataSources', v) ? `/v1/data_sources/${dsId}/query` : `/v1/databases/${databaseId}/query`
      const q = (await call(v, path, { method: 'POST', body: {} })).body.results[0]
      const found = (await call(v, '/v1/search', { method: 'POST', body: { query: 'Shipped' } })).body.results.find(
        (r: any) => r.id === rowId,
      )
      const qTitleOnly = Object.keys(q.properties).join() === 'Name'
      const sTitleOnly = Object.keys(found.properties).join() === 'Name'
      expect(qTitleOnly).toBe(sTitleOnly)
      // filter_properties always wins.
      const withProps = await call(v, `/v1/search?filter_properties=Score`, { method: 'POST', body: { query: 'Shipped' } })
      expect(Object.keys(withProps.body.results.find((r: any) => r.id === rowId).properties)).toEqual(['Score'])
      return qTitleOnly
    },
    statusGroupFilters: async (v, beta) => {
      // "Complete" is a group (its option is "Done"): matched by `equals` before, only by `group_equals` after.
      const byEquals = await queryIds(v, { property: 'Stage', status: { equals: 'Complete' } }, beta)
      const byGroup = await queryIds(v, { property: 'Stage', status: { group_equals: 'Complete' } }, beta)
      const byOption = await queryIds(v, { property: 'Stage', status: { equals: 'Done' } }, beta)
      expect(byOption).toEqual([rowId])
      const now = byGroup !== 'validation_error'
      expect(byEquals).toEqual(now ? [] : [rowId])
      if (now) expect(byGroup).toEqual([rowId])
      return now
    },
    nullablePersonName: async (v) => {
      const u = (await call(v, `/v1/users/${namelessId}`)).body
      expect(u.type).toBe('person')
      expect(u.name === null || u.name === '').toBe(true)
      return u.name === null
    },
    markdownV2Default: async (v) => {
      const plain = await call(v, `/v1/pages/${mdPageId}/markdown`)
      expect(plain.status).toBe(200)
      const v1 = await call(v, `/v1/pages/${mdPageId}/markdown?markdown_version=v1`)
      const v2 = await call(v, `/v1/pages/${mdPageId}/markdown?markdown_version=v2`)
      expect(v2.status).toBe(200)
      expect(v2.body.markdown.startsWith('Alpha one\n\n')).toBe(true)
      const now = v1.status === 400
      if (!now) expect(v1.body.markdown).toMatch(/^Alpha one\n[^\n]/)
      else expect(v1.body.code).toBe('validation_error')
      expect(plain.body.markdown).toBe(now ? v2.body.markdown : v1.body.markdown)
      return now
    },
    rangeReplaceRefused: async (v) => {
      const r = await call(v, `/v1/pages/${mdPageId}/markdown`, {
        method: 'PATCH',
        body: { type: 'replace_content_range', replace_content_range: { content: 'Beta two', content_range: 'Beta two' } },
      })
      expect([200, 400]).toContain(r.status)
      if (r.status === 400) expect(r.body.code).toBe('validation_error')
      return r.status === 400
    },
    meetingNotesName: async (v) => {
      const b = (await call(v, `/v1/blocks/${meetingNoteId}`)).body
      expect(['meeting_notes', 'transcription']).toContain(b.type)
      expect(b[b.type].status).toBe('notes_ready')
      return b.type === 'meeting_notes'
    },
    afterMatchesBlockStart: async (v) => {
      // "one" is inside the first block, not at its start; "Alpha one" starts exactly one block.
      const mid = await call(v, `/v1/pages/${mdPageId}/markdown`, {
        method: 'PATCH',
        body: { type: 'insert_content', insert_content: { content: `Mid ${v}`, after: 'one' } },
      })
      const start = await call(v, `/v1/pages/${mdPageId}/markdown`, {
        method: 'PATCH',
        body: { type: 'insert_content', insert_content: { content: `Start ${v}`, after: 'Alpha one' } },
      })
      expect(start.status).toBe(200)
      expect(start.body.markdown).toContain(`Alpha one${behaves('markdownV2Default', v) ? '\n\n' : '\n'}Start ${v}`)
      const anchored = await call(v, `/v1/pages/${mdPageId}/markdown`, {
        method: 'PATCH',
        body: { type: 'insert_content', insert_content: { content: `Anchor ${v}`, position: { type: 'after_content', anchor: 'one' } } },
      })
      expect(anchored.status).toBe(200)
      if (mid.status === 400) expect(mid.body.code).toBe('validation_error')
      else expect(mid.status).toBe(200)
      return mid.status === 400
    },
  }

  it('the table names a version or a beta flag Octavo accepts for every behaviour', () => {
    for (const b of Object.values(VERSION_BEHAVIOURS)) {
      expect(NOTION_VERSIONS).toContain(b.since)
      if ('beta' in b) expect(BETA_FLAGS).toContain(b.beta)
    }
    expect(Object.keys(probes).sort()).toEqual(Object.keys(VERSION_BEHAVIOURS).sort())
  })

  for (const v of NOTION_VERSIONS) {
    it(`Notion-Version ${v}: every behaviour as the table says`, async () => {
      for (const name of Object.keys(VERSION_BEHAVIOURS) as BehaviourName[]) {
        expect(await probes[name](v), `${name} under ${v}`).toBe(behaves(name, v))
        const b = VERSION_BEHAVIOURS[name] as { beta?: string }
        if (b.beta) expect(await probes[name](v, b.beta), `${name} under ${v} + ${b.beta}`).toBe(behaves(name, v, [b.beta]))
      }
    })
  }

  it('Notion-Beta: unknown, empty or repeated flags are refused with invalid_beta; known ones accepted', async () => {
    for (const beta of [
      'nope-2026-01-01',
      '',
      'status-group-filters-2026-10-06, status-group-filters-2026-10-06',
      'status-group-filters-2026-10-05',
    ]) {
      const r = await call('2026-03-11', `/v1/pages/${pageId}`, { beta })
      expect(r.status, beta).toBe(400)
      expect(r.body).toMatchObject({ object: 'error', status: 400, code: APIErrorCode.InvalidBeta })
      expect(Object.keys(r.body)).toEqual(['object', 'status', 'code', 'message', 'request_id'])
    }
    const unknown = await call('2026-03-11', `/v1/pages/${pageId}`, { beta: 'nope-2026-01-01' })
    expect(unknown.body.message).toBe(
      'Notion-Beta header failed validation: "nope-2026-01-01" is not a known beta flag. Known flags: "status-group-filters-2026-10-06".',
    )
    expect((await call('2026-03-11', `/v1/pages/${pageId}`, { beta: ' status-group-filters-2026-10-06 ' })).status).toBe(200)
    expect((await call('2026-12-01', `/v1/pages/${pageId}`, { beta: 'status-group-filters-2026-10-06' })).status).toBe(200)
  })

  it('2026-12-01 is refused nowhere and views mount under it', async () => {
    const r = await call('2026-12-01', `/v1/views?database_id=${databaseId}`)
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ object: 'list', type: 'view' })
  })
})
