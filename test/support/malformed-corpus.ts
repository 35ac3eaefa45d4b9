import fc from 'fast-check'

/**
 * The malformed-input corpus: seeded, generated requests over every route the running app
 * registers (Hono's `app.routes`), on every surface, and the checks each answer must pass.
 *
 * - Routes come from the app itself (`routesOf`), so a new route joins the corpus by construction.
 *   Path parameters are filled by the kind of object the path names (`…/pages/:id` → a page id):
 *   valid ids of seeded objects, ids of another kind, random UUIDs, malformed ids, percent garbage.
 * - Bodies (fast-check, seeded): a few valid-ish templates per endpoint family (rich text, blocks,
 *   filters, properties, parents, admin and portal forms, OAuth grants) with one field broken, and
 *   wrong types, nulls, huge strings, deep nesting (200 levels), `__proto__` / `constructor` keys,
 *   invalid JSON, wrong content types. Also wrong methods, HEAD, odd `Notion-Version` and credentials.
 * - Each answer must be < 500, carry its surface's envelope (`envelopeOf`) and finish in 5 s.
 */

export type Surface = 'v1' | 'oauth' | 'admin' | 'admin_v1' | 'portal' | 'ops'

export interface Route {
  method: string
  path: string
  surface: Surface
}

/** The surface a path belongs to, by prefix (docs/architecture.md). */
export function surfaceOf(path: string): Surface {
  if (path.startsWith('/v1/oauth/authorize')) return 'portal'
  if (path.startsWith('/v1/oauth/')) return 'oauth'
  if (path.startsWith('/admin/v1/')) return 'admin_v1'
  if (path.startsWith('/v1/')) return 'v1'
  // Signed file URLs answer their refusals in Notion's envelope (api/file-uploads/file-url.routes.ts).
  if (path.startsWith('/_octavo/files/')) return 'v1'
  // Custom emoji images likewise (api/custom-emojis/custom-emojis.routes.ts).
  if (path.startsWith('/_octavo/emojis/')) return 'v1'
  if (path.startsWith('/_octavo/admin')) return 'admin'
  if (['/healthz', '/readyz', '/metrics', '/_octavo/health'].includes(path)) return 'ops'
  return 'portal'
}

/**
 * Every concrete route of a Hono app: method and path pattern, once each. Middleware registrations
 * (`app.use`, method `ALL`) are left out: they are not endpoints.
 */
