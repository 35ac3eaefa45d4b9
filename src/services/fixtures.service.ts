import { isoNow } from '../domain/clock.js'
import { parseBlockRequests, type NewBlock } from '../domain/blocks.js'
import { Fixture, type FixtureData, type FixtureDatabase, type FixtureNode, type FixturePage } from '../domain/fixture.js'
import { titlePropertyId } from '../domain/properties.js'
import { writePropertyValues } from '../domain/property-values.js'
import { textRun, type RichTextItem } from '../domain/rich-text.js'
import { parseNewSchema } from '../domain/schema.js'
import { DomainError } from '../errors/domain-error.js'
import { NotionApiError } from '../errors/notion-error.js'
import type { Capabilities } from '../permissions/capabilities.js'
import { insertBlocks } from '../storage/repositories/blocks.repository.js'
import { saveSchema } from '../storage/repositories/data-sources.repository.js'
import type { Db } from '../storage/store.js'
import { createConnection, shareWithConnection } from './connections.service.js'
import { createDatabase } from './databases-core.js'
import type { Deps } from './deps.js'
import { createPat } from './pats.service.js'
import { setPassword } from './portal-auth.service.js'
import { registerPublicConnection } from './public-connections.service.js'
import { storeReplaced } from './snapshots.service.js'
import { createNode } from './tree.service.js'
import { createWorkspace } from './workspaces.service.js'

/**
 * Loads a fixture (src/domain/fixture.ts, docs/fixture.schema.json) through the services the API and
 * the admin API use, so the store holds what those would have written, change events included (ADR 15,
 * ADR 23): `createWorkspace`, `createNode` + `insertBlocks` (pages and content, one transaction per
 * top-level node), `createDatabase` + `createNode` (rows, values checked by `writePropertyValues`),
 * `createConnection`, `shareWithConnection`, `createPat`, `registerPublicConnection`. Everything is
 * created in file order, acting as the workspace's first owner unless the fixture names someone.
 */

export interface LoadedWorkspace {
  id: string
  name: string
  /** Person ids by e-mail. */
  people: Record<string, string>
  /** Page, database and row ids by key (and by title when the title is unique). */
  pages: Record<string, string>
  /** Data source ids by database key (and title). */
  data_sources: Record<string, string>
  connections: Record<string, { id: string; token: string }>
  personal_access_tokens: Record<string, { id: string; token: string }>
  public_connections: Record<string, { client_id: string; client_secret: string }>
}

export interface LoadedFixture {
  workspaces: LoadedWorkspace[]
}

/** Parses and checks a fixture document. @throws DomainError invalid_input naming the path. */
export function parseFixture(input: unknown): FixtureData {
  const parsed = Fixture.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new DomainError('invalid_input', `fixture.${issue?.path.join('.') ?? ''}: ${issue?.message}`)
  }
  return parsed.data
}

/** Notion-grammar failures of content and values become the fixture's invalid_input, with where. */
async function at<T>(where: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (err instanceof NotionApiError) throw new DomainError('invalid_input', `${where}: ${err.message}`)
    if (err instanceof DomainError) throw new DomainError(err.code, `${where}: ${err.message}`)
    throw err
  }
}

const capabilitiesOf = (c: Record<string, unknown> | undefined): Partial<Capabilities> => {
  if (!c) return {}
  const out: Partial<Capabilities> = {}
  if (c.read_content !== undefined) out.readContent = c.read_content as boolean
  if (c.update_content !== undefined) out.updateContent = c.update_content as boolean
  if (c.insert_content !== undefined) out.insertContent = c.insert_content as boolean
  if (c.read_comments !== undefined) out.readComments = c.read_comments as boolean
  if (c.insert_comments !== undefined) out.insertComments = c.insert_comments as boolean
  if (c.user_info !== undefined) out.userInfo = c.user_info as Capabilities['userInfo']
  return out
}

const blocksOf = (content: Record<string, unknown>[] | undefined): NewBlock[] =>
  content?.length ? parseBlockRequests(content, ['content'], 100) : []

/**
 * Loads `input` into the store; with `reset`, empties the store first (same as `POST /reset`). All or
 * nothing: on a failure the store is put back as it was before the call (from a store image), so writes
 * made by others during a failed load are lost too — a fixture load is a set-up step, not live traffic.
 * @returns the ids (and tokens, client secrets) of what was created, by name, e-mail or key.
 * @throws DomainError invalid_input (the document, a block, a schema or a value, with its path),
 *   conflict (a fixed token in use), forbidden (a person's role forbids what the fixture asks of them)
 */
