import { describe, expect, it } from 'vitest'
import { NotionApiError } from '../errors/notion-error.js'
import { checkChangedFormulas, compileSchemaFormulas } from './formulas.js'
import type { PropertyConfig, Schema } from './properties.js'

/** Per-schema formula compilation: dependency order, errors, and the compile-once cache. */

const prop = (id: string, name: string, type: string, config: Record<string, unknown> = {}): PropertyConfig => ({ id, name, type, config })
const formula = (id: string, name: string, expression: string): PropertyConfig => prop(id, name, 'formula', { expression })
const schemaOf = (...props: PropertyConfig[]): Schema => Object.fromEntries(props.map((p) => [p.id, p]))
const NOW = new Date('2024-05-01T00:00:00Z')

describe('compileSchemaFormulas', () => {
  it('compiles formulas in dependency order, whatever the schema order', () => {
    const schema = schemaOf(
      formula('c', 'C', 'prop("B") + 1'),
      formula('b', 'B', 'prop("A") * 2'),
      formula('a', 'A', 'prop("Qty") + 1'),
      prop('q', 'Qty', 'number'),
      formula('t', 'T', '{{notion:block_property:c}} > 10'),
    )
    const compiled = compileSchemaFormulas(schema)
    for (const id of ['a', 'b', 'c', 't']) expect(compiled.get(id)).not.toBeInstanceOf(Error)
    const values: Record<string, unknown> = { q: 4 }
    const ev = (id: string): unknown => {
      const c = compiled.get(id)
      if (!c || c instanceof Error) throw new Error(`no ${id}`)
      return c.evaluate({ property: (pid) => (schema[pid]?.type === 'formula' ? ev(pid) : values[pid]), now: NOW })
    }
    expect(ev('c')).toEqual({ type: 'number', number: 11 })
    expect(ev('t')).toEqual({ type: 'boolean', boolean: true })
  })

  it('gives cycles, formulas using them, and self-references their errors', () => {
    const compiled = compileSchemaFormulas(
      schemaOf(
        formula('x', 'X', 'prop("Y") + 1'),
        formula('y', 'Y', 'prop("X") + 1'),
        formula('z', 'Z', 'prop("Y") * 2'),
        formula('s', 'S', 'prop("S") + 1'),
        formula('ok', 'Ok', '1'),
      ),
    )
    expect((compiled.get('x') as Error).message).toMatch(/^Formula property "Y" has no known result type/)
    expect((compiled.get('y') as Error).message).toMatch(/^Formula property "X" has no known result type/)
    expect((compiled.get('z') as Error).message).toMatch(/^Formula property "Y" has no known result type/)
    expect((compiled.get('s') as Error).message).toBe('Property "S" does not exist at position 6.')
    expect(compiled.get('ok')).not.toBeInstanceOf(Error)
  })

  it('compiles a formula once per expression and referenced properties: other changes reuse it', () => {
    const base = [
      prop('q', 'Qty', 'number'),
      prop('n', 'Name', 'title'),
      formula('f', 'F', 'prop("Qty") * 2'),
      formula('g', 'G', 'prop("F") + 1'),
    ]
    const first = compileSchemaFormulas(schemaOf(...base))
    // Adding, renaming or retyping a property the formulas do not read: the same compiled objects.
    const second = compileSchemaFormulas(schemaOf(...base, prop('x', 'Extra', 'rich_text'), prop('n', 'Title', 'title')))
    expect(second.get('f')).toBe(first.get('f'))
    expect(second.get('g')).toBe(first.get('g'))
    // Retyping a property a formula reads recompiles it (and what depends on its result type).
    const third = compileSchemaFormulas(schemaOf(...base.map((p) => (p.id === 'q' ? prop('q', 'Qty', 'rich_text') : p))))
    expect((third.get('f') as Error).message).toMatch(/^Operator "\*" cannot be applied to text and number/)
    expect((third.get('g') as Error).message).toMatch(/no known result type/)
  })

  it('caches errors too, so an over-limit stored formula costs nothing on each read', () => {
    const huge = formula('h', 'Huge', `lets(${'a,1,'.repeat(6000)}a)`)
    const a = compileSchemaFormulas(schemaOf(huge)).get('h')
    const b = compileSchemaFormulas(schemaOf(prop('q', 'Qty', 'number'), huge)).get('h')
    expect(a).toBeInstanceOf(Error)
    expect(b).toBe(a)
  })
})

describe('checkChangedFormulas', () => {
  it('refuses a changed formula over the limits with validation_error naming the property', () => {
    const before = schemaOf(prop('q', 'Qty', 'number'))
    const after = schemaOf(prop('q', 'Qty', 'number'), formula('e', 'Evil', `lets(${'a,1,'.repeat(6000)}a)`))
    let error: unknown
    try {
      checkChangedFormulas(before, after)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(NotionApiError)
    expect((error as NotionApiError).code).toBe('validation_error')
    expect((error as NotionApiError).message).toBe('Formula "Evil": Formula is too long (more than 20000 characters).')
  })

  it("bounds the total length of a data source's formulas", () => {
    const big = (id: string, seed: number): PropertyConfig => formula(id, `Big ${id}`, `lets(${'a,1,'.repeat(4000)}a+${seed})`) // 16,008 characters
    const three = schemaOf(big('a', 1), big('b', 2), big('c', 3))
    expect(() => checkChangedFormulas(schemaOf(), three)).not.toThrow()
    let error: unknown
    try {
      checkChangedFormulas(three, schemaOf(big('a', 1), big('b', 2), big('c', 3), big('d', 4)))
    } catch (e) {
      error = e
    }
    expect((error as NotionApiError).message).toBe(
      'Formula "Big d": The formulas of this data source would be longer than 50000 characters in total.',
    )
    // Stored past the budget (an older version): the formulas past it, in schema order, do not compile.
    const compiled = compileSchemaFormulas(schemaOf(big('a', 1), big('b', 2), big('c', 3), big('d', 4), formula('s', 'Small', '1')))
    expect(compiled.get('c')).not.toBeInstanceOf(Error)
    expect((compiled.get('d') as Error).message).toMatch(/longer than 50000 characters in total/)
    expect(compiled.get('s')).toBeInstanceOf(Error)
  })

  it('does not re-check unchanged stored formulas that no longer compile', () => {
    const stored = formula('e', 'Evil', `lets(${'a,1,'.repeat(6000)}a)`)
    expect(() => checkChangedFormulas(schemaOf(stored), schemaOf(stored, prop('q', 'Qty', 'number')))).not.toThrow()
  })
})
