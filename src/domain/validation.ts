import * as z from 'zod'
import { validationError } from '../errors/notion-error.js'

/**
 * Turns zod issues into Notion's `validation_error` grammar (docs/reference/notion-api.md §3.3):
 *   "body failed validation: body.children.length should be ≤ `100`, instead was `101`."
 *   "body failed validation. Fix one:\nbody.parent.page_id should be defined, instead was `undefined`.\n…"
 *   "path failed validation: path.page_id should be a valid uuid, instead was `\"PAGE_ID\"`."
 * Values are rendered as JSON inside backticks; every line ends with a period.
 */
export type InputPart = 'body' | 'query' | 'path'

function render(value: unknown): string {
  if (value === undefined) return '`undefined`'
  let json: string
  try {
    json = JSON.stringify(value) ?? String(value)
  } catch {
    json = String(value)
  }
  if (json.length > 200) json = `${json.slice(0, 200)}…`
  return `\`${json}\``
}

function pathOf(part: InputPart, path: PropertyKey[]): string {
  let out: string = part
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : `.${String(seg)}`
  return out
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  record: 'an object',
  array: 'an array',
  null: '`null`',
}

/** One line of the message for one issue (without trailing period). */
function describeIssue(part: InputPart, issue: z.core.$ZodIssue, root: unknown): string[] {
  const at = pathOf(part, issue.path)
  const input = 'input' in issue ? issue.input : valueAt(root, issue.path)
  switch (issue.code) {
    case 'invalid_type': {
      if (input === undefined) return [`${at} should be defined, instead was \`undefined\``]
      const expected = TYPE_WORDS[issue.expected] ?? issue.expected
      return [`${at} should be ${expected}, instead was ${render(input)}`]
    }
    case 'too_big': {
      if (issue.origin === 'array' || issue.origin === 'string') {
        const len = Array.isArray(input) || typeof input === 'string' ? input.length : '?'
        return [`${at}.length should be ≤ \`${String(issue.maximum)}\`, instead was \`${len}\``]
      }
      return [`${at} should be ≤ \`${String(issue.maximum)}\`, instead was ${render(input)}`]
    }
    case 'too_small': {
      if (issue.origin === 'array' || issue.origin === 'string') {
        const len = Array.isArray(input) || typeof input === 'string' ? input.length : '?'
        return [`${at}.length should be ≥ \`${String(issue.minimum)}\`, instead was \`${len}\``]
      }
      return [`${at} should be ≥ \`${String(issue.minimum)}\`, instead was ${render(input)}`]
    }
    case 'unrecognized_keys':
      return issue.keys.map(
        (k) => `${pathOf(part, [...issue.path, k])} should be not present, instead was ${render(valueAt(root, [...issue.path, k]))}`,
      )
    case 'invalid_format':
      if (issue.format === 'uuid' || issue.format === 'guid') return [`${at} should be a valid uuid, instead was ${render(input)}`]
      if (issue.format === 'url') return [`${at} should be a valid URL, instead was ${render(input)}`]
      return [`${at} should be a valid ${issue.format}, instead was ${render(input)}`]
    case 'invalid_value': {
      const options = issue.values.map((v) => `\`${JSON.stringify(v)}\``)
      const list =
        options.length <= 1
          ? options.join('')
          : options.length === 2
            ? `${options[0]} or ${options[1]}`
            : `${options.slice(0, -1).join(', ')}, or ${options.at(-1)}`
      return [`${at} should be ${list}, instead was ${render(input)}`]
    }
    case 'invalid_union': {
      if (input === undefined) return [`${at} should be defined, instead was \`undefined\``]
      // One line per alternative: its first problem, preferring a missing or wrong field over an extra one.
      const lines = issue.errors.flatMap((branch) => {
        const pick = branch.find((i) => i.code !== 'unrecognized_keys') ?? branch[0]
        return pick ? describeIssue(part, { ...pick, path: [...issue.path, ...pick.path] } as z.core.$ZodIssue, root).slice(0, 1) : []
      })
      const unique = [...new Set(lines)]
      return unique.length > 0 ? unique : [`${at} should be valid, instead was ${render(input)}`]
    }
    case 'custom':
      return [`${at} ${issue.message}, instead was ${render(input)}`]
    default:
      return [`${at} ${issue.message}`]
  }
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = root
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<PropertyKey, unknown>)[seg]
  }
  return cur
}

