import { describe, expect, it } from 'vitest'
import {
  compileFormula,
  FormulaError,
  formulaReferences,
  MAX_COMPILE_STEPS,
  MAX_EXPRESSION_LENGTH,
  type FormulaPropertyRef,
  type FormulaWireValue,
} from './index.js'

/**
 * Table tests of the formula engine, per function family. Expected values follow Notion's formula
 * 2.0 documentation (Notion help "Formula syntax" / "Formulas 2.0"); where Octavo chose a behaviour
 * Notion does not document, the test names say so.
 */

const PROPS: FormulaPropertyRef[] = [
  { id: 'title', name: 'Name', type: 'title' },
  { id: 'n%3A1', name: 'Price', type: 'number' },
  { id: 'qty', name: 'Qty', type: 'number' },
  { id: 'note', name: 'Note', type: 'rich_text' },
  { id: 'done', name: 'Done', type: 'checkbox' },
  { id: 'kind', name: 'Kind', type: 'select' },
  { id: 'st', name: 'Status', type: 'status' },
  { id: 'tags', name: 'Tags', type: 'multi_select' },
  { id: 'due', name: 'Due', type: 'date' },
  { id: 'span', name: 'Span', type: 'date' },
  { id: 'who', name: 'Owner', type: 'people' },
  { id: 'rel', name: 'Related', type: 'relation' },
  { id: 'url', name: 'Link', type: 'url' },
  { id: 'mail', name: 'Mail', type: 'email' },
  { id: 'tel', name: 'Phone', type: 'phone_number' },
  { id: 'files', name: 'Files', type: 'files' },
  { id: 'ct', name: 'Created', type: 'created_time' },
  { id: 'cb', name: 'Creator', type: 'created_by' },
  { id: 'uid', name: 'ID', type: 'unique_id' },
  { id: 'f', name: 'Total', type: 'formula', resultType: 'number' },
  { id: 'fs', name: 'Label', type: 'formula', resultType: 'string' },
  { id: 'fx', name: 'Untyped', type: 'rollup' },
  { id: 'fy', name: 'Cyclic', type: 'formula' },
  { id: 'ru', name: 'Sum of hours', type: 'rollup', resultType: 'number' },
  { id: 'ra', name: 'All tags', type: 'rollup' },
  { id: 'btn', name: 'Go', type: 'button' },
  { id: 'empty', name: 'Empty number', type: 'number' },
  { id: 'nodate', name: 'No date', type: 'date' },
]

const U1 = { object: 'user', id: 'u-1', name: 'Ada Lovelace', type: 'person', person: { email: 'ada@example.com' } }
const U2 = { object: 'user', id: 'u-2', name: 'Alan Turing', type: 'person', person: { email: 'alan@example.com' } }

const VALUES: Record<string, unknown> = {
  title: {
    id: 'title',
    type: 'title',
    title: [
      { type: 'text', text: { content: 'Write ' }, plain_text: 'Write ' },
      { type: 'text', text: { content: 'docs' }, plain_text: 'docs' },
    ],
  },
  'n%3A1': { type: 'number', number: 12.5 },
  qty: { type: 'number', number: 4 },
  note: { type: 'rich_text', rich_text: [{ type: 'text', text: { content: 'hello world' } }] },
  done: { type: 'checkbox', checkbox: true },
  kind: { type: 'select', select: { id: 'o1', name: 'Bug', color: 'red' } },
  st: { type: 'status', status: { id: 's1', name: 'In progress', color: 'blue' } },
  tags: {
    type: 'multi_select',
    multi_select: [
      { id: 't1', name: 'b' },
      { id: 't2', name: 'a' },
      { id: 't3', name: 'b' },
    ],
  },
  due: { type: 'date', date: { start: '2024-01-31', end: null, time_zone: null } },
  span: { type: 'date', date: { start: '2024-03-01T09:00:00.000Z', end: '2024-03-05T17:30:00.000Z', time_zone: null } },
  who: { type: 'people', people: [U1, U2] },
  rel: { type: 'relation', relation: [{ id: 'p-1' }, { id: 'p-2' }], has_more: false },
  url: { type: 'url', url: 'https://example.com' },
  mail: { type: 'email', email: null },
  tel: { type: 'phone_number', phone_number: '+1 555' },
  files: { type: 'files', files: [{ name: 'a.pdf', type: 'external', external: { url: 'https://x/a.pdf' } }] },
  ct: { type: 'created_time', created_time: '2024-02-10T08:15:00.000Z' },
  cb: { type: 'created_by', created_by: U2 },
  uid: { type: 'unique_id', unique_id: { prefix: 'T', number: 42 } },
  f: { type: 'formula', formula: { type: 'number', number: 50 } },
  fs: { type: 'formula', formula: { type: 'string', string: null } },
  fx: {
    type: 'rollup',
    rollup: { type: 'array', function: 'show_original', array: [{ type: 'rich_text', rich_text: [{ plain_text: 'free' }] }] },
  },
  ru: { type: 'rollup', rollup: { type: 'number', number: 7.5, function: 'sum' } },
  ra: {
    type: 'rollup',
    rollup: {
      type: 'array',
      function: 'show_original',
      array: [
        { type: 'number', number: 2 },
        { type: 'number', number: 3 },
      ],
    },
  },
  empty: { type: 'number', number: null },
  nodate: { type: 'date', date: null },
}

const NOW = new Date('2024-05-01T22:30:00.000Z') // a Wednesday; Thursday 08:30 in Sydney

function compile(expr: string) {
  return compileFormula(expr, PROPS)
}
function ev(
  expr: string,
  opts: { timeZone?: string; values?: Record<string, unknown>; pageTitle?: (id: string) => string | null } = {},
): FormulaWireValue {
  const values = opts.values ?? VALUES
  return compile(expr).evaluate({ property: (id) => values[id], now: NOW, timeZone: opts.timeZone, pageTitle: opts.pageTitle })
}
/** The bare result value (number, string, boolean or date object). */
function val(expr: string, opts?: Parameters<typeof ev>[1]): unknown {
  const w = ev(expr, opts)
  return (w as Record<string, unknown>)[w.type]
}
function fails(expr: string): FormulaError {
  try {
    compile(expr)
  } catch (e) {
    expect(e).toBeInstanceOf(FormulaError)
    return e as FormulaError
  }
  throw new Error(`expected ${expr} to fail`)
}

