import { isoNow } from '../domain/clock.js'
import { normalizeContent, type NewBlock } from '../domain/blocks.js'
import { newId } from '../domain/ids.js'
import type { PropertyConfig, Schema } from '../domain/properties.js'
import { normalizeRichText, type RichTextItem, type RichTextItemRequest } from '../domain/rich-text.js'
import { DomainError } from '../errors/domain-error.js'
import { createConnection, listConnections, revealToken, shareWithConnection } from '../services/connections.service.js'
import { createDatabase } from '../services/databases-core.js'
import type { Deps } from '../services/deps.js'
import { createNode } from '../services/tree.service.js'
import type { MemberRole } from '../storage/database.js'
import { createWorkspace } from '../services/workspaces.service.js'
import { insertBlocks } from '../storage/repositories/blocks.repository.js'
import { listMembers, listWorkspaces } from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'

/**
 * The demo workspace `octavo serve` seeds into an empty store, so that a first start has something
 * to point the official SDK at: "Octavo Demo" (Free plan) with an owner, two members and a guest, a
 * "Getting started" page tree six levels deep using most block types, a "Tasks" database with 56
 * rows, and two internal connections — "Demo integration" (with "Getting started" shared) and
 * "Unshared integration" (nothing shared, so every read answers 404 `object_not_found`).
 *
 * Content is reproducible: row values come from a fixed-seed pseudo-random generator; only ids and
 * timestamps differ between runs.
 */

export const DEMO_WORKSPACE_NAME = 'Octavo Demo'
export const DEMO_CONNECTION_NAME = 'Demo integration'
export const UNSHARED_CONNECTION_NAME = 'Unshared integration'
export const DEMO_OWNER = { name: 'Ada Lovelace', email: 'ada@octavo.test' } as const
/** The demo's people, in joining order (the portal's demo "sign in as" picker offers exactly these). */
export const DEMO_PEOPLE = [
  { ...DEMO_OWNER, role: 'owner' },
  { name: 'Grace Hopper', email: 'grace@octavo.test', role: 'member' },
  { name: 'Alan Turing', email: 'alan@octavo.test', role: 'member' },
  { name: 'Katherine Johnson', email: 'katherine@octavo.test', role: 'guest' },
] as const
export const DEMO_SHARED_PAGE_TITLE = 'Getting started'
export const DEMO_TASK_COUNT = 56

export interface DemoConnection {
  id: string
  name: string
  token: string
}

export interface DemoSeed {
  workspaceId: string
  ownerId: string
  people: { id: string; name: string; email: string; role: MemberRole }[]
  pages: {
    gettingStarted: string
    connectAnIntegration: string
    sharing: string
    capabilities: string
    tokenRefresh: string
    /** The deepest page of the "Getting started" tree (level 6). */
    appendix: string
    writingContent: string
    teamHome: string
    engineeringWiki: string
  }
  tasks: { databaseId: string; dataSourceId: string; rows: number }
  connections: { demo: DemoConnection; unshared: DemoConnection }
}

// ---------------------------------------------------------------------------------------------
// Content helpers

type Annotations = Partial<{ bold: boolean; italic: boolean; strikethrough: boolean; underline: boolean; code: boolean; color: string }>

/** A text run request. */
const t = (content: string, annotations: Annotations = {}, link?: string): RichTextItemRequest =>
  ({ type: 'text', text: { content, link: link ? { url: link } : null }, annotations }) as RichTextItemRequest
const rich = (...runs: (RichTextItemRequest | string)[]): RichTextItem[] =>
  normalizeRichText(runs.map((r) => (typeof r === 'string' ? t(r) : r)))

const block = (type: string, content: Record<string, unknown>, children: NewBlock[] = []): NewBlock => ({
  type,
  content: normalizeContent(type, content),
  children,
})
const runs = (parts: (RichTextItemRequest | string)[]) => parts.map((r) => (typeof r === 'string' ? t(r) : r))
const para = (...parts: (RichTextItemRequest | string)[]) => block('paragraph', { rich_text: runs(parts) })
const h1 = (text: string) => block('heading_1', { rich_text: [t(text)] })
const h2 = (text: string) => block('heading_2', { rich_text: [t(text)] })
const h3 = (text: string) => block('heading_3', { rich_text: [t(text)] })
const bullet = (text: string | (RichTextItemRequest | string)[], children: NewBlock[] = []) =>
  block('bulleted_list_item', { rich_text: runs(typeof text === 'string' ? [text] : text) }, children)
