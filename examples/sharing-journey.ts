/**
 * The sharing journey, against a running Octavo with its demo workspace (`npm start`, then
 * `npm run example`):
 *
 *   1. create an internal connection in "Octavo Demo" (admin API, as the workspace owner);
 *   2. before any sharing, `pages.retrieve` answers 404 object_not_found;
 *   3. share "Getting started" with the connection (admin API);
 *   4. read the page and walk all its children with `blocks.children.list` / `iteratePaginatedAPI`;
 *   5. `search` lists what is shared, and nothing else;
 *   6. refresh the token (admin API): the old token now gets 401 unauthorized, the new one works;
 *   7. delete the connection again.
 *
 * Everything Notion-side goes through the official `@notionhq/client`, pointed at Octavo with
 * `baseUrl`. Configuration: `OCTAVO_URL` (default http://127.0.0.1:7700) and the admin key from
 * `OCTAVO_ADMIN_KEY`, else `$OCTAVO_DATA_DIR/admin.key`, else `./.octavo/admin.key`.
 */
import { APIErrorCode, APIResponseError, Client, LogLevel, isFullBlock, isFullPage, iteratePaginatedAPI } from '@notionhq/client'
import type { BlockObjectResponse, RichTextItemResponse } from '@notionhq/client'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const BASE_URL = (process.env.OCTAVO_URL ?? 'http://127.0.0.1:7700').replace(/\/$/, '')
const SHARED_TITLE = 'Getting started'

class JourneyError extends Error {}

function adminKey(): string {
  if (process.env.OCTAVO_ADMIN_KEY) return process.env.OCTAVO_ADMIN_KEY
  const file = join(process.env.OCTAVO_DATA_DIR ?? './.octavo', 'admin.key')
  if (!existsSync(file)) throw new JourneyError(`No admin key: set OCTAVO_ADMIN_KEY or run from the directory holding ${file}.`)
  return readFileSync(file, 'utf8').trim()
}

let ADMIN_KEY: string | undefined