describe('formula: literals and operators', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['2 ^ 3 ^ 2', 512],
    ['-2 ^ 2', -4],
    ['2 ^ -1', 0.5],
    ['7 % 3', 1],
    ['-7 % 3', -1],
    ['1.5e3', 1500],
    ['.5 + 1', 1.5],
    ['--3', 3],
    ['+"42"', 42],
    ['2.abs() + 0.5.abs()', 2.5],
  ])('%s = %s', (expr, want) => {
    expect(ev(expr)).toEqual({ type: 'number', number: want })
  })

  it('compares numbers, text, dates and booleans', () => {
    expect(val('3 > 2')).toBe(true)
    expect(val('3 >= 3 and 2 <= 1')).toBe(false)
    expect(val('"apple" < "banana"')).toBe(true)
    expect(val('parseDate("2024-01-01") < parseDate("2024-01-02")')).toBe(true)
    expect(val('true > false')).toBe(true)
    expect(val('1 == 1 && 2 != 3')).toBe(true)
    expect(val('"a" == "a" || false')).toBe(true)
    expect(val('[1, 2] == [1, 2]')).toBe(true)
    expect(val('prop("Owner") == prop("Owner")')).toBe(true)
  })

  it('logic: not, !, and/or short-circuit', () => {
    expect(val('not true')).toBe(false)
    expect(val('!false')).toBe(true)
    expect(val('not (1 > 2)')).toBe(true)
    expect(val('false and (1 / 0 > 0)')).toBe(false)
    expect(val('and(true, true, false)')).toBe(false)
    expect(val('or(false, true)')).toBe(true)
    expect(val('larger(3, 2) and largerEq(2, 2) and smaller(1, 2) and smallerEq(2, 2) and equal(1, 1) and unequal("a", "b")')).toBe(true)
    expect(val('add("a", 1)')).toBe('a1')
    expect(fails('equal(1, "1")').message).toBe('Cannot compare number with text using "==" at position 1.')
    expect(fails('add(1)').message).toBe('add() takes 2 arguments but got 1 at position 1.')
  })

  it('text + anything concatenates (formula 2.0 converts the other side with format())', () => {
    expect(val('"n=" + 3')).toBe('n=3')
    expect(val('1 + "x"')).toBe('1x')
    expect(val('"done: " + prop("Done")')).toBe('done: true')
    expect(val('"due " + prop("Due")')).toBe('due January 31, 2024')
  })

  it('the ternary and if/ifs pick a branch; conditions must be booleans', () => {
    expect(val('1 > 2 ? "a" : "b"')).toBe('b')
    expect(val('true ? false ? 1 : 2 : 3')).toBe(2)
    expect(val('if(prop("Done"), "yes", "no")')).toBe('yes')
    expect(val('ifs(prop("Qty") > 10, "many", prop("Qty") > 3, "some", "few")')).toBe('some')
    expect(val('ifs(false, 1, false, 2, 3)')).toBe(3)
    expect(ev('ifs(false, 1, false, 2)')).toEqual({ type: 'number', number: null })
  })

  it('let and lets bind variables, later bindings see earlier ones', () => {
    expect(val('let(x, 3, x * x)')).toBe(9)
    expect(val('lets(a, 2, b, a + 1, a * b)')).toBe(6)
    expect(val('let(x, 1, let(x, x + 1, x))')).toBe(2)
    expect(val('let(name, prop("Name"), upper(name))')).toBe('WRITE DOCS')
  })

  it('/* comments */ and line breaks are ignored', () => {
    expect(val('1 /* one */ +\n  2')).toBe(3)
  })
})