const numbered = (text: string | (RichTextItemRequest | string)[], children: NewBlock[] = []) =>
  block('numbered_list_item', { rich_text: runs(typeof text === 'string' ? [text] : text) }, children)
const todo = (text: string, checked = false) => block('to_do', { rich_text: [t(text)], checked })
const toggle = (text: string, children: NewBlock[]) => block('toggle', { rich_text: [t(text)] }, children)
const code = (language: string, source: string, caption?: string) =>
  block('code', { language, rich_text: [t(source)], caption: caption ? [t(caption)] : [] })
const quote = (...parts: (RichTextItemRequest | string)[]) => block('quote', { rich_text: runs(parts) })
const callout = (emoji: string, color: string, ...parts: (RichTextItemRequest | string)[]) =>
  block('callout', { rich_text: runs(parts), icon: { emoji }, color })
const divider = () => block('divider', {})
const bookmark = (url: string, caption?: string) => block('bookmark', { url, caption: caption ? [t(caption)] : [] })
const image = (url: string, caption: string) => block('image', { external: { url }, caption: [t(caption)] })
const equation = (expression: string) => block('equation', { expression })
const table = (header: string[], rows: string[][]) =>
  block(
    'table',
    { table_width: header.length, has_column_header: true, has_row_header: false },
    [header, ...rows].map((cells) => block('table_row', { cells: cells.map((c) => [t(c)]) })),
  )
const columns = (...cols: NewBlock[][]) =>
  block(
    'column_list',
    {},
    cols.map((children) => block('column', {}, children)),
  )
const userMention = (id: string, name: string) =>
  ({ type: 'mention', mention: { user: { id } }, plain_text: `@${name}` }) as RichTextItemRequest
const pageMention = (id: string, title: string) =>
  ({ type: 'mention', mention: { page: { id } }, plain_text: title }) as RichTextItemRequest
const dateMention = (start: string) => ({ type: 'mention', mention: { date: { start } } }) as RichTextItemRequest

/** mulberry32: a small, fixed-seed pseudo-random generator, so the demo is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

// ---------------------------------------------------------------------------------------------
// The Tasks database

/**
 * Property ids are fixed 4-character strings, like those src/domain/schema.ts hands out (`title` for
 * the title property), so the demo's ids are the same on every run.
 */
const P = {
  name: 'title',
  status: 'sT4t',
  tags: 'tG5k',
  estimate: 'eS7m',
  due: 'dU3e',
  done: 'dN0k',
  assignee: 'aS9g',
  link: 'lK2n',
  notes: 'nT6s',
} as const

const option = (id: string, name: string, color: string) => ({ id, name, color, description: null })
const STATUS = [
  option('5e0d0a01', 'Not started', 'gray'),
  option('5e0d0a02', 'In progress', 'blue'),
  option('5e0d0a03', 'Blocked', 'red'),
  option('5e0d0a04', 'Done', 'green'),
]
const TAGS = [
  option('7a90b001', 'API', 'purple'),
  option('7a90b002', 'Docs', 'yellow'),
  option('7a90b003', 'Bug', 'red'),
  option('7a90b004', 'Feature', 'green'),
  option('7a90b005', 'Design', 'pink'),
  option('7a90b006', 'Infra', 'brown'),
]

const prop = (id: string, name: string, type: string, config: Record<string, unknown> = {}): PropertyConfig => ({
  id,
  name,
  type,
  description: null,
  config,
})

/** The Tasks schema, keyed by property id (src/domain/properties.ts). */
export function tasksSchema(): Schema {
  const list = [
    prop(P.name, 'Name', 'title'),
    prop(P.status, 'Status', 'select', { options: STATUS.map((o) => ({ ...o })) }),
    prop(P.tags, 'Tags', 'multi_select', { options: TAGS.map((o) => ({ ...o })) }),
    prop(P.estimate, 'Estimate', 'number', { format: 'number' }),
    prop(P.due, 'Due', 'date'),
    prop(P.done, 'Done', 'checkbox'),
    prop(P.assignee, 'Assignee', 'people'),
    prop(P.link, 'Link', 'url'),
    prop(P.notes, 'Notes', 'rich_text'),
  ]
  return Object.fromEntries(list.map((p) => [p.id, p]))
}