/** Calls Octavo's admin API (`/_octavo/admin/...`). */
async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  ADMIN_KEY ??= adminKey()
  const res = await fetch(`${BASE_URL}/_octavo/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const json = (await res.json()) as T & { message?: string }
  if (!res.ok) throw new JourneyError(`Admin API ${method} ${path} answered ${res.status}: ${json.message ?? JSON.stringify(json)}`)
  return json
}

const notionFor = (token: string) =>
  new Client({ auth: token, baseUrl: BASE_URL, retry: false, logLevel: LogLevel.ERROR, logger: () => {} })

/** Runs `call` and returns the API error it must fail with. */
async function failure(call: Promise<unknown>): Promise<APIResponseError> {
  try {
    await call
  } catch (e) {
    if (APIResponseError.isAPIResponseError(e)) return e
    throw e
  }
  throw new JourneyError('Expected the call to fail, but it succeeded.')
}

let stepNo = 0
const step = (text: string) => console.log(`\n${++stepNo}. ${text}`)
const ok = (text: string) => console.log(`   ✓ ${text}`)
const info = (text: string) => console.log(`     ${text}`)

const plain = (rt: RichTextItemResponse[] | undefined) => (rt ?? []).map((r) => r.plain_text).join('')

/** A one-line description of a block for the outline. */
function describe(block: BlockObjectResponse): string {
  const b = block as unknown as Record<string, Record<string, unknown>>
  const content = b[block.type] ?? {}
  if (block.type === 'child_page' || block.type === 'child_database') return `${content.title as string}`
  if (block.type === 'table_row') return (content.cells as RichTextItemResponse[][]).map((c) => plain(c)).join(' | ')
  if (Array.isArray(content.rich_text)) return plain(content.rich_text as RichTextItemResponse[]).split('\n')[0] ?? ''
  if (typeof content.url === 'string') return content.url
  if (content.type === 'external') return (content.external as { url: string }).url
  if (typeof content.expression === 'string') return content.expression
  return ''
}

/** Walks a page's block tree depth-first, child pages included; returns how many blocks it saw. */
async function walk(
  notion: Client,
  blockId: string,
  depth: number,
  stats: { blocks: number; pages: number; maxDepth: number },
): Promise<void> {
  for await (const block of iteratePaginatedAPI(notion.blocks.children.list, { block_id: blockId })) {
    if (!isFullBlock(block)) continue
    stats.blocks++
    if (block.type === 'child_page') stats.pages++
    stats.maxDepth = Math.max(stats.maxDepth, depth)
    const text = describe(block)
    console.log(`     ${'  '.repeat(depth)}- [${block.type}]${text ? ` ${text.slice(0, 70)}` : ''}`)
    if (block.has_children) await walk(notion, block.id, depth + 1, stats)
  }
}

async function main(): Promise<void> {
  console.log(`Octavo sharing journey against ${BASE_URL}`)

  step('Find the demo workspace and its "Getting started" page (admin API)')
  const { workspaces } = await admin<{ workspaces: { id: string; name: string }[] }>('GET', '/workspaces')
  const workspace = workspaces.find((w) => w.name === 'Octavo Demo')
  if (!workspace) throw new JourneyError('No "Octavo Demo" workspace: start Octavo with the demo on, on an empty data dir (`npm start`).')
  const { pages } = await admin<{ pages: { id: string; title: string; depth: number; object: string }[] }>(
    'GET',
    `/workspaces/${workspace.id}/pages`,
  )
  const page = pages.find((p) => p.depth === 0 && p.title === SHARED_TITLE)
  if (!page) throw new JourneyError(`The demo workspace has no top-level "${SHARED_TITLE}" page.`)
  ok(`workspace ${workspace.id}, page "${page.title}" ${page.id}`)

  step('Create an internal connection as the workspace owner (admin API)')
  const name = `Sharing journey ${new Date().toISOString().slice(11, 19)}`
  const created = await admin<{ connection: { id: string; name: string }; token: string }>(
    'POST',
    `/workspaces/${workspace.id}/connections`,
    { name },
  )
  const connectionId = created.connection.id
  const oldToken = created.token
  ok(`connection "${created.connection.name}" ${connectionId}, token ${oldToken.slice(0, 8)}…`)
  try {
    const notion = notionFor(oldToken)
    const me = await notion.users.me({})
    ok(`users.me: bot "${me.name}" (${me.id})`)

    step('Before sharing, the page is invisible to the connection')
    const notFound = await failure(notion.pages.retrieve({ page_id: page.id }))
    if (notFound.code !== APIErrorCode.ObjectNotFound || notFound.status !== 404) {
      throw new JourneyError(`Expected 404 object_not_found, got ${notFound.status} ${notFound.code}.`)
    }
    ok(`pages.retrieve → ${notFound.status} ${notFound.code}`)
    info(notFound.message)

    step(`Share "${SHARED_TITLE}" with the connection (admin API)`)
    await admin('PUT', `/connections/${connectionId}/pages/${page.id}`, {})
    ok('shared')

    step('Read the page and all its children')
    const retrieved = await notion.pages.retrieve({ page_id: page.id })
    if (!isFullPage(retrieved)) throw new JourneyError('pages.retrieve returned a partial page.')
    const titleProp = Object.values(retrieved.properties).find((p) => p.type === 'title')
    ok(`pages.retrieve → "${titleProp?.type === 'title' ? plain(titleProp.title) : ''}" (${retrieved.url})`)
    const stats = { blocks: 0, pages: 0, maxDepth: 0 }
    await walk(notion, page.id, 0, stats)
    ok(`blocks.children.list: ${stats.blocks} blocks, ${stats.pages} child pages, ${stats.maxDepth + 1} levels`)

    step('Search lists what is shared, and nothing else')
    const titles: string[] = []
    let found = 0
    for await (const result of iteratePaginatedAPI(notion.search, {})) {
      found++
      const r = result as unknown as {
        object: string
        title?: RichTextItemResponse[]
        properties?: Record<string, { type: string; title?: RichTextItemResponse[] }>
      }
      const t = r.object === 'page' ? plain(Object.values(r.properties ?? {}).find((p) => p.type === 'title')?.title) : plain(r.title)
      titles.push(t)
    }
    if (!titles.includes(SHARED_TITLE)) throw new JourneyError(`search did not list "${SHARED_TITLE}".`)
    for (const hidden of ['Team Home', 'Engineering wiki', 'Private notes']) {
      if (titles.includes(hidden)) throw new JourneyError(`search listed "${hidden}", which is not shared.`)
    }
    ok(`search → ${found} results, "${SHARED_TITLE}" among them; unshared pages absent`)
    info(
      `e.g. ${titles
        .slice(0, 6)
        .map((t) => `"${t}"`)
        .join(', ')}`,
    )

    step('Refresh the token (admin API)')
    const { token: newToken } = await admin<{ token: string }>('POST', `/connections/${connectionId}/token/refresh`, {})
    ok(`new token ${newToken.slice(0, 8)}…`)
    const unauthorized = await failure(notion.users.me({}))
    if (unauthorized.code !== APIErrorCode.Unauthorized || unauthorized.status !== 401) {
      throw new JourneyError(`Expected 401 unauthorized for the old token, got ${unauthorized.status} ${unauthorized.code}.`)
    }
    ok(`old token: users.me → ${unauthorized.status} ${unauthorized.code}`)
    info(unauthorized.message)
    const again = await notionFor(newToken).pages.retrieve({ page_id: page.id })
    ok(`new token: pages.retrieve → ${again.id}`)
  } finally {
    await admin('DELETE', `/connections/${connectionId}`).catch(() => undefined)
  }

  step('Clean up')
  ok(`deleted connection ${connectionId}`)
  console.log('\nJourney complete.')
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err)
  const hint =
    err instanceof TypeError && /fetch failed/.test(message) ? ` (is Octavo running at ${BASE_URL}? start it with \`npm start\`)` : ''
  console.error(`\n✗ ${message}${hint}`)
  process.exitCode = 1
})
