import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PropertyConfig } from '../../src/domain/properties.js'
import { findDataSource, saveSchema, schemaOf } from '../../src/storage/repositories/data-sources.repository.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * Formulas cannot take the server down (security report: "A formula takes the server down",
 * "Catastrophic regexes get through"), through the real server and the official SDK:
 * - the ~42,000-character `lets(a0,0,…,a3999,3999,1)` that used to block the event loop for seconds
 *   per save and exhaust the heap on the fifth is refused with validation_error naming the property,
 *   however often it is sent, and the server keeps answering;
 * - large formulas within the limits save repeatedly without the heap growing without bound (each
 *   formula compiles once, linearly);
 * - a data source whose stored formulas are over the limits (written before the limits existed)
 *   reads and saves without stalling; those formulas read as `unsupported`;
 * - `test(…, "(a|a)*c")` answers at once (RE2, linear time) with the right result.
 * Bounds on time and memory are generous guards against a hang or a leak, not speed targets.
 */

const rt = (content: string) => [{ type: 'text' as const, text: { content } }]

/** The report's formula: 4,000 `lets` bindings, 41,787 characters. */
function reportLets(offset = 0): string {
  let s = 'lets('
  for (let i = 0; i < 4000; i++) s += `a${i},${i + offset},`
  return `${s}1)`
}

/** A valid formula within the limits: `count` lets bindings of three-letter names (6 characters each). */
function bigLets(count: number, seed: number): string {
  const A = 'abcdefghijklmnopqrstuvwxyz'
  const names: string[] = []
  for (const x of A) for (const y of A) for (const z of A) if (names.length < count) names.push(x + y + z)
  return `lets(${names.map((n, i) => `${n},${(i + seed) % 10}`).join(',')},${names[count - 1]}+${seed})`
}