describe('formula: properties', () => {
  it.each([
    ['prop("Name")', 'Write docs'],
    ['prop("Note")', 'hello world'],
    ['prop("Kind")', 'Bug'],
    ['prop("Status")', 'In progress'],
    ['prop("Link")', 'https://example.com'],
    ['prop("Phone")', '+1 555'],
    ['prop("Tags")', 'b,a,b'],
    ['prop("Owner")', 'Ada Lovelace,Alan Turing'],
    ['prop("Creator")', 'Alan Turing'],
    ['prop("Related")', 'p-1,p-2'],
    ['prop("Files")', 'a.pdf'],
    ['prop("Untyped")', 'free'],
    ['prop("All tags")', '2,3'],
  ])('%s reads as text %j', (expr, want) => {
    expect(ev(expr)).toEqual({ type: 'string', string: want })
  })

  it('unique ids read as text "<prefix>-<number>" (Notion help "Formula syntax": Unique ID → Text)', () => {
    expect(ev('prop("ID")')).toEqual({ type: 'string', string: 'T-42' })
    expect(val('prop("ID").split("-").last()')).toBe('42')
    expect(val('prop("ID")', { values: { uid: { type: 'unique_id', unique_id: { prefix: null, number: 7 } } } })).toBe('7')
    expect(ev('prop("ID")', { values: { uid: { type: 'unique_id', unique_id: { prefix: 'T', number: null } } } })).toEqual({
      type: 'string',
      string: null,
    })
  })

  it('numbers, checkboxes, formula and rollup values keep their types', () => {
    expect(ev('prop("Price")')).toEqual({ type: 'number', number: 12.5 })
    expect(ev('prop("Done")')).toEqual({ type: 'boolean', boolean: true })
    expect(ev('prop("Total") + 1')).toEqual({ type: 'number', number: 51 })
    expect(ev('prop("Sum of hours") * 2')).toEqual({ type: 'number', number: 15 })
    expect(val('sum(prop("All tags"))')).toBe(5)
  })

  it('dates from date and created_time properties', () => {
    expect(ev('prop("Due")')).toEqual({ type: 'date', date: { start: '2024-01-31', end: null, time_zone: null } })
    expect(ev('prop("Span")')).toEqual({
      type: 'date',
      date: { start: '2024-03-01T09:00:00.000Z', end: '2024-03-05T17:30:00.000Z', time_zone: null },
    })
    expect(ev('prop("Created")')).toEqual({ type: 'date', date: { start: '2024-02-10T08:15:00.000Z', end: null, time_zone: null } })
  })

  it('a date with a time_zone and no offset is read in that zone', () => {
    const values = { due: { type: 'date', date: { start: '2024-06-01T09:00:00', end: null, time_zone: 'America/New_York' } } }
    expect(ev('prop("Due")', { values })).toEqual({ type: 'date', date: { start: '2024-06-01T13:00:00.000Z', end: null, time_zone: null } })
  })

  it('people and pages: name(), email(), id(), and titles when the caller supplies them', () => {
    expect(val('prop("Owner").map(current.email()).join("; ")')).toBe('ada@example.com; alan@example.com')
    expect(val('prop("Creator").name()')).toBe('Alan Turing')
    expect(val('prop("Related").map(current.id())')).toBe('p-1,p-2')
    expect(val('prop("Related")', { pageTitle: (id) => (id === 'p-1' ? 'First' : null) })).toBe('First,p-2')
    expect(val('prop("Related").length()')).toBe(2)
  })

  it('properties referenced by id in the {{notion:block_property:…}} style', () => {
    expect(val('{{notion:block_property:qty:00000000-0000-0000-0000-000000000000:abc}} * 2')).toBe(8)
    expect(val('{{notion:block_property:n%3A1}} + 0.5')).toBe(13)
  })

  it('bare inner values are accepted as property values', () => {
    const values: Record<string, unknown> = {
      qty: 9,
      title: [{ type: 'text', text: { content: 'Bare' }, plain_text: 'Bare' }],
      kind: { id: 'o1', name: 'Bug', color: 'red' },
      tags: [{ name: 'x' }, { name: 'y' }],
      due: { start: '2024-01-02', end: null, time_zone: null },
      who: [U1],
      cb: U2,
      rel: [{ id: 'p-9' }],
      ct: '2024-02-10T08:15:00.000Z',
      uid: { prefix: 'T', number: 3 },
      f: { type: 'number', number: 5 },
      ru: 2.5,
      ra: [
        { type: 'number', number: 1 },
        { type: 'title', title: [{ plain_text: 'z' }] },
      ],
    }
    expect(val('prop("Qty") + 1', { values })).toBe(10)
    expect(
      val('prop("Name") + prop("Kind") + prop("Tags") + prop("Owner") + "|" + prop("Creator") + prop("Related") + prop("ID")', { values }),
    ).toBe('BareBugx,yAda Lovelace|Alan Turingp-9T-3')
    expect(val('prop("Creator").email()', { values })).toBe('alan@example.com')
    expect(val('date(prop("Due")) + hour(prop("Created"))', { values })).toBe(10)
    expect(val('prop("Total") + prop("Sum of hours")', { values })).toBe(7.5)
    expect(val('prop("All tags")', { values })).toBe('1,z')
  })

  it('people that carry only ids get their names and emails from the context', () => {
    const values = {
      who: [
        { object: 'user', id: 'u-1' },
        { object: 'user', id: 'u-9' },
      ],
      cb: { type: 'created_by', created_by: { object: 'user', id: 'u-2' } },
    }
    const people: Record<string, { name: string; email: string }> = {
      'u-1': { name: 'Ada', email: 'ada@x' },
      'u-2': { name: 'Alan', email: 'alan@x' },
    }
    const c = compile('prop("Owner").map(current.name() + "<" + current.email() + ">").join(" ") + " / " + prop("Creator").name()')
    expect(c.evaluate({ property: (id) => (values as Record<string, unknown>)[id], now: NOW, person: (id) => people[id] ?? null })).toEqual(
      { type: 'string', string: 'Ada<ada@x> <> / Alan' },
    )
    expect(c.evaluate({ property: (id) => (values as Record<string, unknown>)[id], now: NOW })).toEqual({
      type: 'string',
      string: '<> <> / ',
    })
  })

  it('a rich text property named "text" (API versions before 2021-08-16) reads as text', () => {
    const c = compileFormula('upper(prop("Old"))', [{ id: 'o', name: 'Old', type: 'text' }])
    expect(c.evaluate({ property: () => ({ type: 'text', text: [{ plain_text: 'legacy' }] }), now: NOW })).toEqual({
      type: 'string',
      string: 'LEGACY',
    })
  })

  it('a bot as created_by reads as a person with its name', () => {
    const bot = { object: 'user', id: 'b-1', name: 'Importer', type: 'bot', bot: {} }
    expect(val('prop("Creator").name()', { values: { cb: { type: 'created_by', created_by: bot } } })).toBe('Importer')
    expect(val('prop("Creator").name()', { values: { cb: bot } })).toBe('Importer')
    expect(val('"<" + prop("Creator").email() + ">"', { values: { cb: bot } })).toBe('<>')
  })

  it('referencedPropertyIds lists each referenced property once, in first-use order', () => {
    expect(compile('prop("Qty") * prop("Price") + prop("Qty") + {{notion:block_property:done}}.toNumber()').referencedPropertyIds).toEqual([
      'qty',
      'n%3A1',
      'done',
    ])
    expect(compile('1 + 1').referencedPropertyIds).toEqual([])
  })
})

describe('formula: empty values', () => {
  it('an empty number or date propagates through arithmetic and date functions', () => {
    expect(ev('prop("Empty number") * 2')).toEqual({ type: 'number', number: null })
    expect(ev('abs(prop("Empty number"))')).toEqual({ type: 'number', number: null })
    expect(ev('dateAdd(prop("No date"), 1, "days")')).toEqual({ type: 'date', date: null })
    expect(ev('year(prop("No date"))')).toEqual({ type: 'number', number: null })
  })

  it('empty text is "" and reports as null; format(empty) is ""', () => {
    expect(ev('prop("Mail")')).toEqual({ type: 'string', string: null })
    expect(val('prop("Mail") + "!"')).toBe('!')
    expect(val('format(prop("Empty number")) + "|"')).toBe('|')
    expect(ev('prop("Label")')).toEqual({ type: 'string', string: null })
  })

  it('empty() is true for empty values, 0, "" and [] (Notion help "Formula syntax")', () => {
    for (const e of ['prop("Empty number")', 'prop("No date")', '0', '""', '[]', 'prop("Mail")']) expect(val(`empty(${e})`), e).toBe(true)
    for (const e of ['1', '"x"', '[0]', 'true', 'false', 'prop("Due")', 'prop("Tags")']) expect(val(`empty(${e})`), e).toBe(false)
  })

  it('comparisons with an empty value: == compares, ordering is false', () => {
    expect(val('prop("Empty number") == prop("Empty number")')).toBe(true)
    expect(val('prop("Empty number") == 0')).toBe(false)
    expect(val('prop("Empty number") > 0')).toBe(false)
    expect(val('prop("Empty number") < 0')).toBe(false)
  })

  it('a missing property value (undefined) reads as empty', () => {
    expect(ev('prop("Qty")', { values: {} })).toEqual({ type: 'number', number: null })
    expect(ev('prop("Tags").length()', { values: {} })).toEqual({ type: 'number', number: 0 })
    expect(ev('prop("Done")', { values: {} })).toEqual({ type: 'boolean', boolean: false })
  })

  it('division by zero and other non-finite numbers report as null (JSON has no Infinity); format() shows them', () => {
    expect(ev('1 / 0')).toEqual({ type: 'number', number: null })
    expect(ev('sqrt(-1)')).toEqual({ type: 'number', number: null })
    expect(val('format(1 / 0)')).toBe('Infinity')
    expect(val('1 / 0 > 1000')).toBe(true)
  })
})