const VERBS = ['Write', 'Review', 'Test', 'Design', 'Ship', 'Document', 'Refactor']
const OBJECTS = [
  'the search endpoint',
  'token refresh',
  'the sharing dialog',
  'block pagination',
  'rate limits',
  'database queries',
  'comment threads',
  'the onboarding guide',
]

/** Stored property values (keyed by property id) of the demo's task rows, reproducibly. */
export function taskRows(assignees: string[], count = DEMO_TASK_COUNT): { title: string; values: Record<string, unknown> }[] {
  const random = prng(0x0c7a70)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
  const base = Date.UTC(2026, 0, 5)
  const rows: { title: string; values: Record<string, unknown> }[] = []
  for (let i = 0; i < count; i++) {
    const title = `${VERBS[i % VERBS.length]} ${OBJECTS[Math.floor(i / VERBS.length) % OBJECTS.length]}${i >= VERBS.length * OBJECTS.length ? ` (${Math.floor(i / (VERBS.length * OBJECTS.length)) + 1})` : ''}`
    const status = pick(STATUS)
    const tags = TAGS.filter(() => random() < 0.3)
    if (tags.length === 0) tags.push(pick(TAGS))
    const due = new Date(base + Math.floor(random() * 90) * 86_400_000).toISOString().slice(0, 10)
    const hasLink = random() < 0.5
    const hasNotes = random() < 0.4
    rows.push({
      title,
      values: {
        [P.name]: rich(title),
        [P.status]: { id: status.id, name: status.name, color: status.color },
        [P.tags]: tags.map((o) => ({ id: o.id, name: o.name, color: o.color })),
        [P.estimate]: pick([1, 2, 3, 5, 8, 13]),
        [P.due]: { start: due, end: null, time_zone: null },
        [P.done]: status.name === 'Done',
        [P.assignee]: [{ object: 'user', id: pick(assignees) }],
        [P.link]: hasLink ? `https://github.com/octavo-dev/octavo/issues/${100 + i}` : null,
        [P.notes]: hasNotes ? rich(t('Estimate is '), t('rough', { italic: true }), t(`; see task ${i + 1}.`)) : [],
      },
    })
  }
  return rows
}

// ---------------------------------------------------------------------------------------------
// Seeding

/**
 * Seeds the demo workspace through the service layer (workspaces, connections, sharing) and the
 * tree/blocks repositories. Meant for an empty store (the CLI checks that); running it twice
 * creates a second demo workspace (people are reused by e-mail).
 * @returns ids of what it made and the two connections' tokens.
 * @throws DomainError from the services (not expected on a healthy store).
 */
export async function seedDemo(deps: Deps): Promise<DemoSeed> {
  const { workspace, members } = await createWorkspace(deps, {
    name: DEMO_WORKSPACE_NAME,
    plan: 'free',
    members: DEMO_PEOPLE.map((p) => ({ ...p })),
  })
  const people = members.map((m) => ({ id: m.id, name: m.name ?? '', email: m.email ?? '', role: m.role }))
  const [ada, grace, alan] = people as [DemoSeed['people'][0], DemoSeed['people'][0], DemoSeed['people'][0]]
  const time = isoNow(deps.clock)
  const ws = workspace.id

  const built = await deps.store.transaction(async (trx) => {
    const append = (pageId: string, blocks: NewBlock[]) =>
      insertBlocks(trx, {
        workspaceId: ws,
        parentType: 'page_id',
        parentId: pageId,
        pageId,
        blocks,
        at: { type: 'end' },
        actor: ada.id,
        time,
      })
    const page = async (parentId: string | null, title: string, emoji: string, blocks: NewBlock[] = [], id?: string, actor = ada.id) => {
      const titleRt = rich(title)
      const row = await createNode(trx, {
        workspaceId: ws,
        parent: parentId ? { type: 'page_id', id: parentId } : { type: 'workspace' },
        kind: 'page',
        title: titleRt,
        properties: { title: titleRt },
        icon: { type: 'emoji', emoji },
        actor,
        time,
        ...(id ? { id } : {}),
      })
      await append(row.id, blocks)
      return row.id
    }
    return buildTree(trx, { ws, ada, grace, alan, time, page, append })
  })

  const demo = await createConnection(deps, {
    workspaceId: ws,
    actorId: ada.id,
    name: DEMO_CONNECTION_NAME,
    capabilities: { readComments: true, insertComments: true, userInfo: 'with_email' },
  })
  const unshared = await createConnection(deps, { workspaceId: ws, actorId: ada.id, name: UNSHARED_CONNECTION_NAME })
  await shareWithConnection(deps, demo.connection.id, built.pages.gettingStarted, ada.id)

  return {
    workspaceId: ws,
    ownerId: ada.id,
    people,
    pages: built.pages,
    tasks: built.tasks,
    connections: {
      demo: { id: demo.connection.id, name: DEMO_CONNECTION_NAME, token: demo.token },
      unshared: { id: unshared.connection.id, name: UNSHARED_CONNECTION_NAME, token: unshared.token },
    },
  }
}

