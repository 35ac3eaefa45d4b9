import type { Kysely } from 'kysely'
import { normalizeContent, type NewBlock } from '../../src/domain/blocks.js'
import type { PropertyConfig, Schema } from '../../src/domain/properties.js'
import { writePropertyValues } from '../../src/domain/property-values.js'
import { textRun, type RichTextItem } from '../../src/domain/rich-text.js'
import { createConnection, shareWithConnection } from '../../src/services/connections.service.js'
import { createDatabase } from '../../src/services/databases-core.js'
import { addGroupMember, createGroup } from '../../src/services/people.service.js'
import type { Deps } from '../../src/services/deps.js'
import { createNode } from '../../src/services/tree.service.js'
import { createWorkspace } from '../../src/services/workspaces.service.js'
import type { Database } from '../../src/storage/database.js'
import type { Db } from '../../src/storage/store.js'
import { openBulkWriter, type BulkWriter } from './bulk.js'
import { createRandom, type Random } from './prng.js'

/**
 * The benchmark workspace generator (issue 7, docs/adr/0012-benchmarks.md).
 *
 * Writes one workspace straight into a store — not over HTTP. Everything structural goes through
 * Octavo's own service functions, so a change of storage (people and groups, permissions) is
 * followed without touching this file: `createWorkspace` (people), `createGroup` and
 * `addGroupMember` (groups), `createConnection`, `createNode`
 * (top-level pages, and the data source's rows, with values from `writePropertyValues`, as the demo
 * seed makes its Tasks rows), `createDatabase`, `shareWithConnection` (shares, which maintain the
 * permission roots and ACLs). Many service calls run inside one store transaction (`inBatches`):
 * the services only see a `Deps` whose store runs "transactions" inside the open one.
 * Pages below the top level and content blocks — the bulk of size L — go through the one bulk
 * path, `bulk.ts` (a SQLite or a PostgreSQL writer, passed in as `openBulk`), before any share exists.
 *
 * Reproducible from a seed: ids of pages, blocks and rows, titles, tree shape, block content, which
 * connection shares which page, and row values all come from `createRandom(seed)`, and every
 * timestamp from a synthetic clock. Ids the services draw themselves (people, connections, the
 * database and its data source) and tokens are random.
 *
 * Shape (see `SIZES`): `pages` pages in the page tree (rows of the data source not included), in
 * trees of 100 pages plus a "spine" chain of `maxDepth` levels used by the depth workloads; `blocks`
 * content blocks; `shares` connection shares; `members` people (1 owner, ~10% guests); one data
 * source with `rows` rows; `groups` groups holding every non-guest member (round robin, so at L
 * 1,000 people in 50 groups of ~18). Groups get no page grants: what the benchmark connections see
 * (the 10%-visible search connection, the page reads) does not depend on them.
 */

/** Bump when the generated shape changes, so cached stores are rebuilt. */
export const GENERATOR_VERSION = 2

export interface WorkspaceSpec {
  /** Pages in the page tree (database rows not included). */
  pages: number
  /** Content blocks (paragraphs, headings, to-dos, list items). */
  blocks: number
  /** Depth of the spine chain below its top-level page (the deepest tree). */
  maxDepth: number
  /** Connection shares in the workspace, the benchmark connections' included. */
  shares: number
  /** People in the workspace (owner included). */
  members: number
  /** Groups (every non-guest member is in one). */
  groups: number
  /** Rows of the benchmark data source. */
  rows: number
}

export type SizeName = 'S' | 'M' | 'L'

export const SIZES: Record<SizeName, WorkspaceSpec> = {
  S: { pages: 1_000, blocks: 10_000, maxDepth: 50, shares: 100, members: 20, groups: 2, rows: 1_000 },
  M: { pages: 10_000, blocks: 100_000, maxDepth: 50, shares: 1_000, members: 100, groups: 5, rows: 10_000 },
  L: { pages: 100_000, blocks: 1_000_000, maxDepth: 50, shares: 10_000, members: 1_000, groups: 50, rows: 100_000 },
}