describe('formula: math', () => {
  it.each([
    ['abs(-3)', 3],
    ['ceil(1.2)', 2],
    ['floor(-1.2)', -2],
    ['round(2.5)', 3],
    ['round(-2.5)', -2],
    ['round(1.2345, 2)', 1.23],
    ['sqrt(16)', 4],
    ['cbrt(27)', 3],
    ['exp(0)', 1],
    ['ln(e())', 1],
    ['log10(1000)', 3],
    ['log2(8)', 3],
    ['sign(-5)', -1],
    ['sign(0)', 0],
    ['max(1, 5, 3)', 5],
    ['min(4, 2, 8)', 2],
    ['max([1, 9], 3)', 9],
    ['sum(1, 2, 3)', 6],
    ['sum([])', 0],
    ['mean(1, 2, 3, 4)', 2.5],
    ['median(3, 1, 2)', 2],
    ['median([4, 1, 3, 2])', 2.5],
    ['pi() > 3.14 ? 1 : 0', 1],
    ['toNumber("42.5")', 42.5],
    ['toNumber(true)', 1],
    ['toNumber(parseDate("1970-01-02"))', 86_400_000],
    ['add(1, 2)', 3],
    ['subtract(5, 2)', 3],
    ['multiply(3, 4)', 12],
    ['divide(9, 3)', 3],
    ['mod(7, 4)', 3],
    ['pow(2, 10)', 1024],
    ['unaryMinus(4)', -4],
    ['timestamp(start(prop("Span"))) - timestamp(dateStart(prop("Span")))', 0],
  ])('%s = %s', (expr, want) => {
    expect(ev(expr)).toEqual({ type: 'number', number: want })
  })

  it('toNumber of text that is not a number is empty; aggregates of nothing are empty', () => {
    expect(ev('toNumber("abc")')).toEqual({ type: 'number', number: null })
    expect(ev('max([])')).toEqual({ type: 'number', number: null })
    expect(ev('mean([])')).toEqual({ type: 'number', number: null })
  })

  it('number → text uses the shortest round-trip form (format(1/3))', () => {
    expect(val('format(1/3)')).toBe('0.3333333333333333')
    expect(val('format(0.1 + 0.2)')).toBe('0.30000000000000004')
    expect(val('format(1e21)')).toBe('1e+21')
    expect(val('format(-0)')).toBe('0')
    expect(val('format(100)')).toBe('100')
  })
})

describe('formula: text', () => {
  it.each([
    ['length("héllo")', 5],
    ['length(prop("Name"))', 10],
    ['"abc".length()', 3],
  ])('%s = %s', (expr, want) => expect(val(expr)).toBe(want))

  it.each([
    ['substring("Notion", 1, 3)', 'ot'],
    ['substring("Notion", 2)', 'tion'],
    ['lower("ABC")', 'abc'],
    ['upper(prop("Kind"))', 'BUG'],
    ['trim("  x  ")', 'x'],
    ['repeat("ab", 3)', 'ababab'],
    ['padStart("7", 3, "0")', '007'],
    ['padEnd("7", 3, "-")', '7--'],
    ['replace("a-b-c", "-", "+")', 'a+b-c'],
    ['replaceAll("a-b-c", "-", "+")', 'a+b+c'],
    ['replace("2024-05-01", "(\\\\d+)-(\\\\d+)-(\\\\d+)", "$3/$2/$1")', '01/05/2024'],
    ['replaceAll(prop("Note"), "[aeiou]", "")', 'hll wrld'],
    ['match("a1b22c333", "\\\\d+")', '1,22,333'],
    ['concat("a", "b", "c")', 'abc'],
    ['join(["a", "b"], ", ")', 'a, b'],
    ['split("a,b,c", ",").reverse()', 'c,b,a'],
    ['split("one two")', 'one,two'],
    ['link("Docs", "https://example.com")', 'Docs'],
    ['style("Warn", "b", "red")', 'Warn'],
    ['unstyle("plain")', 'plain'],
    ['format(true)', 'true'],
    ['format([1, 2, 3])', '1,2,3'],
    ['slice("Notion", 0, 3)', 'Not'],
  ])('%s = %j', (expr, want) => expect(ev(expr)).toEqual({ type: 'string', string: want }))

  it('contains / test / includes', () => {
    expect(val('contains("Notion", "tio")')).toBe(true)
    expect(val('contains(prop("Name"), "xyz")')).toBe(false)
    expect(val('contains(prop("Tags"), "a")')).toBe(true)
    expect(val('test("abc123", "\\\\d{3}$")')).toBe(true)
    expect(val('test("ABC", "^[a-z]+$")')).toBe(false)
    expect(val('now().day().test("[67]")')).toBe(false)
    expect(val('includes("Notion", "No")')).toBe(true)
  })
})

