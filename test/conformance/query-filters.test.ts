import type { Client } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDatabase, connectedWorkspace, rt } from '../support/factories.js'
import { startTestServer, steppingClock, type TestServer } from '../support/harness.js'

/**
 * Every filter condition of every property type through the SDK (docs/reference/notion-api.md §2.13; SDK `PropertyFilter`,
 * `TimestampFilter`, `RollupPropertyFilter`, `FormulaPropertyFilter`), stored values (answered by the
 * SQL value index) and computed ones (formula, rollup, relation, verification, answered in JS after
 * the SQL pre-filter), mixed in compound filters; sorts on every sortable kind, several at once.
 * Expected ids are in the default order (newest created first) unless sorted.
 */

describe('query filters: every condition of every property type', () => {
  let server: TestServer
  let notion: Client
  let dsId: string
  let ids: { alpha: string; beta: string; gamma: string; delta: string }
  let ownerId: string
  let memberId: string
  let botId: string
  let alphaCreated: string

  beforeAll(async () => {
    server = await startTestServer({ clock: steppingClock('2024-03-11T09:00:00.000Z') })
    const { s, notion: client } = await connectedWorkspace(server)
    notion = client
    ownerId = s.owner.id
    memberId = s.member.id
    botId = s.connection.bot_id
    dsId = (
      await buildDatabase(notion, s.pages.root.id, {
        title: 'Everything',
        properties: {
          Name: { title: {} },
          Notes: { rich_text: {} },
          Score: { number: {} },
          Done: { checkbox: {} },
          Kind: { select: { options: [{ name: 'Bug' }, { name: 'Feature' }, { name: 'Chore' }] } },
          Tags: { multi_select: { options: [{ name: 'x' }, { name: 'y' }] } },
          Stage: { status: {} },
          Due: { date: {} },
          Owner: { people: {} },
          Link: { url: {} },
          Mail: { email: {} },
          Phone: { phone_number: {} },
          Attach: { files: {} },
          Code: { unique_id: { prefix: 'T' } },
          Double: { formula: { expression: 'prop("Score") * 2' } },
          Shout: { formula: { expression: 'prop("Name") + "!"' } },
          Big: { formula: { expression: 'prop("Score") > 5' } },
          When: { formula: { expression: 'prop("Due")' } },
          Verified: { verification: {} },
          Created: { created_time: {} },
          Creator: { created_by: {} },
          Edited: { last_edited_time: {} },
          Editor: { last_edited_by: {} },
        } as never,
      })
    ).dataSourceId
    await notion.dataSources.update({
      data_source_id: dsId,
      properties: { Parent: { relation: { data_source_id: dsId, single_property: {} } } } as never,
    })
    await notion.dataSources.update({
      data_source_id: dsId,
      properties: {
        Sum: { rollup: { relation_property_name: 'Parent', rollup_property_name: 'Score', function: 'sum' } },
        Kinds: { rollup: { relation_property_name: 'Parent', rollup_property_name: 'Kind', function: 'show_original' } },
        Latest: { rollup: { relation_property_name: 'Parent', rollup_property_name: 'Due', function: 'latest_date' } },
      } as never,
    })
    const add = async (props: Record<string, unknown>) =>
      (await notion.pages.create({ parent: { data_source_id: dsId }, properties: props as never })).id
    const alpha = await add({
      Name: { title: rt('Alpha') },
      Notes: { rich_text: rt('urgent fix') },
      Score: { number: 3 },
      Done: { checkbox: true },
      Kind: { select: { name: 'Bug' } },
      Tags: { multi_select: [{ name: 'x' }] },
      Due: { date: { start: '2024-03-05' } },
      Owner: { people: [{ id: ownerId }] },
      Mail: { email: 'alpha@example.com' },
      Attach: { files: [{ name: 'spec.pdf', external: { url: 'https://files.example/spec.pdf' } }] },
      Verified: { verification: { state: 'verified' } },
    })
    const beta = await add({
      Name: { title: rt('Beta') },
      Score: { number: 10 },
      Kind: { select: { name: 'Feature' } },
      Tags: { multi_select: [{ name: 'x' }, { name: 'y' }] },
      Stage: { status: { name: 'Done' } },
      // 23:30 in New York on 10 March is 03:30 UTC on 11 March (EDT, UTC-4).
      Due: { date: { start: '2024-03-10T23:30:00', time_zone: 'America/New_York' } },
      Owner: { people: [{ id: memberId }, { id: botId }] },
      Link: { url: 'https://beta.example' },
      Phone: { phone_number: '+1 555 0100' },
      Verified: { verification: { state: 'verified', date: { start: '2024-01-01', end: '2024-02-01' } } },
    })
    const gamma = await add({ Name: { title: rt('Gamma') }, Parent: { relation: [{ id: alpha }, { id: beta }] } })
    const delta = await add({
      Name: { title: rt('delta') },
      Score: { number: -1 },
      Due: { date: { start: '2024-03-14' } },
      Parent: { relation: [{ id: alpha }] },
    })
    ids = { alpha, beta, gamma, delta }
    alphaCreated = ((await notion.pages.retrieve({ page_id: alpha })) as { created_time: string }).created_time
  }, 60_000)

  afterAll(async () => {
    await server.stop()
  })

  const q = async (filter: unknown, sorts?: unknown) =>
    (
      await notion.dataSources.query({ data_source_id: dsId, filter: filter as never, ...(sorts ? { sorts: sorts as never } : {}) })
    ).results.map((r) => r.id)

  it('text conditions on title, rich_text, url, email and phone_number', async () => {
    const { alpha, beta, gamma, delta } = ids
    expect(await q({ property: 'Name', title: { equals: 'ALPHA' } })).toEqual([alpha])
    expect(await q({ property: 'Name', title: { does_not_equal: 'alpha' } })).toEqual([delta, gamma, beta])
    expect(await q({ property: 'Name', title: { contains: 'ta' } })).toEqual([delta, beta])
    expect(await q({ property: 'Name', title: { does_not_contain: 'a' } })).toEqual([])
    expect(await q({ property: 'Name', title: { starts_with: 'g' } })).toEqual([gamma])
    expect(await q({ property: 'Name', title: { ends_with: 'TA' } })).toEqual([delta, beta])
    expect(await q({ property: 'Name', rich_text: { contains: 'mm' } })).toEqual([gamma])
    expect(await q({ property: 'Notes', rich_text: { is_empty: true } })).toEqual([delta, gamma, beta])
    expect(await q({ property: 'Notes', rich_text: { is_not_empty: true } })).toEqual([alpha])
    expect(await q({ property: 'Notes', rich_text: { starts_with: 'URGENT' } })).toEqual([alpha])
    expect(await q({ property: 'Link', url: { contains: 'beta' } })).toEqual([beta])
    expect(await q({ property: 'Link', url: { is_empty: true } })).toEqual([delta, gamma, alpha])
    expect(await q({ property: 'Mail', email: { ends_with: '@example.com' } })).toEqual([alpha])
    expect(await q({ property: 'Mail', email: { does_not_equal: 'alpha@example.com' } })).toEqual([delta, gamma, beta])
    expect(await q({ property: 'Phone', phone_number: { starts_with: '+1' } })).toEqual([beta])
    expect(await q({ property: 'Phone', phone_number: { is_not_empty: true } })).toEqual([beta])
    // Wildcards in a needle are literal.
    expect(await q({ property: 'Name', title: { contains: '%' } })).toEqual([])
    expect(await q({ property: 'Name', title: { contains: '_' } })).toEqual([])
  })

  it('number, unique_id and checkbox conditions', async () => {
    const { alpha, beta, gamma, delta } = ids
    expect(await q({ property: 'Score', number: { equals: 3 } })).toEqual([alpha])
    expect(await q({ property: 'Score', number: { does_not_equal: 3 } })).toEqual([delta, gamma, beta])
    expect(await q({ property: 'Score', number: { greater_than: 3 } })).toEqual([beta])
    expect(await q({ property: 'Score', number: { less_than: 3 } })).toEqual([delta])
    expect(await q({ property: 'Score', number: { greater_than_or_equal_to: 3 } })).toEqual([beta, alpha])
    expect(await q({ property: 'Score', number: { less_than_or_equal_to: 3 } })).toEqual([delta, alpha])
    expect(await q({ property: 'Score', number: { is_empty: true } })).toEqual([gamma])
    expect(await q({ property: 'Score', number: { is_not_empty: true } })).toEqual([delta, beta, alpha])
    expect(await q({ property: 'Code', unique_id: { equals: 2 } })).toEqual([beta])
    expect(await q({ property: 'Code', unique_id: { greater_than: 2 } })).toEqual([delta, gamma])
    expect(await q({ property: 'Code', unique_id: { less_than_or_equal_to: 2 } })).toEqual([beta, alpha])
    expect(await q({ property: 'Code', unique_id: { does_not_equal: 1 } })).toEqual([delta, gamma, beta])
    expect(await q({ property: 'Done', checkbox: { equals: true } })).toEqual([alpha])
    expect(await q({ property: 'Done', checkbox: { equals: false } })).toEqual([delta, gamma, beta])
    expect(await q({ property: 'Done', checkbox: { does_not_equal: true } })).toEqual([delta, gamma, beta])
  })

  it('select, status and multi_select conditions, one value or several', async () => {
    const { alpha, beta, gamma, delta } = ids
    expect(await q({ property: 'Kind', select: { equals: 'bug' } })).toEqual([alpha])
    expect(await q({ property: 'Kind', select: { equals: ['Bug', 'Feature'] } })).toEqual([beta, alpha])
    expect(await q({ property: 'Kind', select: { does_not_equal: 'Bug' } })).toEqual([delta, gamma, beta])
    expect(await q({ property: 'Kind', select: { equals: 'Chore' } })).toEqual([])
    expect(await q({ property: 'Kind', select: { equals: 'No such option' } })).toEqual([])
    expect(await q({ property: 'Kind', select: { is_empty: true } })).toEqual([delta, gamma])
    expect(await q({ property: 'Kind', select: { is_not_empty: true } })).toEqual([beta, alpha])
    expect(await q({ property: 'Stage', status: { equals: 'Done' } })).toEqual([beta])
    expect(await q({ property: 'Stage', status: { does_not_equal: 'Done' } })).toEqual([delta, gamma, alpha])
    expect(await q({ property: 'Tags', multi_select: { contains: 'y' } })).toEqual([beta])
    expect(await q({ property: 'Tags', multi_select: { contains: ['y', 'x'] } })).toEqual([beta, alpha])
    expect(await q({ property: 'Tags', multi_select: { does_not_contain: 'y' } })).toEqual([delta, gamma, alpha])
    expect(await q({ property: 'Tags', multi_select: { is_empty: true } })).toEqual([delta, gamma])
    expect(await q({ property: 'Tags', multi_select: { is_not_empty: true } })).toEqual([beta, alpha])
    // An option renamed in the schema is found under its new name.
    await notion.dataSources.update({
      data_source_id: dsId,
      properties: {
        Kind: {
          select: {
            options: [
              { name: 'Defect', id: await optionId('Kind', 'Bug') },
              { name: 'Feature', id: await optionId('Kind', 'Feature') },
              { name: 'Chore', id: await optionId('Kind', 'Chore') },
            ],
          },
        },
      } as never,
    })
    expect(await q({ property: 'Kind', select: { equals: 'Defect' } })).toEqual([alpha])
  })

  async function optionId(property: string, name: string): Promise<string> {
    const ds = (await notion.dataSources.retrieve({ data_source_id: dsId })) as {
      properties: Record<string, { select?: { options: { id: string; name: string }[] } }>
    }
    return (ds.properties[property]?.select?.options.find((o) => o.name === name) as { id: string }).id
  }

  it('date conditions: absolute, relative, ranges, date-times and time zones', async () => {
    const { alpha, beta, delta } = ids
    expect(await q({ property: 'Due', date: { equals: '2024-03-05' } })).toEqual([alpha])
    expect(await q({ property: 'Due', date: { equals: '2024-03-11' } })).toEqual([beta])
    expect(await q({ property: 'Due', date: { before: '2024-03-11' } })).toEqual([alpha])
    expect(await q({ property: 'Due', date: { after: '2024-03-11' } })).toEqual([delta])
    expect(await q({ property: 'Due', date: { on_or_before: '2024-03-11' } })).toEqual([beta, alpha])
    expect(await q({ property: 'Due', date: { on_or_after: '2024-03-11' } })).toEqual([delta, beta])
    expect(await q({ property: 'Due', date: { on_or_after: '2024-03-11T03:30:00Z' } })).toEqual([delta, beta])
    expect(await q({ property: 'Due', date: { after: '2024-03-11T03:30:00Z' } })).toEqual([delta])
    expect(await q({ property: 'Due', date: { before: '2024-03-10T23:30:00-04:00' } })).toEqual([alpha])
    expect(await q({ property: 'Due', date: { equals: 'today' } })).toEqual([beta])
    expect(await q({ property: 'Due', date: { past_week: {} } })).toEqual([beta, alpha])
    expect(await q({ property: 'Due', date: { next_week: {} } })).toEqual([delta])
    expect(await q({ property: 'Due', date: { this_week: {} } })).toEqual([delta, beta])
    expect(await q({ property: 'Due', date: { past_month: {} } })).toEqual([beta, alpha])
    expect(await q({ property: 'Due', date: { next_month: {} } })).toEqual([delta])
    expect(await q({ property: 'Due', date: { past_year: {} } })).toEqual([beta, alpha])
    expect(await q({ property: 'Due', date: { next_year: {} } })).toEqual([delta])
    expect(await q({ property: 'Due', date: { on_or_after: 'one_week_ago' } })).toEqual([delta, beta, alpha])
    expect(await q({ property: 'Due', date: { before: 'tomorrow' } })).toEqual([beta, alpha])
    expect(await q({ property: 'Due', date: { is_empty: true } })).toEqual([ids.gamma])
    expect(await q({ property: 'Due', date: { is_not_empty: true } })).toEqual([delta, beta, alpha])
  })

  it('people, created_by and last_edited_by, with "me"; files; timestamps', async () => {
    const { alpha, beta, gamma, delta } = ids
    expect(await q({ property: 'Owner', people: { contains: ownerId } })).toEqual([alpha])
    expect(await q({ property: 'Owner', people: { contains: 'me' } })).toEqual([beta])
    expect(await q({ property: 'Owner', people: { does_not_contain: memberId } })).toEqual([delta, gamma, alpha])
    expect(await q({ property: 'Owner', people: { is_empty: true } })).toEqual([delta, gamma])
    expect(await q({ property: 'Creator', created_by: { contains: 'me' } })).toEqual([delta, gamma, beta, alpha])
    expect(await q({ property: 'Creator', created_by: { does_not_contain: botId } })).toEqual([])
    expect(await q({ property: 'Editor', last_edited_by: { contains: ownerId } })).toEqual([])
    expect(await q({ property: 'Editor', last_edited_by: { is_not_empty: true } })).toEqual([delta, gamma, beta, alpha])
    expect(await q({ property: 'Attach', files: { is_not_empty: true } })).toEqual([alpha])
    expect(await q({ property: 'Attach', files: { is_empty: true } })).toEqual([delta, gamma, beta])
    expect(await q({ timestamp: 'created_time', created_time: { on_or_after: alphaCreated } })).toEqual([delta, gamma, beta, alpha])
    expect(await q({ timestamp: 'created_time', created_time: { before: alphaCreated } })).toEqual([])
    // Timestamps compare as reported (rounded down to the minute): alpha equals its own created_time.
    expect(await q({ timestamp: 'created_time', created_time: { equals: alphaCreated } })).toContain(alpha)
    expect(await q({ property: 'Created', created_time: { on_or_before: alphaCreated } })).toContain(alpha)
    expect(await q({ property: 'Created', date: { on_or_before: '2024-03-11' } })).toEqual([delta, gamma, beta, alpha])
    expect(await q({ timestamp: 'last_edited_time', last_edited_time: { after: '2024-03-12' } })).toEqual([])
    expect(await q({ property: 'Edited', last_edited_time: { past_week: {} } })).toEqual([delta, gamma, beta, alpha])
  })

  it('relation, formula, rollup and verification conditions (computed values)', async () => {
    const { alpha, beta, gamma, delta } = ids
    expect(await q({ property: 'Parent', relation: { contains: alpha } })).toEqual([delta, gamma])
    expect(await q({ property: 'Parent', relation: { contains: beta.replace(/-/g, '') } })).toEqual([gamma])
    expect(await q({ property: 'Parent', relation: { does_not_contain: beta } })).toEqual([delta, beta, alpha])
    expect(await q({ property: 'Parent', relation: { is_empty: true } })).toEqual([beta, alpha])
    expect(await q({ property: 'Parent', relation: { is_not_empty: true } })).toEqual([delta, gamma])
    expect(await q({ property: 'Double', formula: { number: { equals: 20 } } })).toEqual([beta])
    expect(await q({ property: 'Double', formula: { number: { less_than: 0 } } })).toEqual([delta])
    expect(await q({ property: 'Shout', formula: { string: { equals: 'alpha!' } } })).toEqual([alpha])
    expect(await q({ property: 'Shout', formula: { string: { ends_with: 'A!' } } })).toEqual([delta, gamma, beta, alpha])
    expect(await q({ property: 'Big', formula: { checkbox: { equals: true } } })).toEqual([beta])
    expect(await q({ property: 'Big', formula: { checkbox: { does_not_equal: true } } })).toEqual([delta, gamma, alpha])
    expect(await q({ property: 'When', formula: { date: { after: '2024-03-12' } } })).toEqual([delta])
    expect(await q({ property: 'When', formula: { date: { is_empty: true } } })).toEqual([gamma])
    expect(await q({ property: 'Sum', rollup: { number: { equals: 13 } } })).toEqual([gamma])
    expect(await q({ property: 'Sum', rollup: { number: { greater_than: 0 } } })).toEqual([delta, gamma])
    expect(await q({ property: 'Kinds', rollup: { any: { select: { equals: 'Feature' } } } })).toEqual([gamma])
    expect(await q({ property: 'Kinds', rollup: { every: { select: { is_not_empty: true } } } })).toEqual([delta, gamma, beta, alpha])
    expect(await q({ property: 'Kinds', rollup: { none: { select: { equals: 'Feature' } } } })).toEqual([delta, beta, alpha])
    expect(await q({ property: 'Latest', rollup: { date: { on_or_after: '2024-03-06' } } })).toEqual([gamma])
    expect(await q({ property: 'Verified', verification: { status: 'verified' } })).toEqual([alpha])
    expect(await q({ property: 'Verified', verification: { status: 'expired' } })).toEqual([beta])
    expect(await q({ property: 'Verified', verification: { status: 'none' } })).toEqual([delta, gamma])
    // Mixed with stored conditions: the SQL pre-filter narrows, JS finishes.
    expect(
      await q({
        and: [
          { property: 'Score', number: { is_not_empty: true } },
          { property: 'Double', formula: { number: { greater_than: 0 } } },
        ],
      }),
    ).toEqual([beta, alpha])
    expect(
      await q({
        or: [
          { property: 'Kind', select: { equals: 'Feature' } },
          { property: 'Parent', relation: { contains: alpha } },
        ],
      }),
    ).toEqual([delta, gamma, beta])
  })

  it('compound and/or two levels deep', async () => {
    const { alpha, beta, gamma, delta } = ids
    expect(
      await q({
        or: [
          {
            and: [
              { property: 'Score', number: { greater_than: 0 } },
              { property: 'Tags', multi_select: { contains: 'y' } },
            ],
          },
          {
            and: [
              { property: 'Score', number: { is_empty: true } },
              { timestamp: 'created_time', created_time: { on_or_after: '2024-01-01' } },
            ],
          },
        ],
      }),
    ).toEqual([gamma, beta])
    expect(
      await q({
        and: [
          { property: 'Name', title: { is_not_empty: true } },
          {
            or: [
              { property: 'Done', checkbox: { equals: true } },
              { property: 'Score', number: { less_than: 0 } },
            ],
          },
        ],
      }),
    ).toEqual([delta, alpha])
    expect(await q({ and: [] })).toEqual([delta, gamma, beta, alpha])
    expect(await q({ or: [] })).toEqual([])
  })

  it('sorts by every sortable kind, several at once, empty values last', async () => {
    const { alpha, beta, gamma, delta } = ids
    const sorted = (sorts: unknown) => q(undefined, sorts)
    expect(await sorted([{ property: 'Name', direction: 'ascending' }])).toEqual([alpha, beta, delta, gamma])
    expect(await sorted([{ property: 'Score', direction: 'ascending' }])).toEqual([delta, alpha, beta, gamma])
    expect(await sorted([{ property: 'Score', direction: 'descending' }])).toEqual([beta, alpha, delta, gamma])
    expect(await sorted([{ property: 'Due', direction: 'descending' }])).toEqual([delta, beta, alpha, gamma])
    expect(
      await sorted([
        { property: 'Kind', direction: 'ascending' },
        { property: 'Name', direction: 'descending' },
      ]),
    ).toEqual([alpha, beta, gamma, delta])
    expect(
      await sorted([
        { property: 'Done', direction: 'descending' },
        { property: 'Code', direction: 'ascending' },
      ]),
    ).toEqual([alpha, beta, gamma, delta])
    expect(await sorted([{ property: 'Double', direction: 'descending' }])).toEqual([beta, alpha, delta, gamma])
    expect(
      await sorted([
        { property: 'Sum', direction: 'descending' },
        { timestamp: 'created_time', direction: 'ascending' },
      ]),
    ).toEqual([gamma, delta, alpha, beta])
    expect(await sorted([{ timestamp: 'last_edited_time', direction: 'ascending' }])).toEqual([alpha, beta, gamma, delta])
    expect(await sorted([{ property: 'Created', direction: 'descending' }])).toEqual([delta, gamma, beta, alpha])
  })
})