/** What the workloads need to know about a generated workspace. */
export interface Manifest {
  generator: number
  seed: number
  spec: WorkspaceSpec
  workspaceId: string
  ownerId: string
  /** Tokens of the two benchmark connections (stored only in the gitignored cache). */
  connections: {
    /** Sees the spine, the content pages, the append pages and the database. */
    bench: { id: string; token: string }
    /** Sees about 10% of the tree pages (whole trees), not the database. */
    search: { id: string; token: string }
  }
  ids: {
    /** `spine[0]` is top-level and shared with `bench`; `spine[d]` is d levels below that share. */
    spine: string[]
    /** Pages with 120 child blocks each (children listing). */
    contentPages: string[]
    /** Empty pages for the append workload. */
    appendPages: string[]
    /** A top-level page shared with no benchmark connection (the 404 workload). */
    unsharedPage: string
    databaseId: string
    dataSourceId: string
    /** Up to 1,000 row ids (the page property update workload). */
    rows: string[]
  }
  /** The title word the search workload looks for. */
  searchQuery: string
  counts: {
    pages: number
    rows: number
    blocks: number
    shares: number
    members: number
    groups: number
    groupMembers: number
    connections: number
    searchVisiblePages: number
  }
  seconds: number
}

export interface GenerateOptions {
  seed: number
  /**
   * The SQLite file behind `deps.store`: the default bulk writer opens a second connection to it.
   * Ignored when `openBulk` is given.
   */
  databasePath?: string
  /** Opens the bulk writer for pages below the top level and content blocks (default: SQLite at `databasePath`). */
  openBulk?: () => Promise<BulkWriter>
  /** Called now and then with a one-line progress message. */
  progress?: (message: string) => void
}