interface TreeCtx {
  ws: string
  ada: { id: string; name: string }
  grace: { id: string; name: string }
  alan: { id: string; name: string }
  time: string
  page: (parentId: string | null, title: string, emoji: string, blocks?: NewBlock[], id?: string, actor?: string) => Promise<string>
  append: (pageId: string, blocks: NewBlock[]) => Promise<string[]>
}

async function buildTree(trx: Db, c: TreeCtx): Promise<Pick<DemoSeed, 'pages' | 'tasks'>> {
  const { page, append, ada, grace, alan } = c
  const connectId = newId()
  const writingId = newId()
  const SDK = 'https://github.com/makenotion/notion-sdk-js'

  // Level 1: Getting started (shared with "Demo integration").
  const gettingStarted = await page(null, DEMO_SHARED_PAGE_TITLE, '👋', [
    callout(
      '🚀',
      'blue_background',
      t('Welcome to '),
      t('Octavo', { bold: true }),
      t(': a self-hosted server that speaks Notion’s public API.'),
    ),
    para(
      t('Point the official '),
      t('@notionhq/client', { code: true }),
      t(' at this server with '),
      t('baseUrl', { code: true }),
      t(' and it works '),
      t('unchanged', { bold: true, italic: true }),
      t('. Read the '),
      t('SDK README', { underline: true }, SDK),
      t(' or ask '),
      userMention(ada.id, ada.name),
      t(' for a tour.'),
    ),
    h2('What you can do here'),
    bullet('Read and write pages, blocks and databases with an internal connection token', [
      bullet([t('Start with '), pageMention(connectId, 'Connect an integration')]),
      bullet([t('Then try '), pageMention(writingId, 'Writing content with the API')]),
    ]),
    bullet([t('Query the '), t('Tasks', { bold: true }), t(' database: 56 rows, nine property types')]),
    bullet([t('Search', { italic: true }), t(' finds only what is shared with your connection')]),
    h2('First steps'),
    todo('Start Octavo (you did this already)', true),
    todo('Copy the "Demo integration" token from the start-up banner', true),
    todo('Call users.me with the SDK'),
    todo('Share another page with "Unshared integration" and watch its 404s turn into 200s'),
    toggle('Why does my integration get 404 object_not_found?', [
      para('Connections only see pages that were shared with them, and everything below those pages.'),
      para(t('A page that is not shared is '), t('invisible', { bold: true }), t(', not forbidden: the API answers 404, never 403.')),
      code('json', '{\n  "object": "error",\n  "status": 404,\n  "code": "object_not_found"\n}'),
    ]),
    divider(),
    quote(
      t('“The Analytical Engine weaves algebraic patterns just as the Jacquard loom weaves flowers and leaves.”', { italic: true }),
      t(' — Ada Lovelace'),
    ),
    bookmark('https://developers.notion.com/reference/intro', 'Notion API reference'),
  ])

  // Level 2: Connect an integration.
  await page(
    gettingStarted,
    'Connect an integration',
    '🔌',
    [
      para('Every internal connection is a bot user with its own token. To try it:'),
      numbered('Ask an owner for a connection (octavo connection create, or the admin API).'),
      numbered('Share a page with it.', [bullet('Sharing covers the page and all its descendants, now and later.')]),
      numbered('Call the API with the token:'),
      code(
        'typescript',
        [
          "import { Client } from '@notionhq/client'",
          '',
          "const notion = new Client({ auth: process.env.NOTION_TOKEN, baseUrl: 'http://127.0.0.1:7700' })",
          'const me = await notion.users.me({})',
          'console.log(me.name)',
        ].join('\n'),
        'Node 20+, ESM',
      ),
      callout(
        '⚠️',
        'yellow_background',
        t('Tokens are secrets. '),
        t('Refresh', { bold: true }),
        t(' a token that leaked: the old one stops working at once.'),
      ),
    ],
    connectId,
  )

  // Levels 3–6 below "Connect an integration".
  const sharing = await page(connectId, 'Sharing pages with connections', '🔗', [
    para(t('Owners manage every connection; members with '), t('full access', { bold: true }), t(' to a page may add a connection to it.')),
    bullet('A share outlives the person who made it.'),
    bullet('Removing a share removes access to the whole subtree, unless an ancestor is still shared.'),
    toggle('What about guests?', [
      para('Guests cannot add connections to pages.'),
      para(t('They also cannot create top-level pages.', { color: 'gray' })),
    ]),
  ])
  const capabilities = await page(sharing, 'Capabilities in depth', '🛡️', [
    para('Capabilities limit what a connection may do, whatever is shared with it. Changing them keeps the token.'),
    table(
      ['Capability', 'Endpoints', 'Default'],
      [
        ['read_content', 'retrieve, query, search, list children', 'on'],
        ['update_content', 'update pages and blocks', 'on'],
        ['insert_content', 'create pages, append blocks', 'on'],
        ['read_comments', 'list comments', 'off'],
        ['insert_comments', 'create comments', 'off'],
      ],
    ),
    callout('🔒', 'gray_background', 'A missing capability answers 403 restricted_resource.'),
  ])
  const tokenRefresh = await page(capabilities, 'Token refresh checklist', '🔄', [
    todo('Refresh the token (octavo connection refresh <id>)'),
    todo('Update the secret in your deployment'),
    todo('Confirm the old token now answers 401 unauthorized'),
    code('bash', 'octavo connection refresh <connection-id>\noctavo connection token <connection-id>'),
  ])
  const appendix = await page(tokenRefresh, 'Appendix: error codes', '📎', [
    h3('Errors you will meet'),
    table(
      ['Status', 'Code', 'When'],
      [
        ['400', 'validation_error', 'the body does not match the schema'],
        ['401', 'unauthorized', 'the token is unknown or was refreshed'],
        ['403', 'restricted_resource', 'a capability is missing'],
        ['404', 'object_not_found', 'the object is not shared with the connection'],
        ['429', 'rate_limited', 'too many requests; honour Retry-After'],
      ],
    ),
    toggle('Rate limits', [
      para('About three requests per second per connection on average, with bursts allowed.'),
      equation('\\text{budget} = 180 / 60\\,\\text{s}'),
    ]),
  ])

  // Level 2: Writing content.
  const writingContent = await page(
    gettingStarted,
    'Writing content with the API',
    '✍️',
    [
      h1('Blocks, from top to bottom'),
      para(t('Append blocks with '), t('blocks.children.append', { code: true }), t('; nest up to two levels per request.')),
      h2('Two columns'),
      columns(
        [
          h3('Text'),
          para(
            t('Bold', { bold: true }),
            ', ',
            t('italic', { italic: true }),
            ', ',
            t('strikethrough', { strikethrough: true }),
            ', ',
            t('underline', { underline: true }),
            ', ',
            t('code', { code: true }),
            ' and ',
            t('colour', { color: 'red' }),
            '.',
          ),
        ],
        [h3('Structure'), bullet('Lists'), bullet('Toggles'), bullet('Tables')],
      ),
      h2('Media'),
      image('https://upload.wikimedia.org/wikipedia/commons/a/a4/Ada_Lovelace_portrait.jpg', 'Ada Lovelace, by Alfred Edward Chalon'),
      h2('Maths and code'),
      equation('e^{i\\pi} + 1 = 0'),
      code(
        'json',
        '{\n  "children": [\n    { "paragraph": { "rich_text": [{ "text": { "content": "Hello" } }] } }\n  ]\n}',
        'A minimal append body',
      ),
      numbered('Lists can nest', [numbered('like this', [numbered('and this')])]),
      para(t('Written on '), dateMention('2026-01-12'), t(' by '), userMention(grace.id, grace.name), t('.')),
    ],
    writingId,
    grace.id,
  )

  // Level 2: the Tasks database.
  const schema = tasksSchema()
  const { database, dataSource } = await createDatabase(trx, {
    workspaceId: c.ws,
    parent: { type: 'page_id', id: gettingStarted },
    title: rich('Tasks'),
    description: rich('What the team is working on. Query it with dataSources.query.'),
    icon: { type: 'emoji', emoji: '✅' },
    schema,
    actor: ada.id,
    time: c.time,
  })
  const rows = taskRows([ada.id, grace.id, alan.id])
  for (const [i, r] of rows.entries()) {
    const row = await createNode(trx, {
      workspaceId: c.ws,
      parent: { type: 'data_source_id', id: dataSource.id, databaseId: database.id },
      kind: 'page',
      title: r.values[P.name] as RichTextItem[],
      properties: r.values,
      actor: ada.id,
      time: c.time,
    })
    if (i < 3) await append(row.id, [para(`Details for “${r.title}”.`), todo('Agree on scope'), todo('Open a pull request')])
  }

  // Level 2: meeting notes.
  const meetings = await page(gettingStarted, 'Meeting notes', '🗓️', [para('One page per meeting, newest last.')])
  await page(meetings, '2026-01-12 Kickoff', '🎬', [
    h2('Attendees'),
    bullet([userMention(ada.id, ada.name)]),
    bullet([userMention(grace.id, grace.name)]),
    bullet([userMention(alan.id, alan.name)]),
    h2('Decisions'),
    numbered('Ship the sharing model first.'),
    numbered('Keep the wire format byte for byte.'),
  ])
  await page(meetings, '2026-01-19 Weekly sync', '🔁', [
    todo('Demo the CLI', true),
    todo('Write the example script'),
    quote('Small steps, always green.'),
  ])

  // Top-level pages that are not shared with any connection.
  const teamHome = await page(null, 'Team Home', '🏠', [
    para('Everything about how we work.'),
    h2('Links'),
    bookmark('https://www.notion.com/help', 'Notion Help Center'),
  ])
  const handbook = await page(teamHome, 'Handbook', '📘', [para('Our values, rituals and tools.')])
  await page(handbook, 'Holidays', '🏖️', [
    table(
      ['Region', 'Days'],
      [
        ['EU', '25'],
        ['US', '20'],
      ],
    ),
  ])
  const engineeringWiki = await page(null, 'Engineering wiki', '🛠️', [para('Architecture notes and runbooks.')])
  const architecture = await page(engineeringWiki, 'Architecture', '🏛️', [
    para('One SQLite file; one table for every node.'),
    code('sql', 'SELECT id, type FROM block WHERE page_id = ?;'),
  ])
  await page(architecture, 'Storage', '💾', [para('Permission roots make sharing checks a single lookup.')])
  await page(null, 'Private notes', '🔐', [para(t('Not shared with any connection: ', { bold: true }), t('connections cannot find it.'))])

  return {
    pages: {
      gettingStarted,
      connectAnIntegration: connectId,
      sharing,
      capabilities,
      tokenRefresh,
      appendix,
      writingContent,
      teamHome,
      engineeringWiki,
    },
    tasks: { databaseId: database.id, dataSourceId: dataSource.id, rows: rows.length },
  }
}

/**
 * The demo seeded on an earlier start, if the store still holds it: the first workspace named
 * "Octavo Demo" and, among its connections, the two demo ones with their tokens revealed again (as
 * the workspace's first owner; the reveal is audited). Returns null when there is no demo workspace.
 */
export async function findDemo(deps: Deps): Promise<{ workspaceId: string; ownerEmail: string; connections: DemoConnection[] } | null> {
  const ws = (await listWorkspaces(deps.store.db)).find((w) => w.name === DEMO_WORKSPACE_NAME)
  if (!ws) return null
  const owner = (await listMembers(deps.store.db, ws.id)).find((m) => m.role === 'owner')
  if (!owner) return null
  const out: DemoConnection[] = []
  for (const conn of await listConnections(deps, ws.id, owner.id)) {
    if (conn.name !== DEMO_CONNECTION_NAME && conn.name !== UNSHARED_CONNECTION_NAME) continue
    try {
      out.push({ id: conn.id, name: conn.name, token: await revealToken(deps, conn.id, owner.id) })
    } catch (e) {
      if (!(e instanceof DomainError)) throw e
    }
  }
  return { workspaceId: ws.id, ownerEmail: owner.email ?? '', connections: out }
}