describe('formula: dates', () => {
  it('now() and today() come from the injected clock; today() is the calendar day in the time zone', () => {
    expect(ev('now()')).toEqual({ type: 'date', date: { start: '2024-05-01T22:30:00.000Z', end: null, time_zone: null } })
    expect(ev('today()')).toEqual({ type: 'date', date: { start: '2024-05-01', end: null, time_zone: null } })
    expect(ev('today()', { timeZone: 'Australia/Sydney' })).toEqual({
      type: 'date',
      date: { start: '2024-05-02', end: null, time_zone: null },
    })
  })

  it.each([
    ['minute(now())', 30],
    ['hour(now())', 22],
    ['day(now())', 3],
    ['date(now())', 1],
    ['month(now())', 5],
    ['year(now())', 2024],
    ['week(parseDate("2024-01-01"))', 1],
    ['week(parseDate("2021-01-03"))', 53],
    ['day(parseDate("2024-01-07"))', 7],
    ['day(parseDate("2024-01-08"))', 1],
    ['month(prop("Due"))', 1],
    ['date(prop("Due"))', 31],
    ['timestamp(parseDate("1970-01-01T00:00:01Z"))', 1000],
  ])('%s = %s (UTC)', (expr, want) => expect(val(expr)).toBe(want))

  it('calendar fields of date-times are read in the time zone; date-only values are not shifted', () => {
    expect(val('hour(now())', { timeZone: 'Australia/Sydney' })).toBe(8)
    expect(val('day(now())', { timeZone: 'Australia/Sydney' })).toBe(4)
    expect(val('date(prop("Due"))', { timeZone: 'Pacific/Honolulu' })).toBe(31)
    expect(val('hour(now())', { timeZone: 'Not/AZone' })).toBe(22) // an unknown zone reads as UTC
  })

  it.each([
    ['dateAdd(prop("Due"), 1, "months")', '2024-02-29'],
    ['dateAdd(prop("Due"), 1, "years")', '2025-01-31'],
    ['dateAdd(prop("Due"), 1, "quarters")', '2024-04-30'],
    ['dateAdd(prop("Due"), 2, "weeks")', '2024-02-14'],
    ['dateAdd(prop("Due"), 1, "day")', '2024-02-01'],
    ['dateSubtract(prop("Due"), 31, "days")', '2023-12-31'],
    ['dateAdd(prop("Due"), 36, "hours")', '2024-02-01T12:00:00.000Z'],
    ['dateAdd(now(), 90, "minutes")', '2024-05-02T00:00:00.000Z'],
    ['dateSubtract(now(), 1, "seconds")', '2024-05-01T22:29:59.000Z'],
    ['fromTimestamp(0)', '1970-01-01T00:00:00.000Z'],
    ['parseDate("2024-05-01T10:00:00+02:00")', '2024-05-01T08:00:00.000Z'],
    ['dateStart(prop("Span"))', '2024-03-01T09:00:00.000Z'],
    ['dateEnd(prop("Span"))', '2024-03-05T17:30:00.000Z'],
    ['end(prop("Span"))', '2024-03-05T17:30:00.000Z'],
  ])('%s starts at %s', (expr, start) => {
    expect(ev(expr)).toEqual({ type: 'date', date: { start, end: null, time_zone: null } })
  })

  it('dateAdd keeps the wall-clock time across a DST change in the time zone', () => {
    const values = { due: { type: 'date', date: { start: '2024-03-09T12:00:00-05:00', end: null, time_zone: null } } }
    const w = ev('dateAdd(prop("Due"), 1, "days")', { values, timeZone: 'America/New_York' })
    expect(w).toEqual({ type: 'date', date: { start: '2024-03-10T16:00:00.000Z', end: null, time_zone: null } }) // 12:00 EDT
  })

  it('dateRange builds a range; ranges shift as a whole', () => {
    expect(ev('dateRange(prop("Due"), dateAdd(prop("Due"), 3, "days"))')).toEqual({
      type: 'date',
      date: { start: '2024-01-31', end: '2024-02-03', time_zone: null },
    })
    expect(ev('dateAdd(prop("Span"), 1, "days")')).toEqual({
      type: 'date',
      date: { start: '2024-03-02T09:00:00.000Z', end: '2024-03-06T17:30:00.000Z', time_zone: null },
    })
  })

  it.each([
    ['dateBetween(parseDate("2024-03-01"), parseDate("2024-01-31"), "months")', 1],
    ['dateBetween(parseDate("2024-01-31"), parseDate("2024-03-01"), "months")', -1],
    ['dateBetween(parseDate("2024-02-28"), parseDate("2024-01-31"), "months")', 0],
    ['dateBetween(parseDate("2025-01-30"), parseDate("2024-01-31"), "years")', 0],
    ['dateBetween(parseDate("2025-01-31"), parseDate("2024-01-31"), "years")', 1],
    ['dateBetween(now(), prop("Due"), "days")', 91],
    ['dateBetween(prop("Due"), now(), "days")', -91],
    ['dateBetween(now(), prop("Due"), "weeks")', 13],
    ['dateBetween(now(), parseDate("2024-05-01T20:00:00Z"), "hours")', 2],
    ['dateBetween(now(), parseDate("2024-05-01T20:00:00Z"), "minutes")', 150],
    ['dateBetween(parseDate("2024-07-01"), parseDate("2024-01-01"), "quarters")', 2],
  ])('%s = %s', (expr, want) => expect(val(expr)).toBe(want))

  it('formatDate uses moment-style tokens in the time zone', () => {
    expect(val('formatDate(now(), "YYYY-MM-DD HH:mm:ss")')).toBe('2024-05-01 22:30:00')
    expect(val('formatDate(now(), "dddd, MMMM Do YYYY, h:mm A")')).toBe('Wednesday, May 1st 2024, 10:30 PM')
    expect(val('formatDate(now(), "ddd MMM D YY [week] W Q")')).toBe('Wed May 1 24 week 18 2')
    expect(val('formatDate(now(), "YYYY-MM-DD HH:mm Z", )'.replace(', )', ')'), { timeZone: 'Asia/Kolkata' })).toBe(
      '2024-05-02 04:00 +05:30',
    )
    expect(val('formatDate(prop("Due"), "L")')).toBe('01/31/2024')
    expect(val('formatDate(now(), "X")')).toBe(String(NOW.getTime() / 1000))
    expect(val('formatDate(now(), "[Month of] MMMM, YYYY")')).toBe('Month of May, 2024')
  })

  it('formatDate takes an optional time zone: IANA names, abbreviations, UTC/GMT±hours', () => {
    expect(val('formatDate(now(), "YYYY-MM-DD HH:mm zz", "America/Chicago")')).toBe('2024-05-01 17:30 CDT')
    expect(val('now().formatDate("HH:mm", "GMT+1")')).toBe('23:30')
    expect(val('now().formatDate("HH:mm Z", "UTC-5")')).toBe('17:30 -05:00')
    expect(val('formatDate(now(), "HH:mm", "EST")')).toBe('17:30')
    expect(val('formatDate(now(), "HH:mm z")', { timeZone: 'UTC' })).toBe('22:30 UTC')
    expect(ev('formatDate(now(), "HH:mm", prop("Kind"))')).toEqual({ type: 'string', string: null }) // "Bug" is no zone
  })

  it('format() of dates: "MMMM D, YYYY" with " h:mm A" when there is a time, ranges with →', () => {
    expect(val('format(prop("Due"))')).toBe('January 31, 2024')
    expect(val('format(now())')).toBe('May 1, 2024 10:30 PM')
    expect(val('format(now())', { timeZone: 'Australia/Sydney' })).toBe('May 2, 2024 8:30 AM')
    expect(val('format(prop("Span"))')).toBe('March 1, 2024 9:00 AM → March 5, 2024 5:30 PM')
  })

  it('parseDate of something that is not ISO 8601 is empty', () => {
    expect(ev('parseDate("next tuesday")')).toEqual({ type: 'date', date: null })
    expect(ev('parseDate("2024-02-30")')).toEqual({ type: 'date', date: null })
  })
})

