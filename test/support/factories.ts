import { isFullDatabase, type Client, type CreateDatabaseParameters, type DatabaseObjectResponse } from '@notionhq/client'
import { isoNow } from '../../src/domain/clock.js'
import { textRun } from '../../src/domain/rich-text.js'
import type { Capabilities } from '../../src/permissions/capabilities.js'
import { createConnection, shareWithConnection } from '../../src/services/connections.service.js'
import { createDatabase } from '../../src/services/databases-core.js'
import { createNode } from '../../src/services/tree.service.js'
import { seedBasic, type TestServer } from './harness.js'

/**
 * Test factories (in the manner of Outline's `server/test/factories.ts`): the small set-ups that
 * test files used to copy, built on the harness (`startTestServer`, `seedBasic`), the service layer
 * and the official SDK. Each one does exactly what the copies did, so converted tests keep their
 * strength; what a test checks stays in the test.
 */

/** What `seedBasic` returns: workspace, owner / member / guest, the page tree and the "Test Bot" connection. */
export type Seed = Awaited<ReturnType<typeof seedBasic>>

/** Property configurations of a new data source, as the SDK types them (`initial_data_source.properties`). */
export type DatabaseProperties = NonNullable<NonNullable<CreateDatabaseParameters['initial_data_source']>['properties']>

/**
 * A rich-text request array holding one plain text run: `[{ type: 'text', text: { content } }]`
 * (Notion's `RichTextItemRequest`, docs/reference/notion-api.md §2.3).
 */
export const rt = (content: string) => [{ type: 'text' as const, text: { content } }]

/**
 * `seedBasic(server, caps)`, then the root page (and so `Child` and `Grandchild`, not `Secret`) shared
 * with the seeded "Test Bot" connection, and an SDK client for its token.
 *
 * @param caps capabilities of the seeded connection (default: all of them).
 * @returns `{ s, notion }`: the seed and the connection's SDK client (default Notion-Version).
 */
export async function connectedWorkspace(server: TestServer, caps: Partial<Capabilities> = {}): Promise<{ s: Seed; notion: Client }> {
  const s = await seedBasic(server, caps)
  await s.share(s.pages.root.id)
  return { s, notion: server.client(s.token) }
}

/**
 * Creates a database under a page through the SDK (`POST /v1/databases`, 2025-09-03 shape: the schema
 * goes in `initial_data_source.properties`).
 *
 * @param parentPageId the page the database goes under; the client must be able to insert there.
 * @param opts.title plain-text title; `description` likewise; `properties` the initial data source's schema.
 * @returns the full database object and the id of its (only) data source.
 * @throws the SDK's `APIResponseError` when the request is refused; an `Error` when the answer is a
 *   partial object (a connection without read content), which none of the callers expects.
 */
export async function buildDatabase(
  notion: Client,
  parentPageId: string,
  opts: { title: string; properties: DatabaseProperties; description?: string },
): Promise<{ database: DatabaseObjectResponse; dataSourceId: string }> {
  const database = await notion.databases.create({
    parent: { type: 'page_id', page_id: parentPageId },
    title: rt(opts.title),
    ...(opts.description !== undefined ? { description: rt(opts.description) } : {}),
    initial_data_source: { properties: opts.properties },
  })
  if (!isFullDatabase(database)) throw new Error('expected a full database object')
  const first = database.data_sources[0]
  if (!first) throw new Error('expected the new database to have a data source')
  return { database, dataSourceId: first.id }
}

/**
 * Creates a row in a data source through the SDK (`POST /v1/pages`) with `Name` as its title property
 * set to `name`, plus any other property values (request shapes, unchecked here: tests also send
 * values the SDK types do not know).
 *
 * @returns the id of the new row.
 */
export async function buildRow(notion: Client, dataSourceId: string, name: string, props: Record<string, unknown> = {}): Promise<string> {
  const page = await notion.pages.create({
    parent: { data_source_id: dataSourceId },
    properties: { Name: { title: rt(name) }, ...props } as never,
  })
  return page.id
}

/**
 * Creates a database with the single title property `Name` and one row, straight through the service
 * layer (no connection needed, made by `actorId`). The clock is read once for the database and once
 * for the row, so a stepping clock gives the row the later timestamps.
 *
 * @param opts.title the database title (default `Tasks`); `rowTitle` the row's title.
 * @returns the stored database, data source and row.
 */
export async function seedDatabase(
  server: TestServer,
  opts: { workspaceId: string; actorId: string; parentId: string; rowTitle: string; title?: string },
) {
  const { workspaceId, actorId: actor } = opts
  return server.deps.store.transaction(async (trx) => {
    const { database, dataSource } = await createDatabase(trx, {
      workspaceId,
      parent: { type: 'page_id', id: opts.parentId },
      title: [textRun(opts.title ?? 'Tasks')],
      schema: { title: { id: 'title', name: 'Name', type: 'title', config: {} } },
      actor,
      time: isoNow(server.deps.clock),
    })
    const title = [textRun(opts.rowTitle)]
    const row = await createNode(trx, {
      workspaceId,
      parent: { type: 'data_source_id', id: dataSource.id, databaseId: database.id },
      kind: 'page',
      title,
      properties: { title },
      actor,
      time: isoNow(server.deps.clock),
    })
    return { database, dataSource, row }
  })
}

/**
 * Another internal connection in a seeded workspace (`seedBasic` or `seedPeople`), made by the owner through the service layer,
 * optionally shared with some pages (in order, by the owner).
 *
 * @returns the connection row, its token and an SDK client for that token.
 * @throws what `createConnection` / `shareWithConnection` throw (e.g. the plan's connection limit).
 */
export async function buildConnection(
  server: TestServer,
  s: { workspace: { id: string }; owner: { id: string } },
  name: string,
  opts: { capabilities?: Partial<Capabilities>; shareWith?: string[] } = {},
) {
  const { connection, token } = await createConnection(server.deps, {
    workspaceId: s.workspace.id,
    actorId: s.owner.id,
    name,
    ...(opts.capabilities ? { capabilities: opts.capabilities } : {}),
  })
  for (const pageId of opts.shareWith ?? []) await shareWithConnection(server.deps, connection.id, pageId, s.owner.id)
  return { connection, token, notion: server.client(token) }
}

/**
 * One call to Octavo's admin API (`/_octavo/admin{path}`) with the server's admin key (or `key`), a
 * JSON body when given.
 *
 * @returns the HTTP status and the parsed JSON body (untyped: tests assert on it).
 */
export async function adminCall(
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
  key?: string,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}/_octavo/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${key ?? server.config.adminKey}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  return { status: res.status, body: (await res.json()) as any }
}

/** A 1×1 transparent PNG, for uploads and custom-emoji images. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
)

/**
 * Adds a custom emoji named `name` (image `TINY_PNG`) to a workspace through Octavo's admin API.
 * @returns the emoji as the admin API answers it (`id`, `name`, `url`).
 * @throws Error when the admin API does not answer 201.
 */
export async function addCustomEmoji(
  server: TestServer,
  workspaceId: string,
  name: string,
): Promise<{ id: string; name: string; url: string }> {
  const made = await adminCall(server, 'POST', `/workspaces/${workspaceId}/custom-emojis`, {
    name,
    image_base64: TINY_PNG.toString('base64'),
    content_type: 'image/png',
  })
  if (made.status !== 201) throw new Error(`adding custom emoji ${name}: ${made.status} ${JSON.stringify(made.body)}`)
  return made.body as { id: string; name: string; url: string }
}