describe('formulas cannot take the server down', () => {
  let server: TestServer
  let notion: ReturnType<TestServer['client']>
  let root: string
  let actor: string

  beforeAll(async () => {
    server = await startTestServer()
    const s = await seedBasic(server)
    await s.share(s.pages.root.id)
    notion = server.client(s.token)
    root = s.pages.root.id
    actor = s.owner.id
  })
  afterAll(async () => {
    await server.stop()
  })

  async function dataSource() {
    const db = (await notion.databases.create({
      parent: { type: 'page_id', page_id: root },
      title: rt('Formulas'),
      initial_data_source: {
        properties: { Name: { title: {} }, Qty: { number: {} }, Double: { formula: { expression: 'prop("Qty") * 2' } } },
      },
    })) as any
    const dsId = db.data_sources[0].id as string
    const row = await notion.pages.create({
      parent: { data_source_id: dsId },
      properties: { Name: { title: rt('Row') }, Qty: { number: 21 } } as any,
    })
    return { dsId, rowId: row.id }
  }

  it(
    'refuses the 42,000-character lets() formula with validation_error naming the property, every time, and keeps answering',
    { timeout: 60_000 },
    async () => {
      const { dsId, rowId } = await dataSource()
      const expression = reportLets()
      expect(expression.length).toBe(41_787)
      for (let i = 0; i < 6; i++) {
        const started = Date.now()
        const e = await apiError(notion.dataSources.update({ data_source_id: dsId, properties: { Evil: { formula: { expression } } } }))
        expect(e.status).toBe(400)
        expect(e.code).toBe('validation_error')
        expect(e.message).toBe('Formula "Evil": Formula is too long (more than 20000 characters).')
        expect(Date.now() - started).toBeLessThan(5_000)
      }
      // Creating a database with it is refused the same way.
      const c = await apiError(
        notion.databases.create({
          parent: { type: 'page_id', page_id: root },
          title: rt('Evil'),
          initial_data_source: { properties: { Name: { title: {} }, Evil: { formula: { expression: reportLets(1) } } } },
        }),
      )
      expect(c.code).toBe('validation_error')
      expect(c.message).toMatch(/^Formula "Evil": Formula is too long/)
      // The server still answers, and nothing was stored.
      const started = Date.now()
      const ds = (await notion.dataSources.retrieve({ data_source_id: dsId })) as any
      expect(ds.properties.Evil).toBeUndefined()
      const page = (await notion.pages.retrieve({ page_id: rowId })) as any
      expect(page.properties.Double.formula).toEqual({ type: 'number', number: 42 })
      expect(Date.now() - started).toBeLessThan(5_000)
    },
  )

  it('refuses a formula within the length limit but over the compile budget, naming the property', async () => {
    const { dsId } = await dataSource()
    const chunk = '1+'.repeat(499) + '1'
    const expression = `[${Array(11).fill(chunk).join(',')}].length()`
    expect(expression.length).toBeLessThan(20_000)
    const e = await apiError(notion.dataSources.update({ data_source_id: dsId, properties: { Heavy: { formula: { expression } } } }))
    expect(e.code).toBe('validation_error')
    expect(e.message).toMatch(/^Formula "Heavy": Formula is too complex \(more than 10000 operations and variables\)/)
    const deep = await apiError(
      notion.dataSources.update({
        data_source_id: dsId,
        properties: { Deep: { formula: { expression: `${'('.repeat(9_000)}1${')'.repeat(9_000)}` } } },
      }),
    )
    expect(deep.code).toBe('validation_error')
    expect(deep.message).toMatch(/^Formula "Deep": Formula is nested too deeply at position \d+\.$/)
  })

  it('saves large valid formulas repeatedly without the heap growing without bound, and reads them', { timeout: 120_000 }, async () => {
    const { dsId, rowId } = await dataSource()
    const heapBefore = process.memoryUsage().heapUsed
    // Formulas of 3,000 bindings (18,000 characters each): one kept, one replaced on every save.
    await notion.dataSources.update({ data_source_id: dsId, properties: { Kept: { formula: { expression: bigLets(3000, 100) } } } })
    for (let i = 0; i < 6; i++) {
      const started = Date.now()
      const expression = bigLets(3000, i)
      expect(expression.length).toBeLessThan(20_000)
      await notion.dataSources.update({ data_source_id: dsId, properties: { Big: { formula: { expression } } } })
      const page = (await notion.pages.retrieve({ page_id: rowId })) as any
      expect(page.properties.Big.formula).toEqual({ type: 'number', number: ((2999 + i) % 10) + i })
      expect(page.properties.Kept.formula).toEqual({ type: 'number', number: ((2999 + 100) % 10) + 100 })
      expect(page.properties.Double.formula).toEqual({ type: 'number', number: 42 })
      expect(Date.now() - started).toBeLessThan(5_000)
    }
    // A copy of the scope per binding retained ~4.5 million map entries per formula (hundreds of MB each).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(400 * 1024 * 1024)
    // The data source's formulas are bounded in total too (50,000 characters), so its first read after a restart is.
    const e = await apiError(
      notion.dataSources.update({ data_source_id: dsId, properties: { Third: { formula: { expression: bigLets(3000, 7) } } } }),
    )
    expect(e.code).toBe('validation_error')
    expect(e.message).toBe('Formula "Third": The formulas of this data source would be longer than 50000 characters in total.')
  })

  it(
    'reads and saves a data source whose stored formulas are over the limits without stalling (written before the limits)',
    { timeout: 60_000 },
    async () => {
      const { dsId, rowId } = await dataSource()
      // Store over-budget formulas directly, bypassing validation, as an older version would have.
      const db = server.deps.store.db
      const schema = schemaOf((await findDataSource(db, dsId))!)
      const chunk = '1+'.repeat(499) + '1'
      const poisoned: PropertyConfig[] = [
        { id: 'evl1', name: 'Evil 1', type: 'formula', config: { expression: reportLets(1) } },
        { id: 'evl2', name: 'Evil 2', type: 'formula', config: { expression: reportLets(2) } },
        { id: 'evl3', name: 'Evil 3', type: 'formula', config: { expression: reportLets(3) } },
        { id: 'hvy1', name: 'Heavy', type: 'formula', config: { expression: `[${Array(11).fill(chunk).join(',')}].length()` } },
        { id: 'uses', name: 'Uses evil', type: 'formula', config: { expression: 'prop("Evil 1") + 1' } },
      ]
      for (const p of poisoned) schema[p.id] = p
      await saveSchema(db, dsId, schema, { by: actor, actor: `user:${actor}`, time: new Date().toISOString() })

      let started = Date.now()
      const page = (await notion.pages.retrieve({ page_id: rowId })) as any
      for (const name of ['Evil 1', 'Evil 2', 'Evil 3', 'Heavy', 'Uses evil'])
        expect(page.properties[name].formula).toEqual({ type: 'unsupported', unsupported: {} })
      expect(page.properties.Double.formula).toEqual({ type: 'number', number: 42 })
      const q = (await notion.dataSources.query({ data_source_id: dsId })) as any
      expect(q.results).toHaveLength(1)
      expect(q.results[0].properties['Evil 2'].formula.type).toBe('unsupported')
      expect(Date.now() - started).toBeLessThan(5_000)

      // Saving another change does not recompile them into a stall, and the stored formulas stay readable.
      started = Date.now()
      await notion.dataSources.update({ data_source_id: dsId, properties: { Note: { rich_text: {} } } })
      const after = (await notion.pages.retrieve({ page_id: rowId })) as any
      expect(after.properties.Double.formula).toEqual({ type: 'number', number: 42 })
      expect(after.properties['Evil 3'].formula.type).toBe('unsupported')
      expect(Date.now() - started).toBeLessThan(5_000)

      // Replacing the poisoned formulas with valid ones (or removing them) repairs the data source.
      await notion.dataSources.update({
        data_source_id: dsId,
        properties: { 'Evil 1': { formula: { expression: 'prop("Qty") + 1' } }, 'Evil 2': null, 'Evil 3': null, Heavy: null },
      })
      await notion.dataSources.update({ data_source_id: dsId, properties: { Triple: { formula: { expression: 'prop("Qty") * 3' } } } })
      const repaired = (await notion.pages.retrieve({ page_id: rowId })) as any
      expect(repaired.properties['Evil 1'].formula).toEqual({ type: 'number', number: 22 })
      expect(repaired.properties['Uses evil'].formula).toEqual({ type: 'number', number: 23 })
      expect(repaired.properties.Triple.formula).toEqual({ type: 'number', number: 63 })
    },
  )

  it('matches (a|a)*c over long text at once, with the right result (RE2)', { timeout: 120_000 }, async () => {
    const { dsId } = await dataSource()
    await notion.dataSources.update({
      data_source_id: dsId,
      properties: {
        NoC: { formula: { expression: 'test(prop("Name"), "(a|a)*c")' } },
        Bang: { formula: { expression: 'test(prop("Name"), "(a|a)*!$")' } },
        Long: { formula: { expression: 'test(repeat("a", 9000) + "!", "(a|a)*c")' } },
        Replaced: { formula: { expression: 'replaceAll(prop("Name"), "(a|aa)+", "x")' } },
      },
    })
    const started = Date.now()
    const row = (await notion.pages.create({
      parent: { data_source_id: dsId },
      properties: { Name: { title: rt(`${'a'.repeat(27)}!`) } } as any,
    })) as any
    const p = (await notion.pages.retrieve({ page_id: row.id })) as any
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(p.properties.NoC.formula).toEqual({ type: 'boolean', boolean: false })
    expect(p.properties.Bang.formula).toEqual({ type: 'boolean', boolean: true })
    expect(p.properties.Long.formula).toEqual({ type: 'boolean', boolean: false })
    expect(p.properties.Replaced.formula).toEqual({ type: 'string', string: 'x!' })
    // Patterns RE2 cannot run are refused when saved.
    const e = await apiError(
      notion.dataSources.update({
        data_source_id: dsId,
        properties: { Look: { formula: { expression: 'test(prop("Name"), "a(?=!)")' } } },
      }),
    )
    expect(e.code).toBe('validation_error')
    expect(e.message).toBe(
      'Formula "Look": The pattern "a(?=!)" uses a lookahead or lookbehind, which formulas do not support at position 20.',
    )
  })
})