const WORDS = [
  'roadmap',
  'budget',
  'meeting',
  'design',
  'launch',
  'review',
  'sprint',
  'notes',
  'hiring',
  'research',
  'customer',
  'release',
  'incident',
  'planning',
  'metrics',
  'onboarding',
  'feedback',
  'pricing',
  'security',
  'backlog',
  'quarterly',
  'retro',
  'api',
  'mobile',
  'billing',
  'support',
  'legal',
  'brand',
  'partner',
  'infra',
  'growth',
  'data',
  'search',
  'editor',
  'sync',
  'import',
  'export',
  'archive',
  'template',
  'wiki',
] as const
const SEARCH_QUERY = 'roadmap'
const FIRST = ['Ada', 'Alan', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim', 'Margaret', 'Linus'] as const
const LAST = [
  'Lovelace',
  'Turing',
  'Hopper',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Thompson',
  'Perlman',
  'Berners-Lee',
  'Hamilton',
  'Torvalds',
] as const

const TREE_SIZE = 100
const CONTENT_PAGES = 100
const CONTENT_BLOCKS = 120
const APPEND_PAGES = 200
const BATCH_PAGES = 2_000
const BATCH_ROWS = 2_000
const BATCH_SHARES = 500
const BASE_TIME = Date.UTC(2025, 0, 1)

const STATUS = ['Not started', 'In progress', 'Blocked', 'Done'] as const
const TAGS = ['API', 'Docs', 'Bug', 'Feature', 'Design', 'Infra'] as const
const COLORS = ['gray', 'blue', 'red', 'green', 'purple', 'yellow'] as const

/** The data source schema: fixed property ids, so rows and queries are the same on every run. */
export function benchSchema(): Schema {
  const option = (name: string, i: number) => ({ id: `0b0e000${i}`, name, color: COLORS[i % COLORS.length], description: null })
  const prop = (id: string, name: string, type: string, config: Record<string, unknown> = {}): PropertyConfig => ({
    id,
    name,
    type,
    description: null,
    config,
  })
  const list = [
    prop('title', 'Name', 'title'),
    prop('sTat', 'Status', 'select', { options: STATUS.map(option) }),
    prop('pRio', 'Priority', 'number', { format: 'number' }),
    prop('dUe0', 'Due', 'date'),
    prop('tAgs', 'Tags', 'multi_select', { options: TAGS.map((t, i) => ({ ...option(t, i), id: `0b0e010${i}` })) }),
    prop('dOne', 'Done', 'checkbox'),
  ]
  return Object.fromEntries(list.map((p) => [p.id, p]))
}

/** The query body of the data source workload: a filter and a sort over the schema above. */
export const DATA_SOURCE_QUERY = {
  filter: {
    and: [
      { property: 'Status', select: { equals: 'In progress' } },
      { property: 'Priority', number: { greater_than: 50 } },
    ],
  },
  sorts: [{ property: 'Priority', direction: 'descending' }],
}

/** A synthetic clock: every call moves one second on, from 2025-01-01. */
function syntheticClock() {
  let t = BASE_TIME
  return { now: () => (t += 1000) }
}

/** `deps` whose store runs every "transaction" inside the already open `trx`. */
function joined(deps: Deps, trx: Db): Deps {
  const store = { ...deps.store, db: trx as Kysely<Database>, transaction: <T>(fn: (t: Db) => Promise<T>) => fn(trx) }
  return { ...deps, store }
}

/** Runs `fn(item)` for every item, `size` items per store transaction. */
async function inBatches<T>(
  deps: Deps,
  items: readonly T[],
  size: number,
  fn: (d: Deps, item: T, i: number) => Promise<void>,
  tick?: (done: number) => void,
): Promise<void> {
  for (let start = 0; start < items.length; start += size) {
    await deps.store.transaction(async (trx) => {
      const d = joined(deps, trx)
      const end = Math.min(items.length, start + size)
      for (let i = start; i < end; i++) await fn(d, items[i] as T, i)
    })
    tick?.(Math.min(items.length, start + size))
  }
}

function title(rnd: Random, i: number): string {
  return `${rnd.pick(WORDS)} ${rnd.pick(WORDS)} ${i}`
}

function block(rnd: Random, i: number): NewBlock {
  const text = [{ type: 'text' as const, text: { content: `${rnd.pick(WORDS)} ${rnd.pick(WORDS)} ${rnd.pick(WORDS)} — line ${i}` } }]
  const r = rnd.next()
  const type = r < 0.7 ? 'paragraph' : r < 0.8 ? 'heading_2' : r < 0.9 ? 'to_do' : 'bulleted_list_item'
  const content = type === 'to_do' ? { rich_text: text, checked: rnd.next() < 0.5 } : { rich_text: text }
  return { type, content: normalizeContent(type, content), children: [] }
}

interface PagePlan {
  id: string
  parent: string | null
  title: string
  depth: number
}

/**
 * Generates one workspace of shape `spec` into `deps.store` and returns its manifest.
 * `deps.clock` is replaced by a synthetic clock for the generated content.
 * @throws whatever the services throw (a bug in the generator or a broken store).
 */
export async function generateWorkspace(baseDeps: Deps, spec: WorkspaceSpec, opts: GenerateOptions): Promise<Manifest> {
  const started = Date.now()
  const deps: Deps = { ...baseDeps, clock: syntheticClock() }
  const say = opts.progress ?? (() => {})
  const cpu0 = process.cpuUsage()
  const elapsed = () =>
    `${((Date.now() - started) / 1000).toFixed(1)} s, cpu ${((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6).toFixed(1)} s`
  const rnd = (stream: number) => createRandom(opts.seed, stream)

  // People.
  const people = rnd(1)
  const members = Array.from({ length: spec.members }, (_, i) => ({
    name: `${people.pick(FIRST)} ${people.pick(LAST)}`,
    email: `person${i}.${opts.seed}@bench.octavo.test`,
    role: i === 0 ? ('owner' as const) : people.next() < 0.1 ? ('guest' as const) : ('member' as const),
  }))
  const { workspace, members: created } = await createWorkspace(deps, { name: `Bench ${opts.seed}`, plan: 'enterprise', members })
  const ownerId = (created[0] as { id: string }).id
  // Groups, through the people service: every non-guest member in one, round robin.
  const groupIds: string[] = []
  await inBatches(
    deps,
    Array.from({ length: spec.groups }, (_, i) => i),
    BATCH_SHARES,
    async (d, i) => {
      const g = await createGroup(d, { workspaceId: workspace.id, actorId: ownerId, name: `Group ${i}` })
      groupIds.push(g.id)
    },
  )
  const inGroups =
    groupIds.length === 0 ? [] : created.filter((u, i) => i > 0 && members[i]?.role !== 'guest').map((u) => (u as { id: string }).id)
  await inBatches(deps, inGroups, BATCH_SHARES, async (d, userId, i) => {
    await addGroupMember(d, { workspaceId: workspace.id, actorId: ownerId, groupId: groupIds[i % groupIds.length] as string, userId })
  })
  say(`people: ${spec.members} members, ${groupIds.length} groups holding ${inGroups.length} of them (${elapsed()})`)

  // Page plan: the benchmark pages first, then trees of TREE_SIZE pages.
  const shape = rnd(2)
  const plan: PagePlan[] = []
  const add = (parent: PagePlan | null, text: string): PagePlan => {
    const p = { id: shape.uuid(), parent: parent?.id ?? null, title: text, depth: parent ? parent.depth + 1 : 0 }
    plan.push(p)
    return p
  }
  const spine = [add(null, 'Bench spine 0')]
  for (let d = 1; d <= spec.maxDepth; d++) spine.push(add(spine[d - 1] as PagePlan, `Bench spine ${d}`))
  const contentTop = add(null, 'Bench content')
  const contentPages = Array.from(
    { length: Math.min(CONTENT_PAGES, Math.max(1, Math.floor(spec.blocks / (CONTENT_BLOCKS * 10)))) },
    (_, i) => add(contentTop, `Bench content ${i}`),
  )
  const appendTop = add(null, 'Bench append')
  const appendPages = Array.from({ length: Math.min(APPEND_PAGES, Math.max(1, Math.floor(spec.pages / 10))) }, (_, i) =>
    add(appendTop, `Bench append ${i}`),
  )
  const dataTop = add(null, 'Bench data')
  const unshared = add(null, 'Bench unshared')
  const trees: PagePlan[][] = []
  let blockTotal: number
  while (plan.length < spec.pages) {
    const tree: PagePlan[] = [add(null, title(shape, plan.length))]
    const size = Math.min(TREE_SIZE, spec.pages - plan.length + 1)
    for (let i = 1; i < size; i++) {
      const prev = tree[i - 1] as PagePlan
      let parent = shape.next() < 0.5 ? prev : (tree[shape.int(tree.length)] as PagePlan)
      if (parent.depth >= spec.maxDepth) parent = tree[0] as PagePlan
      tree.push(add(parent, title(shape, plan.length)))
    }
    trees.push(tree)
  }

  // Top-level pages through the tree service (each is a permission root granting the members).
  const tops = plan.filter((p) => p.parent === null)
  await inBatches(deps, tops, BATCH_PAGES, async (d, p) => {
    const text = [textRun(p.title)]
    await createNode(d.store.db, {
      id: p.id,
      workspaceId: workspace.id,
      parent: { type: 'workspace' },
      kind: 'page',
      title: text,
      properties: { title: text },
      actor: ownerId,
      time: new Date(d.clock.now()).toISOString(),
    })
  })
  say(`pages: ${tops.length.toLocaleString('en')} top-level (${elapsed()})`)

  // Pages below them and content blocks: the bulk path (bulk.ts), parents before children.
  const bulk = opts.openBulk ? await opts.openBulk() : openBulkWriter(opts.databasePath ?? '')
  try {
    let n = 0
    for (const p of plan) {
      if (p.parent === null) continue
      await bulk.page({
        id: p.id,
        workspaceId: workspace.id,
        parentId: p.parent,
        title: p.title,
        time: new Date(deps.clock.now()).toISOString(),
        actor: ownerId,
      })
      if (++n % 20_000 === 0)
        say(`pages: ${n.toLocaleString('en')}/${(plan.length - tops.length).toLocaleString('en')} below the top level (${elapsed()})`)
    }
    await bulk.flush()
    say(`pages: ${plan.length.toLocaleString('en')} (${elapsed()})`)

    // Blocks: 120 on each content page, the rest spread at random over the tree pages.
    const blockRnd = rnd(3)
    const counts = new Map<string, number>(contentPages.map((p) => [p.id, CONTENT_BLOCKS]))
    const treePages = trees.flat()
    const spread = Math.max(0, spec.blocks - CONTENT_BLOCKS * contentPages.length)
    for (let i = 0; i < spread && treePages.length > 0; i++) {
      const id = (treePages[blockRnd.int(treePages.length)] as PagePlan).id
      counts.set(id, (counts.get(id) ?? 0) + 1)
    }
    let done = 0
    const ids = () => blockRnd.uuid()
    for (const [pageId, count] of counts) {
      await bulk.blocks(
        pageId,
        workspace.id,
        Array.from({ length: count }, (_, k) => block(blockRnd, k)),
        ids,
        new Date(deps.clock.now()).toISOString(),
        ownerId,
      )
      const before = done
      done += count
      if (Math.floor(done / 100_000) > Math.floor(before / 100_000))
        say(`blocks: ${done.toLocaleString('en')}/${spec.blocks.toLocaleString('en')} (${elapsed()})`)
    }
    blockTotal = done
  } finally {
    await bulk.close()
  }
  say(`blocks: ${blockTotal.toLocaleString('en')} (${elapsed()})`)
  const treePages = trees.flat()

  // Connections: the two benchmark ones, plus one per 100 other shares.
  const sharePlan: { connection: number; page: string }[] = []
  const bench = await createConnection(deps, { workspaceId: workspace.id, actorId: ownerId, name: 'Bench reader' })
  const search = await createConnection(deps, {
    workspaceId: workspace.id,
    actorId: ownerId,
    name: 'Bench search',
    capabilities: { readContent: true, updateContent: false, insertContent: false },
  })
  const benchShares = [spine[0], contentTop, appendTop, dataTop].map((p) => (p as PagePlan).id)
  const shareRnd = rnd(4)
  const searchShares: string[] = []
  let searchVisible = 0
  for (const tree of trees) {
    if (searchVisible >= spec.pages / 10 || searchShares.length + benchShares.length >= spec.shares) break
    searchShares.push((tree[0] as PagePlan).id)
    searchVisible += tree.length
  }
  const others = Math.max(0, spec.shares - benchShares.length - searchShares.length)
  const otherConnections = Math.max(1, Math.ceil(others / 100))
  const otherIds: string[] = []
  for (let i = 0; i < otherConnections; i++) {
    const c = await createConnection(deps, { workspaceId: workspace.id, actorId: ownerId, name: `Connection ${i}` })
    otherIds.push(c.connection.id)
  }
  // Two of the other shares sit on the spine, so the depth reads cross intermediate roots.
  const taken = new Set<string>()
  const otherTargets = [...treePages, ...spine.slice(1)]
  for (let i = 0; i < others; i++) {
    const connection = i % otherConnections
    let page =
      i < 2 && spine.length > 41
        ? (spine[i === 0 ? 25 : 40] as PagePlan).id
        : (otherTargets[shareRnd.int(otherTargets.length)] as PagePlan).id
    for (let tries = 0; taken.has(`${connection}|${page}`) && tries < 20; tries++)
      page = (otherTargets[shareRnd.int(otherTargets.length)] as PagePlan).id
    taken.add(`${connection}|${page}`)
    sharePlan.push({ connection, page })
  }
  const allShares = [
    ...benchShares.map((page) => ({ id: bench.connection.id, page })),
    ...searchShares.map((page) => ({ id: search.connection.id, page })),
    ...sharePlan.map((s) => ({ id: otherIds[s.connection] as string, page: s.page })),
  ]
  await inBatches(
    deps,
    allShares,
    BATCH_SHARES,
    async (d, s) => {
      await shareWithConnection(d, s.id, s.page, ownerId)
    },
    (n) => say(`shares: ${n.toLocaleString('en')}/${allShares.length.toLocaleString('en')} (${elapsed()})`),
  )

  // The data source and its rows, created as the benchmark connection would over the API.
  const { database, dataSource } = await deps.store.transaction((trx) =>
    createDatabase(trx, {
      workspaceId: workspace.id,
      parent: { type: 'page_id', id: dataTop.id },
      title: [textRun('Bench tasks')],
      schema: benchSchema(),
      actor: ownerId,
      time: new Date(deps.clock.now()).toISOString(),
    }),
  )
  const schema = benchSchema()
  const rowRnd = rnd(5)
  const rowIds: string[] = []
  const rowIndexes = Array.from({ length: spec.rows }, (_, i) => i)
  await inBatches(
    deps,
    rowIndexes,
    BATCH_ROWS,
    async (d, i) => {
      const { values } = writePropertyValues(
        schema,
        {
          Name: { title: [{ text: { content: `Task ${title(rowRnd, i)}` } }] },
          Status: { select: { name: rowRnd.pick(STATUS) } },
          Priority: { number: rowRnd.int(100) },
          Due: { date: { start: new Date(BASE_TIME + rowRnd.int(365) * 86_400_000).toISOString().slice(0, 10) } },
          Tags: { multi_select: TAGS.filter(() => rowRnd.next() < 0.25).map((name) => ({ name })) },
          Done: { checkbox: rowRnd.next() < 0.3 },
        },
        { create: true },
      )
      const row = await createNode(d.store.db, {
        id: rowRnd.uuid(),
        workspaceId: workspace.id,
        parent: { type: 'data_source_id', id: dataSource.id, databaseId: database.id },
        kind: 'page',
        title: values.title as RichTextItem[],
        properties: values,
        actor: ownerId,
        time: new Date(d.clock.now()).toISOString(),
      })
      if (rowIds.length < 1000) rowIds.push(row.id)
    },
    (n) => say(`rows: ${n.toLocaleString('en')}/${spec.rows.toLocaleString('en')} (${elapsed()})`),
  )

  return {
    generator: GENERATOR_VERSION,
    seed: opts.seed,
    spec,
    workspaceId: workspace.id,
    ownerId,
    connections: {
      bench: { id: bench.connection.id, token: bench.token },
      search: { id: search.connection.id, token: search.token },
    },
    ids: {
      spine: spine.map((p) => p.id),
      contentPages: contentPages.map((p) => p.id),
      appendPages: appendPages.map((p) => p.id),
      unsharedPage: unshared.id,
      databaseId: database.id,
      dataSourceId: dataSource.id,
      rows: rowIds,
    },
    searchQuery: SEARCH_QUERY,
    counts: {
      pages: plan.length,
      rows: spec.rows,
      blocks: blockTotal,
      shares: allShares.length,
      members: spec.members,
      groups: groupIds.length,
      groupMembers: inGroups.length,
      connections: 2 + otherConnections,
      searchVisiblePages: searchVisible,
    },
    seconds: (Date.now() - started) / 1000,
  }
}