export function routesOf(app: { routes: { method: string; path: string }[] }): Route[] {
  const seen = new Set<string>()
  const out: Route[] = []
  for (const r of app.routes) {
    if (r.method === 'ALL') continue
    const key = `${r.method} ${r.path}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push({ method: r.method, path: r.path, surface: surfaceOf(r.path) })
  }
  return out
}

// ------------------------------------------------------------------------------------------------
// Envelopes

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function notionError(body: unknown, status: number): boolean {
  return (
    isObj(body) && body.object === 'error' && body.status === status && typeof body.code === 'string' && typeof body.message === 'string'
  )
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    return { ok: false }
  }
}

/**
 * Checks that an answer carries its surface's envelope. Returns `null` when it does, else a short
 * reason. Every surface answers an unknown path or method with Notion's `invalid_request_url`
 * envelope (app.notFound), which is accepted everywhere.
 * - v1: JSON; errors are `{object:"error", status (= HTTP status), code, message}`.
 * - admin_v1 (Notion's Admin API): JSON; errors are exactly `{type:"error", code, status (= HTTP status), message}`.
 * - oauth: JSON; errors are `{error}` (RFC 6749), or Notion's envelope (e.g. a body too large).
 * - admin: JSON; errors are `{object:"error", status, code, message}`.
 * - portal: HTML, a redirect with `Location`, a stylesheet or script, or JSON (token reveal).
 * - ops: JSON or Prometheus text.
 * HEAD answers have no body; only their status is checked.
 */
export function envelopeOf(surface: Surface, res: { status: number; headers: Headers }, text: string, method: string): string | null {
  const status = res.status
  if (status >= 500) return `status ${status}`
  if (method === 'HEAD') return null
  const type = res.headers.get('content-type') ?? ''
  const json = type.includes('application/json') ? parseJson(text) : ({ ok: false } as const)
  if (json.ok && notionError(json.value, status) && (json.value as { code: string }).code === 'invalid_request_url') return null
  switch (surface) {
    case 'v1':
    case 'admin': {
      if (!json.ok) return `not JSON (${type || 'no content-type'})`
      if (status >= 400) return notionError(json.value, status) ? null : 'error without {object:"error", status, code, message}'
      if (status >= 300) return `redirect ${status} on an API surface`
      return isObj(json.value) ? null : 'success body is not an object'
    }
    case 'admin_v1': {
      if (!json.ok) return `not JSON (${type || 'no content-type'})`
      if (status >= 400) {
        const b = json.value
        const ok =
          isObj(b) &&
          Object.keys(b).sort().join() === 'code,message,status,type' &&
          b.type === 'error' &&
          b.status === status &&
          typeof b.code === 'string' &&
          typeof b.message === 'string'
        return ok ? null : 'error without exactly {type:"error", code, status, message}'
      }
      if (status >= 300) return `redirect ${status} on an API surface`
      return isObj(json.value) ? null : 'success body is not an object'
    }
    case 'oauth': {
      if (!json.ok) return `not JSON (${type || 'no content-type'})`
      if (status >= 400)
        return isObj(json.value) && (typeof json.value.error === 'string' || notionError(json.value, status))
          ? null
          : 'error without {error}'
      return isObj(json.value) ? null : 'success body is not an object'
    }
    case 'portal': {
      if (status >= 300 && status < 400) return res.headers.get('location') ? null : 'redirect without Location'
      if (type.includes('text/html') || type.includes('text/css') || type.includes('javascript')) return null
      if (json.ok && status < 300) return null
      return `portal answer is neither HTML nor a redirect (${type || 'no content-type'})`
    }
    case 'ops':
      return json.ok || type.includes('text/plain') ? null : `ops answer is neither JSON nor text (${type})`
  }
}

// ------------------------------------------------------------------------------------------------
// Fixtures and generation

/** What the corpus knows about the seeded workspace: credentials and ids by kind. */
export interface CorpusFixtures {
  origin: string
  tokens: { connection: string; pat: string; oauth: string | null }
  adminKey: string
  portal: { cookie: string; csrf: string }
  oauthClient: { id: string; secret: string }
  /** Valid ids by kind (never those of the credentials above, so the corpus does not revoke its own access). */
  ids: Record<IdKind, string[]>
  emails: string[]
  propertyNames: string[]
  /** Valid-looking values for templates: OAuth codes and tokens, option names. */
  oauthValues: string[]
}

export type IdKind =
  | 'page'
  | 'block'
  | 'database'
  | 'data_source'
  | 'comment'
  | 'user'
  | 'workspace'
  | 'connection'
  | 'pat'
  | 'pat_bot'
  | 'group'
  | 'public_connection'
  | 'install'
  | 'property'

export interface CorpusRequest {
  route: Route
  method: string
  path: string
  headers: Record<string, string>
  body?: string
  /** What the generator meant to do, for the failure summary. */
  kind: string
}

/** By the static segment before a parameter (`…/pages/:x`), else by the parameter's name. */
const KIND_BY_SEGMENT: Record<string, IdKind> = {
  pages: 'page',
  blocks: 'block',
  databases: 'database',
  data_sources: 'data_source',
  'data-sources': 'data_source',
  comments: 'comment',
  users: 'user',
  members: 'user',
  access: 'user',
  workspaces: 'workspace',
  spaces: 'workspace',
  settings: 'workspace',
  w: 'workspace',
  connections: 'connection',
  tokens: 'pat',
  'personal-access-tokens': 'pat',
  personal_access_tokens: 'pat_bot',
  groups: 'group',
  'public-connections': 'public_connection',
  installs: 'install',
  properties: 'property',
  content: 'page',
}
const KIND_BY_PARAM: Record<string, IdKind> = {
  page_id: 'page',
  block_id: 'block',
  database_id: 'database',
  data_source_id: 'data_source',
  comment_id: 'comment',
  user_id: 'user',
  uid: 'user',
  target_id: 'user',
  user: 'user',
  workspace_id: 'workspace',
  ws: 'workspace',
  space_id: 'workspace',
  connection_id: 'connection',
  cid: 'connection',
  pat_id: 'pat',
  bot_id: 'pat_bot',
  group_id: 'group',
  gid: 'group',
  iid: 'install',
  property_id: 'property',
  page: 'page',
}

const MALFORMED_IDS = [
  'x',
  '0',
  '-1',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'toString',
  '%ZZ',
  '%',
  '%E0%A4%A',
  '%00',
  '%2F..%2F',
  '%252F',
  '%C0%AF',
  '..',
  '%20',
  'a'.repeat(300),
  '12345678-1234-1234-1234-12345678901',
  '12345678-1234-1234-1234-1234567890123',
  'ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ',
  '😀',
  '%F0%9F%98%80',
  "'; DROP TABLE block; --",
  '{}',
  '[]',
  'title%',
]

const NOTION_VERSIONS: (string | null)[] = [
  '2022-06-28',
  '2026-03-11',
  '2026-12-01',
  '2021-05-11',
  '2021-08-16',
  null,
  '',
  ' 2025-09-03',
  '2025-09-04',
  'latest',
  '2025-09-03, 2022-06-28',
  'x'.repeat(1000),
  '2025\u002d09\u002d03\t',
  'v1',
]

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/json; charset=latin1',
  'application/merge-patch+json',
  'application/xml',
  'application/json, text/plain',
  '',
]

const INVALID_JSON = [
  '{',
  '{"a":',
  '[1,2',
  '{"a":1,}',
  "{'a':1}",
  'nul',
  'undefined',
  '\u0000',
  '\ufeff{}',
  '{"a":"\\x00"}',
  '{"a":1}{"b":2}',
  '"unterminated',
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":01}',
  '--',
  '<xml/>',
  '%7B%7D',
]

const METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS']

/** A JSON value nested `depth` levels (objects and arrays alternating). */
export function deepValue(depth: number, leaf: unknown = 1): unknown {
  let v: unknown = leaf
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { a: v }
  return v
}

const rt = (content = 'hi') => [
  { type: 'text', text: { content, link: null }, annotations: { bold: true, color: 'red' } },
  { type: 'equation', equation: { expression: 'e=mc^2' } },
  { type: 'mention', mention: { type: 'date', date: { start: '2024-01-01' } } },
]

/** Valid-ish request bodies by endpoint family, from the seeded ids. */
function families(fx: CorpusFixtures) {
  const id = (k: IdKind) => fx.ids[k][0] ?? '00000000-0000-4000-8000-000000000000'
  const blocks = [
    { object: 'block', type: 'paragraph', paragraph: { rich_text: rt(), color: 'blue' } },
    { type: 'to_do', to_do: { rich_text: rt('task'), checked: true }, children: [{ paragraph: { rich_text: rt() } }] },
    { heading_2: { rich_text: rt('H'), is_toggleable: true } },
    {
      type: 'table',
      table: { table_width: 2, has_column_header: true, children: [{ type: 'table_row', table_row: { cells: [rt('a'), rt('b')] } }] },
    },
    { callout: { rich_text: rt(), icon: { emoji: '💡' } } },
    { image: { external: { url: 'https://example.com/a.png' }, caption: rt() } },
    { code: { rich_text: rt('x = 1'), language: 'python' } },
    { column_list: { children: [{ column: { children: [{ paragraph: { rich_text: [] } }] } }] } },
    { link_to_page: { page_id: id('page') } },
  ]
  const [name = 'Name', ...others] = fx.propertyNames
  const filter = {
    and: [
      { property: name, title: { contains: 'a' } },
      {
        or: [
          { property: others[0] ?? 'N', number: { greater_than: 1 } },
          { timestamp: 'created_time', created_time: { past_week: {} } },
        ],
      },
    ],
  }
  const sorts = [
    { property: name, direction: 'ascending' },
    { timestamp: 'last_edited_time', direction: 'descending' },
  ]
  const values = {
    [name]: { title: rt('row') },
    N: { number: 3 },
    S: { select: { name: 'a' } },
    M: { multi_select: [{ name: 'x' }, { name: 'y' }] },
    D: { date: { start: '2024-01-01', end: '2024-01-02', time_zone: 'Europe/Paris' } },
    T: { rich_text: rt() },
    C: { checkbox: true },
    U: { url: 'https://example.com' },
    P: { people: [{ object: 'user', id: id('user') }] },
    R: { relation: [{ id: id('page') }] },
  }
  const schema = {
    [name]: { title: {} },
    N: { number: { format: 'dollar' } },
    S: { select: { options: [{ name: 'a', color: 'red' }] } },
    F: { formula: { expression: 'prop("N") * 2' } },
    R: { relation: { data_source_id: id('data_source'), single_property: {} } },
    X: { rollup: { relation_property_name: 'R', rollup_property_name: 'N', function: 'sum' } },
    St: { status: {} },
    Renamed: { name: 'New name' },
    Gone: null,
  }
  return {
    page: [
      {
        parent: { page_id: id('page') },
        properties: { title: { title: rt('New') } },
        children: blocks.slice(0, 3),
        icon: { emoji: '🎉' },
        cover: { external: { url: 'https://example.com/c.png' } },
      },
      { parent: { data_source_id: id('data_source') }, properties: values },
      { parent: { database_id: id('database') }, properties: values, template: { type: 'default' } },
      { parent: { workspace: true }, properties: { title: { title: rt() } } },
      { properties: values, in_trash: false, icon: null, is_locked: false },
      { parent: { type: 'page_id', page_id: id('page') } },
    ],
    blocks: [
      { children: blocks, position: { type: 'end' } },
      { children: [blocks[0]], after: id('block') },
      { paragraph: { rich_text: rt('edited') } },
      { to_do: { checked: false } },
      { type: 'code', code: { language: 'ruby' } },
    ],
    query: [
      { filter, sorts, page_size: 10 },
      { filter: { property: name, title: { is_not_empty: true } }, start_cursor: 'abc', in_trash: false },
      { result_type: 'page', filter_properties: ['title'] },
    ],
    schema: [
      { parent: { page_id: id('page') }, title: rt('DB'), initial_data_source: { properties: schema }, is_inline: true },
      { parent: { type: 'database_id', database_id: id('database') }, title: rt('DS'), properties: schema },
      { title: rt('Renamed'), properties: schema, description: rt('d') },
    ],
    search: [
      {
        query: 'Root',
        filter: { property: 'object', value: 'page' },
        sort: { timestamp: 'last_edited_time', direction: 'ascending' },
        page_size: 5,
      },
      { filter: { in_trash: true } },
      { sort: { property: 'relevance' } },
    ],
    comment: [
      { parent: { page_id: id('page') }, rich_text: rt('comment') },
      { discussion_id: id('comment'), rich_text: rt() },
      { parent: { block_id: id('block') }, rich_text: rt(), display_name: { type: 'integration' } },
    ],
    admin: [
      { name: 'W', plan: 'plus', members: [{ name: 'A', email: 'a@corpus.test', role: 'owner' }], pages: ['P'] },
      { title: 'T', parent_id: id('page'), private: true, as: fx.emails[0] },
      { name: 'C', icon: null, capabilities: { read_content: true, user_info: 'with_email' }, as: fx.emails[0] },
      { level: 'view', as: fx.emails[0] },
      { role: 'guest', as: fx.emails[0] },
      { name: 'G', as: fx.emails[0] },
      { name: 'P', capabilities: { notion_api: true }, expires_in_days: 30 },
      { name: 'App', redirect_uris: ['https://example.com/cb'], capabilities: { read_content: true }, template_page_id: null },
      { password: 'a long enough password' },
      { policy: 'everyone', group_ids: [id('group')] },
      { title: 'Tpl', is_default: true, paragraphs: ['a', 'b'] },
      { as: fx.emails[1] },
    ],
    oauth: [
      {
        grant_type: 'authorization_code',
        code: fx.oauthValues[0] ?? 'x',
        redirect_uri: 'http://127.0.0.1:9999/callback',
        code_verifier: 'v'.repeat(43),
      },
      { grant_type: 'refresh_token', refresh_token: fx.oauthValues[1] ?? 'x' },
      { token: fx.oauthValues[2] ?? 'x' },
      { token: 'ntn_' + '1'.repeat(46), token_type_hint: 'access_token' },
    ],
  }
}

type Family = keyof ReturnType<typeof families>

/** The template families a route's bodies come from (path and surface; unknown routes get their surface's). */
function familiesFor(route: Route): Family[] {
  const p = route.path
  if (route.surface === 'oauth') return ['oauth']
  if (route.surface === 'admin' || route.surface === 'admin_v1') return ['admin']
  if (route.surface !== 'v1') return ['admin', 'page']
  if (p.includes('/query')) return ['query']
  if (p.includes('/search')) return ['search']
  if (p.includes('/comments')) return ['comment']
  if (p.includes('/blocks')) return ['blocks']
  if (p.includes('/databases') || p.includes('/data_sources')) return ['schema', 'query']
  if (p.includes('/pages')) return ['page', 'blocks']
  return ['page', 'blocks', 'query', 'schema', 'search', 'comment']
}

/** Every path (list of keys) in a JSON value. */
function pathsOf(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at)
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...at, i], out))
  else if (isObj(v)) for (const [k, x] of Object.entries(v)) pathsOf(x, [...at, k], out)
  return out
}

type Mutation = 'replace' | 'delete' | 'extra-key' | 'null' | 'wrap' | 'stringify' | 'huge' | 'deep' | 'proto'

/** Applies one mutation at `path` of a copy of `v`. */
function mutate(v: unknown, path: (string | number)[], op: Mutation, junk: unknown): unknown {
  const root = structuredClone(v)
  if (path.length === 0)
    return op === 'delete' ? {} : op === 'wrap' ? [root] : op === 'extra-key' && isObj(root) ? { ...root, unexpected: junk } : junk
  const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], root) as Record<
    string | number,
    unknown
  >
  const key = path[path.length - 1] as string | number
  const cur = parent[key]
  switch (op) {
    case 'replace':
      parent[key] = junk
      break
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1)
      else delete parent[key]
      break
    case 'extra-key':
      if (isObj(cur)) cur[`extra_${String(key)}`] = junk
      else parent[key] = { [String(key)]: cur, unexpected: junk }
      break
    case 'null':
      parent[key] = null
      break
    case 'wrap':
      parent[key] = [cur]
      break
    case 'stringify':
      parent[key] = JSON.stringify(cur) ?? 'undefined'
      break
    case 'huge':
      parent[key] = 'x'.repeat(typeof junk === 'number' ? 60_000 : 3_000)
      break
    case 'deep':
      parent[key] = deepValue(200, cur ?? 1)
      break
    case 'proto':
      // Done on the JSON text (a JS object literal cannot carry an own `__proto__` key).
      break
  }
  return root
}

/** Renames the first `"<key>":` after a random offset to `__proto__` / `constructor` / `toString` (JSON text). */
function protoKeys(text: string, pick: number, name: string): string {
  const keys = [...text.matchAll(/"([A-Za-z_][\w-]*)":/g)]
  const m = keys[pick % Math.max(keys.length, 1)]
  if (!m || m.index === undefined) return `{"${name}":${text || '{}'}}`
  if (pick % 3 === 0) return `${text.slice(0, m.index)}"${name}":{"polluted":true},${text.slice(m.index)}`
  return `${text.slice(0, m.index)}"${name}":${text.slice(m.index + m[0].length)}`
}

const junkArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.constantFrom(-1, 0, 1e308, -1e308, 2 ** 53 + 1, 0.5, 101, 10_001),
  fc.string({ maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '2024-13-45',
    'not-a-uuid',
    '__proto__',
    'constructor',
    '%ZZ',
    '\u0000',
    '😀'.repeat(10),
    'https://',
    'javascript:alert(1)',
  ),
  fc.uuid(),
  fc.constant([]),
  fc.constant({}),
  fc.jsonValue({ maxDepth: 2 }),
)

const formValueArb = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('on', 'true', '', 'full', 'view', 'owner', 'guest', 'allow', 'cancel', '%ZZ', '__proto__', 'x'.repeat(5000)),
  fc.uuid(),
)
const FORM_FIELDS = [
  'name',
  'email',
  'password',
  'next',
  'role',
  'level',
  'user_info',
  'read_content',
  'insert_content',
  'page',
  'workspace_id',
  'decision',
  'policy',
  'group',
  'title',
  'icon',
  'redirect_uris',
  'expires_in_days',
  'principal',
  'target',
  'client_id',
  'redirect_uri',
  'response_type',
  'owner',
  'state',
  'scope',
  '__proto__',
  'constructor',
]

const QUERY_PARAMS: [string, fc.Arbitrary<string>][] = [
  ['page_size', fc.constantFrom('0', '-5', '101', '1.5', 'abc', '', '100', '1e2', ' 7')],
  ['start_cursor', fc.constantFrom('zzz', '', '%ZZ', 'cGk6MQ', 'x'.repeat(3000))],
  ['filter_properties', fc.constantFrom('title', '__proto__', 'constructor', '%ZZ', '')],
  ['filter_properties[]', fc.constantFrom('title', 'toString')],
  ['block_id', fc.oneof(fc.uuid(), fc.constantFrom('x', '%ZZ'))],
  ['as', fc.constantFrom('nobody@example.com', 'x', '%ZZ', '')],
  ['scope', fc.constantFrom('own', 'all', '__proto__')],
  ['status', fc.constantFrom('active', 'expired', 'nope')],
  ['limit', fc.constantFrom('0', '1001', 'abc', '5')],
  ['since', fc.constantFrom('garbage', '2024-01-01')],
  ['action', fc.constantFrom('pat.*', 'x,y', '')],
  ['q', fc.constantFrom('a', '%', '_', 'x'.repeat(3000))],
  ['next', fc.constantFrom('/', '//evil.example', 'https://evil.example', '/%ZZ', 'javascript:alert(1)')],
  ['client_id', fc.oneof(fc.uuid(), fc.constantFrom('x', ''))],
  ['redirect_uri', fc.constantFrom('http://127.0.0.1:9999/callback', 'https://evil.example', '%ZZ')],
  ['response_type', fc.constantFrom('code', 'token', '')],
  ['owner', fc.constantFrom('user', 'workspace')],
  ['ok', fc.constantFrom('created', '__proto__', 'constructor')],
]

/** Options of `generateCorpus`. */
export interface CorpusOptions {
  seed: number
  total: number
}

/**
 * The requests for `routes`: `total` split evenly over them (each route gets at least one), from
 * `seed` (route `i` samples with `seed + i·7919`, so one route's requests do not depend on the
 * others'). Generated lazily, a route at a time, so huge bodies are not all held at once. Requests on
 * `lastRoutes` (that end the fixtures' session or store, e.g. logout, reset) come last.
 */
export function* generateCorpus(
  routes: Route[],
  fx: CorpusFixtures,
  opts: CorpusOptions,
  lastRoutes: Set<string>,
): Generator<CorpusRequest> {
  const fam = families(fx)
  const perRoute = Math.max(1, Math.ceil(opts.total / routes.length))
  const ordered = [...routes.entries()].sort(
    ([, a], [, b]) => Number(lastRoutes.has(`${a.method} ${a.path}`)) - Number(lastRoutes.has(`${b.method} ${b.path}`)),
  )
  for (const [i, route] of ordered) yield* fc.sample(requestArb(route, fx, fam), { seed: opts.seed + i * 7919, numRuns: perRoute })
}

function fillPath(route: Route, fx: CorpusFixtures, picks: { mode: number; n: number; uuid: string }[]): string {
  const segments = route.path.split('/')
  let p = 0
  return segments
    .map((seg, i) => {
      if (!seg.startsWith(':')) return seg
      const name = seg.slice(1)
      const pick = picks[p++ % picks.length] as { mode: number; n: number; uuid: string }
      const kind = KIND_BY_SEGMENT[segments[i - 1] ?? ''] ?? KIND_BY_PARAM[name]
      const own = kind ? fx.ids[kind] : []
      const all = Object.values(fx.ids).flat()
      if (pick.mode < 55 && own.length > 0) {
        if (name === 'user' && pick.n % 2 === 0 && fx.emails.length > 0)
          return encodeURIComponent(fx.emails[pick.n % fx.emails.length] as string)
        return own[pick.n % own.length] as string
      }
      if (pick.mode < 65 && all.length > 0) return (all[pick.n % all.length] as string).replace(/-/g, pick.n % 2 === 0 ? '' : '-')
      if (pick.mode < 80) return pick.n % 5 === 0 ? pick.uuid.toUpperCase() : pick.uuid
      return MALFORMED_IDS[pick.n % MALFORMED_IDS.length] as string
    })
    .join('/')
}

function requestArb(route: Route, fx: CorpusFixtures, fam: ReturnType<typeof families>): fc.Arbitrary<CorpusRequest> {
  const templates = familiesFor(route).flatMap((f) => fam[f] as unknown[])
  const pickArb = fc.record({ mode: fc.integer({ min: 0, max: 99 }), n: fc.nat(), uuid: fc.uuid() })
  return fc
    .record({
      methodRoll: fc.integer({ min: 0, max: 99 }),
      otherMethod: fc.constantFrom(...METHODS, 'HEAD', 'PURGE'),
      picks: fc.array(pickArb, { minLength: 3, maxLength: 3 }),
      pathRoll: fc.integer({ min: 0, max: 99 }),
      query: fc.array(fc.oneof(...QUERY_PARAMS.map(([k, v]) => v.map((x) => [k, x] as const))), { maxLength: 3 }),
      credRoll: fc.integer({ min: 0, max: 99 }),
      badCred: fc.constantFrom(
        '',
        'Bearer',
        'Bearer x',
        'Basic abc',
        'bearer  ntn_',
        'Bearer ntn_' + '1'.repeat(46),
        'Token abc',
        'Basic Og==',
        'Basic !!!',
        'Bearer ' + 'x'.repeat(2000),
      ),
      versionRoll: fc.integer({ min: 0, max: 99 }),
      version: fc.constantFrom(...NOTION_VERSIONS),
      ctRoll: fc.integer({ min: 0, max: 99 }),
      ct: fc.constantFrom(...CONTENT_TYPES),
      bodyRoll: fc.integer({ min: 0, max: 99 }),
      template: fc.constantFrom(...(templates.length > 0 ? templates : [{}])),
      pathPick: fc.nat(),
      mutation: fc.constantFrom<Mutation>(
        'replace',
        'replace',
        'replace',
        'delete',
        'extra-key',
        'null',
        'wrap',
        'stringify',
        'huge',
        'deep',
        'proto',
      ),
      junk: junkArb,
      protoName: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty'),
      invalid: fc.constantFrom(...INVALID_JSON),
      form: fc.array(fc.tuple(fc.constantFrom(...FORM_FIELDS), formValueArb), { maxLength: 6 }),
      accept: fc.constantFrom('application/json', 'text/html', '*/*', 'image/png', undefined),
      hugeSize: fc.constantFrom(100_000, 300_000, 600_000),
    })
    .map((r): CorpusRequest => {
      let method = route.method
      let kind = 'route method'
      if (r.methodRoll >= 92) {
        method = r.otherMethod
        kind = 'other method'
      } else if (r.methodRoll >= 88) {
        method = 'HEAD'
        kind = 'HEAD'
      }
      let path = fillPath(route, fx, r.picks)
      if (r.pathRoll >= 95) path = `${path}/`
      else if (r.pathRoll >= 92) path = path.replace(/\/(?=[^/]*$)/, '//')
      const q = new URLSearchParams(r.query as [string, string][]).toString()
      if (q && (route.method === 'GET' || r.pathRoll < 10)) path = `${path}?${q}`

      const headers: Record<string, string> = {}
      const goodCred = r.credRoll < 85
      switch (route.surface) {
        case 'admin_v1':
          headers.authorization = goodCred ? `Bearer ${fx.adminKey}` : r.badCred
          break
        case 'v1':
          headers.authorization =
            r.credRoll < 75
              ? `Bearer ${fx.tokens.connection}`
              : r.credRoll < 82
                ? `Bearer ${fx.tokens.pat}`
                : r.credRoll < 88 && fx.tokens.oauth
                  ? `Bearer ${fx.tokens.oauth}`
                  : r.badCred
          break
        case 'oauth':
          headers.authorization =
            r.credRoll < 70 ? `Basic ${Buffer.from(`${fx.oauthClient.id}:${fx.oauthClient.secret}`).toString('base64')}` : r.badCred
          break
        case 'admin':
          headers.authorization = goodCred ? `Bearer ${fx.adminKey}` : r.badCred
          break
        case 'ops':
          if (r.credRoll < 50) headers.authorization = `Bearer ${fx.adminKey}`
          break
        case 'portal':
          if (r.credRoll < 70) headers.cookie = fx.portal.cookie
          if (r.credRoll < 90 || r.credRoll % 2 === 0) headers.origin = fx.origin
          break
      }
      if (!headers.authorization) delete headers.authorization
      if (route.surface === 'v1' || route.surface === 'oauth' || route.surface === 'admin_v1') {
        const v = r.versionRoll < 75 ? (route.surface === 'admin_v1' ? '2026-06-01' : '2025-09-03') : r.version
        if (v !== null) headers['notion-version'] = v
      }
      if (r.accept) headers.accept = r.accept

      let body: string | undefined
      if (method !== 'GET' && method !== 'HEAD') {
        const built = makeBody(route, fx, r, method)
        body = built.body
        kind += `, ${built.kind}`
        if (built.contentType !== undefined) headers['content-type'] = built.contentType
        if (r.ctRoll >= 90) {
          if (r.ct === '') delete headers['content-type']
          else headers['content-type'] = r.ct
          kind += `, content-type ${JSON.stringify(r.ct)}`
        }
      }
      return { route, method, path, headers, ...(body !== undefined ? { body } : {}), kind }
    })
}

function makeBody(
  route: Route,
  fx: CorpusFixtures,
  r: {
    bodyRoll: number
    template: unknown
    pathPick: number
    mutation: Mutation
    junk: unknown
    protoName: string
    invalid: string
    form: [string, string][]
    hugeSize: number
    ctRoll: number
  },
  method: string,
): { body: string | undefined; contentType: string | undefined; kind: string } {
  const json = (v: unknown, kind: string) => ({ body: JSON.stringify(v) ?? 'null', contentType: 'application/json', kind })
  if (route.surface === 'portal' && r.bodyRoll < 70) {
    const form = new URLSearchParams(r.form)
    if (r.pathPick % 100 < 85) form.set('_csrf', fx.portal.csrf)
    if (r.pathPick % 7 === 0) for (const id of fx.ids.page.slice(0, 2)) form.append('page', id)
    return { body: form.toString(), contentType: 'application/x-www-form-urlencoded', kind: 'form' }
  }
  const roll = r.bodyRoll
  if (roll < 45) {
    const paths = pathsOf(r.template)
    const at = paths[r.pathPick % paths.length] ?? []
    if (r.mutation === 'proto')
      return {
        body: protoKeys(JSON.stringify(r.template), r.pathPick, r.protoName),
        contentType: 'application/json',
        kind: `template, key ${r.protoName}`,
      }
    const junk = r.mutation === 'huge' ? (r.pathPick % 10 === 0 ? 0 : 'short') : r.junk
    return json(mutate(r.template, at, r.mutation, junk), `template, ${r.mutation} at ${at.join('.') || 'root'}`)
  }
  if (roll < 55) return json(r.template, 'template as is')
  if (roll < 63) return json(r.junk, 'junk value')
  if (roll < 71) return { body: r.invalid, contentType: 'application/json', kind: 'invalid JSON' }
  if (roll < 75)
    return {
      body: method === 'DELETE' && roll % 2 === 0 ? undefined : '',
      contentType: roll % 2 === 0 ? undefined : 'application/json',
      kind: 'empty body',
    }
  if (roll < 80) return json(deepValue(200, r.template), 'deep nesting (200)')
  if (roll < 83) {
    const size = roll === 80 ? r.hugeSize : 100_000
    return json(isObj(r.template) ? { ...r.template, huge: 'x'.repeat(size) } : 'x'.repeat(size), `huge string (${size})`)
  }
  if (roll < 91)
    return {
      body: protoKeys(JSON.stringify(r.template), r.pathPick, r.protoName),
      contentType: 'application/json',
      kind: `key ${r.protoName}`,
    }
  if (roll < 95)
    return { body: new URLSearchParams(r.form).toString(), contentType: 'application/x-www-form-urlencoded', kind: 'form body' }
  return json(Array.isArray(r.template) ? r.template : [r.template], 'array body')
}

// ------------------------------------------------------------------------------------------------
// Running

export interface CorpusFailure {
  request: CorpusRequest
  status: number | null
  reason: string
  response: string
}

export interface CorpusResult {
  sent: number
  bySurface: Record<string, number>
  byStatus: Record<string, number>
  /** Per route (`METHOD /pattern`): requests, total and slowest answer time in ms. */
  byRoute: Map<string, { count: number; ms: number; maxMs: number }>
  failures: CorpusFailure[]
  ms: number
}

/**
 * Sends every request (`concurrency` at a time, keep-alive fetch, each aborted after `timeoutMs`)
 * and checks each answer with `envelopeOf`.
 */
export async function runCorpus(
  baseUrl: string,
  requests: Iterable<CorpusRequest>,
  opts: { concurrency: number; timeoutMs: number },
): Promise<CorpusResult> {
  const started = performance.now()
  const result: CorpusResult = { sent: 0, bySurface: {}, byStatus: {}, byRoute: new Map(), failures: [], ms: 0 }
  const queue = requests[Symbol.iterator]()
  const worker = async () => {
    for (let item = queue.next(); !item.done; item = queue.next()) {
      const req = item.value
      result.sent++
      result.bySurface[req.route.surface] = (result.bySurface[req.route.surface] ?? 0) + 1
      const t0 = performance.now()
      try {
        const res = await fetch(`${baseUrl}${req.path}`, {
          method: req.method,
          headers: req.headers,
          ...(req.body !== undefined ? { body: req.body } : {}),
          redirect: 'manual',
          signal: AbortSignal.timeout(opts.timeoutMs),
        })
        const text = await res.text()
        result.byStatus[res.status] = (result.byStatus[res.status] ?? 0) + 1
        const reason = envelopeOf(req.route.surface, res, text, req.method)
        if (reason)
          result.failures.push({
            request: { ...req, body: req.body?.slice(0, 400) },
            status: res.status,
            reason,
            response: text.slice(0, 300),
          })
      } catch (err) {
        const e = err as Error
        const reason =
          e.name === 'TimeoutError' || e.name === 'AbortError'
            ? `no answer within ${opts.timeoutMs} ms`
            : `network error: ${e.message} ${String((e as { cause?: { code?: string } }).cause?.code ?? '')}`
        result.byStatus.none = (result.byStatus.none ?? 0) + 1
        result.failures.push({ request: { ...req, body: req.body?.slice(0, 400) }, status: null, reason, response: '' })
      }
      const ms = performance.now() - t0
      const key = `${req.route.method} ${req.route.path}`
      const r = result.byRoute.get(key) ?? { count: 0, ms: 0, maxMs: 0 }
      result.byRoute.set(key, { count: r.count + 1, ms: r.ms + ms, maxMs: Math.max(r.maxMs, ms) })
    }
  }
  await Promise.all(Array.from({ length: opts.concurrency }, worker))
  result.ms = Math.round(performance.now() - started)
  return result
}

/** The `n` routes that took longest in total, for the run's log line. */
export function slowestRoutes(result: CorpusResult, n = 5): string {
  return [...result.byRoute.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, n)
    .map(([k, v]) => `${k} ${Math.round(v.ms)} ms/${v.count} (max ${Math.round(v.maxMs)})`)
    .join('; ')
}

/** Failures grouped by route, reason and status, each with one sample request: an actionable summary. */
export function summarize(failures: CorpusFailure[], limit = 40): string {
  const groups = new Map<string, { count: number; sample: CorpusFailure }>()
  for (const f of failures) {
    const key = `${f.request.route.method} ${f.request.route.path} | ${f.reason} | ${f.status ?? '-'}`
    const g = groups.get(key)
    if (g) g.count++
    else groups.set(key, { count: 1, sample: f })
  }
  const lines = [...groups.entries()]
    .sort((a, b) => b[1].count - a[1].count)
    .slice(0, limit)
    .map(([key, { count, sample }]) => {
      const r = sample.request
      const headers = Object.entries(r.headers)
        .filter(([k]) => k !== 'authorization' && k !== 'cookie')
        .map(([k, v]) => `${k}: ${v.slice(0, 40)}`)
        .join('; ')
      return `${count}× ${key}\n    sample: ${r.method} ${r.path.slice(0, 160)} [${r.kind}] {${headers}} body=${(r.body ?? '').slice(0, 160)}\n    answer: ${sample.response.slice(0, 200)}`
    })
  return `${failures.length} failing answers in ${groups.size} groups:\n${lines.join('\n')}`
}