describe('formula: lists', () => {
  it.each([
    ['[1, 2, 3]', '1,2,3'],
    ['[3, 1, 2].sort()', '1,2,3'],
    ['sort(["b", "c", "a"])', 'a,b,c'],
    ['[3, 1, 2].sort().reverse()', '3,2,1'],
    ['prop("Tags").unique()', 'b,a'],
    ['[1, 2, 3, 4].slice(1, 3)', '2,3'],
    ['[1, 2, 3].slice(1)', '2,3'],
    ['[[1, 2], [3], 4].flat()', '1,2,3,4'],
    ['[1, 2, 3].map(current * index)', '0,2,6'],
    ['[1, 2, 3, 4].filter(current % 2 == 0)', '2,4'],
    ['concat([1], [2, 3])', '1,2,3'],
    ['prop("Owner").sort(current.name()).map(current.name())', 'Ada Lovelace,Alan Turing'],
    ['prop("Tags").map(upper(current)).join("|")', 'B|A|B'],
    ['[[1, 2], [3]].map(current.map(current * 10))', '10,20,30'],
    ['match("no digits", "\\\\d")', ''],
  ])('%s = %j', (expr, want) => expect(ev(expr)).toEqual({ type: 'string', string: want === '' ? null : want }))

  it.each([
    ['[10, 20, 30].at(1)', 20],
    ['[10, 20, 30].at(-1)', 30],
    ['first([5, 6])', 5],
    ['last([5, 6])', 6],
    ['[1, 2, 3].length()', 3],
    ['[4, 5, 6].findIndex(current == 5)', 1],
    ['[4, 5, 6].findIndex(current == 9)', -1],
    ['[4, 5, 6].find(current > 4)', 5],
    ['sum([1, 2, 3].map(current ^ 2))', 14],
  ])('%s = %s', (expr, want) => expect(val(expr)).toBe(want))

  it('some / every / includes', () => {
    expect(val('[1, 2, 3].some(current > 2)')).toBe(true)
    expect(val('[1, 2, 3].every(current > 2)')).toBe(false)
    expect(val('[].every(current > 2)')).toBe(true)
    expect(val('prop("Tags").includes("a")')).toBe(true)
    expect(val('includes([1, 2], 3)')).toBe(false)
  })

  it('an item that does not exist is empty', () => {
    expect(ev('first([1]).abs()')).toEqual({ type: 'number', number: 1 })
    expect(ev('[1, 2].at(5)')).toEqual({ type: 'number', number: null })
    expect(ev('[1, 2].find(current > 5)')).toEqual({ type: 'number', number: null })
    expect(ev('first(prop("Owner"))', { values: {} })).toEqual({ type: 'string', string: null })
  })

  it('a list of dates reports as text', () => {
    expect(ev('[parseDate("2024-01-01"), parseDate("2024-01-02")]')).toEqual({ type: 'string', string: 'January 1, 2024,January 2, 2024' })
  })
})

describe('formula: result types', () => {
  it.each([
    ['1', 'number'],
    ['"a"', 'string'],
    ['true', 'boolean'],
    ['now()', 'date'],
    ['[1]', 'string'],
    ['prop("Owner")', 'string'],
    ['prop("Creator")', 'string'],
    ['first(prop("Related"))', 'string'],
    ['prop("Untyped")', 'string'],
    ['prop("Total")', 'number'],
    ['if(true, prop("Due"), now())', 'date'],
    ['first([])', 'string'],
    ['prop("Sum of hours")', 'number'],
  ])('%s is typed %s', (expr, type) => {
    const c = compile(expr)
    expect(c.resultType).toBe(type)
    expect(c.evaluate({ property: (id) => VALUES[id], now: NOW }).type).toBe(type)
  })
})