export async function loadFixture(deps: Deps, input: unknown, opts: { reset?: boolean } = {}): Promise<LoadedFixture> {
  const fixture = parseFixture(input)
  // All or nothing: a fixture failing half-way puts the store back as it was (and so appends no event).
  const before = deps.store.saveImage ? await deps.store.saveImage() : undefined
  try {
    if (opts.reset) {
      await deps.store.truncateAll({ actor: 'system', time: isoNow(deps.clock) })
      storeReplaced(deps)
    }
    return await build(deps, fixture)
  } catch (err) {
    if (before) {
      await deps.store.restoreImage!(before)
      storeReplaced(deps)
    }
    throw err
  } finally {
    if (before) await deps.store.dropImage!(before)
  }
}

async function build(deps: Deps, fixture: FixtureData): Promise<LoadedFixture> {
  const out: LoadedFixture = { workspaces: [] }
  for (const [wi, w] of fixture.workspaces.entries()) {
    const where = `workspaces[${wi}]`
    if (!w.people.some((p) => p.role === 'owner')) throw new DomainError('invalid_input', `${where}.people: a workspace needs an owner.`)
    const { workspace, members } = await at(where, () =>
      createWorkspace(deps, { name: w.name, plan: w.plan, members: w.people.map((p) => ({ name: p.name, email: p.email, role: p.role })) }),
    )
    const loaded: LoadedWorkspace = {
      id: workspace.id,
      name: workspace.name,
      people: Object.fromEntries(members.map((m) => [m.email ?? '', m.id])),
      pages: {},
      data_sources: {},
      connections: {},
      personal_access_tokens: {},
      public_connections: {},
    }
    for (const p of w.people) if (p.password) await setPassword(deps, loaded.people[p.email.toLowerCase()]!, p.password)
    const person = (email: string | undefined, field: string): string => {
      if (email === undefined) return members.find((m) => m.role === 'owner')!.id
      const id = loaded.people[email.toLowerCase()]
      if (!id) throw new DomainError('invalid_input', `${where}.${field}: ${email} is not one of this workspace's people.`)
      return id
    }
    const owner = person(undefined, 'people')
    const titles = new Map<string, number>()
    const name = (key: string | undefined, title: string, id: string) => {
      if (key) loaded.pages[key] = id
      titles.set(title, (titles.get(title) ?? 0) + 1)
      if (!(title in loaded.pages)) loaded.pages[title] = id
    }

    const time = isoNow(deps.clock)
    for (const [ni, node] of (w.pages ?? []).entries()) {
      await at(`${where}.pages[${ni}]`, () =>
        deps.store.transaction((trx) => buildNode(trx, { workspaceId: workspace.id, actor: owner, time, name, loaded }, node, null)),
      )
    }
    // A title shared by several nodes names none of them (keys do).
    for (const [title, n] of titles)
      if (n > 1 && loaded.pages[title] !== undefined && !isKey(w.pages ?? [], title)) delete loaded.pages[title]

    for (const [ci, c] of (w.connections ?? []).entries()) {
      const cw = `${where}.connections[${ci}]`
      const actorId = person(c.created_by, `connections[${ci}].created_by`)
      const made = await at(cw, () =>
        createConnection(deps, {
          workspaceId: workspace.id,
          actorId,
          name: c.name,
          capabilities: capabilitiesOf(c.capabilities),
          ...(c.token !== undefined ? { token: c.token } : {}),
        }),
      )
      loaded.connections[c.name] = { id: made.connection.id, token: made.token }
      for (const ref of c.shared_with ?? []) {
        const pageId = loaded.pages[ref]
        if (!pageId) throw new DomainError('invalid_input', `${cw}.shared_with: no page or database with key or unique title "${ref}".`)
        await at(cw, () => shareWithConnection(deps, made.connection.id, pageId, actorId))
      }
    }
    for (const [pi, p] of (w.personal_access_tokens ?? []).entries()) {
      const made = await at(`${where}.personal_access_tokens[${pi}]`, () =>
        createPat(deps, {
          workspaceId: workspace.id,
          actorId: person(p.owner, `personal_access_tokens[${pi}].owner`),
          name: p.name,
          ...(p.expires_in_days !== undefined ? { expiresInDays: p.expires_in_days } : {}),
          ...(p.token !== undefined ? { token: p.token } : {}),
        }),
      )
      loaded.personal_access_tokens[p.name] = { id: made.pat.id, token: made.token }
    }
    for (const [ci, c] of (w.public_connections ?? []).entries()) {
      const made = await at(`${where}.public_connections[${ci}]`, () =>
        registerPublicConnection(deps, {
          workspaceId: workspace.id,
          actorId: person(c.created_by, `public_connections[${ci}].created_by`),
          name: c.name,
          redirectUris: c.redirect_uris,
          capabilities: capabilitiesOf(c.capabilities),
        }),
      )
      loaded.public_connections[c.name] = { client_id: made.connection.id, client_secret: made.client_secret }
    }
    out.workspaces.push(loaded)
  }
  return out
}

