import { APIErrorCode, type Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setPageAccess } from '../../src/services/page-permissions.service.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'
import { seedPeople } from '../support/pats.js'

/**
 * Security issue, "a viewer changes another database through a two-way relation": with only view
 * access to a database RO, adding a two-way relation from one's own database to RO added a property to
 * RO, and later row writes changed RO's rows. Every write that changes both sides of a two-way
 * relation now needs edit access on both (permissions/decide-dual-relation.ts): 403
 * restricted_resource when the other side is only viewable, 404 when it is not visible at all.
 * Driven with Mia's personal access token (Mia can edit her own database, only view RO) and the SDK.
 */
const rt = (content: string) => [{ type: 'text' as const, text: { content } }]

describe('two-way relations need edit access on both sides', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedPeople>>
  let olive: Client // the owner: edits both sides
  let mia: Client // a member: edits Mine, only views RO, cannot see Hidden
  let miaToken: string
  let mine: string // Mia's data source (under Root: every member has full access)
  let mineDb: string
  let ro: string // RO's data source: Mia can only view it
  let roRow: string
  let hidden: string // a data source Mia cannot see at all

  const roSchema = async () => Object.keys(((await olive.dataSources.retrieve({ data_source_id: ro })) as any).properties).sort()
  const relOf = async (id: string, prop: string) =>
    ((await olive.pages.retrieve({ page_id: id })) as any).properties[prop].relation.map((r: { id: string }) => r.id)

  beforeAll(async () => {
    server = await startTestServer()
    s = await seedPeople(server, 'plus')
    olive = server.client((await s.pat(s.owner.id)).token)
    miaToken = (await s.pat(s.member.id)).token
    mia = server.client(miaToken)
    const mineDbObj = (await mia.databases.create({
      parent: { type: 'page_id', page_id: s.pages.root.id },
      title: rt('Mine'),
      initial_data_source: { properties: { Name: { title: {} } } },
    })) as any
    mine = mineDbObj.data_sources[0].id
    mineDb = mineDbObj.id
    // RO and Hidden live under "Other", then restricted: members view RO's page; nobody but Olive sees Hidden's.
    const roArea = await olive.pages.create({ parent: { page_id: s.pages.other.id }, properties: { title: { title: rt('RO area') } } })
    const hiddenArea = await olive.pages.create({
      parent: { page_id: s.pages.other.id },
      properties: { title: { title: rt('Hidden area') } },
    })
    ro = (
      (await olive.databases.create({
        parent: { type: 'page_id', page_id: roArea.id },
        title: rt('RO'),
        initial_data_source: { properties: { Name: { title: {} } } },
      })) as any
    ).data_sources[0].id
    hidden = (
      (await olive.databases.create({
        parent: { type: 'page_id', page_id: hiddenArea.id },
        title: rt('Hidden'),
        initial_data_source: { properties: { Name: { title: {} } } },
      })) as any
    ).data_sources[0].id
    roRow = (await olive.pages.create({ parent: { data_source_id: ro }, properties: { Name: { title: rt('RO row') } } })).id
    for (const [page, level] of [
      [roArea.id, 'view'],
      [hiddenArea.id, 'none'],
    ] as const) {
      await setPageAccess(server.deps, { pageId: page, actorId: s.owner.id, target: { type: 'user', id: s.owner.id }, level: 'full' })
      await setPageAccess(server.deps, { pageId: page, actorId: s.owner.id, target: { type: 'workspace' }, level })
    }
  })
  afterAll(async () => server?.stop())

  it('refuses every way of creating a two-way relation to a database the caller can only view, and changes nothing there', async () => {
    const before = await roSchema()
    const dual = { relation: { data_source_id: ro, dual_property: { synced_property_name: 'Back' } } }
    const attempts: [string, () => Promise<unknown>][] = [
      [
        'databases.create',
        () =>
          mia.databases.create({
            parent: { type: 'page_id', page_id: s.pages.root.id },
            title: rt('New'),
            initial_data_source: { properties: { Name: { title: {} }, Link: dual } },
          }),
      ],
      [
        'dataSources.create',
        () =>
          mia.dataSources.create({
            parent: { type: 'database_id', database_id: mineDb },
            title: rt('Second'),
            properties: { Name: { title: {} }, Link: dual },
          } as any),
      ],
      ['dataSources.update', () => mia.dataSources.update({ data_source_id: mine, properties: { Link: dual } } as any)],
    ]
    for (const [name, attempt] of attempts) {
      const err = await apiError(attempt())
      expect([name, err.status, err.code, err.message]).toEqual([
        name,
        403,
        APIErrorCode.RestrictedResource,
        'Insufficient permissions for this endpoint.',
      ])
    }
    // 2022-06-28 names the related database (its single data source) instead.
    const roDb = ((await olive.dataSources.retrieve({ data_source_id: ro })) as any).parent.database_id as string
    const legacy = await server.raw(`/v1/databases/${mineDb}`, {
      method: 'PATCH',
      token: miaToken,
      version: '2022-06-28',
      body: JSON.stringify({ properties: { Link: { relation: { database_id: roDb, dual_property: {} } } } }),
    })
    expect(legacy.status).toBe(403)
    expect(((await legacy.json()) as { code: string }).code).toBe('restricted_resource')
    expect(await roSchema()).toEqual(before)
    expect(Object.keys(((await mia.dataSources.retrieve({ data_source_id: mine })) as any).properties)).toEqual(['Name'])
    // A one-way relation writes nothing on RO: viewing it is enough.
    const single = (await mia.dataSources.update({
      data_source_id: mine,
      properties: { OneWay: { relation: { data_source_id: ro, single_property: {} } } },
    } as any)) as any
    expect(single.properties.OneWay.relation.type).toBe('single_property')
    expect(await roSchema()).toEqual(before)
  })

  it('answers 404 when the other side is not visible at all', async () => {
    const err = await apiError(
      mia.dataSources.update({
        data_source_id: mine,
        properties: { Link: { relation: { data_source_id: hidden, dual_property: {} } } },
      } as any),
    )
    expect(err.status).toBe(404)
    expect(err.code).toBe(APIErrorCode.ObjectNotFound)
    expect(err.message).toContain(`Could not find data_source with ID: ${hidden}.`)
  })

  it('an existing two-way relation whose other side the caller only views: its links and the property cannot change, the rest of the row can', async () => {
    // Olive (edit on both) adds the two-way relation; Mia still edits her own rows.
    await olive.dataSources.update({
      data_source_id: mine,
      properties: { Pair: { relation: { data_source_id: ro, dual_property: { synced_property_name: 'Paired' } } } },
    } as any)
    const row = await mia.pages.create({ parent: { data_source_id: mine }, properties: { Name: { title: rt('Mine 1') } } })

    const refusals: [string, () => Promise<unknown>][] = [
      [
        'pages.create with a link',
        () =>
          mia.pages.create({
            parent: { data_source_id: mine },
            properties: { Name: { title: rt('Mine 2') }, Pair: { relation: [{ id: roRow }] } },
          }),
      ],
      ['pages.update adding a link', () => mia.pages.update({ page_id: row.id, properties: { Pair: { relation: [{ id: roRow }] } } })],
      ['removing the two-way property', () => mia.dataSources.update({ data_source_id: mine, properties: { Pair: null } } as any)],
      [
        'turning it one-way',
        () =>
          mia.dataSources.update({
            data_source_id: mine,
            properties: { Pair: { relation: { data_source_id: ro, single_property: {} } } },
          } as any),
      ],
      ['retyping it', () => mia.dataSources.update({ data_source_id: mine, properties: { Pair: { rich_text: {} } } } as any)],
    ]
    for (const [name, attempt] of refusals) {
      const err = await apiError(attempt())
      expect([name, err.status, err.code]).toEqual([name, 403, APIErrorCode.RestrictedResource])
    }
    expect(await relOf(roRow, 'Paired')).toEqual([])
    expect(await roSchema()).toContain('Paired')
    expect(((await olive.dataSources.query({ data_source_id: mine })) as any).results).toHaveLength(1)

    // Writes that leave the links alone still work.
    await mia.pages.update({ page_id: row.id, properties: { Name: { title: rt('Mine 1, renamed') } } })
    // Olive, who edits both sides, links them; Mia then cannot unlink either.
    await olive.pages.update({ page_id: row.id, properties: { Pair: { relation: [{ id: roRow }] } } })
    expect(await relOf(roRow, 'Paired')).toEqual([row.id])
    const unlink = await apiError(mia.pages.update({ page_id: row.id, properties: { Pair: { relation: [] } } }))
    expect(unlink.code).toBe(APIErrorCode.RestrictedResource)
    expect(await relOf(roRow, 'Paired')).toEqual([row.id])
    // Re-sending the same links changes nothing on RO, so it is allowed.
    await mia.pages.update({ page_id: row.id, properties: { Pair: { relation: [{ id: roRow }] } } })
  })
})