describe('formula: errors at compile time', () => {
  it.each([
    ['', 'Formula is empty.'],
    ['1 +', 'Unexpected end of formula at position 4.'],
    ['(1 + 2', 'Expected ")" to close the parenthesis but found end of formula at position 7.'],
    ['1 2', 'Unexpected "2" at position 3; expected the end of the formula.'],
    ['"abc', 'Unterminated string at position 1.'],
    ['1 # 2', 'Unexpected character "#" at position 3.'],
    ['max(1,', 'Unexpected end of formula at position 7.'],
    ['[1, 2', 'Expected "]" to close the list but found end of formula at position 6.'],
    ['12abc', 'Invalid number "12a" at position 1.'],
    ['/* never closed', 'Unterminated comment at position 1.'],
    ['x.(1)', 'Expected a function name after "." but found "(" at position 3.'],
    ['{{notion:user:abc}}', 'Unsupported reference "{{notion:user:abc}}" at position 1; use prop("Name").'],
  ])('syntax: %j → %s', (expr, message) => {
    const e = fails(expr)
    expect(e.message).toBe(message)
  })

  it('syntax errors carry a 0-based position', () => {
    expect(fails('1 + * 2').position).toBe(4)
  })

  it.each([
    ['foo(1)', 'Unknown function "foo" at position 1.'],
    ['x + 1', 'Unknown variable "x" at position 1.'],
    ['current + 1', '"current" can only be used inside map(), filter(), find(), findIndex(), some(), every() or sort() at position 1.'],
    ['prop("Nope")', 'Property "Nope" does not exist at position 6.'],
    ['prop(1)', 'prop() takes one argument: the property name in quotes, like prop("Name") at position 1.'],
    ['{{notion:block_property:zzz}}', 'The referenced property "zzz" does not exist at position 1.'],
    ['prop("Go")', 'Property "Go" is of type button, which formulas cannot read at position 1.'],
    ['id()', "id() without an argument (the current page's id) is not supported in Octavo formulas at position 1."],
    [
      'prop("Related").map(current.prop("Name"))',
      'Reading a property of another page (….prop()) is not supported in Octavo formulas at position 29.',
    ],
    [
      'prop("Cyclic") + 1',
      'Formula property "Cyclic" has no known result type: it refers back to this formula (a circular reference) or does not compile itself at position 1.',
    ],
    [
      'null',
      'There is no null literal in Notion formulas; an empty value comes from an empty property or a function such as first([]) at position 1.',
    ],
  ])('unknown or unsupported: %s', (expr, message) => {
    expect(fails(expr).message).toBe(message)
  })

  it.each([
    ['if(true, 1, "a")', 'Both branches of if() must have the same type, but they are number and text at position 1.'],
    ['true ? 1 : "a"', 'Both branches of "? :" must have the same type, but they are number and text at position 1.'],
    ['ifs(true, 1, "x")', 'All values of ifs() must have the same type, but number and text differ at position 14.'],
    ['if(1, 2, 3)', 'Expected boolean for the condition of if(), but got number at position 4.'],
    ['1 + true', 'Operator "+" cannot be applied to number and boolean at position 3.'],
    ['now() - 1', 'Operator "-" cannot be applied to date and number at position 7.'],
    ['"a" * 2', 'Operator "*" cannot be applied to text and number at position 5.'],
    ['1 == "1"', 'Cannot compare number with text using "==" at position 3.'],
    ['1 < "2"', 'Operator "<" cannot be applied to number and text at position 3.'],
    ['1 and true', 'Expected boolean for the left side of "and", but got number at position 1.'],
    ['not 1', 'Expected boolean for the operand of "not", but got number at position 5.'],
    ['-"a"', 'Expected number for the operand of "-", but got text at position 2.'],
    ['abs("x")', 'Argument of type text does not satisfy function abs(): argument 1 must be number at position 5.'],
    ['"x".abs()', 'Argument of type text does not satisfy function abs(): the value before .abs() must be number at position 1.'],
    ['dateAdd(now(), "1", "days")', 'Argument of type text does not satisfy function dateAdd(): argument 2 must be number at position 16.'],
    [
      'dateAdd(formatDate(now(), "MMMM DD YYYY"), 4, "months")',
      'Argument of type text does not satisfy function dateAdd(): argument 1 must be date at position 9.',
    ],
    ['length(5)', 'Argument of type number does not satisfy function length(): argument 1 must be text or list at position 8.'],
    ['formatDate(now(), "LT", "Mars/Olympus")', 'Unknown time zone "Mars/Olympus" at position 25.'],
    ['round(1, 2, 3)', 'round() takes 1 to 2 arguments but got 3 at position 1.'],
    ['now(1)', 'now() takes 0 arguments but got 1 at position 1.'],
    ['abs()', 'abs() takes 1 argument but got 0 at position 1.'],
    ['let(1, 2, 3)', 'Expected a variable name as argument 1 of let() at position 5.'],
    ['let(x, 1)', 'let() takes 3 arguments: a variable name, its value, and an expression at position 1.'],
    ['[1].map(current, 2)', 'map() takes 2 arguments: a list and an expression using current at position 5.'],
    ['[1].filter(current + 1)', 'Expected boolean for the condition of filter(), but got number at position 20.'],
    ['"abc".map(current)', 'Expected a list for the value before .map(), but got text at position 1.'],
    [
      'dateAdd(now(), 1, "fortnights")',
      'Unknown date unit "fortnights"; use years, quarters, months, weeks, days, hours, minutes, seconds or milliseconds at position 19.',
    ],
    ['test("a", "(")', 'The pattern "(" is not a valid regular expression (missing closing ): `(`) at position 11.'],
    ['replace("aa", "(a)\\\\1", "")', 'The pattern "(a)\\1" uses a backreference, which formulas do not support at position 15.'],
    ['test("ab", "a(?=b)")', 'The pattern "a(?=b)" uses a lookahead or lookbehind, which formulas do not support at position 12.'],
    ['match("ab", "(?<!a)b")', 'The pattern "(?<!a)b" uses a lookahead or lookbehind, which formulas do not support at position 13.'],
  ])('type: %s', (expr, message) => {
    expect(fails(expr).message).toBe(message)
  })

  it('deeply nested or very long formulas are refused, not a stack overflow', () => {
    expect(fails(`${'('.repeat(5000)}1${')'.repeat(5000)}`).message).toMatch(/^Formula is nested too deeply at position \d+\.$/)
    expect(fails(`${'-'.repeat(5000)}1`).message).toMatch(/nested too deeply/)
    expect(fails('1+'.repeat(10_001) + '1').message).toBe('Formula is too long (more than 20000 characters).')
    expect(fails('1+'.repeat(9_000) + '1').message).toMatch(/^Formula is nested too deeply at position \d+\.$/)
    expect(fails(`1${'.abs()'.repeat(2500)}`).message).toMatch(/nested too deeply/)
    expect(val('1+'.repeat(900) + '1')).toBe(901)
    expect(val(`"a"${'+"a"'.repeat(900)}`)).toBe('a'.repeat(901))
  })
})