function isKey(nodes: FixtureNode[], text: string): boolean {
  return nodes.some((n) => n.key === text || ('children' in n && isKey(n.children ?? [], text)))
}

interface Ctx {
  workspaceId: string
  actor: string
  time: string
  name: (key: string | undefined, title: string, id: string) => void
  loaded: LoadedWorkspace
}

async function buildNode(trx: Db, c: Ctx, node: FixtureNode, parentId: string | null): Promise<void> {
  const parent = parentId ? ({ type: 'page_id', id: parentId } as const) : ({ type: 'workspace' } as const)
  const title: RichTextItem[] = node.title ? [textRun(node.title)] : []
  const icon = node.icon ? { type: 'emoji', emoji: node.icon } : null
  if (node.type === 'database') return buildDatabase(trx, c, node, parent, title, icon)
  const page = node as FixturePage
  const blocks = blocksOf(page.content)
  const row = await createNode(trx, {
    workspaceId: c.workspaceId,
    parent,
    kind: 'page',
    title,
    properties: { title },
    icon,
    actor: c.actor,
    time: c.time,
    ...(page.id ? { id: page.id } : {}),
  })
  c.name(page.key, page.title, row.id)
  await append(trx, c, row.id, blocks)
  for (const child of page.children ?? []) await buildNode(trx, c, child, row.id)
}

async function append(trx: Db, c: Ctx, pageId: string, blocks: NewBlock[]): Promise<void> {
  if (blocks.length === 0) return
  await insertBlocks(trx, {
    workspaceId: c.workspaceId,
    parentType: 'page_id',
    parentId: pageId,
    pageId,
    blocks,
    at: { type: 'end' },
    actor: c.actor,
    time: c.time,
  })
}

async function buildDatabase(
  trx: Db,
  c: Ctx,
  node: FixtureDatabase,
  parent: { type: 'workspace' } | { type: 'page_id'; id: string },
  title: RichTextItem[],
  icon: Record<string, unknown> | null,
): Promise<void> {
  const { schema, pending } = parseNewSchema(node.properties, ['properties'], { legacy: false })
  if (pending.length)
    throw new DomainError('invalid_input', 'properties: relation and rollup properties are not supported in fixtures yet.')
  const { database, dataSource } = await createDatabase(trx, {
    workspaceId: c.workspaceId,
    parent,
    title,
    isInline: node.is_inline ?? false,
    icon,
    schema,
    actor: c.actor,
    time: c.time,
    ...(node.id ? { databaseId: node.id } : {}),
  })
  c.name(node.key, node.title, database.id)
  if (node.key) c.loaded.data_sources[node.key] = dataSource.id
  if (!(node.title in c.loaded.data_sources)) c.loaded.data_sources[node.title] = dataSource.id
  const titleId = titlePropertyId(schema)
  for (const [ri, r] of (node.rows ?? []).entries()) {
    const { values, schemaChanged } = (() => {
      try {
        return writePropertyValues(schema, r.properties, { create: true, actor: c.actor })
      } catch (err) {
        if (err instanceof NotionApiError) throw new DomainError('invalid_input', `rows[${ri}]: ${err.message}`)
        throw err
      }
    })()
    if (schemaChanged) await saveSchema(trx, dataSource.id, schema, { by: c.actor, actor: `user:${c.actor}`, time: c.time })
    const rowTitle = (values[titleId] as RichTextItem[] | undefined) ?? []
    const row = await createNode(trx, {
      workspaceId: c.workspaceId,
      parent: { type: 'data_source_id', id: dataSource.id, databaseId: database.id },
      kind: 'page',
      title: rowTitle,
      properties: values,
      actor: c.actor,
      time: c.time,
      ...(r.id ? { id: r.id } : {}),
    })
    if (r.key) c.loaded.pages[r.key] = row.id
    await append(trx, c, row.id, blocksOf(r.content))
  }
}