/** Formats zod issues as one Notion validation message. */
export function formatIssues(part: InputPart, issues: z.core.$ZodIssue[], root: unknown): string {
  const first = issues[0]
  if (!first) return `${part} failed validation.`
  if (first.code === 'invalid_union') {
    const lines = describeIssue(part, first, root)
    if (lines.length > 1) return `${part} failed validation. Fix one:\n${lines.map((l) => `${l}.`).join('\n')}`
    return `${part} failed validation: ${lines[0]}.`
  }
  const lines = describeIssue(part, first, root)
  return `${part} failed validation: ${lines[0]}.`
}

/**
 * Parses `input` with `schema`, or throws Notion's `validation_error`.
 * @throws NotionApiError validation_error
 */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, part: InputPart, at: PropertyKey[] = []): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true })
  if (result.success) return result.data
  const issues =
    at.length === 0 ? result.error.issues : result.error.issues.map((i) => ({ ...i, path: [...at, ...i.path] }) as z.core.$ZodIssue)
  throw validationError(formatIssues(part, issues, wrapAt(at, input)))
}

/** Builds an object in which `input` sits at `at`, so `valueAt` finds values by full path. */
function wrapAt(at: PropertyKey[], input: unknown): unknown {
  let root: unknown = input
  for (let i = at.length - 1; i >= 0; i--) {
    const seg = at[i] as PropertyKey
    root = typeof seg === 'number' ? Object.assign([], { [seg]: root }) : { [seg]: root }
  }
  return root
}

/**
 * A union that, when no alternative matches, reports every alternative's first problem as Notion
 * does ("body failed validation. Fix one:\nbody.parent.page_id should be defined…"). zod's own
 * union reports only the closest alternative.
 */
export function anyOf<const T extends readonly [z.ZodType, ...z.ZodType[]]>(...branches: T) {
  // For each object branch, the keys it requires (neither optional nor defaulted): an object input
  // lacking one fails that branch, so the first pass skips it without building its issues (a
  // `data_source_id` parent, the third branch, cost 60 µs of zod errors against 6 µs).
  const required = branches.map((b) =>
    b instanceof z.ZodObject
      ? Object.entries(b.shape as Record<string, z.ZodType>)
          .filter(([, v]) => v._zod.optin === undefined)
          .map(([k]) => k)
      : [],
  )
  return z.unknown().transform((input, ctx): z.output<T[number]> => {
    if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
      for (let i = 0; i < branches.length; i++) {
        if ((required[i] as string[]).some((k) => !Object.hasOwn(input, k))) continue
        const r = (branches[i] as z.ZodType).safeParse(input, { reportInput: true })
        if (r.success) return r.data as z.output<T[number]>
      }
    }
    // No branch matched: every branch's issues, in order.
    const errors: z.core.$ZodIssue[][] = []
    for (const b of branches) {
      const r = b.safeParse(input, { reportInput: true })
      if (r.success) return r.data as z.output<T[number]>
      errors.push(r.error.issues)
    }
    ctx.addIssue({ code: 'invalid_union', errors, input, message: 'Invalid input' } as never)
    return z.NEVER
  })
}

/**
 * Any JSON object, passed through as parsed (no copy). zod's `object`, `looseObject` and `record`
 * rebuild objects by assignment and so silently drop a key named `__proto__`; use this where the
 * keys are checked afterwards by hand (property maps, block update envelopes), so that such a key is
 * seen — refused as "should be not present", or taken as a property name.
 * Not an object → "should be an object" ("should be defined" when absent).
 */
export const JsonObject = z.unknown().transform((v, ctx): Record<string, unknown> => {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>
  ctx.addIssue({ code: 'invalid_type', expected: 'object', input: v, message: 'Invalid input' } as never)
  return z.NEVER
})