describe('formula: evaluation never throws', () => {
  it('a dynamic pattern that is invalid or that RE2 does not support makes the result empty', () => {
    expect(ev('test("abc", prop("Kind") + "(")')).toEqual({ type: 'boolean', boolean: null })
    expect(ev('replaceAll("aaaa", "a(?" + "=a)", "")')).toEqual({ type: 'string', string: null })
    expect(ev('replaceAll("aaab", "(a" + "+)+", "-")')).toEqual({ type: 'string', string: '-b' })
  })

  it('an unknown dynamic unit makes the result empty', () => {
    expect(ev('dateAdd(now(), 1, prop("Kind"))')).toEqual({ type: 'date', date: null })
  })

  it('runaway work makes the result empty instead of holding the server', () => {
    const t0 = Date.now()
    expect(ev('[1, 2, 3].map(repeat("x", 300000)).length()')).toEqual({ type: 'number', number: 3 })
    expect(ev('[1, 2, 3, 4].map(repeat("x", 300000)).length()')).toEqual({ type: 'number', number: null })
    expect(ev('split(repeat("ab", 50000), "").map(repeat("x", 500000)).length()')).toEqual({ type: 'number', number: null })
    expect(ev('lets(l, split(repeat("a", 90000), ""), l.map(l.some(current == "b")).length())')).toEqual({ type: 'number', number: null })
    expect(ev('split(repeat("a", 90000), "").unique()')).toEqual({ type: 'string', string: 'a' })
    expect(Date.now() - t0).toBeLessThan(10_000) // a guard against a hang, not a speed target
  })

  it('runaway text sizes make the result empty', () => {
    expect(ev('repeat("x", 1e9)')).toEqual({ type: 'string', string: null })
    expect(ev('padStart("x", 1e9, "y")')).toEqual({ type: 'string', string: null })
  })

  it('values of unknown type are checked when used', () => {
    const values = { fx: { type: 'rollup', rollup: { type: 'number', number: 5, function: 'sum' } } }
    expect(compile('prop("Untyped") * 2').resultType).toBe('number')
    expect(ev('prop("Untyped") * 2', { values })).toEqual({ type: 'number', number: 10 })
    expect(ev('prop("Untyped") * 2')).toEqual({ type: 'number', number: null }) // a list of text
    expect(ev('prop("Untyped") + 1', { values })).toEqual({ type: 'string', string: '6' })
    expect(ev('prop("Untyped") + 1')).toEqual({ type: 'string', string: null })
    expect(ev('prop("Untyped") + "!"')).toEqual({ type: 'string', string: 'free!' })
  })

  it('malformed property values read as empty', () => {
    const values = {
      qty: { type: 'number', number: 'seven' },
      tags: { type: 'multi_select', multi_select: 'oops' },
      due: { type: 'date', date: { start: 'garbage' } },
    }
    expect(ev('prop("Qty") + 1', { values })).toEqual({ type: 'number', number: null })
    expect(ev('prop("Tags").length()', { values })).toEqual({ type: 'number', number: 0 })
    expect(ev('prop("Due")', { values })).toEqual({ type: 'date', date: null })
  })
})

describe('formula: work budgets (compile and evaluation are linear and bounded)', () => {
  /** `count` distinct variable names of three letters. */
  const names = (count: number): string[] => {
    const out: string[] = []
    const A = 'abcdefghijklmnopqrstuvwxyz'
    for (const x of A) for (const y of A) for (const z of A) if (out.length < count) out.push(x + y + z)
    return out
  }

  it('binds thousands of lets() variables with one step each, and shadowing is undone on leaving', () => {
    const vs = names(3000)
    const expr = `lets(${vs.map((v, i) => `${v},${i % 7}`).join(',')},${vs[2999]}+${vs[0]})`
    const c = compile(expr)
    expect(c.size).toBe(1 + 2 * 3000 + 3) // the call, a name and a value per binding, the body
    expect(c.evaluate({ property: () => undefined, now: NOW })).toEqual({ type: 'number', number: 2999 % 7 })
    expect(val('lets(x, 1, y, let(x, 2, x * 10), x + y)')).toBe(21)
    expect(val('lets(x, 1, x, x + 1, x, x * 5, x)')).toBe(10)
    expect(val('[1, 2].map(let(x, current * 5, x))')).toBe('5,10')
    expect(val('[[1, 2], [3]].map(current.map(current * 10)).flat()')).toEqual('10,20,30')
    expect(fails('let(x, 1, x) + x').message).toBe('Unknown variable "x" at position 16.')
    expect(fails('[1].map(current) + [index]').message).toMatch(/^"index" can only be used inside/)
  })

  it('refuses a formula over the compile budget with a FormulaError naming the limit', () => {
    const chunk = '1+'.repeat(499) + '1' // 999 nodes, 999 characters, 500 deep
    const expr = `[${Array(11).fill(chunk).join(', ')}].length()` // ~11,000 nodes in ~11,000 characters
    expect(expr.length).toBeLessThan(MAX_EXPRESSION_LENGTH)
    expect(fails(expr).message).toMatch(
      new RegExp(`^Formula is too complex \\(more than ${MAX_COMPILE_STEPS} operations and variables\\) at position \\d+\\.$`),
    )
    expect(compile(`[${Array(9).fill(chunk).join(', ')}].length()`).size).toBeLessThanOrEqual(MAX_COMPILE_STEPS)
  })

  it('refuses the 42,000-character lets() of the security report by its length, before any work', () => {
    let expr = 'lets('
    for (let i = 0; i < 4000; i++) expr += `a${i},${i},`
    expr += '1)'
    expect(fails(expr).message).toBe(`Formula is too long (more than ${MAX_EXPRESSION_LENGTH} characters).`)
    expect(() => formulaReferences(expr)).toThrow(FormulaError)
  })

  it('charges each step of map()/filter()/sort() the size of its expression', () => {
    const body = 'length(current)' + ' + 1'.repeat(300) // 603 nodes, no text made
    // 2,000 steps × 603 nodes is over the 1,000,000 budget (1 per step before); 100 steps are not.
    expect(ev(`split(repeat("a", 2000), "").map(${body}).length()`)).toEqual({ type: 'number', number: null })
    expect(ev(`split(repeat("a", 2000), "").sort(${body}).length()`)).toEqual({ type: 'number', number: null })
    expect(ev(`split(repeat("a", 2000), "").filter(${body} > 0).length()`)).toEqual({ type: 'number', number: null })
    expect(ev(`split(repeat("a", 100), "").map(${body}).sum()`)).toEqual({ type: 'number', number: 30_100 })
  })

  it('matches regular expressions in linear time (RE2): overlapping alternations over long text', () => {
    const input = 'a'.repeat(9_000) + '!'
    expect(val(`test("${input}", "(a|a)*c")`)).toBe(false)
    expect(val(`test("${input}", "(a|a)*!")`)).toBe(true)
    expect(val(`test("${input}", "^(a+)+$")`)).toBe(false)
    expect(val(`replaceAll("${input}", "(a|aa)+", "x")`)).toBe('x!')
    expect(val('match("x1y22z333", "(?<n>\\\\d+)")')).toBe('1,22,333')
    expect(val('replace("2024-05-01", "(?<y>\\\\d+)-(?<m>\\\\d+)-(?<d>\\\\d+)", "$<d>.$<m>.$<y> $$ $&")')).toBe('01.05.2024 $ 2024-05-01')
    expect(val('test("café", "caf\\\\u00e9$")')).toBe(true)
    expect(val('replaceAll("a.b.c", "\\\\.", "")')).toBe('abc')
    expect(val('match("axb", "x*")')).toBe(',x,,')
  })
})
